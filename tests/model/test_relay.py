"""Alerts that travel, analysts with capacity, units that answer alerts, continuous evidence.

The paired tests run the baseline shortened to two days (the mechanisms show within it) and one
change, 30 replicates on common seeds, and require the mean paired difference to lie beyond
`SIGNIFICANT_SE` standard errors of that mean in the direction the mechanism says (a one-sided
test with a false-alarm rate near 0.6 % if the change did nothing).

Relay delay and cases: with the scenario's default 72-hour follow-up window, a 24-hour relay
delay still brings every piece of evidence home inside the window, so cases lose only the
evidence of the linked movements the late alerts no longer stop. Measured with this file's
`paired` on `baseline(action={"days": d})` with the default window, 30 replicates, relay delay
1 h vs 24 h: over two days linked
interceptions -1.4 (SE 0.29) but cases -0.27 (SE 0.57); over the six days linked interceptions
-8.3 (SE 1.2), cases -2.5 (SE 1.1), beyond two standard errors but not the 2.5 this file asks.
So the default-window test asserts linked interceptions and alerts in time only, and the cases
test uses a 12-hour window (`WINDOW`), where the delay does push the last evidence past it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from strategies import baseline, run_model

from sim.model import JointActionModel
from sim.model.relay import CrossChecks, Hit, link_chance
from sim.model.streams import replicate_seeds
from sim.scenario.parameters import Parameters
from sim.scenario.schema import DEFAULT_SHARES, Scenario

REPLICATES = 30
SIGNIFICANT_SE = 2.5
ROOT_SEED = 20231113
WINDOW = {"follow_up_hours": 12.0}


def short(**changes) -> Scenario:
    return baseline(action={"days": 2}, **changes)


def paired(base: Scenario, changed: Scenario,
           measures: dict[str, Callable[[JointActionModel], float]]) -> dict[str, np.ndarray]:
    """changed - base for each measure, replicate by replicate on the same seeds."""
    differences: dict[str, list[float]] = {name: [] for name in measures}
    for seed in replicate_seeds(ROOT_SEED, REPLICATES):
        one, other = run_model(base, seed), run_model(changed, seed)
        for name, measure in measures.items():
            differences[name].append(measure(other) - measure(one))
    return {name: np.array(values) for name, values in differences.items()}


def assert_lower(differences: np.ndarray, what: str) -> None:
    """The changed scenario's mean is significantly below the base's."""
    mean = float(differences.mean())
    error = float(differences.std(ddof=1) / np.sqrt(len(differences)))
    assert mean < -SIGNIFICANT_SE * error and mean < 0, (
        f"{what}: mean paired difference {mean:.3f}, SE {error:.3f}")


def outcome(name: str) -> Callable[[JointActionModel], float]:
    return lambda model: model.outcomes()[name]


@pytest.mark.slow
def test_a_slow_relay_intercepts_fewer_linked_movements_and_opens_fewer_cases():
    """Evidence from abroad must reach the home country within the follow-up window: a day's
    relay delay loses the last day's evidence, and alerts arrive after linked movements pass."""
    fast = short(europol={"coordination_centre": {"relay_delay_hours": 1}}, parameters=WINDOW)
    slow = short(europol={"coordination_centre": {"relay_delay_hours": 24}}, parameters=WINDOW)
    differences = paired(fast, slow, {name: outcome(name) for name in (
        "linked_movements_intercepted", "cases_opened", "alerts_in_time")})
    for name, values in differences.items():
        assert_lower(values, name)


@pytest.mark.slow
def test_a_slow_relay_intercepts_fewer_linked_movements_with_the_default_window():
    """The scenario's own follow-up window (72 h): alerts a day late find the linked movements
    gone; cases are not asserted (the module docstring says why the difference is small)."""
    fast = short(europol={"coordination_centre": {"relay_delay_hours": 1}})
    slow = short(europol={"coordination_centre": {"relay_delay_hours": 24}})
    assert fast.parameters.follow_up_hours == Parameters().follow_up_hours
    differences = paired(fast, slow, {name: outcome(name) for name in (
        "linked_movements_intercepted", "alerts_in_time")})
    for name, values in differences.items():
        assert_lower(values, name)


@pytest.mark.slow
def test_one_analyst_links_less_than_twelve():
    """Fewer links: fewer alerts, fewer of them in time, fewer linked movements stopped. (Cases
    differ too over six days, `sim decompose`; in two days the difference, about -2 of 50, is
    within 2.5 standard errors.)"""
    twelve = short(europol={"analysts_on_ground": 12})
    one = short(europol={"analysts_on_ground": 1})
    differences = paired(twelve, one, {name: outcome(name) for name in (
        "alerts_relayed", "alerts_in_time", "linked_movements_intercepted")})
    for name, values in differences.items():
        assert_lower(values, name)


def _without_coordination_officers() -> dict:
    shares = dict(DEFAULT_SHARES)
    shares["road_checkpoint"] += shares.pop("coordination")
    shares["coordination"] = 0.0
    return {code: {"shares": shares} for code in short().countries}


@pytest.mark.slow
def test_a_centre_without_coordination_officers_relays_less():
    staffed = short()
    empty = short(countries=_without_coordination_officers())
    assert run_model(empty, 1).on_duty["coordination"].sum() == 0
    differences = paired(staffed, empty, {"alerts_relayed": outcome("alerts_relayed")})
    assert_lower(differences["alerts_relayed"], "alerts_relayed")


