"""`sim discover`: PRIM finds a planted box, and the command prints boxes and writes the figure
on a small scenario."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.cli import main
from sim.decisions.discover import find_boxes, latin_hypercube, threshold_value
from sim.inference.experiments import ConfigError, FreeParameter


def test_prim_recovers_a_planted_box_with_its_coverage_and_density():
    rng = np.random.default_rng(7)
    x = pd.DataFrame(rng.uniform(size=(400, 4)), columns=["a", "b", "c", "d"])
    cases = ((x["a"] > 0.6) & (x["b"] < 0.3)).to_numpy()
    boxes, trajectories = find_boxes(x, cases, boxes=1)
    assert set(boxes["parameter"]) == {"a", "b"}
    limits = boxes.set_index("parameter")
    assert limits.loc["a", "low"] == pytest.approx(0.6, abs=0.05)
    assert limits.loc["b", "high"] == pytest.approx(0.3, abs=0.05)
    assert (boxes["coverage"] >= 0.9).all() and (boxes["density"] >= 0.8).all()
    assert len(trajectories) == 1 and trajectories[0]["coverage"].iloc[0] == 1.0


def test_no_box_when_there_is_no_case():
    x = pd.DataFrame({"a": np.linspace(0, 1, 50), "b": np.linspace(1, 0, 50)})
    boxes, trajectories = find_boxes(x, np.zeros(50, dtype=bool))
    assert boxes.empty and trajectories == []


def test_latin_hypercube_fills_each_range_once_per_stratum():
    parameters = [FreeParameter(path="parameters.lead_precision", low=0.2, high=0.6),
                  FreeParameter(path="parameters.adaptivity", low=0.01, high=1.0, log=True)]
    design = latin_hypercube(parameters, 10, seed=3)
    strata = np.floor((design["parameters.lead_precision"] - 0.2) / 0.04).astype(int)
    assert sorted(strata) == list(range(10))
    assert design["parameters.adaptivity"].between(0.01, 1.0).all()
    pd.testing.assert_frame_equal(design, latin_hypercube(parameters, 10, seed=3))


def test_threshold_is_a_number_or_a_percentile_of_the_samples():
    values = pd.Series(np.arange(101.0))
    assert threshold_value("p20", values) == 20.0
    assert threshold_value("42.5", values) == 42.5
    assert threshold_value("p100", values) == 100.0 and threshold_value("p0", values) == 0.0
    for nonsense in ("low", "nan", "inf", "p101"):
        with pytest.raises(ConfigError, match="pNN"):
            threshold_value(nonsense, values)


def test_command_prints_boxes_and_writes_the_figure(tmp_path, capsys):
    import test_optimise

    (tmp_path / "small.yaml").write_text(test_optimise.SMALL)
    ranges = {"parameters": [
        {"path": "parameters.networks", "scale": True, "low": 0.2, "high": 1.5},
        {"path": "parameters.lead_precision", "low": 0.2, "high": 0.6}]}
    (tmp_path / "ranges.yaml").write_text(yaml.safe_dump(ranges))
    out = tmp_path / "out"
    status = main(["discover", str(tmp_path / "small.yaml"), "--outcome",
                   "illegal_entries_detected", "--below", "p30", "--ranges",
                   str(tmp_path / "ranges.yaml"), "--samples", "16", "--replicates", "1",
                   "--workers", "1", "--out", str(out)])
    assert status == 0
    printed = capsys.readouterr().out
    assert "of 16 samples have illegal_entries_detected <" in printed
    samples = pd.read_csv(out / "samples.csv")
    assert len(samples) == 16 and 3 <= samples["case"].sum() <= 6
    boxes = pd.read_csv(out / "boxes.csv")
    # few networks, few migrants found: the box must restrict the network scale from above
    assert "box 1" in printed
    networks = boxes[(boxes["box"] == 1) & (boxes["parameter"] == "parameters.networks:scale")]
    assert len(networks) == 1 and networks["high"].iloc[0] < 1.5
    assert (out / "discover.png").stat().st_size > 10_000
    assert main(["discover", str(tmp_path / "small.yaml"), "--outcome", "illegal_entries",
                 "--below", "1"]) == 2
    assert "illegal_entries_detected" in capsys.readouterr().err


@pytest.mark.parametrize("arguments, said", [
    (["--below", "p200"], "expected a number or pNN"),
    (["--below", "5", "--density", "2"], "at most 1"),
    (["--below", "5", "--ranges", "EMPTY"], "a 'parameters' list of ranges"),
])
def test_bad_options_are_refused_before_any_sample_runs(tmp_path, capsys, monkeypatch,
                                                      arguments, said):
    import test_optimise

    import sim.decisions.discover as discover

    def no_runs(*args, **kwargs):
        raise AssertionError("samples ran before the options were checked")

    monkeypatch.setattr(discover, "evaluator", no_runs)
    (tmp_path / "small.yaml").write_text(test_optimise.SMALL)
    (tmp_path / "empty.yaml").write_text("")
    arguments = [str(tmp_path / "empty.yaml") if a == "EMPTY" else a for a in arguments]
    assert main(["discover", str(tmp_path / "small.yaml"), "--outcome", "cases_opened",
                 *arguments, "--samples", "50", "--out", str(tmp_path / "out")]) == 2
    assert said in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
