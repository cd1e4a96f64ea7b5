"""The model as an EMA Workbench model: uncertainties and levers named by `sim params` paths.

    from sim.inference.ema import ema_model
    from ema_workbench import perform_experiments
    model = ema_model(uncertainties={"criminal.flow_scale": (0.8, 1.2)},
                      levers={"europol.coordination_centre.enabled": [True, False]},
                      outcomes=["arrests_total", "cases_opened"], replicates=10)
    experiments, outcomes = experiments_of(model, scenarios=20, policies=2, seed=1)

`experiments_of` is the workbench's `perform_experiments` with its samples drawn from a seed
(the workbench draws them unseeded by default), so the same call gives the same experiments.
Each experiment runs `replicates` replicates of the scenario with the sampled values as `a__b`
overrides (validated like a scenario file) and reports each outcome's mean over them. Every
experiment uses the same replicate seeds, so two policies meet the same criminals and traffic
(common random numbers) and their difference measures the policy.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sim.model.outcomes import OUTCOME_NAMES
from sim.runs.runner import run
from sim.scenario.files import Problem, ScenarioError, suggest
from sim.scenario.paths import BASELINE, settable_paths


def outcome_means(scenario: str | Path = BASELINE, *, replicates: int = 10, workers: int = 1,
                  outcomes: Sequence[str] = OUTCOME_NAMES, **overrides: Any) -> dict[str, float]:
    """Mean of each outcome over `replicates` replicates of `scenario` with `overrides`."""
    results = run(scenario, replicates=replicates, workers=workers, **overrides)
    return {name: float(results.summary[name].mean()) for name in outcomes}


def ema_model(*, uncertainties: Mapping[str, Any] | None = None,
              levers: Mapping[str, Any] | None = None,
              outcomes: Sequence[str] = OUTCOME_NAMES, constants: Mapping[str, Any] | None = None,
              scenario: str | Path = BASELINE, replicates: int = 10, name: str = "jad_see"):
    """An `ema_workbench.Model` of the scenario. Uncertainties and levers map a `sim params` path
    to a `(low, high)` range (a real or integer parameter, by the path's type) or a list of
    values (categorical; `[True, False]` a boolean); constants map a path to a fixed value."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optional parallel back-ends the workbench lacks
        import ema_workbench as ema

    types = {p.path: p.type for p in settable_paths()}
    for path in [*(uncertainties or {}), *(levers or {}), *(constants or {})]:
        if path not in types:
            raise ScenarioError([Problem("ema_model", None, tuple(path.split(".")),
                                         "not a settable path (sim params lists them)",
                                         suggest(path, types))])
    unknown = [o for o in outcomes if o not in OUTCOME_NAMES]
    if unknown:
        raise ValueError(f"unknown outcome {unknown[0]!r}; valid: {', '.join(OUTCOME_NAMES)}")

    def parameter(path: str, values: Any):
        key = path.replace(".", "__")
        if isinstance(values, tuple) and len(values) == 2:
            kind = ema.IntegerParameter if types[path] == "int" else ema.RealParameter
            return kind(key, *values)
        if list(values) in ([True, False], [False, True]):
            return ema.BooleanParameter(key)
        return ema.CategoricalParameter(key, list(values))

    def experiment(**inputs: Any) -> dict[str, float]:
        return outcome_means(scenario, replicates=replicates, outcomes=outcomes, **inputs)

    model = ema.Model(name, function=experiment)
    model.uncertainties = [parameter(p, v) for p, v in (uncertainties or {}).items()]
    model.levers = [parameter(p, v) for p, v in (levers or {}).items()]
    model.constants = [ema.Constant(p.replace(".", "__"), v) for p, v in
                       (constants or {}).items()]
    model.outcomes = [ema.ScalarOutcome(o) for o in outcomes]
    return model


def experiments_of(model, *, scenarios: int = 0, policies: int = 0, seed: int,
                   evaluator=None, **options: Any):
    """`ema_workbench.perform_experiments(model, scenarios, policies, ...)` with the samples
    of uncertainties and of levers drawn from `seed` (one stream each:
    `SeedSequence(seed).spawn(2)`), so the same seed gives the same experiments; without an
    `evaluator`, a `SequentialEvaluator`. Other `options` go to `perform_experiments`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optional parallel back-ends the workbench lacks
        from ema_workbench import SequentialEvaluator, perform_experiments

    uncertainty_seed, lever_seed = (int(child.generate_state(1, dtype=np.uint64)[0] >> 1)
                                    for child in np.random.SeedSequence(seed).spawn(2))
    options = {"uncertainty_sampling_kwargs": {"rng": uncertainty_seed},
               "lever_sampling_kwargs": {"rng": lever_seed}, **options}
    if evaluator is not None:
        return perform_experiments(model, scenarios, policies, evaluator=evaluator, **options)
    with SequentialEvaluator(model) as sequential:
        return perform_experiments(model, scenarios, policies, evaluator=sequential, **options)