@pytest.mark.slow
def test_units_answering_alerts_intercept_more_linked_movements():
    none = short(response={"mobile_share": 0.0})
    some = short(response={"mobile_share": 0.3})
    differences = paired(some, none, {
        "linked_movements_intercepted": outcome("linked_movements_intercepted")})
    assert_lower(differences["linked_movements_intercepted"], "linked_movements_intercepted")


def test_events_name_the_retasked_unit_and_its_stops():
    scenario = short(response={"mobile_share": 0.3})
    stops = retasked = 0
    for seed in replicate_seeds(ROOT_SEED, 4):
        model = run_model(scenario, seed)
        units = {unit.unique_id: unit for unit in model.units}
        sent = {(e["unit"], e["place"]) for e in model.events if e["kind"] == "retasking"}
        retasked += len(sent)
        for unit_id, _ in sent:
            assert units[unit_id].mobile
        for event in model.events:
            if event["kind"] == "interception" and event["equipment"] == "alert_response":
                assert (event["unit"], event["place"]) in sent
                stops += 1
        assert model.outcomes()["units_retasked"] == sum(
            e["kind"] == "retasking" for e in model.events)
    assert retasked > 0 and stops > 0


class _CountingDraws:
    """A stream whose draws never stop anything, counting how many were taken."""

    def __init__(self) -> None:
        self.draws = 0

    def random(self) -> float:
        self.draws += 1
        return 1.0


def test_a_watching_unit_has_one_chance_at_a_vehicle_that_waits_and_comes_back():
    from sim.model.response import Watch

    model = JointActionModel(short(response={"mobile_share": 0.3}), rng=3)
    response = model.intel.response
    first, second = model.movements[0], next(
        m for m in model.movements[1:] if m.network is model.movements[0].network)
    place = first.route[0]
    unit = next(u for u in model.units if u.mobile)
    response.watches[place] = [Watch(unit, first.network.unique_id, 0.0, 10.0)]
    response.rng = draws = _CountingDraws()
    model.clock = 1.0
    assert not response.stops(first, place)
    model.clock = 5.0  # the same vehicle back after waiting for darkness or an opening
    assert not response.stops(first, place)
    assert draws.draws == 1
    assert not response.stops(second, place)  # another vehicle of the network: its own chance
    assert draws.draws == 2


def test_no_mobile_units_no_retasking():
    model = run_model(short(response={"mobile_share": 0.0}), 5)
    assert not any(e["kind"] == "retasking" for e in model.events)
    assert model.outcomes()["units_retasked"] == 0


def test_link_chance_rises_with_analyst_time_with_diminishing_returns():
    parameters = Parameters()
    chances = [link_chance(t, parameters) for t in np.linspace(0, 1.0, 11)]
    assert chances[0] == pytest.approx(parameters.link_probability_national)
    assert chances[-1] == pytest.approx(parameters.link_probability_europol)
    gains = np.diff(chances)
    assert (gains > 0).all() and (np.diff(gains) < 0).all()


def test_analysts_share_their_hours_and_fewer_analysts_give_each_hit_less():
    """Ten hits no national database links: twelve analysts (six at work) finish each full
    cross-check within two hours; one analyst shares half an hour an hour between them until
    the deadline closes them with 0.6 analyst-hours each, and a lower chance of a link."""
    spent = {}
    for analysts in (1, 12):
        model = JointActionModel(short(europol={"analysts_on_ground": analysts}), rng=3)
        checks = CrossChecks(model)
        hits = [Hit(model.networks[0], "evzonoi", 0.0, None, 0.99) for _ in range(10)]
        for hit in hits:
            assert not checks.submit(hit)
        hour = 0
        while checks.waiting:
            hour += 1
            checks.work(float(hour))
        spent[analysts] = ([hit.spent for hit in hits], hour)
    assert spent[12] == ([pytest.approx(1.0)] * 10, 2)
    deadline = Parameters().cross_check_deadline_hours
    assert spent[1] == ([pytest.approx(deadline * 0.5 / 10)] * 10, deadline)
    assert link_chance(0.6, Parameters()) < link_chance(1.0, Parameters())


def test_cases_change_smoothly_with_the_threshold():
    """Evidence is continuous: no step of 0.05 in the threshold moves many cases at once."""
    model = run_model(baseline(), 7)
    evidence = np.array([network.evidence for network in model.networks])
    thresholds = np.arange(1.0, 4.0, 0.05)
    cases = np.array([(evidence >= t).sum() for t in thresholds])
    assert np.abs(np.diff(cases)).max() <= 0.1 * cases.max()


def test_networks_hear_of_their_losses_without_any_relay():
    quiet = short(europol={"coordination_centre": {"enabled": False}},
                  parameters={"relay_probability_without_centre": 0.0})
    model = run_model(quiet, 2)
    assert model.outcomes()["alerts_relayed"] == 0
    causes = [e.get("detail", "") for e in model.events if e["kind"] == "displacement"]
    assert any("after seizure" in c or "after raid" in c for c in causes)
    deaf = short(parameters={"hear_own_loss_probability": 0.0,
                             "hear_corridor_seizure_probability": 0.0})
    heard = [e.get("detail", "") for e in run_model(deaf, 2).events
             if e["kind"] == "displacement"]
    assert not any("seizure" in c or "raid" in c for c in heard)


def test_a_retired_parameter_says_what_to_write_instead():
    from sim.scenario.files import ScenarioError, scenario_from_mapping

    with pytest.raises(ScenarioError, match="hear_corridor_seizure_probability"):
        scenario_from_mapping({"name": "x", "parameters": {"learn_of_alert_probability": 0.3}},
                              label="test")
