"""A sweep's folder: a sweep writes `.jad-sim-sweep` (JSON: the sweep's name, its file, the
time) beside `index.csv`, and one point folder (a results folder, `sim.runs.run_folder`) per grid
point. A folder written before sweeps wrote markers is known by its `index.csv`. What `--resume`
and `--force` may do to one, checked by `sim.runs.folder.claim`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path
from typing import Any

import pandas as pd

from sim.runs import layout as store
from sim.runs.layout import ResultsFolderError
from sim.runs.lock import is_lock_entry
from sim.runs.run_folder import (
    TEMPORARY,
    clear,
    describe_names,
    foreign_entries,
    is_new,
    read_marker,
)
from sim.scenario.reading import InputError

SWEEP_MARKER = ".jad-sim-sweep"
SWEEP_MARKER_KIND = "jad-sim sweep folder"
SWEEP_INDEX = "index.csv"


def read_sweep_index(directory: Path) -> pd.DataFrame:
    """A sweep folder's `index.csv`: a row per point with its folder and grid labels. Labels are
    read as written: `None`, `NA` or `null` stay text rather than becoming missing values."""
    path = directory / SWEEP_INDEX
    try:
        with store.open_checked(path, expected="a sweep's index (CSV)") as file:
            index = pd.read_csv(file, dtype={"point": str, "scenario": str, "folder": str},
                                keep_default_na=False)
    except InputError as error:
        raise ResultsFolderError(f"{path}: {error.message}") from None
    except (ValueError, UnicodeDecodeError) as error:  # pandas' parser errors are ValueErrors
        raise ResultsFolderError(f"{path} cannot be read as a sweep's index ({error}); was it "
                                 "edited? Restore it, or run the sweep again into a new folder "
                                 "with --out") from None
    missing = [column for column in ("point", "folder") if column not in index.columns]
    if missing:
        raise ResultsFolderError(f"{path} has no '{missing[0]}' column, so it is not the index "
                                 "a sweep writes (point, scenario, folder, the grid labels, "
                                 "status, replicates_done, failures); was it edited? Restore "
                                 "it, or run the sweep again into a new folder with --out")
    return index


def new_sweep_marker(name: str, source: str | None) -> dict[str, Any]:
    return {"kind": SWEEP_MARKER_KIND, "sweep_name": name, "source": source,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}


def read_sweep_marker(directory: Path) -> dict[str, Any] | None:
    """Who wrote the sweep folder: its marker, or for a folder written before sweeps wrote
    markers, its index (the sweep's name then as its scenario names tell it, or None); None
    when no sweep wrote the folder."""
    try:
        marker = store.read_json(directory / SWEEP_MARKER)
    except InputError as error:
        if error.message != "file not found":
            return None
        marker = None
    except (OSError, ValueError):
        return None
    if marker is not None:
        ours = isinstance(marker, dict) and marker.get("kind") == SWEEP_MARKER_KIND
        return marker if ours else None
    try:
        index = read_sweep_index(directory)
    except (OSError, ResultsFolderError):
        return None
    if "scenario" not in index.columns:
        return None
    names = {scenario.removesuffix(f".{point}") for scenario, point
             in zip(index["scenario"], index["point"], strict=True)
             if scenario.endswith(f".{point}")}
    return {"kind": SWEEP_MARKER_KIND, "sweep_name": names.pop() if len(names) == 1 else None,
            "source": None}


def check_sweep_folder(directory: Path, name: str, points: Collection[str], *, resume: bool,
                       force: bool, source: str | None = None) -> str:
    """What writing sweep `name`, whose point folders are `points`, into `directory` would do —
    "new", "resume" or "replace" — or the ResultsFolderError that forbids it. Touches nothing.

    As for a results folder: a folder another sweep (or no sweep) wrote is never written;
    `resume` finishes the same sweep, and refuses a folder holding points this grid lacks (its
    new index would hide them); `force` replaces a sweep of the same name and file, and only
    when the folder holds nothing but what that sweep wrote. Each point's own folder is
    checked with `check_folder`.
    """
    if is_new(directory, "a sweep folder"):
        return "new"
    marker = read_sweep_marker(directory)
    if marker is None:
        raise ResultsFolderError(f"{directory} exists and is not a sweep folder (it has no "
                                 f"{SWEEP_MARKER} marker, nor a sweep's {SWEEP_INDEX}); nothing "
                                 "was deleted; choose another output folder with --out")
    held, origin = marker.get("sweep_name"), marker.get("source")
    if held is not None and held != name:
        raise ResultsFolderError(f"{directory} holds sweep '{held}'" + (f" (from {origin})"
                                 if origin else "") + f", not '{name}', and a sweep folder "
                                 "holds one sweep; nothing was deleted; use --out to write "
                                 "elsewhere, or delete the folder yourself")
    if not (resume or force):
        raise ResultsFolderError(f"{directory} already holds " + (f"sweep '{held}'" if held
                                 else "a sweep") + "; use --resume to finish it, --force to "
                                 "replace it or --out to write elsewhere")
    if force and source and origin and origin != source:
        raise ResultsFolderError(f"{directory} holds sweep '{held}' from {origin}, and --force "
                                 "replaces only a sweep from the same file; nothing was "
                                 "deleted; use --out to write elsewhere, or delete the folder "
                                 "yourself")
    listed = _listed_points(directory)
    if resume:
        dropped = sorted(listed - set(points))
        if dropped:
            raise ResultsFolderError(f"{directory} holds points this grid does not have "
                                     f"({describe_names(dropped)}), which a new index would hide; "
                                     "use --force to replace the sweep or --out to write "
                                     "elsewhere")
        return "resume"
    foreign = _foreign_sweep_entries(directory, listed | set(points))
    if foreign:
        raise ResultsFolderError(f"{directory} holds files the sweep did not write "
                                 f"({describe_names(foreign)}); nothing was deleted; move them "
                                 "away or choose another output folder with --out")
    return "replace"


def _listed_points(directory: Path) -> set[str]:
    if not (directory / SWEEP_INDEX).exists():
        return set()
    return set(read_sweep_index(directory)["folder"])


def _foreign_sweep_entries(directory: Path, points: set[str]) -> list[str]:
    """Entries of a sweep folder that its sweep did not write: anything but the marker, the
    index (and its temporaries) and point folders holding only what a run writes."""
    foreign = []
    for entry in sorted(directory.iterdir()):
        name = entry.name
        if is_lock_entry(name):
            continue
        if entry.is_symlink():
            foreign.append(name)
        elif name in (SWEEP_MARKER, SWEEP_INDEX) or TEMPORARY.match(name):
            if not entry.is_file():
                foreign.append(name)
        elif name in points and entry.is_dir():
            if any(entry.iterdir()) and read_marker(entry) is None:
                foreign.append(f"{name} (not a results folder)")
            elif any(entry.iterdir()):
                foreign += [f"{name}/{inner}" for inner in foreign_entries(entry)]
        else:
            foreign.append(name)
    return foreign


def prepare_sweep_folder(directory: Path, name: str, points: Collection[str], action: str,
                         source: str | None = None) -> None:
    """Create a sweep folder, reopen it (`action` "resume") or clear what the earlier sweep
    wrote and the new grid lacks ("replace", after `check_sweep_folder`); mark it as the
    sweep's. The points' own folders are prepared by the run."""
    if action == "replace":
        listed = _listed_points(directory) - set(points)
        for entry in directory.iterdir():
            if entry.name in listed and entry.is_dir() and not entry.is_symlink():
                clear(entry)
                entry.rmdir()
    directory.mkdir(parents=True, exist_ok=True)
    if action != "resume" or not (directory / SWEEP_MARKER).exists():
        store.write_json(directory / SWEEP_MARKER, new_sweep_marker(name, source))
