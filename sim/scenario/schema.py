"""Scenario files: the planner's description of an operation, validated strictly.

A scenario is a YAML file read into the `Scenario` pydantic model. Unknown keys, wrong types and
impossible allocations are `ScenarioError`s that name the file, the line, the key path, what was
expected and the closest valid name. Loading (with `extends:`) lives in `sim.scenario.files`; the
checks that need the route graph live in `sim.scenario.allocation`.
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from sim.scenario.parameters import AGENCIES, POSTING_KINDS, Parameters, StrictModel, par

PostingKind = Literal[
    "crossing", "green_border", "road_checkpoint", "port", "parcel_centre", "premises_search",
    "cyber_patrol", "coordination",
]
Agency = Literal[
    "border_police", "police", "customs", "gendarmerie", "immigration", "organised_crime_unit",
    "frontex",
]
Targeting = Literal["random", "risk_profile", "intelligence_led"]
FrontexKind = Literal["document_experts", "detection_kit", "thermal_vision"]

assert set(POSTING_KINDS) == set(PostingKind.__args__)  # one list of names, two spellings
assert set(AGENCIES) == set(Agency.__args__)

# Caps a run needs (docs/cli.md lists them): the result tables use pandas timestamps, which end in
# April 2262; officers are agents in memory (about one per 4-8 officers), so the whole operation
# is capped at about eleven times the 22,488 officers of 2023.
EARLIEST_START = dt.datetime(1900, 1, 1)
LATEST_END = dt.datetime(2200, 1, 1)
MAX_OFFICERS = 250_000
# The criminal world is agents in memory too: networks, their premises, and their trips of one
# replicate, each capped at about sixty times 2023's (about 440 networks, 880 premises and 830
# trips in the calibrated week), which the load-scaling benchmark's 16x stays well within.
MAX_NETWORKS = 25_000
MAX_PREMISES = 50_000
MAX_TRIPS = 50_000
NAME_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$"  # a name is a folder name under results/
DEFAULT_SHARES = {
    "crossing": 0.45, "green_border": 0.20, "road_checkpoint": 0.245, "port": 0.03,
    "parcel_centre": 0.005, "premises_search": 0.06, "cyber_patrol": 0.005, "coordination": 0.005,
}


class ActionWindow(StrictModel):
    """When the action runs. Ticks are hours from `start`."""

    start: dt.datetime = par(dt.datetime(2023, 11, 13, 0, 0), "date-time",
                             "Europol press release: 13-18 November 2023",
                             f"Start of the action in the region's local time (a time-zone "
                             f"offset, if given, is dropped), from {EARLIEST_START:%Y-%m-%d} "
                             f"on; the action must end before {LATEST_END:%Y-%m-%d} (the "
                             "calendar of the result tables).")
    days: int = par(6, "days", "Europol press release", "Length of the action, 1 to 60 days.",
                    ge=1, le=60)

    @field_validator("start", mode="before")
    @classmethod
    def _a_date(cls, start: object) -> object:
        """A number is no date: pydantic would read 20231113 as seconds after 1 January 1970."""
        if isinstance(start, str):
            number = re.fullmatch(r"\s*[+-]?\d+(\.\d*)?\s*", start) is not None
        else:
            number = isinstance(start, int | float) and not isinstance(start, bool)
        if number:
            raise ValueError(f"{start!r} is a number, not a date; write the date as 2023-11-13 "
                             "(or 2023-11-13T06:00:00 with the hour)")
        return start

    @field_validator("start")
    @classmethod
    def _local_time(cls, start: dt.datetime) -> dt.datetime:
        """The region's local time: an offset, if a file gives one, is dropped (as always)."""
        return start.replace(tzinfo=None)

    @model_validator(mode="after")
    def _fits_the_calendar(self) -> ActionWindow:
        start = self.start.replace(tzinfo=None)
        if start < EARLIEST_START:
            raise ValueError(f"start {self.start:%Y-%m-%d} is before {EARLIEST_START:%Y-%m-%d}")
        if start > LATEST_END - dt.timedelta(days=self.days):  # never past year 9999's end
            raise ValueError(f"an action of {self.days} days from {self.start:%Y-%m-%d} ends "
                             f"after {LATEST_END:%Y-%m-%d}, past the calendar of the result "
                             "tables; choose an earlier start")
        return self

    @property
    def hours(self) -> int:
        return 24 * self.days


