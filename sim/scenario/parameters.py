"""Model parameters: every mechanism's constants, each with default, unit and source.

These are the quantities a planner does not allocate but the model needs: how long a check takes,
how likely a concealment is found, how much crime was attempted. They live in one place, the
`Parameters` model, and the ODD parameter table (docs/ODD.md) is generated from it
(`sim docs parameters`). Values marked "calibrated" were fitted to the published outcomes
of the operation (docs/calibration.md says how); "assumption" values say why they were chosen.
"""

from __future__ import annotations

from types import UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

CRIME_AREAS: tuple[str, ...] = (
    "migrant_smuggling",
    "drug_trafficking",
    "firearms_trafficking",
    "thb",
    "high_risk_networks",
)
CONCEALMENTS: tuple[str, ...] = ("none", "simple", "professional", "structural")
POSTING_KINDS: tuple[str, ...] = (
    "crossing",
    "green_border",
    "road_checkpoint",
    "port",
    "parcel_centre",
    "premises_search",
    "cyber_patrol",
    "coordination",
)
AGENCIES: tuple[str, ...] = (
    "border_police",
    "police",
    "customs",
    "gendarmerie",
    "immigration",
    "organised_crime_unit",
    "frontex",
)


# Parameters that changed meaning: a scenario that still sets one is told what to write instead.
RETIRED: dict[str, str] = {
    "learn_of_alert_probability": "networks now hear of seizures and raids by their own "
    "channels, not from police alerts; set hear_corridor_seizure_probability instead",
    "lane_vehicles_per_hour": "a first-line booth's throughput now follows from its time per "
    "vehicle by class; set first_line_seconds: {car: ..., bus: ..., lorry: ...} instead "
    "(3600 / vehicles per hour; 45 vehicles an hour is 80 seconds)",
    "scanner_vehicles_per_hour": "a scanning team's throughput now follows from its time per "
    "vehicle by class; set scanner_minutes: {car: ..., bus: ..., lorry: ...} instead "
    "(60 / vehicles per hour; 12 vehicles an hour is 5 minutes)",
    "vehicle_check_officer_minutes": "a second-line check now takes a stated clock time by "
    "class, worked by a team; set second_line_car_minutes, second_line_bus_minutes, "
    "second_line_lorry_minutes and second_line_team_officers instead (old officer-minutes / "
    "team officers is the clock time)",
    "check_time_by_class": "each class has its own second-line clock time now; set "
    "second_line_car_minutes, second_line_bus_minutes and second_line_lorry_minutes instead",
    "intensified_check_officers": "set second_line_team_officers instead (the officers of one "
    "second-line team)",
    "check_team_max_officers": "second-line teams no longer grow to go faster: more officers "
    "staff more inspection places (bays, then approach_check_places) instead; remove the key",
    "check_serial_share": "second-line teams no longer grow to go faster; remove the key",
}


class StrictModel(BaseModel):
    """Base for every scenario block: unknown keys are errors; values validated on assignment;
    numbers finite (no .nan or .inf); a boolean never stands for a number (YAML reads `yes`,
    `no`, `on`, `off`, `true` and `false` as booleans, which would otherwise count as 1 and 0)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False,
                              allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_as_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is not None and boolean_where_number(value, field.annotation):
            raise ValueError("expected a number, got a boolean (YAML reads yes/no/on/off/"
                             "true/false as booleans); write a number")
        return value


def boolean_where_number(value: Any, annotation: Any) -> bool:
    """Whether `value` holds a boolean where `annotation` wants an int or a float (also inside
    dicts, lists and tuples of numbers)."""
    if annotation in (int, float):
        return isinstance(value, bool)
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, UnionType):
        if isinstance(value, bool):
            return bool not in args and any(a in (int, float) for a in args)
        return any(boolean_where_number(value, a) for a in args if a is not type(None))
    if origin is dict and isinstance(value, dict) and len(args) == 2:
        return any(boolean_where_number(v, args[1]) for v in value.values())
    if origin in (list, tuple) and isinstance(value, list | tuple) and args:
        if origin is list or (len(args) == 2 and args[1] is Ellipsis):
            return any(boolean_where_number(v, args[0]) for v in value)
        return any(boolean_where_number(v, a) for v, a in zip(value, args, strict=False))
    return False


Range = tuple[float, float]


def par(default: Any, unit: str, source: str, description: str, *,
        plausible: Range | dict[str, Range] | None = None, log: bool = False,
        range_source: str | None = None, **bounds: Any) -> Any:
    """A documented parameter field: description, unit and source travel into the JSON Schema.

    `plausible=(low, high)` is the range the evidence leaves open for a value that decides a
    mechanism: the calibration's prior where the calibration fits it, what the ensemble samples
    where it does not (docs/calibration.md). For a mapping (one value per crime area, class or
    concealment) the range multiplies the default of every entry, or, given as
    `{entry: (low, high)}`, of those entries. `log=True` samples it uniformly in its logarithm.
    `range_source` says where the ends come from (default: `source`). The default lies inside
    the range. It is not a validation bound: `ge`/`le` say what the model can take at all."""
    extra: dict[str, Any] = {"unit": unit, "source": source}
    if plausible is not None:
        extra["plausible"] = _plausible(default, plausible, log)
        if log:
            extra["plausible_log"] = True
        if range_source:
            extra["range_source"] = range_source
    elif log or range_source:
        raise ValueError("log and range_source describe a plausible range; give plausible=")
    return Field(default, description=description, json_schema_extra=extra, **bounds)


def _plausible(default: Any, plausible: Range | dict[str, Range], log: bool
               ) -> list[float] | dict[str, list[float]]:
    """The range as stored in the schema, checked: low < high, above 0 on a log scale, and the
    default (for a mapping: a multiplier of 1) inside it."""
    def checked(low: float, high: float, value: float, what: str) -> list[float]:
        if not low < high:
            raise ValueError(f"plausible range ({low}, {high}) of {what} is empty")
        if log and low <= 0:
            raise ValueError(f"plausible range ({low}, {high}) of {what}: a log range needs "
                             "low > 0")
        if not low <= value <= high:
            raise ValueError(f"the default {value:g} of {what} lies outside its plausible "
                             f"range ({low}, {high})")
        return [float(low), float(high)]

    if isinstance(plausible, dict):
        if not isinstance(default, dict) or not set(plausible) <= set(default):
            raise ValueError(f"plausible ranges by entry {sorted(plausible)} need a mapping "
                             "default with those entries")
        return {key: checked(*span, 1.0, f"{key} (× its default)")
                for key, span in plausible.items()}
    low, high = plausible
    return checked(low, high, 1.0 if isinstance(default, dict) else default,
                   "the multiplier of the defaults" if isinstance(default, dict)
                   else "the default")


def plausible_range(field: Any, entry: str | None = None) -> tuple[float, float] | None:
    """The registered plausible (low, high) of a parameter field (of one entry of a mapping
    with ranges by entry; for a mapping, a multiplier of the default), or None."""
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    value = extra.get("plausible")
    if isinstance(value, dict):
        value = value.get(entry) if entry is not None else None
    return (float(value[0]), float(value[1])) if value is not None else None


BOUNDED_UNITS = ("probability", "share", "share of movements")  # mapping values within [0, 1]
# Largest value of a mapping's entries, where a larger one would exhaust memory or numpy's
# random draws rather than describe an operation (the whole criminal world is capped again in
# sim/scenario/schema.py); and mappings whose entries are durations that must be positive.
MAPPING_LIMITS = {"networks": 100_000, "movements_per_network": 1_000, "members_mean": 10_000}
POSITIVE_MAPPINGS = ("first_line_seconds", "scanner_minutes")


def _check_mapping_limit(name: str, values: dict[str, float]) -> None:
    """A mapping's entries within MAPPING_LIMITS; a duration of POSITIVE_MAPPINGS above 0."""
    limit = MAPPING_LIMITS.get(name)
    above = sorted(k for k, v in values.items() if limit is not None and v > limit)
    if above:
        raise ValueError(f"{name}: {above[0]} is {values[above[0]]:g}, more than the most the "
                         f"model takes ({limit:,})")
    if name in POSITIVE_MAPPINGS:
        zero = sorted(k for k, v in values.items() if v <= 0)
        if zero:
            raise ValueError(f"{name}: {zero[0]} is {values[zero[0]]:g}; a vehicle takes some "
                             "time (more than 0)")


