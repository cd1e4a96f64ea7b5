"""`sim sensitivity CONFIG`: which parameters drive which outcomes or differences (SALib
Morris or Sobol indices)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sim.commands.common import folder_argument


def register(commands: argparse._SubParsersAction) -> None:
    """Add `sim sensitivity` to the `sim` command's sub-commands."""
    parser = commands.add_parser("sensitivity",
                                 help="which parameters drive which outcomes (SALib)")
    parser.add_argument("config", type=Path, metavar="CONFIG")
    parser.add_argument("--method", choices=("morris", "sobol"),
                        help="override the config's method (default there: morris)")
    parser.add_argument("--out", type=folder_argument, metavar="DIR",
                        help="output folder (default: results/sensitivity/<config name>)")
    parser.add_argument("--workers", type=int, metavar="W", help="override workers")
    parser.add_argument("--force", action="store_true", help="replace earlier indices")
    parser.add_argument("--quiet", action="store_true", help="no progress, no table")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from pydantic import ValidationError
    from rich.console import Console

    from sim.inference.experiments import ConfigError
    from sim.inference.sensitivity import (
        FILES,
        SensitivityConfig,
        figure,
        flips,
        load_config,
        load_versus,
        print_indices,
        run_design,
    )
    from sim.runs import results as store
    from sim.runs.results import ResultsFolderError
    from sim.scenario.files import Problem

    config, scenario = load_config(args.config)
    overrides = {k: v for k, v in (("method", args.method), ("workers", args.workers))
                 if v is not None}
    try:
        config = SensitivityConfig.model_validate({**config.model_dump(), **overrides})
    except ValidationError as error:
        raise ConfigError([Problem("command line", None, tuple(e["loc"]), e["msg"])
                           for e in error.errors(include_url=False)]) from None
    out = args.out or Path("results") / "sensitivity" / f"{args.config.stem}_{config.method}"
    if any((out / name).exists() for name in FILES) and not args.force:
        raise ResultsFolderError(f"{out} already holds indices; --force replaces them")
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    versus = load_versus(args.config, config)
    indices, points = run_design(config, scenario, versus=versus, progress=not args.quiet)
    store.write_csv(indices, out / "indices.csv")
    store.write_csv(points, out / "design.csv")
    if versus is not None:
        store.write_csv(flips(config, points, indices), out / "flips.csv")
    subject = indices["target"].iloc[0] if versus is not None else scenario.name
    fig = figure(indices, title=f"{subject}: sensitivity ({config.method}, "
                 f"{config.replicates} replicates per point)")
    fig.savefig(out / "indices.png", dpi=120)
    if not args.quiet:
        print_indices(indices)
        Console().print(f"done in {(time.monotonic() - started) / 60:.1f} min; written: "
                        f"{out}/ ({', '.join(FILES)})", highlight=False)
    return 0


