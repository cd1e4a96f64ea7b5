"""Regression fingerprints: a hash of every table of a few fixed replicates.

`tests/fingerprint.json` holds the hashes of the summary, daily, events and crossing-wait tables
of baseline seeds 0-2 and of seed 0 under four times the load. A refactor or a speed-up must leave
them as they are (`tests/runs/test_fingerprint.py`); a change of mechanism changes them, and the
commit that refreshes them (`make fingerprint`) says why. Floats are rounded to 9 significant
digits before hashing, so a compiled path that differs in the last bits of a float still matches.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

FILE = Path(__file__).with_name("fingerprint.json")
CASES = {"baseline": {}, "4x load": {"criminal__flow_scale": 4.0, "traffic__scale": 4.0}}
SEEDS = {"baseline": (0, 1, 2), "4x load": (0,)}
TABLES = ("summary", "daily", "events", "crossing_waits")


def significant(values: np.ndarray, digits: int = 9) -> np.ndarray:
    """Floats rounded to `digits` significant digits (0, inf and NaN kept as they are)."""
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values) & (values != 0)
    out = values.copy()
    magnitude = np.floor(np.log10(np.abs(values[finite])))
    scale = 10.0 ** (digits - 1 - magnitude)
    out[finite] = np.round(values[finite] * scale) / scale
    return out


def table_hash(frame: pd.DataFrame) -> str:
    """A hash of a table's columns, index and values (floats to 9 significant digits)."""
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_float_dtype(frame[column]):
            frame[column] = significant(frame[column].to_numpy())
    hashes = pd.util.hash_pandas_object(frame, index=True).to_numpy()
    return hashlib.sha256(hashes.tobytes() + repr(list(frame.columns)).encode()).hexdigest()


def result_hashes(result) -> dict[str, str]:
    """The hashes of one replicate's tables (a `sim.runs.replicate.ReplicateResult`)."""
    summary = pd.DataFrame([result.summary])
    return {"summary": table_hash(summary), "daily": table_hash(result.daily),
            "events": table_hash(result.events),
            "crossing_waits": table_hash(result.crossing_waits)}


def cases() -> list[tuple[str, dict, int]]:
    """(label, overrides, seed) of every fingerprinted replicate."""
    return [(label, CASES[label], seed) for label in CASES for seed in SEEDS[label]]


def fingerprints() -> dict[str, dict[str, str]]:
    from sim.model import BASELINE, resolve_scenario
    from sim.runs.replicate import run_replicate

    prints = {}
    for label, overrides, seed in cases():
        prints[f"{label} seed {seed}"] = result_hashes(
            run_replicate(resolve_scenario(BASELINE, overrides), seed))
    return prints


def differences(before: dict, now: dict) -> list[str]:
    """'case: table' for every table whose hash differs (or is missing)."""
    return [f"{case}: {table}" for case, tables in before.items()
            for table, digest in tables.items() if now.get(case, {}).get(table) != digest]


def main() -> int:
    parser = argparse.ArgumentParser(description="Save or check the regression fingerprints.")
    parser.add_argument("action", choices=("save", "check"))
    parser.add_argument("file", type=Path, nargs="?", default=FILE)
    arguments = parser.parse_args()
    now = fingerprints()
    if arguments.action == "save":
        arguments.file.write_text(json.dumps(now, indent=1) + "\n", encoding="utf-8")
        print(f"saved {len(now)} fingerprints to {arguments.file}")
        return 0
    changed = differences(json.loads(arguments.file.read_text(encoding="utf-8")), now)
    for line in changed:
        print(f"DIFFERENT  {line}")
    print(f"{len(now) - len({c.split(':')[0] for c in changed})} of {len(now)} replicates "
          "identical")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
