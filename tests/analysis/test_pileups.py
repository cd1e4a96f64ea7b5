"""Pile-ups: posterior draws crowding a bound of their prior are flagged (issue 32, item 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from project import ROOT

from sim.inference.calibration_config import load_regimes
from sim.inference.experiments import FreeParameter
from sim.inference.pileups import describe, pile_ups
from sim.scenario.posterior import read_posterior


def test_the_share_at_a_bound_is_measured_in_the_prior_s_own_coordinates():
    # log range 0.02-0.4: 2% of its logarithmic width is a factor 1.062, so 0.38 is at the upper
    # bound and 0.37 is not (on a linear scale both would be within 2% of the width: 0.0076)
    patrol = FreeParameter(path="parameters.patrol_detection_per_officer_km")
    draws = pd.DataFrame({"parameters.patrol_detection_per_officer_km":
                          [0.38] * 11 + [0.37] * 9 + [0.1] * 80})
    row = pile_ups(draws, [patrol]).set_index("bound").loc["high"]
    assert row.share_at_bound == pytest.approx(0.11) and bool(row.pile_up)
    assert not bool(row.sourced)  # the registry says the range is an assumption
    assert "re-examine it against sources" in describe(pile_ups(draws, [patrol]))[0]


def test_a_pile_up_at_a_sourced_bound_is_a_misfit_and_beyond_a_bound_counts():
    threshold = FreeParameter(path="parameters.case_evidence_threshold")  # a definitional bound
    draws = pd.DataFrame({"parameters.case_evidence_threshold": [1.0] * 5 + [0.9] * 5
                          + list(np.linspace(1.5, 3.5, 90))})
    row = pile_ups(draws, [threshold]).set_index("bound").loc["low"]
    assert row.share_at_bound == pytest.approx(0.10) and not bool(row.pile_up)  # 10%: not more
    draws.loc[10, "parameters.case_evidence_threshold"] = 0.95
    table = pile_ups(draws, [threshold])
    row = table.set_index("bound").loc["low"]
    assert bool(row.pile_up) and row.share_beyond == pytest.approx(0.06)
    assert "structural misfit" in describe(table)[0] and "6% beyond it" in describe(table)[0]


def test_a_scale_is_read_as_the_mean_ratio_of_its_entries_to_their_defaults():
    networks = FreeParameter(path="parameters.networks")
    defaults = {"migrant_smuggling": 160, "drug_trafficking": 180, "firearms_trafficking": 45,
                "thb": 25, "high_risk_networks": 30}
    draws = pd.DataFrame({f"parameters.networks.{k}": [v * 2.0] * 3 + [v * 1.0] * 7
                          for k, v in defaults.items()})
    row = pile_ups(draws, [networks]).set_index("bound").loc["high"]
    assert row.share_at_bound == pytest.approx(0.3) and bool(row.pile_up)


def test_every_pile_up_of_the_shipped_posterior_is_reported_in_the_docs():
    """docs/calibration.md's "Pile-ups" section names every flagged parameter (after a refit,
    the section is rewritten with the new flags)."""
    config, _ = load_regimes(ROOT / "calibration" / "joint.yaml")
    table = pile_ups(read_posterior(ROOT / "scenarios" / "posterior.csv"), config.parameters)
    docs = (ROOT / "docs" / "calibration.md").read_text(encoding="utf-8")
    section = docs[docs.index("### Pile-ups"):]
    section = section[:section.index("\n## ")] if "\n## " in section else section
    flagged = set(table[table["pile_up"]]["parameter"])
    assert flagged, "the shipped posterior piles up at the case threshold's lower bound"
    for parameter in flagged:
        assert f"`{parameter.split(':')[0]}`" in section, parameter
