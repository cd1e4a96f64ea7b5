"""The dashboard: its model and drawings (fast), and the real page in Debian's chromium (browser).

`SIM_DASHBOARD_SCREENSHOT=docs/dashboard.png pytest tests/interfaces/test_dashboard.py -m
browser` also plays a day of the action and saves the page there (the README's screenshot).
"""

from __future__ import annotations

import io
import os
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from project import ROOT

from sim.cli import build_parser
from sim.cli import main as sim_main
from sim.dashboard import server
from sim.dashboard.app import (
    AS_IN_FILE,
    NO_TEAM,
    DashboardModel,
    allocation_overrides,
    border_of,
    crossing_choices,
    model_params,
    parse_seed,
)
from sim.dashboard.figures import (
    draw_operation_map,
    draw_outcomes_by_hour,
    draw_queue_waits,
    map_html,
)
from sim.dashboard.server import (
    ASSET_FOLDER,
    DashboardError,
    listening_socket,
    missing_assets,
    serve,
)
from sim.geography import load_route_graph
from sim.geography.map import REGION
from sim.model import BASELINE
from sim.model.streams import replicate_seeds
from sim.scenario.files import ScenarioError, load_scenario

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SERVER_START_SECONDS = 60


# --- the app module, without a browser ----------------------------------------------------------

def test_app_builds_the_model_and_draws_it_on_real_coordinates():
    model = DashboardModel("jad_see_2023.yaml")
    for _ in range(3):
        model.step()
    hourly = model.hourly.get_model_vars_dataframe()
    assert list(hourly["hour"]) == [0, 1, 2, 3]
    assert hourly["entities checked"].is_monotonic_increasing
    assert hourly["entities checked"].iloc[-1] > 0

    figure = draw_operation_map(model, size_by="checks")
    ax = figure.axes[0]
    assert (ax.get_xlim(), ax.get_ylim()) == (REGION[:2], REGION[2:])
    crossing_xy = {tuple(np.round(xy, 6)) for collection in ax.collections
                   for xy in collection.get_offsets()}
    graph = model.graph
    for crossing in model.crossings:  # drawn where the data puts them, not at a spring layout
        node = graph.nodes[crossing.place]
        assert (round(node["lon"], 6), round(node["lat"], 6)) in crossing_xy
    for drawing in (figure, draw_outcomes_by_hour(model), draw_queue_waits(model)):
        assert isinstance(drawing, Figure)
        png = io.BytesIO()
        drawing.savefig(png, format="png", dpi=40)
        assert png.getvalue().startswith(b"\x89PNG")


def test_cases_series_ends_at_the_model_cases_opened():
    model = DashboardModel("jad_see_2023.yaml", seed="5")
    while model.running:
        model.step()
    hourly = model.hourly.get_model_vars_dataframe()
    assert len(hourly) == model.hours + 1
    assert hourly["cases"].iloc[-1] == model.outcomes()["cases_opened"]
    assert hourly["arrests"].iloc[-1] == model.outcomes()["arrests_total"]


def test_controls_left_as_in_the_file_change_nothing():
    base = load_scenario(BASELINE)
    assert allocation_overrides(base, team_places=[AS_IN_FILE] * 3, frontex_off=set()) == {}
    model = DashboardModel("jad_see_2023.yaml")
    assert model.overrides == {} and model.changes == [] and model.baseline is None
    assert model.seed == replicate_seeds(base.run.seed, 1)[0]  # replicate 0 of `sim run`


def test_a_changed_allocation_runs_beside_the_file_as_written_with_the_same_seed():
    labels = {place: label for label, place in crossing_choices().items()}
    changed = DashboardModel("jad_see_2023.yaml", scanning_team_1=labels["kalotina"],
                             coordination_centre="off")
    as_written = DashboardModel("jad_see_2023.yaml")
    assert changed.baseline is not None and changed.baseline.seed == changed.seed
    assert changed.changes[0].startswith("scanning teams at Kalotina / Gradina")
    assert "coordination centre off" in changed.changes
    for _ in range(30):
        changed.step()
        as_written.step()
    assert changed.baseline.tick == changed.tick == 30
    assert changed.baseline.tally.totals() == as_written.tally.totals()  # the same run
    hourly = changed.baseline_hourly.get_model_vars_dataframe()
    assert hourly["arrests"].iloc[-1] == as_written.tally.totals()["arrests_total"]
    figure = draw_outcomes_by_hour(changed)
    assert any(line.get_label() == "as written" for line in figure.axes[0].lines)


