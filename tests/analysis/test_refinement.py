"""Refinements: narrower fits in the same `sim calibrate` command after the main fit, their
merged values and report, and the steps by which they move the posterior draws."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from project import ROOT

from sim.cli import main
from sim.inference.calibration import load_regimes
from sim.inference.experiments import ConfigError, FreeParameter
from sim.inference.refinement import Step, moved, steps

BASELINE = ROOT / "scenarios" / "jad_see_2023.yaml"
VEHICLE = {"path": "parameters.road_check_officer_minutes", "low": 60, "high": 400,
           "log": True}
PARCEL = {"path": "parameters.parcel_check_officer_minutes", "low": 10, "high": 80, "log": True}


def write_config(folder: Path, **config) -> Path:
    (folder / "action.yaml").write_text(f"extends: {BASELINE}\nname: action\n"
                                        "action: {days: 1}\n")
    (folder / "targets.csv").write_text("outcome,published,band_low,band_high\n"
                                        "checks_vehicles,2000,1900,2100\n"
                                        "checks_parcels,300,250,350\n")
    document = {"regimes": [{"name": "action", "scenario": "action.yaml",
                             "targets": "targets.csv"}],
                "parameters": [VEHICLE, PARCEL],
                "budget": {"trials": 3, "replicates": 1, "seed": 5, "workers": 1},
                "report": {"replicates": 2, "seed": 6},
                "posterior": {"min_draws": 3}, **config}
    path = folder / "fit.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_a_refinement_must_name_existing_regimes_and_write_a_parameter_as_the_main_fit(
        tmp_path):
    stage = {"name": "vehicles", "parameters": [VEHICLE], "regimes": ["ordinary"]}
    with pytest.raises(ConfigError, match="no regime named ordinary"):
        load_regimes(write_config(tmp_path, refine=[stage]))
    as_scale = {**VEHICLE, "scale": True, "low": 0.5, "high": 2.0}
    with pytest.raises(ConfigError, match="scale: True, log: True here but scale: False"):
        load_regimes(write_config(tmp_path, refine=[{"name": "v", "parameters": [as_scale]}]))
    twice = [{"name": "v", "parameters": [VEHICLE]}] * 2
    with pytest.raises(ConfigError, match="two refinements have the same name"):
        load_regimes(write_config(tmp_path, refine=twice))
    linear = {**VEHICLE, "log": False}
    with pytest.raises(ConfigError, match="log: False here but scale: False, log: True"):
        load_regimes(write_config(tmp_path, refine=[{"name": "v", "parameters": [linear]}]))
    scaled = {"path": "parameters.networks", "scale": True, "low": 0.5, "high": 2}
    one_entry = {"path": "parameters.networks.thb", "low": 10, "high": 40}
    with pytest.raises(ConfigError, match=r"overlaps the main fit's parameters\.networks"):
        load_regimes(write_config(tmp_path, parameters=[VEHICLE, scaled],
                                  refine=[{"name": "thb", "parameters": [one_entry]}]))


def test_one_command_runs_the_main_fit_then_the_refinement_and_reports_the_merged_values(
        tmp_path):
    # the refinement may only propose road checks of 250 minutes or more, so its value
    # differs from every value the main fit tried below that
    narrow = {**VEHICLE, "low": 250, "high": 400}
    refine = [{"name": "vehicles", "parameters": [narrow],
               "budget": {"trials": 2, "replicates": 2, "seed": 7, "workers": 1}}]
    path = write_config(tmp_path, refine=refine)
    out = tmp_path / "fit"
    (out / "refine" / "an_earlier_stage").mkdir(parents=True)
    assert main(["calibrate", str(path), "--out", str(out), "--quiet"]) == 2  # not replaced
    assert main(["calibrate", str(path), "--out", str(out), "--quiet", "--force"]) == 0
    assert [p.name for p in (out / "refine").iterdir()] == ["vehicles"]  # nothing stale

    manifest = json.loads((out / "calibration.json").read_text())
    [stage] = manifest["refinements"]
    assert stage["name"] == "vehicles" and stage["trials_run"] == 2
    refined = stage["values"][VEHICLE["path"]]
    assert 250 <= refined <= 400
    main_history = pd.read_csv(out / "loss_history.csv")
    stage_history = pd.read_csv(out / "refine" / "vehicles" / "loss_history.csv")
    assert len(main_history) == 3 and len(stage_history) == 2
    # the fitted file holds the refined value and the main fit's other values
    fitted = yaml.safe_load((out / "fitted.yaml").read_text())["parameters"]
    assert fitted["road_check_officer_minutes"] == pytest.approx(refined, rel=1e-3)
    assert fitted["parcel_check_officer_minutes"] == pytest.approx(
        manifest["values"][PARCEL["path"]], rel=1e-3)  # the main fit's value, kept
    assert len(pd.read_csv(out / "report.csv")) == 2  # the merged values on fresh seeds

    # the draws are the main fit's proposals moved by the refinement's step, which starts
    # where the refinement started: the main fit's best as fitted.yaml rounds it
    best = main_history.loc[main_history["loss"].idxmin(), VEHICLE["path"]]
    start = stage["start"][VEHICLE["path"]]
    assert start == pytest.approx(best, rel=1e-3) and start == float(f"{best:.4g}")
    assert refined != pytest.approx(start, rel=0.01), "no step: the check below proves nothing"
    draws = pd.read_csv(out / "posterior.csv").set_index(PARCEL["path"])
    trials = main_history.set_index(PARCEL["path"])
    for parcel, row in draws.iterrows():  # kept inside both ranges together: 60-400
        expected = min(max(trials.loc[parcel, VEHICLE["path"]] * refined / start, 60), 400)
        assert row[VEHICLE["path"]] == pytest.approx(expected)

    # sim posterior rebuilds the same draws from the folder, and refuses one without them
    rebuilt = tmp_path / "again.csv"
    assert main(["posterior", str(path), "--calibration", str(out), "--out", str(rebuilt)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(rebuilt), pd.read_csv(out / "posterior.csv"))
    manifest["refinements"] = []
    (out / "calibration.json").write_text(json.dumps(manifest))
    assert main(["posterior", str(path), "--calibration", str(out)]) == 2
    (out / "calibration.json").unlink()
    assert main(["posterior", str(path), "--calibration", str(out)]) == 2


def test_a_step_multiplies_scales_and_log_ranges_shifts_the_rest_and_stays_in_range():
    values = pd.Series([1.0, 2.0, 4.0])
    scale = FreeParameter(path="parameters.networks", scale=True, low=0.5, high=5.0)
    assert list(Step(scale, 2.0, 3.0, 0.5, 5.0).move(values)) == [1.5, 3.0, 5.0]  # 6 kept at 5
    linear = FreeParameter(path="parameters.lead_precision", low=0.1, high=3.5)
    assert list(Step(linear, 2.0, 1.5, 0.6, 3.5).move(values)) == [0.6, 1.5, 3.5]
    assert Step(scale, 2.0, 3.0, 0.5, 5).describe() == "parameters.networks:scale × 1.5"
    assert list(Step(scale, 2.0, 2.0, 0.5, 5.0).move(values)) == [1.0, 2.0, 4.0]  # no gain


def test_a_draw_the_step_makes_invalid_is_left_out_and_counted():
    from sim.inference.accepted import accepted_draws
    from sim.scenario.files import load_scenario

    precision = FreeParameter(path="parameters.lead_precision", low=0.1, high=1.5)
    history = pd.DataFrame({"trial": [0, 1, 2], "loss": [0.0, 0.0, 0.1],
                            "band_loss": [0.0, 0.0, 0.1],
                            "parameters.lead_precision": [0.5, 0.9, 0.4]})
    step = Step(precision, 0.5, 0.8, 0.1, 1.5)  # 0.9 + 0.3 is no probability
    ensemble = accepted_draws(moved(history, [step]), load_scenario(BASELINE), [precision],
                              tolerance=0.0, min_draws=2, max_draws=10, seed=1)
    assert ensemble.refused == 1 and sorted(ensemble.draws["trial"]) == [0, 2]
    assert sorted(ensemble.draws["parameters.lead_precision"]) == pytest.approx([0.7, 0.8])
    assert "1 left out" in ensemble.describe()


def test_steps_chain_through_refinements_and_skip_parameters_the_draws_do_not_carry(tmp_path):
    refine = [{"name": "first", "parameters": [{**VEHICLE, "low": 90, "high": 500}]},
              {"name": "second", "parameters": [
                  VEHICLE, {"path": "parameters.lead_precision", "low": 0.1, "high": 0.9}]}]
    config, _ = load_regimes(write_config(tmp_path, refine=refine))
    history = pd.DataFrame({"trial": [0, 1], "loss": [0.5, 0.1], "band_loss": [0.0, 0.0],
                            VEHICLE["path"]: [100.0, 200.0], PARCEL["path"]: [20.0, 30.0]})
    records = {"first": {"start": {VEHICLE["path"]: 200.0}, "values": {VEHICLE["path"]: 300.0}},
               "second": {"start": {VEHICLE["path"]: 300.0, "parameters.lead_precision": 0.7},
                          "values": {VEHICLE["path"]: 150.0,
                                     "parameters.lead_precision": 0.5}}}
    moves = steps(config, records)
    assert [(m.before, m.after) for m in moves] == [(200.0, 300.0), (300.0, 150.0)]
    assert [(m.low, m.high) for m in moves] == [(60, 500), (60, 400)]  # both fits' ranges
    assert list(moved(history, moves)[VEHICLE["path"]]) == [75.0, 150.0]
    assert list(moved(history, moves)[PARCEL["path"]]) == [20.0, 30.0]


def test_the_shipped_posterior_is_the_shipped_fit_moved_by_its_refinements(tmp_path):
    """`make posterior` rebuilds scenarios/posterior.csv from calibration/joint_fit/ exactly,
    and the draws carry the refined values around where the baseline has them."""
    rebuilt = tmp_path / "posterior.csv"
    assert main(["posterior", str(ROOT / "calibration" / "joint.yaml"), "--calibration",
                 str(ROOT / "calibration" / "joint_fit"), "--out", str(rebuilt)]) == 0
    shipped = ROOT / "scenarios" / "posterior.csv"
    assert rebuilt.read_bytes() == shipped.read_bytes(), "run `make posterior`"
    draws = pd.read_csv(shipped)
    fitted = yaml.safe_load((ROOT / "scenarios" / "calibrated.yaml").read_text())["parameters"]
    for name in ("cocaine_kg_median", "bulk_shipments_per_week"):
        low, high = draws[f"parameters.{name}"].quantile([0.05, 0.95])
        assert low <= fitted[name] <= high, name
    thb = draws["parameters.forged_documents_share.thb"]
    assert thb.quantile(0.05) <= fitted["forged_documents_share"]["thb"] <= thb.max()
