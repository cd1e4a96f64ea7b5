"""Evidence against networks as a continuous quantity, and the cases it opens.

Every piece of evidence (a targeted network's dossier from the intelligence phase, a linked
interception, a successful premises search, an online lead) is a gamma-distributed amount around
its parameter's mean, so the evidence a network has is a continuous quantity and the number of
cases responds smoothly to the threshold (no cliffs where sums of fixed steps jump past it).
Evidence counts from the moment it reaches the network's home country; a new case opens when the
evidence that has arrived passes the threshold during the action or the follow-up window
(evidence only grows, so that is: below it before the action, at or above it by the end).

Each network and each source of evidence (its dossier, linked hits, raids, online leads) draws
from a generator of its own (`Streams.keyed`): the third hit linked to network n proves the same
amount in every scenario, whatever happened to other networks before it, so paired differences
between allocations carry less noise from evidence draws.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model.agents import CriminalNetwork

if TYPE_CHECKING:
    from sim.model import JointActionModel


SOURCES: tuple[str, ...] = ("dossier", "hit", "raid", "cyber_lead")


class Evidence:
    """Evidence of one replicate: amounts on their way, amounts arrived, cases opened."""

    def __init__(self, model: JointActionModel):
        self.model = model
        self.order = {network.unique_id: index for index, network in enumerate(model.networks)}
        self.rngs: dict[tuple[int, int], object] = {}
        prior = model.parameters.evidence_prior_targeted
        self.before: dict[int, float] = {}  # network id -> evidence before the action
        for network in model.networks:  # dossiers of the intelligence phase vary too
            if network.targeted:
                network.evidence = self.amount(network, "dossier", prior)
            self.before[network.unique_id] = network.evidence

    def amount(self, network: CriminalNetwork, source: str, mean: float) -> float:
        """One piece of evidence on `network` from `source`: gamma with the stated shape
        around `mean`, from that network's and source's own generator."""
        if mean <= 0:
            return 0.0
        key = (self.order[network.unique_id], SOURCES.index(source))
        if key not in self.rngs:
            self.rngs[key] = self.model.streams.keyed("evidence", *key)
        shape = self.model.parameters.evidence_shape
        return float(self.rngs[key].gamma(shape, mean / shape))

    def add(self, network: CriminalNetwork, arrival: float, mean: float, source: str) -> None:
        """Evidence on `network` from `source` (SOURCES) that reaches its home country at
        `arrival` (hours)."""
        network.evidence_pending.append((arrival, self.amount(network, source, mean)))

    def opens_case(self, network: CriminalNetwork, evidence: float) -> bool:
        """A new case: `evidence` passes the threshold that the dossier before the action did
        not (a dossier that was already enough before the action is no new case)."""
        threshold = self.model.parameters.case_evidence_threshold
        return evidence >= threshold > self.before[network.unique_id]

    def cases_by(self, time: float) -> int:
        """The cases that would open if the evidence arrived by `time` were all there is (the
        dashboard's running count; after `close` it equals `cases_opened`)."""
        return sum(self.opens_case(network, network.evidence + sum(
            units for arrival, units in network.evidence_pending if arrival <= time))
            for network in self.model.networks)

    def close(self, end: float) -> None:
        """Count the evidence that arrived by `end` and open the new cases."""
        for network in self.model.networks:
            network.evidence += sum(units for time, units in network.evidence_pending
                                    if time <= end)
            network.evidence_pending = [(t, u) for t, u in network.evidence_pending if t > end]
            network.case_opened = self.opens_case(network, network.evidence)

