"""`sim validate FILE...`: check scenario and sweep files without running them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.commands.common import print_notes


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("validate", help="check scenario or sweep files")
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.scenario.files import ScenarioError, is_sweep_file, load_scenario
    from sim.scenario.postings import explicit_postings
    from sim.scenario.reading import printable

    failed = 0
    for path in args.files:
        try:
            if is_sweep_file(path):
                from sim.runs.sweep import load_sweep  # pandas and the runner: sweeps only

                sweep = load_sweep(path)
                print(printable(f"{path}: ok (sweep '{sweep.name}', {len(sweep.points)} "
                                "points)"))
            else:
                scenario = load_scenario(path)
                days, replicates = scenario.action.days, scenario.run.replicates
                print(printable(f"{path}: ok ('{scenario.name}', {scenario.officers_total:,} "
                                f"officers, {days} day{'s' * (days != 1)}, {replicates} "
                                f"replicate{'s' * (replicates != 1)})"))
                for line in explicit_postings(scenario):
                    print(printable(f"  postings: {line}"))
                print_notes(scenario, "validate")
        except ScenarioError as error:
            failed += 1
            print(printable(error), file=sys.stderr)
    return 2 if failed else 0


