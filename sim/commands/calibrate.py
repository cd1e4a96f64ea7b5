"""`sim calibrate CONFIG`: fit the hidden parameters to the published outcomes (and the
ordinary week), with the refinements and the posterior ensemble."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from sim.commands.common import folder_argument


def register(commands: argparse._SubParsersAction) -> None:
    """Add `sim calibrate` to the `sim` command's sub-commands."""
    parser = commands.add_parser("calibrate", help="fit hidden parameters to published outcomes")
    parser.add_argument("config", type=Path, metavar="CONFIG")
    parser.add_argument("--out", type=folder_argument, metavar="DIR",
                        help="output folder (default: results/calibration/<config name>)")
    parser.add_argument("--trials", type=int, metavar="N", help="override budget.trials")
    parser.add_argument("--replicates", type=int, metavar="N", help="override budget.replicates")
    parser.add_argument("--workers", type=int, metavar="W", help="override budget.workers")
    parser.add_argument("--minutes", type=float, metavar="M", help="override budget.minutes")
    parser.add_argument("--force", action="store_true", help="replace an earlier calibration")
    parser.add_argument("--resume", action="store_true",
                        help="continue the fit in --out from its loss_history.csv up to "
                        "budget.trials (an interrupted fit, or one given more trials), then "
                        "run the refinements, the report and the posterior again")
    parser.add_argument("--quiet", action="store_true", help="no progress, no report")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from pydantic import ValidationError
    from rich.console import Console

    from sim.inference.calibration import FILES, print_report
    from sim.inference.calibration_config import Budget, load_regimes
    from sim.inference.experiments import ConfigError
    from sim.runs.folder import claim
    from sim.scenario.files import Problem

    config, regimes = load_regimes(args.config)
    overrides = {"trials": args.trials, "replicates": args.replicates, "workers": args.workers,
                 "minutes": args.minutes}
    try:
        budget = config.budget.model_copy(update={k: v for k, v in overrides.items()
                                                  if v is not None})
        config.budget = Budget.model_validate(budget.model_dump())
        if args.workers is not None:  # the machine's workers serve every stage
            for refinement in config.refine:
                refinement.budget = refinement.budget.model_copy(update={"workers":
                                                                         args.workers})
    except ValidationError as error:
        raise ConfigError([Problem("command line", None, tuple(e["loc"]), e["msg"])
                           for e in error.errors(include_url=False)]) from None
    out = args.out or Path("results") / "calibration" / args.config.stem
    if args.resume and args.force:
        raise ConfigError([Problem("command line", None, ("--resume",), "--resume continues "
                                   "the fit in the folder and --force replaces it: give one")])
    with claim(out, "calibration", args.force, args.resume, files=(*FILES, "refine"),
               command=getattr(args, "command_line", "sim calibrate")):
        calibration, stages, moves, ensemble = _fit(args, config, regimes, out)
    if not args.quiet:
        report = calibration.report
        for regime in regimes:
            rows = report[report["regime"] == regime.label] if "regime" in report else report
            print_report(rows, title=f"{regime.scenario.name} with the fitted values "
                         f"({config.report.replicates} fresh replicates)")
        shares = ", ".join(f"{label} {share:.1%}" for label, share in calibration.shares.items())
        Console().print(f"criminal movements intercepted (of those that set off): {shares}\n"
                        f"posterior: {ensemble.describe()}"
                        + (f"; moved by the refinements: "
                           f"{', '.join(step.describe() for step in moves)}" if moves else "")
                        + "\n"
                        f"fitted in {calibration.seconds / 60:.1f} min "
                        f"({len(calibration.history)} trials × {config.budget.replicates} "
                        f"replicates × {len(regimes)} scenario(s), loss {calibration.loss:.4g}"
                        + "".join(f"; refinement {s.name}: {len(s.calibration.history)} trials, "
                                  f"loss {s.calibration.loss:.4g}" for s in stages) + "); "
                        f"written: {out}/ ({', '.join(FILES)})", highlight=False)
        from sim.commands.posterior import print_pile_ups

        print_pile_ups(ensemble.draws, config.parameters, Console())
    return 0


def _fit(args: argparse.Namespace, config, regimes, out: Path):
    """The fit, its refinements and the posterior ensemble, written into the claimed `out`."""
    from sim.inference.accepted import accepted_draws
    from sim.inference.calibration import resumed_history, write_outputs
    from sim.inference.refinement import calibrate_in_stages, moved, steps

    resumed = resumed_history(config, regimes, out) if args.resume else None
    if (out / "refine").is_dir() and not (out / "refine").is_symlink():
        shutil.rmtree(out / "refine")  # no stale stage of an earlier fit (a link is refused)
    calibration, stages = calibrate_in_stages(config, regimes, out=out, progress=not args.quiet,
                                              resumed=resumed)
    settings = config.posterior
    moves = steps(config, {stage.name: stage.manifest() for stage in stages})
    ensemble = accepted_draws(moved(calibration.history, moves), regimes[0].scenario,
                              config.parameters, tolerance=settings.tolerance,
                              min_draws=settings.min_draws, max_draws=settings.max_draws,
                              seed=settings.seed)
    write_outputs(calibration, out, config_path=args.config,
                  command=getattr(args, "command_line", "sim calibrate"), ensemble=ensemble,
                  refinements=[stage.manifest() for stage in stages], budget=config.budget)
    return calibration, stages, moves, ensemble
