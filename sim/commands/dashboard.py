"""`sim dashboard [SCENARIO]`: serve the interactive dashboard on 127.0.0.1."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "dashboard", help="serve the interactive dashboard on 127.0.0.1 (open it in a browser)")
    parser.add_argument("scenario", nargs="?", type=Path, metavar="SCENARIO",
                        help="scenario file to start from (default: the 2023 baseline)")
    parser.add_argument("--port", type=int, default=0, metavar="P",
                        help="port to listen on (default: a free one, printed at start)")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.dashboard.server import DashboardError, check_viz_extra, serve
    from sim.model import BASELINE

    try:
        check_viz_extra()
        serve(args.scenario or BASELINE, args.port)
    except DashboardError as error:
        print(f"sim dashboard: {error}", file=sys.stderr)
        return 2
    return 0
