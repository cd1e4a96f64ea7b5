"""`sim compare BASE OTHER...`: paired differences with intervals, figures, workbook; a
sweep folder alone: every point against its reference and the response curve."""

from __future__ import annotations

import argparse
import contextlib
import warnings
from pathlib import Path

from sim.commands.common import (
    HARM_HELP,
    at_least,
    distinct,
    finished,
    folder_argument,
    fraction,
    harm_file,
    print_comparison_notes,
    workbook_name,
)

CROSSING_WAITS = "crossing_waits.csv"  # with --out: the wait at every crossing, side and class
SWEEP_TABLE = "sweep_comparison.csv"


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("compare", help="compare results folders with a base")
    parser.add_argument("base", type=Path, metavar="BASE_DIR",
                        help="a results folder, or a sweep folder (alone: every point against "
                             "its first, or --reference)")
    parser.add_argument("others", type=Path, nargs="*", metavar="OTHER_DIR")
    parser.add_argument("--reference", metavar="POINT",
                        help="in a sweep folder, the point the others are compared with")
    parser.add_argument("--out", type=folder_argument, metavar="DIR",
                        help="write comparison.csv, crossing_waits.csv (the wait at every "
                             "crossing, side and vehicle class) and the figures (PNG and SVG) "
                             "here")
    parser.add_argument("--method", choices=("auto", "t", "bootstrap"), default="auto",
                        help="interval of the difference: t, bootstrap, or auto (default: t "
                             "when replicates share seeds, bootstrap otherwise)")
    parser.add_argument("--level", type=fraction, metavar="L",
                        help="confidence level of the intervals (default 0.9, the project's "
                             "interval: sim.runs.statistics.INTERVAL)")
    parser.add_argument("--ensemble", type=at_least(1), metavar="N",
                        help="compare over the first N members (or posterior draws) of runs "
                             "made with sim run --ensemble (or --posterior): robustness, the "
                             "deciding assumption and its EVPPI rest on those N")
    parser.add_argument("--harm", type=harm_file, metavar="FILE", help=HARM_HELP + " (the "
                        "harm index's rows change, nothing else)")
    parser.add_argument("--full", action="store_true",
                        help="every outcome in the terminal (default: the headline outcomes "
                             "and a one-line finding)")
    parser.add_argument("--no-figures", action="store_true",
                        help="write only comparison.csv and crossing_waits.csv")
    parser.add_argument("--xlsx", type=Path, metavar="FILE",
                        help="also write a workbook: summaries, the comparison with its "
                             "intervals, waits per crossing, means per place and day, "
                             "replicates")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing comparison table in --out, or workbook "
                             "(--xlsx)")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.analysis.compare import COMPARISON, DECIDING_FILE
    from sim.analysis.sweep_figures import is_sweep_folder
    from sim.runs.folder import FILE, claim
    from sim.runs.results import ResultsFolderError
    from sim.runs.statistics import INTERVAL

    if args.level is None:
        args.level = INTERVAL
    if is_sweep_folder(args.base):
        return compare_sweep(args)
    if not args.others:
        raise ResultsFolderError(f"{args.base} is a results folder: name the folders to "
                                 "compare with it (or give a sweep folder alone)")
    for folder in (args.base, *args.others):
        finished(folder)
    args.others = distinct(args.others)
    with contextlib.ExitStack() as held:  # the outputs, held until written
        if args.xlsx:
            held.enter_context(claim(workbook_name(args.xlsx), FILE, args.force))
        if args.out:
            held.enter_context(claim(args.out, "comparison", args.force,
                                     files=(COMPARISON, CROSSING_WAITS, DECIDING_FILE),
                                     command=args.command_line))
        return _compare(args)


