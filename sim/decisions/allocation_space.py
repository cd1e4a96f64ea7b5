"""The decision variables of an optimisation resolved against its baseline scenario: the places
each resource may take, the Optuna distributions, the decoding of a proposal into a repaired
allocation (`sim.decisions.decisions` says how repair works), and the constraint checks that
reject what repair cannot keep.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sim.decisions.decisions import (
    Constraints,
    Decisions,
    PlaceChoice,
    ScanningTeamDecision,
    project_shares,
    separate_overlaps,
    shift_label,
    spread,
)
from sim.geography import RouteGraph, load_route_graph
from sim.inference.experiments import ConfigError
from sim.scenario.allocation import build_units, check_scenario
from sim.scenario.files import Problem, ScenarioError, merge, scenario_from_mapping
from sim.scenario.schema import Scenario

# --- the search space ------------------------------------------------------------------------

class Space:
    """The decision variables resolved against a scenario: candidate places, Optuna
    distributions, and the decoding of a proposal into a repaired scenario."""

    def __init__(self, decisions: Decisions, constraints: Constraints, scenario: Scenario,
                 label: str, route_graph: RouteGraph | None = None):
        self.decisions, self.constraints, self.scenario = decisions, constraints, scenario
        self.graph = route_graph or load_route_graph()
        self.label = label
        self.team_places: list[str] = []
        self.frontex_places: dict[str, list[str]] = {}
        self.frontex_units: dict[str, int] = {}
        self.share_countries: list[str] = []
        self._resolve()

    def _fail(self, path: tuple, message: str) -> None:
        raise ConfigError([Problem(self.label, None, ("decisions", *path), message)])

    def _checked(self, place: str) -> bool:
        """A place with border checks: not a Schengen-internal crossing."""
        return self.graph.graph.nodes[place].get("border_status") != "schengen_internal"

    def _accepted(self, scenario_data: dict[str, Any]) -> bool:
        try:
            check_scenario(scenario_from_mapping(scenario_data), route_graph=self.graph)
        except ScenarioError:
            return False
        return True

    def _places(self, choice: PlaceChoice, kinds: tuple[str, ...], probe, path: tuple
                ) -> list[str]:
        nodes = self.graph.graph.nodes
        if isinstance(choice, list):
            unknown = [p for p in choice if p not in nodes]
            if unknown:
                self._fail(path, f"unknown place {unknown[0]!r} (sim list places)")
            refused = [p for p in choice if not probe(p)]
            if refused:
                self._fail(path, f"{refused[0]!r} cannot take this resource (a "
                           f"{nodes[refused[0]]['kind']})")
            if len(set(choice)) != len(choice):
                self._fail(path, "a place is listed twice")
            return list(choice)
        candidates = sorted(n for n, a in nodes(data=True) if a["kind"] in kinds
                            and self._checked(n))
        return [p for p in candidates if probe(p)]

    def _resolve(self) -> None:
        base = self.scenario.model_dump(mode="json")
        teams = self.decisions.scanning_teams
        if teams is not None:
            def team_probe(place: str) -> bool:
                data = dict(base, scanning_teams={"max_per_place": 1,
                                                  "teams": [{"place": place}]})
                return self._accepted(data)
            self.team_places = self._places(teams.places, ("crossing", "port"), team_probe,
                                            ("scanning_teams", "places"))
            self._check_team_country(base, teams.country)
            for option in teams.hours:
                if not all(0 <= h <= 24 for h in option) or option[0] == option[1]:
                    self._fail(("scanning_teams", "hours"), f"{list(option)}: hours must be "
                               "two different whole hours between 0 and 24 ([from, to), "
                               "from > to wraps past midnight)")
            for option in teams.days:
                if option is not None and (not option or not all(
                        1 <= d <= self.scenario.action.days for d in option)):
                    self._fail(("scanning_teams", "days"), f"{option}: days must be action "
                               f"days 1 to {self.scenario.action.days}")
            capacity = len(self.team_places) * self.scenario.scanning_teams.max_per_place
            if teams.count > capacity:
                self._fail(("scanning_teams", "count"), f"{teams.count} teams but only "
                           f"{len(self.team_places)} places")
        for i, group in enumerate(self.decisions.frontex):
            def unit_probe(place: str, kind: str = group.kind) -> bool:
                return self._accepted(dict(base, frontex=[{"kind": kind, "place": place}]))
            kinds = ("green_border",) if group.kind == "thermal_vision" else ("crossing", "port")
            places = self._places(group.places, kinds, unit_probe, ("frontex", i, "places"))
            units = group.units or sum(d.count for d in self.scenario.frontex
                                       if d.kind == group.kind)
            if units == 0:
                self._fail(("frontex", i, "units"), f"the scenario has no {group.kind} units: "
                           "say how many to place")
            if units > len(places) * group.max_per_place:
                self._fail(("frontex", i, "units"), f"{units} units do not fit on "
                           f"{len(places)} places at {group.max_per_place} per place")
            self.frontex_places[group.kind], self.frontex_units[group.kind] = places, units
        shares = self.decisions.shares
        if shares is not None:
            codes = (sorted(self.scenario.countries) if shares.countries == "all"
                     else list(shares.countries))
            for code in codes:
                if code not in self.scenario.countries:
                    self._fail(("shares", "countries"), f"{code!r} has no contingent in the "
                               "scenario")
                self._share_total(code)  # the bounds must admit a split
            self.share_countries = codes
        for i, transfer in enumerate(self.decisions.transfers):
            for code in (transfer.source, transfer.to):
                if code not in self.scenario.countries:
                    self._fail(("transfers", i), f"{code!r} has no contingent in the scenario")
        for code, (low, high) in self.constraints.officers_per_country.items():
            officers = self.scenario.countries.get(code)
            if officers is None or not low <= officers.officers <= high:
                raise ConfigError([Problem(self.label, None, ("constraints",
                                     "officers_per_country", code), "the scenario itself is "
                                     "outside these bounds (or has no such contingent)")])
        limit = self.constraints.officers_per_place
        if limit is not None:
            place, officers = most_officers_at_one_place(self.scenario, self.graph)
            if officers > limit:
                raise ConfigError([Problem(self.label, None, ("constraints",
                                     "officers_per_place"), f"the scenario itself has "
                                     f"{officers} officers at {place}, more than {limit}: its "
                                     "own allocation would be rejected; give at least "
                                     f"{officers}")])

    def _check_team_country(self, base: dict[str, Any], country: str) -> None:
        """The country that sends the teams must be one a scenario accepts for a team."""
        if not self.team_places:
            return
        data = dict(base, scanning_teams={"max_per_place": 1, "teams": [
            {"place": self.team_places[0], "country": country}]})
        try:
            check_scenario(scenario_from_mapping(data), route_graph=self.graph)
        except ScenarioError as error:
            for problem in error.problems:
                if problem.key_path[-1:] == ("country",):
                    self._fail(("scanning_teams", "country"), problem.message)

    def _share_total(self, code: str) -> float:
        """What the listed kinds share between them in one country (1 - the others' shares)."""
        own = self.scenario.countries[code].shares
        bounds = self.decisions.shares.bounds
        total = 1.0 - sum(v for k, v in own.items() if k not in bounds)
        lows = sum(low for low, _ in bounds.values())
        highs = sum(high for _, high in bounds.values())
        if not lows - 1e-9 <= total <= highs + 1e-9:
            self._fail(("shares", "bounds"), f"{code}: the listed kinds must share {total:.3f} "
                       f"of the contingent, but their bounds allow {lows:.3f} to {highs:.3f}")
        return total

    # --- Optuna parameters --------------------------------------------------------------------

    def distributions(self) -> dict[str, Any]:
        """Every decision variable as an Optuna distribution, in a fixed order."""
        from optuna.distributions import (
            CategoricalDistribution,
            FloatDistribution,
            IntDistribution,
        )

        result: dict[str, Any] = {}
        teams = self.decisions.scanning_teams
        if teams is not None:
            for i in range(teams.count):
                result[f"scanning_team_{i + 1}.place"] = CategoricalDistribution(
                    self.team_places)
                if len(teams.hours) > 1:
                    result[f"scanning_team_{i + 1}.hours"] = CategoricalDistribution(
                        [f"{a}-{b}" for a, b in teams.hours])
                if len(teams.days) > 1:
                    result[f"scanning_team_{i + 1}.days"] = CategoricalDistribution(
                        [days_label(d) for d in teams.days])
        for kind, places in self.frontex_places.items():
            for i in range(self.frontex_units[kind]):
                result[f"frontex.{kind}_{i + 1}.place"] = CategoricalDistribution(places)
        shares = self.decisions.shares
        if shares is not None:
            owners = ["all"] if shares.same_for_all else self.share_countries
            for owner in owners:
                for kind, (low, high) in shares.bounds.items():
                    result[f"shares.{owner}.{kind}"] = FloatDistribution(low, max(high, low
                                                                                + 1e-9))
        for transfer in self.decisions.transfers:
            result[transfer.label] = IntDistribution(transfer.low, transfer.high)
        for kind, options in self.decisions.shifts.items():
            result[f"shifts.{kind}"] = CategoricalDistribution(
                [shift_label(option, i) for i, option in enumerate(options)])
        return result

    def baseline_params(self) -> dict[str, Any] | None:
        """The scenario's own allocation as a proposal, when the space can express it."""
        params: dict[str, Any] = {}
        teams = self.decisions.scanning_teams
        if teams is not None:
            own = self.scenario.scanning_teams.teams
            hours = [f"{a}-{b}" for a, b in teams.hours]
            if len(own) != teams.count or any(t.place not in self.team_places for t in own):
                return None
            for i, team in enumerate(own):
                params[f"scanning_team_{i + 1}.place"] = team.place
                if len(hours) > 1:
                    label = f"{team.hours[0]}-{team.hours[1]}"
                    if label not in hours:
                        return None
                    params[f"scanning_team_{i + 1}.hours"] = label
                if len(teams.days) > 1:
                    label = days_label(team.days)
                    if label not in {days_label(d) for d in teams.days}:
                        return None
                    params[f"scanning_team_{i + 1}.days"] = label
        for kind, places in self.frontex_places.items():
            own = [d.place for d in self.scenario.frontex if d.kind == kind
                   for _ in range(d.count)]
            if len(own) != self.frontex_units[kind] or any(p not in places for p in own):
                return None
            params.update({f"frontex.{kind}_{i + 1}.place": p for i, p in enumerate(own)})
        shares = self.decisions.shares
        if shares is not None:
            owners = ["all"] if shares.same_for_all else self.share_countries
            for owner in owners:
                code = self.share_countries[0] if owner == "all" else owner
                for kind, (low, high) in shares.bounds.items():
                    value = self.scenario.countries[code].shares.get(kind, 0.0)
                    if not low <= value <= high:
                        return None
                    params[f"shares.{owner}.{kind}"] = value
        for transfer in self.decisions.transfers:
            if not transfer.low <= 0 <= transfer.high:
                return None
            params[transfer.label] = 0
        for kind, options in self.decisions.shifts.items():
            own = self.scenario.shifts.get(kind, "units")
            if own not in options:
                return None
            params[f"shifts.{kind}"] = shift_label(own, options.index(own))
        return params

    # --- decoding and repair ------------------------------------------------------------------

    def allocation(self, params: dict[str, Any]) -> dict[str, Any]:
        """The scenario keys a proposal sets (repaired): what an allocation file states."""
        result: dict[str, Any] = {}
        teams = self.decisions.scanning_teams
        if teams is not None:
            result["scanning_teams"] = {
                "max_per_place": self.scenario.scanning_teams.max_per_place,
                "teams": self._repaired_teams(params, teams)}
        if self.frontex_places:
            kept = [d.model_dump(mode="json") for d in self.scenario.frontex
                    if d.kind not in self.frontex_places]
            placed = []
            for kind, places in self.frontex_places.items():
                chosen = [params[f"frontex.{kind}_{i + 1}.place"]
                          for i in range(self.frontex_units[kind])]
                limit = next(g.max_per_place for g in self.decisions.frontex if g.kind == kind)
                counts = Counter(spread(chosen, places, limit))
                placed += [{"kind": kind, "place": p, "count": counts[p]}
                           for p in places if counts[p]]
            result["frontex"] = kept + placed
        countries = self._repaired_countries(params)
        if countries:
            result["countries"] = countries
        if self.decisions.shifts:
            result["shifts"] = {**self.scenario.model_dump(mode="json")["shifts"], **{
                kind: next(option for i, option in enumerate(options)
                           if shift_label(option, i) == params[f"shifts.{kind}"])
                for kind, options in self.decisions.shifts.items()}}
        return result

    def _repaired_teams(self, params: dict[str, Any], teams: ScanningTeamDecision
                        ) -> list[dict[str, Any]]:
        hours = [params.get(f"scanning_team_{i + 1}.hours", f"{teams.hours[0][0]}-"
                            f"{teams.hours[0][1]}") for i in range(teams.count)]
        days = [params.get(f"scanning_team_{i + 1}.days", days_label(teams.days[0]))
                for i in range(teams.count)]
        chosen = [params[f"scanning_team_{i + 1}.place"] for i in range(teams.count)]
        # teams on the same hours and days share a place's capacity; other shifts may share it
        limit = self.scenario.scanning_teams.max_per_place
        placed: list[str | None] = [None] * teams.count
        for shift in dict.fromkeys(zip(hours, days, strict=True)):
            members = [i for i, s in enumerate(zip(hours, days, strict=True)) if s == shift]
            for i, place in zip(members, spread([chosen[i] for i in members],
                                                self.team_places, limit), strict=True):
                placed[i] = place
        result = []
        for place, label, on in zip(placed, hours, days, strict=True):
            start, end = (int(h) for h in label.split("-"))
            team = {"place": place, "country": teams.country, "hours": [start, end]}
            if on != "all":
                team["days"] = [int(d) for d in on.split(",")]
            result.append(team)
        # overlapping but different shifts at one place: shift later teams on
        return separate_overlaps(result, self.team_places, limit, self.scenario.action.days,
                                 self.scenario.action.start.hour)

    def _repaired_countries(self, params: dict[str, Any]) -> dict[str, Any]:
        officers = {code: c.officers for code, c in self.scenario.countries.items()}
        changed: dict[str, dict[str, Any]] = {}
        bounds = self.constraints.officers_per_country
        for transfer in self.decisions.transfers:
            moved = int(params[transfer.label])
            source_low, source_high = bounds.get(transfer.source, (0, 10**9))
            to_low, to_high = bounds.get(transfer.to, (0, 10**9))
            posted_source = self._posted(transfer.source)
            posted_to = self._posted(transfer.to)
            most = min(officers[transfer.source] - max(source_low, posted_source),
                       to_high - officers[transfer.to])
            fewest = -min(officers[transfer.to] - max(to_low, posted_to),
                          source_high - officers[transfer.source])
            moved = max(min(moved, most), fewest)
            officers[transfer.source] -= moved
            officers[transfer.to] += moved
            for code in (transfer.source, transfer.to):
                changed.setdefault(code, {})["officers"] = officers[code]
        shares = self.decisions.shares
        if shares is not None:
            for code in self.share_countries:
                owner = "all" if shares.same_for_all else code
                proposed = {k: float(params[f"shares.{owner}.{k}"]) for k in shares.bounds}
                own = dict(self.scenario.countries[code].shares)
                own.update(project_shares(proposed, shares.bounds, self._share_total(code)))
                changed.setdefault(code, {})["shares"] = own
        return changed

    def _posted(self, code: str) -> int:
        return sum(p.officers for p in self.scenario.postings if p.country == code)

    def candidate(self, params: dict[str, Any], name: str) -> Scenario:
        """The scenario with the repaired allocation of a proposal."""
        data = merge(self.scenario.model_dump(mode="json"), self.allocation(params))
        data["name"] = name
        return scenario_from_mapping(data, label=f"proposal {name}")

    def violations(self, scenario: Scenario) -> list[str]:
        """Constraints of the config the allocation breaks (empty: it may run)."""
        problems = []
        for code, (low, high) in self.constraints.officers_per_country.items():
            officers = scenario.countries[code].officers
            if not low <= officers <= high:
                problems.append(f"{code} has {officers} officers, outside {low}-{high}")
        try:
            check_scenario(scenario, route_graph=self.graph)
        except ScenarioError as error:
            problems += [p.message for p in error.problems]
        limit = self.constraints.officers_per_place
        if limit is not None:
            busiest = most_officers_at_one_place(scenario, self.graph)
            if busiest[1] > limit:
                problems.append(f"{busiest[1]} officers at {busiest[0]}, more than {limit}")
        return problems


def days_label(days: list[int] | None) -> str:
    """A working-day option as an Optuna category: "all" or the days joined by commas."""
    return "all" if days is None else ",".join(str(d) for d in sorted(days))


def most_officers_at_one_place(scenario: Scenario, graph: RouteGraph) -> tuple[str, int]:
    """The place with the most officers (all postings, all countries) and how many."""
    at_place: Counter[str] = Counter()
    for unit in build_units(scenario, graph):
        at_place[unit.place] += unit.officers
    return at_place.most_common(1)[0] if at_place else ("", 0)
