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
                         "messages"})
# Units of outcomes that are a mean or a level over the action, not a sum over its days.
LEVEL_UNITS = frozenset({"minutes", "hours", "officers"})


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
    Outcome("officer_hours_idle_crossing", "officer-hours", "Crossing officer-hours neither in "
            "a booth, on an intensified check nor patrolling the adjoining sector (more officers "
            "than traffic and bays can use where no modelled sector adjoins)."),
    Outcome("officer_hours_crossing_patrol", "officer-hours", "Crossing officer-hours spent "
            "patrolling the adjoining green-border sector because no booth or bay could use "
            "them (crossing_surplus_patrol)."),
    Outcome("officer_hours_idle_port", "officer-hours", "Port officer-hours with no container "
            "or passenger left to check."),
    Outcome("officer_hours_idle_parcel_centre", "officer-hours", "Parcel-centre officer-hours "
            "with no parcel left to check."),
    Outcome("checks_persons", "persons", "Persons given an intensified check (document and "
            "database) at crossings, road checkpoints and ports (ferry passengers included)."),
    Outcome("checks_vehicles", "vehicles", "Vehicles and containers given an intensified check "
            "(counted over legitimate traffic; criminal vehicles are a negligible part of it)."),
    Outcome("checks_parcels", "parcels", "Parcels checked at parcel centres."),
    Outcome("checks_premises", "premises", "Premises searched."),
    Outcome("checks_total", "entities", "checks_persons + checks_vehicles + checks_parcels + "
            "checks_premises (the published 'entities checked')."),
    Outcome("illegal_entries_detected", "persons", "Irregular migrants detected (at checks, "
            "on the green border, in premises)."),
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
    Outcome("movements_intercepted", "movements", "Criminal movements stopped."),
    Outcome("cases_opened", "cases", "New cases against criminal networks.", False),
    Outcome("networks_disrupted", "networks", "Networks with a case opened and at least one "
            "member arrested.", False),
    Outcome("movements_attempted", "movements", "Criminal movements that set off.", False),
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
    Outcome("mean_wait_minutes", "minutes", "Mean wait of legitimate vehicles at the "
            "crossings that check them (staffed, or closed in the hour), all classes "
            "(vehicle-weighted): the booth queue plus, for the share picked, their own "
            "intensified check or scan.", False),
    Outcome("max_wait_minutes", "minutes", "Longest hourly mean wait of any vehicle class at "
            "any crossing.", False),
    Outcome("mean_wait_minutes_cars", "minutes", "mean_wait_minutes of cars.", False),
    Outcome("max_wait_minutes_cars", "minutes", "Longest hourly mean wait of cars at any "
            "crossing.", False),
    Outcome("mean_wait_minutes_lorries", "minutes", "mean_wait_minutes of lorries.", False),
    Outcome("max_wait_minutes_lorries", "minutes", "Longest hourly mean wait of lorries at any "
            "crossing.", False),
    Outcome("legitimate_vehicles", "vehicles", "Legitimate vehicles arriving at crossings."),
)
# What a reader sees: one plain label per outcome, the same in every terminal table, figure,
# finding and workbook (at most 32 characters, so a table fits 80 columns without cutting it).
LABELS: dict[str, str] = {
    "officers_deployed": "officers deployed",
    "officer_hours": "officer-hours worked",
    "officer_hours_crossing": "officer-hours at crossings",
    "officer_hours_idle_crossing": "idle officer-hours, crossings",
    "officer_hours_crossing_patrol": "crossing officers on patrol",
    "officer_hours_idle_port": "idle officer-hours, ports",
    "officer_hours_idle_parcel_centre": "idle officer-hours, parcels",
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
    "cases_opened": "cases opened",
    "networks_disrupted": "networks disrupted",
    "movements_attempted": "movements attempted",
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
    "mean_wait_minutes_lorries": "mean wait, lorries",
    "max_wait_minutes_lorries": "longest wait, lorries",
    "legitimate_vehicles": "vehicles at crossings",
}


def outcome_label(name: str) -> str:
    """An outcome as a reader sees it (`LABELS`; an outcome without one: its name in words)."""
    return LABELS.get(name) or name.replace("_", " ")


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
