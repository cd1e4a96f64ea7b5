"""The `sim` command (also `python -m sim`): validate, run, sweep, compare, list, schema (and
calibrate, sensitivity, optimise, discover, marginal, dashboard, registered by their modules).

Exit status: 0 done; 1 a run finished incomplete (a replicate failed: see failures.json);
2 bad input or a results folder that must not be written (nothing is written then);
130 interrupted (finished replicates are kept: `--resume` finishes the run).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import shlex
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from rich.console import Console

from sim.analysis import (
    calibration,
    centre_value,
    discover,
    ensemble,
    marginal,
    optimise,
    sensitivity,
)
from sim.analysis.compare import ComparisonError, compare_results
from sim.runs import runner
from sim.runs.folder import folder_argument
from sim.runs.results import ResultsFolderError
from sim.runs.statistics import INTERVAL
from sim.runs.sweep import is_sweep_file, load_sweep, run_sweep
from sim.scenario.files import KEYED_LISTS, Problem, ScenarioError, load_scenario
from sim.scenario.schema import Scenario
from sim.terminal import (
    filter_list,
    print_comparison,
    print_list,
    print_params,
    print_report,
)

# Errors of the user's files and folders (permission, read-only, disk full, wrong kind of path):
# one message and exit 2. Any other OSError is the program's and keeps its traceback.
USER_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT,
                         errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG, errno.ENOENT,
                         errno.EEXIST, errno.ELOOP})
LISTS = ("crossings", "places", "countries", "scenarios")
SCENARIOS_FOLDER = Path(__file__).resolve().parent.parent / "scenarios"


def schema_text() -> str:
    """The JSON Schema of scenario files (for editors: `# yaml-language-server: $schema=...`)."""
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              **Scenario.model_json_schema()}
    for path in KEYED_LISTS:  # a variant may write {change: [...], remove: [...]} instead
        owner = schema
        for part in path[:-1]:
            owner = schema["$defs"][owner["properties"][part]["$ref"].split("/")[-1]]
        listed = owner["properties"][path[-1]]
        patch = {"type": "object", "additionalProperties": False,
                 "description": "Change, add (change) or remove single entries of the base "
                                f"list, matched by {' and '.join(KEYED_LISTS[path])}.",
                 "properties": {"change": {"type": "array", "items": {"type": "object"}},
                                "remove": {"type": "array", "items": {"type": "object"}}}}
        owner["properties"][path[-1]] = {
            "anyOf": [{k: v for k, v in listed.items() if k not in ("title", "description")},
                      patch], **{k: v for k, v in listed.items() if k in ("title", "description")}}
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _cluster(spec: str) -> str:
    try:
        runner.parse_cluster(spec)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix(f"--cluster {spec}: ")) from None
    return spec


def _at_least(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a number ≥ {minimum}, got {value}")
        return value
    return parse


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {value}")
    return value


def _run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--replicates", type=_at_least(1), metavar="N",
                        help="replicates to run (default: the scenario's run.replicates)")
    parser.add_argument("--seed", type=_at_least(0), metavar="S",
                        help="root seed (default: the scenario's run.seed)")
    parser.add_argument("--workers", type=_at_least(1), metavar="W",
                        help="local worker processes (default: all cores; 1 runs in-process)")
    parser.add_argument("--cluster", type=_cluster, metavar="SPEC",
                        help="run on Dask: local:N starts N local workers, tcp://HOST:PORT "
                             "uses a running scheduler")
    again = parser.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true",
                       help="finish an interrupted run in the same folder")
    again.add_argument("--force", action="store_true", help="replace existing results")
    parser.add_argument("--quiet", action="store_true", help="no progress bar, no report")
    parser.add_argument("--check-invariants", action="store_true",
                        help="check the model's invariants every hour (slower)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sim", description="Simulate the EMPACT Joint Action "
                                     "Days South East Europe 2023 and variants of it.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check scenario or sweep files")
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE")
    validate.set_defaults(handler=_validate)

    run = commands.add_parser("run", help="run a scenario's replicates into a results folder")
    run.add_argument("file", type=Path, metavar="FILE")
    _run_options(run)
    run.add_argument("--out", type=folder_argument, metavar="DIR",
                     help="results folder (default: results/<scenario name>)")
    run.add_argument("--replicate", type=_at_least(0), action="append", metavar="K",
                     help="run only replicate K, with its seed from the full run (repeatable)")
    run.add_argument("--posterior", type=_at_least(1), metavar="N",
                     help="run the first N posterior draws × the replicates (a `draw` column; "
                          "docs/calibration.md)")
    run.add_argument("--posterior-file", type=Path, metavar="FILE",
                     help="the posterior ensemble (default: scenarios/posterior.csv)")
    run.set_defaults(handler=_run)

    sweep = commands.add_parser("sweep", help="run every point of a sweep file")
    sweep.add_argument("file", type=Path, metavar="FILE")
    _run_options(sweep)
    sweep.add_argument("--out", type=folder_argument, metavar="DIR",
                       help="folder of the sweep (default: results/<sweep name>)")
    sweep.set_defaults(handler=_sweep)

    compare = commands.add_parser("compare", help="compare results folders with a base")
    compare.add_argument("base", type=Path, metavar="BASE_DIR",
                         help="a results folder, or a sweep folder (alone: every point against "
                              "its first, or --reference)")
    compare.add_argument("others", type=Path, nargs="*", metavar="OTHER_DIR")
    compare.add_argument("--reference", metavar="POINT",
                         help="in a sweep folder, the point the others are compared with")
    compare.add_argument("--out", type=folder_argument, metavar="DIR",
                         help="write comparison.csv and the figures (PNG and SVG) here")
    compare.add_argument("--method", choices=("auto", "t", "bootstrap"), default="auto",
                         help="interval of the difference: t, bootstrap, or auto (default: t "
                              "when replicates share seeds, bootstrap otherwise)")
    compare.add_argument("--level", type=_fraction, default=INTERVAL, metavar="L",
                         help=f"confidence level of the intervals (default {INTERVAL})")
    compare.add_argument("--no-figures", action="store_true", help="write only comparison.csv")
    compare.add_argument("--xlsx", type=Path, metavar="FILE",
                         help="also write a workbook: summaries, the comparison with its "
                              "intervals, means per place and day, replicates")
    compare.add_argument("--force", action="store_true",
                         help="replace an existing comparison table in --out, or workbook "
                              "(--xlsx)")
    compare.set_defaults(handler=_compare)

    listing = commands.add_parser("list", help="names a scenario can use")
    listing.add_argument("what", choices=LISTS)
    listing.add_argument("--country", metavar="XX", help="only places or crossings of a "
                         "country (ISO code; a crossing belongs to both its countries)")
    listing.add_argument("--border", metavar="XX-YY", help="only crossings on one border")
    listing.add_argument("--kind", metavar="KIND", help="only places of a kind (hub, crossing, "
                         "port, ...) or crossings of a border status (eu_external, ...)")
    listing.add_argument("--csv", action="store_true", help="every column, as CSV")
    listing.set_defaults(handler=_list)

    params = commands.add_parser("params", help="every value a scenario or an override can "
                                 "set: type, default, range, unit, source")
    params.add_argument("prefix", nargs="?", default="", metavar="PREFIX",
                        help="only paths starting with this (e.g. parameters.detection)")
    params.add_argument("--json", action="store_true", help="as JSON, with descriptions")
    params.set_defaults(handler=_params)

    export = commands.add_parser("export", help="write results folders as a spreadsheet")
    export.add_argument("folders", type=Path, nargs="+", metavar="RESULTS_DIR")
    export.add_argument("--xlsx", type=Path, required=True, metavar="FILE",
                        help="the workbook to write (.xlsx)")
    export.add_argument("--base", type=Path, metavar="BASE_DIR",
                        help="also compare every folder with this one (sheet 'comparison')")
    export.add_argument("--force", action="store_true", help="replace an existing workbook")
    export.set_defaults(handler=_export)

    schema = commands.add_parser("schema", help="write the JSON Schema of scenario files")
    schema.add_argument("--out", type=Path, metavar="FILE", help="default: print it")
    schema.set_defaults(handler=_schema)

    calibration.register(commands)  # sim calibrate (sim/analysis/calibration.py)
    ensemble.register(commands)  # sim posterior (sim/analysis/ensemble.py)
    sensitivity.register(commands)  # sim sensitivity (sim/analysis/sensitivity.py)
    optimise.register(commands)  # sim optimise (sim/analysis/optimise.py)
    discover.register(commands)  # sim discover (sim/analysis/discover.py)
    marginal.register(commands)  # sim marginal (sim/analysis/marginal.py)
    centre_value.register(commands)  # sim decompose (sim/analysis/centre_value.py)
    _register_dashboard(commands)
    return parser


def _register_dashboard(commands) -> None:
    """`sim dashboard`: its options and handler live with it in sim/dashboard/server.py."""
    from sim.dashboard import server as dashboard

    dashboard.register(commands)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.command_line = shlex.join(["sim", *argv])
    rich_on_broken_pipe = Console.on_broken_pipe  # rich would exit 1 without a word
    Console.on_broken_pipe = _raise_broken_pipe
    try:
        return args.handler(args)
    except (ScenarioError, ResultsFolderError, ComparisonError,
            runner.ClusterUnreachableError) as error:
        print(f"sim {args.command}: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return _closed_output(args.command)
    except OSError as error:
        if error.errno not in USER_ERRNOS or _ours(error.filename):
            raise  # not something the user's input or folders caused: keep the traceback
        where = f"{error.filename}: " if error.filename else ""
        print(f"sim {args.command}: {where}{error.strerror or error}; check the path and its "
              "permissions", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sim: interrupted; finished replicates are kept, --resume finishes the run",
              file=sys.stderr)
        return 130
    finally:
        Console.on_broken_pipe = rich_on_broken_pipe


def _raise_broken_pipe(console: Console) -> None:
    if not console.quiet:
        raise BrokenPipeError("output closed")


def _ours(filename: object) -> bool:
    """A path inside the installed package (its data, its code): an error there is a bug or a
    broken installation, not the user's."""
    if not isinstance(filename, str | bytes | os.PathLike):
        return False
    package = Path(__file__).resolve().parent
    return Path(os.fsdecode(filename)).resolve().is_relative_to(package)


