"""Re-planning during the action (issue 36): `sim optimise CONFIG --from-day K --ensemble DIR`
searches what can still change after day K, against keeping the plan.

The dating of changes is checked by hand; the search runs on a two-day action from the evening
of day 1 (a few runs of a fraction of a second).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from project import BASELINE, ROOT

from sim.decisions.optimise import evaluate, evaluator
from sim.decisions.optimise_config import load_config
from sim.decisions.replan import gains_table
from sim.decisions.replan_space import dated_frontex, dated_teams, resampled_members
from sim.inference.experiments import ConfigError
from sim.scenario.days import change_days, on_day

TEAM = {"country": "NL", "hours": [6, 22], "days": None}


def test_a_moved_team_works_its_old_place_to_day_k_and_its_new_one_after_the_delay():
    plan = [{**TEAM, "place": "evzonoi"}, {**TEAM, "place": "debeli_brijeg"}]
    proposed = [{**TEAM, "place": "kakavia"}, {**TEAM, "place": "debeli_brijeg"}]
    teams = dated_teams(plan, proposed, 2, 1, 6)
    assert teams == [{**TEAM, "place": "evzonoi", "days": [1, 2]},
                     {**TEAM, "place": "kakavia", "days": [4, 5, 6]},
                     {**TEAM, "place": "debeli_brijeg"}]  # it stays: one entry, every day
    assert dated_teams(plan, plan, 2, 1, 6) == plan
    # a move that cannot arrive before the end leaves the old place after day K all the same
    assert dated_teams(plan, proposed, 5, 1, 6)[:1] == [
        {**TEAM, "place": "evzonoi", "days": [1, 2, 3, 4, 5]}]


def test_frontex_units_that_stay_keep_their_entry_and_the_others_are_dated():
    plan = [{"kind": "thermal_vision", "place": "gb_evros", "count": 2, "days": None},
            {"kind": "detection_kit", "place": "kipoi", "count": 1, "days": None}]
    proposed = [{"kind": "thermal_vision", "place": "gb_evros", "count": 1},
                {"kind": "thermal_vision", "place": "gb_bg_tr", "count": 1},
                {"kind": "detection_kit", "place": "kipoi", "count": 1}]
    dated = dated_frontex(plan, proposed, {"thermal_vision"}, 3, 1, 6)
    assert dated == [{"kind": "thermal_vision", "place": "gb_evros", "count": 1, "days": None},
                     {"kind": "thermal_vision", "place": "gb_evros", "count": 1,
                      "days": [1, 2, 3]},
                     plan[1],
                     {"kind": "thermal_vision", "place": "gb_bg_tr", "count": 1,
                      "days": [5, 6]}]
    assert dated_frontex(plan, plan, {"thermal_vision"}, 3, 1, 6) == plan


def test_members_with_unequal_weights_are_resampled_by_weight(tmp_path):
    rows = pd.DataFrame({"member": range(4), "weight": [0.7, 0.1, 0.1, 0.1],
                         "parameters.lead_precision": [0.1, 0.2, 0.3, 0.4]})
    rows.to_csv(tmp_path / "ensemble.csv", index=False)
    picked = resampled_members(tmp_path / "ensemble.csv", 20, 5, "test")
    shares = pd.Series([r["parameters.lead_precision"] for r in picked]).value_counts() / 20
    assert shares[0.1] == pytest.approx(0.7, abs=0.051)  # systematic: 14 of 20
    rows.assign(weight=0.25).to_csv(tmp_path / "equal.csv", index=False)
    assert [r["parameters.lead_precision"] for r in resampled_members(
        tmp_path / "equal.csv", 3, 5, "test")] == [0.1, 0.2, 0.3]  # in order


def test_the_gain_is_paired_per_crime_area_and_in_harm():
    """Five more migrants stopped in every run: the migrant area gains five, its harm and the
    harm index gain five times the weight of a migrant stopped, the other areas nothing."""
    from sim.analysis.harm import resolve_weights
    from sim.decisions.replan import harm_sentence
    from sim.model.outcomes import OUTCOME_NAMES

    index = {"draw": [0, 0, 1, 1], "seed": [1, 2, 1, 2]}
    plan = pd.DataFrame({**index, **{o: [1.0, 2.0, 3.0, 4.0] for o in OUTCOME_NAMES}})
    other = plan.assign(migrants_stopped=plan["migrants_stopped"] + 5)
    table = gains_table(plan, {"a": other}).set_index("outcome")
    weight = resolve_weights(None).as_mapping["migrants_stopped"]
    assert weight > 0
    assert table.loc["migrants_stopped", "difference"] == 5
    assert table.loc["migrants_stopped", "area"] == "migrant_smuggling"
    assert table.loc["harm_migrant_smuggling", "difference"] == pytest.approx(5 * weight)
    assert table.loc["harm_index", "difference"] == pytest.approx(5 * weight)
    assert table.loc["harm_index", "area"] == "harm"
    assert table.loc["weapons_seized", "difference"] == 0
    assert table.loc["harm_drug_trafficking", "difference"] == 0
    assert "less harm done than keeping the plan" in harm_sentence(table.reset_index())
    # a gain in one area and a loss in another is said in words
    traded = other.assign(weapons_seized=other["weapons_seized"] - 1)
    sentence = harm_sentence(gains_table(plan, {"b": traded}))
    assert "a trade-off: more migrants stopped, fewer weapons seized" in sentence


def write_config(folder: Path, **changes) -> Path:
    """A re-plan of a two-day action over a small updated ensemble (three members with
    unequal weights)."""
    (folder / "two_days.yaml").write_text(f"extends: {BASELINE}\nname: two_days\n"
                                          "action: {days: 2}\n")
    members = pd.read_csv(ROOT / "scenarios" / "posterior.csv").head(3)
    members = members.rename(columns={"draw": "member"}).assign(weight=[0.5, 0.3, 0.2])
    members.to_csv(folder / "ensemble.csv", index=False)
    config = yaml.safe_load((ROOT / "optimise" / "replan.yaml").read_text())
    config.update({"scenario": "two_days.yaml",
                   "harm": str(ROOT / "sim" / "data" / "harm" / "default.yaml"),
                   "search": {"trials": 4, "population": 2, "replicates": 1, "seed": 3,
                              "workers": 1, "ensemble": {"members": 1}},
                   "report": {"replicates": 2, "draws": 1, "seed": 4, "allocations": 1}})
    config.update(changes)
    path = folder / "replan.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_a_proposal_keeps_the_days_before_and_changes_what_follows(tmp_path):
    problem = load_config(write_config(tmp_path), from_day=1, ensemble=tmp_path)
    assert problem.config.replan.from_day == 1
    assert len(problem.search_draws) == 1 and len(problem.report_draws) == 1
    keep = problem.space.baseline_params()
    assert problem.space.candidate(keep, "keep").model_dump(exclude={"name"}) == \
        problem.scenario.model_dump(exclude={"name"})  # trial 0 is keeping the plan
    params = {**keep, "shares.all.crossing": 0.60, "shares.all.green_border": 0.10,
              "shares.all.road_checkpoint": 0.195}  # the three share 0.895
    moved = problem.space.candidate(params, "moved")
    assert change_days(moved) == [2]
    assert on_day(moved, 2).countries["GR"].shares["crossing"] == pytest.approx(0.60)
    assert moved.countries["GR"].shares == problem.scenario.countries["GR"].shares
    with evaluator(1, None) as pool:
        runs = evaluate(problem, [problem.scenario, moved], pool, problem.search_draws,
                        problem.search_seeds)
    assert not np.allclose(runs[0]["officer_hours_crossing"],
                           runs[1]["officer_hours_crossing"])


@pytest.mark.parametrize(("changes", "from_day", "message"), [
    ({}, 2, "day 2: a re-plan starts on the evening of a day before the last"),
    ({"decisions": {"transfers": [{"from": "GR", "to": "BG", "high": 100}],
                    "shares": {"countries": "all", "bounds": {
                        "crossing": [0.3, 0.6], "green_border": [0.1, 0.35],
                        "road_checkpoint": [0.15, 0.4]}}}}, 1,
     "officers cannot move between countries during the action"),
    ({"decisions": {"scanning_teams": {"count": 2, "places": "checked"}}}, 1,
     "no change of this search could take effect before the action ends"),
])
def test_what_cannot_change_during_the_action_is_refused(tmp_path, changes, from_day, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write_config(tmp_path, **changes), from_day=from_day, ensemble=tmp_path)


def test_sim_optimise_from_a_day_reports_the_gain_per_crime_area(tmp_path, capsys):
    from sim.cli import main as cli

    config = write_config(tmp_path)
    out = tmp_path / "search"
    status = cli(["optimise", str(config), "--from-day", "1", "--ensemble", str(tmp_path),
                  "--out", str(out), "--quiet"])
    assert status == 0, capsys.readouterr().err
    assert "effective sample size" in capsys.readouterr().err
    gains = pd.read_csv(out / "replan.csv")
    assert set(gains["area"]) >= {"migrant_smuggling", "drug_trafficking", "all_areas", "harm"}
    assert "harm_index" in set(gains["outcome"])
    report = (out / "report.md").read_text()
    assert "## Re-plan from the evening of day 1" in report
    assert "Harm index " in report.split("## Re-plan from the evening of day 1")[1]
    allocation = yaml.safe_load(next((out / "allocations").glob("*.yaml")).read_text())
    assert set(allocation) >= {"name", "extends"}
