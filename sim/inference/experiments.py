"""What calibration and sensitivity analysis share: free parameters (a key path into the scenario
with a prior range), reading their YAML configs with planner-readable errors, and the evaluator
that runs a proposal's fixed replicate seeds (common random numbers) on a pool of worker
processes.
"""

from __future__ import annotations

import functools
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, model_validator

from sim.scenario.files import (
    Problem,
    ScenarioError,
    parse_document,
    scenario_from_mapping,
    suggest,
)
from sim.scenario.parameters import StrictModel
from sim.scenario.reading import InputError, read_text
from sim.scenario.schema import Scenario

# --- free parameters: a key path into the scenario with a prior range ---------------------------

class ConfigError(ScenarioError):
    """A calibration or sensitivity config that cannot be used; `problems` says every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        ValueError.__init__(self, "invalid config:\n  " + "\n  ".join(map(str, self.problems)))


class FreeParameter(StrictModel):
    """A scenario value to fit or vary, e.g. `parameters.lead_precision` in [0.1, 0.8].

    With `scale: true` the value is a multiplier of the default in sim/scenario/parameters.py (of
    every entry, for a mapping such as `parameters.networks`), so the range reads "half to twice
    the default" and stays meaningful when the defaults are re-tuned.
    """

    path: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$",
                      description="Dotted key path into the scenario.")
    low: float = Field(description="Lower end of the prior range.")
    high: float = Field(description="Upper end of the prior range.")
    log: bool = Field(False, description="Sample uniformly in the logarithm (positive ranges).")
    scale: bool = Field(False, description="The value multiplies the default.")

    @model_validator(mode="after")
    def _range(self) -> FreeParameter:
        if not self.low < self.high:
            raise ValueError(f"{self.path}: low ({self.low}) must be below high ({self.high})")
        if self.log and self.low <= 0:
            raise ValueError(f"{self.path}: a log range needs low > 0")
        return self

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.path.split("."))

    @property
    def label(self) -> str:
        """Column name in the tables: the path, marked when the value is a scale."""
        return f"{self.path}:scale" if self.scale else self.path

    def distribution(self) -> Any:
        import optuna

        return optuna.distributions.FloatDistribution(self.low, self.high, log=self.log)

    def check_against(self, scenario: Scenario, label: str) -> None:
        """The path must name a number (or, for a scale, numbers) in the scenario."""
        try:
            value = resolve_path(scenario.model_dump(mode="json"), self.keys)
        except KeyError as error:
            raise ConfigError([Problem(label, None, ("parameters", self.path),
                                       f"no such scenario key {error}")]) from None
        numbers = list(value.values()) if isinstance(value, dict) and self.scale else [value]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in numbers):
            expected = "a number or a mapping of numbers" if self.scale else "a number"
            raise ConfigError([Problem(label, None, ("parameters", self.path),
                                       f"expected {expected}, found {value!r} "
                                       "(a mapping needs scale: true or one entry's path)")])

    def current_value(self, scenario: Scenario) -> float:
        """The scenario's value in this parameter's terms (for a scale: mean ratio to default)."""
        value = resolve_path(scenario.model_dump(mode="json"), self.keys)
        if not self.scale:
            return float(value)
        default = resolve_path(_defaults(), self.keys)
        if isinstance(value, dict):
            ratios = [value[k] / default[k] for k in default if default[k]]
            return float(np.mean(ratios)) if ratios else 1.0
        return float(value / default) if default else 1.0

    def value_in_scenario(self, proposed: float, current: Any) -> Any:
        """What to write at the path for a proposed value (ints stay ints)."""
        if not self.scale:
            return round(proposed) if isinstance(current, int) else proposed
        default = resolve_path(_defaults(), self.keys)
        if isinstance(default, dict):
            return {k: round(v * proposed) if isinstance(v, int) else v * proposed
                    for k, v in default.items()}
        return round(default * proposed) if isinstance(default, int) else default * proposed


@functools.cache
def _defaults() -> dict[str, Any]:
    return Scenario(name="defaults").model_dump(mode="json")


def resolve_path(data: dict[str, Any], keys: tuple[str, ...]) -> Any:
    """The value at a key path of nested mappings; KeyError names the first missing key."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            raise KeyError(key)
        data = data[key]
    return data