def _closed_output(command: str) -> int:
    """The reader of our output went away (`sim list places | head`): stop quietly, exit 2."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's final flush must not fail
    with contextlib.suppress(OSError):
        print(f"sim {command}: output closed before it was all written (broken pipe)",
              file=sys.stderr)
    return 2


# --- commands --------------------------------------------------------------------------------

def _validate(args: argparse.Namespace) -> int:
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
                _print_notes(scenario, "validate")
        except ScenarioError as error:
            failed += 1
            print(error, file=sys.stderr)
    return 2 if failed else 0


def scenario_notes(scenario: Scenario) -> list[str]:
    """What the model will do that the file does not make plain: the calendar, shares a country
    cannot use, crossings closed or unchecked."""
    from sim.geography import load_route_graph
    from sim.model.staffing import closed_crossing_notes
    from sim.scenario.allocation import allocation_notes, calendar_notes

    graph = load_route_graph()
    return (calendar_notes(scenario) + allocation_notes(scenario, graph)
            + closed_crossing_notes(scenario, graph))


def _print_sweep_notes(sweep) -> None:
    """Each note once, with the grid points it holds for."""
    points: dict[str, list[str]] = {}
    for point in sweep.points:
        for note in scenario_notes(point.scenario):
            points.setdefault(note, []).append(point.name)
    for note, names in points.items():
        where = ("every point" if len(names) == len(sweep.points)
                 else ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4
                                              else ""))
        print(f"sim sweep: note ({where}): {note}", file=sys.stderr)


def _print_notes(scenario: Scenario, command: str) -> None:
    """What the model will do differently from what the file says, on stderr."""
    for note in scenario_notes(scenario):
        print(f"sim {command}: note: {note}", file=sys.stderr)


def _run_settings(args: argparse.Namespace) -> dict:
    return {"resume": args.resume, "force": args.force, "progress": not args.quiet,
            "check_invariants": args.check_invariants, "command": args.command_line,
            "cluster": args.cluster}


def default_folder(name: str) -> Path:
    """`results/<name>`, refusing a name that would lead out of `results/`."""
    if name.strip(".") == "":
        raise ScenarioError([Problem("command line", None, ("name",), f"'{name}' cannot name "
                                     "a results folder; rename the scenario or give --out")])
    return Path("results") / name


def _wrong_kind(path: Path, command: str) -> None:
    """A sweep file given to `sim run`, or a scenario to `sim sweep`: say which command fits."""
    sweep = is_sweep_file(path)
    if sweep == (command == "run"):
        kind, other = ("a sweep file (it has base: or grid:)", "sweep") if sweep else (
            "a scenario file (it has no base: or grid:)", "run")
        raise ScenarioError([Problem(str(path), None, (), f"is {kind}; run it with "
                                     f"`sim {other} {shlex.quote(str(path))}`")])


def _run(args: argparse.Namespace) -> int:
    _wrong_kind(args.file, "run")
    scenario = runner.resolve_scenario(args.file, replicates=args.replicates, seed=args.seed,
                                       workers=args.workers)
    out = args.out or default_folder(scenario.name)
    _print_notes(scenario, "run")
    with warnings.catch_warnings():  # each failure is reported on stderr as it happens
        warnings.simplefilter("ignore", runner.ReplicateFailureWarning)
        try:
            results = runner.run(scenario, out=out, replicate=args.replicate,
                                 source=args.file, posterior=args.posterior,
                                 posterior_file=args.posterior_file, **_run_settings(args))
        except runner.ReplicatesFailedError as error:
            results = error.results
    if not args.quiet:
        print_report(results)
    for note in queue_notes(results, scenario):
        print(f"sim run: note: {note}", file=sys.stderr)
    return 1 if results.failures else 0


def queue_notes(results: runner.Results, scenario: Scenario) -> list[str]:
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


def _sweep(args: argparse.Namespace) -> int:
    _wrong_kind(args.file, "sweep")
    sweep = load_sweep(args.file)
    out = args.out or default_folder(sweep.name)
    _print_sweep_notes(sweep)
    index = run_sweep(sweep, out, replicates=args.replicates, seed=args.seed,
                      workers=args.workers, **_run_settings(args))
    if not args.quiet:
        print(index.to_string(index=False))
        print(f"\n{len(index)} points in {out}/ (index: {out / 'index.csv'})")
    return 1 if (index["failures"] > 0).any() else 0


def _compare(args: argparse.Namespace) -> int:
    from sim.analysis.sweep_figures import is_sweep_folder

    if is_sweep_folder(args.base):
        return _compare_sweep(args)
    if not args.others:
        raise ResultsFolderError(f"{args.base} is a results folder: name the folders to "
                                 "compare with it (or give a sweep folder alone)")
    for folder in (args.base, *args.others):
        _finished(folder)
    args.others = _distinct(args.others)
    if args.xlsx:
        _check_workbook(args.xlsx, args.force)
    if args.out:
        _check_comparison_out(args.out, "comparison.csv", args.force)
    with warnings.catch_warnings(record=True) as notes:
        warnings.simplefilter("always")
        table = compare_results(args.base, args.others, args.out, method=args.method,
                                level=args.level)
    _print_comparison_notes(notes)
    console = Console()
    print_comparison(table, console)
    if args.out:
        written = [args.out / "comparison.csv"]
        if not args.no_figures:
            from sim.analysis.figures import comparison_figures, save_figures

            with warnings.catch_warnings():  # the notes above were said once already
                warnings.simplefilter("ignore", UserWarning)
                figures = comparison_figures(args.base, args.others, table)
            written += save_figures(figures, args.out)
        console.print("written: " + ", ".join(str(path) for path in written), highlight=False)
    if args.xlsx:
        from sim.analysis.workbook import write_workbook

        with warnings.catch_warnings():  # the notes above were said once already
            warnings.simplefilter("ignore", UserWarning)
            write_workbook(args.xlsx, args.others, base=args.base, level=args.level,
                           method=args.method)
        console.print(f"written: {args.xlsx}", highlight=False)
    return 0


def _compare_sweep(args: argparse.Namespace) -> int:
    """`sim compare SWEEP_DIR`: every point against the reference point, and the response
    curve (sweep_comparison.csv and response.png/svg with --out)."""
    from sim.analysis.sweep_figures import response_curve, sweep_comparison

    if args.others:
        raise ResultsFolderError(f"{args.base} is a sweep folder: compare it alone (its points "
                                 "are compared with one another)")
    if args.out:
        _check_comparison_out(args.out, "sweep_comparison.csv", args.force)
    with warnings.catch_warnings(record=True) as notes:
        warnings.simplefilter("always")
        table = sweep_comparison(args.base, reference=args.reference, method=args.method,
                                 level=args.level)
    _print_comparison_notes(notes)
    console = Console()
    print_comparison(table, console)
    if args.out:
        written = [args.out / "sweep_comparison.csv"]
        args.out.mkdir(parents=True, exist_ok=True)
        table.to_csv(written[0], index=False, lineterminator="\n")
        if not args.no_figures:
            from sim.analysis.figures import save_figures

            written += save_figures({"response": response_curve(table)}, args.out)
        console.print("written: " + ", ".join(str(path) for path in written), highlight=False)
    return 0


def _list(args: argparse.Namespace) -> int:
    if args.what == "scenarios":
        table = scenario_files_table(SCENARIOS_FOLDER)
    else:
        from sim.geography import load_route_graph

        table = getattr(load_route_graph(), args.what)
    try:
        table = filter_list(table, args.what, country=args.country, border=args.border,
                            kind=args.kind)
    except ValueError as error:
        print(f"sim list: {error}", file=sys.stderr)
        return 2
    if args.csv:
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        print_list(table, args.what)
    return 0


def scenario_files_table(folder: Path) -> pd.DataFrame:
    """Shipped scenario and sweep files with the question each answers (its first comment)."""
    rows = []
    for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("sweeps/*.yaml")):
        comments = [line.lstrip("# ").rstrip() for line in path.read_text().splitlines()
                    if line.startswith("#") and "yaml-language-server" not in line]
        question = next((c for c in comments if c), "")
        rows.append({"file": str(path.relative_to(folder)), "question": question})
    return pd.DataFrame(rows, columns=["file", "question"])


def _params(args: argparse.Namespace) -> int:
    from sim.scenario.paths import settable_paths

    paths = [p for p in settable_paths() if p.path.startswith(args.prefix)]
    if not paths:
        print(f"sim params: no settable path starts with '{args.prefix}'", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([p.as_dict() for p in paths], indent=2, ensure_ascii=False,
                         default=lambda v: None))
    else:
        print_params(paths)
    return 0


def _export(args: argparse.Namespace) -> int:
    from sim.analysis.workbook import write_workbook

    for folder in (*args.folders, *([args.base] if args.base else [])):
        _finished(folder)
    _check_workbook(args.xlsx, args.force)
    written = write_workbook(args.xlsx, args.folders, base=args.base)
    print(f"written: {written}")
    return 0


def _print_comparison_notes(notes: list[warnings.WarningMessage]) -> None:
    """What a reader of the table must know (pairing, model versions, incomplete runs), as
    notes; another library's warning as Python would show it."""
    package = Path(__file__).resolve().parent
    for note in notes:
        if Path(note.filename).resolve().is_relative_to(package):
            print(f"sim compare: note: {note.message}", file=sys.stderr)
        else:
            warnings.showwarning(note.message, note.category, note.filename, note.lineno)


