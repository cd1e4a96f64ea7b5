"""Whose results folder is it: the marker a run writes, what `--force` may delete, and the
checks before a run writes anything.

A run writes `.jad-sim-run` (JSON: the run's id, scenario name and hash, source file, time) when
it creates a folder, and the same id in `manifest.json`. Only a folder whose marker and manifest
agree is a results folder: a `manifest.json` alone (any file can be called that) is not trusted.
`--force` deletes only the entries a run writes (`RUN_ENTRIES`, the numbered replicate folders,
its temporary files) and refuses, deleting nothing, a folder holding anything else.

A sweep folder is guarded the same way: a sweep writes `.jad-sim-sweep` (JSON: the sweep's name,
its file, the time) beside `index.csv`, and one point folder (a results folder) per grid point.
A folder written before sweeps wrote markers is known by its `index.csv`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import uuid
from collections.abc import Collection
from pathlib import Path
from typing import Any

import pandas as pd

from sim.runs import layout as store
from sim.scenario.schema import Scenario

MARKER = ".jad-sim-run"
MARKER_KIND = "jad-sim results folder"
RUN_ENTRIES = frozenset({MARKER, store.MANIFEST, store.SUMMARY, store.DAILY, store.EVENTS,
                         store.CROSSING_WAITS, store.FAILURES, store.REPLICATES})
REPLICATE_FILES = frozenset(f"{name}.parquet" for name in store.TABLES)
_TEMPORARY = re.compile(r"^\..+\.\d+\.tmp$")  # store.write_json / write_csv temporaries
_REPLICATE_TEMPORARY = re.compile(r"^\.tmp-\d{6}-\d+$")


ResultsFolderError = store.ResultsFolderError


def new_marker(scenario: Scenario, source: str | None) -> dict[str, Any]:
    return {"kind": MARKER_KIND, "run_id": uuid.uuid4().hex, "scenario_name": scenario.name,
            "scenario_hash": store.scenario_hash(scenario), "source": source,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}


def read_marker(directory: Path) -> dict[str, Any] | None:
    """The folder's marker if the folder is one a run wrote (marker and manifest agree)."""
    try:
        marker = json.loads((directory / MARKER).read_text(encoding="utf-8"))
        manifest = store.read_manifest(directory)
    except (OSError, ValueError):
        return None
    if not (isinstance(marker, dict) and isinstance(manifest, dict)
            and marker.get("kind") == MARKER_KIND and marker.get("run_id")
            and manifest.get("run_id") == marker["run_id"]):
        return None
    return marker


def foreign_entries(directory: Path) -> list[str]:
    """Entries of `directory` that no run writes (relative paths): `--force` keeps them, so it
    refuses the folder."""
    foreign = []
    for entry in sorted(directory.iterdir()):
        name = entry.name
        if name == store.REPLICATES and entry.is_dir() and not entry.is_symlink():
            foreign += [f"{name}/{p}" for p in _foreign_replicates(entry)]
        elif ((name not in RUN_ENTRIES - {store.REPLICATES} and not _TEMPORARY.match(name))
              or entry.is_symlink() or not entry.is_file()):
            foreign.append(name)
    return foreign


def _foreign_replicates(folder: Path) -> list[str]:
    foreign = []
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink() or not entry.is_dir():
            foreign.append(entry.name)
        elif store.REPLICATE_FOLDER.match(entry.name) or _REPLICATE_TEMPORARY.match(entry.name):
            foreign += [f"{entry.name}/{p.name}" for p in sorted(entry.iterdir())
                        if p.name not in REPLICATE_FILES or p.is_symlink() or not p.is_file()]
        else:
            foreign.append(entry.name)
    return foreign


def clear(directory: Path) -> None:
    """Delete what a run wrote in `directory` (checked by `check_folder` first), keep the
    folder."""
    for entry in directory.iterdir():
        if entry.name == store.REPLICATES:
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _describe(names: list[str]) -> str:
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return shown


def check_folder(directory: Path, scenario: Scenario, *, resume: bool, force: bool,
                 source: str | None = None) -> str:
    """What writing `scenario` into `directory` would do — "new", "resume" or "replace" — or
    the ResultsFolderError that forbids it. Touches nothing.

    Never mixes two scenarios or two versions of the model in one folder, never overwrites
    results without `force`, never lets `force` replace another scenario's results, and never
    deletes anything a run did not write.
    """
    if _is_new(directory, "a results folder"):
        return "new"
    marker = read_marker(directory)
    if marker is None:
        why = (f"it has a {store.MANIFEST} but not the marker {MARKER} a run writes with it; "
               "a folder written before runs wrote markers must be deleted by hand"
               if (directory / store.MANIFEST).exists() else f"it has no {MARKER} marker")
        raise ResultsFolderError(f"{directory} exists and is not a results folder ({why}); "
                                 "nothing was deleted; choose another output folder with --out")
    foreign = foreign_entries(directory)
    if foreign and force:
        raise ResultsFolderError(
            f"{directory} holds files a run did not write ({_describe(foreign)}); nothing was "
            "deleted; move them away or choose another output folder with --out")
    manifest = store.read_manifest(directory)
    name = manifest.get("scenario_name")
    if force:
        if name != scenario.name or (source and marker.get("source")
                                     and marker["source"] != source):
            origin = f" (from {marker['source']})" if marker.get("source") else ""
            raise ResultsFolderError(
                f"{directory} holds the results of scenario '{name}'{origin}, and --force "
                "replaces only results of the same scenario; nothing was deleted; use --out to "
                "write elsewhere, or delete the folder yourself")
        return "replace"
    if not resume:
        finished = manifest.get("status") == "complete"
        raise ResultsFolderError(
            f"{directory} already holds {'a complete' if finished else 'an incomplete'} run of "
            f"'{name}'; " + ("use --force to replace it or --out to write elsewhere" if finished
                             else "use --resume to finish it or --force to start again"))
    if manifest.get("scenario_hash") != store.scenario_hash(scenario):
        raise ResultsFolderError(
            f"{directory} holds results of another scenario ('{name}' or the same name with "
            "other settings) and a folder never mixes two; use --force to replace it or --out "
            "to write elsewhere")
    if manifest.get("code_hash") != store.code_hash():
        raise ResultsFolderError(
            f"{directory} was started with another version of the model (its files in sim/ "
            "have changed since) and a folder never mixes two; use --force to start again or "
            "--out to write elsewhere")
    return "resume"


