"""Calibration: the loss and report arithmetic, configs, and recovery of a synthetic truth."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from project import ROOT

from sim.cli import main
from sim.inference.accepted import accepted_draws
from sim.inference.calibration import calibrate, load_config, report_table, target_losses
from sim.inference.experiments import ConfigError, Evaluator, scenario_with
from sim.model.streams import replicate_seeds
from sim.scenario.files import load_scenario

BASELINE = ROOT / "scenarios" / "jad_see_2023.yaml"
TARGETS = pd.DataFrame({"published": [100.0, 1000.0], "band_low": [80.0, 900.0],
                        "band_high": [120.0, 1100.0]}, index=pd.Index(["a", "b"], name="outcome"))


# --- loss and report -------------------------------------------------------------------------

def test_loss_is_only_the_small_pull_inside_the_band_and_grows_quadratically_outside():
    inside = target_losses(pd.Series({"a": 110.0, "b": 1000.0}), TARGETS, published_weight=0.01)
    assert inside["a"] == pytest.approx(0.01 * (10 / 40) ** 2)
    assert inside["b"] == 0
    outside = target_losses(pd.Series({"a": 160.0, "b": 800.0}), TARGETS, published_weight=0)
    assert outside["a"] == pytest.approx(1.0)   # one band width above the band
    assert outside["b"] == pytest.approx(0.25)  # half a band width below


def test_report_shows_each_miss_as_signed_share_of_the_band():
    summary = pd.DataFrame({"a": [150.0, 170.0], "b": [1000.0, 1020.0]})
    report = report_table(summary, TARGETS).set_index("outcome")
    assert report.loc["a", "inside_band"] == "no"
    assert report.loc["a", "miss_pct_of_band"] == pytest.approx(100 * (160 - 120) / 40)
    assert report.loc["b", "inside_band"] == "yes"
    assert report.loc["b", "miss_pct_of_band"] == 0
    assert report.loc["a", "simulated_p5"] < report.loc["a", "simulated_p95"]
    below = report_table(pd.DataFrame({"a": [60.0, 60.0], "b": [1e3, 1e3]}), TARGETS)
    assert below.set_index("outcome").loc["a", "miss_pct_of_band"] == pytest.approx(-50)


# --- configs ---------------------------------------------------------------------------------

def write_config(folder: Path, parameters: list[dict], **extra) -> Path:
    scenario = folder / "one_day.yaml"
    scenario.write_text(f"extends: {BASELINE}\nname: one_day\naction: {{days: 1}}\n")
    config = {"scenario": scenario.name, "targets": "targets.csv", "parameters": parameters,
              **extra}
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def test_a_parameter_path_that_names_nothing_is_an_error_naming_it(tmp_path):
    TARGETS.reset_index().assign(outcome=["checks_vehicles", "checks_parcels"]).to_csv(
        tmp_path / "targets.csv", index=False)
    path = write_config(tmp_path, [{"path": "parameters.lead_precisoin", "low": 0, "high": 1}])
    with pytest.raises(ConfigError, match="lead_precisoin"):
        load_config(path)
    path = write_config(tmp_path, [{"path": "parameters.lead_precision", "low": 1, "high": 0}])
    with pytest.raises(ConfigError, match="must be below"):
        load_config(path)


def test_scale_multiplies_every_default_entry_and_keeps_counts_whole(tmp_path):
    TARGETS.reset_index().assign(outcome=["checks_vehicles", "checks_parcels"]).to_csv(
        tmp_path / "targets.csv", index=False)
    path = write_config(tmp_path, [{"path": "parameters.networks", "scale": True,
                                    "low": 0.5, "high": 2}])
    config, scenario, _ = load_config(path)
    scaled = scenario_with(scenario, config.parameters, {"parameters.networks:scale": 1.5})
    default = type(scenario.parameters)().networks
    assert scaled.parameters.networks == {k: round(v * 1.5) for k, v in default.items()}
    assert all(isinstance(v, int) for v in scaled.parameters.networks.values())


def test_the_shipped_baseline_config_loads():
    config, _, targets = load_config(ROOT
                                    / "calibration" / "baseline.yaml")
    # the hidden volumes and efficiencies, plus those added with their mechanisms; every path
    # was resolved against the scenario by load_config
    assert len(config.parameters) >= 5
    assert len(targets) == 14
    assert config.budget.workers == 2


# --- recovery of a synthetic truth -----------------------------------------------------------

TRUTH = {"parameters.road_check_officer_minutes": 90.0,
         "parameters.parcel_check_officer_minutes": 25.0}
FIT = [{"path": "parameters.road_check_officer_minutes", "low": 40, "high": 200, "log": True},
       {"path": "parameters.parcel_check_officer_minutes", "low": 10, "high": 80, "log": True}]
TOLERANCE = 0.10  # relative error allowed in each recovered value


def synthetic_targets(folder: Path) -> None:
    """The model's own outcomes at TRUTH (seeds the fit does not use), with ±3% bands."""
    path = write_config(folder, FIT)
    (folder / "targets.csv").write_text("outcome,published,band_low,band_high\n"
                                        "checks_vehicles,1,0,2\nchecks_parcels,1,0,2\n")
    config, scenario, _ = load_config(path)
    truth = scenario_with(scenario, config.parameters, TRUTH)
    with Evaluator(1) as evaluator:
        means = evaluator.run([truth], replicate_seeds(999, 2))[0].mean()
    rows = [{"outcome": name, "published": means[name], "band_low": 0.97 * means[name],
             "band_high": 1.03 * means[name]} for name in ("checks_vehicles", "checks_parcels")]
    pd.DataFrame(rows).to_csv(folder / "targets.csv", index=False)


