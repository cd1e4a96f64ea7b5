"""The EMA Workbench drives the model with uncertainties and levers named by `sim params`
paths (docs/experiments.md)."""

from __future__ import annotations

import warnings

import pytest

from sim.inference.ema import ema_model
from sim.scenario.files import ScenarioError

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from ema_workbench import SequentialEvaluator, perform_experiments


def test_the_workbench_runs_uncertainties_and_levers_on_common_random_numbers():
    model = ema_model(uncertainties={"criminal.flow_scale": (0.8, 1.2)},
                      levers={"europol.coordination_centre.enabled": [True, False]},
                      constants={"action.days": 1, "criminal.networks_scale": 0.3},
                      outcomes=["arrests_total", "alerts_relayed"], replicates=2)
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(model, scenarios=2, policies=2,
                                                    evaluator=evaluator)
    assert {"criminal__flow_scale", "europol__coordination_centre__enabled"} <= set(
        experiments.columns)
    assert len(experiments) == 4 and outcomes["arrests_total"].shape == (4,)
    experiments["alerts_relayed"] = outcomes["alerts_relayed"]
    # the same sampled world (same flow scale, same seeds) with and without the centre
    by_world = experiments.pivot_table(index="criminal__flow_scale",
                                       columns="europol__coordination_centre__enabled",
                                       values="alerts_relayed")
    assert (by_world[False] < by_world[True]).all()


def test_a_path_that_is_not_settable_is_refused_with_the_closest_one():
    with pytest.raises(ScenarioError, match=r"did you mean 'intelligence\.coverage'"):
        ema_model(uncertainties={"intelligence.coverag": (0.1, 0.5)})


def test_experiments_drawn_from_a_seed_are_the_same_experiments():
    """The workbench samples unseeded by default; `experiments_of` draws from a seed. A stand-in
    model function keeps this cheap: what is tested is the sampling."""
    import ema_workbench as ema

    from sim.inference.ema import experiments_of

    model = ema.Model("stand_in", function=lambda flow=1.0, share=0.5: {"y": flow * share})
    model.uncertainties = [ema.RealParameter("flow", 0.5, 1.5)]
    model.levers = [ema.RealParameter("share", 0.0, 1.0)]
    model.outcomes = [ema.ScalarOutcome("y")]
    runs = [experiments_of(model, scenarios=3, policies=2, seed=seed)[0]
            for seed in (11, 11, 12)]
    assert runs[0][["flow", "share"]].equals(runs[1][["flow", "share"]])
    assert not runs[0]["flow"].equals(runs[2]["flow"])
    assert len(runs[0]) == 6
