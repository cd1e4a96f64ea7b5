"""The criminal side's own channels: networks hear of seizures, arrests and raids.

A network learns of its own losses (a seized vehicle and its arrested crew, a raided premises)
with `hear_own_loss_probability` after an exponential delay; other networks on the same corridor
hear of them by word of mouth with `hear_corridor_seizure_probability`, later. Either may then
adapt (`sim.model.criminal.react`). None of this depends on police relays: the police's alerts
tighten checks, the criminals' grapevine carries the news.
"""

from __future__ import annotations

import heapq
import itertools
from typing import TYPE_CHECKING

from sim.model.agents import CriminalNetwork
from sim.model.criminal import react

if TYPE_CHECKING:
    from sim.model import JointActionModel


class Grapevine:
    """News of losses on their way to networks."""

    def __init__(self, model: JointActionModel):
        self.model = model
        self.rng = model.streams.grapevine
        self.news: list[tuple[float, int, CriminalNetwork, str, str]] = []
        self._sequence = itertools.count()
        self.by_corridor: dict[str, list[CriminalNetwork]] = {}
        for network in model.networks:
            self.by_corridor.setdefault(network.corridor.id, []).append(network)

    def loss(self, network: CriminalNetwork, place: str, time: float, what: str) -> None:
        """`network` lost something at `place` (a seizure or a raid): who hears, and when."""
        parameters, rng = self.model.parameters, self.rng
        if rng.random() < parameters.hear_own_loss_probability:
            self._tell(network, place, time + rng.exponential(parameters.hear_own_loss_hours),
                       what)
        for other in self.by_corridor[network.corridor.id]:
            if other is network or other.reacted:
                continue
            if rng.random() < parameters.hear_corridor_seizure_probability:
                delay = rng.exponential(parameters.hear_corridor_seizure_hours)
                self._tell(other, place, time + delay, f"word of a {what} on its corridor")

    def _tell(self, network: CriminalNetwork, place: str, time: float, cause: str) -> None:
        heapq.heappush(self.news, (time, next(self._sequence), network, place, cause))

    def deliver(self, until: float) -> None:
        """Networks hearing news before `until` consider adapting."""
        while self.news and self.news[0][0] < until:
            _, _, network, place, cause = heapq.heappop(self.news)
            react(self.model, network, place, cause)
