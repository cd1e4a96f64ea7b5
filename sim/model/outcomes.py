"""Outcome names, units and meanings, and the per-place, per-day tally the model writes into.

One list, `OUTCOMES`, feeds the result tables, the result-column dictionary (docs/results.md)
and the comparison; nothing else spells an outcome's unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Units of things counted one by one: such outcomes are stored as whole numbers.
COUNT_UNITS = frozenset({"officers", "officer-hours", "persons", "vehicles", "parcels",
                         "premises", "entities", "documents", "weapons", "rounds", "targets",
                         "movements", "cases", "networks", "alerts",
                         "messages", "detections"})
# Units of outcomes that are a mean or a level over the action, not a sum over its days.
LEVEL_UNITS = frozenset({"minutes", "hours", "officers"})


# The crime areas of the model (sim.scenario.parameters.CRIME_AREAS) as the docs name them.
AREA_LABELS = {
    "migrant_smuggling": "migrant smuggling",
    "drug_trafficking": "drug trafficking",
    "firearms_trafficking": "firearms trafficking",
    "thb": "trafficking in human beings",
    "high_risk_networks": "high-risk criminal networks",
}


@dataclass(frozen=True)
class Outcome:
    name: str
    unit: str
    description: str
    per_place: bool = True  # also tallied per place and day (daily.csv)

    @property
    def count(self) -> bool:
        """Counted one by one (stored as an integer), not measured (kg, minutes)."""
        return self.unit in COUNT_UNITS

    @property
    def total(self) -> bool:
        """A sum over the action's days (a comparison per day divides it by them), not a mean
        wait or a head-count."""
        return self.unit not in LEVEL_UNITS


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("officers_deployed", "officers", "Officers in units (all postings).", False),
    Outcome("officer_hours", "officer-hours", "Hours worked by officers on duty."),
    Outcome("officer_hours_crossing", "officer-hours", "Hours worked by crossing officers."),
    Outcome("officer_hours_first_line", "officer-hours", "Crossing officer-hours staffing "
            "first-line booths (entry and exit; officers_per_lane to a booth)."),
    Outcome("officer_hours_first_line_ordinary", "officer-hours", "Booth officer-hours of the "
            "crossings' ordinary shifts where the posted officers on duty could not staff the "
            "booths the traffic needs (ordinary_first_line; not the action's officers)."),
    Outcome("officer_hours_second_line", "officer-hours", "Crossing officer-hours in "
            "second-line teams at inspection bays and approach places, at work on a check or "
            "waiting for the next vehicle referred to them."),
    Outcome("officer_hours_second_line_busy", "officer-hours", "The part of "
            "officer_hours_second_line spent on checks (vehicles checked x their check's "
            "minutes x second_line_team_officers)."),
    Outcome("officer_hours_idle_crossing", "officer-hours", "Crossing officer-hours in no "
            "booth, no second-line team and not on patrol: more officers than the booths, "
            "inspection places and approaches can use where no modelled sector adjoins (or "
            "crossing_surplus_patrol keeps them), and those beyond second_line_share."),
    Outcome("officer_hours_crossing_patrol", "officer-hours", "Crossing officer-hours spent "
            "patrolling the adjoining green-border sector because no booth or inspection "
            "place could use them (crossing_surplus_patrol)."),
    Outcome("officer_hours_idle_port", "officer-hours", "Port officer-hours with no container "
            "or passenger left to check."),
    Outcome("officer_hours_idle_parcel_centre", "officer-hours", "Parcel-centre officer-hours "
            "with no parcel left to check."),
    Outcome("officer_hours_idle_road_checkpoint", "officer-hours", "Road-checkpoint "
            "officer-hours not spent stopping vehicles: the share of their time outside "
            "checkpoint_time_share (patrol, escort, reports, travel) and stop capacity beyond "
            "the traffic on their segments."),
    Outcome("checks_persons", "persons", "Persons given an intensified check: the occupants "
            "of vehicles in a second-line check at crossings, of vehicles stopped at road "
            "checkpoints, and port passengers checked (not the first-line passage every "
            "traveller makes at a crossing: docs/results.md, 'What each published count "
            "counts')."),
    Outcome("checks_vehicles", "vehicles", "Vehicles and containers given an intensified check: "
            "second-line checks and scans at crossings, road-checkpoint stops, port container "
            "checks (counted over legitimate traffic; criminal vehicles are a negligible part "
            "of it)."),
    Outcome("checks_parcels", "parcels", "Parcels checked at parcel centres."),
    Outcome("checks_premises", "premises", "Premises searched."),
    Outcome("checks_total", "entities", "checks_persons + checks_vehicles + checks_parcels + "
            "checks_premises (the published 'entities checked')."),
    Outcome("illegal_entries_detected", "persons", "Irregular migrants detected (at checks, "
            "on the green border, in premises), at every detection as Frontex counts them: a "
            "group turned back and detected again counts again. What the published 2,229 "
            "illegal entries count."),
    Outcome("forged_documents", "documents", "Forged documents detected."),
    Outcome("arrests_total", "persons", "All arrests."),
    Outcome("arrests_migrant_smuggling", "persons", "Arrests of smugglers."),
    Outcome("arrests_drug_trafficking", "persons", "Arrests for drug trafficking."),
    Outcome("arrests_firearms_trafficking", "persons", "Arrests for firearms trafficking."),
    Outcome("arrests_thb", "persons", "Arrests of traffickers in human beings."),
    Outcome("arrests_other", "persons", "Arrests of high-risk network members and of wanted "
            "persons found at checks."),
    Outcome("weapons_seized", "weapons", "Firearms seized."),
    Outcome("ammunition_seized", "rounds", "Rounds of ammunition seized."),
    Outcome("cocaine_kg", "kg", "Cocaine seized."),
    Outcome("heroin_kg", "kg", "Heroin seized."),
    Outcome("cannabis_kg", "kg", "Cannabis seized."),
    Outcome("synthetic_kg", "kg", "Synthetic drugs and precursors seized."),
    Outcome("drugs_kg_total", "kg", "All drugs seized."),
    Outcome("other_drugs_kg", "kg", "Drugs other than cocaine (heroin, cannabis, synthetic): "
            "the published 'almost 300 kg'."),
    Outcome("victims_identified", "persons", "Victims of trafficking found with their "
            "traffickers."),
    Outcome("online_targets_examined", "targets", "Online targets examined by the firearms "
            "cyber patrol."),
    Outcome("movements_intercepted", "movements", "Interceptions of criminal movements at "
            "checks and patrols, turn-backs included (a group turned back and met again counts "
            "each time)."),
    Outcome("detections", "detections", "Detection events of every kind, at the border or "
            "inland: interceptions (turn-backs included), premises finds and wanted persons "
            "hit at checks (one per event). What statistics of detections count; a movement "
            "or a person can be detected more than once."),
    Outcome("groups_turned_back", "movements", "Migrant groups detected at a crossing or a "
            "green-border sector and sent back (every time: part of movements_intercepted)."),
    Outcome("cases_opened", "cases", "New cases against criminal networks.", False),
    Outcome("networks_disrupted", "networks", "Networks with a case opened and at least one "
            "member arrested.", False),
    *(Outcome(f"networks_disrupted_{area}", "networks", f"networks_disrupted of {label}.",
              False) for area, label in AREA_LABELS.items()),
    Outcome("movements_attempted", "movements", "Criminal movements that set off (a "
            "re-attempt is the same movement).", False),
    Outcome("reattempts", "movements", "Attempts made again during the action by groups "
            "turned back at a border (sim/model/reattempts.py).", False),
    Outcome("movements_stopped", "movements", "Movements ended by police action before their "
            "destination, by the end of the follow-up window: load seized, persons apprehended "
            "or identified, or (groups turned back at a border) not set off again, because the "
            "group gave up or its next attempt falls after the window. Every stop has at least "
            "one detection.", False),
    *(Outcome(f"movements_stopped_{area}", "movements", f"movements_stopped of {label}.",
              False) for area, label in AREA_LABELS.items()),
    Outcome("migrants_stopped", "persons", "Migrants in the movements stopped (each person "
            "once).", False),
    Outcome("migrants_detected_distinct", "persons", "Migrants detected at least once (each "
            "person once, however often detected; premises finds included): the persons "
            "behind illegal_entries_detected.", False),
    Outcome("movements_deterred", "movements", "Movements abandoned without being stopped: "
            "trips their network called off before setting off after seizures, raids or "
            "alerts (the movements_suspended among the displaced).", False),
    Outcome("migrants_deterred", "persons", "Migrants in the movements deterred.", False),
    Outcome("victims_deterred", "persons", "Trafficking victims in the movements deterred.",
            False),
    Outcome("drugs_kg_deterred", "kg", "Drugs in the movements deterred.", False),
    Outcome("weapons_deterred", "weapons", "Firearms in the movements deterred.", False),
    Outcome("movements_displaced", "movements", "Movements delayed, rerouted, moved to the "
            "green border or suspended by their network's reaction to seizures and alerts (a "
            "new route through the same checked places does not count).",
            False),
    Outcome("movements_suspended", "movements", "Movements called off (part of displaced).",
            False),
    Outcome("movements_delivered", "movements", "Movements that reached their destination.",
            False),
    Outcome("alerts_relayed", "alerts", "Alerts on linked networks that reached another "
            "country's checkpoints during the action (one per network, hit and country).",
            False),
    Outcome("alerts_in_time", "alerts", "Alerts that arrived while a movement of the network "
            "linked to the hit still had the country ahead on its route.", False),
    Outcome("alerts_too_late", "alerts", "Alerts that arrived after every linked movement "
            "that had the country ahead when the hit was linked had passed it.", False),
    Outcome("linked_movements_intercepted", "movements", "Interceptions of movements whose "
            "network an earlier hit had already been linked to.", False),
    Outcome("units_retasked", "units", "Mobile police units re-tasked by an alert to a linked "
            "movement's route.", False),
    Outcome("centre_messages_relayed", "messages", "Messages (linked hits) the coordination "
            "officers at the centre relayed to the countries with liaison officers there.",
            False),
    Outcome("centre_wait_hours", "hours", "Mean time a message relayed by the centre waited "
            "in its queue for a coordination officer on duty (hours without officers on duty "
            "and hours of more messages than their capacity).", False),
    Outcome("mean_wait_minutes", "minutes", "Mean time legitimate vehicles spend crossing "
            "at crossings where at least one side checks (vehicle-weighted, all classes): the "
            "exit booths of the side they leave and the entry booths of the side they enter "
            "(queue and booth time), plus, for the share checked, their own second-line check "
            "or scan; at a side shut by its roster, the time to its opening.", False),
    Outcome("max_wait_minutes", "minutes", "Longest hourly mean wait of any vehicle class "
            "entering any crossing side.", False),
    Outcome("mean_wait_minutes_cars", "minutes", "mean_wait_minutes of cars.", False),
    Outcome("max_wait_minutes_cars", "minutes", "Longest hourly mean wait of cars entering "
            "any crossing side.", False),
    Outcome("mean_wait_minutes_buses", "minutes", "mean_wait_minutes of coaches.", False),
    Outcome("max_wait_minutes_buses", "minutes", "Longest hourly mean wait of coaches "
            "entering any crossing side.", False),
    Outcome("mean_wait_minutes_lorries", "minutes", "mean_wait_minutes of lorries.", False),
    Outcome("max_wait_minutes_lorries", "minutes", "Longest hourly mean wait of lorries "
            "entering any crossing side.", False),
    Outcome("legitimate_vehicles", "vehicles", "Legitimate vehicles crossing (each counted "
            "once, at the side it enters), also at crossings that do not check."),
    Outcome("vehicles_diverted", "vehicles", "Legitimate vehicles whose crossing was closed "
            "(a side without officers) and who crossed at another (counted at the closed "
            "crossing)."),
    Outcome("vehicles_turned_away", "vehicles", "Legitimate vehicles whose crossing was "
            "closed with no open crossing to go to (counted at the closed crossing)."),
)
# What a reader sees: one plain label per outcome, the same in every terminal table, figure,
# finding and workbook (at most 32 characters, so a table fits 80 columns without cutting it).
LABELS: dict[str, str] = {
    "officers_deployed": "officers deployed",
    "officer_hours": "officer-hours worked",
    "officer_hours_crossing": "officer-hours at crossings",
    "officer_hours_first_line": "officer-hours in booths",
    "officer_hours_first_line_ordinary": "ordinary-shift hours in booths",
    "officer_hours_second_line": "officer-hours, second line",
    "officer_hours_second_line_busy": "busy officer-hours, second line",
    "officer_hours_idle_crossing": "idle officer-hours, crossings",
    "officer_hours_crossing_patrol": "crossing officers on patrol",
    "officer_hours_idle_port": "idle officer-hours, ports",
    "officer_hours_idle_parcel_centre": "idle officer-hours, parcels",
    "officer_hours_idle_road_checkpoint": "idle officer-hours, road checks",
    "checks_persons": "persons checked",
    "checks_vehicles": "vehicles checked",
    "checks_parcels": "parcels checked",
    "checks_premises": "premises searched",
    "checks_total": "checks",
    "illegal_entries_detected": "illegal entries detected",
    "forged_documents": "forged documents",
    "arrests_total": "arrests",
    "arrests_migrant_smuggling": "arrests: migrant smuggling",
    "arrests_drug_trafficking": "arrests: drug trafficking",
    "arrests_firearms_trafficking": "arrests: firearms trafficking",
    "arrests_thb": "arrests: human trafficking",
    "arrests_other": "arrests: other",
    "weapons_seized": "weapons seized",
    "ammunition_seized": "ammunition seized",
    "cocaine_kg": "cocaine seized",
    "heroin_kg": "heroin seized",
    "cannabis_kg": "cannabis seized",
    "synthetic_kg": "synthetic drugs seized",
    "drugs_kg_total": "drugs seized",
    "other_drugs_kg": "drugs other than cocaine",
    "victims_identified": "victims identified",
    "online_targets_examined": "online targets examined",
    "movements_intercepted": "movements intercepted",
    "detections": "detections",
    "groups_turned_back": "groups turned back",
    "cases_opened": "cases opened",
    "networks_disrupted": "networks disrupted",
    "networks_disrupted_migrant_smuggling": "networks disrupted: migrants",
    "networks_disrupted_drug_trafficking": "networks disrupted: drugs",
    "networks_disrupted_firearms_trafficking": "networks disrupted: firearms",
    "networks_disrupted_thb": "networks disrupted: THB",
    "networks_disrupted_high_risk_networks": "networks disrupted: high-risk",
    "movements_attempted": "movements attempted",
    "reattempts": "attempts made again",
    "movements_stopped": "movements stopped",
    "movements_stopped_migrant_smuggling": "movements stopped: migrants",
    "movements_stopped_drug_trafficking": "movements stopped: drugs",
    "movements_stopped_firearms_trafficking": "movements stopped: firearms",
    "movements_stopped_thb": "movements stopped: THB",
    "movements_stopped_high_risk_networks": "movements stopped: high-risk",
    "migrants_stopped": "migrants stopped",
    "migrants_detected_distinct": "migrants detected (each once)",
    "movements_deterred": "movements deterred",
    "migrants_deterred": "migrants deterred",
    "victims_deterred": "victims deterred",
    "drugs_kg_deterred": "drugs deterred",
    "weapons_deterred": "weapons deterred",
    "movements_displaced": "movements displaced",
    "movements_suspended": "movements called off",
    "movements_delivered": "movements delivered",
    "alerts_relayed": "alerts relayed",
    "alerts_in_time": "alerts in time",
    "alerts_too_late": "alerts too late",
    "linked_movements_intercepted": "linked movements intercepted",
    "units_retasked": "units re-tasked by alerts",
    "centre_messages_relayed": "messages relayed by the centre",
    "centre_wait_hours": "centre's message wait",
    "mean_wait_minutes": "mean wait at crossings",
    "max_wait_minutes": "longest wait at a crossing",
    "mean_wait_minutes_cars": "mean wait, cars",
    "max_wait_minutes_cars": "longest wait, cars",
    "mean_wait_minutes_buses": "mean wait, coaches",
    "max_wait_minutes_buses": "longest wait, coaches",
    "mean_wait_minutes_lorries": "mean wait, lorries",
    "max_wait_minutes_lorries": "longest wait, lorries",
    "legitimate_vehicles": "vehicles at crossings",
    "vehicles_diverted": "vehicles diverted",
    "vehicles_turned_away": "vehicles turned away",
}


# The harm index and its parts by crime area: outcomes computed when a summary is read, from its
# outcomes and a weights file a planner can replace (`sim.analysis.harm`), never written by the
# model; so a change of weights re-reads every results folder without re-running it. Harm is
# booked to the five crime areas, to document fraud (forged documents ride along every area)
# and, for totals over areas (networks disrupted), to all areas.
HARM_AREAS: tuple[str, ...] = (*AREA_LABELS, "document_fraud", "all_areas")
HARM_UNIT = "harm points"
HARM_OUTCOMES: tuple[Outcome, ...] = (
    Outcome("harm_index", HARM_UNIT, "Harm index: the sum over outcomes of value x weight, "
            "in harm points (about 1,000 GBP of economic and social cost each, "
            "sim/data/harm/default.yaml), computed when read with the weights file in use "
            "(`--harm FILE`; default the shipped default).", False),
    *(Outcome(f"harm_{area}", HARM_UNIT, f"The harm index's part booked to "
              f"{AREA_LABELS.get(area, area.replace('_', ' '))}.", False)
      for area in HARM_AREAS),
)
HARM_LABELS: dict[str, str] = {
    "harm_index": "harm index",
    "harm_migrant_smuggling": "harm: migrant smuggling",
    "harm_drug_trafficking": "harm: drug trafficking",
    "harm_firearms_trafficking": "harm: firearms trafficking",
    "harm_thb": "harm: human trafficking",
    "harm_high_risk_networks": "harm: high-risk networks",
    "harm_document_fraud": "harm: document fraud",
    "harm_all_areas": "harm: across crime areas",
}
HARM_OUTCOME_NAMES: tuple[str, ...] = tuple(o.name for o in HARM_OUTCOMES)
# Every outcome a reading may show: those the model writes, then those computed when read.
READ_OUTCOME_NAMES: tuple[str, ...] = (*(o.name for o in OUTCOMES), *HARM_OUTCOME_NAMES)


def outcome_label(name: str) -> str:
    """An outcome as a reader sees it (`LABELS`, `HARM_LABELS`; an outcome without one: its
    name in words)."""
    return LABELS.get(name) or HARM_LABELS.get(name) or name.replace("_", " ")


OUTCOME_NAMES: tuple[str, ...] = tuple(o.name for o in OUTCOMES)
COUNT_OUTCOMES: frozenset[str] = frozenset(o.name for o in OUTCOMES if o.count)
PLACE_OUTCOMES: tuple[str, ...] = tuple(
    o.name for o in OUTCOMES
    if o.per_place and o.name not in {"checks_total", "arrests_total", "drugs_kg_total",
                                      "other_drugs_kg"}
)
ARREST_COLUMNS = {
    "migrant_smuggling": "arrests_migrant_smuggling",
    "drug_trafficking": "arrests_drug_trafficking",
    "firearms_trafficking": "arrests_firearms_trafficking",
    "thb": "arrests_thb",
    "high_risk_networks": "arrests_other",
}
DRUG_COLUMNS = {"cocaine": "cocaine_kg", "heroin": "heroin_kg", "cannabis": "cannabis_kg",
                "synthetic": "synthetic_kg"}
# Outcomes the model counts as it goes, outside the per-place tally (model.summary_extra).
RUNNING_COUNTS = ("movements_attempted", "movements_displaced", "movements_suspended",
                  "reattempts", "movements_stopped",
                  *(f"movements_stopped_{area}" for area in AREA_LABELS),
                  "migrants_stopped", "migrants_detected_distinct", "movements_deterred",
                  "migrants_deterred", "victims_deterred", "drugs_kg_deterred",
                  "weapons_deterred")


class Tally:
    """Counters by outcome, place and day: `add(outcome, place_index, day, amount)`.

    Sums over places and days give the replicate's totals; derived totals (checks_total,
    arrests_total, drugs) are computed from their parts, never counted twice.
    """

    def __init__(self, places: int, days: int):
        self.index = {name: i for i, name in enumerate(PLACE_OUTCOMES)}
        self.values = np.zeros((len(PLACE_OUTCOMES), places, max(days, 1)))

    def add(self, outcome: str, place: int, day: int, amount: float = 1.0) -> None:
        self.values[self.index[outcome], place, day] += amount

    def add_vector(self, outcome: str, day: int, amounts: np.ndarray,
                   places: np.ndarray | None = None) -> None:
        """Add `amounts` at `places` (distinct place indices; None: every place in order)."""
        if places is None:
            self.values[self.index[outcome], :, day] += amounts
        else:
            self.values[self.index[outcome], places, day] += amounts

    def total(self, outcome: str) -> float:
        return float(self.values[self.index[outcome]].sum())

    def totals(self) -> dict[str, float]:
        sums = self.values.sum(axis=(1, 2))
        totals = {name: float(sums[i]) for name, i in self.index.items()}
        return with_derived(totals)


def with_derived(values: dict[str, float]) -> dict[str, float]:
    """Add the derived totals to a mapping of counted outcomes."""
    values = dict(values)
    values["checks_total"] = sum(values[k] for k in ("checks_persons", "checks_vehicles",
                                                     "checks_parcels", "checks_premises"))
    values["arrests_total"] = sum(values[c] for c in ARREST_COLUMNS.values())
    values["drugs_kg_total"] = sum(values[c] for c in DRUG_COLUMNS.values())
    values["other_drugs_kg"] = values["drugs_kg_total"] - values["cocaine_kg"]
    return values
