"""A re-plan during the action: at the start of a day whose plan differs from the day before's
(`sim.scenario.days`), the officers and the Frontex units take their posts under the new plan.

What changes: the officer units (a contingent split anew over posting kinds, so other places get
its officers), who is on duty where and when, the Frontex units at each place, and what the
crossings, posts and inland teams read from them. What does not: queues, criminals, evidence,
alerts under way, and the networks' picture of the checks, which they formed before the action
(`sim.model.perception`: a re-plan is not seen until it bites). Units out on an alert come back
at the change (their watches end): every officer starts the day at the post the new plan gives.
Scanning teams change nothing here: each works the days its entry names, hour by hour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.scenario.days import on_day

if TYPE_CHECKING:
    from sim.model import JointActionModel


def change_allocation(model: JointActionModel, day: int) -> None:
    """Before the first hour of action `day` (1-based): the officers and Frontex units of that
    day's plan replace those of the day before."""
    response = model.intel.response
    response.recall()
    for unit in model.units:
        unit.remove()
    model._build_officers(day)
    for deployment in model.frontex:
        deployment.remove()
    model._build_frontex(on_day(model.scenario_spec, day).frontex)
    response.take_units(model.units)
    model.crossing_state.reposted()
    model.post_state.reposted()
    model.inland.reposted()
