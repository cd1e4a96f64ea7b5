"""The results folder's layout: its file names, its manifest (what ran, with which seeds and code),
the errors of a folder that must not be written, and how its files are written and read.

Every file is written whole or not at all and never through a link (`write_atomically`: a new
file in the same folder, renamed over the target), and read only if it is a regular file of
bounded size (`read_checked`, `open_checked`: a FIFO or `/dev/zero` in place of a table is
refused before it is read). Shared by the store (`results`) and the folder guard (`folder`),
which import it and not each other."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import re
import subprocess
import warnings
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

from sim.scenario.reading import open_regular, read_bytes
from sim.scenario.schema import Scenario

MANIFEST, SUMMARY, DAILY, EVENTS = "manifest.json", "summary.csv", "daily.csv", "events.parquet"
CROSSING_WAITS = "crossing_waits.parquet"
FAILURES, REPLICATES = "failures.json", "replicates"
TABLES = ("summary", "daily", "events", "crossing_waits")
RECORD = "replicate.json"  # in each replicate's folder: the scenario hash, replicate and seed
MAX_TABLE_BYTES = 4_000_000_000  # a results table (a 1,000-replicate baseline's is ~0.4 GB)
MAX_RECORD_BYTES = 50_000_000  # a manifest, marker, record or failures file
VERSIONED_PACKAGES = ("jad-sim", "mesa", "numpy", "pandas", "pyarrow", "pydantic", "networkx",
                      "scipy", "PyYAML", "dask", "distributed")
REPLICATE_FOLDER = re.compile(r"^\d{6}$")


class ResultsFolderError(Exception):
    """A results folder that must not be written: it holds other results, or is not ours."""


class NoReplicatesError(ResultsFolderError):
    """A results folder whose summary holds no replicate (every one failed, or none ran)."""


class FolderNote(UserWarning):
    """What the user should know about a folder that was not refused: a stale lock broken, a
    resume that runs other replicates than asked for, a summary without a checksum. The `sim`
    command prints it as a note."""


PACKAGE = str(Path(__file__).resolve().parents[1])  # notes point at the caller's line


def note(message: str) -> None:
    """Say `message` as a FolderNote, pointing at the caller's line outside `sim`."""
    warnings.warn(message, FolderNote, skip_file_prefixes=(PACKAGE,))


def done_replicates(directory: Path) -> list[int]:
    """Replicates already written whole (a folder named by its number exists only when whole)."""
    folder = directory / REPLICATES
    if not folder.is_dir():
        return []
    return sorted(int(p.name) for p in folder.iterdir() if REPLICATE_FOLDER.match(p.name))


# --- manifest --------------------------------------------------------------------------------

def scenario_hash(scenario: Scenario) -> str:
    """sha256 of the canonical JSON of everything that decides a replicate's numbers.

    The replicate and worker counts are left out: they never change replicate k, so a folder can
    be resumed with more replicates or on another machine.
    """
    data = scenario.model_dump(mode="json")
    data["run"] = {k: v for k, v in data["run"].items() if k not in ("replicates", "workers")}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


# What decides a replicate's numbers: the scenario, the route graph and its data, the model core
# and the code that turns one replicate into tables (paths relative to `sim/`). Drawing and docs
# generation inside those folders are left out.
MODEL_PARTS = ("scenario", "geography", "model", "data", "runs/replicate.py")
NOT_MODEL = frozenset({"geography/map.py", "scenario/docs.py"})


def code_hash() -> str:
    """sha256 of the model's source and data files (`MODEL_PARTS` less `NOT_MODEL`): a resumed
    run must finish with the model that started it."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    files = sorted(p for part in MODEL_PARTS for p in
                   ([package / part] if (package / part).is_file()
                    else (package / part).rglob("*"))
                   if p.is_file() and p.relative_to(package).as_posix() not in NOT_MODEL
                   and p.suffix in (".py", ".csv", ".yaml", ".json")
                   and "__pycache__" not in p.parts)
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_commit() -> str | None:
    """The commit of the code that ran, `-dirty` when sim/ had changes; None outside git."""
    root = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], check=True,
                                capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "sim"],
                               check=True, capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("-dirty" if dirty.strip() else "")


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def new_manifest(scenario: Scenario, seeds: list[int], command: str) -> dict[str, Any]:
    return {
        "scenario_name": scenario.name, "scenario_hash": scenario_hash(scenario),
        "code_hash": code_hash(),
        "scenario": scenario.model_dump(mode="json"), "root_seed": scenario.run.seed,
        "replicates": len(seeds), "seeds": seeds, "versions": package_versions(),
        "git_commit": git_commit(), "command": command, "started": now(), "finished": None,
        "status": "incomplete", "replicates_done": 0, "resumed": [],
    }


def read_manifest(directory: Path) -> dict[str, Any]:
    """The folder's manifest (ValueError when it is not JSON, InputError when it is no
    regular file of bounded size)."""
    return read_json(directory / MANIFEST)


def read_json(path: Path) -> Any:
    """A JSON file of at most `MAX_RECORD_BYTES`, read only if it is a regular file."""
    return json.loads(read_bytes(path, MAX_RECORD_BYTES, "a JSON file").decode("utf-8"))


def open_checked(path: Path, limit: int = MAX_TABLE_BYTES, expected: str = "a results table"
                 ) -> BinaryIO:
    """A results file opened for reading, if it is a regular file of at most `limit` bytes
    (`sim.scenario.reading.open_regular`): InputError otherwise."""
    return open_regular(path, limit, expected)


def summary_checksum(path: Path) -> str:
    """sha256 of a summary table's bytes, as the manifest records it (`summary_sha256`)."""
    return hashlib.sha256(read_bytes(path, MAX_TABLE_BYTES, "a results table")).hexdigest()


# --- writing: whole or not at all, never through a link --------------------------------------

def temporary_name(path: Path) -> Path:
    """The temporary beside `path` that a write fills before renaming it over `path`."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """`write(temporary)` fills a new file beside `path`, which is then renamed over `path`:
    a reader never sees half a file, an interrupted write leaves the old file, and a link at
    `path` is replaced, never followed (nothing outside the folder is ever written through it).
    The temporary is created here (exclusively, not through a link) before `write` opens it."""
    path = Path(path)
    temporary = temporary_name(path)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)  # an earlier process of this id left it (a link is not followed)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    os.close(os.open(temporary, flags, 0o666))
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_text(path: Path, text: str) -> None:
    """UTF-8 text, written as `write_atomically` writes."""
    write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def write_json(path: Path, data: Any) -> None:
    """JSON, written as `write_atomically` writes: a reader never sees half a file."""
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")

