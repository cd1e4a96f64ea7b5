"""`sim ensemble CONFIG`: posterior draws × sampled assumptions, kept by history matching."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

from sim.commands.common import at_least


def register(commands: argparse._SubParsersAction) -> None:
    """Add `sim ensemble` to the `sim` command's sub-commands."""
    parser = commands.add_parser("ensemble", help="build the ensemble: posterior draws × the "
                                 "sampled assumptions, kept by history matching")
    parser.add_argument("config", type=Path, metavar="CONFIG")
    parser.add_argument("--out", type=Path, metavar="FILE",
                        help="the members' CSV (default: results/ensemble/<config name>.csv; "
                             "the record is written beside it as .json, the candidates tried "
                             "as _candidates.csv)")
    parser.add_argument("--members", type=at_least(1), metavar="N", help="override members")
    parser.add_argument("--candidates", type=at_least(1), metavar="N",
                        help="override candidates (most to try)")
    parser.add_argument("--replicates", type=at_least(1), metavar="N",
                        help="override replicates")
    parser.add_argument("--workers", type=at_least(1), metavar="W", help="override workers")
    again = parser.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true",
                       help="go on from the candidates an interrupted build tried")
    again.add_argument("--force", action="store_true", help="replace an earlier ensemble")
    parser.add_argument("--quiet", action="store_true", help="no progress, no summary")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from rich.console import Console

    from sim.inference.ensemble import build, candidates_path, load_plan, summary_lines
    from sim.runs.folder import FILE, claim
    from sim.runs.results import ResultsFolderError

    plan = load_plan(args.config, members=args.members, candidates=args.candidates,
                     replicates=args.replicates, workers=args.workers)
    out = args.out or Path("results") / "ensemble" / f"{args.config.stem}.csv"
    held = [p for p in (out, out.with_suffix(".json"), candidates_path(out)) if p.exists()]
    if held and not (args.force or args.resume):
        raise ResultsFolderError(f"{held[0]} exists: --resume goes on from its candidates, "
                                 "--force builds the ensemble again")
    files = (out, out.with_suffix(".json"), candidates_path(out))
    with contextlib.ExitStack() as claims:  # never through a link; replaced only when asked
        for path in files:
            claims.enter_context(claim(path, FILE, args.force or args.resume))
        if args.force:
            for path in held:
                path.unlink()
        result = build(plan, out, resume=args.resume, progress=not args.quiet)
    if not args.quiet:
        console = Console()
        for line in summary_lines(plan, result):
            console.print(line, highlight=False)
        console.print(f"written: {out}, {out.with_suffix('.json')}, {candidates_path(out)}",
                      highlight=False)
    return 0 if len(result.members) else 1
