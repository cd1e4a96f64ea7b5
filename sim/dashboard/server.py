"""`sim dashboard [SCENARIO] [--port P]`: serve the interactive dashboard (`app.py`) offline.

The server listens on 127.0.0.1 only, on a free port unless one is given, and prints its address.
Solara would load its JavaScript, styles and fonts from a public CDN; here its asset proxy serves
them from `sim/dashboard/assets` (the exact versions Solara 1.64 asks for, kept in the repository:
the `solara-assets` package on PyPI stops at the versions of Solara 1.58). The CDN address is
pointed at a closed local port, so an asset that is not there fails at once instead of being
fetched from outside; Solara's telemetry and its call-home check stay off.
"""

from __future__ import annotations

import os
import socket
import warnings
from pathlib import Path

ASSET_FOLDER = Path(__file__).resolve().parent / "assets"
NO_CDN = "http://127.0.0.1:9/"  # the discard port: nothing listens, nothing leaves the machine
ASSETS = (  # what the page loads (Solara 1.64 with ipyvuetify 3); see assets/README.md
    "@widgetti/solara-vuetify3-app@5.2.0/dist/solara-vuetify-app8.min.js",
    "@widgetti/solara-vuetify3-app@5.2.0/dist/main8.css",
    "@widgetti/solara-vuetify3-app@5.2.0/dist/fonts.css",
    "requirejs@2.3.6/require.js",
    "font-awesome@4.5.0/css/font-awesome.min.css",
)
OFFLINE_SETTINGS = {
    "SOLARA_APP": "sim.dashboard.app",
    "SOLARA_MODE": "production",              # no call-home check in the page
    "SOLARA_ASSETS_PROXY": "true",            # serve assets from the local cache folder
    "SOLARA_ASSETS_CDN": NO_CDN,
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    "SOLARA_THEME_SHOW_BANNER": "false",      # the "runs on Solara" badge would cover a plot
}


class DashboardError(RuntimeError):
    """The dashboard cannot be served as asked (assets missing, port taken)."""




VIZ_MODULES = ("solara", "uvicorn", "mesa.visualization")  # what the viz extra installs


def check_viz_extra() -> None:
    """Raise DashboardError, saying how to install it, when the viz extra is missing."""
    from importlib.util import find_spec

    missing = []
    for name in VIZ_MODULES:
        try:
            found = find_spec(name) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            missing.append(name)
    if missing:
        raise DashboardError(
            f"the dashboard needs the viz extra ({', '.join(missing)} not installed): "
            "pip install -c constraints.txt -e '.[viz]' (or 'make dashboard', which installs "
            "it); the rest of sim works without it")




def missing_assets(cache: Path) -> list[str]:
    """The browser assets the page needs that are not in Solara's local asset folder."""
    return [asset for asset in ASSETS if not (cache / asset).is_file()]


def listening_socket(port: int = 0) -> socket.socket:
    """A socket bound to 127.0.0.1 (port 0: a free one), handed to the server as it is."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as error:
        sock.close()
        raise DashboardError(f"cannot listen on 127.0.0.1:{port}: {error.strerror}") from None
    sock.listen(128)  # browsers connecting while the server starts wait instead of failing
    return sock


def configure_solara(scenario: Path, assets: Path) -> None:
    """Offline settings for Solara, set before and after its import."""
    os.environ.update(OFFLINE_SETTINGS)
    os.environ["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(assets)
    os.environ["SIM_DASHBOARD_SCENARIO"] = str(scenario.resolve())
    import solara.server.settings as server_settings
    import solara.settings

    solara.settings.assets.proxy = True  # in case Solara was imported before the variables
    solara.settings.assets.cdn = NO_CDN
    server_settings.assets.proxy_cache_dir = assets
    server_settings.main.mode = "production"
    server_settings.telemetry.mixpanel_enable = False
    server_settings.theme.show_banner = False


def serve(scenario: Path, port: int = 0, *, assets: Path = ASSET_FOLDER) -> None:
    """Serve the dashboard until interrupted (Ctrl+C)."""
    from sim.scenario.files import load_scenario

    load_scenario(scenario)  # a broken file is reported here, not in the browser
    configure_solara(scenario, assets)
    missing = missing_assets(assets)
    if missing:
        raise DashboardError(
            f"the page's browser assets are not in {assets} (missing: {', '.join(missing)}); "
            "restore the folder from the repository (sim/dashboard/assets/README.md says where "
            "its files come from)")
    sock = listening_socket(port)
    host, port = sock.getsockname()
    os.environ.update({"SERVER_NAME": host, "SERVER_PORT": str(port)})
    import uvicorn

    # Solara warns on every page load that 127.0.0.1 is not https; the cookie works all the same
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")

    config = uvicorn.Config("solara.server.starlette:app", host=host, port=port,
                            log_level="warning")
    print(f"dashboard of {scenario}: http://{host}:{port}/ (Ctrl+C stops it)", flush=True)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