class RunSettings(StrictModel):
    """How to run, not what to model: replicates, seed and workers never change a replicate."""

    replicates: int = par(30, "replicates", "assumption: 30 gives means within a few percent",
                          "Independent replicates of the scenario.", ge=1, le=100_000)
    seed: int = par(20231113, "integer", "any", "Root seed; replicate seeds are spawned from it.",
                    ge=0, lt=2**63)
    workers: int | None = par(None, "processes", "default: all cores",
                              "Worker processes for local runs.", ge=1, le=1024)


def whole_officers(value: Any) -> Any:
    """A head-count written with a decimal point or a separator is refused: YAML reads `3.000`
    (a thousands separator) as the number 3, and a quoted "3.000" would be read so too."""
    written = (isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral)) \
        or (isinstance(value, str) and any(mark in value for mark in ".,'_ "))
    if written:
        raise ValueError("expected a whole number of officers written without a decimal point "
                         "or separators: 3000, not 3.000, 3,000 or 3000.0")
    return value


class CountryContingent(StrictModel):
    """Officers a country commits and how they are split across postings.

    Officers not placed by an explicit `postings` entry are spread over the country's places of
    each posting kind by a stated rule: crossings by traffic, green-border sectors by length and
    migrant pressure, road checkpoints, ports and parcel centres evenly over the country's hubs
    and ports, inland teams at the country's hubs.
    """

    officers: int = par(0, "officers", "scenario", "Officers the country commits (at most "
                        f"{MAX_OFFICERS:,}, the cap of the whole operation).", ge=0,
                        le=MAX_OFFICERS)
    non_participant: bool = Field(False, description="true admits a country of "
                                  "sim/data/countries.csv that did not take part in 2023 "
                                  "(participant=false); without it such a country is an error.")
    shares: dict[PostingKind, float] = par(
        dict(DEFAULT_SHARES), "share", "assumption: typical split of a national contingent in "
        "intensified-check operations", "Split of the officers not posted explicitly, by "
        "posting kind (must add up to 1).")

    shares_from_day: dict[int, dict[PostingKind, float]] = Field(
        default_factory=dict, description="A new split of the same officers from an action "
        "day on (day -> shares, each adding up to 1, days from 2): a re-plan during the "
        "action. The split of `shares` holds until the first day named here, each entry "
        "until the next; left out, the split is the same every day.")

    _whole_officers = field_validator("officers", mode="before")(whole_officers)

    @field_validator("shares")
    @classmethod
    def _shares_add_up(cls, shares: dict[str, float]) -> dict[str, float]:
        return shares_adding_up(shares)

    @field_validator("shares_from_day")
    @classmethod
    def _each_day_adds_up(cls, by_day: dict[int, dict[str, float]]
                          ) -> dict[int, dict[str, float]]:
        for day, shares in by_day.items():
            if day < 2:
                raise ValueError(f"day {day}: a split from day 1 on is `shares` itself; "
                                 "name days from 2 (the first day the split changes)")
            try:
                shares_adding_up(shares)
            except ValueError as error:
                raise ValueError(f"day {day}: {error}") from None
        return dict(sorted(by_day.items()))


def shares_adding_up(shares: dict[str, float]) -> dict[str, float]:
    """A split of a contingent: no share negative, all adding up to 1."""
    if any(v < 0 for v in shares.values()):
        raise ValueError("shares must not be negative")
    total = sum(shares.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"shares must add up to 1, they add up to {total:.4f}")
    return shares


