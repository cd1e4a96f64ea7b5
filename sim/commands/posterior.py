"""`sim posterior CONFIG`: the posterior ensemble of a finished calibration, from its loss
history (no new runs)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:
    """Add `sim posterior` to the `sim` command's sub-commands."""
    parser = commands.add_parser("posterior", help="the posterior ensemble of a calibration "
                                 "(from its loss history; no new runs)")
    parser.add_argument("config", type=Path, metavar="CONFIG")
    parser.add_argument("--calibration", type=Path, metavar="DIR", help="the calibration's "
                        "output folder (default: results/calibration/<config name>)")
    parser.add_argument("--tolerance", type=float, help="override posterior.tolerance")
    parser.add_argument("--out", type=Path, metavar="FILE", help="where to write (default: "
                        "posterior.csv in the calibration folder)")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    import pandas as pd
    from rich.console import Console

    from sim.inference.calibration import load_regimes
    from sim.inference.ensemble import (
        POSTERIOR,
        accepted_draws,
        refinement_records,
        write_posterior,
    )
    from sim.inference.experiments import ConfigError
    from sim.inference.refinement import moved, steps
    from sim.scenario.files import Problem

    config, regimes = load_regimes(args.config)
    folder = args.calibration or Path("results") / "calibration" / args.config.stem
    history_path = folder / "loss_history.csv"
    if not history_path.is_file():
        raise FileNotFoundError(f"{history_path}: no calibration history; run `sim calibrate "
                                f"{args.config}` first")
    history = pd.read_csv(history_path)
    missing = [c for c in ("trial", "loss", "band_loss", *(p.label for p in config.parameters))
               if c not in history.columns]
    if missing:
        raise ConfigError([Problem(str(args.config), None, ("parameters",),
                                   f"{history_path} was not written by a fit of this config "
                                   f"(no column {', '.join(missing)}); run `sim calibrate "
                                   f"{args.config}` again")])
    moves = steps(config, refinement_records(config, folder))
    settings = config.posterior
    tolerance = settings.tolerance if args.tolerance is None else args.tolerance
    ensemble = accepted_draws(moved(history, moves), regimes[0].scenario,
                              config.parameters, tolerance=tolerance,
                              min_draws=settings.min_draws, max_draws=settings.max_draws,
                              seed=settings.seed)
    out = args.out or folder / POSTERIOR
    write_posterior(ensemble, out)
    Console().print(f"{ensemble.describe()}"
                    + (f"; moved by the refinements: {', '.join(m.describe() for m in moves)}"
                       if moves else "")
                    + f"; written: {out}", highlight=False)
    return 0