def test_queue_panel_and_map_show_checked_crossings_named_with_tooltips():
    model = DashboardModel("jad_see_2023.yaml")
    model.step()
    statuses = {model.graph.nodes[c.place]["border_status"] for c in model.busiest}
    assert "schengen_internal" not in statuses and len(model.busiest) == 5
    figure = draw_operation_map(model)
    names = {t.get_text() for t in figure.axes[0].texts}
    assert model.route_graph.place_name(model.busiest[0].place) in names
    for team in model.scanning_teams:
        assert model.route_graph.place_name(team.place) in names
    page = map_html(model, figure)
    titles = re.findall(r"<title>([^<]+)</title>", page)
    assert len(titles) > 50 and page.count("<circle") == len(titles)
    kalotina = next(t for t in titles if t.startswith("Kalotina / Gradina"))
    assert "queue" in kalotina and "checks this hour" in kalotina


def test_the_final_clock_reads_the_last_day():
    model = DashboardModel("jad_see_2023.yaml")
    assert model.clock_text()[0] == "Day 1 of 6, 00:00"
    while model.running:
        model.step()
    title, line = model.clock_text()
    assert title == "Day 6 of 6, 24:00"
    assert line.startswith("Saturday 18 November 2023 · hour 144 of 144 · finished")


def test_sim_dashboard_without_the_viz_extra_says_what_to_install(monkeypatch, capsys):
    monkeypatch.setattr(server, "VIZ_MODULES", ("no_such_module_for_the_dashboard",))
    with pytest.raises(DashboardError, match=r"viz extra"):
        server.check_viz_extra()
    assert sim_main(["dashboard"]) == 2
    error = capsys.readouterr().err
    assert "pip install" in error and "Traceback" not in error


def test_controls_become_model_overrides():
    base = load_scenario(BASELINE)
    labels = {place: label for label, place in crossing_choices().items()}
    graph = load_route_graph().graph
    border = border_of(graph, base.frontex[0].place)
    model = DashboardModel("jad_see_2023.yaml", seed="7", targeting="random",
                           coordination_centre="on", relay_delay="8 h",
                           scanning_team_1=labels["kalotina"], scanning_team_2=NO_TEAM,
                           **{"frontex_at_" + border.replace("–", "_"): False})
    assert model.seed == 7
    assert model.scenario_spec.targeting == "random"
    assert model.centre is not None and model.centre.relay_delay_hours == 8
    assert [t.place for t in model.scanning_teams] == ["kalotina"]
    assert model.scanning_teams[0].country == base.scanning_teams.teams[0].country
    assert model.frontex and all(border_of(graph, d.place) != border for d in model.frontex)
    assert DashboardModel("jad_see_2023.yaml", coordination_centre="off").centre is None


def test_sidebar_parameters_are_model_keywords():
    params = model_params(BASELINE)
    assert params["scenario_file"]["value"] == "jad_see_2023.yaml"
    assert "jad_see_2023.yaml" in params["scenario_file"]["values"]
    chosen = {name: p["values"][-1] if p["type"] == "Select" else p["value"]
              for name, p in params.items() if name not in ("scenario_file", "seed")}
    chosen["scanning_team_2"] = NO_TEAM  # two teams at one crossing would break the file's limit
    chosen["scanning_team_3"] = NO_TEAM
    model = DashboardModel("jad_see_2023.yaml", seed="", **chosen)
    assert model.scenario_spec.targeting == params["targeting"]["values"][-1]


def test_controls_that_make_no_valid_scenario_are_reported_not_applied():
    labels = {place: label for label, place in crossing_choices().items()}
    crowded = DashboardModel("jad_see_2023.yaml", scanning_team_1=labels["kalotina"],
                             scanning_team_2=labels["kalotina"])
    assert "max_per_place" in crowded.problem
    assert [t.place for t in crowded.scanning_teams] == [
        t.place for t in load_scenario(BASELINE).scanning_teams.teams]
    bad_seed = DashboardModel("jad_see_2023.yaml", seed="twelve")
    assert "whole number" in bad_seed.problem and bad_seed.overrides == {}
    assert DashboardModel("jad_see_2023.yaml", seed="12").problem == ""


