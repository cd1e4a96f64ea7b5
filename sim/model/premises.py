"""Premises of the criminal networks and the searches that find them.

A search finds only what exists in the model: every network holds `premises` addresses (stash
houses, workshops, safe houses) in cities on its corridor, each with a stock drawn when the
replicate starts (weapons and rounds of a firearms network, a drug store, migrants or victims
waiting to move) and members who may be there. A lead names an address: intelligence-phase
leads name the premises of targeted networks, online leads those of firearms networks, local
tips any premises in the searching country. A false lead, or an address already searched,
finds nothing. So with no criminal networks nothing is found, and finds level off as search
teams grow: every premises is searched once, and then the country's tips run dry.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.model.agents import CriminalNetwork
from sim.model.mechanisms import drug_median_kg, lognormal_load
from sim.model.outcomes import ARREST_COLUMNS, DRUG_COLUMNS

if TYPE_CHECKING:
    from sim.model import JointActionModel

CITY_KINDS = ("hub", "destination", "port")


@dataclass
class Premises:
    """One address of a network, what is stored there, and whether it has been searched."""

    network: CriminalNetwork
    place: str
    country: str
    stock: dict[str, float] = field(default_factory=dict)
    migrants: int = 0
    victims: int = 0
    searched: bool = False


def _stock(network: CriminalNetwork, model: JointActionModel, rng: np.random.Generator
           ) -> tuple[dict[str, float], int, int]:
    """What one premises of `network` holds (drawn once per replicate)."""
    parameters = model.parameters
    area, commodity = network.crime_area, network.corridor.commodity
    stock: dict[str, float] = {}
    migrants = victims = 0
    if area == "firearms_trafficking":
        stock["weapons"] = int(rng.poisson(parameters.stockpile_weapons_mean))
        stock["rounds"] = int(rng.poisson(parameters.stockpile_rounds_mean))
    elif area == "drug_trafficking":
        drug = commodity if commodity in ("heroin", "cocaine", "cannabis") else "synthetic"
        median = drug_median_kg(parameters, drug) * parameters.premises_stock_share
        stock[DRUG_COLUMNS[drug]] = lognormal_load(rng, median, parameters.premises_stock_sigma)
    elif area == "migrant_smuggling":
        migrants = int(rng.poisson(parameters.migrant_group_mean))
    elif area == "thb":
        victims = int(rng.poisson(parameters.victims_mean))
    else:  # high-risk networks: arms and a small stash
        stock["weapons"] = int(rng.poisson(parameters.high_risk_premises_weapons_mean))
        stash = parameters.high_risk_premises_cannabis_kg_median
        stock["cannabis_kg"] = (lognormal_load(rng, stash, parameters.premises_stock_sigma)
                                if rng.random() < parameters.high_risk_drugs_probability else 0.0)
    return stock, migrants, victims


def _cities_on_corridor(model: JointActionModel, network: CriminalNetwork) -> list[str]:
    corridor = network.corridor
    route = (model.route_planner.route(corridor.origin, corridor.destination, False,
                                       frozenset(), corridor.via)
             or (corridor.origin, corridor.destination))
    kind = model.route_planner.kind
    return [p for p in route if kind[p] in CITY_KINDS] or [corridor.origin]


def record_seizure(model: JointActionModel, place: str, network: CriminalNetwork | None,
                   seized: dict[str, float], migrants: int, victims: int) -> None:
    """Add one interception's or search's finds to the tally at `place`."""
    tally, index, day = model.tally, model.place_index[place], model.day
    area = network.crime_area if network else "high_risk_networks"
    tally.add(ARREST_COLUMNS[area], index, day, seized.get("arrests", 0))
    tally.add("illegal_entries_detected", index, day, migrants)
    tally.add("victims_identified", index, day, victims)
    tally.add("forged_documents", index, day, seized.get("forged_documents", 0))
    tally.add("weapons_seized", index, day, seized.get("weapons", 0))
    tally.add("ammunition_seized", index, day, seized.get("rounds", 0))
    for column in DRUG_COLUMNS.values():
        tally.add(column, index, day, seized.get(column, 0.0))


class PremisesSearches:
    """Every network's premises, the leads pointing at them, and the searches on those leads."""

    def __init__(self, model: JointActionModel, rng: np.random.Generator):
        self.model = model
        self.rng = rng
        self.premises: list[Premises] = []
        self.by_country: dict[str, list[Premises]] = {}
        self.by_network: dict[int, list[Premises]] = {}
        for network in model.networks:
            cities = _cities_on_corridor(model, network)
            for _ in range(network.premises):
                place = cities[int(rng.integers(len(cities)))]
                stock, migrants, victims = _stock(network, model, rng)
                found = Premises(network, place, model.graph.nodes[place]["country"], stock,
                                 migrants, victims)
                self.premises.append(found)
                self.by_country.setdefault(found.country, []).append(found)
                self.by_network.setdefault(network.unique_id, []).append(found)
        self.leads: dict[str, deque[Premises | None]] = {}
        precision = model.parameters.lead_precision
        for network in model.networks:
            if network.targeted:
                for found in self.by_network.get(network.unique_id, []):
                    true_lead = bool(rng.random() < precision)
                    self.leads.setdefault(found.country, deque()).append(
                        found if true_lead else None)

    def online_lead(self, network: CriminalNetwork, true_lead: bool) -> None:
        """An online lead to one of a network's unsearched premises goes first in its queue."""
        open_premises = [p for p in self.by_network.get(network.unique_id, []) if not p.searched]
        if not open_premises:
            return
        found = open_premises[int(self.rng.integers(len(open_premises)))]
        self.leads.setdefault(found.country, deque()).appendleft(found if true_lead else None)

    def next_lead(self, country: str) -> Premises | None:
        """The address the country's next search goes to: the next intelligence or online
        lead, else a local tip (a premises of the country with chance local_lead_precision)."""
        queue = self.leads.get(country)
        if queue:
            return queue.popleft()
        if self.rng.random() >= self.model.parameters.local_lead_precision:
            return None
        open_premises = [p for p in self.by_country.get(country, []) if not p.searched]
        return open_premises[int(self.rng.integers(len(open_premises)))] if open_premises else None

    def search(self, country: str, base_place: str) -> None:
        """One search by the country's teams: counted, and whatever the address holds found."""
        model, parameters = self.model, self.model.parameters
        found = self.next_lead(country)
        place = found.place if found is not None and found.country == country else base_place
        model.tally.add("checks_premises", model.place_index[place], model.day)
        if found is None or found.searched:
            return
        found.searched = True
        network = found.network
        present = 1 + int(self.rng.poisson(1.0))  # members at the address when police come
        arrests = min(network.free_members, present)
        network.members_arrested += arrests
        seized: dict[str, float] = {"arrests": arrests, **found.stock}
        seized["persons"] = found.migrants + found.victims
        record_seizure(model, place, network, seized, found.migrants, found.victims)
        model.tally.add("detections", model.place_index[place], model.day)
        model.summary_extra["migrants_detected_distinct"] += found.migrants
        model.record_event("premises_find", place, network=network, equipment="premises_search",
                           **seized)
        model.intel.report_raid(network, place, model.clock,
                                parameters.evidence_per_premises_find)
