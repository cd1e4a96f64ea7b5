"""The information exchange of one replicate: from hits to links, alerts, responses and cases.

An interception is a hit. National databases link it to its network at once or not; Europol
analysts cross-check the rest with the time they have (`sim.model.relay.CrossChecks`). A linked
hit becomes a message along the relay path (`sim.model.relay.Relay`): alerts to the other
countries on the network's corridor, naming the linked movements then in transit, and evidence
for the network's home country. An alert that arrives flags the network at that country's
checks and may send a mobile unit to a linked movement's route (`sim.model.response`).
Networks hear of their losses by their own channels (`sim.model.grapevine`), whatever the
police relay. At the end, evidence that arrived within the follow-up window opens cases
(`sim.model.evidence`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model.agents import CriminalNetwork, Movement, MovementState
from sim.model.evidence import Evidence
from sim.model.grapevine import Grapevine
from sim.model.outcomes import AREA_LABELS
from sim.model.relay import GONE, Alert, CrossChecks, Hit, Message, Relay, Track, timeliness
from sim.model.response import Response

if TYPE_CHECKING:
    from sim.model import JointActionModel


class Information:
    """Hits, links, alerts, responses and evidence of one replicate."""

    def __init__(self, model: JointActionModel):
        self.model = model
        self.rng = model.streams.information
        self.evidence = Evidence(model)
        self.analysts = CrossChecks(model)
        self.relay = Relay(model)
        self.grapevine = Grapevine(model)
        self.response = Response(model)
        self.delivered: list[Alert] = []
        self.linked_at: dict[int, float] = {}   # network id -> hour of its first linked hit
        self.corridor_countries: dict[str, list[str]] = {}
        self.counts = {"linked_movements_intercepted": 0.0, "alerts_relayed": 0.0,
                       "alerts_in_time": 0.0, "alerts_too_late": 0.0}

    def _countries_on(self, network: CriminalNetwork) -> list[str]:
        corridor = network.corridor
        if corridor.id not in self.corridor_countries:
            route = self.model.route_planner.route(corridor.origin, corridor.destination, False,
                                                   frozenset(), corridor.via)
            nodes = self.model.graph.nodes
            self.corridor_countries[corridor.id] = sorted({nodes[p]["country"]
                                                           for p in route or ()})
        return self.corridor_countries[corridor.id]

    # --- what comes in ---------------------------------------------------------------------

    def report_hit(self, network: CriminalNetwork, place: str, time: float, units: float,
                   movement: Movement | None = None) -> None:
        """An interception of `network` at `place`: the network may hear of it; police try to
        link it and, if they do, relay it."""
        if self.linked_at.get(network.unique_id, float("inf")) <= time:
            self.counts["linked_movements_intercepted"] += 1
        self.grapevine.loss(network, place, time, "seizure")
        hit = Hit(network, place, time, movement, float(self.rng.random()))
        if self.analysts.submit(hit):
            self._linked(hit, time, units)

    def report_raid(self, network: CriminalNetwork, place: str, time: float,
                    units: float) -> None:
        """A premises search found the network's goods or members: national evidence at once,
        and news for the network."""
        self.add_evidence(network, time, units, "raid")
        self.grapevine.loss(network, place, time, "raid")

    def add_evidence(self, network: CriminalNetwork, time: float, units: float,
                     source: str) -> None:
        """Evidence (mean `units`) from `source` gathered in the network's home country at
        `time`."""
        self.evidence.add(network, time, units, source)

    # --- what goes out ---------------------------------------------------------------------

    def _linked(self, hit: Hit, time: float, units: float) -> None:
        """A hit tied to its network at `time`: evidence home, alerts along the corridor."""
        model, network = self.model, hit.network
        self.linked_at.setdefault(network.unique_id, time)
        country = model.graph.nodes[hit.place]["country"]
        home = network.home_country == country
        if home:
            self.add_evidence(network, time, units, "hit")
        targets = tuple(c for c in self._countries_on(network) if c != country)
        if not targets and home:
            return
        linked = [m for m in network.movements
                  if m is not hit.movement and m.state not in GONE]
        tracks = tuple(Track(m, m.leg, m.time) for m in linked
                       if m.state in (MovementState.IN_TRANSIT, MovementState.HELD))
        countries = model.place_countries
        ahead = {c: frozenset(m.unique_id for m in linked
                              if any(c in countries[p] for p in m.route[m.leg:]))
                 for c in targets}
        self.relay.send(Message(network, hit.place, hit.time, time,
                                time + model.parameters.national_channel_hours, targets,
                                0.0 if home else units, tracks, ahead), country)

    def deliver(self, until: float) -> None:
        """One hour of the exchange: analysts, the centre, alerts arriving, units returning,
        news reaching networks."""
        model = self.model
        for hit in self.analysts.work(until):
            self._linked(hit, until, model.parameters.evidence_per_hit)
        self.relay.work(until, model.hour_of_day)
        for alert in self.relay.due(until):
            if alert.arrival >= model.hours:  # the action is over: nobody acts on it
                continue
            alert.network.alerted_countries.add(alert.country)
            self.delivered.append(alert)
            self.counts["alerts_relayed"] += 1
            timing = timeliness(model, alert)
            if timing:
                self.counts[f"alerts_{timing}"] += 1
            self.response.dispatch(alert)
        self.response.hour(until)
        self.grapevine.deliver(until)

    def close(self, end: float) -> None:
        """Count evidence that arrived by `end` and open cases."""
        self.evidence.close(end)

    def summary(self) -> dict[str, float]:
        opened = [n for n in self.model.networks if n.case_opened]
        return {
            **self.counts,
            "units_retasked": float(self.response.retasked),
            "centre_messages_relayed": float(self.relay.messages_relayed),
            "centre_wait_hours": (self.relay.centre_wait_hours / self.relay.messages_relayed
                                  if self.relay.messages_relayed else 0.0),
            "cases_opened": float(len(opened)),
            "networks_disrupted": float(sum(n.members_arrested > 0 for n in opened)),
            **{f"networks_disrupted_{area}": float(sum(n.members_arrested > 0
                                                       for n in opened if n.crime_area == area))
               for area in AREA_LABELS},
        }
