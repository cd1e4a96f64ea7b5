"""Displacement counts only trips that changed: a reroute through the same checked places
avoids nothing and is not displacement."""

from __future__ import annotations

from project import ROOT

import sim

SCENARIOS = ROOT / "scenarios"


def test_no_displacement_event_keeps_the_same_checked_places():
    results = sim.run(SCENARIOS / "jad_see_2023.yaml", replicates=2, workers=1)
    events = results.events[results.events["kind"] == "displacement"]
    rerouted = events[events["detail"].str.startswith("reroute")]
    assert len(rerouted) > 0
    for detail in rerouted["detail"]:
        old, new = detail.split("checked places ")[1].split(" -> ")
        assert old != new, detail
    counted = results.summary.set_index("replicate")["movements_displaced"]
    assert (events.groupby("replicate").size() == counted).all()
