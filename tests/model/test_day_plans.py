"""Re-plans during the action (issue 36): a contingent's split and Frontex units by day, with
old files meaning "the same every day".

Small scenarios (sim/tests/strategies.py) over two or three days; each test runs a few
replicates of a fraction of a second.
"""

from __future__ import annotations

import pandas as pd
import pytest
from strategies import ROUTE_GRAPH, baseline, run_model, small_scenario

from sim.runs.replicate import daily_table
from sim.scenario.days import change_days, on_day
from sim.scenario.files import ScenarioError
from sim.scenario.schema import DEFAULT_SHARES

BORDER_HEAVY = {**DEFAULT_SHARES, "crossing": 0.15, "green_border": 0.50}  # adds up to 1


def replanned(**changes):
    """The small scenario over three days, Greece's split changing from day 3."""
    return small_scenario(action={"days": 3}, countries={
        "GR": {"shares_from_day": {3: BORDER_HEAVY}}}, **changes)


def test_a_file_without_day_plans_is_the_same_every_day():
    scenario = small_scenario(action={"days": 3})
    assert change_days(scenario) == []
    assert all(on_day(scenario, day) is scenario for day in (1, 2, 3))
    assert scenario.countries["GR"].shares_from_day == {}
    assert all(d.days is None for d in scenario.frontex)


def test_the_split_changes_from_its_day_and_the_days_before_are_untouched():
    plan, again = small_scenario(action={"days": 3}), replanned()
    assert change_days(again) == [3]
    assert on_day(again, 2).countries["GR"].shares == plan.countries["GR"].shares
    assert on_day(again, 3).countries["GR"].shares == BORDER_HEAVY
    for seed in (1, 2):
        before = daily_table(run_model(plan, seed))
        after = daily_table(run_model(again, seed))
        early = [table[table["day"] <= 2].reset_index(drop=True) for table in (before, after)]
        pd.testing.assert_frame_equal(*early)  # the same hours, checks and finds, to the bit
        greece = [table[(table["day"] == 3) & (table["country"] == "GR")]
                  .groupby("kind")["officer_hours"].sum() for table in (before, after)]
        # moving officers from the crossings to the green border changes both, in the
        # direction of the move, and keeps Greece's officer-hours
        assert greece[1]["crossing"] < greece[0]["crossing"]
        assert greece[1]["green_border"] > greece[0]["green_border"]
        assert greece[1].sum() == pytest.approx(greece[0].sum())


def test_a_frontex_unit_moved_works_at_its_new_place_only_from_its_day():
    frontex = [{"kind": "thermal_vision", "place": "gb_evros", "count": 1, "days": [1]},
               {"kind": "thermal_vision", "place": "gb_bg_tr", "count": 1, "days": [3]},
               {"kind": "detection_kit", "place": "kapitan_andreevo", "count": 1}]
    scenario = small_scenario(action={"days": 3}, frontex=frontex)
    assert change_days(scenario) == [2, 3]
    model = run_model(scenario, 1)  # at the end: day 3's plan
    assert model.frontex_at == {("gb_bg_tr", "thermal_vision"): 1,
                                ("kapitan_andreevo", "detection_kit"): 1}
    first = on_day(scenario, 1)
    assert {(d.place, d.kind) for d in first.frontex} == {("gb_evros", "thermal_vision"),
                                                        ("kapitan_andreevo", "detection_kit")}
    assert [d.place for d in on_day(scenario, 2).frontex] == ["kapitan_andreevo"]


def test_networks_see_the_checks_as_they_stand_before_the_action():
    """A scanning team that arrives on day 3 is not in the picture the networks form before
    the action, so the first two days are those of the plan without it."""
    plan = baseline(action={"days": 3})
    later = baseline(action={"days": 3}, scanning_teams={"teams": [
        *(t.model_dump(mode="json") for t in plan.scanning_teams.teams),
        {"place": "kakavia", "country": "NL", "hours": [6, 22], "days": [3]}]})
    first, second = (daily_table(run_model(s, 4)) for s in (plan, later))
    pd.testing.assert_frame_equal(first[first["day"] <= 2].reset_index(drop=True),
                                  second[second["day"] <= 2].reset_index(drop=True))


@pytest.mark.parametrize(("changes", "message"), [
    ({"countries": {"GR": {"shares_from_day": {1: BORDER_HEAVY}}}}, "name days from 2"),
    ({"countries": {"GR": {"shares_from_day": {3: {"crossing": 0.5}}}}}, "day 3: shares must "
     "add up to 1"),
    ({"countries": {"GR": {"shares_from_day": {5: BORDER_HEAVY}}}}, "day 5 is outside the "
     "action"),
    ({"frontex": [{"kind": "thermal_vision", "place": "gb_evros", "days": [0]}]},
     "day 0 is outside the action"),
    ({"frontex": [{"kind": "thermal_vision", "place": "gb_evros", "days": []}]},
     "an empty list of days"),
])
def test_a_day_plan_outside_the_action_or_not_adding_up_is_refused(changes, message):
    with pytest.raises(ScenarioError, match=message):
        small_scenario(action={"days": 3}, **changes)


def test_equipment_is_refused_on_the_days_no_host_officer_stands_there():
    """Greece and Turkey take their crossing officers away from day 2: a detection kit at
    their crossing working every day would work with nobody on days 2 and 3, and is refused,
    naming them."""
    nobody_at_crossings = {**DEFAULT_SHARES, "crossing": 0.0,
                           "road_checkpoint": DEFAULT_SHARES["road_checkpoint"] + 0.45}
    with pytest.raises(ScenarioError, match="kipoi' would work with nobody on days 2, 3"):
        small_scenario(action={"days": 3}, scanning_teams={"teams": []}, frontex=[
            {"kind": "detection_kit", "place": "kipoi", "count": 1}],
            countries={code: {"shares_from_day": {2: nobody_at_crossings}}
                       for code in ("GR", "TR")})
    small_scenario(action={"days": 3}, scanning_teams={"teams": []}, frontex=[
        {"kind": "detection_kit", "place": "kipoi", "count": 1, "days": [1]}],
        countries={code: {"shares_from_day": {2: nobody_at_crossings}} for code in ("GR", "TR")})
    assert ROUTE_GRAPH.graph.nodes["kipoi"]["kind"] == "crossing"