@pytest.mark.slow
def test_calibration_recovers_known_values_from_outcomes_the_model_produced(tmp_path):
    """60 trials: with sampler seeds 1 to 8 every value came back within 8% (TOLERANCE 10%)."""
    synthetic_targets(tmp_path)
    budget = {"trials": 60, "replicates": 1, "seed": 5, "workers": 1}
    config, scenario, targets = load_config(
        write_config(tmp_path, FIT, budget=budget, report={"replicates": 2, "seed": 6}))
    result = calibrate(config, scenario, targets)
    for name, truth in TRUTH.items():
        assert result.values[name] == pytest.approx(truth, rel=TOLERANCE), name
    # on fresh seeds the fitted outcomes stay within half a band width of their (±3%) bands
    assert (result.report["miss_pct_of_band"].abs() < 50).all()
    history = result.history
    assert len(history) == 60
    assert np.all(np.diff(history["best_loss"]) <= 0)
    assert history["best_loss"].iloc[-1] < history["loss"].iloc[0]


def test_the_fit_is_reproducible_and_the_command_writes_a_fragment_the_baseline_can_extend(
        tmp_path):
    synthetic_targets(tmp_path)
    config_path = write_config(tmp_path, FIT, budget={"trials": 3, "replicates": 1, "seed": 5},
                               report={"replicates": 2, "seed": 6})
    out = tmp_path / "fit"
    arguments = ["calibrate", str(config_path), "--out", str(out), "--quiet"]
    assert main([*arguments, "--workers", "2"]) == 0
    assert main(arguments) == 2  # an earlier calibration is never overwritten silently
    first = pd.read_csv(out / "loss_history.csv")
    assert main([*arguments, "--workers", "1", "--force"]) == 0
    pd.testing.assert_frame_equal(first.drop(columns="seconds"),
                                  pd.read_csv(out / "loss_history.csv").drop(columns="seconds"))
    report = pd.read_csv(out / "report.csv")
    assert list(report.columns) == ["outcome", "published", "band_low", "band_high",
                                    "simulated_mean", "simulated_p5", "simulated_p95",
                                    "inside_band", "miss_pct_of_band"]
    fitted = yaml.safe_load((out / "fitted.yaml").read_text())
    assert set(fitted["parameters"]) == {"road_check_officer_minutes",
                                         "parcel_check_officer_minutes"}
    variant = tmp_path / "uses_fit.yaml"
    variant.write_text(f"extends: {out / 'fitted.yaml'}\nname: uses_fit\n")
    scenario = load_scenario(variant, check_graph=False)
    assert scenario.parameters.road_check_officer_minutes == pytest.approx(
        fitted["parameters"]["road_check_officer_minutes"])


