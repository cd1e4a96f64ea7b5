"""The regression fingerprint: fixed replicates give the tables recorded in fingerprint.json.

A failure means some number of the baseline changed. If a mechanism changed on purpose, refresh
the file with `make fingerprint` and say why in the commit; a refactor or a speed-up must pass
unchanged.
"""

from __future__ import annotations

import json

import pytest
from fingerprint import FILE, differences, fingerprints, result_hashes

from sim.model import BASELINE, resolve_scenario
from sim.runs.replicate import run_replicate


def test_fixed_replicates_give_the_recorded_tables():
    recorded = json.loads(FILE.read_text(encoding="utf-8"))
    changed = differences(recorded, fingerprints())
    assert not changed, ("tables differ from tests/fingerprint.json (make fingerprint refreshes "
                         "them when a mechanism changed on purpose):\n" + "\n".join(changed))


@pytest.mark.parametrize("override", [{"parameters__lane_blocking_seconds": 61.0},
                                      {"parameters__adaptivity": 0.31}])
def test_a_changed_mechanism_constant_changes_the_fingerprint(override):
    recorded = json.loads(FILE.read_text(encoding="utf-8"))["baseline seed 0"]
    changed = result_hashes(run_replicate(resolve_scenario(BASELINE, override), 0))
    assert changed != recorded
