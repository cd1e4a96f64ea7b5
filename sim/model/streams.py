"""Random streams: one generator per process of the model, all spawned from one replicate seed.

Separate streams are what make comparisons between scenarios paired (common random numbers):
a scenario that only moves officers sees the same traffic, the same criminal networks and the
same departures in replicate k as its base, because those draws never share a stream with the
checks that the allocation changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STREAMS: tuple[str, ...] = (
    "traffic",      # legitimate arrivals
    "networks",     # criminal networks, their members, corridors, what police know
    "departures",   # movements, loads, timing, concealment
    "routes",       # route choice among alternatives
    "checks",       # per-movement uniforms for selection and detection at each post
    "inland",       # premises searches, cyber patrol, wanted-person hits
    "information",  # linking hits, relaying alerts, networks learning of alerts
    "adaptation",   # networks' responses to seizures and alerts
    "perception",   # which networks watch the checks on their routes
    "shipments",    # bulk shipments: how many, whose, loads, timing, their own uniforms
    "relay",        # bilateral messages lost or delivered
    "evidence",     # how much each piece of evidence proves
    "grapevine",    # networks hearing of seizures and raids by their own channels
    "response",     # checks by units re-tasked by an alert
    "reattempts",   # whether and when a group turned back tries again (keyed by movement)
)


def replicate_seeds(root_seed: int, replicates: int) -> list[int]:
    """Replicate seeds derived from the scenario seed with SeedSequence.spawn (stable order)."""
    children = np.random.SeedSequence(root_seed).spawn(replicates)
    return [int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for child in children]


@dataclass(frozen=True)
class Streams:
    """Named generators of one replicate."""

    traffic: np.random.Generator
    networks: np.random.Generator
    departures: np.random.Generator
    routes: np.random.Generator
    checks: np.random.Generator
    inland: np.random.Generator
    information: np.random.Generator
    adaptation: np.random.Generator
    perception: np.random.Generator
    shipments: np.random.Generator
    relay: np.random.Generator
    evidence: np.random.Generator
    grapevine: np.random.Generator
    response: np.random.Generator
    reattempts: np.random.Generator
    seed: int = 0

    def keyed(self, name: str, *key: int) -> np.random.Generator:
        """A generator of its own for one member of stream `name` (one network, one source):
        SeedSequence(seed, spawn_key=(i, *key)), independent of stream i and of other keys, so
        that member's draws do not depend on how many draws others took before it."""
        return np.random.Generator(np.random.PCG64(
            np.random.SeedSequence(self.seed, spawn_key=(STREAMS.index(name), *key))))

    @classmethod
    def from_seed(cls, seed: int) -> Streams:
        """Stream i is SeedSequence(seed, spawn_key=(i,)): adding a stream never shifts others."""
        return cls(**{
            name: np.random.Generator(np.random.PCG64(
                np.random.SeedSequence(seed, spawn_key=(index,))))
            for index, name in enumerate(STREAMS)
        }, seed=seed)
