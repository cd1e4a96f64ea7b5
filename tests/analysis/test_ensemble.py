"""The ensemble (issue 32): history matching, the build, runs over members, the deciding
assumption and what knowing it is worth.

Model runs are one-day actions with one or two replicates and a handful of members, so the
file stays well under a minute on two cores; the statistics are checked on synthetic data where
the answer is known.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from project import ROOT

import sim
from sim.analysis.compare import (
    ComparisonError,
    compare,
    deciding,
    deciding_ranking,
    first_members,
)
from sim.analysis.deciding import evppi, first_order, rank_assumptions
from sim.inference.ensemble import build, candidates_path, load_plan, split_assumptions
from sim.inference.history_matching import implausibility
from sim.scenario.files import load_scenario
from sim.scenario.posterior import read_posterior, with_draw

BASELINE = ROOT / "scenarios" / "jad_see_2023.yaml"
ORDINARY = ROOT / "scenarios" / "business_as_usual.yaml"
NO_CENTRE = ROOT / "scenarios" / "no_coordination_centre.yaml"


# --- history matching ---------------------------------------------------------------------------

def test_implausibility_adds_the_three_variance_terms_by_hand():
    targets = pd.DataFrame({"published": [100.0], "band_low": [70.0], "band_high": [160.0]},
                           index=["arrests_total"])
    # above the figure: σ_obs = (160 - 100) / 3 = 20; σ_md = 0.05 × 100 = 5; s² / n = 300 / 3
    value = implausibility(pd.Series({"arrests_total": 150.0}),
                           pd.Series({"arrests_total": 300.0}), 3, targets)
    assert value["arrests_total"] == pytest.approx(50 / np.sqrt(400 + 25 + 100))
    # below it the lower half of the band counts: σ_obs = 10
    below = implausibility(pd.Series({"arrests_total": 80.0}), pd.Series({"arrests_total": 0.0}),
                           3, targets, discrepancy=0.0)
    assert below["arrests_total"] == pytest.approx(2.0)
    # without discrepancy and noise the cut-off of 3 falls on the band's edge
    edge = implausibility(pd.Series({"arrests_total": 160.0}), pd.Series({"arrests_total": 0.0}),
                          3, targets, discrepancy=0.0)
    assert edge["arrests_total"] == pytest.approx(3.0)


# --- the deciding assumption and EVPPI on synthetic members -------------------------------------

def test_a_dummy_assumption_ranks_below_one_that_acts():
    rng = np.random.default_rng(7)
    members = 120
    assumptions = pd.DataFrame({"acts": rng.uniform(0.2, 0.7, members),
                                "dummy": rng.uniform(1, 8, members),
                                "weak": rng.uniform(0, 1, members)})
    difference = pd.Series(-30 - 60 * assumptions["acts"] + 12 * assumptions["weak"]
                           + rng.normal(0, 2, members))
    table = rank_assumptions(difference, assumptions, "cases_opened")
    assert list(table["assumption"]) == ["acts", "weak", "dummy"]
    top = table.iloc[0]
    # Var(60 acts) = 75, Var(12 weak) = 12, noise 4: shares 75/91 and 12/91, the dummy's none
    assert top.first_order == pytest.approx(75 / 91, abs=0.05)
    assert table.iloc[1].first_order == pytest.approx(12 / 91, abs=0.05)
    assert table.iloc[2].first_order < 0.03
    # the difference at the ends: about -24 - 60 × 0.25 and -24 - 60 × 0.65 (weak's mean 6)
    assert top.low_end == pytest.approx(-39, abs=3) and top.high_end == pytest.approx(-63, abs=3)
    assert not top.flips


def test_evppi_recovers_a_known_value_and_is_zero_when_the_choice_cannot_change():
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, 600)
    noise = rng.normal(0, 0.3, 600)
    # the better option is "other" when x > 0: knowing x gains E[max(0, x)] - max(0, E[x]) = 1/4
    truth = np.mean(np.maximum(x, 0)) - max(0.0, float(np.mean(x)))
    assert truth == pytest.approx(0.25, abs=0.02)
    assert evppi(x, x + noise) == pytest.approx(truth, abs=0.02)
    assert evppi(rng.uniform(size=600), x + noise) < 0.02  # an unrelated assumption
    assert evppi(x, 1.0 + x + noise) < 0.01  # "other" wins whatever x is: nothing to gain
    # yet x explains the size of the answer: Var(x) / (Var(x) + 0.3²) = (1/3) / (1/3 + 0.09)
    assert first_order(x, 1.0 + x + noise) == pytest.approx(0.787, abs=0.04)


# --- the build ----------------------------------------------------------------------------------

def write_ensemble_config(folder: Path, **settings) -> Path:
    """Two one-day regimes with wide synthetic bands, a posterior of three draws, two sampled
    assumptions (one the ordinary week sets itself)."""
    (folder / "action.yaml").write_text(f"extends: {BASELINE}\nname: action\naction: {{days: 1}}\n")
    (folder / "ordinary.yaml").write_text(f"extends: {ORDINARY}\nname: ordinary\n"
                                          "action: {days: 1}\n")
    (folder / "action.csv").write_text("outcome,published,band_low,band_high\n"
                                       "checks_vehicles,10000,2000,60000\n"
                                       "arrests_total,60,0,600\n")
    (folder / "ordinary.csv").write_text("outcome,published,band_low,band_high\n"
                                         "illegal_entries_detected,100,0,2000\n")
    calibration = {"regimes": [{"scenario": "action.yaml", "targets": "action.csv"},
                               {"scenario": "ordinary.yaml", "targets": "ordinary.csv"}],
                   "parameters": [{"path": "parameters.second_line_referral_share"}]}
    (folder / "fit.yaml").write_text(yaml.safe_dump(calibration))
    pd.DataFrame({"draw": [0, 1, 2], "weight": [1 / 3] * 3,
                  "parameters.second_line_referral_share": [0.1, 0.15, 0.3]}
                 ).to_csv(folder / "posterior.csv", index=False)
    config = {"calibration": "fit.yaml", "posterior": "posterior.csv",
              "assumptions": [{"path": "parameters.second_line_share"},
                              {"path": "parameters.relay_probability_without_centre"}],
              "members": 3, "candidates": 6, "replicates": 2, "seed": 5, "workers": 1,
              **settings}
    path = folder / "ensemble.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_by_default_every_registered_range_the_calibration_does_not_fit_is_sampled():
    plan = load_plan(ROOT / "calibration" / "ensemble.yaml")
    fitted = {p.path for p in plan.identified}
    sampled = {p.path for p in plan.sampled}
    assert "parameters.lead_precision" in fitted and "parameters.lead_precision" not in sampled
    assert "parameters.relay_probability_without_centre" in sampled
    assert not any(path.startswith("parameters.movements_per_network") for path in sampled)
    assert "intelligence.coverage" not in sampled  # a planner's lever, not an assumption
    _, sampled_again = split_assumptions(load_regimes_config(), ["parameters.adaptivity"])
    assert "parameters.adaptivity" not in {p.path for p in sampled_again}


def load_regimes_config():
    from sim.inference.calibration_config import load_regimes

    return load_regimes(ROOT / "calibration" / "joint.yaml")[0]


def test_a_tiny_ensemble_is_built_stored_like_the_posterior_and_resumed(tmp_path):
    plan = load_plan(write_ensemble_config(tmp_path))
    out = tmp_path / "built" / "ensemble.csv"
    result = build(plan, out)
    members = read_posterior(out)
    assert list(members["member"]) == list(range(len(members))) and 1 <= len(members) <= 3
    assert {"draw", "candidate", "implausibility", "parameters.second_line_share",
            "parameters.second_line_referral_share"} <= set(members.columns)
    assert (members["implausibility"] <= 3.0).all()
    assert members.attrs["sampled"] == ["parameters.second_line_share",
                                        "parameters.relay_probability_without_centre"]
    record = json.loads(out.with_suffix(".json").read_text())
    assert record["identified"] == ["parameters.second_line_referral_share"]
    assert record["candidates_tried"] == len(result.candidates) >= len(members)
    # every candidate is recorded with its implausibility per regime and target
    tried = pd.read_csv(candidates_path(out))
    assert {"I:action:checks_vehicles", "I:ordinary:illegal_entries_detected"} <= set(tried)
    # a resumed build runs nothing new and keeps the same members
    again = build(plan, out, resume=True)
    assert again.resumed == len(tried)
    pd.testing.assert_frame_equal(read_posterior(out), members)


def test_an_emulator_recovers_a_linear_response_and_its_noise():
    """A target linear in two of three inputs, with noise of standard deviation 2: the ridge
    emulator predicts unseen inputs within the noise, and its leave-one-out variance is the
    noise's (what a run would still scatter around the prediction)."""
    from sim.inference.emulator import fit_target

    rng = np.random.default_rng(11)
    inputs = rng.uniform(0.0, 1.0, (200, 3))
    values = 100.0 + 40.0 * inputs[:, 0] - 25.0 * inputs[:, 2] + rng.normal(0.0, 2.0, 200)
    emulator = fit_target(inputs, values)
    unseen = rng.uniform(0.0, 1.0, (50, 3))
    truth = 100.0 + 40.0 * unseen[:, 0] - 25.0 * unseen[:, 2]
    assert np.abs(emulator.predict(unseen) - truth).max() < 2.0
    assert emulator.variance == pytest.approx(4.0, rel=0.3)


