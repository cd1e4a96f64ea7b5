"""`sim export FOLDER... --xlsx FILE`: results folders as a spreadsheet."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.commands.common import (
    HARM_HELP,
    finished,
    harm_file,
    print_comparison_notes,
    workbook_name,
)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("export", help="write results folders as a spreadsheet")
    parser.add_argument("folders", type=Path, nargs="+", metavar="RESULTS_DIR")
    parser.add_argument("--xlsx", type=Path, required=True, metavar="FILE",
                        help="the workbook to write (.xlsx)")
    parser.add_argument("--base", type=Path, metavar="BASE_DIR",
                        help="also compare every folder with this one (sheets 'comparison' "
                        "and 'waits by crossing': differences with intervals)")
    parser.add_argument("--harm", type=harm_file, metavar="FILE", help=HARM_HELP + " (sheet "
                        "'by crime area' and the harm rows)")
    parser.add_argument("--force", action="store_true", help="replace an existing workbook")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    import warnings

    from sim.analysis.workbook import write_workbook
    from sim.runs.folder import FILE, claim

    for folder in (*args.folders, *([args.base] if args.base else [])):
        finished(folder)
    with (claim(workbook_name(args.xlsx), FILE, args.force),
          warnings.catch_warnings(record=True) as notes):  # said once, and in the about sheet
        warnings.simplefilter("always")
        written = write_workbook(args.xlsx, args.folders, base=args.base, harm=args.harm)
    print_comparison_notes(notes, "export")
    print(f"written: {written}")
    return 0
