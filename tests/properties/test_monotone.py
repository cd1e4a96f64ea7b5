"""Monotone responses, as statistical tests on paired replicates.

Each test runs a base scenario and one change with the same replicate seeds (common random
numbers: the same criminals, departures and traffic in replicate k), and looks at the paired
differences. Tolerance, stated once: the mean paired difference may fall short of zero by at most
`SHORTFALL_SE` standard errors of that mean (a one-sided test that would raise a false alarm about
2 % of the time if the change had no effect at all; the changes tested here have clear effects
in the expected direction, so a failure means the mechanism answers the wrong way).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from strategies import baseline, run_model

from sim.model import JointActionModel
from sim.model.agents import MovementState
from sim.model.streams import replicate_seeds
from sim.scenario.schema import Scenario

REPLICATES = 10
SHORTFALL_SE = 2.0
ROOT_SEED = 20231113

Measure = Callable[[JointActionModel], float]


def paired_differences(base: Scenario, changed: Scenario, measure: Measure,
                       replicates: int = REPLICATES) -> np.ndarray:
    """measure(changed) - measure(base) in each replicate, same seed on both sides."""
    seeds = replicate_seeds(ROOT_SEED, replicates)
    return np.array([measure(run_model(changed, seed)) - measure(run_model(base, seed))
                     for seed in seeds])


def assert_not_lower(differences: np.ndarray) -> None:
    """The mean paired difference is not below zero beyond the stated tolerance."""
    mean = float(differences.mean())
    standard_error = float(differences.std(ddof=1) / np.sqrt(len(differences)))
    assert mean >= -SHORTFALL_SE * standard_error, (
        f"mean paired difference {mean:.3f} below -{SHORTFALL_SE} x SE {standard_error:.3f}; "
        f"differences {differences.tolist()}")


def outcome(name: str) -> Measure:
    return lambda model: model.outcomes()[name]


@pytest.mark.slow
def test_more_officers_everywhere_never_lowers_mean_arrests():
    base = baseline(action={"days": 1})
    more = baseline(action={"days": 1}, countries={
        code: {"officers": contingent.officers * 3 // 2}
        for code, contingent in base.countries.items()})
    assert more.officers_total > base.officers_total
    differences = paired_differences(base, more, outcome("arrests_total"))
    assert_not_lower(differences)


def concealed_goods_detections(place: str) -> Measure:
    """Interceptions at `place` of movements hiding goods (drugs, weapons) in a vehicle."""
    def measure(model: JointActionModel) -> float:
        movements = {m.unique_id: m for m in model.movements}
        found = 0
        for event in model.events:
            if event["kind"] != "interception" or event["place"] != place:
                continue
            movement = movements[event["movement"]]
            cargo = movement.cargo
            if movement.concealment != "none" and (cargo.drugs_kg or cargo.weapons):
                assert movement.state == MovementState.INTERCEPTED  # a seized load ends it
                found += 1
        return float(found)
    return measure


@pytest.mark.slow
def test_adding_a_scanning_team_never_lowers_concealed_goods_detections_at_its_crossing():
    place = "horgos"  # a busy crossing on the drug corridors, without a team in the baseline
    base = baseline(action={"days": 1})
    assert place not in {team.place for team in base.scanning_teams.teams}
    teams = [team.model_dump(mode="json") for team in base.scanning_teams.teams]
    with_team = baseline(action={"days": 1}, scanning_teams={"teams": [
        *teams, {"place": place, "country": "NL", "hours": [6, 22]}]})
    differences = paired_differences(base, with_team, concealed_goods_detections(place))
    assert_not_lower(differences)


@pytest.mark.slow
def test_removing_the_coordination_centre_never_raises_mean_cases_opened():
    base = baseline(action={"days": 1})
    without = baseline(action={"days": 1},
                       europol={"coordination_centre": {"enabled": False}})
    differences = paired_differences(without, base, outcome("cases_opened"))
    assert_not_lower(differences)  # with the centre minus without it: not below zero
