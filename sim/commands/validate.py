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
    from sim.runs.sweep import is_sweep_file, load_sweep
    from sim.scenario.files import ScenarioError, load_scenario
    from sim.scenario.postings import explicit_postings

    failed = 0
    for path in args.files:
        try:
            if is_sweep_file(path):
                sweep = load_sweep(path)
                print(f"{path}: ok (sweep '{sweep.name}', {len(sweep.points)} points)")
            else:
                scenario = load_scenario(path)
                days, replicates = scenario.action.days, scenario.run.replicates
                print(f"{path}: ok ('{scenario.name}', {scenario.officers_total:,} officers, "
                      f"{days} day{'s' * (days != 1)}, {replicates} "
                      f"replicate{'s' * (replicates != 1)})")
                for line in explicit_postings(scenario):
                    print(f"  postings: {line}")
                print_notes(scenario, "validate")
        except ScenarioError as error:
            failed += 1
            print(error, file=sys.stderr)
    return 2 if failed else 0


