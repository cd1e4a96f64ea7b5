"""`sim discover SCENARIO --outcome X --below Q`: scenario discovery, the PRIM boxes of the
assumptions under which a plan fails."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sim.commands.common import folder_argument


def register(commands: argparse._SubParsersAction) -> None:
    """Add `sim discover` to the `sim` command's sub-commands."""
    parser = commands.add_parser("discover", help="scenario discovery: PRIM boxes of the "
                                 "hidden conditions under which an outcome is below or above Q")
    parser.add_argument("scenario", type=Path, metavar="SCENARIO")
    parser.add_argument("--outcome", required=True, metavar="O")
    side = parser.add_mutually_exclusive_group(required=True)
    side.add_argument("--below", metavar="Q", help="cases: mean outcome below Q (a number or "
                      "pNN, a percentile of the samples)")
    side.add_argument("--above", metavar="Q", help="cases: mean outcome above Q")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--ranges", type=Path, metavar="CONFIG", help="parameter ranges of a "
                        "sensitivity or calibration config (default: calibration/"
                        "sensitivity.yaml)")
    source.add_argument("--posterior", type=Path, metavar="CSV", help="sample the rows of a "
                        "posterior file instead")
    parser.add_argument("--samples", type=int, default=100, metavar="N")
    parser.add_argument("--replicates", type=int, default=2, metavar="R")
    parser.add_argument("--seed", type=int, default=1, metavar="S")
    parser.add_argument("--boxes", type=int, default=2, metavar="B")
    parser.add_argument("--density", type=float, default=0.8, metavar="D",
                        help="least density of a chosen box (default 0.8)")
    parser.add_argument("--dimensions", type=int, default=3, metavar="K",
                        help="most parameters a chosen box restricts (default 3)")
    parser.add_argument("--workers", type=int, default=2, metavar="W")
    parser.add_argument("--cluster", metavar="SPEC", help="run on Dask (as sim run)")
    parser.add_argument("--out", type=folder_argument, metavar="DIR",
                        help="default: results/discover/<scenario>_<outcome>")
    parser.add_argument("--force", action="store_true", help="replace an earlier discovery")
    parser.add_argument("--quiet", action="store_true", help="no progress, no table")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    import pandas as pd
    from rich.console import Console

    from sim.decisions.discover import (
        DEFAULT_RANGES,
        FILES,
        discover,
        figure,
        load_ranges,
        print_boxes,
        threshold_value,
    )
    from sim.decisions.optimise_config import load_draws
    from sim.inference.experiments import ConfigError
    from sim.model.outcomes import OUTCOME_NAMES
    from sim.runs import layout
    from sim.runs import results as store
    from sim.runs.results import ResultsFolderError
    from sim.scenario.files import Problem, load_scenario, suggest

    if args.outcome not in OUTCOME_NAMES:
        close = suggest(args.outcome, OUTCOME_NAMES)
        raise ConfigError([Problem("command line", None, ("--outcome",), f"unknown outcome "
                                   f"{args.outcome!r}" + (f" (did you mean {close!r}?)"
                                                          if close else ""))])
    for name in ("samples", "replicates", "boxes", "workers", "dimensions"):
        if getattr(args, name) < 1:
            raise ConfigError([Problem("command line", None, (f"--{name}",), "must be ≥ 1")])
    if not 0 < args.density <= 1:
        raise ConfigError([Problem("command line", None, ("--density",), f"{args.density:g}: "
                                   "a share of a box's samples, above 0 and at most 1")])
    threshold_value(args.below if args.below is not None else args.above,  # before any run
                    pd.Series([0.0]))
    scenario = load_scenario(args.scenario)
    out = args.out or Path("results") / "discover" / f"{scenario.name}_{args.outcome}"
    if any((out / name).exists() for name in FILES) and not args.force:
        raise ResultsFolderError(f"{out} already holds a discovery; --force replaces it")
    parameters = draws = None
    if args.posterior:
        draws = load_draws(args.posterior, str(args.posterior))
    else:
        parameters = load_ranges(args.ranges or DEFAULT_RANGES, scenario)
    below = args.below is not None
    started = time.monotonic()
    table, found, trajectories, limit = discover(
        scenario, args.outcome, args.below if below else args.above, below=below,
        parameters=parameters, draws=draws, samples=args.samples, replicates=args.replicates,
        seed=args.seed, workers=args.workers, cluster=args.cluster, boxes=args.boxes,
        density=args.density, dimensions=args.dimensions, progress=not args.quiet)
    out.mkdir(parents=True, exist_ok=True)
    store.write_csv(table, out / "samples.csv")
    store.write_csv(found, out / "boxes.csv")
    sign = "<" if below else ">"
    columns = [c for c in table.columns if c not in (args.outcome, "case")]
    figure(table, columns, found, trajectories, f"{scenario.name}: where {args.outcome} {sign} "
           f"{limit:.4g} ({len(table)} samples × {args.replicates} replicates)").savefig(
        out / "discover.png", dpi=110)
    layout.write_json(out / "discover.json", {
        "command": getattr(args, "command_line", "sim discover"), "scenario": str(args.scenario),
        "outcome": args.outcome, "side": "below" if below else "above", "threshold": limit,
        "samples": len(table), "cases": int(table["case"].sum()),
        "seconds": round(time.monotonic() - started, 1), "finished": layout.now(),
        "git_commit": layout.git_commit(), "packages": layout.package_versions()})
    if not args.quiet:
        print_boxes(found, args.outcome, sign, limit, int(table["case"].sum()), len(table))
        Console().print(f"written: {out}/ ({', '.join(FILES)})", highlight=False)
    return 0


