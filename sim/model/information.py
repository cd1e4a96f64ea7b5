"""Europol analytical support and the coordination centre: hits, links, alerts and cases.

A hit (an interception or a premises find) is cross-checked and, with the link probability,
tied to its network. Evidence from the network's own country counts at once; from another
country it must be relayed: by the coordination centre after its relay delay, or without it
through slower bilateral channels that may not deliver at all. Each relayed hit also sends an
alert to the countries on the network's corridor, after which their checks look out for the
network, and other networks on the corridor may notice the tightened checks and adapt. At the
end, evidence that arrived within the follow-up window opens cases.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.model.agents import CriminalNetwork
from sim.model.criminal import react

if TYPE_CHECKING:
    from sim.model import JointActionModel


@dataclass(frozen=True)
class Alert:
    network: CriminalNetwork
    country: str
    hit_time: float
    relay_delay: float
    arrival: float
    place: str


class Information:
    """The information exchange of one replicate."""

    def __init__(self, model: JointActionModel):
        self.model = model
        self.rng = model.streams.information
        self.pending: list[tuple[float, int, Alert]] = []
        self.delivered: list[Alert] = []
        self._sequence = itertools.count()
        prior = model.parameters.evidence_prior_targeted
        for network in model.networks:
            if network.targeted:
                network.evidence = prior
        self.corridor_countries: dict[str, list[str]] = {}
        self.notices: list[tuple[float, int, CriminalNetwork, str]] = []
        self.by_corridor: dict[str, list[CriminalNetwork]] = {}
        for network in model.networks:
            self.by_corridor.setdefault(network.corridor.id, []).append(network)

    def _countries_on(self, network: CriminalNetwork) -> list[str]:
        corridor = network.corridor
        if corridor.id not in self.corridor_countries:
            route = self.model.route_planner.route(corridor.origin, corridor.destination, False,
                                                   frozenset(), corridor.via)
            nodes = self.model.graph.nodes
            self.corridor_countries[corridor.id] = sorted({nodes[p]["country"]
                                                           for p in route or ()})
        return self.corridor_countries[corridor.id]

    def relay(self) -> tuple[bool, float]:
        """Whether a cross-border message gets through, and after how many hours."""
        centre, parameters = self.model.centre, self.model.parameters
        if centre is not None:
            return True, centre.relay_delay_hours
        through = self.rng.random() < parameters.relay_probability_without_centre
        return bool(through), parameters.relay_delay_without_centre_hours

    def add_evidence(self, network: CriminalNetwork, time: float, units: float) -> None:
        network.evidence_pending.append((time, units))

    def report_hit(self, network: CriminalNetwork, place: str, time: float, units: float) -> None:
        """A hit on `network` at `place`: link it, count its evidence, alert the corridor."""
        model = self.model
        if self.rng.random() >= model.europol.link_probability():
            return
        country = model.graph.nodes[place]["country"]
        through, delay = self.relay()
        if country == network.home_country:
            self.add_evidence(network, time, units)
        elif through:
            self.add_evidence(network, time + delay, units)
        if not through:
            return
        for target in self._countries_on(network):
            if target == country:
                continue
            alert = Alert(network, target, time, delay, time + delay, place)
            heapq.heappush(self.pending, (alert.arrival, next(self._sequence), alert))
            model.summary_extra["alerts_relayed"] += 1
        self._warn_corridor(network, place, time + delay)

    def _warn_corridor(self, network: CriminalNetwork, place: str, arrival: float) -> None:
        """Other networks on the corridor may notice the tightened checks once the alert is out
        (and react then): the displacement that pressing on a corridor causes."""
        chance = self.model.parameters.learn_of_alert_probability
        for other in self.by_corridor[network.corridor.id]:
            if other is not network and not other.reacted and self.rng.random() < chance:
                heapq.heappush(self.notices, (arrival, next(self._sequence), other, place))

    def deliver(self, until: float) -> None:
        """Alerts arriving before `until` take effect; networks that noticed them react."""
        while self.pending and self.pending[0][0] < until:
            _, _, alert = heapq.heappop(self.pending)
            alert.network.alerted_countries.add(alert.country)
            self.delivered.append(alert)
        while self.notices and self.notices[0][0] < until:
            _, _, network, place = heapq.heappop(self.notices)
            react(self.model, network, place, "alert on its corridor")

    def close(self, end: float) -> None:
        """Count evidence that arrived by `end` and open cases."""
        threshold = self.model.parameters.case_evidence_threshold
        for network in self.model.networks:
            network.evidence += sum(units for time, units in network.evidence_pending
                                    if time <= end)
            network.evidence_pending = [(t, u) for t, u in network.evidence_pending if t > end]
            network.case_opened = network.evidence >= threshold

    def case_summary(self) -> dict[str, float]:
        networks = self.model.networks
        return {
            "cases_opened": float(sum(n.case_opened for n in networks)),
            "networks_disrupted": float(sum(n.case_opened and n.members_arrested > 0
                                            for n in networks)),
        }
