"""Timing helpers for the benchmarks: repeated timings, commands in a subprocess, machine facts.

Every timing keeps wall-clock seconds (what the targets are about) and, for in-process work, the
process's CPU seconds too: on a shared machine the CPU time shows how much of a slow wall time was
other programs' load rather than ours.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


@dataclass
class Timing:
    """Repeated measurements of one thing, in seconds (wall) and CPU seconds of this process."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def low(self) -> float:
        return min(self.wall)

    @property
    def high(self) -> float:
        return max(self.wall)

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu) if self.cpu else None

    def text(self, unit: str = "s", digits: int = 2) -> str:
        """`median (low–high, n runs)`."""
        if len(self.wall) == 1:
            return f"{self.median:.{digits}f} {unit} (1 run)"
        return (f"{self.median:.{digits}f} {unit} ({self.low:.{digits}f}–{self.high:.{digits}f}, "
                f"{len(self.wall)} runs)")


def repeat(function: Callable[[], object], runs: int, *, warmup: int = 1) -> Timing:
    """Time `function()` `runs` times after `warmup` untimed calls."""
    for _ in range(warmup):
        function()
    timing = Timing()
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        timing.cpu.append(time.process_time() - cpu)
        timing.wall.append(time.perf_counter() - wall)
    return timing


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_command(command: Sequence[str], *, timeout: float = 1800.0) -> tuple[float, float]:
    """Run a command from the project folder; its wall-clock seconds and the CPU seconds of it
    and every process it waited for (its workers). Raises if it fails."""
    start, cpu = time.perf_counter(), _children_cpu()
    done = subprocess.run(list(command), cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} exited with {done.returncode}:\n"
                           f"{done.stderr[-3000:]}")
    return seconds, _children_cpu() - cpu


def time_command(command: Sequence[str], runs: int) -> Timing:
    """Wall and CPU seconds (all processes) of `runs` runs of a command."""
    timing = Timing()
    for _ in range(runs):
        wall, cpu = run_command(command)
        timing.wall.append(wall)
        timing.cpu.append(cpu)
    return timing


def run_json(command: Sequence[str], *, timeout: float = 1800.0) -> dict:
    """Run a command that prints one JSON object on its last line; that object."""
    done = subprocess.run(list(command), cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{shlex.join(command)} exited with {done.returncode}:\n"
                           f"{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_total_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return None


def git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "sim"],
                           cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()
    return done.stdout.strip() + (" (sim/ has uncommitted changes)" if dirty else "")


def machine_facts() -> dict[str, str]:
    """What the numbers were measured on."""
    versions = {name: metadata.version(name) for name in ("mesa", "numpy", "pandas", "networkx",
                                                          "pyarrow", "dask", "distributed")}
    memory = memory_total_gb()
    return {
        "CPU": cpu_model(),
        "cores (nproc)": str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                             else os.cpu_count()),
        "memory": f"{memory:.1f} GB" if memory else "unknown",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        **versions,
        "git commit": git_commit(),
    }
