"""Fingerprints of replicate results, to show a speed-up leaves every number as it was.

`python benchmarks/fingerprint.py save FILE` stores, for a few seeds of the baseline and of a
scaled variant, a hash of the summary, the daily table and the events; `... check FILE` recomputes
them and names any replicate whose tables differ. Equal hashes mean bit-identical tables.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import pandas as pd

import sim
from sim.model import BASELINE, resolve_scenario
from sim.runs.replicate import run_replicate

CASES = {"baseline": {}, "4x load": {"criminal__flow_scale": 4.0, "traffic__scale": 4.0}}
SEEDS = (0, 1, 2, 3, 4)


def _hash(frame: pd.DataFrame) -> str:
    hashes = pd.util.hash_pandas_object(frame, index=True).to_numpy()
    return hashlib.sha256(hashes.tobytes() + repr(list(frame.columns)).encode()).hexdigest()


def fingerprints() -> dict[str, dict[str, str]]:
    prints = {}
    for label, overrides in CASES.items():
        scenario = resolve_scenario(BASELINE, overrides)
        for seed in SEEDS:
            result = run_replicate(scenario, seed)
            prints[f"{label} seed {seed}"] = {
                "summary": hashlib.sha256(json.dumps(result.summary, sort_keys=True).encode()
                                          ).hexdigest(),
                "daily": _hash(result.daily), "events": _hash(result.events)}
    return prints


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("save", "check"))
    parser.add_argument("file", type=Path)
    arguments = parser.parse_args()
    print(f"model code from {Path(sim.__file__).parent}")
    now = fingerprints()
    if arguments.action == "save":
        arguments.file.write_text(json.dumps(now, indent=1), encoding="utf-8")
        print(f"saved {len(now)} fingerprints to {arguments.file}")
        return 0
    before = json.loads(arguments.file.read_text(encoding="utf-8"))
    changed = [f"{case}: {table}" for case, tables in before.items()
               for table, digest in tables.items() if now[case][table] != digest]
    for line in changed:
        print(f"DIFFERENT  {line}")
    print(f"{len(before) - len({c.split(':')[0] for c in changed})} of {len(before)} "
          "replicates identical")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
