"""Bulk shipments: the rare large loads (cocaine in sea containers, lorries) that dominate the
seizure record.

Ordinary drug trips carry lognormal loads of a few kilograms; the published record has a few
seizures of hundreds of kilograms to tonnes (161 kg at Thessaloniki in June 2023, over 0.5 t at
Ploče in March 2021, about 8 t in South East European ports in 2018–21: geography.md). They are a
process of their own: over the operation a Poisson number of bulk shipments (rate
`bulk_shipments_per_week`), each carried for a cocaine network (picked at random) in a container
from its port, or in a lorry when the network does not start at a port, with a load from a
Pareto tail truncated at `bulk_shipment_max_kg`. Their draws come from the `shipments` stream
only, so every scenario sharing a seed faces the same bulk shipments, and the ordinary trips'
draws do not move when the bulk process changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.agents import Cargo, CriminalNetwork, Movement

if TYPE_CHECKING:
    from sim.model import JointActionModel



def pareto_load(uniform: float, minimum: float, maximum: float, tail: float) -> float:
    """A load (kg) from a Pareto tail of index `tail` above `minimum`, truncated at `maximum`
    (inverse of the truncated distribution function at `uniform` in [0, 1))."""
    if maximum <= minimum:
        return float(minimum)
    ratio = (minimum / maximum) ** tail
    return float(minimum * (1.0 - uniform * (1.0 - ratio)) ** (-1.0 / tail))


def plan_bulk_shipments(model: JointActionModel, networks: list[CriminalNetwork]
                        ) -> list[Movement]:
    """The operation's bulk shipments, added to their networks' trips."""
    from sim.model.criminal import UNIFORMS_PER_MOVEMENT, choose_route

    parameters, scenario = model.parameters, model.scenario_spec
    carriers = [n for n in networks
                if n.crime_area == "drug_trafficking" and n.corridor.commodity == "cocaine"]
    rng = model.streams.shipments
    hours = scenario.action.hours
    count = int(rng.poisson(parameters.bulk_shipments_per_week * scenario.criminal.flow_scale
                            * hours / (24 * 7)))
    if not carriers:
        return []
    names = list(parameters.bulk_concealment)
    weights = np.array([parameters.bulk_concealment[n] for n in names], dtype=float)
    weights = weights / weights.sum()  # relative weights (a sampled entry need not keep a sum of 1)
    shipments = []
    for _ in range(count):
        network = carriers[int(rng.integers(len(carriers)))]
        at_port = model.graph.nodes[network.corridor.origin]["kind"] == "port"
        load = pareto_load(float(rng.random()), parameters.bulk_shipment_min_kg,
                           parameters.bulk_shipment_max_kg, parameters.bulk_shipment_tail)
        concealment = names[int(rng.choice(len(names), p=weights))]
        departure = float(rng.uniform(0.0, hours))
        uniforms = rng.random(UNIFORMS_PER_MOVEMENT)
        route = choose_route(model, network, False, rng)
        if route is None:
            continue
        movement = Movement(model, network=network, kind="container" if at_port else "lorry",
                            route=list(route), departure=departure, concealment=concealment,
                            cargo=Cargo(crew=1, drugs_kg={"cocaine": load}),
                            uniforms=uniforms)
        network.movements.append(movement)
        shipments.append(movement)
    return shipments
