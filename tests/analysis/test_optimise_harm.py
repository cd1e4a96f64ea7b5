"""`sim optimise` weighs harm: the harm index and per-area outcomes as objectives and limits
(relative to the baseline), the ranking of the report under several weight sets read from the
fresh runs alone, and configs written before the harm index told what changed."""

from __future__ import annotations

import pandas as pd
import pytest
from test_optimise import tiny_config

from sim.analysis.harm import load_harm_weights, shipped_weight_sets
from sim.decisions.optimise import load_config, scores
from sim.decisions.optimise_config import objective_note
from sim.decisions.optimise_harm import (
    area_changes,
    harm_ranking,
    ranking_weight_sets,
    rerank,
)
from sim.model.outcomes import OUTCOME_NAMES


def runs(allocations: dict[str, dict[str, float]]) -> pd.DataFrame:
    """Fresh runs as out_of_sample_runs.csv holds them: 2 draws x 3 seeds per allocation, every
    outcome 0 but those given (the baseline's plus the allocation's change, with the same
    noise in each draw and seed for every allocation)."""
    rows = []
    for name, change in {"baseline": {}, **allocations}.items():
        for draw in range(2):
            for seed in (11, 12, 13):
                noise = (draw - 0.5) + (seed - 12) * 0.3
                rows.append({"variant": "as_calibrated", "allocation": name, "draw": draw,
                             "seed": seed, **dict.fromkeys(OUTCOME_NAMES, 0.0),
                             "cocaine_kg": 100 + 5 * noise + change.get("cocaine_kg", 0.0),
                             "migrants_stopped": 500 + 40 * noise
                             + change.get("migrants_stopped", 0.0) * (1 + 0.01 * seed)})
    table = pd.DataFrame(rows)
    table["drugs_kg_total"] = table["cocaine_kg"]
    return table


# "drugs" seizes 20 kg more cocaine; "persons" stops 200 more migrants and seizes 8 kg less.
FIXED = runs({"drugs": {"cocaine_kg": 20.0}, "persons": {"migrants_stopped": 200.0,
                                                        "cocaine_kg": -8.0}})


def test_changing_only_the_weights_reranks_two_fixed_allocations_without_a_run(tmp_path):
    """Default (cocaine 170 a kg, a migrant 1.3): drugs +3,400 points against persons about
    -1,360 + 290; persons first (cocaine 42.5, a migrant 32.872) reverses it: +850 against
    about +7,300. The runs are the same table; only the weights changed."""
    sets = {name: shipped_weight_sets()[name] for name in ("default", "persons_first")}
    ranking = harm_ranking(FIXED, sets).set_index(["weights", "allocation"])
    assert ranking.loc[("default", "drugs"), "rank"] == 1
    assert ranking.loc[("persons_first", "persons"), "rank"] == 1
    assert ranking.loc[("default", "drugs"), "harm_change"] == pytest.approx(20 * 170)
    assert ranking.loc[("persons_first", "drugs"), "harm_change"] == pytest.approx(20 * 42.5)
    low, high = ranking.loc[("persons_first", "persons"), ["ci_low", "ci_high"]]
    assert 0 < low < ranking.loc[("persons_first", "persons"), "harm_change"] < high
    # a finished search's folder re-ranked under a planner's file: no run
    FIXED.to_csv(tmp_path / "out_of_sample_runs.csv", index=False)
    mine = tmp_path / "migrants_only.yaml"
    mine.write_text("name: migrants_only\nweights:\n  migrants_stopped: 1\n")
    again = rerank(tmp_path, mine).set_index(["weights", "allocation"])
    assert list(dict.fromkeys(again.index.get_level_values("weights"))) == [
        "migrants_only", "default", "drug_harm_first", "persons_first"]
    assert again.loc[("migrants_only", "persons"), "rank"] == 1
    assert again.loc[("default", "drugs"), "rank"] == 1


def test_every_area_and_the_index_out_of_sample_with_a_shortfall_named():
    changes = area_changes(FIXED, load_harm_weights("default")).set_index(
        ["allocation", "outcome"])
    persons = changes.loc["persons"]
    assert persons.loc["drugs_kg_total", "difference"] == pytest.approx(-8.0)
    assert persons.loc["drugs_kg_total", "shortfall"]  # -8 % with an interval of width 0
    assert not persons.loc["migrants_stopped", "shortfall"]
    assert persons.loc["harm_index", "difference"] == pytest.approx(
        persons.loc["harm_drug_trafficking", "difference"]
        + persons.loc["harm_migrant_smuggling", "difference"])
    assert persons.loc["harm_index", "crime_area"] == "all crime areas"
    assert persons.loc["weapons_seized", "crime_area"] == "firearms_trafficking"


def test_the_ranking_lists_the_weights_in_use_first_and_each_set_once(tmp_path):
    assert list(ranking_weight_sets(load_harm_weights("default"))) == [
        "default", "drug_harm_first", "persons_first"]
    mine = tmp_path / "default.yaml"  # a planner's file that happens to share the name
    mine.write_text("weights:\n  cocaine_kg: 1\n")
    assert list(ranking_weight_sets(load_harm_weights(mine))) == [
        "default", "default (shipped)", "drug_harm_first", "persons_first"]


def test_harm_objectives_and_area_limits_relative_to_the_baseline_are_scored(tmp_path):
    weights = tmp_path / "weights.yaml"
    weights.write_text("name: two\nweights:\n  cocaine_kg: 10\n  migrants_stopped: 1\n")
    path = tiny_config(tmp_path, objectives=[{"outcome": "harm_index"},
                                             {"outcome": "mean_wait_minutes",
                                              "direction": "minimise"}],
                       constraints={"outcomes": [{"outcome": "drugs_kg_total", "min": 1.0,
                                                  "relative": True},
                                                 {"outcome": "harm_drug_trafficking",
                                                  "min": 900}]},
                       harm="weights.yaml")
    problem = load_config(path)
    assert problem.weights.name == "two" and objective_note(problem) is None
    table = FIXED[FIXED["allocation"] == "persons"].reset_index(drop=True)
    reference = FIXED[FIXED["allocation"] == "baseline"].reset_index(drop=True)
    values, excess = scores(problem, table, reference)
    assert values[0] == pytest.approx(92 * 10 + table["migrants_stopped"].mean())
    assert excess == pytest.approx([8.0, 900 - 920])  # 8 kg below 2023's; 920 >= 900
    # the weights count in the search's fingerprint only when the search scores harm
    weights.write_text("name: two\nweights:\n  cocaine_kg: 11\n  migrants_stopped: 1\n")
    assert load_config(path).digest != problem.digest
    old = tiny_config(tmp_path, harm="weights.yaml")  # movements_intercepted first
    before = load_config(old).digest
    weights.write_text("name: two\nweights:\n  cocaine_kg: 12\n  migrants_stopped: 1\n")
    assert load_config(old).digest == before


def test_a_config_written_before_the_harm_index_is_told_what_changed(tmp_path):
    problem = load_config(tiny_config(tmp_path))  # movements_intercepted first
    note = objective_note(problem)
    assert note.startswith("the first objective, movements_intercepted, is not the harm index")
    assert "the report's verdict is on the harm index (weights default (" in note
    other = load_config(tiny_config(tmp_path), harm="persons_first")
    assert other.weights.name == "persons_first" and other.digest == problem.digest