def scenario_with(scenario: Scenario, parameters: list[FreeParameter],
                  values: dict[str, float]) -> Scenario:
    """A copy of `scenario` with the proposed values written at the parameters' paths."""
    data = scenario.model_dump(mode="json")
    for parameter in parameters:
        *parents, last = parameter.keys
        node = resolve_path(data, tuple(parents))
        node[last] = parameter.value_in_scenario(values[parameter.label], node[last])
    return scenario_from_mapping(data, label="proposed parameter values")


def read_config(path: Path, model: type[StrictModel]) -> tuple[Any, str]:
    """Validate a YAML config into `model`; problems name the file, line and key path."""
    config, label, _ = read_config_lines(path, model)
    return config, label


def read_config_lines(path: Path, model: type[StrictModel]) -> tuple[Any, str, dict]:
    """`read_config`, with the config's line index ({key path: line}) for later checks."""
    label = str(path)
    try:
        text = read_text(path)
    except InputError as error:
        raise ConfigError([Problem(label, error.line, (), _config_wording(error.message))]
                          ) from None
    try:
        document = parse_document(text, label, path)
    except ScenarioError as error:
        raise ConfigError([replace(problem, message=_config_wording(problem.message))
                           for problem in error.problems]) from None
    try:
        return model.model_validate(document.data), label, document.lines
    except ValidationError as error:
        problems = []
        for item in error.errors(include_url=False):
            loc = tuple(item["loc"])
            problems.append(Problem(label, line_of(document.lines, loc), loc, item["msg"],
                                    _closest_key(model, item)))
        raise ConfigError(problems) from None


def line_of(lines: dict, key_path: tuple) -> int | None:
    """The line of a key path in a config, or of the nearest key above it."""
    return next((lines[key_path[:end]] for end in range(len(key_path), -1, -1)
                 if key_path[:end] in lines), None)


def _config_wording(message: str) -> str:
    """The YAML reader's problems are worded for scenario files; say them of a config."""
    if message.startswith("file is empty"):
        return "file is empty; expected a mapping of the config's keys"
    if message.startswith("larger than"):
        return message.split(", the limit")[0] + ", the limit for a config file"
    return message.replace("the limit for a scenario file", "the limit for a config file")


def _closest_key(model: type[StrictModel], error: Any) -> str | None:
    """For a misspelt key at the top level or in a parameter entry, the closest valid one."""
    if error["type"] != "extra_forbidden":
        return None
    fields = FreeParameter.model_fields if len(error["loc"]) > 1 else model.model_fields
    return suggest(str(error["loc"][-1]), fields)


# --- evaluating proposals: fixed seeds on a pool of worker processes -----------------------------

def replicate_outcomes(scenario: Scenario, seed: int) -> dict[str, float]:
    """One replicate's outcomes (the summary row only; daily and event tables are not needed)."""
    from sim.model import JointActionModel  # here, so that `sim --help` need not import Mesa

    return {name: float(value)
            for name, value in JointActionModel(scenario, rng=seed).run().outcomes().items()}


class Evaluator:
    """Runs scenarios over a fixed list of seeds; one pool of "spawn" workers for the whole
    calibration (starting workers costs seconds, a replicate under one), or in-process."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Evaluator:
        if self.workers > 1:
            self._pool = ProcessPoolExecutor(self.workers,
                                             mp_context=multiprocessing.get_context("spawn"))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def run(self, scenarios: list[Scenario], seeds: list[int], *,
            each_done: Callable[[], None] | None = None) -> list[pd.DataFrame]:
        """Per scenario, one row of outcomes per seed (in seed order); `each_done` is called
        after every replicate (a progress bar)."""
        pairs = [(scenario, seed) for scenario in scenarios for seed in seeds]
        if self._pool is None:
            finished = (replicate_outcomes(scenario, seed) for scenario, seed in pairs)
        else:
            finished = self._pool.map(replicate_outcomes, *zip(*pairs, strict=True))
        rows = []
        for row in finished:
            rows.append(row)
            if each_done is not None:
                each_done()
        n = len(seeds)
        return [pd.DataFrame(rows[i * n:(i + 1) * n], index=pd.Index(seeds, name="seed"))
                for i in range(len(scenarios))]


