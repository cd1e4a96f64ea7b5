"""What an ensemble build is (`sim ensemble CONFIG`): its config, the identified and the sampled
assumptions, and the design of its candidates.

Identified are the parameters the calibration config fits (their values come with each posterior
draw); sampled is every other plausible range the registry holds under `parameters.` (not the
planner's levers), unless the config names its own `assumptions` or `exclude`s some. Candidate i
is point i of a scrambled Sobol sequence (`scipy.stats.qmc.Sobol`, seeded) over the sampled
ranges — uniform in the logarithm for a log range, a multiplier of the defaults for a mapping —
with posterior draw i mod D. The build itself is `sim.inference.ensemble`.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field, ValidationError, model_validator

from sim.inference.calibration_config import CalibrationConfig, LoadedRegime, load_regimes
from sim.inference.experiments import ConfigError, FreeParameter, read_config, resolve_path
from sim.inference.history_matching import CUTOFF, DISCREPANCY
from sim.model.streams import replicate_seeds
from sim.scenario.files import Problem, ScenarioError
from sim.scenario.parameters import StrictModel
from sim.scenario.posterior import draw_values, read_posterior
from sim.scenario.ranges import registered_ranges
from sim.scenario.schema import Scenario


class EmulatorConfig(StrictModel):
    """History matching in waves (`sim.inference.emulator`): once `training` candidates have
    run, emulators fitted on them screen the rest, and only those they do not rule out run."""

    training: int = Field(256, ge=30, le=1_000_000, description="Candidates run (the first "
                          "wave) before the emulators screen; they are refitted on every "
                          "candidate run since, before each batch.")
    audit: int = Field(20, ge=2, le=1_000_000, description="Every audit-th candidate (by "
                       "number) the emulators rule out runs all the same: the share of those "
                       "its runs keep is the emulators' false exclusions, in the record.")


class EnsembleConfig(StrictModel):
    """How to build an ensemble: from which calibration and posterior, over which assumptions,
    how many members, with what effort."""

    calibration: Path = Field(description="The calibration config (relative to this file): its "
                              "regimes (scenarios and target tables) are matched, and the "
                              "parameters it fits are the identified ones.")
    posterior: Path = Field(description="The posterior draws of that calibration (relative to "
                            "this file).")
    assumptions: list[FreeParameter] | None = Field(
        None, description="The sampled assumptions (default: every registered plausible range "
        "under `parameters.` that the calibration does not fit).")
    exclude: list[str] = Field(default_factory=list, description="Paths left out of the "
                               "default assumptions.")
    members: int = Field(200, ge=1, le=100_000, description="Members to keep (the build stops "
                         "when this many pass).")
    candidates: int = Field(600, ge=1, le=1_000_000, description="Most candidates to try.")
    replicates: int = Field(3, ge=1, le=1000, description="Replicates per candidate and regime, "
                            "the same seeds for every candidate.")
    seed: int = Field(1, ge=0, description="Root of the Sobol scrambling and the replicate "
                      "seeds.")
    cutoff: float = Field(CUTOFF, gt=0, description="Largest implausibility a member may have.")
    discrepancy: float = Field(DISCREPANCY, ge=0, description="Model discrepancy: its standard "
                               "deviation as a share of each published figure.")
    workers: int = Field(2, ge=1, le=1024, description="Worker processes (1: in this process).")
    emulator: EmulatorConfig | None = Field(None, description="Screen candidates by emulators "
                                            "fitted on a first wave, and run only those they "
                                            "do not rule out (default: none; every candidate "
                                            "runs).")

    @model_validator(mode="after")
    def _enough(self) -> EnsembleConfig:
        if self.candidates < self.members:
            raise ValueError(f"candidates ({self.candidates}) must be at least members "
                             f"({self.members})")
        return self


@dataclass
class Plan:
    """A config resolved: the regimes, the posterior, the identified and sampled assumptions."""

    config: EnsembleConfig
    path: Path
    regimes: list[LoadedRegime]
    draws: list[dict[str, float]]
    posterior_file: Path
    identified: list[FreeParameter]
    sampled: list[FreeParameter]
    digest: str = ""

    @property
    def seeds(self) -> list[int]:
        return replicate_seeds(self.config.seed, self.config.replicates)


def split_assumptions(calibration: CalibrationConfig, exclude: list[str] | None = None
                      ) -> tuple[list[FreeParameter], list[FreeParameter]]:
    """(identified, sampled): the parameters the calibration fits, and every other registered
    plausible range under `parameters.` (not the planner's levers), less `exclude`."""
    identified = list(calibration.parameters)
    fitted = [p.path for p in identified] + [p.path for s in calibration.refine
                                             for p in s.parameters]

    def overlaps(path: str) -> bool:
        return any(path == f or path.startswith(f + ".") or f.startswith(path + ".")
                   for f in fitted)

    sampled = [FreeParameter(path=r.path) for r in registered_ranges("parameters.")
               if not overlaps(r.path) and r.path not in (exclude or [])]
    return identified, sampled


def load_plan(path: str | Path, **overrides: Any) -> Plan:
    """Read an ensemble config, its calibration's regimes and its posterior; `overrides`
    (members, candidates, replicates, workers: the command line's) replace the config's."""
    path = Path(path)
    config, label = read_config(path, EnsembleConfig)
    given = {k: v for k, v in overrides.items() if v is not None}
    if given:
        try:
            config = EnsembleConfig.model_validate({**config.model_dump(), **given})
        except ValidationError as error:
            raise ConfigError([Problem("command line", None, tuple(e["loc"]), e["msg"])
                               for e in error.errors(include_url=False)]) from None
    calibration, regimes = load_regimes(path.parent / config.calibration)
    identified, sampled = split_assumptions(calibration, config.exclude)
    if config.assumptions is not None:
        sampled = list(config.assumptions)
    unknown = [p for p in config.exclude if p not in {r.path for r in registered_ranges()}]
    if unknown:
        raise ConfigError([Problem(label, None, ("exclude",), f"{unknown[0]}: no registered "
                                   "plausible range has this path")])
    for parameter in sampled:
        parameter.check_against(regimes[0].scenario, label)
    posterior_file = path.parent / config.posterior
    try:
        draws = draw_values(read_posterior(posterior_file))
    except ScenarioError as error:
        raise ConfigError([Problem(label, None, ("posterior",), p.message)
                           for p in error.problems]) from None
    plan = Plan(config, path, regimes, draws, posterior_file, identified, sampled)
    plan.digest = _digest(plan)
    return plan


def _digest(plan: Plan) -> str:
    """What the candidates depend on: a candidate table with another digest is not resumed."""
    payload = {"config": plan.config.model_dump(mode="json", exclude={
                   "members", "candidates", "workers", "emulator"}),  # (which run, not what)
               "sampled": [p.model_dump(mode="json") for p in plan.sampled],
               "draws": plan.draws,
               "regimes": [(r.label, r.scenario.model_dump(mode="json"),
                            r.targets.to_dict()) for r in plan.regimes]}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()
                          ).hexdigest()[:16]