def _check_mapping_unit(name: str, extra: Any, values: dict[str, float]) -> None:
    """A mapping of probabilities or shares stays within [0, 1]; a mapping of weights has a
    positive total (a model draws from it)."""
    unit = extra.get("unit") if isinstance(extra, dict) else None
    if unit in BOUNDED_UNITS:
        above = sorted(k for k, v in values.items() if v > 1)
        if above:
            raise ValueError(f"{name}: {unit} values must be at most 1, {above[0]} is "
                             f"{values[above[0]]}")
    if unit == "weights" and not sum(values.values()) > 0:
        raise ValueError(f"{name}: the weights add up to 0; at least one must be positive "
                         "(they are relative chances)")


def per_area(**values: float) -> dict[str, float]:
    """A full crime-area mapping, so per-area defaults are written once and checked for gaps."""
    missing = set(CRIME_AREAS) - set(values)
    if missing:
        raise ValueError(f"per-area default misses {sorted(missing)}")
    return dict(values)


class Parameters(StrictModel):
    """Constants of the mechanisms (not allocations). Override any of them in a scenario's
    `parameters:` block; the calibrated baseline states its fitted values there."""

    @model_validator(mode="before")
    @classmethod
    def _complete_mappings(cls, data: Any) -> Any:
        """A scenario may override one entry of a mapping (one crime area, one concealment);
        the entries it leaves out keep their defaults. Unknown entries stay and fail below."""
        if not isinstance(data, dict):
            return data
        if "road_traffic_vehicles_per_hour" in data:
            raise ValueError("road_traffic_vehicles_per_hour (traffic through a hub) was "
                             "replaced by road_vehicles_per_day: {motorway: ..., other: ...} "
                             "(traffic of one road segment, both directions)")
        for name, instead in RETIRED.items():
            if name in data:
                raise ValueError(f"{name} is no longer a parameter: {instead}")
        merged = dict(data)
        for name, field in cls.model_fields.items():
            given = data.get(name)
            if isinstance(given, dict) and isinstance(field.default, dict):
                merged[name] = {**field.default, **given}
        return merged

    @model_validator(mode="after")
    def _mapping_keys(self) -> Parameters:
        for name, field in type(self).model_fields.items():
            if isinstance(field.default, dict):
                unknown = set(getattr(self, name)) - set(field.default)
                if unknown:
                    raise ValueError(f"{name}: unknown key(s) {sorted(unknown)}; valid: "
                                     f"{', '.join(field.default)}")
                if any(v < 0 for v in getattr(self, name).values()):
                    raise ValueError(f"{name}: values must not be negative")
                _check_mapping_limit(name, getattr(self, name))
                _check_mapping_unit(name, field.json_schema_extra, getattr(self, name))
        persons_only = {k: v for k, v in self.customs_first_line_seconds.items()
                        if v >= self.first_line_seconds[k] and v > 0}
        if persons_only:
            raise ValueError(f"customs_first_line_seconds: {persons_only} is not less than the "
                             f"booth time first_line_seconds {self.first_line_seconds}; the "
                             "customs documents are a part of it (the persons' check is the "
                             "rest)")
        return self

    # --- legitimate traffic, booths and inspection places (sim/model/crossings.py) ----------
    inbound_share: float = par(
        0.5, "share", "assumption: published crossing traffic counts both directions, about "
        "as many each way over a week", "Share of a crossing's two-way daily traffic that "
        "enters each side's country (the rest leaves it).", ge=0, le=1)
    first_line_seconds: dict[str, float] = par(
        {"car": 80.0, "bus": 600.0, "lorry": 300.0}, "seconds/vehicle", "assumption: a car "
        "with 2-3 occupants 80 s: observed primary inspections of cars at US land ports average "
        "34 s, 70 s when a compartment is opened (Transportation Research Record 1942, 2006, "
        "El Paso), and the Schengen Borders Code adds a database query of every person "
        "(Article 8); a coach's passengers about 10 min; a lorry's driver, vehicle and customs "
        "documents about 5 min", "First-line booth time of one vehicle, by class (car, bus, "
        "lorry), on entry and on exit.")
    customs_first_line_seconds: dict[str, float] = par(
        {"car": 0.0, "bus": 120.0, "lorry": 240.0}, "seconds/vehicle", "the EU customs union: "
        "goods in free circulation cross internal frontiers without customs formalities (Union "
        "Customs Code, Regulation (EU) No 952/2013; Bulgaria and Romania in it since 2007), so "
        "at a checked crossing inside the EU (eu_internal_checked) a lorry's booth time is its "
        "driver's person check only; at an external border and between non-EU states the "
        "transit or import documents are presented at the booth (Turkey's customs union covers "
        "goods, not the customs border). Split assumed: of a lorry's 5 min, 4 for documents",
        "Part of first_line_seconds spent on customs documents, by class: charged at crossings "
        "where a customs border runs, not inside the EU customs union.",
        plausible={"bus": (0.5, 2.0), "lorry": (0.5, 1.125)})
    first_line_service_cv: float = par(
        0.7, "coefficient of variation", "assumption: booth times vary by traveller and "
        "officer (mean inspection times of 16.6 to 56.6 s between half-hour periods at one US "
        "port: Gurian et al., Journal of Homeland Security and Emergency Management 5(1), 2008); "
        "between deterministic (0) and exponential (1)", "Coefficient of variation of one "
        "vehicle's first-line booth time: the queue's Allen-Cunneen factor (1 + cv²) / 2.",
        plausible=(0.4, 1.0), ge=0, le=3)
    ordinary_first_line: float = par(
        1.0, "share", "the action's officers come on top of the crossings' ordinary shifts: "
        "Moldova's part was 120 staff at 14 border crossing points, national roads and selected "
        "areas (maisigurinue.md; jad_see_2023.md), a few per crossing, while every crossing "
        "kept its booths open; 0 restores the earlier rule that the posted officers alone staff "
        "the booths", "Share of the first-line booth officers a side's traffic needs that its "
        "ordinary shift provides where the posted officers on duty fall short (in the hours "
        "they are on duty; counted as officer_hours_first_line_ordinary, not as the action's).",
        plausible=(0.5, 1.0), ge=0, le=1)
    booth_staffing_safety: float = par(
        1.0, "square-root staffing factor", "Borst, Mandelbaum and Reiman, 'Dimensioning large "
        "call centers', Operations Research 52 (2004): square-root safety staffing R + β√R "
        "with β of order 0.5-1.5 keeps waits short at high utilisation (Halfin and Whitt 1981)",
        "How many first-line booths the shift leader opens for an offered load of R booths' "
        "work (arrivals and the queue left, per hour, over one booth's throughput): "
        "R + β√R rounded up, at most the booths there are.", plausible=(0.5, 1.5), ge=0)
    lane_blocking_seconds: float = par(
        150.0, "seconds/selected vehicle", "assumption: a vehicle picked for a second-line "
        "check holds its lane while first-line officers question it and direct it to the bay",
        "Extra booth time per vehicle referred to the second line: the price of checks in "
        "queue length.", plausible=(60.0, 300.0), ge=0)
    officers_per_lane: int = par(
        2, "officers", "assumption: one border guard and one customs officer per booth",
        "Officers needed to staff one first-line booth.", ge=1)
    second_line_share: float = par(
        1.0, "share", "assumption: during the action every crossing officer not needed in a "
        "booth works second-line checks; an ordinary week caps it (business_as_usual.yaml)",
        "Most share of a side's on-duty crossing officers that work second-line checks; "
        "officers neither in booths nor in the second line are idle.", ge=0, le=1,
        plausible=(0.25, 1.0), range_source=(
        "assumption: from a quarter of the crossing officers on second-line checks to all who are"
        " not in a booth"))
    second_line_referral_share: float = par(
        0.15, "share", "range: ordinarily 2-3% of commercial trucks are stopped at the "
        "US-Canada border (CBSA and CBP officers, thetruckingnetwork.ca); at one US port the "
        "share of primary inspections with a physical search ranged from 5% to 56% between "
        "half-hour periods (Gurian et al. 2008); the action's intensified, intelligence-led "
        "checks lie between: default the geometric middle of 0.05-0.45",
        "Share of the vehicles entering a side that first-line officers refer to the second "
        "line during the action; a referred vehicle is searched only if a team and an "
        "inspection place are free (Erlang's loss formula), otherwise it drives on.",
        plausible=(0.05, 0.45), log=True, ge=0, le=1)
    second_line_car_minutes: float = par(
        20.0, "minutes/vehicle", "assumption: a search of a car with its occupants' documents "
        "and luggage, a sniffer dog's round and database queries takes tens of minutes "
        "(outside_data.md: second-line searches, 'a team, tens of minutes')",
        "Clock time of one second-line check of a car (the car's own delay, the time it holds "
        "an inspection place and its team).", plausible=(10.0, 45.0), log=True, gt=0)
    second_line_bus_minutes: float = par(
        60.0, "minutes/vehicle", "assumption: a coach's 35 passengers' documents and its "
        "luggage hold", "Clock time of one second-line check of a coach.",
        plausible=(30.0, 120.0), log=True, gt=0)
    second_line_lorry_minutes: float = par(
        45.0, "minutes/vehicle", "assumption: a lorry's cab, trailer and cargo documents, a "
        "sniffer dog, partial unloading when something is found",
        "Clock time of one second-line check of a lorry.", plausible=(20.0, 120.0), log=True,
        gt=0)
    second_line_team_officers: float = par(
        3.0, "officers", "assumption: two or three officers and a customs officer work one "
        "vehicle", "Officers in one second-line team: a team works one vehicle at a time at "
        "an inspection place.", plausible=(2.0, 4.0), ge=1)
    inspection_bays_scale: float = par(
        1.0, "factor", "assumption: the bays of traffic.csv; no published counts of "
        "inspection places at most crossings",
        "Multiplier of every crossing side's inspection bays (the vehicles that can be under "
        "a second-line check at once).", plausible=(0.5, 2.0), log=True, gt=0,
        range_source="assumption: half to twice the bays of traffic.csv")
    approach_check_places: float = par(
        1.0, "vehicles/entry lane", "assumption on the number; the practice is sourced: "
        "officers with dogs and mirrors check vehicles standing in the lines before the booths "
        "(borderreport.com on US land ports), and the approach roads hold one line of waiting "
        "vehicles per booth lane",
        "Vehicles that mobile second-line teams can check at once in a side's approach road, "
        "per entry booth lane, beyond its inspection bays: where officers are left after the "
        "bays, they work here, up to this many teams a lane.", plausible=(0.25, 2.0),
        log=True, ge=0)
    crossing_surplus_patrol: float = par(
        1.0, "share", "assumption: a border crossing and the green border on either side of it "
        "belong to the same border-police station, whose officers the shift leader sends out "
        "on the border section when the crossing's booths, bays and approaches are full",
        "Share of a side's second-line officers that no inspection place can use who patrol "
        "the adjoining green-border sector (the modelled sector of the same border) instead "
        "of standing idle; at a crossing with no modelled sector on its border they stay "
        "idle. 0 keeps every officer at the crossing.", ge=0, le=1,
        plausible=(0.0, 1.0), range_source=(
        "assumption: not published whether shift leaders send spare crossing officers out; from "
        "none to all"))
    traffic_following_share: float = par(
        0.5, "share", "assumption: half of a crossing's staff keep round-the-clock cover, half "
        "follow the traffic", "Share of a crossing's officer-hours that follow the hourly "
        "traffic under the 'traffic' shift profile (the rest spread evenly over the day).",
        plausible=(0.25, 0.75), ge=0, le=1, range_source=(
        "assumption: from a quarter to three quarters of the staff following the traffic"))
    detour_kmh: float = par(
        70.0, "km/h", "assumption: between the route graph's motorway speed (90 km/h) and "
        "minor roads", "Speed at which traffic turned away from a closed crossing drives to the "
        "nearest open one (sim/model/sides.py).", plausible=(50.0, 90.0), gt=0,
        range_source="assumption: from minor-road speeds to the route graph's motorway speed")
    detour_road_factor: float = par(
        1.2, "road km/great-circle km", "assumption: roads between neighbouring crossings run "
        "a fifth longer than the straight line", "Ratio of the road distance of a detour "
        "between two crossings to their great-circle distance.", plausible=(1.1, 1.6), ge=1,
        range_source=("assumption: road circuity factors of about 1.1 to 1.6 between places "
        "(longer across mountains and rivers than on plains)"))
    traffic_rhythm_amplitude: float = par(
        1.0, "factor", "assumption: the hourly tables of sim/model/mechanisms.py (DAILY_RHYTHM, "
        "CLASS_RHYTHM: the shape of hourly counts at European motorway crossings, a night "
        "trough near 1.5% of the day, a day plateau near 6%) are themselves assumptions",
        "Swing of the hourly traffic shares around an even day: 1 keeps the tables, 0 spreads "
        "the traffic evenly over the hours, above 1 deepens the night trough (shares still add "
        "up to 1). Applies to crossings, roads, posts and the traffic shift profile.",
        plausible=(0.6, 1.3), ge=0, le=1.4, range_source=(
        "assumption: from a flatter day (night trough near 2.5%) to a deeper night trough; "
        "above 1.42 a night share of the tables would be negative"))
    weekday_amplitude: float = par(
        1.0, "factor", "assumption: the day-of-week factors of sim/model/mechanisms.py "
        "(WEEKDAY_FACTOR: Friday and weekend cars and coaches, weekend lorry bans) are "
        "themselves assumptions", "Swing of the day-of-week traffic factors around 1: 1 keeps "
        "the table, 0 makes every day alike (factors still average 1).",
        plausible=(0.5, 1.5), ge=0, le=2.5, range_source=(
        "assumption: half to one and a half times the weekly swing of the table"))
    occupancy: dict[str, float] = par(
        {"car": 1.8, "bus": 35.0, "lorry": 1.1}, "persons/vehicle", "assumption: mean car "
        "occupancy on international trips 1.8, a coach 35, a lorry its driver and sometimes a "
        "second", "Persons per vehicle crossing, by class.")
    person_check_officer_minutes: float = par(
        10.0, "officer-minutes/person", "assumption: document inspection and database queries "
        "(SIS, INTERPOL SLTD) with interview",
        "Officer time of one intensified person (document and database) check of a port "
        "passenger.", gt=0)
    road_vehicles_per_day: dict[str, float] = par(
        {"motorway": 15000.0, "other": 5000.0}, "vehicles/day (both directions)",
        "assumption: annual average daily traffic of inter-urban motorway sections and main "
        "roads in South East Europe is of the order of 10,000-25,000 and 3,000-8,000 vehicles; "
        "segments ending at a crossing add its published vehicles (crossings.csv)",
        "Traffic of a road segment of the route graph by road class (the edge's rule).",
        plausible=(0.5, 2.0), log=True, range_source=(
        "the traffic ranges quoted (10,000-25,000 and 3,000-8,000 vehicles a day): half to twice "
        "the values above"))
    checkpoint_time_share: float = par(
        0.15, "share", "range: British police activity surveys found uniformed and traffic "
        "officers spend up to half their time inside police premises (Home Office synthesis, "
        "NCJ 135913, 1988), so at most half a shift is left for a checkpoint; Baltimore patrol "
        "officers spent 6% of their free time on directed activities (Famega, University of "
        "Cincinnati, 2003); default the geometric middle of 0.05-0.5",
        "Share of a road-checkpoint officer's hour spent stopping vehicles; the rest (patrol, "
        "escort, reports, travel) is booked as officer_hours_idle_road_checkpoint.",
        plausible=(0.05, 0.5), log=True, ge=0, le=1)
    road_occupancy: float = par(
        1.6, "persons/vehicle", "assumption: mean car occupancy on inter-urban roads",
        "Persons per vehicle stopped at a road checkpoint.", gt=0)
    road_check_officer_minutes: float = par(
        60.0, "officer-minutes/vehicle", "assumption: a two-officer stop of about 30 minutes",
        "Officer time of one road-checkpoint vehicle check.", gt=0)
    port_containers_per_hour: float = par(
        25.0, "containers/hour", "assumption: ~600 import containers a day at a regional port",
        "Containers and lorries leaving a port's terminal.", gt=0)
    port_check_officer_minutes: float = par(
        240.0, "officer-minutes/container", "assumption: a customs team of four, one hour per "
        "container (scan, open, partial devanning)",
        "Officer time of one container check.", gt=0)
    port_passenger_share: float = par(
        0.65, "share", "assumption: port units split their time between containers and ferry "
        "passengers", "Share of port officers' time spent checking passengers.", ge=0, le=1)
    port_passengers_per_hour: float = par(
        400.0, "persons/hour", "assumption: ferry and cruise passengers at a regional port",
        "Passengers through a port's terminal.", gt=0)
    parcels_per_hour: float = par(
        300.0, "parcels/hour", "assumption: international parcels through a national sorting "
        "centre", "Parcels through a parcel centre.", gt=0)
    parcel_check_officer_minutes: float = par(
        55.0, "officer-minutes/parcel", "assumption: X-ray, opening, documenting; calibrated "
        "with the published 5,225 parcels checked",
        "Officer time of one parcel check.", gt=0)

    # --- who is checked ---------------------------------------------------------------------
    risk_profile_lift: float = par(
        2.0, "factor", "assumption: risk indicators (route, vehicle, travel pattern) select "
        "criminal movements about twice as often as chance", "How much more likely a "
        "criminal movement is picked for a check than a random vehicle under risk profiling.", ge=1,
        plausible=(1.5, 8.0), log=True, range_source=(
            "assumption: risk indicators and the first line's judgement pick criminal vehicles "
            "more often than chance (GAO, Cargo Examinations Targeted by Automated Cargo "
            "Selectivity System, 1990: examinations chosen by criteria or inspectors found more "
            "discrepancies than random ones, with no ratio a model can take); from 1.5 to 8 "
            "times the odds of a random vehicle"))
    intelligence_selection: float = par(
        0.7, "probability", "assumption: a vehicle flagged by the intelligence phase or an "
        "alert is stopped unless it slips past", "Probability that a movement of a targeted or "
        "alerted network is checked at a post that has the target or alert.", ge=0, le=1)

    # --- detection given a check ------------------------------------------------------------
    detection_manual: dict[str, float] = par(
        {"none": 0.9, "simple": 0.5, "professional": 0.25, "structural": 0.08},
        "probability", "assumption: ordinal scale from customs search practice",
        "Probability that a manual check finds goods or hidden persons, by concealment.")
    detection_scanner: dict[str, float] = par(
        {"none": 0.98, "simple": 0.92, "professional": 0.8, "structural": 0.65},
        "probability", "assumption: X-ray/backscatter scanners see through structural "
        "concealment far better than a manual search", "Probability that a scanning team's "
        "check finds goods or hidden persons, by concealment.",
        plausible=(0.7, 1.0), range_source=(
        "assumption: the manufacturer-level rates above are an upper end; in the field up to 30% "
        "lower"))
    detection_kit_bonus: float = par(
        0.5, "share of misses recovered", "assumption: Frontex detection kits identify drugs "
        "and precursors a manual search flags but cannot confirm",
        "Share of otherwise missed drug finds recovered in a check a detection kit serves "
        "(the share served: detection_kit_checks_per_hour).",
        ge=0, le=1)
    agency_goods_skill: dict[str, float] = par(
        {"border_police": 1.0, "police": 0.8, "customs": 1.5, "gendarmerie": 0.8,
         "immigration": 0.8, "organised_crime_unit": 1.0, "frontex": 1.0}, "odds factor",
        "assumption: customs officers are trained in vehicle search and concealment methods "
        "(EU customs risk management), police and immigration officers less so",
        "How the checking unit's agency multiplies the odds that a manual check finds goods "
        "or hidden persons.")
    agency_document_skill: dict[str, float] = par(
        {"border_police": 1.5, "police": 0.8, "customs": 0.7, "gendarmerie": 0.8,
         "immigration": 1.5, "organised_crime_unit": 0.8, "frontex": 1.5}, "odds factor",
        "assumption: border guards and immigration officers are trained in document "
        "examination (Frontex Common Core Curriculum), customs officers check goods",
        "How the checking unit's agency multiplies the odds that a forged document is "
        "recognised.")
    forged_document_detection: float = par(
        0.55, "probability", "assumption: first-line detection of good forgeries is poor",
        "Probability that a checked forged document is recognised without experts.", ge=0, le=1)
    forged_document_detection_experts: float = par(
        0.9, "probability", "assumption: Frontex document experts with equipment",
        "Probability that a forged document is recognised when a Frontex document expert "
        "examines it (the share examined: document_expert_documents_per_hour).", ge=0, le=1)
    patrol_detection_per_officer_km: float = par(
        0.12, "1/(officer per km)", "calibrated to the published 2,229 illegal entries",
        "Green-border detection hazard per on-duty patrol officer per km where officers are "
        "few (the slope at zero; patrol_saturation_officers_per_km bends it).", gt=0,
        plausible=(0.02, 0.4), log=True, range_source=(
        "assumption: no published detection rate per patrol officer; a factor of 20 (the prior of"
        " calibration/joint.yaml)"))
    patrol_saturation_officers_per_km: float = par(
        0.5, "officers/km", "assumption: a patrol pair watches a stretch of a few km (a vehicle "
        "patrol with binoculars, a fixed observation post); beyond about one officer per "
        "1-5 km of line, more officers watch ground already watched",
        "Patrol density at which the green-border detection hazard bends: hazard = slope x "
        "this x (1 - exp(-density / this)), so each extra officer per km adds less and the "
        "hazard never exceeds slope x this.", plausible=(0.2, 1.0), log=True, gt=0)
    green_border_hotspot_length_share: float = par(
        0.2, "share", "assumption: crossings on foot concentrate where terrain, roads and "
        "villages on both sides help (river fords on the Evros, the Horgos-Asotthalom stretch "
        "on the Hungarian-Serbian border in Frontex and press reports); no published shares",
        "Share of a green-border sector's length that holds its crossing hotspots.",
        plausible=(0.1, 0.3), gt=0, le=1)
    green_border_hotspot_crossing_share: float = par(
        0.7, "share", "assumption, as green_border_hotspot_length_share",
        "Share of a sector's crossings on foot that happen at its hotspots; the patrol "
        "leader puts the same share of the sector's officers there (risk analysis tells where "
        "groups cross).", plausible=(0.5, 0.9), ge=0, le=1)
    thermal_vision_factor: float = par(
        2.0, "factor", "assumption: thermal cameras roughly double night detection range",
        "Multiplier of the patrol's night detection hazard on the part of a sector that "
        "thermal-vision units cover (thermal_vision_km each).", ge=1,
        plausible=(1.2, 3.0), range_source=(
        "assumption: from a small gain to three times the night detection"))
    scanner_minutes: dict[str, float] = par(
        {"car": 2.0, "bus": 8.0, "lorry": 5.0}, "minutes/vehicle", "assumption: a mobile "
        "X-ray scanner positions, scans and reads the image of a lorry or container in about "
        "5 minutes, a car in 2, a coach (passengers out) in 8",
        "Scanner time per vehicle scanned, by class (containers as lorries): what limits how "
        "many vehicles a scanning team examines in an hour.",
        plausible=(0.5, 2.0), log=True, range_source="assumption: half to twice the times above")
    document_expert_documents_per_hour: float = par(
        12.0, "documents/unit-hour", "assumption: an expert team examines a referred document "
        "with its equipment in about 5 minutes", "Documents one Frontex document-expert unit "
        "examines per hour.", gt=0)
    detection_kit_checks_per_hour: float = par(
        6.0, "checks/kit-hour", "assumption: a swab or reagent test with its documentation "
        "takes about 10 minutes", "Checks one Frontex detection kit serves per hour.", gt=0)
    thermal_vision_km: float = par(
        10.0, "km/unit", "assumption: a vehicle-mounted thermal camera watches about 5 km of "
        "border line either side of its position", "Kilometres of a green-border sector one "
        "thermal-vision unit covers at night.", gt=0,
        plausible=(5.0, 40.0), log=True, range_source=(
        "assumption: a vehicle camera that sees a group a few km away, up to a mast-mounted "
        "long-range system (issue 32 tried 40 km)"))
    wanted_person_rate: float = par(
        0.4e-4, "arrests/person checked", "calibrated to the 89 'other' arrests: database hits "
        "(SIS, INTERPOL) among persons checked", "Chance that a checked traveller is wanted "
        "and arrested.", ge=0, le=1)

    wanted_persons_pool: float = par(
        150.0, "persons", "assumption: wanted_person_rate times the order of 4 million person "
        "passages through the region's checked crossings, ports and checkpoint roads in six "
        "days; free in calibration/baseline.yaml", "Wanted persons travelling during the "
        "action (scaled by criminal.networks_scale): checks find at most these.", ge=0,
        plausible=(30.0, 600.0), log=True, range_source=(
        "assumption: a fifth to four times the estimate above (calibration/baseline.yaml's prior)"))

    # --- inland operations ------------------------------------------------------------------
    premises_search_officer_hours: float = par(
        64.0, "officer-hours/search", "assumption: a team of 8 for 8 hours, briefing and "
        "evidence handling included; calibrated with the 999 premises searched",
        "Officer time of one premises search.", gt=0)
    lead_precision: float = par(
        0.4, "probability", "assumption: share of intelligence-phase premises targets that "
        "hold evidence or goods", "Chance that a premises search on a lead finds the network's "
        "goods and members.", ge=0, le=1,
        plausible=(0.1, 0.8), range_source=(
        "assumption; no source supports more than four in five targeted searches paying off: "
        "where rates of house searches finding what they sought are published they are far lower "
        "(Chicago police data on 6,855 search warrants 2016-19, reported by CBS 2 Chicago in "
        "2020: no drugs found in 95% of narcotics warrants)"))
    local_lead_precision: float = par(
        0.05, "probability", "assumption: searches beyond the network leads follow local "
        "intelligence (illegal weapons holders, dealers) that rarely pays off",
        "Chance that a search on a local tip names one of the premises the networks hold in "
        "the searching country (and finds it if not yet searched).", ge=0, le=1)
    cyber_targets_per_officer_hour: float = par(
        0.022, "targets/officer-hour", "calibrated to the 120 online targets of the firearms "
        "cyber patrol", "Online targets examined per cyber-patrol officer-hour.", ge=0)
    cyber_lead_probability: float = par(
        0.3, "probability", "assumption", "Chance that an examined online target yields a "
        "lead to a firearms network's premises.", ge=0, le=1)

    cyber_lead_precision: float = par(
        0.6, "probability", "assumption: an online offer traced to an address",
        "Chance that a premises search on a cyber-patrol lead finds the network's goods.",
        ge=0, le=1)

    # --- information exchange and cases (sim/model/relay.py, evidence.py) -------------------
    link_probability_national: float = par(
        0.35, "probability", "assumption: national analysis links a hit to a known network",
        "Chance that a hit is linked to its network by national databases alone (at once).",
        ge=0, le=1,
        plausible=(0.2, 0.5), range_source=(
        "assumption: a fifth to a half of hits linked by national databases alone"))
    link_probability_europol: float = par(
        0.75, "probability", "assumption: Europol cross-checks against its databases (SIENA, "
        "EAS)", "Chance that a hit is linked to its network once Europol analysts have given "
        "it a full cross-check (`analyst_hours_per_hit`); less time, less chance.", ge=0, le=1)
    analyst_hours_per_hit: float = par(
        1.0, "analyst-hours", "assumption: an EIS/SIENA cross-check of a vehicle, its "
        "occupants and phones with a short report",
        "Analyst time of a full cross-check of one hit.", gt=0,
        plausible=(0.5, 2.0), log=True)
    analyst_returns_hours: float = par(
        0.5, "analyst-hours", "assumption: the first half hour finds most links (database "
        "hits), the rest refines them",
        "Scale of diminishing returns: a hit given t analyst-hours gets 1 - exp(-t / scale) of "
        "the full cross-check's extra chance of a link (normalised to 1 at a full check).", gt=0,
        plausible=(0.25, 1.0), log=True)
    analyst_duty_share: float = par(
        0.5, "share", "assumption: analysts on the ground work two 12-hour shifts",
        "Share of the deployed analysts at work in any hour.", ge=0, le=1)
    cross_check_deadline_hours: float = par(
        12.0, "hours", "assumption: a hit not cross-checked within half a day is triaged out "
        "(its movement's companions have arrived)", "Longest a hit waits for analysts; then "
        "it is closed with the analyst time it got.", gt=0)
    national_channel_hours: float = par(
        1.0, "hours", "assumption: a national contact point of the action forwards within "
        "the hour", "Delay of each national hop: from the checkpoint to "
        "the national contact point, and from a receiving contact point to its checkpoints.",
        ge=0,
        plausible=(0.5, 3.0))
    coordination_messages_per_officer_hour: float = par(
        2.0, "messages/officer-hour", "assumption: a liaison officer reads, checks, translates "
        "and forwards a message in about half an hour",
        "Messages one coordination officer on duty at the centre relays per hour.", gt=0,
        plausible=(1.0, 4.0))
    relay_probability_without_centre: float = par(
        0.35, "probability", "assumption: bilateral requests between the "
        "26 countries run through different instruments (Framework Decision 2006/960/JHA "
        "between EU states, the Police Cooperation Convention for Southeast Europe, SIENA "
        "where connected); many are not answered within a week", "Chance that a bilateral "
        "alert or evidence message reaches the other country at all without the centre.",
        ge=0, le=1,
        plausible=(0.2, 0.7))
    relay_delay_without_centre_hours: float = par(
        48.0, "hours", "Framework Decision 2006/960/JHA sets 8 hours for "
        "urgent requests on directly accessible data and 7 days for other urgent ones",
        "Delay of a bilateral message from one country's contact point to another's, "
        "without the coordination centre.", ge=0,
        plausible=(8.0, 168.0), log=True)
    evidence_per_hit: float = par(
        1.0, "evidence units", "assumption", "Mean evidence a linked interception adds.", ge=0)
    evidence_per_premises_find: float = par(
        1.5, "evidence units", "assumption", "Mean evidence a successful premises search adds.",
        ge=0)
    evidence_per_cyber_lead: float = par(
        0.5, "evidence units", "assumption", "Mean evidence an online lead adds.", ge=0)
    evidence_shape: float = par(
        2.0, "gamma shape", "assumption: what a hit proves varies (a coefficient of variation "
        "of 0.7)", "Shape of the gamma distribution of each piece of "
        "evidence around its mean: evidence is continuous, so cases respond smoothly to the "
        "threshold.", gt=0,
        plausible=(1.0, 8.0), log=True)
    evidence_prior_targeted: float = par(
        1.0, "evidence units", "assumption: the intelligence phase built a dossier on each "
        "targeted network", "Mean evidence a targeted network starts the action with.", ge=0)
    case_evidence_threshold: float = par(
        2.0, "evidence units", "calibrated to the 121 new cases", "Evidence that opens a case "
        "against a network once it has arrived (within the action or the follow-up window).",
        gt=0,
        plausible=(1.0, 4.0), range_source=(
        "definition: a case against a network needs at least the evidence of one average linked "
        "interception (evidence_per_hit = 1), else one courier would make a case against a "
        "network; the upper end an assumption"))
    follow_up_hours: float = par(
        72.0, "hours", "assumption: evidence relayed shortly after the action still counts",
        "Window after the action in which relayed evidence still opens cases.", ge=0,
        plausible=(24.0, 168.0), range_source="assumption: one day to a week after the action")

    # --- police units answering alerts (sim/model/response.py) --------------------------------
    retask_watch_hours: float = par(
        4.0, "hours", "assumption: a mobile unit holds an ad-hoc checkpoint a few hours past "
        "the time the alerted vehicle was expected",
        "How long past a linked movement's expected passage a re-tasked unit waits before it "
        "gives up.", ge=0,
        plausible=(1.0, 8.0))

    # --- the criminal side's own channels (sim/model/grapevine.py) ----------------------------
    hear_own_loss_probability: float = par(
        0.9, "probability", "assumption: a driver who does not call in, a raided stash house "
        "or an arrested member is noticed by the rest of the network", "Chance that a network "
        "learns of its own seized movement, arrested members or raided premises.", ge=0, le=1)
    hear_own_loss_hours: float = par(
        3.0, "hours", "assumption: mean delay (exponential)",
        "Mean delay before a network learns of its own loss.", ge=0,
        plausible=(1.0, 12.0), log=True)
    hear_corridor_seizure_probability: float = par(
        0.3, "probability", "assumption: word of seizures travels fast in criminal milieus",
        "Chance that another network on the same corridor hears of a "
        "seizure or a raid (and considers adapting), whatever the police relay.", ge=0, le=1,
        plausible=(0.1, 0.6))
    hear_corridor_seizure_hours: float = par(
        12.0, "hours", "assumption: mean delay (exponential)",
        "Mean delay before word of a seizure reaches other networks on the corridor.", ge=0,
        plausible=(2.0, 48.0), log=True)

    # --- criminal side: the hidden flows ----------------------------------------------------
    networks: dict[str, int] = par(
        per_area(migrant_smuggling=160, drug_trafficking=180, firearms_trafficking=45, thb=25,
                 high_risk_networks=30), "networks", "assumption: active networks on the "
        "corridors in one week (not published); calibrated with cases and arrests",
        "Criminal networks active in the region, by crime area.",
        plausible=(0.5, 2.0), range_source=(
        "assumption: no count of active networks is published; half to twice these (the prior of "
        "calibration/joint.yaml)"))
    movements_per_network: dict[str, float] = par(
        per_area(migrant_smuggling=4.0, drug_trafficking=2.0, firearms_trafficking=1.5, thb=2.0,
                 high_risk_networks=1.0), "movements/network-week", "calibrated to the arrests "
        "by crime area", "Mean trips a network starts in a week.",
        plausible={"migrant_smuggling": (0.3, 2.0), "drug_trafficking": (0.4, 2.5)}, range_source=(
        "assumption: trips per network are not published; the prior of calibration/joint.yaml "
        "around these"))
    members_mean: dict[str, float] = par(
        per_area(migrant_smuggling=8, drug_trafficking=10, firearms_trafficking=6, thb=6,
                 high_risk_networks=12), "persons", "assumption", "Mean members of a network.")
    premises_per_network: float = par(
        2.0, "premises", "assumption", "Mean premises (stash houses, workshops, safe houses) per "
        "network.", ge=0, le=1_000)
    adaptivity: float = par(
        0.5, "probability", "assumption: half of networks react to a seizure or an alert",
        "Chance that a network changes its plans after a seizure or an alert.", ge=0, le=1,
        plausible=(0.2, 0.8), range_source=(
        "assumption: from one network in five to four in five reacting "
        "(calibration/sensitivity.yaml)"))
    check_awareness: float = par(
        0.5, "probability", "assumption: smuggling networks scout crossings and share where "
        "police stand (Frontex risk analyses describe spotters and messaging groups); free in "
        "calibration/baseline.yaml", "Chance that a network watches the checks on its routes "
        "before the action and plans its trips around them.", ge=0, le=1,
        plausible=(0.2, 0.8), range_source=(
        "assumption: from one network in five to four in five watching the checks "
        "(calibration/differences/)"))
    hidden_check_awareness: float = par(
        0.2, "probability", "assumption: mobile scanners and thermal cameras move and are seen "
        "far less than fixed posts", "Chance that a watching network also sees scanners, "
        "thermal cameras and the mobile road checkpoints.", ge=0, le=1,
        plausible=(0.05, 0.5), range_source=(
        "assumption: from one in twenty to half of the watching networks"))
    detour_hours_per_risk: float = par(
        24.0, "hours", "assumption: a network gives up about a day of travel to avoid a "
        "certain stop (cost = hours + this x -ln(1 - risk)); free in calibration/baseline.yaml",
        "Travel time a watching network trades against the chance of being stopped.", ge=0,
        plausible=(6.0, 96.0), log=True, range_source=(
        "assumption: from six hours to four days of travel (calibration/baseline.yaml's prior)"))
    adaptation_weights: dict[str, float] = par(
        {"delay": 0.35, "reroute": 0.35, "green_border": 0.15, "suspend": 0.15}, "weights",
        "assumption", "Relative weights of the responses of an adapting network.")
    migrant_group_mean: float = par(
        9.0, "persons", "assumption: Frontex reports groups of a few to a few dozen",
        "Mean migrants in a smuggled group.", gt=0, le=1_000,
        plausible=(5.0, 15.0), range_source=(
        "assumption: Frontex reports groups of a few to a few dozen; the mean between 5 and 15"))
    guide_present_green_border: float = par(
        0.15, "probability", "assumption: guides often stay behind or flee",
        "Chance that a smuggler is caught with an intercepted group on the green border.",
        ge=0, le=1,
        plausible=(0.1, 0.5), range_source=(
        "assumption: from one group in ten to one in two with its guide"))
    reattempt_probability: float = par(
        0.8, "probability", "assumption within reported ranges: on the Western Balkan route "
        "people turned back try the same border many times (Frontex counts detections, not "
        "persons, 'as the same person may cross the external border several times'; "
        "InfoMigrants 2023: in the Balkans people 'sometimes cross the same border dozens of "
        "times', F. Duvell: 'everyone knows that people try several times'; testimonies "
        "of 4, 6 and over 20 attempts: VICE World News 'The hellish game', i news from Bihac, "
        "Qantara.de 'The Game'), while some give up and travel back south (Frontex Western "
        "Balkans Quarterly Q2 2017). A group that is "
        "turned back every time makes 1 / (1 - p) attempts on average: 2 at 0.5, 5 at 0.8, "
        "20 at 0.95", "Chance that a migrant group turned back at a crossing or green-border "
        "sector tries again (sim/model/reattempts.py); otherwise it gives up and its trip "
        "counts as stopped.", plausible=(0.5, 0.95), ge=0, le=1)
    reattempt_delay_hours: float = par(
        72.0, "hours", "assumption (no source found gives the interval): people turned back "
        "wait in camps and squats near the border for the next attempt ('most fail and return "
        "to Bosnia before they can attempt another crossing', RT 'Game over the border'; "
        "Oxfam, BCHR and MYLA 'A dangerous game' 2017: some expelled more than once); a stated "
        "range of one to ten days",
        "Mean delay between a turn-back and the group's next attempt (gamma, shape "
        "reattempt_delay_shape; at 2 half the groups go again within 0.84 of the mean).",
        plausible=(24.0, 240.0), gt=0, le=10_000)
    reattempt_delay_shape: float = par(
        2.0, "gamma shape", "assumption: few groups go again the same night",
        "Shape of the gamma distribution of the delay between a turn-back and the next "
        "attempt (1: exponential).", plausible=(1.0, 4.0), gt=0,
        range_source="assumption: from exponential (1) to a delay near its mean (4)")
    victims_mean: float = par(
        2.0, "persons", "assumption", "Mean victims moved in one THB trip.", gt=0, le=1_000)
    forged_documents_share: dict[str, float] = par(
        per_area(migrant_smuggling=0.06, drug_trafficking=0.03, firearms_trafficking=0.02,
                 thb=0.6, high_risk_networks=0.1), "share of movements", "calibrated to the "
        "114 forged documents", "Movements carrying forged documents.",
        plausible=(0.5, 1.6), range_source=(
        "assumption: the prior of calibration/joint.yaml around the hand-set shares"))
    heroin_kg_median: float = par(
        2.5, "kg", "assumption: EU Drug Markets Report 2019 — loads vary, often over 100 kg "
        "in lorries", "Median heroin load of a movement (lognormal, sigma drug_load_sigma).",
        gt=0, le=100_000)
    cocaine_kg_median: float = par(
        5.5, "kg", "assumption: container loads in the region range 10 kg to 0.5 t",
        "Median cocaine load (lognormal, sigma drug_load_sigma).", gt=0, le=100_000,
        plausible=(1.0, 15.0), log=True, range_source=(
        "assumption around 'container loads 10 kg to 0.5 t' (the prior of calibration/joint.yaml)"))
    cannabis_kg_median: float = par(
        3.0, "kg", "assumption", "Median cannabis load (lognormal, sigma drug_load_sigma).",
        gt=0, le=100_000)
    synthetic_kg_median: float = par(
        2.0, "kg", "assumption", "Median load of a synthetic-drug movement (lognormal, sigma "
        "drug_load_sigma.synthetic); also the drug of a corridor whose commodity is none of "
        "heroin, cocaine and cannabis.", gt=0, le=100_000, plausible=(0.5, 8.0), log=True,
        range_source="assumption: a quarter to four times the default")
    drug_load_sigma: dict[str, float] = par(
        {"heroin": 1.2, "cocaine": 1.4, "cannabis": 1.0, "synthetic": 1.0}, "lognormal sigma",
        "assumption: a few large loads dominate the totals (seizure sizes span orders of "
        "magnitude: geography.md, 'loads often over 100 kg' beside kilogram couriers)",
        "Spread (sigma of the logarithm) of one movement's drug load around its median, by "
        "drug; the cannabis sigma also spreads a high-risk network's cannabis.",
        plausible=(0.7, 1.3), range_source="assumption: 30% below to 30% above these sigmas")
    parcel_load_factor: float = par(
        0.05, "factor", "assumption: a postal parcel carries grams to a few hundred grams, a "
        "twentieth of a vehicle's load", "Multiplier of the median drug load of a movement "
        "sent as a parcel.", gt=0, plausible=(0.01, 0.2), log=True,
        range_source="assumption: a hundredth to a fifth of a vehicle's median load")
    container_load_factor: float = par(
        4.0, "factor", "assumption: container loads in the region range 10 kg to 0.5 t "
        "(geography.md), above a car's", "Multiplier of the median drug load of a movement in "
        "a sea container (bulk shipments are drawn apart: sim/model/shipments.py).", gt=0,
        plausible=(1.5, 20.0), log=True, range_source=(
        "geography.md: container loads of 10 kg to 0.5 t over the cocaine median of 5.5 kg; "
        "the upper end an assumption"))
    second_crew_probability: float = par(
        0.4, "probability", "assumption: a driver often travels with a mate or a lookout",
        "Chance that a trip has a second crew member (a parcel has none).",
        plausible=(0.2, 0.6), ge=0, le=1,
        range_source="assumption: from one trip in five to three in five")
    forged_documents_per_carrier: float = par(
        0.5, "documents/person", "assumption: about half the persons of a trip carrying forged "
        "documents hold one (at least one a trip)", "Forged documents per migrant, victim or "
        "crew member of a trip that carries forged documents.", plausible=(0.25, 1.0), ge=0,
        range_source="assumption: from one person in four to every person")
    high_risk_weapon_probability: float = par(
        0.3, "probability", "assumption: high-risk networks carry mixed goods, sometimes a "
        "weapon", "Chance that a high-risk network's trip carries a firearm.",
        plausible=(0.1, 0.5), ge=0, le=1, range_source="assumption")
    high_risk_drugs_probability: float = par(
        0.4, "probability", "assumption: high-risk networks carry mixed goods",
        "Chance that a high-risk network's trip, or one of its premises, holds cannabis.",
        plausible=(0.2, 0.6), ge=0, le=1, range_source="assumption")
    high_risk_cannabis_kg_median: float = par(
        1.0, "kg", "assumption: a small quantity beside other goods", "Median cannabis a "
        "high-risk network's trip carries when it carries any (lognormal, sigma "
        "drug_load_sigma.cannabis).", gt=0, plausible=(0.3, 3.0), log=True,
        range_source="assumption: a third to three times the default")
    alternative_route_probability: float = par(
        0.3, "probability", "assumption: networks spread over the alternatives they know",
        "Chance that a network takes the fastest route avoiding the first checked place of its "
        "fastest route instead of the fastest route.", plausible=(0.1, 0.5), ge=0, le=1,
        range_source="assumption: from one trip in ten to one in two")
    adaptation_delay_hours: float = par(
        24.0, "hours", "assumption: a network that waits for things to calm down waits a day "
        "or two", "Shortest delay of a trip an adapting network postpones: the delay is drawn "
        "evenly between this and twice this.", plausible=(12.0, 72.0), ge=0,
        range_source="assumption: from half a day to three days")
    crossing_penalty_on_foot_hours: float = par(
        60.0, "hours", "assumption: people without papers avoid crossing points unless the "
        "border has no green-border sector (or is a Schengen internal one)", "Hours a group on "
        "foot adds to a route through a crossing point when it plans its route.",
        plausible=(12.0, 240.0), log=True, ge=0,
        range_source="assumption: from half a day to ten days of walking")
    avoid_penalty_hours: float = par(
        500.0, "hours", "assumption: a place a network avoids is not forbidden, but any "
        "route around it within the region is preferred", "Hours a network adds to a route "
        "through a place it has decided to avoid.", plausible=(100.0, 2000.0), log=True, ge=0,
        range_source="assumption: longer than most detours in the region (100 h) to far longer")
    bulk_shipments_per_week: float = par(
        2.0, "shipments/week", "assumption: about 8 t of cocaine seized in South East European "
        "ports in 2018-21 (GI-TOC, geography.md), i.e. roughly 8-10 seizures of 100 kg or more a "
        "year, found at an ordinary rate of one in ten containers that carry them",
        "Bulk cocaine shipments (a container from a port, or a lorry) entering the region in a "
        "week, over all cocaine networks (sim/model/shipments.py).", ge=0,
        plausible=(0.3, 10.0), log=True, range_source=(
        "8-10 bulk seizures a year in the region's ports (GI-TOC) at an ordinary find rate "
        "between one in ten and one in fifty shipments: the US Department of Homeland Security's "
        "Border Security Metrics Report 2021 puts the cocaine seized at US land ports of entry in"
        " 2019 at 2.1% of the estimated flow, so 1.5 to 10 a week (the upper end was 6, an "
        "assumption, until 7 December 2026)"))
    bulk_shipment_min_kg: float = par(
        100.0, "kg", "geography.md: loads 'often over 100 kg'; 161 kg at Thessaloniki (2023)",
        "Smallest load of a bulk shipment (the Pareto tail starts here).", gt=0, le=1_000_000)
    bulk_shipment_max_kg: float = par(
        2000.0, "kg", "assumption: the largest single seizures in the region's ports are "
        "of the order of a tonne or two (over 0.5 t at Ploče, 2021)",
        "Largest load of a bulk shipment (the Pareto tail is cut here).", gt=0, le=1_000_000)
    bulk_shipment_tail: float = par(
        1.2, "index", "assumption: seizure sizes follow a heavy (Pareto) tail; an index near 1 "
        "makes a single seizure dominate a week's total",
        "Pareto tail index of bulk shipment loads (smaller: heavier tail).", gt=0)
    bulk_concealment: dict[str, float] = par(
        {"professional": 0.5, "structural": 0.5}, "weights", "assumption: rip-on/rip-off or "
        "cover loads (bananas), never loose", "Relative weights of the concealments of a bulk "
        "shipment.", plausible={"structural": (0.25, 4.0)}, range_source=(
        "assumption: from one structural concealment in five to four in five"))
    weapons_per_movement_mean: float = par(
        4.0, "weapons", "Europol: small numbers hidden in cars and coaches",
        "Mean firearms on one trafficking trip.", gt=0, le=10_000,
        plausible=(2.0, 8.0), log=True, range_source=(
        "assumption: Europol's 'small numbers hidden in cars and coaches', two to eight"))
    rounds_per_weapon: float = par(
        70.0, "rounds", "assumption", "Mean rounds carried per weapon.", ge=0, le=100_000)
    stockpile_weapons_mean: float = par(
        8.0, "weapons", "assumption: published seizures include 84 automatic weapons and 22 "
        "grenade launchers, i.e. stockpiles", "Mean weapons found in a firearms network's "
        "premises.", ge=0, le=100_000)
    stockpile_rounds_mean: float = par(
        450.0, "rounds", "assumption", "Mean rounds found in a firearms premises.", ge=0,
        le=10_000_000)
    premises_stock_share: float = par(
        0.5, "factor", "assumption: a stash holds about half a trip's median load",
        "Median drug stock of a drug network's premises as a multiple of its trips' median "
        "load (lognormal, sigma premises_stock_sigma).", gt=0, plausible=(0.25, 4.0), log=True,
        range_source="assumption: from a quarter of a trip's load to several trips' loads")
    premises_stock_sigma: float = par(
        1.0, "lognormal sigma", "assumption", "Spread (sigma of the logarithm) of the drugs "
        "found in one premises around their median.", gt=0, plausible=(0.7, 1.3),
        range_source="assumption: 30% either side")
    high_risk_premises_weapons_mean: float = par(
        1.0, "weapons", "assumption: arms and a small stash", "Mean weapons found in a "
        "high-risk network's premises.", ge=0, plausible=(0.3, 3.0), log=True,
        range_source="assumption")
    high_risk_premises_cannabis_kg_median: float = par(
        0.3, "kg", "assumption: a small stash", "Median cannabis in a high-risk network's "
        "premises when there is any (its chance: high_risk_drugs_probability).", gt=0,
        plausible=(0.1, 1.0), log=True, range_source="assumption")
    night_crossing_share: float = par(
        0.8, "share", "assumption: green-border crossings happen mostly at night",
        "Share of green-border crossings timed for night.", ge=0, le=1)
    night_start_hour: int = par(
        20, "hour of day", "assumption: full darkness; in November the sun sets in the region "
        "about 16:30 and rises about 07:00, and patrol detection and crossings on foot follow "
        "darkness and the quiet of the night", "First hour of the night: crossings on foot wait "
        "for it, the patrol's night hazard (thermal vision) applies from it.",
        plausible=(17, 22), ge=0, le=23, range_source=(
        "assumption: from sunset (about 17:00 in November) to late evening"))
    night_end_hour: int = par(
        6, "hour of day", "assumption: as night_start_hour", "First hour after the night.",
        plausible=(5, 7), ge=0, le=23, range_source="assumption: around sunrise (about 07:00)")
    arrive_after_dark_hour: int = par(
        21, "hour of day", "assumption: an hour after night falls", "Hour a watching group on "
        "foot plans to reach the green border.", plausible=(20, 23), ge=0, le=23,
        range_source="assumption: within the first hours of the night")


