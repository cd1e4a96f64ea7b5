"""What `sim optimise` may change and what it must respect: decision variables, their encoding as
Optuna parameters, the repair that turns any proposal into an allocation that keeps the stated
constraints, and the checks that reject the rest.

Decision variables (each optional in the config):

- `scanning_teams`: where (and in which working hours) k scanning teams stand, among crossings
  and ports with border checks or a listed set; one categorical place (and hours option) per team.
- `frontex`: where the units of one Frontex kind stand, among the places that kind may use; one
  categorical place per unit, at most `max_per_place` units at one place.
- `shares`: the split of each listed country's contingent over the listed posting kinds, each
  share within its bounds (the kinds not listed keep theirs).
- `transfers`: officers moved from one country's contingent to another's, within bounds.
- `shifts`: per posting kind, which shift profile its officers work (`traffic`, `units` or 24
  hourly weights); one categorical choice per kind.

The resolved search space (candidate places, Optuna distributions, decoding) is
`sim.decisions.allocation_space.Space`. Repair is deterministic and is what every proposal goes
through before it is run: a team or unit on a full place moves to the next free place in the
candidate list, shares are projected onto their bounds and their total, a transfer is clipped
so both countries stay within `constraints.officers_per_country`. A proposal that still breaks
a constraint (officers at one place above `constraints.officers_per_place`) is rejected: it is
never run, never chosen.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

from pydantic import Field, model_validator

from sim.scenario.parameters import POSTING_KINDS, StrictModel
from sim.scenario.schema import PostingKind, check_shift_profile, shift_ticks

Hours = tuple[int, int]
PlaceChoice = Literal["checked", "eligible"] | list[str]
ShiftOption = Literal["traffic", "units"] | list[float]


class ScanningTeamDecision(StrictModel):
    """Where k scanning teams stand (they replace the scenario's teams)."""

    count: int = Field(ge=1, le=20, description="Teams to place.")
    places: PlaceChoice = Field("checked", description="'checked': every crossing with border "
                                "checks (not Schengen-internal) and every port the scenario "
                                "accepts for a team; or a list of place ids.")
    hours: list[Hours] = Field(default_factory=lambda: [(6, 22)], min_length=1,
                               description="Working-hour options [from, to) for each team.")
    days: list[list[int] | None] = Field(default_factory=lambda: [None], min_length=1,
                                         description="Working-day options for each team: a "
                                         "list of action days (1-based), or null for every "
                                         "day.")
    country: str = Field("NL", description="Country that sends the teams.")


class FrontexDecision(StrictModel):
    """Where the units of one Frontex kind stand (they replace the scenario's units of it)."""

    kind: Literal["document_experts", "detection_kit", "thermal_vision"]
    units: int | None = Field(None, ge=1, le=200, description="Units to place (default: as many "
                              "as the scenario has of this kind).")
    places: PlaceChoice = Field("eligible", description="'eligible': every place with border "
                                "checks this kind may use (green-border sectors for "
                                "thermal_vision, crossings and ports otherwise); or a list.")
    max_per_place: int = Field(3, ge=1, le=100, description="Most units of this kind at one "
                               "place.")


class SharesDecision(StrictModel):
    """The split of contingents over posting kinds, each share within its bounds."""

    countries: Literal["all"] | list[str] = Field("all", description="Countries whose shares "
                                                  "change ('all': every contingent).")
    bounds: dict[str, tuple[float, float]] = Field(min_length=2, description="Posting kind -> "
                                                   "[lowest, highest] share of the contingent.")
    same_for_all: bool = Field(True, description="One split for every listed country (false: "
                               "one per country).")

    @model_validator(mode="after")
    def _kinds(self) -> SharesDecision:
        for kind, (low, high) in self.bounds.items():
            if kind not in POSTING_KINDS:
                raise ValueError(f"unknown posting kind {kind!r}; valid: "
                                 f"{', '.join(POSTING_KINDS)}")
            if not 0 <= low <= high <= 1:
                raise ValueError(f"{kind}: bounds must satisfy 0 <= low <= high <= 1")
        return self


class TransferDecision(StrictModel):
    """Officers moved from one contingent to another (negative: the other way)."""

    source: str = Field(alias="from", description="Country that gives officers.")
    to: str = Field(description="Country that receives them.")
    low: int = Field(0, ge=-100_000, le=100_000, description="Fewest officers moved.")
    high: int = Field(ge=-100_000, le=100_000, description="Most officers moved.")

    @model_validator(mode="after")
    def _range(self) -> TransferDecision:
        if self.source == self.to:
            raise ValueError(f"a transfer from {self.source} to itself moves nobody; name two "
                             "countries (from: and to:)")
        if not self.low < self.high:
            raise ValueError(f"transfer {self.source}->{self.to}: low must be below high")
        return self

    @property
    def label(self) -> str:
        return f"transfer.{self.source}_to_{self.to}"


class Decisions(StrictModel):
    """The decision variables of an optimisation."""

    scanning_teams: ScanningTeamDecision | None = None
    frontex: list[FrontexDecision] = Field(default_factory=list)
    shares: SharesDecision | None = None
    transfers: list[TransferDecision] = Field(default_factory=list)
    shifts: dict[PostingKind, list[ShiftOption]] = Field(default_factory=dict, description=(
        "Posting kind -> the shift profiles its officers may work ('traffic', 'units' or 24 "
        "hourly weights from 00:00), at least two."))

    @model_validator(mode="after")
    def _something(self) -> Decisions:
        if not (self.scanning_teams or self.frontex or self.shares or self.transfers
                or self.shifts):
            raise ValueError("no decision variable: give scanning_teams, frontex, shares, "
                             "transfers or shifts")
        for kind, options in self.shifts.items():
            if len(options) < 2:
                raise ValueError(f"shifts.{kind}: give at least two profiles to choose among")
            if any(options[i] == options[j] for i in range(len(options))
                   for j in range(i)):
                raise ValueError(f"shifts.{kind}: a profile is listed twice")
            for option in options:
                check_shift_profile(kind, option)
        kinds = [f.kind for f in self.frontex]
        if len(set(kinds)) != len(kinds):
            raise ValueError("a Frontex kind is listed twice")
        return self


class OutcomeLimit(StrictModel):
    """An outcome that must stay within a limit (e.g. the longest wait at any crossing)."""

    outcome: str
    max: float | None = None
    min: float | None = None
    relative: bool = Field(False, description="max and min are multiples of the baseline "
                           "allocation's own value on the same seeds and draws (1.1: at most "
                           "10 % above it), so the limit follows the model when it is "
                           "recalibrated.")

    @model_validator(mode="after")
    def _one_limit(self) -> OutcomeLimit:
        if self.max is None and self.min is None:
            raise ValueError(f"{self.outcome}: give max, min or both")
        if self.max is not None and self.min is not None and self.min > self.max:
            raise ValueError(f"{self.outcome}: min ({self.min:g}) is above max ({self.max:g}), "
                             "so no allocation can keep this limit; swap them")
        return self


class Constraints(StrictModel):
    """What no chosen allocation may break."""

    officers_per_country: dict[str, tuple[int, int]] = Field(default_factory=dict, description=(
        "Country -> [fewest, most] officers in its contingent (transfers are clipped to it)."))
    officers_per_place: int | None = Field(None, ge=1, description="Most officers at one place "
                                           "(proposals above it are rejected).")
    outcomes: list[OutcomeLimit] = Field(default_factory=list, description="Outcome limits, "
                                         "judged on the same statistic as the objectives.")


def spread(chosen: list[str], places: list[str], limit: int) -> list[str]:
    """Each chosen place kept while it has room, else the next place in `places` (cyclically)
    that has: a proposal with too many on one place becomes the nearest feasible one."""
    load: Counter[str] = Counter()
    result = []
    for place in chosen:
        start = places.index(place)
        for step in range(len(places)):
            candidate = places[(start + step) % len(places)]
            if load[candidate] < limit:
                load[candidate] += 1
                result.append(candidate)
                break
        else:
            raise ValueError("more items than places can hold")
    return result


def separate_overlaps(teams: list[dict[str, Any]], places: list[str], limit: int,
                      days: int, start_hour: int = 0) -> list[dict[str, Any]]:
    """Teams whose working hours overlap at one place beyond its limit move on (the hours of
    the action each works, as the model and validation count them: `shift_ticks`)."""
    def ticks(team: dict[str, Any]) -> frozenset[int]:
        return shift_ticks(team["hours"], team.get("days"), start_hour, days)

    for i, team in enumerate(teams):
        start = places.index(team["place"])
        for step in range(len(places)):
            place = places[(start + step) % len(places)]
            busy = Counter(h for other in teams[:i] if other["place"] == place
                           for h in ticks(other))
            if all(busy[h] < limit for h in ticks(team)):
                team["place"] = place
                break
    return teams


def project_shares(proposed: dict[str, float], bounds: dict[str, tuple[float, float]],
                   total: float) -> dict[str, float]:
    """The shares closest to the proposal (a common shift, clipped to the bounds) that add up
    to `total`, rounded to 4 decimals with the rounding put where the bounds leave room."""
    def shifted(shift: float) -> dict[str, float]:
        return {k: min(max(v + shift, bounds[k][0]), bounds[k][1]) for k, v in proposed.items()}

    low, high = -1.0, 1.0
    for _ in range(100):
        middle = (low + high) / 2
        if sum(shifted(middle).values()) < total:
            low = middle
        else:
            high = middle
    shares = {k: round(v, 4) for k, v in shifted((low + high) / 2).items()}
    residual = round(total - sum(shares.values()), 10)
    for kind in sorted(shares, key=lambda k: -shares[k]):
        room_low, room_high = bounds[kind]
        if room_low <= shares[kind] + residual <= room_high:
            shares[kind] = shares[kind] + residual
            break
    return shares


def shift_label(option: ShiftOption, index: int) -> str:
    """A shift option as an Optuna category: its name, or `profile_<k>` for 24 weights."""
    return option if isinstance(option, str) else f"profile_{index + 1}"
