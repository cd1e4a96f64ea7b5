"""What a re-plan during the action may change, and from when (`sim optimise CONFIG --from-day K
--ensemble DIR`; the search, its report and the gain against keeping the plan are
`sim.decisions.replan`): on the evening of day K, with the reports of days 1 to K in the
updated ensemble (`sim assimilate`), the changes that can still be made for days K+1 to the end.

What can change, and from when (config block `replan:`, defaults stated here):

- **contingents' shares** from day K+1: a national commander re-tasks officers for the next
  shift; written as `countries.<code>.shares_from_day: {K+1: ...}`;
- **scanning teams** work at a new place from day K+1+`scanning_team_delay_days` (default 1):
  a scanner lorry crosses the region overnight (Evzonoi to Debeli Brijeg is some 700 km of
  road) and needs the host country's consent and a lane; the day between it works nowhere. A
  team that stays keeps its entry; a team that moves becomes two entries, each with its days;
- **Frontex units** likewise from day K+1+`frontex_delay_days` (default 1): a change of the
  operational plan agreed with the host country and a day's transfer; units that stay at a
  place keep working there.

Days 1 to K stay as they were (the plan's own, on the same seeds: every proposal's first K days
are the plan's, to the bit), so the paired difference from keeping the plan is the difference
the re-plan makes. Transfers of officers between countries and shift rosters cannot change
during the action and are refused in such a search.

The members of the search are those of the updated ensemble: when its weights are unequal (no
refresh was needed), the search's members and the report's fresh ones are drawn from it by
systematic resampling by weight (seeded), so that an equally weighted mean over them estimates
the weighted one.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from sim.inference.experiments import ConfigError
from sim.inference.refresh import systematic
from sim.scenario.files import Problem, merge, scenario_from_mapping
from sim.scenario.parameters import StrictModel
from sim.scenario.posterior import draw_values, read_posterior
from sim.scenario.schema import Scenario

ENSEMBLE = "ensemble.csv"  # the updated ensemble in a `sim assimilate` folder


class Replan(StrictModel):
    """A re-plan during the action: from which evening, and how long moves take."""

    from_day: int | None = Field(None, ge=1, le=60, description="The evening the search "
                                 "starts from: days 1 to from_day stay as planned (the command "
                                 "line's --from-day).")
    scanning_team_delay_days: int = Field(1, ge=0, le=10, description="Days a moved scanning "
                                          "team works nowhere before its new place.")
    frontex_delay_days: int = Field(1, ge=0, le=10, description="Days a moved Frontex unit "
                                    "works nowhere before its new place.")


def check_replan(replan: Replan, decisions: Any, scenario: Scenario, label: str) -> None:
    """What a search from day K can change: refused for transfers and shifts, for a day
    outside the action, for resources the plan already moves by day, and when no change could
    take effect before the action ends."""
    day, days = replan.from_day, scenario.action.days

    def fail(path: tuple, message: str) -> None:
        raise ConfigError([Problem(label, None, path, message)])

    if not 1 <= day < days:
        fail(("replan", "from_day"), f"day {day}: a re-plan starts on the evening of a day "
             f"before the last (1 to {days - 1})")
    if decisions.transfers:
        fail(("decisions", "transfers"), "officers cannot move between countries during the "
             "action (a contingent is committed for the whole action); search shares instead")
    if decisions.shifts:
        fail(("decisions", "shifts"), "shift rosters are not re-planned during the action; "
             "leave shifts out of a search from a day")
    if decisions.shares is not None:
        codes = (list(scenario.countries) if decisions.shares.countries == "all"
                 else decisions.shares.countries)
        moved = [c for c in codes if c in scenario.countries
                 and scenario.countries[c].shares_from_day]
        if moved:
            fail(("decisions", "shares"), f"{moved[0]}'s split already changes during the "
                 "action (shares_from_day); search from the plan without it")
    kinds = {f.kind for f in decisions.frontex}
    dated = [d for d in scenario.frontex if d.kind in kinds and d.days is not None]
    if dated:
        fail(("decisions", "frontex"), f"the plan's {dated[0].kind} units already work by day "
             "(frontex[].days); search from the plan without them")
    teams_late = day + 1 + replan.scanning_team_delay_days > days
    frontex_late = day + 1 + replan.frontex_delay_days > days
    if (decisions.shares is None and (decisions.scanning_teams is None or teams_late)
            and (not decisions.frontex or frontex_late)):
        fail(("replan", "from_day"), f"from the evening of day {day} no change of this search "
             f"could take effect before the action ends (day {days}): teams and Frontex units "
             "arrive a day or more later")


def _after(days: list[int] | None, first: int, last: int, total: int) -> list[int]:
    return [d for d in (days or range(1, total + 1)) if first <= d <= last]


def dated_teams(plan: list[dict], proposed: list[dict], day: int, delay: int, total: int
                ) -> list[dict]:
    """Team i of the plan against team i of the proposal: the same team, place, hours and days
    keep one entry; a moved team works its old place to `day` and its new place from day + 1 +
    `delay` (a team only in the plan stops after `day`; one only in the proposal arrives
    then)."""
    result = []
    for i in range(max(len(plan), len(proposed))):
        old = plan[i] if i < len(plan) else None
        new = proposed[i] if i < len(proposed) else None
        if old is not None and new is not None and all(
                old.get(k) == new.get(k) for k in ("place", "hours", "days", "country")):
            result.append(old)
            continue
        if old is not None:
            kept = _after(old.get("days"), 1, day, total)
            if kept:
                result.append({**old, "days": kept})
        if new is not None:
            later = _after(new.get("days"), day + 1 + delay, total, total)
            if later:
                result.append({**new, "days": later})
    return result


def dated_frontex(plan: list[dict], proposed: list[dict], kinds: set[str], day: int,
                  delay: int, total: int) -> list[dict]:
    """Per kind searched: the units that stay at a place keep working there every day; those
    leaving a place work there to `day`; those arriving work from day + 1 + `delay`. The plan's
    entries keep their order (kinds not searched, and units that stay, are the plan's own);
    arrivals come after them."""
    wanted: Counter[tuple[str, str]] = Counter()
    for d in proposed:
        if d["kind"] in kinds:
            wanted[(d["kind"], d["place"])] += d["count"]
    result = []
    for entry in plan:
        key = (entry["kind"], entry["place"])
        if entry["kind"] not in kinds:
            result.append(entry)
            continue
        stay = min(entry["count"], wanted[key])
        wanted[key] -= stay
        if stay:
            result.append({**entry, "count": stay})
        if entry["count"] > stay:
            result.append({**entry, "count": entry["count"] - stay,
                           "days": _after(entry.get("days"), 1, day, total)})
    arriving = list(range(day + 1 + delay, total + 1))
    for (kind, place), count in wanted.items():
        if count > 0 and arriving:
            result.append({"kind": kind, "place": place, "count": count, "days": arriving})
    return result


class FromDaySpace:
    """A search space whose proposals take effect from a day: it decodes a proposal as the
    space of the whole action does, then dates every change (`dated_teams`, `dated_frontex`,
    shares from the next day). Everything else is the wrapped space's."""

    def __init__(self, space: Any, replan: Replan):
        self.space, self.replan = space, replan
        self.scenario = space.scenario

    def __getattr__(self, name: str) -> Any:
        return getattr(self.space, name)

    def allocation(self, params: dict[str, Any]) -> dict[str, Any]:
        whole = self.space.allocation(params)
        plan = self.scenario.model_dump(mode="json")
        day, total = self.replan.from_day, self.scenario.action.days
        dated: dict[str, Any] = {}
        if "scanning_teams" in whole:
            dated["scanning_teams"] = {**whole["scanning_teams"], "teams": dated_teams(
                plan["scanning_teams"]["teams"], whole["scanning_teams"]["teams"], day,
                self.replan.scanning_team_delay_days, total)}
        if "frontex" in whole:
            kinds = {f.kind for f in self.space.decisions.frontex}
            dated["frontex"] = dated_frontex(plan["frontex"], whole["frontex"], kinds, day,
                                             self.replan.frontex_delay_days, total)
        if "countries" in whole:
            dated["countries"] = {
                code: {"shares_from_day": {day + 1: change["shares"]}}
                for code, change in whole["countries"].items()
                if change.get("shares") and change["shares"] != plan["countries"][code][
                    "shares"]}
        return dated

    def candidate(self, params: dict[str, Any], name: str) -> Scenario:
        data = merge(self.scenario.model_dump(mode="json"), self.allocation(params))
        data["name"] = name
        return scenario_from_mapping(data, label=f"proposal {name}")


# --- the members of the updated ensemble ------------------------------------------------------

def updated_ensemble_file(folder: str | Path) -> Path:
    """The updated ensemble of a `sim assimilate` folder (or an ensemble file itself)."""
    path = Path(folder)
    return path / ENSEMBLE if path.is_dir() else path


def resampled_members(path: Path, count: int, seed: int, label: str,
                      key: tuple = ("search", "ensemble", "file")) -> list[dict[str, float]]:
    """`count` members of an ensemble file for a search: its rows in order when the weights are
    equal; otherwise a systematic resample by weight, in a seeded random order."""
    try:
        table = read_posterior(path)
    except Exception as error:  # a ScenarioError naming the file: said against the config
        problems = getattr(error, "problems", None)
        if problems is None:
            raise
        raise ConfigError([Problem(label, None, key, p.message) for p in problems]) from None
    rows = draw_values(table)
    weights = table["weight"].to_numpy(dtype=float)
    if np.allclose(weights, weights[0]):
        return rows[:count] if count <= len(rows) else rows
    rng = np.random.default_rng([seed, 36])
    picks = systematic(weights, count, rng)
    rng.shuffle(picks)
    return [rows[i] for i in picks]


def effective_members(path: Path) -> float:
    """The effective sample size of an ensemble file's weights (1 / Σ w²)."""
    weights = pd.to_numeric(read_posterior(path)["weight"]).to_numpy(dtype=float)
    weights = weights / weights.sum()
    return float(1.0 / np.sum(weights ** 2))