# Modus operandi by crime area (assumption tables, from the corridor descriptions in the EU Drug
# Markets Report 2019, Europol's firearms assessments and Frontex risk analyses): the kinds of trip
# a network makes and how well it hides what it carries. Weights are relative.
MOVEMENT_KINDS: dict[str, dict[str, float]] = {
    "migrant_smuggling": {"foot_group": 0.8, "lorry": 0.15, "vehicle": 0.05},
    "drug_trafficking": {"lorry": 0.45, "vehicle": 0.35, "parcel": 0.1, "container": 0.1},
    "firearms_trafficking": {"vehicle": 0.75, "parcel": 0.1, "coach": 0.15},
    "thb": {"vehicle": 0.6, "coach": 0.4},
    "high_risk_networks": {"vehicle": 1.0},
}
CONCEALMENT_MIX: dict[str, dict[str, float]] = {
    "migrant_smuggling": {"none": 0.2, "simple": 0.3, "professional": 0.3, "structural": 0.2},
    "drug_trafficking": {"none": 0.05, "simple": 0.25, "professional": 0.4, "structural": 0.3},
    "firearms_trafficking": {"none": 0.05, "simple": 0.35, "professional": 0.45,
                             "structural": 0.15},
    "thb": {"none": 0.0, "simple": 0.3, "professional": 0.7, "structural": 0.0},
    "high_risk_networks": {"none": 0.1, "simple": 0.5, "professional": 0.4, "structural": 0.0},
}