def test_a_time_limit_stops_proposing_but_still_reports_and_trial_0_is_the_scenario(tmp_path):
    synthetic_targets(tmp_path)
    budget = {"trials": 50, "replicates": 1, "workers": 1, "minutes": 1e-6}
    around = [{**FIT[0], "high": 600}, FIT[1]]  # ranges holding the scenario's own values
    config, scenario, targets = load_config(
        write_config(tmp_path, around, budget=budget, report={"replicates": 2}))
    result = calibrate(config, scenario, targets)
    assert len(result.history) == 1
    assert len(result.report) == 2
    for parameter in config.parameters:
        assert result.history.loc[0, parameter.label] == parameter.current_value(scenario)


def test_a_proposal_the_scenario_refuses_scores_the_worst_loss_and_the_fit_goes_on(tmp_path):
    # lead_precision is a probability: proposals above 1 are no valid scenario
    synthetic_targets(tmp_path)
    around = [{**FIT[0], "high": 600},
              {"path": "parameters.lead_precision", "low": 0.2, "high": 3.0}]
    path = write_config(tmp_path, around, budget={"trials": 6, "replicates": 1, "seed": 2,
                                                  "workers": 1},
                        report={"replicates": 2, "seed": 6})
    out = tmp_path / "fit"
    assert main(["calibrate", str(path), "--out", str(out), "--quiet"]) == 0
    history = pd.read_csv(out / "loss_history.csv")
    refused = history["parameters.lead_precision"] > 1
    assert refused.any() and (~refused).any(), "the seed gave no mix: the test proves nothing"
    assert np.isinf(history.loc[refused, "loss"]).all()
    assert history.loc[refused, "infeasible"].str.contains("lead_precision").all()
    assert history.loc[~refused, "infeasible"].isna().all()
    assert np.isfinite(history.loc[~refused, "loss"]).all()
    fitted = yaml.safe_load((out / "fitted.yaml").read_text())
    assert fitted["parameters"]["lead_precision"] <= 1
    config, scenario, _ = load_config(path)
    ensemble = accepted_draws(history, scenario, config.parameters, tolerance=1e9,
                              min_draws=1, max_draws=100, seed=1)
    assert len(ensemble.draws) == int((~refused).sum())  # refused proposals never enter


def test_a_resumed_fit_keeps_the_earlier_trials_and_refuses_a_fit_of_other_seeds(tmp_path):
    synthetic_targets(tmp_path)
    budget = {"trials": 3, "replicates": 1, "seed": 5, "workers": 1}
    path = write_config(tmp_path, FIT, budget=budget, report={"replicates": 2, "seed": 6})
    out = tmp_path / "fit"
    arguments = ["calibrate", str(path), "--out", str(out), "--quiet"]
    assert main(arguments) == 0
    first = pd.read_csv(out / "loss_history.csv")
    first.loc[1, "loss"] = 0.0  # marked: a recomputed trial 1 would lose the mark
    first.to_csv(out / "loss_history.csv", index=False)
    assert main([*arguments, "--resume", "--trials", "5"]) == 0
    resumed = pd.read_csv(out / "loss_history.csv")
    assert list(resumed["trial"]) == [0, 1, 2, 3, 4]
    pd.testing.assert_frame_equal(first, resumed.head(3))
    # the sampler was told the earlier scores: the marked trial stays the best, and fitted.yaml
    # holds its values
    assert (resumed["best_loss"].iloc[3:] == 0.0).all()
    fitted = yaml.safe_load((out / "fitted.yaml").read_text())["parameters"]
    assert fitted["road_check_officer_minutes"] == pytest.approx(
        first.loc[1, "parameters.road_check_officer_minutes"], rel=1e-3)
    assert json.loads((out / "calibration.json").read_text())["trials_run"] == 5
    # nothing to continue from, another seed, or both --resume and --force: exit 2
    assert main([*arguments, "--resume", "--out", str(tmp_path / "none")]) == 2
    assert main([*arguments, "--resume", "--force"]) == 2
    write_config(tmp_path, FIT, budget={**budget, "seed": 6}, report={"replicates": 2})
    assert main([*arguments, "--resume"]) == 2
    assert len(pd.read_csv(out / "loss_history.csv")) == 5  # a refusal touched nothing
