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


def par(default: Any, unit: str, source: str, description: str, *,
        plausible: tuple[float, float] | None = None, **bounds: Any) -> Any:
    """A documented parameter field: description, unit and source travel into the JSON Schema.

    `plausible=(low, high)` is the range the evidence leaves open for a value that decides a
    mechanism (what the ensemble samples; the default lies inside it). It is not a validation
    bound: `ge`/`le` say what the model can take at all."""
    extra: dict[str, Any] = {"unit": unit, "source": source}
    if plausible is not None:
        low, high = plausible
        if not low <= high:
            raise ValueError(f"plausible range ({low}, {high}) is empty")
        extra["plausible"] = [low, high]
    return Field(default, description=description, json_schema_extra=extra, **bounds)


def plausible_range(field: Any) -> tuple[float, float] | None:
    """The registered plausible (low, high) of a parameter field, or None."""
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    value = extra.get("plausible")
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
        small = {k: v for k, v in self.check_team_max_officers.items()
                 if v < self.intensified_check_officers}
        if small:
            raise ValueError(f"check_team_max_officers: {small} is fewer than the standard team "
                             f"(intensified_check_officers {self.intensified_check_officers}); "
                             "a check team can only grow from it")
        return self

    # --- legitimate traffic and queues -------------------------------------------------------
    inbound_share: float = par(
        0.5, "share", "assumption: published crossing traffic counts both directions; the "
        "intensified checks of the action target entries", "Share of a crossing's daily traffic "
        "that arrives in the checked direction.", ge=0, le=1)
    first_line_seconds: dict[str, float] = par(
        {"car": 80.0, "bus": 600.0, "lorry": 300.0}, "seconds/vehicle", "assumption: a car "
        "with 2-3 occupants 80 s (Schengen Borders Handbook first-line check); a coach's "
        "passengers about 10 min; a lorry's driver, vehicle and customs documents about 5 min",
        "First-line booth time of one vehicle, by class (car, bus, lorry).")
    lane_blocking_seconds: float = par(
        150.0, "seconds/selected vehicle", "assumption: a vehicle picked for an intensified "
        "check holds its lane while first-line officers question it and direct it to the bay",
        "Extra booth time per vehicle selected for an intensified check: the price of checks "
        "in queue length.", ge=0)
    officers_per_lane: int = par(
        2, "officers", "assumption: one border guard and one customs officer per booth",
        "Officers needed to staff one first-line booth.", ge=1)
    second_line_share: float = par(
        1.0, "share", "assumption: during the action every crossing officer not needed in a "
        "booth does intensified checks (no officer-hour vanishes); an ordinary week caps it",
        "Most share of on-duty crossing officers that work second-line intensified checks; "
        "officers neither in booths nor in the second line are idle.", ge=0, le=1)
    crossing_surplus_patrol: float = par(
        1.0, "share", "assumption: a border crossing and the green border on either side of it "
        "belong to the same border-police station, whose officers the shift leader sends out "
        "on the border section when the crossing's booths and bays are full (all agencies "
        "of the crossing go, as joint patrols)",
        "Share of the second-line crossing officers that no inspection bay can use (beyond one "
        "standard team kept back) who patrol the adjoining green-border sector (the modelled "
        "sector of the same border) instead of standing idle; at a crossing with no modelled "
        "sector on its border they stay idle. 0 keeps every officer at the crossing.", ge=0, le=1)
    occupancy: dict[str, float] = par(
        {"car": 1.8, "bus": 35.0, "lorry": 1.1}, "persons/vehicle", "assumption: mean car "
        "occupancy on international trips 1.8, a coach 35, a lorry its driver and sometimes a "
        "second", "Persons per vehicle crossing, by class.")
    check_time_by_class: dict[str, float] = par(
        {"car": 1.0, "bus": 1.5, "lorry": 2.5}, "factor", "assumption: a coach's luggage hold "
        "takes half as long again as a car, a lorry's cargo (partial unloading, sniffer dog) "
        "two and a half times", "Officer time of an intensified vehicle check by class, as a "
        "multiple of vehicle_check_officer_minutes (a car's).")
    inspection_bays_scale: float = par(
        1.0, "factor", "assumption: the bays of traffic.csv are a rule estimate (no published "
        "counts of inspection places); a free parameter of the calibration",
        "Multiplier of every crossing's inspection bays (the vehicles that can be under an "
        "intensified check at once).", gt=0)
    intensified_check_officers: float = par(
        3.0, "officers", "assumption: a team of two or three officers and a customs officer "
        "works one vehicle", "Officers who work one intensified check together: its clock "
        "time (the checked vehicle's own delay and the time it holds a bay) is the officer "
        "time divided by this.", ge=1)
    check_team_max_officers: dict[str, float] = par(
        {"car": 5.0, "bus": 8.0, "lorry": 8.0}, "officers", "assumption: around a car two "
        "officers at the doors, one at the boot and engine, one or two with the occupants' "
        "documents; a coach's 35 passengers' documents and luggage hold shared by up to eight; "
        "a lorry partly unloaded by up to eight",
        "Most officers who can work one vehicle's intensified check at once, by class: where "
        "more second-line officers stand than the bays in use hold in standard teams "
        "(intensified_check_officers), the teams grow up to this and the checks go faster "
        "(check_serial_share); officers beyond it patrol the adjoining sector or are idle.")
    check_serial_share: float = par(
        0.3, "share", "assumption: the sniffer dog's round, the scanner image, the database "
        "answers (SIS, INTERPOL) and the report take about a third of a check's clock time "
        "however many officers work the vehicle",
        "Share of an intensified check's clock time (at the standard team) that more officers "
        "cannot shorten; the rest falls in proportion to the team.", ge=0, le=1)
    vehicle_check_officer_minutes: float = par(
        200.0, "officer-minutes/vehicle", "assumption: two to three officers for about an hour "
        "(search, sniffer dog or scanner, database queries, report); calibrated with the "
        "vehicles band",
        "Officer time of one intensified check of a car, occupants' documents excluded "
        "(other classes: check_time_by_class).", gt=0)
    person_check_officer_minutes: float = par(
        10.0, "officer-minutes/person", "assumption: document inspection and database queries "
        "(SIS, INTERPOL SLTD) with interview",
        "Officer time of one intensified person (document and database) check.", gt=0)
    road_vehicles_per_day: dict[str, float] = par(
        {"motorway": 15000.0, "other": 5000.0}, "vehicles/day (both directions)",
        "assumption: annual average daily traffic of inter-urban motorway sections and main "
        "roads in South East Europe is of the order of 10,000-25,000 and 3,000-8,000 vehicles; "
        "segments ending at a crossing add its published vehicles (crossings.csv)",
        "Traffic of a road segment of the route graph by road class (the edge's rule).")
    checkpoint_time_share: float = par(
        0.1, "share", "calibrated with the vehicles band: road units also patrol, escort and "
        "report; only part of a shift is spent stopping vehicles at a set-up checkpoint",
        "Share of a road unit's shift spent stopping vehicles.", ge=0, le=1)
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
        "criminal movement is picked for a check than a random vehicle under risk profiling.", ge=1)
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
        "check finds goods or hidden persons, by concealment.")
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
        "Green-border detection hazard per on-duty patrol officer per km of sector.", gt=0)
    thermal_vision_factor: float = par(
        2.0, "factor", "assumption: thermal cameras roughly double night detection range",
        "Multiplier of the patrol's night detection hazard on the part of a sector that "
        "thermal-vision units cover (thermal_vision_km each).", ge=1)
    scanner_minutes: dict[str, float] = par(
        {"car": 2.0, "bus": 8.0, "lorry": 5.0}, "minutes/vehicle", "assumption: a mobile "
        "X-ray scanner positions, scans and reads the image of a lorry or container in about "
        "5 minutes, a car in 2, a coach (passengers out) in 8",
        "Scanner time per vehicle scanned, by class (containers as lorries): what limits how "
        "many vehicles a scanning team examines in an hour.")
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
        "thermal-vision unit covers at night.", gt=0)
    wanted_person_rate: float = par(
        0.4e-4, "arrests/person checked", "calibrated to the 89 'other' arrests: database hits "
        "(SIS, INTERPOL) among persons checked", "Chance that a checked traveller is wanted "
        "and arrested.", ge=0, le=1)

    wanted_persons_pool: float = par(
        150.0, "persons", "assumption: wanted_person_rate times the order of 4 million person "
        "passages through the region's checked crossings, ports and checkpoint roads in six "
        "days; free in calibration/baseline.yaml", "Wanted persons travelling during the "
        "action (scaled by criminal.networks_scale): checks find at most these.", ge=0)

    # --- inland operations ------------------------------------------------------------------
    premises_search_officer_hours: float = par(
        64.0, "officer-hours/search", "assumption: a team of 8 for 8 hours, briefing and "
        "evidence handling included; calibrated with the 999 premises searched",
        "Officer time of one premises search.", gt=0)
    lead_precision: float = par(
        0.4, "probability", "assumption: share of intelligence-phase premises targets that "
        "hold evidence or goods", "Chance that a premises search on a lead finds the network's "
        "goods and members.", ge=0, le=1)
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
        ge=0, le=1)
    link_probability_europol: float = par(
        0.75, "probability", "assumption: Europol cross-checks against its databases (SIENA, "
        "EAS)", "Chance that a hit is linked to its network once Europol analysts have given "
        "it a full cross-check (`analyst_hours_per_hit`); less time, less chance.", ge=0, le=1)
    analyst_hours_per_hit: float = par(
        1.0, "analyst-hours", "assumption: an EIS/SIENA cross-check of a vehicle, its "
        "occupants and phones with a short report; stated range 0.5-2",
        "Analyst time of a full cross-check of one hit.", gt=0)
    analyst_returns_hours: float = par(
        0.5, "analyst-hours", "assumption: the first half hour finds most links (database "
        "hits), the rest refines them; stated range 0.25-1",
        "Scale of diminishing returns: a hit given t analyst-hours gets 1 - exp(-t / scale) of "
        "the full cross-check's extra chance of a link (normalised to 1 at a full check).", gt=0)
    analyst_duty_share: float = par(
        0.5, "share", "assumption: analysts on the ground work two 12-hour shifts",
        "Share of the deployed analysts at work in any hour.", ge=0, le=1)
    cross_check_deadline_hours: float = par(
        12.0, "hours", "assumption: a hit not cross-checked within half a day is triaged out "
        "(its movement's companions have arrived)", "Longest a hit waits for analysts; then "
        "it is closed with the analyst time it got.", gt=0)
    national_channel_hours: float = par(
        1.0, "hours", "assumption: a national contact point of the action forwards within "
        "the hour; stated range 0.5-3", "Delay of each national hop: from the checkpoint to "
        "the national contact point, and from a receiving contact point to its checkpoints.",
        ge=0)
    coordination_messages_per_officer_hour: float = par(
        2.0, "messages/officer-hour", "assumption: a liaison officer reads, checks, translates "
        "and forwards a message in about half an hour; stated range 1-4",
        "Messages one coordination officer on duty at the centre relays per hour.", gt=0)
    relay_probability_without_centre: float = par(
        0.35, "probability", "assumption, stated range 0.2-0.7: bilateral requests between the "
        "26 countries run through different instruments (Framework Decision 2006/960/JHA "
        "between EU states, the Police Cooperation Convention for Southeast Europe, SIENA "
        "where connected); many are not answered within a week", "Chance that a bilateral "
        "alert or evidence message reaches the other country at all without the centre.",
        ge=0, le=1)
    relay_delay_without_centre_hours: float = par(
        48.0, "hours", "stated range 8-168: Framework Decision 2006/960/JHA sets 8 hours for "
        "urgent requests on directly accessible data and 7 days for other urgent ones",
        "Delay of a bilateral message from one country's contact point to another's, "
        "without the coordination centre.", ge=0)
    evidence_per_hit: float = par(
        1.0, "evidence units", "assumption", "Mean evidence a linked interception adds.", ge=0)
    evidence_per_premises_find: float = par(
        1.5, "evidence units", "assumption", "Mean evidence a successful premises search adds.",
        ge=0)
    evidence_per_cyber_lead: float = par(
        0.5, "evidence units", "assumption", "Mean evidence an online lead adds.", ge=0)
    evidence_shape: float = par(
        2.0, "gamma shape", "assumption: what a hit proves varies (a coefficient of variation "
        "of 0.7); stated range 1-8", "Shape of the gamma distribution of each piece of "
        "evidence around its mean: evidence is continuous, so cases respond smoothly to the "
        "threshold.", gt=0)
    evidence_prior_targeted: float = par(
        1.0, "evidence units", "assumption: the intelligence phase built a dossier on each "
        "targeted network", "Mean evidence a targeted network starts the action with.", ge=0)
    case_evidence_threshold: float = par(
        2.0, "evidence units", "calibrated to the 121 new cases", "Evidence that opens a case "
        "against a network once it has arrived (within the action or the follow-up window).",
        gt=0)
    follow_up_hours: float = par(
        72.0, "hours", "assumption: evidence relayed shortly after the action still counts",
        "Window after the action in which relayed evidence still opens cases.", ge=0)

    # --- police units answering alerts (sim/model/response.py) --------------------------------
    retask_watch_hours: float = par(
        4.0, "hours", "assumption: a mobile unit holds an ad-hoc checkpoint a few hours past "
        "the time the alerted vehicle was expected; stated range 1-8",
        "How long past a linked movement's expected passage a re-tasked unit waits before it "
        "gives up.", ge=0)

    # --- the criminal side's own channels (sim/model/grapevine.py) ----------------------------
    hear_own_loss_probability: float = par(
        0.9, "probability", "assumption: a driver who does not call in, a raided stash house "
        "or an arrested member is noticed by the rest of the network", "Chance that a network "
        "learns of its own seized movement, arrested members or raided premises.", ge=0, le=1)
    hear_own_loss_hours: float = par(
        3.0, "hours", "assumption: mean delay (exponential); stated range 1-12",
        "Mean delay before a network learns of its own loss.", ge=0)
    hear_corridor_seizure_probability: float = par(
        0.3, "probability", "assumption: word of seizures travels fast in criminal milieus; "
        "stated range 0.1-0.6", "Chance that another network on the same corridor hears of a "
        "seizure or a raid (and considers adapting), whatever the police relay.", ge=0, le=1)
    hear_corridor_seizure_hours: float = par(
        12.0, "hours", "assumption: mean delay (exponential); stated range 2-48",
        "Mean delay before word of a seizure reaches other networks on the corridor.", ge=0)

    # --- criminal side: the hidden flows ----------------------------------------------------
    networks: dict[str, int] = par(
        per_area(migrant_smuggling=160, drug_trafficking=180, firearms_trafficking=45, thb=25,
                 high_risk_networks=30), "networks", "assumption: active networks on the "
        "corridors in one week (not published); calibrated with cases and arrests",
        "Criminal networks active in the region, by crime area.")
    movements_per_network: dict[str, float] = par(
        per_area(migrant_smuggling=4.0, drug_trafficking=2.0, firearms_trafficking=1.5, thb=2.0,
                 high_risk_networks=1.0), "movements/network-week", "calibrated to the arrests "
        "by crime area", "Mean trips a network starts in a week.")
    members_mean: dict[str, float] = par(
        per_area(migrant_smuggling=8, drug_trafficking=10, firearms_trafficking=6, thb=6,
                 high_risk_networks=12), "persons", "assumption", "Mean members of a network.")
    premises_per_network: float = par(
        2.0, "premises", "assumption", "Mean premises (stash houses, workshops, safe houses) per "
        "network.", ge=0, le=1_000)
    adaptivity: float = par(
        0.5, "probability", "assumption: half of networks react to a seizure or an alert",
        "Chance that a network changes its plans after a seizure or an alert.", ge=0, le=1)
    check_awareness: float = par(
        0.5, "probability", "assumption: smuggling networks scout crossings and share where "
        "police stand (Frontex risk analyses describe spotters and messaging groups); free in "
        "calibration/baseline.yaml", "Chance that a network watches the checks on its routes "
        "before the action and plans its trips around them.", ge=0, le=1)
    hidden_check_awareness: float = par(
        0.2, "probability", "assumption: mobile scanners and thermal cameras move and are seen "
        "far less than fixed posts", "Chance that a watching network also sees scanners, "
        "thermal cameras and the mobile road checkpoints.", ge=0, le=1)
    detour_hours_per_risk: float = par(
        24.0, "hours", "assumption: a network gives up about a day of travel to avoid a "
        "certain stop (cost = hours + this x -ln(1 - risk)); free in calibration/baseline.yaml",
        "Travel time a watching network trades against the chance of being stopped.", ge=0)
    adaptation_weights: dict[str, float] = par(
        {"delay": 0.35, "reroute": 0.35, "green_border": 0.15, "suspend": 0.15}, "weights",
        "assumption", "Relative weights of the responses of an adapting network.")
    migrant_group_mean: float = par(
        9.0, "persons", "assumption: Frontex reports groups of a few to a few dozen",
        "Mean migrants in a smuggled group.", gt=0, le=1_000)
    guide_present_green_border: float = par(
        0.15, "probability", "assumption: guides often stay behind or flee",
        "Chance that a smuggler is caught with an intercepted group on the green border.",
        ge=0, le=1)
    victims_mean: float = par(
        2.0, "persons", "assumption", "Mean victims moved in one THB trip.", gt=0, le=1_000)
    forged_documents_share: dict[str, float] = par(
        per_area(migrant_smuggling=0.06, drug_trafficking=0.03, firearms_trafficking=0.02,
                 thb=0.6, high_risk_networks=0.1), "share of movements", "calibrated to the "
        "114 forged documents", "Movements carrying forged documents.")
    heroin_kg_median: float = par(
        2.5, "kg", "assumption: EU Drug Markets Report 2019 — loads vary, often over 100 kg "
        "in lorries", "Median heroin load of a movement (lognormal, sigma 1.2).", gt=0, le=100_000)
    cocaine_kg_median: float = par(
        5.5, "kg", "assumption: container loads in the region range 10 kg to 0.5 t",
        "Median cocaine load (lognormal, sigma 1.4).", gt=0, le=100_000)
    cannabis_kg_median: float = par(
        3.0, "kg", "assumption", "Median cannabis load (lognormal, sigma 1.0).", gt=0, le=100_000)
    bulk_shipments_per_week: float = par(
        2.0, "shipments/week", "assumption: about 8 t of cocaine seized in South East European "
        "ports in 2018-21 (GI-TOC, geography.md), i.e. roughly 8-10 seizures of 100 kg or more a "
        "year, found at an ordinary rate of one in ten containers that carry them",
        "Bulk cocaine shipments (a container from a port, or a lorry) entering the region in a "
        "week, over all cocaine networks (sim/model/shipments.py).", ge=0)
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
    weapons_per_movement_mean: float = par(
        4.0, "weapons", "Europol: small numbers hidden in cars and coaches",
        "Mean firearms on one trafficking trip.", gt=0, le=10_000)
    rounds_per_weapon: float = par(
        70.0, "rounds", "assumption", "Mean rounds carried per weapon.", ge=0, le=100_000)
    stockpile_weapons_mean: float = par(
        8.0, "weapons", "assumption: published seizures include 84 automatic weapons and 22 "
        "grenade launchers, i.e. stockpiles", "Mean weapons found in a firearms network's "
        "premises.", ge=0, le=100_000)
    stockpile_rounds_mean: float = par(
        450.0, "rounds", "assumption", "Mean rounds found in a firearms premises.", ge=0,
        le=10_000_000)
    night_crossing_share: float = par(
        0.8, "share", "assumption: green-border crossings happen mostly at night",
        "Share of green-border crossings timed for night.", ge=0, le=1)


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
