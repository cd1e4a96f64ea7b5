"""Runs over a posterior or an ensemble: N draws (or members) × the scenario's replicates.

Draw d, replicate r is replicate number k = d × R + r of the run, with seed k of the scenario's
seed sequence (`replicate_seeds(seed, N × R)`; draw 0 has the plain run's seeds): every draw
meets weeks of its own, so a mean over draws averages the luck of N × R weeks, not of R, and the
spread of the per-draw differences holds both what the parameters leave open and the luck of the
week. Two scenarios run over the same draws get the same seed at the same (d, r), so they are
paired draw by draw and replicate by replicate (common random numbers between scenarios).
An ensemble's members (`sim ensemble`: a posterior draw with sampled values of the assumptions
the calibration does not fit) run the same way; a posterior draw is the member that samples
nothing. The tables get a `draw` column
(the draw's or the member's number); the manifest's `posterior` entry names the file (relative
to the project when inside it), its digest, the counts and, for an ensemble, `kind: ensemble`.
The default files are found from the project, not the working directory.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path
from typing import Any, Literal

from sim.model.streams import replicate_seeds
from sim.runs.layout import ResultsFolderError, read_manifest
from sim.scenario.posterior import (
    DEFAULT_FILE,
    ENSEMBLE_FILE,
    MAX_POSTERIOR_BYTES,
    draws_for,
    shown_path,
)
from sim.scenario.ranges import registered_ranges
from sim.scenario.reading import read_bytes
from sim.scenario.schema import Scenario

Kind = Literal["posterior", "ensemble"]


def posterior_plan(scenario: Scenario, draws: int, file: str | Path | None,
                   kind: Kind = "posterior") -> tuple[list[Scenario], list[int], dict[str, Any]]:
    """The draws' (or members') scenarios, the run's seeds (draw-major) and the manifest's
    `posterior` entry."""
    path = Path(file) if file is not None else (ENSEMBLE_FILE if kind == "ensemble"
                                                else DEFAULT_FILE)
    scenarios = draws_for(scenario, path, draws)
    per_draw = scenario.run.replicates
    seeds = replicate_seeds(scenario.run.seed, per_draw * draws)  # draw-major: d × R + r
    digest = hashlib.sha256(read_bytes(path, MAX_POSTERIOR_BYTES, "a posterior file (CSV)"))
    info = {"file": shown_path(path), "sha256": digest.hexdigest()[:16],
            "draws": draws, "replicates_per_draw": per_draw}
    if kind == "ensemble":
        info["kind"] = "ensemble"
        held = held_at_default(path)
        if held:
            info["held_at_default"] = held
            warnings.warn(EnsembleCoverageWarning(
                f"{info['file']}: {len(held)} registered assumption{'s' * (len(held) > 1)} "
                f"{'were' if len(held) > 1 else 'was'} not sampled when this ensemble was built "
                f"and stay at the registry's default in every member ({', '.join(held[:4])}"
                f"{', ...' if len(held) > 4 else ''}; the run's manifest lists them): its "
                "spread leaves out what they could change; `make ensemble` rebuilds it over "
                "every registered range"), stacklevel=3)
    return scenarios, seeds, info


class EnsembleCoverageWarning(UserWarning):
    """An ensemble file that does not sample every assumption the registry gives a range."""


def held_at_default(path: Path) -> list[str]:
    """Registered assumptions under `parameters.` (with a plausible range) that no column of
    the ensemble file sets: built before they were registered, or left out by its config."""
    with open(path, encoding="utf-8") as handle:
        columns = handle.readline().strip().split(",")
    return [r.path for r in registered_ranges("parameters.")
            if not any(c == r.path or c.startswith(r.path + ".") for c in columns)]


def member_seeds(root_seed: int, replicates: int, members: int) -> list[list[int]]:
    """Each draw's (member's) replicate seeds: draw d, replicate r has seed d × R + r of the
    scenario's sequence, as `posterior_plan` runs them."""
    every = replicate_seeds(root_seed, replicates * members)
    return [every[d * replicates:(d + 1) * replicates] for d in range(members)]


def draw_of(replicate: int, info: dict[str, Any]) -> int:
    return replicate // info["replicates_per_draw"]


def check_same_posterior(directory: Path, info: dict[str, Any] | None) -> None:
    """A folder resumed must hold a run over the same draws (or none, for a plain run)."""
    if not (directory / "manifest.json").is_file():
        return
    held = read_manifest(directory).get("posterior")  # readable: the folder guard checked it
    if held != info:
        what = "ensemble members" if (held or {}).get("kind") == "ensemble" else "posterior draws"
        raise ResultsFolderError(
            f"{directory} holds a run " + (f"over {held['draws']} {what} of "
                                           f"{held['file']}" if held else "without posterior "
                                           "draws or ensemble members") + "; a folder never "
            "mixes two; use --force to replace it or --out to write elsewhere")
