"""The replicate runner: seeds, executors, streaming into the results folder, resume, failures."""

from __future__ import annotations

import json
import time

import pandas as pd
import pyarrow
import pytest
from project import ROOT
from standins import failing_replicate, run_small, small, stand_in_replicate

import sim
from sim.model.outcomes import OUTCOME_NAMES
from sim.model.streams import replicate_seeds
from sim.runs import layout, runner
from sim.runs.layout import ResultsFolderError, read_manifest
from sim.runs.replicate import ReplicateResult
from sim.runs.results import ReplicateTables, load, write_replicate
from sim.scenario.files import ScenarioError
from sim.scenario.schema import Scenario

# --- seeds -----------------------------------------------------------------------------------

def test_replicate_seeds_are_spawned_from_the_root_and_stable_under_more_replicates():
    assert replicate_seeds(7, 10)[:4] == replicate_seeds(7, 4)
    assert len(set(replicate_seeds(7, 100))) == 100
    assert replicate_seeds(7, 4) != replicate_seeds(8, 4)


def test_every_row_carries_scenario_replicate_and_seed():
    results = run_small(small(replicates=3), workers=1)
    seeds = replicate_seeds(7, 3)
    assert list(results.summary.columns[:3]) == ["scenario", "replicate", "seed"]
    outcomes = len(OUTCOME_NAMES)
    assert list(results.summary.columns[3:3 + outcomes]) == list(OUTCOME_NAMES)
    assert list(results.summary.columns[3 + outcomes:4 + outcomes]) == ["scenario_hash"]
    assert results.summary["seed"].tolist() == seeds
    for table in (results.daily, results.events):
        assert set(table["seed"]) == set(seeds)
        assert (table["scenario"] == "small").all()


def test_one_replicate_reruns_alone_with_its_seed_from_the_full_run():
    full = run_small(small(replicates=4), workers=1)
    alone = run_small(small(replicates=4), workers=1, replicate=2)
    pd.testing.assert_frame_equal(alone.summary, full.summary.iloc[[2]].reset_index(drop=True))


def test_a_replicate_outside_the_run_is_a_planner_error(tmp_path):
    with pytest.raises(ScenarioError, match="numbered 0 to 3"):
        run_small(small(replicates=4), replicate=9, out=tmp_path / "r")
    assert not (tmp_path / "r").exists()


# --- executors -------------------------------------------------------------------------------

