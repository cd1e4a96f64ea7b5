"""The calibrated baseline reproduces the published outcome table (mean of 30 replicates inside
every band of sim/data/targets.csv), and the allocation puts every officer in a unit."""

import pandas as pd
import pytest

import sim
from sim.model import BASELINE
from sim.scenario.allocation import build_units, largest_remainder
from sim.scenario.files import load_scenario

TARGETS = pd.read_csv(BASELINE.parents[1] / "sim" / "data" / "targets.csv")


@pytest.mark.slow
def test_baseline_means_fall_inside_every_published_band():
    results = sim.run(BASELINE, replicates=30, workers=2)
    assert results.complete and len(results.summary) == 30
    summaries = results.summary
    misses = []
    for target in TARGETS.itertuples():
        mean = summaries[target.outcome].mean()
        if not target.band_low <= mean <= target.band_high:
            misses.append(f"{target.outcome}: {mean:.1f} outside {target.band_low}-"
                          f"{target.band_high}")
    assert not misses, "; ".join(misses)


def test_every_officer_of_the_baseline_is_in_exactly_one_unit():
    scenario = load_scenario(BASELINE)
    units = build_units(scenario)
    assert sum(u.officers for u in units) == scenario.officers_total == 22_488
    by_country = pd.DataFrame([u.__dict__ for u in units]).groupby("country")["officers"].sum()
    for code, contingent in scenario.countries.items():
        assert by_country.get(code, 0) == contingent.officers
    assert all(u.officers > 0 for u in units)


def test_largest_remainder_splits_exactly():
    assert largest_remainder(10, [1, 1, 1]) == [4, 3, 3]
    assert sum(largest_remainder(22_488, [0.3, 0.2, 0.5, 1e-9])) == 22_488
    assert largest_remainder(0, [1, 2]) == [0, 0]
    assert largest_remainder(5, [0, 0]) == [3, 2]


def test_explicit_postings_come_out_of_the_country_contingent():
    scenario = load_scenario(BASELINE)
    data = scenario.model_dump(mode="json")
    data["postings"] = [{"country": "GR", "agency": "customs", "posting": "crossing",
                         "place": "kipoi", "officers": 300}]
    from sim.scenario.files import scenario_from_mapping

    units = build_units(scenario_from_mapping(data))
    greek = [u for u in units if u.country == "GR"]
    assert sum(u.officers for u in greek) == 3300
    assert sum(u.officers for u in greek if u.place == "kipoi" and u.agency == "customs") >= 300


def test_at_fixed_staffing_more_checks_cost_longer_queues():
    """The same officers either staff lanes or do intensified checks: more checks are paid for
    in waiting time (same seed, so the same traffic)."""
    from sim.model import JointActionModel

    outcomes = [JointActionModel(rng=3, action__days=1, parameters__second_line_share=share)
                .run().outcomes() for share in (0.1, 0.5)]
    assert outcomes[1]["checks_vehicles"] > outcomes[0]["checks_vehicles"]
    assert outcomes[1]["mean_wait_minutes"] > outcomes[0]["mean_wait_minutes"]
    assert outcomes[0]["legitimate_vehicles"] == outcomes[1]["legitimate_vehicles"]
