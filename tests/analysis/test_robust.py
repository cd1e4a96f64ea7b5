"""Decisions over the ensemble (issue 32, item 5): `sim optimise` ranks allocations by the
robustness criterion its config names, within a stated run budget, and says what could
overturn the choice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from analysis.test_optimise import tiny_config

from sim.decisions.optimise import load_config
from sim.decisions.optimise_report import optimise
from sim.decisions.robust import criterion_table
from sim.inference.experiments import ConfigError

VALUES = pd.DataFrame([[10, 10, 10, 10], [20, 20, 20, -5], [12, 12, 12, 8]],
                      index=["steady", "gamble", "hedge"], dtype=float)


@pytest.mark.parametrize(("criterion", "chosen"), [
    ("mean", "gamble"),       # means 10, 13.75, 11
    ("percentile", "steady"),  # 10th percentiles 10, 2.5, 9.2
    ("regret", "hedge"),      # best per member 20, 20, 20, 10: largest regrets 10, 15, 8
])
def test_each_criterion_makes_its_own_choice_by_hand(criterion, chosen):
    table = criterion_table(VALUES, "maximise", criterion, percentile=10)
    assert table.iloc[0]["allocation"] == chosen
    regrets = table.set_index("allocation")["max_regret"]
    assert regrets.to_dict() == {"steady": 10.0, "gamble": 15.0, "hedge": 8.0}


def test_for_an_outcome_to_minimise_the_bad_end_is_the_high_one():
    table = criterion_table(-VALUES, "minimise", "percentile", percentile=10).set_index(
        "allocation")
    assert table.loc["gamble", "pessimistic"] == pytest.approx(-2.5)  # the 90th of -values
    assert table["rank"].idxmin() == "steady"
    limited = criterion_table(VALUES, "maximise", "mean", allowed={"steady", "hedge"})
    assert limited.iloc[0]["allocation"] == "hedge" and pd.isna(limited.iloc[2]["rank"])


def write_members(folder: Path, count: int = 12) -> None:
    rng = np.random.default_rng(2)
    pd.DataFrame({"member": range(count),
                  "parameters.lead_precision": rng.uniform(0.2, 0.8, count),
                  "parameters.retask_watch_hours": rng.uniform(1, 8, count)}
                 ).to_csv(folder / "ensemble.csv", index=False)


def test_a_run_budget_is_stated_and_a_search_beyond_it_refused(tmp_path):
    write_members(tmp_path)
    settings = {"trials": 4, "max_runs": 30,
                "ensemble": {"file": "ensemble.csv", "members": 2, "criterion": "regret"}}
    path = tiny_config(tmp_path, search=settings, report={"draws": 8, "replicates": 2,
                                                           "seed": 4, "allocations": 1})
    with pytest.raises(ConfigError, match=r"up to 40 runs .* more than max_runs 30"):
        load_config(path)  # 4 × 1 × 2 in the search, 2 allocations × 2 × 8 in the report
    with pytest.raises(ConfigError, match="not both"):
        load_config(tiny_config(tmp_path, search={**settings, "max_runs": None, "posterior": {
            "file": "ensemble.csv"}}))


def test_optimise_over_members_ranks_by_the_criterion_and_says_what_could_overturn_it(tmp_path):
    write_members(tmp_path)
    path = tiny_config(tmp_path, search={
        "trials": 4, "max_runs": 40,
        "ensemble": {"file": "ensemble.csv", "members": 2, "criterion": "regret"}},
        report={"draws": 8, "replicates": 2, "seed": 4, "allocations": 1})
    problem = load_config(path)
    assert problem.members.kind == "ensemble members" and problem.members.criterion == "regret"
    assert len(problem.search_draws) == 2 and len(problem.report_draws) == 8
    out = tmp_path / "out"
    optimise(problem, out=out)
    robust = pd.read_csv(out / "robust.csv")
    assert set(robust["allocation"]) >= {"baseline"} and robust["rank"].min() == 1
    report = (out / "report.md").read_text()
    assert "## Robust choice over 8 fresh ensemble members" in report
    assert "least maximum regret" in report and "budget: 40" in report
    if (out / "overturn.csv").exists():  # the advantage varies across members
        overturn = pd.read_csv(out / "overturn.csv")
        assert set(overturn["assumption"]) <= {"parameters.lead_precision",
                                               "parameters.retask_watch_hours"}
        assert "What could overturn it" in report