@pytest.mark.slow
def test_processes_give_the_same_bytes_as_in_process(tmp_path):
    run_small(small(replicates=6), workers=1, out=tmp_path / "one")
    run_small(small(replicates=6), workers=2, out=tmp_path / "two")
    for name in ("summary.csv", "daily.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    pd.testing.assert_frame_equal(load(tmp_path / "one").events, load(tmp_path / "two").events)


@pytest.mark.slow
def test_a_dask_scheduler_address_gives_the_same_bytes_as_in_process(tmp_path):
    from distributed import LocalCluster

    run_small(small(replicates=4), workers=1, out=tmp_path / "one")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        run_small(small(replicates=4), cluster=cluster.scheduler_address, out=tmp_path / "dask")
    for name in ("summary.csv", "daily.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes()


def test_cluster_specs_are_checked():
    from sim.runs.executor import parse_cluster

    assert parse_cluster("local:3") == ("local", 3)
    assert parse_cluster("tcp://10.0.0.5:8786") == ("scheduler", "tcp://10.0.0.5:8786")
    for bad in ("local:0", "local:x", "10.0.0.5:8786", "tcp://"):
        with pytest.raises(ValueError, match="expected"):
            parse_cluster(bad)


# --- failures --------------------------------------------------------------------------------

@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_replicate_is_reported_and_the_others_kept(tmp_path, capsys, workers):
    results = runner.run(small(replicates=4), out=tmp_path / "r", workers=workers,
                         replicate_function=failing_replicate)
    assert results.summary["replicate"].tolist() == [0, 2, 3]
    assert not results.complete
    failures = json.loads((tmp_path / "r" / "failures.json").read_text())
    assert [(f["replicate"], f["seed"]) for f in failures] == [(1, replicate_seeds(7, 4)[1])]
    assert "a mechanism broke" in failures[0]["traceback"]
    assert "replicate 1 (seed" in capsys.readouterr().err
    assert read_manifest(tmp_path / "r")["status"] == "incomplete"


def test_resume_reruns_only_the_failed_replicate(tmp_path):
    runner.run(small(replicates=4), out=tmp_path / "r", workers=1,
               replicate_function=failing_replicate)
    written = (tmp_path / "r" / "replicates" / "000000" / "summary.parquet").stat().st_mtime_ns
    results = run_small(small(replicates=4), out=tmp_path / "r", workers=1, resume=True)
    assert results.complete and results.summary["replicate"].tolist() == [0, 1, 2, 3]
    assert not (tmp_path / "r" / "failures.json").exists()
    assert (tmp_path / "r" / "replicates" / "000000" / "summary.parquet"
            ).stat().st_mtime_ns == written
    uninterrupted = run_small(small(replicates=4), workers=1)
    pd.testing.assert_frame_equal(results.summary, uninterrupted.summary)


# --- the results folder ----------------------------------------------------------------------

def test_a_complete_folder_is_never_overwritten_without_force(tmp_path):
    out = tmp_path / "r"
    run_small(small(), out=out, workers=1)
    before = (out / "summary.csv").read_bytes()
    with pytest.raises(ResultsFolderError, match="--force"):
        run_small(small(replicates=2), out=out, workers=1)
    assert (out / "summary.csv").read_bytes() == before
    run_small(small(replicates=2), out=out, workers=1, force=True)
    assert len(load(out).summary) == 2


def test_resume_refuses_a_folder_of_another_scenario(tmp_path):
    out = tmp_path / "r"
    run_small(small(teams=0), out=out, workers=1, replicate=0)
    with pytest.raises(ResultsFolderError, match="another scenario"):
        run_small(small(teams=1), out=out, workers=1, resume=True)


def test_resume_refuses_a_folder_started_with_another_version_of_the_model(tmp_path,
                                                                            monkeypatch):
    out = tmp_path / "r"
    run_small(small(), out=out, workers=1, replicate=0)
    monkeypatch.setattr(layout, "code_hash", lambda: "0" * 64)
    with pytest.raises(ResultsFolderError, match="another version of the model"):
        run_small(small(), out=out, workers=1, resume=True)


def test_resume_with_more_replicates_extends_the_folder(tmp_path):
    out = tmp_path / "r"
    run_small(small(replicates=2), out=out, workers=1)
    results = run_small(small(replicates=4), out=out, workers=1, resume=True)
    assert results.complete and results.manifest["seeds"] == replicate_seeds(7, 4)
    pd.testing.assert_frame_equal(results.summary,
                                  run_small(small(replicates=4), workers=1).summary)


def test_force_never_deletes_a_folder_that_is_not_a_results_folder(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(ResultsFolderError, match="not a results folder"):
        run_small(small(), out=tmp_path / "mine", force=True)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_leftover_temporary_folders_are_cleared_on_resume(tmp_path):
    out = tmp_path / "r"
    run_small(small(replicates=3), out=out, workers=1, replicate=0)
    (out / "replicates" / ".tmp-000001-999").mkdir()
    (out / "replicates" / ".tmp-000001-999" / "summary.parquet").write_text("half")
    results = run_small(small(replicates=3), out=out, workers=1, resume=True)
    assert results.summary["replicate"].tolist() == [0, 1, 2]
    assert not list((out / "replicates").glob(".tmp-*"))


def test_a_replicate_that_cannot_be_written_leaves_nothing_behind(tmp_path):
    good = run_small(small(replicates=1), workers=1)
    events = good.events.copy()
    events["detail"] = [1, "mixed types parquet cannot store"][: len(events)]
    broken = ReplicateTables(0, 1, good.summary, good.daily, events)
    with pytest.raises((pyarrow.ArrowInvalid, pyarrow.ArrowTypeError)):
        write_replicate(tmp_path, broken)
    assert list((tmp_path / "replicates").iterdir()) == []


def slow_replicate(scenario: Scenario, seed: int, **options) -> ReplicateResult:
    time.sleep(0.5)
    return stand_in_replicate(scenario, seed, **options)


def test_the_progress_bar_shows_only_on_runs_longer_than_a_second(capsys):
    run_small(small(replicates=2), workers=1, progress=True)
    assert "replicates" not in capsys.readouterr().err
    run_small(small(replicates=3), workers=1, progress=True, replicate_function=slow_replicate)
    assert "3/3 replicates" in capsys.readouterr().err
    run_small(small(replicates=3), workers=1, progress=False, replicate_function=slow_replicate)
    assert capsys.readouterr().err == ""


def test_manifest_records_what_ran(tmp_path):
    run_small(small(), out=tmp_path / "r", workers=1, command="sim run small.yaml")
    manifest = read_manifest(tmp_path / "r")
    assert manifest["status"] == "complete"
    assert manifest["seeds"] == replicate_seeds(7, 4)
    assert manifest["scenario"]["name"] == "small"
    assert len(manifest["scenario_hash"]) == 64
    assert manifest["versions"]["mesa"] and manifest["versions"]["numpy"]
    assert manifest["command"] == "sim run small.yaml"
    assert manifest["started"] <= manifest["finished"]


def test_save_and_load_round_trip(tmp_path):
    results = run_small(small(replicates=3), workers=1)
    results.save(tmp_path / "saved")
    loaded = sim.load(tmp_path / "saved")
    pd.testing.assert_frame_equal(loaded.summary, results.summary)
    pd.testing.assert_frame_equal(loaded.daily, results.daily, check_dtype=False)
    assert loaded.complete and len(loaded.events) == len(results.events)
    assert len(loaded.crossing_waits) == len(results.crossing_waits)


def test_the_crossing_wait_table_is_written_loaded_and_adds_up_to_the_mean_waits(tmp_path):
    """crossing_waits.parquet: one row per replicate, hour, crossing side and vehicle class,
    read back by `sim.load`; its arrival-weighted wait over the crossings that check is each
    replicate's mean_wait_minutes in summary.csv."""
    from strategies import ROUTE_GRAPH

    from sim.model import BASELINE
    from sim.runs.replicate import run_replicate

    runner.run(BASELINE, replicates=2, workers=1, out=tmp_path / "waits", action__days=1,
               replicate_function=run_replicate)
    loaded = sim.load(tmp_path / "waits")
    waits = loaded.crossing_waits
    crossings = sum(1 for _, kind in ROUTE_GRAPH.graph.nodes(data="kind") if kind == "crossing")
    assert len(waits) == 2 * 24 * crossings * 2 * 3
    assert set(waits["vehicle_class"]) == {"car", "bus", "lorry"}
    checked = waits[waits["checked_crossing"]]
    assert not waits["checked_crossing"].all()  # the Schengen internal crossings do not check
    weighted = (checked["wait_minutes"] * checked["arrivals"]).groupby(
        checked["replicate"]).sum()
    mean = weighted / checked.groupby("replicate")["arrivals"].sum()
    summary = loaded.summary.set_index("replicate")["mean_wait_minutes"]
    assert mean.to_numpy() == pytest.approx(summary.loc[mean.index].to_numpy())
    assert summary.max() > 0


def test_api_writes_a_folder_when_given_out(tmp_path):
    results = run_small(small(replicates=2), out=tmp_path / "api", workers=1)
    assert results.directory == tmp_path / "api"
    for name in ("manifest.json", "summary.csv", "daily.csv", "events.parquet",
                 "crossing_waits.parquet"):
        assert (tmp_path / "api" / name).is_file()
    assert [p.name for p in sorted((tmp_path / "api" / "replicates").iterdir())] == [
        "000000", "000001"]


# --- common random numbers -------------------------------------------------------------------

def test_scenarios_differing_in_allocation_share_their_draws():
    base = run_small(small("base", replicates=8, teams=0), workers=1)
    teams = run_small(small("teams", replicates=8, teams=2), workers=1)
    assert base.summary["seed"].tolist() == teams.summary["seed"].tolist()
    for shared in ("legitimate_vehicles", "movements_attempted", "cocaine_kg"):
        assert base.summary[shared].tolist() == teams.summary[shared].tolist()
    assert (teams.summary["movements_intercepted"] >= base.summary["movements_intercepted"]).all()


def test_the_model_gives_paired_scenarios_the_same_traffic_and_tighter_differences():
    """Real model: moving the scanning teams leaves legitimate traffic identical replicate by
    replicate, and the paired interval of a difference is narrower than the unpaired one."""
    from sim.runs.statistics import paired_difference, unpaired_difference
    from sim.scenario.files import load_scenario, merge, scenario_from_mapping

    base = load_scenario(ROOT / "scenarios" / "jad_see_2023.yaml")
    spec = merge(base.model_dump(mode="json"), {"action": {"days": 2}, "run": {"seed": 3}})
    runs = {}
    for name, teams in (("with", spec["scanning_teams"]["teams"]), ("without", [])):
        scenario = scenario_from_mapping(merge(spec, {"name": name,
                                                      "scanning_teams": {"teams": teams}}))
        runs[name] = runner.run(scenario, replicates=8, workers=1).summary.set_index("replicate")
    assert runs["with"]["seed"].tolist() == runs["without"]["seed"].tolist()
    assert runs["with"]["legitimate_vehicles"].tolist() == runs["without"][
        "legitimate_vehicles"].tolist()
    paired = paired_difference(runs["with"]["arrests_total"], runs["without"]["arrests_total"])
    unpaired = unpaired_difference(runs["with"]["arrests_total"],
                                   runs["without"]["arrests_total"])
    assert (paired.mean_ci_high - paired.mean_ci_low) < (unpaired.mean_ci_high
                                                         - unpaired.mean_ci_low)


def test_run_many_streams_each_scenario_into_its_own_folder(tmp_path):
    scenarios = [(small("a", replicates=3), tmp_path / "a"),
                 (small("b", replicates=3, teams=2), tmp_path / "b")]
    together = runner.run_many(scenarios, workers=2, replicate_function=stand_in_replicate)
    for (scenario, folder), results in zip(scenarios, together, strict=True):
        alone = run_small(scenario, workers=1)
        pd.testing.assert_frame_equal(load(folder).summary, alone.summary)
        assert results.complete and results.directory == folder


def test_run_many_checks_every_folder_before_writing_any(tmp_path):
    run_small(small("b"), out=tmp_path / "b", workers=1)
    with pytest.raises(ResultsFolderError, match="--force"):
        runner.run_many([(small("a"), tmp_path / "a"), (small("b"), tmp_path / "b")],
                        replicate_function=stand_in_replicate)
    assert not (tmp_path / "a").exists()
