"""Runs over a posterior ensemble: N draws × the scenario's replicates.

Draw d, replicate r is replicate number k = d × R + r of the run, with seed r of the scenario's
seeds: every draw meets the same traffic and criminals' luck (common random numbers across
draws), so two draws differ by their parameter values only, and two scenarios run over the same
draws are paired draw by draw and replicate by replicate. The tables get a `draw` column; the
manifest's `posterior` entry names the file, its digest and the counts.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sim.model.streams import replicate_seeds
from sim.runs.layout import ResultsFolderError, read_manifest
from sim.scenario.posterior import DEFAULT_FILE, draws_for
from sim.scenario.schema import Scenario


def posterior_plan(scenario: Scenario, draws: int, file: str | Path | None
                   ) -> tuple[list[Scenario], list[int], dict[str, Any]]:
    """The draws' scenarios, the run's seeds (draw-major) and the manifest's `posterior` entry."""
    path = Path(file) if file is not None else DEFAULT_FILE
    scenarios = draws_for(scenario, path, draws)
    per_draw = replicate_seeds(scenario.run.seed, scenario.run.replicates)
    info = {"file": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()[:16],
            "draws": draws, "replicates_per_draw": len(per_draw)}
    return scenarios, per_draw * draws, info


def draw_of(replicate: int, info: dict[str, Any]) -> int:
    return replicate // info["replicates_per_draw"]


def check_same_posterior(directory: Path, info: dict[str, Any] | None) -> None:
    """A folder resumed must hold a run over the same draws (or none, for a plain run)."""
    if not (directory / "manifest.json").is_file():
        return
    held = read_manifest(directory).get("posterior")
    if held != info:
        raise ResultsFolderError(
            f"{directory} holds a run " + (f"over {held['draws']} posterior draws of "
                                           f"{held['file']}" if held else "without posterior "
                                           "draws") + "; a folder never mixes two; use --force "
            "to replace it or --out to write elsewhere")
