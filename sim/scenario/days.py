"""Allocations that change during the action: the allocation as it stands on one action day.

A scenario may re-plan from a day on: a contingent's split of its officers over posting kinds
(`countries.<code>.shares_from_day`), the days a Frontex deployment works at its place
(`frontex[].days`) and the days a scanning team works at its place (`scanning_teams.teams[].days`,
which the model reads day by day itself). A file without these keys means "the same every day",
as before they existed: its day plan is the scenario itself, so the model runs exactly as it did.

`on_day(scenario, day)` is the scenario with that day's split and that day's Frontex units (the
officer units, their places and the equipment the model builds at the start of the day);
`change_days(scenario)` the days (from 2) whose plan differs from the day before's, at the start
of which the model re-posts its officers and units (`sim.model.reallocation`).
"""

from __future__ import annotations

from sim.scenario.schema import CountryContingent, FrontexDeployment, Scenario


def has_day_plans(scenario: Scenario) -> bool:
    """Whether any contingent or Frontex deployment changes during the action (scanning teams'
    days are read by the model hour by hour and change no officer unit)."""
    return (any(c.shares_from_day for c in scenario.countries.values())
            or any(d.days is not None for d in scenario.frontex))


def shares_on_day(contingent: CountryContingent, day: int) -> dict[str, float]:
    """The split of a contingent on action `day`: the last `shares_from_day` entry from that
    day or before it, else `shares`."""
    shares = contingent.shares
    for first, later in contingent.shares_from_day.items():  # sorted by day
        if first <= day:
            shares = later
    return shares


def frontex_on_day(scenario: Scenario, day: int) -> list[FrontexDeployment]:
    """The Frontex deployments working on action `day`."""
    return [d for d in scenario.frontex if d.days is None or day in d.days]


def on_day(scenario: Scenario, day: int) -> Scenario:
    """The scenario as it stands on action `day` (1-based): each contingent split as on that
    day, only the Frontex units working that day. The scenario itself when nothing changes
    during the action."""
    if not has_day_plans(scenario):
        return scenario
    countries = {code: contingent.model_copy(update={
        "shares": dict(shares_on_day(contingent, day)), "shares_from_day": {}})
        for code, contingent in scenario.countries.items()}
    frontex = [d.model_copy(update={"days": None}) for d in frontex_on_day(scenario, day)]
    return scenario.model_copy(update={"countries": countries, "frontex": frontex})


def change_days(scenario: Scenario) -> list[int]:
    """The action days from 2 on whose plan (splits, Frontex units) differs from the day
    before's: the model re-posts its officers at their start."""
    if not has_day_plans(scenario):
        return []
    days = scenario.action.days
    plans = [_plan_key(scenario, day) for day in range(1, days + 1)]
    return [day for day in range(2, days + 1) if plans[day - 1] != plans[day - 2]]


def _plan_key(scenario: Scenario, day: int) -> tuple:
    return (tuple(sorted((code, tuple(sorted(shares_on_day(c, day).items())))
                         for code, c in scenario.countries.items())),
            tuple((d.kind, d.place, d.side, d.count) for d in frontex_on_day(scenario, day)))


def distinct_plans(scenario: Scenario) -> list[tuple[list[int], Scenario]]:
    """Each distinct plan of the action with the days it holds (one entry, every day, for a
    scenario without day plans): what the allocation checks judge day by day."""
    if not has_day_plans(scenario):
        return [(list(range(1, scenario.action.days + 1)), scenario)]
    plans: dict[tuple, tuple[list[int], Scenario]] = {}
    for day in range(1, max(scenario.action.days, 1) + 1):
        key = _plan_key(scenario, day)
        if key in plans:
            plans[key][0].append(day)
        else:
            plans[key] = ([day], on_day(scenario, day))
    return list(plans.values())
