"""The model core: one replicate of the six-day action, hour by hour, as a Mesa model.

`model` holds `JointActionModel`; `agents` the Mesa agents (crossings, sectors, officer units,
scanning teams, Frontex, networks, movements, Europol, the centre); `mechanisms` the small pure
functions (traffic, queues, capacity, selection, detection); `staffing` who is on duty where and
when, with `shifts` (a unit's daily hours, without Mesa); `crossings` the vectorised hourly work
of the border crossing sides (booths, second-line teams, class queues, scanners, Frontex), with
`queueing` (Erlang B and C, Allen-Cunneen, the fluid queue between hours) and `sides` (which
country works each side, closed sides and where their traffic goes); `posts` that of road
checkpoints, ports and parcel centres; `roads` road checks on route segments; `checks` a
movement meeting a check; `reattempts` what a detection does (stop or turn back) and groups
turned back trying again; `premises` the networks' premises and the searches that find them;
`criminal` networks, movements, routes and adaptation; `shipments` the rare bulk shipments;
`perception` how networks see the checks and route and time around them; `grapevine` networks
hearing of their losses; `information` the hour's exchange of hits, alerts and evidence, with
`relay` (analysts and the relay path), `response` (units re-tasked by alerts) and `evidence`
(cases); `reallocation` a re-plan taking its posts at the start of a day; `invariants` the rules
checked each tick; `outcomes` the outcome names and the tally; `streams` the named random
streams. May import `sim.scenario` and `sim.geography`, Mesa, numpy and networkx; never
plotting, UI, optimisers, sensitivity or cluster libraries (a test checks).

`JointActionModel`, `BASELINE` and `resolve_scenario` are imported on first use, so that `import
sim.model.outcomes` does not load Mesa.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.model.model import BASELINE, JointActionModel, UnseededRunWarning, resolve_scenario

__all__ = ["BASELINE", "JointActionModel", "UnseededRunWarning", "resolve_scenario"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module("sim.model.model"), name)
    raise AttributeError(f"module 'sim.model' has no attribute {name!r}")