def _compare(args: argparse.Namespace) -> int:
    from rich.console import Console

    from sim.analysis.compare import COMPARISON, compare, first_members, write_deciding
    from sim.runs.results import load, write_csv
    from sim.terminal import print_comparison

    base, others = load(args.base), [load(folder) for folder in args.others]
    if args.ensemble:
        base, others = (first_members(base, args.ensemble),
                        [first_members(other, args.ensemble) for other in others])
    with warnings.catch_warnings(record=True) as notes:
        warnings.simplefilter("always")
        table = compare(base, others, method=args.method, level=args.level, harm=args.harm)
        waits = crossing_waits(base, others)
    print_comparison_notes(notes)
    console = Console()
    print_comparison(shown(table), console, full=args.full, waits=waits[0])
    if args.out:
        write_csv(table, args.out / COMPARISON)
        write_csv(waits[1], args.out / CROSSING_WAITS)
        written = [args.out / COMPARISON, args.out / CROSSING_WAITS]
        deciding = write_deciding(table, args.out)
        written += [deciding] if deciding is not None else []
        if not args.no_figures:
            from sim.analysis.figures import comparison_figures, save_figures

            with warnings.catch_warnings():  # the notes above were said once already
                warnings.simplefilter("ignore", UserWarning)
                figures = comparison_figures(base, others, table)
            written += save_figures(figures, args.out)
        console.print("written: " + ", ".join(str(path) for path in written), highlight=False)
    if args.xlsx:
        from sim.analysis.workbook import write_workbook

        with warnings.catch_warnings():  # the notes above were said once already
            warnings.simplefilter("ignore", UserWarning)
            write_workbook(args.xlsx, others, base=base, level=args.level,
                           method=args.method, notes=[str(n.message) for n in notes],
                           harm=args.harm)
        console.print(f"written: {args.xlsx}", highlight=False)
    return 0


def crossing_waits(base, others) -> tuple[dict, object]:
    """The waits at the crossings each other run changes, for the terminal ({scenario: (rows,
    what they are)}), and the waits at every crossing, side and class of every run against the
    base, for crossing_waits.csv."""
    import pandas as pd

    from sim.analysis.waits import wait_differences, waits_to_show

    shown, every = {}, []
    for other in others:
        table = (wait_differences(base, other) if not base.crossing_waits.empty
                 and not other.crossing_waits.empty else None)
        shown[other.scenario_name] = waits_to_show(base, other, every=table)
        every += [table] if table is not None else []
    return shown, (pd.concat(every, ignore_index=True) if every else pd.DataFrame())


def shown(table):
    """The table with any text read from a file made safe for the terminal (names, labels)."""
    from sim.scenario.reading import printable

    text = [c for c in table.columns if table[c].dtype.kind not in "biufcmM"]
    return table.assign(**{c: table[c].map(lambda v: printable(v) if isinstance(v, str) else v)
                           for c in text})


def compare_sweep(args: argparse.Namespace) -> int:
    """`sim compare SWEEP_DIR`: every point against the reference point, and the response
    curve (sweep_comparison.csv and response.png/svg with --out)."""
    from rich.console import Console

    from sim.analysis.sweep_figures import response_curve, sweep_comparison
    from sim.runs.folder import claim
    from sim.runs.results import ResultsFolderError, write_csv
    from sim.terminal import print_comparison

    if args.others:
        raise ResultsFolderError(f"{args.base} is a sweep folder: compare it alone (its points "
                                 "are compared with one another)")
    with contextlib.ExitStack() as held:
        if args.out:
            held.enter_context(claim(args.out, "comparison", args.force, files=(SWEEP_TABLE,),
                                     command=args.command_line))
        with warnings.catch_warnings(record=True) as notes:
            warnings.simplefilter("always")
            table = sweep_comparison(args.base, reference=args.reference, method=args.method,
                                     level=args.level, harm=args.harm)
        print_comparison_notes(notes)
        console = Console()
        print_comparison(shown(table), console, full=args.full)
        if args.out:
            written = [args.out / SWEEP_TABLE]
            write_csv(table, written[0])
            if not args.no_figures:
                from sim.analysis.figures import save_figures

                written += save_figures({"response": response_curve(table)}, args.out)
            console.print("written: " + ", ".join(str(path) for path in written),
                          highlight=False)
    return 0