class Posting(StrictModel):
    """Officers of one agency of one country at one place (explicit allocation). They come out
    of the country's contingent (`countries.<country>.officers`): the shares spread only the
    officers no posting places.

        postings:
          - {country: RS, agency: border_police, posting: crossing, place: tabanovce,
             officers: 300}
    """

    country: str = Field(description="ISO 3166 alpha-2 code (XK for Kosovo).")
    agency: Agency = Field(description="Agency of the officers.")
    posting: PostingKind = Field(description="What the officers do.")
    place: str | None = Field(None, description="Place id from the route graph; without one, "
                              "the officers are spread over the country's places of the kind by "
                              "the rule of `shares` (crossings by traffic, sectors by length and "
                              "pressure, inland teams over its hubs and destinations).")
    officers: int = Field(description="Officers posted; they come out of the country's "
                          "contingent (countries.<country>.officers).", ge=0, le=MAX_OFFICERS)
    unit_size: int | None = Field(None, description="Officers per unit (default by posting).",
                                  ge=1, le=1000)
    away: bool = Field(False, description="true: the officers serve away from their country's "
                       "own places and borders on purpose (a joint patrol abroad); without it "
                       "such a posting is noted by sim validate and sim run, in case the "
                       "country or the place is a slip.")

    _whole_officers = field_validator("officers", mode="before")(whole_officers)


DEFAULT_SHIFTS: dict[str, str] = {"crossing": "traffic"}  # kinds not named: "units"
SHIFT_HOURS = 8  # each officer's working hours a day (three 8-hour shifts round the clock)


def check_shift_profile(kind: str, profile: str | list[float]) -> None:
    """A shift profile is 'traffic', 'units' or 24 weights no hour of which can hold more
    than every officer (8-hour days)."""
    if isinstance(profile, str):
        return
    if len(profile) != 24 or any(w < 0 for w in profile) or sum(profile) <= 0:
        raise ValueError(f"shifts.{kind}: give 24 weights (one per hour from 00:00), none "
                         "negative and not all zero, or 'traffic' or 'units'")
    peak = SHIFT_HOURS * max(profile) / sum(profile)
    if peak > 1.0 + 1e-9:
        hour = profile.index(max(profile))
        raise ValueError(f"shifts.{kind}: at {hour:02d}:00 the profile puts {peak:.0%} of the "
                         f"officers on duty; with {SHIFT_HOURS}-hour days no hour can hold more "
                         f"than all of them (flatten the profile to at most "
                         f"1/{SHIFT_HOURS} of its sum in any hour)")


def shift_ticks(hours: tuple[int, int] | list[int], days: list[int] | None, start_hour: int,
                action_days: int) -> frozenset[int]:
    """The hours of the action (ticks from its start) a team with these working `hours` works
    on these action `days` (all when None). A shift belongs to the day it starts on: [20, 4] on
    day 1 works into day 2's first hours; no shift works before the action or after it."""
    start, end = hours
    first = (start - start_hour) % 24  # from the start of an action day to the shift's start
    length = (end - start) % 24 or 24
    return frozenset(tick for day in set(days or range(1, action_days + 1))
                     for h in range(length)
                     if 0 <= (tick := (day - 1) * 24 + first + h) < action_days * 24)


class ScanningTeamSpec(StrictModel):
    """One mobile scanning team at a crossing or a port."""

    place: str = Field(description="Crossing or port id where the team works.")
    country: str = Field("NL", description="Country that sends the team: an ISO code of "
                         "sim/data/countries.csv (a non-participant of 2023 only when listed "
                         "under countries with non_participant: true).")
    hours: tuple[int, int] = Field((6, 22), description="Daily working hours [from, to) in local "
                                   "time, 0-24; from > to wraps past midnight.")
    days: list[int] | None = Field(None, description="Action days (1-based) the team works; "
                                   "all days when omitted. A shift belongs to the day it "
                                   "starts on: hours [20, 4] on day 1 work into day 2's first "
                                   "hours.")
    side: str | None = Field(None, description="At a crossing, the country whose side it "
                             "works on (one of the crossing's two countries): it works with "
                             "that country's officers on the traffic entering it. Default: the "
                             "first-named country's (`sim list crossings`).",
                             pattern=r"^[A-Z]{2}$")

    @field_validator("hours")
    @classmethod
    def _hours_in_day(cls, hours: tuple[int, int]) -> tuple[int, int]:
        if not all(0 <= h <= 24 for h in hours) or hours[0] == hours[1]:
            raise ValueError("hours must be two different whole hours between 0 and 24")
        return hours

    @field_validator("days")
    @classmethod
    def _some_days(cls, days: list[int] | None) -> list[int] | None:
        if days is not None and not days:
            raise ValueError("an empty list of days would leave the team idle all action; "
                             "leave days out for every day, or remove the team")
        return days