def test_officer_controls_post_officers_beside_the_file_as_written_and_show_their_waits():
    """The planner's first question in the sidebar: 300 more Serbian officers at the crossing
    with North Macedonia; the waits so far at that crossing, side by side and by vehicle
    class, changed against as written."""
    from sim.dashboard.app import waits_html
    from sim.dashboard.model import crossing_waits_so_far, place_choices

    labels = {place: label for label, place in place_choices().items()}
    model = DashboardModel("jad_see_2023.yaml", officers_country="RS", officers_change=300,
                           officers_posting="crossing", officers_place=labels["tabanovce"])
    assert model.problem == ""
    assert model.scenario_spec.countries["RS"].officers == 2800

    def at_tabanovce(run) -> int:
        return sum(u.officers for u in run.staffing.units
                   if u.country == "RS" and u.place == "tabanovce")

    assert at_tabanovce(model) - at_tabanovce(model.baseline) == 300
    assert "RS officers 2,500 → 2,800" in model.changes
    assert any("300 RS border police posted at Tabanovce" in c for c in model.changes)
    model.step()
    table, said = crossing_waits_so_far(model)
    assert said == "at the crossings the change touches"
    assert list(table.columns) == ["crossing", "side", "vehicles", "changed", "as written",
                                   "difference"]
    assert set(table["crossing"]) == {"Tabanovce / Preševo"}
    # North Macedonia's side, then Serbia's, each with its classes in order
    assert table[["side", "vehicles"]].values.tolist() == [
        [side, vehicles] for side in ("MK", "RS") for vehicles in ("cars", "buses", "lorries")]
    assert "Tabanovce / Preševo" in waits_html(model)
    fewer = DashboardModel("jad_see_2023.yaml", officers_country="RS", officers_change=-3000)
    assert "cannot lose" in fewer.problem


def test_a_seed_that_is_not_a_whole_number_is_refused():
    base = load_scenario(BASELINE)
    assert parse_seed("", base) == replicate_seeds(base.run.seed, 1)[0]
    assert parse_seed(" 12 ", base) == 12
    with pytest.raises(ValueError, match="whole number"):
        parse_seed("twelve", base)
    with pytest.raises(ValueError, match="whole number"):
        parse_seed("-3", base)


# --- the server, without a browser --------------------------------------------------------------

def test_sim_dashboard_is_a_sub_command():
    args = build_parser().parse_args(["dashboard", "scenarios/jad_see_2023.yaml", "--port", "0"])
    assert args.command == "dashboard" and args.port == 0
    assert args.scenario == Path("scenarios/jad_see_2023.yaml")


def test_the_server_listens_on_localhost_only():
    sock = listening_socket(0)
    try:
        host, port = sock.getsockname()
        assert host == "127.0.0.1" and port > 0
    finally:
        sock.close()


def test_browser_assets_are_in_the_repository(tmp_path):
    assert missing_assets(ASSET_FOLDER) == []
    with pytest.raises(DashboardError, match="browser assets"):
        serve(BASELINE, assets=tmp_path)


def test_a_broken_scenario_is_reported_before_serving(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: broken\ntargetting: random\n")
    with pytest.raises(ScenarioError):
        serve(broken)


# --- the real page in a real browser ------------------------------------------------------------

def _address(server: subprocess.Popen) -> str:
    """The http://127.0.0.1:PORT/ address `sim dashboard` prints when it listens."""
    ready, _, _ = select.select([server.stdout], [], [], SERVER_START_SECONDS)
    line = server.stdout.readline() if ready else ""
    found = re.search(r"http://127\.0\.0\.1:\d+/", line)
    assert found, f"sim dashboard printed no address within {SERVER_START_SECONDS} s: {line!r}"
    return found.group(0)


def _hour(page) -> int:
    return int(re.search(r"hour (\d+) of", page.locator(".action-clock + p").inner_text())[1])


def _counter(page, label: str) -> float:
    row = page.locator("table.counters tr", has_text=label)
    return float(row.locator("td").nth(1).inner_text().replace(",", ""))


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at "
                    "/usr/bin/chromium (apt-get install chromium); .ci/run installs it")
