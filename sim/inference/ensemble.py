"""The posterior ensemble of a calibration: the accepted proposals of its history.

Every proposal of `sim calibrate` ran all regimes on the same seeds; those whose band loss (the
loss without the pull towards the published figures: 0 when every mean of every regime is
inside its band) is at most `posterior.tolerance` are accepted. When fewer than
`posterior.min_draws` pass, the proposals with the lowest band loss fill up to that number and
the tolerance actually reached is reported; at most `posterior.max_draws` are kept (the lowest).
The draws are written in a seeded random order, so the first N rows of the file are a random
sample of the ensemble, with equal weights. Format: sim/scenario/posterior.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.inference.experiments import ConfigError, FreeParameter, resolve_path, scenario_with
from sim.runs import results as store
from sim.scenario.files import Problem, ScenarioError
from sim.scenario.schema import Scenario

POSTERIOR = "posterior.csv"


@dataclass
class Ensemble:
    """The accepted draws and how they were chosen."""

    draws: pd.DataFrame
    accepted: int        # proposals within the stated tolerance
    tolerance: float     # the stated tolerance
    reached: float       # the largest band loss among the draws kept
    refused: int = 0     # proposals left out because (moved) they are no valid scenario

    def describe(self) -> str:
        kept = len(self.draws)
        left_out = (f"; {self.refused} left out: moved by the refinements, they are no valid "
                    "scenario" if self.refused else "")
        if self.accepted >= kept + self.refused:
            return (f"{kept} draws: proposals with band loss ≤ {self.tolerance:g} "
                    f"({self.accepted} passed{left_out})")
        return (f"{kept} draws: only {self.accepted} proposals had band loss ≤ "
                f"{self.tolerance:g}, so the {kept} with the lowest band loss are kept "
                f"(tolerance reached: {self.reached:.4g}{left_out})")


def leaves(value: Any, path: str) -> dict[str, Any]:
    """A value at a key path as flat columns (`parameters.networks.thb` for a mapping)."""
    if isinstance(value, dict):
        return {f"{path}.{key}": item for key, item in value.items()}
    return {path: value}


def draw_values(scenario: Scenario, parameters: list[FreeParameter],
                values: dict[str, float]) -> dict[str, Any]:
    """The scenario values a proposal writes, by key path (scales multiplied out)."""
    data = scenario_with(scenario, parameters, values).model_dump(mode="json")
    row: dict[str, Any] = {}
    for parameter in parameters:
        row.update(leaves(resolve_path(data, parameter.keys), parameter.path))
    return row


def accepted_draws(history: pd.DataFrame, scenario: Scenario,
                   parameters: list[FreeParameter], *, tolerance: float, min_draws: int,
                   max_draws: int, seed: int) -> Ensemble:
    """The ensemble from a calibration history (columns `trial`, `loss`, `band_loss` and one
    per parameter label); proposals that were no valid scenario (infinite loss) never enter,
    nor do those that a refinement's step made invalid (counted in `refused`)."""
    valid = history[np.isfinite(history["band_loss"].astype(float))]
    ordered = valid.sort_values(["band_loss", "loss", "trial"], kind="stable")
    accepted = int((ordered["band_loss"] <= tolerance).sum())
    rows, refused = [], 0
    for _, row in ordered.iterrows():
        if len(rows) >= max_draws or (row["band_loss"] > tolerance and len(rows) >= min_draws):
            break
        try:
            values = draw_values(scenario, parameters, {p.label: float(row[p.label])
                                                        for p in parameters})
        except ScenarioError:
            refused += 1
            continue
        rows.append({"trial": int(row["trial"]), "loss": float(row["loss"]),
                     "band_loss": float(row["band_loss"]), **values})
    table = pd.DataFrame(rows)
    order = np.random.default_rng(seed).permutation(len(table))
    table = table.iloc[order].reset_index(drop=True)
    table.insert(0, "draw", range(len(table)))
    table.insert(1, "weight", 1.0 / len(table) if len(table) else 0.0)
    reached = float(table["band_loss"].max()) if len(table) else float("nan")
    return Ensemble(table, accepted, tolerance, reached, refused)


def write_posterior(ensemble: Ensemble, path: Path) -> None:
    """`posterior.csv`: draw, weight and the values (the format other tools read), and beside
    it `posterior_trials.csv`: which trial of the fit each draw is, with its losses."""
    store.write_csv(ensemble.draws.drop(columns=["trial", "loss", "band_loss"]), path)
    store.write_csv(ensemble.draws[["draw", "trial", "loss", "band_loss"]],
                    path.with_name(path.stem + "_trials.csv"))


def summary_table(draws: pd.DataFrame) -> pd.DataFrame:
    """Per value column: the ensemble's 5%, median and 95%."""
    columns = [c for c in draws.columns if c not in ("draw", "weight", "trial", "loss",
                                                      "band_loss")]
    return draws[columns].quantile([0.05, 0.5, 0.95]).T.rename(
        columns={0.05: "p5", 0.5: "median", 0.95: "p95"})


# --- `sim posterior`: rebuild the ensemble from a finished calibration ---------------------------





def refinement_records(config: Any, folder: Path) -> dict[str, dict[str, Any]]:
    """Each refinement's record (start and fitted values), from the calibration's manifest
    (none without refinements)."""
    if not config.refine:
        return {}
    manifest = folder / "calibration.json"
    if not manifest.is_file():
        raise ConfigError([Problem(str(folder), None, ("refine",), f"no {manifest}: the "
                                   "refinements' values, which move the draws, are in it; run "
                                   "the whole `sim calibrate` again")])
    refinements = json.loads(manifest.read_text(encoding="utf-8")).get("refinements", [])
    held = {r["name"]: r for r in refinements}
    missing = [stage.name for stage in config.refine if stage.name not in held]
    if missing:
        raise ConfigError([Problem(str(folder), None, ("refine",), f"{manifest} holds no values "
                                   f"of the refinement(s) {', '.join(missing)}, which move the "
                                   "draws; run the whole `sim calibrate` again")])
    return held