def _is_new(directory: Path, kind: str) -> bool:
    """Whether `directory` is new to the run: absent (and creatable) or empty. A file, or a
    folder that cannot be written, is a ResultsFolderError."""
    if directory.exists() and not directory.is_dir():
        raise ResultsFolderError(f"{directory} is a file, not {kind}; choose another output "
                                 "folder with --out")
    if not directory.exists():
        _check_creatable(directory)
        return True
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ResultsFolderError(f"{directory} cannot be written (permission denied); choose "
                                 "another output folder with --out")
    return not any(directory.iterdir())


def _check_creatable(directory: Path) -> None:
    """A folder that does not exist yet can be created: its nearest existing parent is a
    writable folder."""
    parent = directory.absolute().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ResultsFolderError(f"{directory} cannot be created: {parent} is a file; choose "
                                 "another output folder with --out")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ResultsFolderError(f"{directory} cannot be created: {parent} is not writable "
                                 "(permission denied); choose another output folder with --out")


def prepare_folder(directory: Path, scenario: Scenario, seeds: list[int], command: str, *,
                   resume: bool, force: bool, source: str | None = None) -> dict[str, Any]:
    """Create, replace (`force`) or reopen (`resume`) a results folder; returns its manifest."""
    action = check_folder(directory, scenario, resume=resume, force=force, source=source)
    try:
        if action == "resume":
            return _reopen(directory, seeds, command)
        if action == "replace":
            clear(directory)
        directory.mkdir(parents=True, exist_ok=True)
        marker = new_marker(scenario, source)
        manifest = {**store.new_manifest(scenario, seeds, command), "run_id": marker["run_id"]}
        store.write_json(directory / MARKER, marker)
        store.write_json(directory / store.MANIFEST, manifest)
    except OSError as error:
        raise ResultsFolderError(f"{directory} cannot be written: {error.strerror or error}; "
                                 "choose another output folder with --out") from None
    return manifest


def _reopen(directory: Path, seeds: list[int], command: str) -> dict[str, Any]:
    manifest = store.read_manifest(directory)
    for leftover in (directory / store.REPLICATES).glob(".tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    if len(seeds) > len(manifest["seeds"]):
        manifest.update(seeds=seeds, replicates=len(seeds))
        manifest["scenario"]["run"]["replicates"] = len(seeds)
    manifest["resumed"].append({"command": command, "started": store.now()})
    manifest["status"] = "incomplete"
    store.write_json(directory / store.MANIFEST, manifest)
    return manifest


# --- sweep folders ---------------------------------------------------------------------------

SWEEP_MARKER = ".jad-sim-sweep"
SWEEP_MARKER_KIND = "jad-sim sweep folder"
SWEEP_INDEX = "index.csv"


def read_sweep_index(directory: Path) -> pd.DataFrame:
    """A sweep folder's `index.csv`: a row per point with its folder and grid labels. Labels are
    read as written: `None`, `NA` or `null` stay text rather than becoming missing values."""
    path = directory / SWEEP_INDEX
    try:
        index = pd.read_csv(path, dtype={"point": str, "scenario": str, "folder": str},
                            keep_default_na=False)
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
        marker = json.loads((directory / SWEEP_MARKER).read_text(encoding="utf-8"))
    except FileNotFoundError:
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
    if _is_new(directory, "a sweep folder"):
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
                                     f"({_describe(dropped)}), which a new index would hide; "
                                     "use --force to replace the sweep or --out to write "
                                     "elsewhere")
        return "resume"
    foreign = _foreign_sweep_entries(directory, listed | set(points))
    if foreign:
        raise ResultsFolderError(f"{directory} holds files the sweep did not write "
                                 f"({_describe(foreign)}); nothing was deleted; move them away "
                                 "or choose another output folder with --out")
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
        if entry.is_symlink():
            foreign.append(name)
        elif name in (SWEEP_MARKER, SWEEP_INDEX) or _TEMPORARY.match(name):
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