class ScanningTeams(StrictModel):
    """Mobile scanner teams (the Netherlands sent two in 2023)."""

    max_per_place: int = par(1, "teams", "assumption: one scanner lane per crossing",
                             "Most teams at one place in one hour.", ge=1, le=10)
    teams: list[ScanningTeamSpec] = Field(default_factory=list, description="The teams.")


class FrontexDeployment(StrictModel):
    """Frontex experts or equipment at a border place (a crossing or a green-border sector),
    working alongside the host officers there (an EU external border, or a partner country's
    border under a Frontex status agreement)."""

    kind: FrontexKind = Field(description="document_experts (forged documents), detection_kit "
                              "(drugs, explosives, precursors) or thermal_vision (green border).")
    place: str = Field(description="Place id (a crossing, port or green-border sector).")
    count: int = Field(1, description="Teams or units of this kind at the place.", ge=1, le=100)
    side: str | None = Field(None, description="At a crossing, the country whose side it "
                             "works on (one of the crossing's two countries): it works with "
                             "that country's officers on the traffic entering it. Default: "
                             "the EU member's side where one of the two countries is, else "
                             "the first-named country's (`sim list crossings`).",
                             pattern=r"^[A-Z]{2}$")
    days: list[int] | None = Field(None, description="Action days (1-based) the units work "
                                   "at this place; all days when omitted (a unit moved during "
                                   "the action is two entries, each with its days).")

    @field_validator("days")
    @classmethod
    def _some_days(cls, days: list[int] | None) -> list[int] | None:
        if days is not None and not days:
            raise ValueError("an empty list of days would leave the units idle all action; "
                             "leave days out for every day, or remove the entry")
        return days


class CoordinationCentre(StrictModel):
    """The international coordination centre (Skopje in 2023)."""

    enabled: bool = Field(True, description="Whether the centre runs.")
    place: str = Field("skopje", description="Place id of the centre (a hub): where its "
                       "coordination officers are posted. Messages travel by wire, so the place "
                       "changes no relay time; the handling delay and the officers on duty do.")
    relay_delay_hours: float = par(2.0, "hours", "assumption: a 24/7 centre with liaison officers "
                                   "relays within a shift", "The centre's own handling time of "
                                   "a message once a coordination officer takes it up (national "
                                   "hops and queueing come on top).", ge=0, le=240)


class Europol(StrictModel):
    """Europol's analytical support."""

    analysts_on_ground: int = par(12, "analysts", "assumption: Europol 'deployed experts on the "
                                  "ground' (number not published)", "Europol analysts deployed "
                                  "for real-time cross-checks; 0 means none.", ge=0, le=1000)
    coordination_centre: CoordinationCentre = Field(default_factory=CoordinationCentre)


class AlertResponse(StrictModel):
    """Police units that act on alerts: a share of the mobile units (road checkpoint teams and
    inland teams) may be re-tasked by an alert to a place on a linked movement's route."""

    mobile_share: float = par(0.0, "share", "scenario (0: no unit leaves its post)",
                              "Share of the units of the mobile postings that answer alerts.",
                              ge=0, le=1)
    postings: list[Literal["road_checkpoint", "premises_search"]] = Field(
        ["road_checkpoint", "premises_search"], description="Postings whose units are mobile.")

    @model_validator(mode="after")
    def _someone_answers(self) -> AlertResponse:
        if self.mobile_share > 0 and not self.postings:
            raise ValueError(f"mobile_share is {self.mobile_share:g} but no posting is mobile "
                             "(postings: []), so no unit would answer an alert; name the "
                             "postings, or set mobile_share: 0")
        return self


class Intelligence(StrictModel):
    """What the preparatory intelligence phase delivered."""

    coverage: float = par(0.35, "share", "assumption: the intelligence phase 'identified targets' "
                          "(share not published)", "Share of networks known at the start.",
                          ge=0, le=1, plausible=(0.2, 0.5), range_source=(
                              "assumption: a fifth to a half of the networks known "
                              "(calibration/sensitivity.yaml); a planner's lever too"))
    targeted_share: float = par(0.5, "share", "assumption", "Share of known networks flagged as "
                                "targets at checks and for premises searches.", ge=0, le=1)


