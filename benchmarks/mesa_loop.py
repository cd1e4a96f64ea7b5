"""A plain Mesa agent loop for comparison: N trivial agents stepped in random order for T ticks.

This is the cheapest way a Mesa model can advance N agents through T hours (`shuffle_do("step")`
each tick, a step that only counts), so it is the floor against which the Joint Action model's
cost per agent-hour can be read.
"""

from __future__ import annotations

import mesa


class CountingAgent(mesa.Agent):
    """An agent whose step only counts its steps."""

    def __init__(self, model: mesa.Model):
        super().__init__(model)
        self.steps = 0

    def step(self) -> None:
        self.steps += 1


class PlainLoopModel(mesa.Model):
    """`agents` CountingAgents, all stepped once per tick in a fresh random order."""

    def __init__(self, agents: int, *, rng: int = 0):
        super().__init__(rng=rng)
        for _ in range(agents):
            CountingAgent(self)

    def step(self) -> None:
        self.agents.shuffle_do("step")


def plain_loop(agents: int, ticks: int, *, rng: int = 0) -> int:
    """Build and run the plain loop; the number of agent-steps done."""
    model = PlainLoopModel(agents, rng=rng)
    for _ in range(ticks):
        model.step()
    return sum(agent.steps for agent in model.agents)