def test_dashboard_steps_in_a_real_browser(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "sim", "dashboard"], cwd=ROOT, text=True,
                              stdout=subprocess.PIPE, stderr=log, start_new_session=True)
    try:
        url = _address(server)
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                 args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            outside, failed = [], []
            page.on("request", lambda r: None if r.url.startswith((url, f"blob:{url}", "data:"))
                    else outside.append(r.url))
            page.on("response", lambda r: failed.append(f"{r.status} {r.url}")
                    if r.status >= 400 else None)
            page.goto(url)
            sync_api.expect(page.locator(".action-clock")).to_have_text(
                "Day 1 of 6, 00:00", timeout=45_000)
            _reset_with_a_changed_allocation(page, sync_api)
            checks_before = _counter(page, "entities checked")
            step = page.get_by_role("button", name="Step")
            deadline = time.monotonic() + 90  # a loaded machine redraws slowly
            while _hour(page) == 0 and time.monotonic() < deadline:
                step.click()  # the first click can come before the page listens: click again
                page.wait_for_timeout(2_000)
            assert _hour(page) >= 1, "pressing Step did not advance the hour"
            assert _counter(page, "entities checked") > checks_before
            assert page.get_by_text("Play Interval").count() == 0  # Mesa's internals hidden
            assert page.get_by_text("Use Threads").count() == 0
            assert page.get_by_text("runs on Solara").count() == 0  # no badge over the plots
            page.screenshot(path=tmp_path / "dashboard_1280x720.png")
            page.set_viewport_size({"width": 1600, "height": 1000})
            page.wait_for_timeout(1_000)
            page.screenshot(path=tmp_path / "dashboard.png", full_page=True)
            if os.environ.get("SIM_DASHBOARD_SCREENSHOT"):
                _readme_screenshot(page, Path(os.environ["SIM_DASHBOARD_SCREENSHOT"]))
            browser.close()
        assert not outside, f"the page fetched from outside 127.0.0.1: {outside}"
        assert not failed, f"requests that failed: {failed}"
        assert (tmp_path / "dashboard.png").stat().st_size > 10_000
        assert (tmp_path / "dashboard_1280x720.png").stat().st_size > 10_000
        shots = os.environ.get("SIM_DASHBOARD_SHOTS")  # keep them to look at
        if shots:
            for name in ("dashboard.png", "dashboard_1280x720.png"):
                Path(shots, name).write_bytes((tmp_path / name).read_bytes())
    finally:
        _stop(server)
        log.close()


def _reset_with_a_changed_allocation(page, sync_api) -> None:
    """Choose random targeting in the sidebar, press Reset: the header lists the change and
    the counters gain the file as written and the difference. Done before stepping: on a
    loaded machine each hour's redraw queues behind the last, and Reset's waits behind them."""
    select = page.locator(".v-select", has_text="Targeting rule").first
    select.click()
    page.get_by_role("option", name="random", exact=True).click()
    sync_api.expect(select).to_contain_text("random")
    deadline = time.monotonic() + 90
    while "targeting random" not in page.locator(".changes").inner_text():
        assert time.monotonic() < deadline, "Reset did not apply the changed allocation"
        # the choice reaches the server a moment after the click: press Reset until it has
        page.get_by_role("button", name="Reset").click()
        page.wait_for_timeout(5_000)
    sync_api.expect(page.locator("table.counters")).to_contain_text("difference")
    sync_api.expect(page.locator(".action-clock")).to_have_text("Day 1 of 6, 00:00",
                                                                timeout=45_000)


def _stop(server: subprocess.Popen) -> None:
    """End the server's process group: SIGTERM, then SIGKILL if it has not ended in 30 s (a
    loaded machine can take that long to unwind the page's threads)."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def _readme_screenshot(page, path: Path) -> None:
    """Play about a day and a half of the action, pause on an hour with detections, save."""
    page.get_by_role("button", name="▶").click()
    deadline = time.monotonic() + 300  # a loaded machine draws an hour in several seconds
    while _hour(page) < 36 and time.monotonic() < deadline:
        page.wait_for_timeout(1_000)
    page.get_by_role("button", name="❚❚").click()
    page.wait_for_timeout(3_000)
    page.screenshot(path=path)