# --- the design ---------------------------------------------------------------------------------

def design(sampled: list[FreeParameter], count: int, seed: int) -> np.ndarray:
    """`count` points of a scrambled Sobol sequence in [0, 1)^k (k sampled assumptions); the
    first points of the sequence, so a longer design extends a shorter one."""
    if not sampled:
        return np.zeros((count, 0))
    from scipy.stats import qmc

    power = max(0, math.ceil(math.log2(max(count, 1))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # balance: a power of two is drawn
        points = qmc.Sobol(d=len(sampled), scramble=True, seed=seed).random_base2(power)
    return points[:count]


def sampled_values(sampled: list[FreeParameter], point: np.ndarray) -> dict[str, float]:
    """The scenario values (by key path; a scale multiplied out per entry) of one design point."""
    defaults = Scenario(name="defaults").model_dump(mode="json")
    values: dict[str, float] = {}
    for parameter, unit in zip(sampled, point, strict=True):
        low, high = parameter.low, parameter.high
        value = (math.exp(math.log(low) + unit * (math.log(high) - math.log(low)))
                 if parameter.log else low + unit * (high - low))
        if not parameter.scale:
            values[parameter.path] = value
            continue
        default = resolve_path(defaults, parameter.keys)
        if isinstance(default, dict):
            values.update({f"{parameter.path}.{k}": v * value for k, v in default.items()})
        else:
            values[parameter.path] = default * value
    return values


def sampled_columns(sampled: list[FreeParameter]) -> dict[str, list[str]]:
    """Each sampled assumption's label with the columns it writes."""
    point = np.full(len(sampled), 0.5)
    columns: dict[str, list[str]] = {}
    for parameter in sampled:
        one = sampled_values([parameter], point[:1])
        columns[parameter.label] = list(one)
    return columns


def inputs(plan: Plan, indices: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The emulators' inputs of candidates `indices`: their design coordinates and the values
    of the posterior draw each holds (a row per candidate)."""
    indices = np.asarray(indices, dtype=int)
    names = sorted({key for draw in plan.draws for key in draw})
    draws = np.array([[float(draw.get(name, 0.0)) for name in names] for draw in plan.draws])
    return np.hstack([points[indices], draws[indices % len(plan.draws)]])


def candidate(plan: Plan, index: int, point: np.ndarray) -> dict[str, float]:
    """Candidate `index`: posterior draw index mod D with the design point's sampled values."""
    draw = plan.draws[index % len(plan.draws)]
    return {**draw, **sampled_values(plan.sampled, point)}