class Traffic(StrictModel):
    """Legitimate traffic."""

    scale: float = par(1.0, "factor", "data: crossings.csv", "Multiplier of legitimate traffic "
                       "at every crossing (0 = none).", ge=0, le=1000)


SIDE_PATTERN = r"^[a-z0-9_]+:[A-Z]{2}$"


class CrossingSides(StrictModel):
    """Each side of a border crossing is its own post, worked by its own country's officers.
    What a side does when the scenario posts no crossing officer of its country there."""

    unstaffed: Literal["closed", "unchecked"] = par(
        "closed", "rule", "assumption: a border post without officers is shut (traffic may "
        "not cross a border outside a manned crossing point: Schengen Borders Code, Article 5)",
        "closed: the crossing takes no traffic, which goes to the nearest open crossing of the "
        "same border (else the nearest open crossing of that country; else it does not cross); "
        "unchecked: traffic passes that side without checks (its ordinary staff are not in "
        "the scenario).")
    unchecked: list[str] = Field(
        default_factory=list, description="Sides written crossing:COUNTRY (e.g. "
        "kapitan_andreevo:TR) that pass traffic unchecked when the scenario posts nobody "
        "there, whatever `unstaffed` says.")

    @field_validator("unchecked")
    @classmethod
    def _sides_written_as_place_and_country(cls, sides: list[str]) -> list[str]:
        wrong = [side for side in sides if not re.fullmatch(SIDE_PATTERN, side)]
        if wrong:
            raise ValueError(f"'{wrong[0]}' is not a crossing side: write the crossing id, a "
                             "colon and the side's country code, e.g. kapitan_andreevo:TR")
        return sides


class Reporting(StrictModel):
    """How the countries' daily figures relate to what happened: what `sim assimilate` allows
    between a daily report and the model's count of the same thing (docs/during_the_action.md).
    No mechanism of the model reads it."""

    daily_error: float = par(
        0.05, "share", "assumption: national daily figures are provisional and are corrected "
        "after the action (the published 2023 totals are given as 'almost 300 kg', 'over "
        "2,200'); a twentieth of the figure covers such corrections and rounding",
        "Standard deviation of a reported daily figure around what happened, as a share of "
        "the figure.", ge=0, le=1)


class Criminal(StrictModel):
    """The criminal side as uncertainty: a multiplier of the hidden flows."""

    flow_scale: float = par(1.0, "factor", "assumption", "Multiplier of criminal trips "
                            "(movements and bulk shipments; 0 = no trips). The networks, their "
                            "premises and the wanted persons among travellers stay: "
                            "networks_scale scales those (both 0: no crime at all).",
                            ge=0, le=1000)
    networks_scale: float = par(1.0, "factor", "assumption", "Multiplier of network counts "
                                "(and so of their premises) and of the wanted persons among "
                                "travellers.",
                                ge=0, le=1000)


