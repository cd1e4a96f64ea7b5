"""Bulk shipments: a heavy tail of large loads, their own random stream, and the spread they
give the cocaine seized between replicates."""

from __future__ import annotations

import numpy as np
import pytest
from strategies import ROUTE_GRAPH, baseline, run_model

from sim.model import JointActionModel
from sim.model.shipments import pareto_load


def test_pareto_loads_stay_within_their_bounds_and_have_a_heavy_tail():
    uniforms = np.random.default_rng(1).random(20_000)
    loads = np.array([pareto_load(u, 100.0, 2000.0, 1.2) for u in uniforms])
    assert loads.min() >= 100.0 and loads.max() <= 2000.0
    assert pareto_load(0.0, 100.0, 2000.0, 1.2) == pytest.approx(100.0)
    assert pareto_load(1.0, 100.0, 2000.0, 1.2) == pytest.approx(2000.0)
    # heavy tail: the largest tenth of loads carries far more than a tenth of the total
    top = np.sort(loads)[-len(loads) // 10:]
    assert top.sum() / loads.sum() > 0.3
    # a lighter tail (larger index) puts less weight there
    lighter = np.array([pareto_load(u, 100.0, 2000.0, 3.0) for u in uniforms])
    assert np.sort(lighter)[-len(loads) // 10:].sum() / lighter.sum() < top.sum() / loads.sum()


def planned(scenario, seed: int) -> JointActionModel:
    """A model built (its trips planned) but not run: reactions have not changed any trip."""
    return JointActionModel(scenario, rng=seed, route_graph=ROUTE_GRAPH)


# Shipments a week where the process is tested: inside the sourced 1.5-10 of the registry,
# whatever the fit's value (a fit near its low bound plans none in many replicates).
BULK = {"bulk_shipments_per_week": 5.0}


def test_bulk_shipments_are_common_random_numbers_and_leave_ordinary_trips_alone():
    seed = 11
    with_bulk = planned(baseline(parameters=BULK), seed)
    without = planned(baseline(parameters={"bulk_shipments_per_week": 0.0}), seed)
    other_allocation = planned(baseline(targeting="random", parameters=BULK), seed)
    ordinary = [(m.kind, m.departure) for m in without.movements]
    # switching the bulk process off removes its trips and moves no ordinary trip
    assert [(m.kind, m.departure) for m in with_bulk.movements][:len(ordinary)] == ordinary
    extra = with_bulk.movements[len(ordinary):]
    assert extra and all(m.cargo.drugs_kg["cocaine"] >= 100.0 for m in extra)
    # another allocation faces the same bulk shipments in the same replicate
    assert ([(m.departure, m.cargo.drugs_kg["cocaine"]) for m in other_allocation.movements
             [len(ordinary):]] == [(m.departure, m.cargo.drugs_kg["cocaine"]) for m in extra])


@pytest.mark.slow
def test_bulk_shipments_give_cocaine_seizures_a_right_skewed_spread():
    """Over 12 replicates of the baseline with bulk shipments the mean of cocaine seized exceeds
    its median (a few large seizures dominate), and what the bulk process adds, paired by seed,
    is itself right-skewed: nothing in most replicates, hundreds of kilograms in a few."""
    seeds = range(12)
    on = np.array([run_model(baseline(parameters=BULK), s).outcomes()["cocaine_kg"]
                   for s in seeds])
    off = np.array([run_model(baseline(parameters={"bulk_shipments_per_week": 0.0}),
                              s).outcomes()["cocaine_kg"] for s in seeds])
    assert on.mean() > np.median(on)
    added = on - off
    assert added.mean() > np.median(added)
    assert added.max() > 100.0
    assert on.sum() > off.sum()