@pytest.mark.slow
def test_emulators_fitted_on_a_first_wave_rule_out_what_the_runs_ruled_out(tmp_path):
    """History matching in waves: a vehicles band that the middle posterior draw meets and the
    others meet only at the edge of a sampled range (the referral share of the draws sets the
    vehicles checked: about 14,800, 18,200 and 24,600). After a first wave of 30 run
    candidates the emulators rule out candidates unrun, never one of the middle draw, and
    every one they rule out, run after all (every third by the build's own audit, the rest
    here), is ruled out by its runs too; a resumed build screens the same ones."""
    from sim.inference.ensemble import design, evaluate
    from sim.inference.experiments import Evaluator

    config = write_ensemble_config(tmp_path, replicates=1, candidates=45, members=45,
                                   emulator={"training": 30, "audit": 3})
    (tmp_path / "action.csv").write_text("outcome,published,band_low,band_high\n"
                                         "checks_vehicles,18000,17000,19000\n"
                                         "arrests_total,60,0,600\n")
    plan = load_plan(config)
    out = tmp_path / "built" / "ensemble.csv"
    result = build(plan, out)
    table = result.candidates.set_index("candidate")
    first, later = table.loc[:29], table.loc[30:]
    assert not first["emulated"].any()
    assert first.loc[first["draw"] == 1, "kept"].all() and not first.loc[
        first["draw"] == 0, "kept"].any()
    screened = later[later["emulated"]]
    assert len(screened) >= 5 and 1 not in set(screened["draw"]), later
    assert (screened["worst"] == "emulator:action:checks_vehicles").all()
    with Evaluator(1) as pool:
        rerun = evaluate(plan, list(screened.index), design(plan.sampled, 45, 5), pool)
    assert not any(row["kept"] for row in rerun)
    # every third candidate ruled out ran all the same (the audit): its runs rule it out too
    audited = later[later["audited"].fillna(False).astype(bool)]
    assert len(audited) and (audited.index % 3 == 0).all() and not audited["kept"].any()
    assert (audited["emulated_implausibility"] > 3.0).all()
    record = json.loads(out.with_suffix(".json").read_text())
    assert record["emulator"]["screened_out"] == len(screened)
    assert record["emulator"]["candidates_run"] == 45 - len(screened)
    assert record["emulator"]["audited"] == len(audited) and record["emulator"][
        "audited_kept"] == 0
    members = read_posterior(out)
    again = build(plan, out, resume=True)
    assert again.resumed == 45
    pd.testing.assert_frame_equal(read_posterior(out), members)