def _distinct(others: list[Path]) -> list[Path]:
    """The folders to compare with the base, each once (one named twice is compared once,
    with a note)."""
    seen, kept = set(), []
    for folder in others:
        if folder.resolve() in seen:
            print(f"sim compare: note: {folder} is named twice: compared once", file=sys.stderr)
            continue
        seen.add(folder.resolve())
        kept.append(folder)
    return kept


def _check_comparison_out(out: Path, table: str, force: bool) -> None:
    """A comparison is written beside results, never into a results folder (a later `sim run
    --force` there would refuse the foreign file); an earlier table is replaced only with
    --force."""
    if out.exists() and not out.is_dir():
        raise ResultsFolderError(f"{out} is a file; --out names the folder to write into")
    if (out / "manifest.json").is_file() or (out / "index.csv").is_file():
        kind = "results" if (out / "manifest.json").is_file() else "sweep"
        raise ResultsFolderError(f"{out} is a {kind} folder; write the comparison into another "
                                 f"folder (e.g. {out.parent / 'comparisons'})")
    if (out / table).exists() and not force:
        raise ResultsFolderError(f"{out / table} already exists; --force replaces it (and the "
                                 "figures beside it)")


def _check_workbook(path: Path, force: bool) -> None:
    """A workbook is an .xlsx file; one that exists is replaced only with --force."""
    if path.suffix.lower() != ".xlsx":
        raise ResultsFolderError(f"{path}: a workbook's name ends in .xlsx (e.g. "
                                 f"{path.with_suffix('.xlsx').name})")
    if path.is_dir():
        raise ResultsFolderError(f"{path} is a folder; name the workbook file to write")
    if path.exists() and not force:
        raise ResultsFolderError(f"{path} already exists; --force replaces it")


def _finished(folder: Path) -> None:
    missing = [name for name in ("summary.csv", "manifest.json") if not (folder / name).is_file()]
    if missing:
        raise ResultsFolderError(f"{folder} is not a finished results folder (no "
                                 f"{' or '.join(missing)}); run the scenario first, or finish "
                                 "an interrupted run with --resume")


def _schema(args: argparse.Namespace) -> int:
    if args.out:
        args.out.write_text(schema_text(), encoding="utf-8")
    else:
        sys.stdout.write(schema_text())
    return 0
