"""What the commands share: argument types, run options, notes on stderr, output names. Every
output a command writes is claimed first by the one folder guard (`sim.runs.folder.claim`).

Kept light at import (argparse and pathlib only): `sim --help` and `sim validate` load every
command module, so library modules are imported inside the functions that use them.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

PACKAGE = Path(__file__).resolve().parents[1]  # sim/: notes raised from here are ours


def folder_argument(text: str) -> Path:
    """An output folder named on a command line (argparse `type=`): an empty name would be the
    current folder, so it is refused (`.` names the current folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a folder name, got an empty one (write . for "
                                         "the current folder)")
    return Path(text)


def harm_file(text: str):
    """A --harm value: a weights file, or the name of a shipped set (default, drug_harm_first,
    persons_first), read and checked before anything runs (`sim.analysis.harm`)."""
    from sim.analysis.harm import HarmWeightsError, load_harm_weights

    try:
        return load_harm_weights(text)
    except HarmWeightsError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


HARM_HELP = ("harm weights: a YAML file (as sim/data/harm/default.yaml) or a shipped set's "
             "name (default, drug_harm_first, persons_first); default: the shipped default")


def cluster_spec(spec: str) -> str:
    """A --cluster value: local:N or a scheduler address."""
    from sim.runs.executor import parse_cluster

    try:
        parse_cluster(spec)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix(f"--cluster {spec}: ")) from None
    return spec


def at_least(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a number ≥ {minimum}, got {value}")
        return value
    return parse


def fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {value}")
    return value


def run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--replicates", type=at_least(1), metavar="N",
                        help="replicates to run (default: the scenario's run.replicates)")
    parser.add_argument("--seed", type=at_least(0), metavar="S",
                        help="root seed (default: the scenario's run.seed)")
    parser.add_argument("--workers", type=at_least(1), metavar="W",
                        help="local worker processes (default: all cores; 1 runs in-process)")
    parser.add_argument("--cluster", type=cluster_spec, metavar="SPEC",
                        help="run on Dask: local:N starts N local workers, tcp://HOST:PORT "
                             "uses a running scheduler")
    again = parser.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true",
                       help="finish an interrupted run in the same folder")
    again.add_argument("--force", action="store_true", help="replace existing results")
    parser.add_argument("--quiet", action="store_true", help="no progress bar, no report")
    parser.add_argument("--check-invariants", action="store_true",
                        help="check the model's invariants every hour (slower)")


def scenario_notes(scenario: Scenario) -> list[str]:
    """What the model will do that the file does not make plain: the calendar, shares a country
    cannot use, crossings closed or unchecked."""
    from sim.geography import load_route_graph
    from sim.model.staffing import closed_crossing_notes
    from sim.scenario.allocation import allocation_notes, calendar_notes

    graph = load_route_graph()
    return (calendar_notes(scenario) + allocation_notes(scenario, graph)
            + closed_crossing_notes(scenario, graph))


def print_sweep_notes(sweep) -> None:
    """Each note once, with the grid points it holds for."""
    points: dict[str, list[str]] = {}
    for point in sweep.points:
        for note in scenario_notes(point.scenario):
            points.setdefault(note, []).append(point.name)
    from sim.scenario.reading import printable

    for note, names in points.items():
        where = ("every point" if len(names) == len(sweep.points)
                 else ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4
                                              else ""))
        print(printable(f"sim sweep: note ({where}): {note}"), file=sys.stderr)


def print_notes(scenario: Scenario, command: str) -> None:
    """What the model will do differently from what the file says, on stderr."""
    from sim.scenario.reading import printable

    for note in scenario_notes(scenario):
        print(printable(f"sim {command}: note: {note}"), file=sys.stderr)


def run_settings(args: argparse.Namespace) -> dict:
    return {"resume": args.resume, "force": args.force, "progress": not args.quiet,
            "check_invariants": args.check_invariants, "command": args.command_line,
            "cluster": args.cluster}


def default_folder(name: str) -> Path:
    """`results/<name>`, refusing a name that would lead out of `results/`."""
    from sim.scenario.files import Problem, ScenarioError

    if name.strip(".") == "":
        raise ScenarioError([Problem("command line", None, ("name",), f"'{name}' cannot name "
                                     "a results folder; rename the scenario or give --out")])
    return Path("results") / name


def wrong_kind(path: Path, command: str) -> None:
    """A sweep file given to `sim run`, or a scenario to `sim sweep`: say which command fits."""
    from sim.scenario.files import Problem, ScenarioError, is_sweep_file

    sweep = is_sweep_file(path)
    if sweep == (command == "run"):
        kind, other = ("a sweep file (it has base: or grid:)", "sweep") if sweep else (
            "a scenario file (it has no base: or grid:)", "run")
        raise ScenarioError([Problem(str(path), None, (), f"is {kind}; run it with "
                                     f"`sim {other} {shlex.quote(str(path))}`")])


def print_comparison_notes(notes: list[warnings.WarningMessage],
                           command: str = "compare") -> None:
    """What a reader of the table must know (pairing, model versions, incomplete runs, folders
    without a checksum), as notes, each once; another library's warning as Python would show
    it."""
    from sim.scenario.reading import printable

    said = set()
    for note in notes:
        if (Path(note.filename).resolve().is_relative_to(PACKAGE)
                or note.category.__name__ == "FolderNote"):
            if str(note.message) not in said:
                print(f"sim {command}: note: {printable(note.message)}", file=sys.stderr)
            said.add(str(note.message))
        else:
            warnings.showwarning(note.message, note.category, note.filename, note.lineno)


def distinct(others: list[Path]) -> list[Path]:
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


def workbook_name(path: Path) -> Path:
    """A workbook is an .xlsx file (whether it may be written is the folder guard's call)."""
    from sim.runs.results import ResultsFolderError

    if path.suffix.lower() != ".xlsx":
        raise ResultsFolderError(f"{path}: a workbook's name ends in .xlsx (e.g. "
                                 f"{path.with_suffix('.xlsx').name})")
    return path


def port_number(text: str) -> int:
    """A TCP port to listen on: 0 (a free one) to 65535."""
    value = at_least(0)(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {value}")
    return value


def finished(folder: Path) -> None:
    from sim.runs.results import ResultsFolderError

    missing = [name for name in ("summary.csv", "manifest.json") if not (folder / name).exists()]
    if missing:
        raise ResultsFolderError(f"{folder} is not a finished results folder (no "
                                 f"{' or '.join(missing)}); run the scenario first, or finish "
                                 "an interrupted run with --resume")




def ensemble_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    """`--ensemble N` and `--ensemble-file FILE` of a command that runs variants over members."""
    parser.add_argument("--ensemble", type=at_least(1), metavar="N", help=(
        f"{what} over the first N members of scenarios/ensemble.csv (sim ensemble) × the "
        "replicates: intervals over what the data leave open, with the robustness and the "
        "deciding assumption"))
    parser.add_argument("--ensemble-file", type=Path, metavar="FILE",
                        help="the ensemble (default: the project's scenarios/ensemble.csv)")
