"""What happens when a movement meets a check, and the inland operations.

`meet_place` decides, for one movement at one place, whether it is picked for a check (or met
by a patrol), whether the check finds what it hides, and what is seized and who is arrested.
`InlandOperations` runs premises searches on leads, the firearms cyber patrol and the
wanted-person hits among travellers checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model import reattempts
from sim.model.agents import CriminalNetwork, Movement, MovementState, OfficerUnit
from sim.model.mechanisms import (
    detection_probability,
    night_hours,
    night_wait,
    odds_scaled,
    sector_detection,
    selection_probability,
)
from sim.model.outcomes import DRUG_COLUMNS
from sim.model.premises import PremisesSearches, record_seizure

if TYPE_CHECKING:
    from sim.model import JointActionModel

PASS, STOP, WAIT = "pass", "stop", "wait"


def meet_place(model: JointActionModel, movement: Movement, place: str) -> tuple[str, float]:
    """(outcome, delay in hours) of a movement reaching `place` this hour: first the
    checkpoint on the road segment it came by, then what stands at the place."""
    outcome, _ = _on_road(model, movement, place)
    if outcome == STOP:
        return outcome, 0.0
    kind = model.route_planner.kind[place]
    if kind == "crossing" and movement.kind != "parcel":
        return _at_crossing(model, movement, place)
    if kind == "green_border":
        return _at_sector(model, movement, place)
    index = model.place_index[place]
    posts = model.post_state
    if kind == "port" and movement.kind == "container" and movement.leg == 0:
        return _checked(model, movement, place, posts.port_share[index], "port")[0], 0.0
    if kind in ("hub", "destination", "port") and movement.kind == "parcel":
        return _checked(model, movement, place, posts.parcel_share[index],
                        "parcel_centre")[0], 0.0
    return PASS, 0.0


def _on_road(model: JointActionModel, movement: Movement, place: str) -> tuple[str, float]:
    """A vehicle that drove a road segment with a checkpoint on it may have been stopped there
    (the stop is recorded at the city whose officers stand on the segment)."""
    if movement.leg == 0 or movement.kind == "parcel" or movement.waited:
        return PASS, 0.0  # (a movement that waited at the place drove the segment already)
    start = movement.route[movement.leg - 1]
    share = model.roads.edge_share(start, place)
    if share <= 0.0:
        return PASS, 0.0
    return _checked(model, movement, model.roads.checkpoint_place(start, place), share,
                    "road_checkpoint")[0], 0.0


def _flagged(model: JointActionModel, network: CriminalNetwork, place: str) -> bool:
    if network.targeted:
        return True
    return not network.alerted_countries.isdisjoint(model.place_countries[place])


def _checked(model: JointActionModel, movement: Movement, place: str, base_share: float,
             posting: str, side: int = -1) -> tuple[str, bool]:
    """Selection then detection at a post whose share of arrivals checked is `base_share`
    (at a crossing: on `side`, whose country's officers check): (outcome, whether the movement
    was picked for a check)."""
    parameters = model.parameters
    pick = selection_probability(
        float(base_share), model.scenario_spec.targeting, risk_lift=parameters.risk_profile_lift,
        flagged=posting in ("crossing", "port") and _flagged(model, movement.network, place),
        intelligence_selection=parameters.intelligence_selection)
    if movement.next_uniform() >= pick:
        movement.draw += 6  # keep each check's draws in step whether or not it happens
        return PASS, False
    movement.state = MovementState.HELD
    country = model.crossing_state.plan.countries[side] if side >= 0 else None
    unit = unit_at(model, place, movement.next_uniform(), posting, country)
    scanner, kit, experts = _equipment(model, movement, place, posting, side)
    # a group that crossed the green border on foot is driven between borders in a van
    concealment = "simple" if movement.kind == "foot_group" else movement.concealment
    goods = detection_probability(
        concealment, manual=parameters.detection_manual,
        scanner=parameters.detection_scanner if scanner else None,
        kit_bonus=parameters.detection_kit_bonus if kit else 0.0)
    documents = (parameters.forged_document_detection_experts if experts
                 else parameters.forged_document_detection)
    if unit is not None:  # customs search goods better, border police read documents better
        goods = odds_scaled(goods, parameters.agency_goods_skill[unit.agency])
        documents = odds_scaled(documents, parameters.agency_document_skill[unit.agency])
    found_goods = movement.next_uniform() < goods
    found_documents = (movement.next_uniform() < documents
                       and movement.forged_documents > 0)
    movement.state = MovementState.IN_TRANSIT
    if found_goods or found_documents:
        equipment = ("scanner" if scanner else "detection_kit" if kit else "manual")
        if found_documents and not found_goods:
            equipment = "document_experts" if experts else "document_check"
        intercept(model, movement, place, equipment, guide_caught=True, unit=unit)
        return STOP, True
    return PASS, True


def _equipment(model: JointActionModel, movement: Movement, place: str,
               posting: str, side: int = -1) -> tuple[bool, bool, bool]:
    """(scanned, served by a detection kit, documents examined by an expert) for a checked
    movement: each by the share of the hour's checks the equipment at the place (at a
    crossing: on the side it enters) can serve."""
    if posting == "crossing":
        state, index = model.crossing_state, side
        scan = state.scanned_chance(side, movement.kind)
    elif posting == "port":
        state, index = model.post_state, model.place_index[place]
        scan = float(state.port_scanned[index])
    else:
        movement.draw += 3  # the equipment draws, unused
        return False, False, False
    scanned = movement.next_uniform() < scan
    kit = movement.next_uniform() < state.kit_coverage[index] and bool(movement.cargo.drugs_kg)
    experts = movement.next_uniform() < state.expert_coverage[index]
    return scanned, kit, experts


def _at_crossing(model: JointActionModel, movement: Movement, place: str) -> tuple[str, float]:
    """A vehicle crosses into the side of the country it enters: it waits at the exit booths
    of the side it leaves and the entry booths of the side it enters, and in the bay if it was
    picked for a check. Where the crossing is closed (a side without officers) it drives to
    the crossing its traffic uses and is checked there; where none is open, nobody stops it."""
    state = model.crossing_state
    side, detour = state.side_of(place, movement)
    if side < 0:
        return PASS, 0.0
    shut = state.shut_hours(side)
    if shut > 0:  # a post shut by its roster: it waits for the opening like the traffic
        return WAIT, model.tick + shut - model.clock
    where = state.place_of(side)
    outcome, picked = _checked(model, movement, where,
                               state.checked_share(side, movement.kind), "crossing", side)
    if outcome != PASS:
        return outcome, 0.0
    return outcome, detour + state.wait_minutes(side, movement.kind, picked) / 60.0


def _at_sector(model: JointActionModel, movement: Movement, place: str) -> tuple[str, float]:
    """A group on foot waits for darkness, then crosses; the patrol may detect it."""
    parameters = model.parameters
    hour = model.hour_of_day
    if not movement.waited:
        delay = night_wait(hour, movement.next_uniform(), parameters.night_crossing_share,
                           parameters.night_start_hour, parameters.night_end_hour)
        if delay > 0:
            return WAIT, delay
    sector = model.sectors[place]
    officers = (model.on_duty["green_border"][model.place_index[place], hour]
                + model.crossing_state.patrol_officers(place))
    thermal = model.frontex_at.get((place, "thermal_vision"), 0)
    night = hour in night_hours(parameters.night_start_hour, parameters.night_end_hour)
    chance = sector_detection(parameters, officers, sector.length_km, thermal, night)
    uniform, guide = movement.next_uniform(), movement.next_uniform()
    if uniform < chance:
        equipment = "thermal_vision" if thermal and night else "patrol"
        intercept(model, movement, place, equipment,
                  guide_caught=guide < parameters.guide_present_green_border)
        return STOP, 0.0
    return PASS, 0.0


def unit_at(model: JointActionModel, place: str, uniform: float, posting: str | None = None,
            country: str | None = None) -> OfficerUnit | None:
    """The unit on duty at `place` that made a check (of that posting and, on a crossing side,
    of that side's country, where there is one), chosen by the movement's own draw."""
    units = model.units_at.get((model.place_index[place], model.hour_of_day), [])
    units = [u for u in units if u.posting == posting] or units
    units = [u for u in units if u.country == country] or units
    return units[min(int(uniform * len(units)), len(units) - 1)] if units else None


def intercept(model: JointActionModel, movement: Movement, place: str, equipment: str, *,
              guide_caught: bool, unit: OfficerUnit | None = None) -> None:
    """Detect a movement: arrests, seizures and entries detected; then report it (the network
    hears of it by its own channels). A migrant group detected at a border is sent back and
    may try again (sim/model/reattempts.py); any other detection ends the movement. `unit`
    made the stop (default: one on duty there)."""
    movement.state = MovementState.INTERCEPTED
    network, cargo = movement.network, movement.cargo
    arrests = min(cargo.crew if guide_caught else 0, network.free_members)
    network.members_arrested += arrests
    seized = {"persons": cargo.migrants + cargo.victims, "arrests": arrests,
              "weapons": cargo.weapons, "rounds": cargo.rounds,
              "forged_documents": movement.forged_documents}
    seized.update({DRUG_COLUMNS[d]: kg for d, kg in cargo.drugs_kg.items()})
    record_seizure(model, place, network, seized, cargo.migrants, cargo.victims)
    index, day = model.place_index[place], model.day
    model.tally.add("movements_intercepted", index, day)
    model.tally.add("detections", index, day)
    if not movement.turned_back_at:  # each person once, however often detected
        model.summary_extra["migrants_detected_distinct"] += cargo.migrants
    unit = unit or unit_at(model, place, movement.next_uniform())
    if reattempts.ends_in_turn_back(network.crime_area, model.route_planner.kind[place]):
        model.tally.add("groups_turned_back", index, day)
        retry_at = reattempts.turn_back(model, movement, place)
        detail = ("turned back; gives up" if retry_at is None
                  else f"turned back; tries again at hour {retry_at:.1f}")
    else:
        reattempts.count_stopped(model, movement)
        retry_at, detail = None, "stopped"
    model.record_event("interception", place, movement=movement, unit=unit, equipment=equipment,
                       detail=detail, turned_back=detail != "stopped", retry_at=retry_at,
                       **seized)
    model.intel.report_hit(network, place, model.clock, model.parameters.evidence_per_hit,
                           movement)


class InlandOperations:
    """Premises searches on leads, the firearms cyber patrol, wanted persons at checks."""

    def __init__(self, model: JointActionModel):
        self.model = model
        self.rng = model.streams.inland
        self.capacity: dict[str, float] = {}
        self.cyber_capacity = 0.0
        self.reposted()
        self.premises = PremisesSearches(model, self.rng)
        self.wanted_left = float(model.parameters.wanted_persons_pool
                                 * model.scenario_spec.criminal.networks_scale)
        self.firearms = [n for n in model.networks if n.crime_area == "firearms_trafficking"]

    def reposted(self) -> None:
        """The places with premises-search teams, by country (at the start and after a
        re-plan: sim/model/reallocation.py)."""
        model = self.model
        premises = model.on_duty["premises_search"]
        self.search_places: dict[str, list[int]] = {}
        for index, place in enumerate(model.place_ids):
            if premises[index].any():
                country = model.graph.nodes[place]["country"]
                self.search_places.setdefault(country, []).append(index)

    def hour(self, hour_of_day: int) -> None:
        model, parameters = self.model, self.model.parameters
        on_duty = model.on_duty["premises_search"][:, hour_of_day]
        for country, places in self.search_places.items():
            self.capacity[country] = (self.capacity.get(country, 0.0) + float(
                on_duty[places].sum()) / parameters.premises_search_officer_hours)
            while self.capacity[country] >= 1.0:
                self.capacity[country] -= 1.0
                self.premises.search(country, model.place_ids[places[0]])
        cyber = float(model.on_duty["cyber_patrol"][:, hour_of_day].sum())
        self.cyber_capacity += cyber * parameters.cyber_targets_per_officer_hour
        while self.cyber_capacity >= 1.0:
            self.cyber_capacity -= 1.0
            self._online_target()

    def _online_target(self) -> None:
        model, parameters, rng = self.model, self.model.parameters, self.rng
        cyber_places = np.flatnonzero(model.on_duty["cyber_patrol"].any(axis=1))
        place = model.place_ids[int(cyber_places[0])] if cyber_places.size else "skopje"
        model.tally.add("online_targets_examined", model.place_index[place], model.day)
        if not self.firearms or rng.random() >= parameters.cyber_lead_probability:
            return
        network = self.firearms[int(rng.integers(len(self.firearms)))]
        true_lead = bool(rng.random() < parameters.cyber_lead_precision)
        self.premises.online_lead(network, true_lead)
        model.intel.add_evidence(network, model.clock, parameters.evidence_per_cyber_lead,
                                 "cyber_lead")
        model.record_event("cyber_lead", place, network=network, equipment="cyber_patrol")

    def wanted_persons(self, persons: np.ndarray, places: np.ndarray) -> None:
        """Database hits among travellers checked: wanted persons arrested ('other'). Wanted
        persons belong to the criminal population (criminal.networks_scale scales them) and
        their pool is finite: once it is found, checks find no more."""
        model = self.model
        scale = model.scenario_spec.criminal.networks_scale
        if self.wanted_left < 1.0:
            return
        rate = model.parameters.wanted_person_rate * scale
        hits = self.rng.binomial(persons.astype(np.int64), min(rate, 1.0))
        for index in np.flatnonzero(hits):
            found = int(min(hits[index], self.wanted_left))
            if found < 1:
                return
            self.wanted_left -= found
            place = model.place_ids[int(places[index])]
            model.tally.add("arrests_other", int(places[index]), model.day, found)
            model.tally.add("detections", int(places[index]), model.day)
            model.record_event("wanted_person", place, equipment="database", arrests=found)
