"""Sensitivity: a parameter without effect ranks last, with Morris on the model and Sobol on a
known function; configs name their mistakes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from project import ROOT

from sim.cli import main
from sim.inference.experiments import ConfigError
from sim.inference.sensitivity import SensitivityConfig, analyse, design, load_config

BASELINE = ROOT / "scenarios" / "jad_see_2023.yaml"


def test_morris_on_the_model_ranks_a_parameter_without_effect_last(tmp_path):
    """Without thermal-vision deployments, thermal_vision_factor cannot change detections: with
    the same seeds at every design point its elementary effects are exactly zero."""
    scenario = tmp_path / "no_thermal_vision.yaml"
    scenario.write_text(f"extends: {BASELINE}\nname: no_thermal_vision\naction: {{days: 1}}\n"
                        "frontex: []\n")
    config = {"scenario": scenario.name, "outcomes": ["illegal_entries_detected"],
              "parameters": [
                  {"path": "parameters.thermal_vision_factor", "low": 1, "high": 4},
                  {"path": "parameters.patrol_detection_per_officer_km", "low": 0.05,
                   "high": 0.3, "log": True},
                  {"path": "parameters.movements_per_network.migrant_smuggling",
                   "scale": True, "low": 0.5, "high": 1.5}],
              "trajectories": 4, "replicates": 1, "seed": 3, "workers": 1}
    path = tmp_path / "sensitivity.yaml"
    path.write_text(yaml.safe_dump(config))
    out = tmp_path / "indices"
    assert main(["sensitivity", str(path), "--out", str(out), "--quiet"]) == 0
    indices = pd.read_csv(out / "indices.csv").set_index("parameter")
    assert (out / "indices.png").stat().st_size > 0
    assert indices.loc["parameters.thermal_vision_factor", "mu_star"] == 0
    assert indices.loc["parameters.thermal_vision_factor", "rank"] == 3
    others = indices.drop("parameters.thermal_vision_factor")
    assert (others["mu_star"] > 0).all()
    assert (others["rank"] < 3).all()


def test_sobol_total_indices_rank_an_inert_input_last_on_a_known_function():
    """y = 4a + b² + 0·c: a dominates, c explains nothing."""
    config = SensitivityConfig(
        scenario=Path("unused.yaml"), outcomes=["arrests_total"], method="sobol", samples=256,
        seed=1, parameters=[{"path": f"parameters.{name}", "low": 0, "high": 1}
                            for name in ("a", "b", "c")])
    points = design(config)
    assert len(points) == 256 * (3 + 2)
    outputs = pd.DataFrame({"arrests_total": 4 * points[:, 0] + points[:, 1] ** 2})
    indices = analyse(config, points, outputs).set_index("parameter")
    assert list(indices.sort_values("rank").index) == ["parameters.a", "parameters.b",
                                                       "parameters.c"]
    assert indices.loc["parameters.c", "ST"] == pytest.approx(0, abs=1e-9)
    assert indices.loc["parameters.a", "ST"] > 0.8


def test_log_ranges_are_sampled_in_the_logarithm():
    config = SensitivityConfig(
        scenario=Path("unused.yaml"), outcomes=["arrests_total"], trajectories=20, seed=2,
        parameters=[{"path": "parameters.x", "low": 0.01, "high": 100, "log": True},
                    {"path": "parameters.y", "low": 0, "high": 1}])
    points = design(config)
    assert points[:, 0].min() == pytest.approx(np.log(0.01))
    assert points[:, 0].max() == pytest.approx(np.log(100))


def test_unknown_outcomes_and_keys_are_errors_with_their_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(f"scenario: {BASELINE}\noutcomes: [arrest_total]\nparameters:\n"
                    "  - {path: parameters.adaptivity, low: 0, high: 1}\n"
                    "  - {path: parameters.lead_precision, low: 0, high: 1}\n"
                    "trajectorys: 4\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    text = str(error.value)
    assert "arrest_total" in text
    assert "trajectorys" in text and "line 6" in text and "trajectories" in text


def test_the_shipped_config_loads():
    config, _ = load_config(ROOT / "calibration" / "sensitivity.yaml")
    assert config.method == "morris"
    assert set(config.outcomes) == {"arrests_total", "cases_opened", "illegal_entries_detected",
                                    "linked_movements_intercepted"}
    paths = {parameter.path for parameter in config.parameters}
    assert {"parameters.relay_probability_without_centre",
            "parameters.relay_delay_without_centre_hours"} <= paths


def test_the_paired_difference_of_two_scenarios_has_its_own_indices_and_flips(tmp_path):
    """One baseline day versus the same day with half the criminal flow: the share of vehicles
    referred to the crossings' second line moves the difference (it sets how many trips are
    checked there), the analysts' cross-check deadline (never reached while twelve
    analysts clear every hit within hours, in both) cannot, so its μ* is exactly 0; the flips
    table and its document section are written."""
    from sim.inference.sensitivity import FLIPS_END, FLIPS_START

    (tmp_path / "day.yaml").write_text(f"extends: {BASELINE}\nname: day\naction: {{days: 1}}\n")
    (tmp_path / "without.yaml").write_text("extends: day.yaml\nname: half_flow\n"
                                           "criminal: {flow_scale: 0.5}\n")
    config = {"scenario": "day.yaml", "versus": "without.yaml",
              "outcomes": ["illegal_entries_detected"],
              "parameters": [{"path": "parameters.second_line_referral_share",
                              "low": 0.05, "high": 0.45},
                             {"path": "parameters.cross_check_deadline_hours", "low": 12,
                              "high": 24}],
              "trajectories": 3, "replicates": 2, "seed": 3, "workers": 1}
    path = tmp_path / "difference.yaml"
    path.write_text(yaml.safe_dump(config))
    out = tmp_path / "indices"
    assert main(["sensitivity", str(path), "--out", str(out), "--quiet"]) == 0
    indices = pd.read_csv(out / "indices.csv").set_index("parameter")
    assert indices["target"].iloc[0] == "difference: half_flow − day"
    assert indices.loc["parameters.second_line_referral_share", "mu_star"] > 0
    assert indices.loc["parameters.cross_check_deadline_hours", "mu_star"] == 0
    flips = pd.read_csv(out / "flips.csv").set_index("parameter")
    # half the groups, fewer detected: the difference is negative at every point
    assert flips.loc["parameters.second_line_referral_share", "difference_overall"] < 0
    assert not flips["flips"].any()
    doc = tmp_path / "doc.md"
    doc.write_text(f"before\n{FLIPS_START}\nold\n{FLIPS_END}\nafter\n")
    assert main(["docs", "flips", "--into", str(doc), str(out)]) == 0
    text = doc.read_text()
    assert "old" not in text and text.startswith("before") and text.endswith("after\n")
    assert "| half_flow − day | illegal_entries_detected |" in text
    assert "none in the ranges" in text


def test_the_shipped_difference_configs_load_with_their_versus_scenario():
    from sim.inference.sensitivity import load_versus

    configs = sorted((ROOT / "calibration" / "differences").glob("*.yaml"))
    assert len(configs) >= 3
    for path in configs:
        config, scenario = load_config(path)
        versus = load_versus(path, config)
        assert versus is not None and versus.name != scenario.name == "jad_see_2023"
        assert len(config.parameters) >= 6
