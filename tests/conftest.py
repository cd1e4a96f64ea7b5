"""Fixtures shared by the layers of the suite (tests/model, runs, analysis, properties, inputs,
interfaces). This folder is on the import path, so tests import the helpers beside this file:
`strategies` (small scenarios and hypothesis strategies), `project` (where the files are) and
`fingerprint` (the regression hashes)."""

from __future__ import annotations

import pytest

from sim.geography import RouteGraph, load_route_graph


@pytest.fixture(scope="session")
def route_graph() -> RouteGraph:
    """The shipped route graph, loaded once (read only: no test may change it)."""
    return load_route_graph()
