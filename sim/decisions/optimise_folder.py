"""The output folder of `sim optimise`: the files a search writes there, how a folder is
recognised as a search's, and what `--resume` and `--force` may do to it (the rules the folder
guard, `sim.runs.folder.claim`, applies for the optimiser: `check`).

A folder is a search's when its `optimise.json` or its log's first line says so. Nothing is
written into a folder that is not (unless it is empty), and `--force` removes only the files a
search writes (`clear`), after the config has been checked: the user's own files are never
touched.
"""

from __future__ import annotations

import json
from pathlib import Path

from sim.decisions.optimise import LOG, MAX_LOG_BYTES, Optimisation, parse_log
from sim.runs.layout import ResultsFolderError
from sim.runs.lock import is_lock_entry
from sim.scenario.reading import InputError, open_regular

FILES = (LOG, "trials.csv", "pareto.csv", "out_of_sample.csv", "by_area.csv",
         "harm_ranking.csv", "out_of_sample_runs.csv", "pareto.png", "report.md",
         "optimise.json", "robust.csv", "overturn.csv", "replan.csv")
ALLOCATIONS = "allocations"
ALLOCATION_MARK = "# Allocation found by `"  # the second line of every allocation file


def check(out: Path, problem: Optimisation, *, resume: bool, force: bool) -> list[str]:
    """Whether the search may write into `out` (call it once the config is checked; touches
    nothing). Returns notes for the user, or raises ResultsFolderError."""
    if not out.is_dir() or not any(not is_lock_entry(p.name) for p in out.iterdir()):
        return []
    if not is_search_folder(out):
        raise ResultsFolderError(
            f"{out} holds files sim optimise did not write ({_names(sorted(out.iterdir()))}); "
            "give --out a new or empty folder")
    if not (resume or force):
        raise ResultsFolderError(f"{out} already holds a search; --resume goes on with it, "
                                 "--force replaces it")
    linked = [path.name for path in (out / ALLOCATIONS, *(out / name for name in FILES))
              if path.is_symlink()]
    if linked:
        raise ResultsFolderError(f"{out / linked[0]} is a symbolic link; a search writes only "
                                 "into its own folder, never through a link: remove the link, "
                                 "or write elsewhere with --out")
    notes = []
    if resume:
        note = parse_log(out / LOG, problem)[1]
        notes += [note] if note else []
    kept = foreign_files(out)
    if kept:
        notes.append(f"{out} also holds files sim optimise did not write; they are kept "
                     f"({_names(kept)})")
    return notes


def clear(out: Path) -> None:
    """Remove the earlier search's files (after `check` with `force`)."""
    for path in own_files(out):
        path.unlink()


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
    if not folder.is_dir() or folder.is_symlink():  # never another folder's files
        return []
    return sorted(path for path in folder.glob("*.yaml") if path.is_file()
                  and _second_line(path).startswith(ALLOCATION_MARK))


def foreign_files(out: Path) -> list[Path]:
    """What a search's folder holds that the search did not write."""
    own = set(own_files(out))
    found = [path for path in out.iterdir() if path.name != ALLOCATIONS and path not in own
             and not is_lock_entry(path.name)]
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
        with open_regular(path, MAX_LOG_BYTES, "a search's file") as file:
            text = file.read(1_000_000) if whole else file.readline(1_000_000)
        return json.loads(text.decode("utf-8"))
    except (OSError, InputError, UnicodeDecodeError, json.JSONDecodeError):
        return None


def _second_line(path: Path) -> str:
    try:
        with open_regular(path, MAX_LOG_BYTES, "an allocation file") as file:
            file.readline(1000)
            return file.readline(1000).decode("utf-8")
    except (OSError, InputError, UnicodeDecodeError):
        return ""
