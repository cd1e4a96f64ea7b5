"""Peak memory of one replicate, measured in a fresh process (run this file as a script).

`python benchmarks/peak_memory.py --flow-scale 16 --traffic-scale 16` runs one baseline replicate
with criminal movements and legitimate traffic scaled, and prints one JSON line: seconds, the
process's peak resident set size (VmHWM) before and after the replicate, in MB.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from sim.model import BASELINE, resolve_scenario
from sim.runs.replicate import run_replicate


def peak_rss_mb() -> float:
    """This process's peak resident set size. Linux's VmHWM belongs to the process image and
    starts afresh at exec; `ru_maxrss` can carry over the peak of the parent that forked it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flow-scale", type=float, default=1.0)
    parser.add_argument("--traffic-scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    scenario = resolve_scenario(BASELINE, {"criminal__flow_scale": arguments.flow_scale,
                                           "traffic__scale": arguments.traffic_scale})
    before = peak_rss_mb()
    start = time.perf_counter()
    result = run_replicate(scenario, arguments.seed)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "rss_before_mb": before, "peak_rss_mb": peak_rss_mb(),
                      "movements_attempted": result.summary["movements_attempted"],
                      "events": len(result.events)}))


if __name__ == "__main__":
    main()
