"""The results folder's layout: its file names, its manifest (what ran, with which seeds and code)
and the errors of a folder that must not be written. Shared by the store (`results`) and the
folder guard (`folder`), which import it and not each other."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import re
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from sim.scenario.schema import Scenario

MANIFEST, SUMMARY, DAILY, EVENTS = "manifest.json", "summary.csv", "daily.csv", "events.parquet"
CROSSING_WAITS = "crossing_waits.parquet"
FAILURES, REPLICATES = "failures.json", "replicates"
TABLES = ("summary", "daily", "events", "crossing_waits")
VERSIONED_PACKAGES = ("jad-sim", "mesa", "numpy", "pandas", "pyarrow", "pydantic", "networkx",
                      "scipy", "PyYAML", "dask", "distributed")
REPLICATE_FOLDER = re.compile(r"^\d{6}$")


class ResultsFolderError(Exception):
    """A results folder that must not be written: it holds other results, or is not ours."""


class NoReplicatesError(ResultsFolderError):
    """A results folder whose summary holds no replicate (every one failed, or none ran)."""


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
    return json.loads((directory / MANIFEST).read_text(encoding="utf-8"))


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically: a reader never sees half a file."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)
