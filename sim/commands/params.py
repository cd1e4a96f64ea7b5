"""`sim params [PREFIX]`: every value a scenario or an override can set."""

from __future__ import annotations

import argparse
import json
import sys


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("params", help="every value a scenario or an override can "
                                 "set: type, default, range, unit, source")
    parser.add_argument("prefix", nargs="?", default="", metavar="PREFIX",
                        help="only paths starting with this (e.g. parameters.detection)")
    parser.add_argument("--json", action="store_true", help="as JSON, with descriptions")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.scenario.paths import settable_paths
    from sim.terminal import print_params

    paths = [p for p in settable_paths() if p.path.startswith(args.prefix)]
    if not paths:
        print(f"sim params: no settable path starts with '{args.prefix}'", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([p.as_dict() for p in paths], indent=2, ensure_ascii=False,
                         default=lambda v: None))
    else:
        print_params(paths)
    return 0


