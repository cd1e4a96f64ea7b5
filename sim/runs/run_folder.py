"""A run's results folder: the marker a run writes, what `--force` may delete, what `--resume`
may finish, and the writes that create, replace or reopen it (after `sim.runs.folder.claim`).

A run writes `.jad-sim-run` (JSON: the run's id, scenario name and hash, source file, time) when
it creates a folder, and the same id in `manifest.json`. Only a folder whose marker and manifest
agree is a results folder: a `manifest.json` alone (any file can be called that) is not trusted.
`--force` deletes only the entries a run writes (`RUN_ENTRIES`, the numbered replicate folders,
its temporary files) and refuses, deleting nothing, a folder holding anything else, or another
scenario's results. `--resume` finishes only the same scenario with the same model, and only in
replicate folders that are real folders inside the results folder, each written by this
scenario (its `replicate.json`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

import pandas as pd

from sim.runs import layout as store
from sim.runs.layout import ResultsFolderError, note
from sim.runs.lock import is_lock_entry
from sim.scenario.reading import InputError
from sim.scenario.schema import Scenario

MARKER = ".jad-sim-run"
MARKER_KIND = "jad-sim results folder"
RUN_ENTRIES = frozenset({MARKER, store.MANIFEST, store.SUMMARY, store.DAILY, store.EVENTS,
                         store.CROSSING_WAITS, store.FAILURES, store.REPLICATES})
REPLICATE_FILES = frozenset({*(f"{name}.parquet" for name in store.TABLES), store.RECORD})
TEMPORARY = re.compile(r"^\..+\.\d+\.tmp$")  # store.write_atomically's temporaries
_REPLICATE_TEMPORARY = re.compile(r"^\.tmp-\d{6}-\d+$")


def new_marker(scenario: Scenario, source: str | None) -> dict[str, Any]:
    return {"kind": MARKER_KIND, "run_id": uuid.uuid4().hex, "scenario_name": scenario.name,
            "scenario_hash": store.scenario_hash(scenario), "source": source,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}


def _marker_file(directory: Path) -> dict[str, Any] | None:
    """The marker a run wrote, or None when there is none (or it is not a run's)."""
    try:
        marker = store.read_json(directory / MARKER)
    except (OSError, ValueError, InputError):
        return None
    ours = isinstance(marker, dict) and marker.get("kind") == MARKER_KIND and marker.get("run_id")
    return marker if ours else None


def read_marker(directory: Path) -> dict[str, Any] | None:
    """The folder's marker if the folder is one a run wrote (marker and manifest agree)."""
    marker = _marker_file(directory)
    try:
        manifest = store.read_manifest(directory)
    except (OSError, ValueError, InputError):
        return None
    if marker is None or not isinstance(manifest, dict) or (
            manifest.get("run_id") != marker["run_id"]):
        return None
    return marker


def foreign_entries(directory: Path) -> list[str]:
    """Entries of `directory` that no run writes (relative paths): `--force` keeps them, so it
    refuses the folder."""
    foreign = []
    for entry in sorted(directory.iterdir()):
        name = entry.name
        if is_lock_entry(name):
            continue
        if name == store.REPLICATES and entry.is_dir() and not entry.is_symlink():
            foreign += [f"{name}/{p}" for p in _foreign_replicates(entry)]
        elif ((name not in RUN_ENTRIES - {store.REPLICATES} and not TEMPORARY.match(name))
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
    folder and its lock."""
    for entry in directory.iterdir():
        if is_lock_entry(entry.name):
            continue
        if entry.name == store.REPLICATES and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def describe_names(names: list[str]) -> str:
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
    if is_new(directory, "a results folder"):
        return "new"
    marker = _marker_file(directory)
    if marker is None:
        why = (f"it has a {store.MANIFEST} but not the marker {MARKER} a run writes with it; "
               "a folder written before runs wrote markers must be deleted by hand"
               if (directory / store.MANIFEST).exists() else f"it has no {MARKER} marker")
        raise ResultsFolderError(f"{directory} exists and is not a results folder ({why}); "
                                 "nothing was deleted; choose another output folder with --out")
    manifest = _manifest_of(directory, marker, resume=resume, force=force)
    foreign = foreign_entries(directory)
    if foreign and force:
        raise ResultsFolderError(
            f"{directory} holds files a run did not write ({describe_names(foreign)}); nothing was "
            "deleted; move them away or choose another output folder with --out")
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
    check_replicates(directory, manifest)
    return "resume"


def _manifest_of(directory: Path, marker: dict[str, Any], *, resume: bool,
                 force: bool) -> dict[str, Any]:
    """The manifest of a folder a run marked. A damaged one (truncated by a full disk, or
    edited) is said as such; `force` then goes by the marker (the same scenario may start
    again), anything else is refused."""
    try:
        manifest = store.read_manifest(directory)
        problem = None if isinstance(manifest, dict) else "not a JSON object"
    except FileNotFoundError:
        manifest, problem = None, "it is missing"
    except (OSError, ValueError, InputError) as error:
        manifest, problem = None, (str(error).splitlines() or [type(error).__name__])[0]
    if problem is None:
        if manifest.get("run_id") != marker["run_id"]:
            raise ResultsFolderError(
                f"{directory} exists and is not a results folder (its {store.MANIFEST} is not "
                f"the one its marker {MARKER} was written with); nothing was deleted; choose "
                "another output folder with --out")
        return manifest
    if force:
        return {"scenario_name": marker.get("scenario_name")}
    raise ResultsFolderError(
        f"{directory / store.MANIFEST} cannot be read ({problem}): the run's record is damaged "
        "(a truncated or edited file), so the folder cannot be " + ("resumed" if resume else
                                                                    "used") +
        "; nothing was written; --force starts the scenario again in it")


def check_replicates(directory: Path, manifest: dict[str, Any]) -> None:
    """Before `--resume` reads or adds a replicate: `replicates/` and every replicate in it are
    real folders inside the results folder (no link out of it), each written by this scenario
    (its record's hash, or for a replicate written before records, its scenario and seed)."""
    folder = directory / store.REPLICATES
    hint = "; nothing was written; --force starts the run again, --out writes elsewhere"
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        what = "a symbolic link" if folder.is_symlink() else "not a folder"
        raise ResultsFolderError(f"{folder} is {what}, not the results folder's own replicates "
                                 "folder; --resume reads and writes replicates only inside the "
                                 f"folder{hint}")
    if not folder.exists():
        return
    seeds = manifest.get("seeds") or []
    for entry in sorted(folder.iterdir()):
        if not store.REPLICATE_FOLDER.match(entry.name):
            continue
        where = f"{store.REPLICATES}/{entry.name}"
        if entry.is_symlink() or not entry.is_dir():
            raise ResultsFolderError(f"{directory}: {where} is "
                                     f"{'a symbolic link' if entry.is_symlink() else 'a file'}"
                                     f", not a replicate this run wrote{hint}")
        linked = [p.name for p in entry.iterdir() if p.is_symlink()]
        if linked:
            raise ResultsFolderError(f"{directory}: {where}/{linked[0]} is a symbolic link, not "
                                     f"a table this run wrote{hint}")
        why = _foreign_replicate(entry, int(entry.name), manifest, seeds)
        if why:
            raise ResultsFolderError(f"{directory}: {where} {why}, and a folder never mixes "
                                     f"two scenarios{hint}")


def _foreign_replicate(entry: Path, number: int, manifest: dict[str, Any],
                       seeds: list[int]) -> str | None:
    """Why a replicate folder is not this scenario's, or None."""
    expected = manifest.get("scenario_hash")
    if (entry / store.RECORD).exists():
        try:
            record = store.read_json(entry / store.RECORD)
        except (OSError, ValueError, InputError) as error:
            return f"has a record that cannot be read ({error})"
        if not isinstance(record, dict) or record.get("scenario_hash") != expected:
            held = record.get("scenario_hash") if isinstance(record, dict) else None
            return (f"was written by another scenario (hash {str(held)[:12]}, the folder's is "
                    f"{str(expected)[:12]})")
        if record.get("replicate") != number:
            return f"holds replicate {record.get('replicate')}, not {number}"
        return None
    try:  # a replicate written before records: its scenario name and seed
        with store.open_checked(entry / "summary.parquet") as file:
            row = pd.read_parquet(file, columns=["scenario", "replicate", "seed"]).iloc[0]
    except (OSError, ValueError, InputError, KeyError, IndexError) as error:
        return f"cannot be read ({str(error).splitlines()[0] if str(error) else error!r})"
    seed = seeds[number] if number < len(seeds) else None
    if row["scenario"] != manifest.get("scenario_name") or int(row["seed"]) != seed:
        return f"was written by scenario '{row['scenario']}' with seed {row['seed']}"
    return None


def is_new(directory: Path, kind: str) -> bool:
    """Whether `directory` is new to the writer: absent (and creatable) or empty but for a
    lock. A file, or a folder that cannot be written, is a ResultsFolderError."""
    if directory.exists() and not directory.is_dir():
        raise ResultsFolderError(f"{directory} is a file, not {kind}; choose another output "
                                 "folder with --out")
    if not directory.exists():
        check_creatable(directory)
        return True
    if not os.access(directory, os.W_OK | os.X_OK):
        raise ResultsFolderError(f"{directory} cannot be written (permission denied); choose "
                                 "another output folder with --out")
    return not any(not is_lock_entry(entry.name) for entry in directory.iterdir())


def check_creatable(directory: Path) -> None:
    """A folder (or file) that does not exist yet can be created: its nearest existing parent
    is a writable folder."""
    parent = directory.absolute().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ResultsFolderError(f"{directory} cannot be created: {parent} is a file; choose "
                                 "another output folder with --out")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ResultsFolderError(f"{directory} cannot be created: {parent} is not writable "
                                 "(permission denied); choose another output folder with --out")


def prepare_folder(directory: Path, action: str, scenario: Scenario, seeds: list[int],
                   command: str, *, source: str | None = None) -> dict[str, Any]:
    """Create ("new"), replace or reopen ("resume") a results folder that
    `sim.runs.folder.claim` holds, as the claim found it (its `action`); returns its manifest."""
    try:
        if action == "resume":
            return _reopen(directory, seeds, command)
        if action == "replace":
            clear(directory)
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
        shutil.rmtree(leftover, ignore_errors=True)  # a link is refused by rmtree, not followed
    held = len(manifest["seeds"])
    if len(seeds) > held:
        manifest.update(seeds=seeds, replicates=len(seeds))
        manifest["scenario"]["run"]["replicates"] = len(seeds)
    elif len(seeds) < held:
        note(f"{directory} was started with {held} replicates; --resume finishes all {held} "
             f"(a results folder never drops replicates; asking for {len(seeds)} does not "
             "shorten it)")
    manifest["resumed"].append({"command": command, "started": store.now()})
    manifest["status"] = "incomplete"
    store.write_json(directory / store.MANIFEST, manifest)
    return manifest
