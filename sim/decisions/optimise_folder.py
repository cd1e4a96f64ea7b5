"""The output folder of `sim optimise`: the files a search writes there, how a folder is
recognised as a search's, and what `--resume` and `--force` may do to it.

A folder is a search's when its `optimise.json` or its log's first line says so. Nothing is
written into a folder that is not (unless it is empty), and `--force` removes only the files a
search writes, after the config has been checked: the user's own files are never touched.
"""

from __future__ import annotations

import json
from pathlib import Path

from sim.decisions.optimise import LOG, Optimisation, parse_log
from sim.runs.layout import ResultsFolderError

FILES = (LOG, "trials.csv", "pareto.csv", "out_of_sample.csv", "pareto.png", "report.md",
         "optimise.json")
ALLOCATIONS = "allocations"
ALLOCATION_MARK = "# Allocation found by `"  # the second line of every allocation file


def prepare(out: Path, problem: Optimisation, *, resume: bool, force: bool) -> list[str]:
    """Check that the search may write into `out` (call it once the config is checked);
    with `force`, remove the earlier search's files. Returns notes for the user."""
    if not out.is_dir() or not any(out.iterdir()):
        return []
    if not is_search_folder(out):
        raise ResultsFolderError(
            f"{out} holds files sim optimise did not write ({_names(sorted(out.iterdir()))}); "
            "give --out a new or empty folder")
    if not (resume or force):
        raise ResultsFolderError(f"{out} already holds a search; --resume goes on with it, "
                                 "--force replaces it")
    notes = []
    if resume:
        note = parse_log(out / LOG, problem)[1]
        notes += [note] if note else []
    else:
        for path in own_files(out):
            path.unlink()
    kept = foreign_files(out)
    if kept:
        notes.append(f"{out} also holds files sim optimise did not write; they are kept "
                     f"({_names(kept)})")
    return notes


def is_search_folder(out: Path) -> bool:
    """A folder a search wrote: its optimise.json or the header of its log says so."""
    summary = _json_or_none(out / "optimise.json", whole=True)
    header = _json_or_none(out / LOG, whole=False)
    return (isinstance(summary, dict) and "config_digest" in summary) or (
        isinstance(header, dict) and "config" in header)


def own_files(out: Path) -> list[Path]:
    """The files of `out` that a search wrote: its tables, log and figure, and the allocation
    files it marked as its own."""
    return [out / name for name in FILES if (out / name).is_file()] + own_allocations(out)


def own_allocations(out: Path) -> list[Path]:
    folder = out / ALLOCATIONS
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.glob("*.yaml") if path.is_file()
                  and _second_line(path).startswith(ALLOCATION_MARK))


def foreign_files(out: Path) -> list[Path]:
    """What a search's folder holds that the search did not write."""
    own = set(own_files(out))
    found = [path for path in out.iterdir() if path.name != ALLOCATIONS and path not in own]
    if (out / ALLOCATIONS).is_dir():
        found += [path for path in (out / ALLOCATIONS).iterdir() if path not in own]
    elif (out / ALLOCATIONS).exists():
        found.append(out / ALLOCATIONS)
    return sorted(found)


def _names(paths: list[Path], most: int = 5) -> str:
    names = [path.name for path in paths[:most]]
    return ", ".join(names) + (f" and {len(paths) - most} more" if len(paths) > most else "")


def _json_or_none(path: Path, whole: bool) -> object:
    """The JSON value of a file (or of its first line), None when it holds none."""
    try:
        with path.open(encoding="utf-8") as file:
            return json.loads(file.read(1_000_000) if whole else file.readline(1_000_000))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None


def _second_line(path: Path) -> str:
    try:
        with path.open(encoding="utf-8") as file:
            file.readline(1000)
            return file.readline(1000)
    except (OSError, UnicodeDecodeError):
        return ""