def test_a_sampled_value_leaves_a_value_the_scenario_sets_itself():
    """The ordinary week caps the second line at a tenth of its officers: a member's sampled
    second_line_share applies to the action week only."""
    row = pd.Series({"member": 0, "parameters.second_line_share": 0.4,
                     "parameters.lead_precision": 0.7})
    sampled = ["parameters.second_line_share"]
    action = with_draw(load_scenario(BASELINE), row, sampled=sampled)
    ordinary = with_draw(load_scenario(ORDINARY), row, sampled=sampled)
    assert action.parameters.second_line_share == 0.4
    assert ordinary.parameters.second_line_share == 0.1
    assert ordinary.parameters.lead_precision == 0.7  # not sampled: written everywhere


# --- runs and comparisons over members ------------------------------------------------------------

def write_members(path: Path, members: int = 12) -> Path:
    """A hand-made ensemble: the bilateral relay probability spread over its range, and the
    re-tasking watch, which acts on nothing when no unit answers alerts (mobile_share 0)."""
    rng = np.random.default_rng(11)
    pd.DataFrame({"member": range(members), "weight": 1 / members,
                  "parameters.relay_probability_without_centre": np.linspace(0.05, 0.95, members),
                  "parameters.retask_watch_hours": rng.permutation(np.linspace(1, 8, members))}
                 ).to_csv(path, index=False)
    path.with_suffix(".json").write_text(json.dumps({"sampled": [
        {"label": "parameters.relay_probability_without_centre",
         "columns": ["parameters.relay_probability_without_centre"]},
        {"label": "parameters.retask_watch_hours", "columns": ["parameters.retask_watch_hours"]}
    ]}))
    return path


