"""Where one baseline replicate spends its time: pyinstrument over model build plus run.

`python benchmarks/profile_replicate.py [--seeds N] [--out FILE]` profiles N replicates (after
one unprofiled warm-up, so imports and caches are not counted) and prints or writes the call tree.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pyinstrument import Profiler

from sim.model import BASELINE
from sim.runs.replicate import run_replicate
from sim.scenario.files import load_scenario


def profile_text(seeds: int = 3, interval: float = 0.0005) -> str:
    """The pyinstrument call tree (plain text) of `seeds` baseline replicates."""
    scenario = load_scenario(BASELINE)
    run_replicate(scenario, 1000)  # warm-up: imports, route planner cache, numpy dispatch
    profiler = Profiler(interval=interval)
    profiler.start()
    for seed in range(seeds):
        run_replicate(scenario, seed)
    profiler.stop()
    header = (f"pyinstrument profile of {seeds} baseline replicates (run_replicate: model build, "
              f"run and result tables), seeds 0..{seeds - 1}, after one warm-up replicate\n")
    return header + profiler.output_text(unicode=False, color=False, show_all=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--out", type=Path)
    arguments = parser.parse_args()
    text = profile_text(arguments.seeds)
    if arguments.out:
        arguments.out.write_text(text, encoding="utf-8")
    else:
        print(text)


if __name__ == "__main__":
    main()