class Scenario(StrictModel):
    """One operation as a planner describes it.

    A file may `extends:` a base: mappings merge key by key at every depth, lists and single
    values replace the base's. The name is never inherited (a file without `name:` is named
    after its file). Files are read within limits: regular files of at most 1,000,000 bytes,
    UTF-8, at most 20,000 values after aliases, 20 levels of nesting, no duplicate keys, no
    booleans for numbers, finite numbers (docs/cli.md lists every limit).
    """

    name: str = Field(description="Short name; the default results folder (results/<name>/). "
                      "Not inherited through extends: a file without name: is named after "
                      "its file name (variant.yaml is 'variant').",
                      pattern=NAME_PATTERN, max_length=80)
    description: str = Field("", description="What question the scenario answers.")
    extends: str | None = Field(None, description="Base scenario file this one changes "
                                "(resolved on load; relative to this file). Mappings merge "
                                "key by key at every depth; lists and single values replace "
                                "the base's; name: is not inherited.")
    action: ActionWindow = Field(default_factory=ActionWindow)
    run: RunSettings = Field(default_factory=RunSettings)
    countries: dict[str, CountryContingent] = Field(
        default_factory=dict, description="Contingents by ISO code of sim/data/countries.csv "
        f"(`sim list countries`); at most {MAX_OFFICERS:,} officers in all.")
    postings: list[Posting] = Field(
        default_factory=list, description="Explicit postings, placed before the shares: each "
        "takes its officers out of its country's contingent (countries.<country>.officers), "
        "and the shares spread what is left. Fields: country, agency, posting, place (or none: "
        "spread over the country's places of the kind), officers, unit_size, away.")
    scanning_teams: ScanningTeams = Field(default_factory=ScanningTeams)
    frontex: list[FrontexDeployment] = Field(default_factory=list)
    europol: Europol = Field(default_factory=Europol)
    intelligence: Intelligence = Field(default_factory=Intelligence)
    response: AlertResponse = Field(default_factory=AlertResponse)
    targeting: Targeting = par("intelligence_led", "rule", "Europol: 'intelligence-led'",
                               "Who is picked for intensified checks.")
    traffic: Traffic = Field(default_factory=Traffic)
    crossing_sides: CrossingSides = Field(default_factory=CrossingSides)
    shifts: dict[PostingKind, Literal["traffic", "units"] | list[float]] = par(
        DEFAULT_SHIFTS, "weights by hour", "assumption: crossing rosters follow the "
        "daily traffic rhythm (half of the staff round the clock, half with the traffic)",
        "Share of a posting kind's officers on duty in each hour of the day: 24 relative "
        "weights from 00:00 (scaled so that each officer works 8 hours a day), 'traffic' "
        "(fitted to the vehicle classes' daily rhythm) or 'units' (the units' own 8-hour "
        "shifts at 06, 14 and 22, or 07 and 15 for inland teams). Kinds not named keep their "
        "default: 'traffic' for crossings, 'units' for the others.")
    criminal: Criminal = Field(default_factory=Criminal)
    reporting: Reporting = Field(default_factory=Reporting)
    parameters: Parameters = Field(default_factory=Parameters)

    @field_validator("countries")
    @classmethod
    def _officers_within_the_cap(cls, countries: dict[str, CountryContingent]
                                 ) -> dict[str, CountryContingent]:
        total = sum(c.officers for c in countries.values())
        if total > MAX_OFFICERS:
            raise ValueError(f"the countries commit {total:,} officers in all, more than the "
                             f"cap of {MAX_OFFICERS:,} for the whole operation (officers are "
                             "agents in memory)")
        return countries

    @model_validator(mode="after")
    def _criminal_world_within_the_caps(self) -> Scenario:
        """Expected networks, premises and trips of a replicate within the caps (agents in
        memory): a planner's scale factor of 1,000 on 2023's world would need tens of GB."""
        parameters, criminal = self.parameters, self.criminal
        networks = sum(round(count * criminal.networks_scale)
                       for count in parameters.networks.values())
        weeks = self.action.hours / (24 * 7)
        trips = weeks * criminal.flow_scale * (
            sum(round(parameters.networks[area] * criminal.networks_scale) * per_week
                for area, per_week in parameters.movements_per_network.items())
            + parameters.bulk_shipments_per_week)
        premises = networks * parameters.premises_per_network
        for what, expected, cap, knobs in (
                ("criminal networks", networks, MAX_NETWORKS,
                 "parameters.networks x criminal.networks_scale"),
                ("premises", premises, MAX_PREMISES,
                 "networks x parameters.premises_per_network"),
                ("criminal trips a replicate", trips, MAX_TRIPS,
                 "networks x parameters.movements_per_network x criminal.flow_scale x action "
                 "days / 7, plus bulk shipments")):
            if expected > cap:
                raise ValueError(
                    f"the scenario would hold about {expected:,.0f} {what} ({knobs}), more "
                    f"than the cap of {cap:,} (each is an agent in memory; the 2023 operation "
                    "has about 440 networks, 880 premises and 830 trips): lower the scale")
        return self

    @field_validator("shifts")
    @classmethod
    def _profiles_possible(cls, shifts: dict) -> dict:
        for kind, profile in shifts.items():
            check_shift_profile(kind, profile)
        return {**DEFAULT_SHIFTS, **shifts}  # naming one kind leaves the others' defaults

    @property
    def officers_total(self) -> int:
        return sum(c.officers for c in self.countries.values())
