"""`sim run FILE`: a scenario's replicates into a results folder, with the report."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from sim.commands.common import (
    at_least,
    default_folder,
    folder_argument,
    print_notes,
    run_options,
    run_settings,
    wrong_kind,
)

if TYPE_CHECKING:
    from sim.runs.results import Results
    from sim.scenario.schema import Scenario


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("run", help="run a scenario's replicates into a results folder")
    parser.add_argument("file", type=Path, metavar="FILE")
    run_options(parser)
    parser.add_argument("--out", type=folder_argument, metavar="DIR",
                        help="results folder (default: results/<scenario name>)")
    parser.add_argument("--replicate", type=at_least(0), action="append", metavar="K",
                        help="run only replicate K, with its seed from the full run "
                             "(repeatable)")
    parser.add_argument("--posterior", type=at_least(1), metavar="N",
                        help="run the first N posterior draws × the replicates (a `draw` "
                             "column; docs/calibration.md)")
    parser.add_argument("--posterior-file", type=Path, metavar="FILE",
                        help="the posterior ensemble (default: scenarios/posterior.csv)")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.runs import runner
    from sim.terminal import print_report

    wrong_kind(args.file, "run")
    scenario = runner.resolve_scenario(args.file, replicates=args.replicates, seed=args.seed,
                                       workers=args.workers)
    out = args.out or default_folder(scenario.name)
    print_notes(scenario, "run")
    with warnings.catch_warnings():  # each failure is reported on stderr as it happens
        warnings.simplefilter("ignore", runner.ReplicateFailureWarning)
        try:
            results = runner.run(scenario, out=out, replicate=args.replicate,
                                 source=args.file, posterior=args.posterior,
                                 posterior_file=args.posterior_file, **run_settings(args))
        except runner.ReplicatesFailedError as error:
            results = error.results
    if not args.quiet:
        print_report(results)
    for note in queue_notes(results, scenario):
        print(f"sim run: note: {note}", file=sys.stderr)
    return 1 if results.failures else 0


def queue_notes(results: Results, scenario: Scenario) -> list[str]:
    """Waits longer than the action itself: a queue that never clears (arrivals beyond what
    the booths can serve), which a planner should see before reading any wait."""
    waits = results.crossing_waits
    minutes = scenario.action.hours * 60.0
    if waits.empty or waits["wait_minutes"].max() <= minutes:
        return []
    longest = (waits[waits["wait_minutes"] > minutes].groupby(["place", "vehicle_class"])
               ["wait_minutes"].max().sort_values(ascending=False))
    plural = {"car": "cars", "bus": "buses", "lorry": "lorries"}
    shown = ", ".join(f"{place} {plural.get(kind, kind)} {wait / 60.0:,.0f} h"
                      for (place, kind), wait in longest.head(5).items())
    return [f"waits longer than the action ({scenario.action.hours} h) at {len(longest)} "
            f"crossing and vehicle class(es) ({shown}): their queues never clear, since more "
            "arrive than the open booths serve (traffic.scale, booth times and officers set "
            "that); read their waits as 'does not clear', not as a number"]