def test_a_comparison_over_members_names_what_decides_it_and_a_dummy_ranks_below(tmp_path):
    members = write_members(tmp_path / "ensemble.csv")
    settings = {"ensemble": 12, "ensemble_file": members, "replicates": 1, "workers": 1,
                "action__days": 1, "response__mobile_share": 0.0}
    base = sim.run(BASELINE, out=tmp_path / "base", **settings)
    other = sim.run(NO_CENTRE, out=tmp_path / "no_centre", **settings)
    assert base.manifest["posterior"]["kind"] == "ensemble"
    assert len(base.summary) == 12 and list(base.summary["draw"]) == list(range(12))
    with pytest.warns(UserWarning, match="rests on 12 ensemble members"):
        table = compare(base, other, outcomes=["cases_opened", "checks_total"])
    cases = table.set_index("outcome").loc["cases_opened"]
    assert cases["method"] == "ensemble" and cases["draws"] == 12
    # without the centre every case hangs on bilateral relays: the more of them arrive, the
    # fewer cases the centre's absence costs
    assert cases["deciding"] == "parameters.relay_probability_without_centre"
    assert cases["deciding_share"] > 0.5 and cases["deciding_low"] < cases["deciding_high"]
    # every relay arrives: (almost) no loss; a late hit's relay may miss the follow-up window
    assert cases["deciding_high"] == pytest.approx(0, abs=1.0)
    assert cases["next_deciding"] == "parameters.retask_watch_hours"
    ranking = deciding_ranking(table).set_index("assumption")
    assert set(ranking["outcome"]) == {"cases_opened"}  # nothing decides the checks
    assert list(deciding(base, other, ["cases_opened"])["assumption"]) == list(ranking.index)
    assert (ranking.loc["parameters.retask_watch_hours", "first_order"]
            < ranking.loc["parameters.relay_probability_without_centre", "first_order"] / 10)
    # the re-tasking watch acts on nothing here (no unit answers alerts): knowing it is worth 0
    assert ranking.loc["parameters.retask_watch_hours", "evppi"] == pytest.approx(0, abs=1e-6)
    # `sim compare --ensemble 8`: the same comparison on the first 8 members only
    with pytest.warns(UserWarning, match="rests on 8 ensemble members"):
        fewer = compare(first_members(base, 8), first_members(other, 8), outcomes=["cases_opened"])
    assert fewer.iloc[0]["draws"] == 8
    with pytest.raises(ComparisonError, match="takes 1 to 12, not 13"):
        first_members(base, 13)
    # checks do not depend on either: no spread, nothing decides them
    assert table.set_index("outcome").loc["checks_total", "deciding"] == ""


def test_the_default_posterior_is_found_from_any_working_directory(tmp_path, monkeypatch):
    from sim.runs.posterior import posterior_plan

    monkeypatch.chdir(tmp_path)
    scenarios, _, info = posterior_plan(load_scenario(BASELINE), 2, None)
    assert len(scenarios) == 2 and info["file"] == "scenarios/posterior.csv"
    with pytest.raises(Exception, match=r"sim ensemble calibration/ensemble\.yaml"):
        posterior_plan(load_scenario(BASELINE), 2, tmp_path / "missing.csv", "ensemble")
