"""`sim sweep FILE`: every point of a sweep file, each a results folder, with an index."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.common import (
    default_folder,
    folder_argument,
    print_sweep_notes,
    run_options,
    run_settings,
    wrong_kind,
)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("sweep", help="run every point of a sweep file")
    parser.add_argument("file", type=Path, metavar="FILE")
    run_options(parser)
    parser.add_argument("--out", type=folder_argument, metavar="DIR",
                        help="folder of the sweep (default: results/<sweep name>)")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.runs.sweep import load_sweep, run_sweep

    wrong_kind(args.file, "sweep")
    grid = load_sweep(args.file)
    out = args.out or default_folder(grid.name)
    print_sweep_notes(grid)
    index = run_sweep(grid, out, replicates=args.replicates, seed=args.seed,
                      workers=args.workers, **run_settings(args))
    if not args.quiet:
        print(index.to_string(index=False))
        print(f"\n{len(index)} points in {out}/ (index: {out / 'index.csv'})")
    return 1 if (index["failures"] > 0).any() else 0


