"""The `sim` command line: run, resume, kill, sweep, list, schema, the shipped scenarios."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from project import ROOT

import sim
from sim.cli import main
from sim.commands.listing import scenario_files_table
from sim.commands.schema import schema_text
from sim.runs.layout import read_manifest
from sim.runs.results import DOC_END, DOC_START, with_outcomes_section
from sim.runs.sweep import load_sweep, load_sweep_summaries
from sim.scenario.files import load_scenario

SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "jad_see_2023.yaml"


def tiny(folder: Path, name: str = "tiny", extra: str = "", replicates: int = 3) -> Path:
    """A one-day, scaled-down baseline: a replicate takes a fraction of a second."""
    path = folder / f"{name}.yaml"
    path.write_text(f"name: {name}\nextends: {BASELINE}\naction: {{days: 1}}\n"
                    f"run: {{replicates: {replicates}, seed: 11}}\n"
                    f"traffic: {{scale: 0.2}}\ncriminal: {{flow_scale: 0.3}}\n{extra}")
    return path


def sim_command(*args: str, **options) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=options.pop("cwd", ROOT),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, **options)


# --- run -------------------------------------------------------------------------------------

def test_run_writes_the_results_folder_and_reports_means(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(tiny(tmp_path)), "--out", str(out), "--workers", "1"]) == 0
    report = capsys.readouterr().out
    assert "tiny: 3 replicates" in report and "arrests" in report and "complete" in report
    assert "arrests_total" not in report  # outcomes by their labels (sim.model.outcomes)
    summary = pd.read_csv(out / "summary.csv")
    assert summary["replicate"].tolist() == [0, 1, 2]
    manifest = read_manifest(out)
    assert manifest["status"] == "complete"
    assert manifest["command"].startswith("sim run ")
    assert manifest["scenario"]["action"]["days"] == 1
    daily = pd.read_csv(out / "daily.csv")
    assert list(daily.columns[:6]) == ["scenario", "replicate", "seed", "day", "date", "place"]


def test_everything_written_stays_inside_the_results_folder(tmp_path):
    before = set(tmp_path.iterdir())
    tiny(tmp_path)
    main(["run", str(tmp_path / "tiny.yaml"), "--out", str(tmp_path / "out"), "--quiet",
          "--workers", "1"])
    assert set(tmp_path.iterdir()) - before == {tmp_path / "tiny.yaml", tmp_path / "out"}


def test_the_default_folder_is_results_slash_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(tiny(tmp_path)), "--quiet", "--workers", "1",
                 "--replicates", "1"]) == 0
    assert (tmp_path / "results" / "tiny" / "summary.csv").is_file()


def test_an_existing_run_is_kept_unless_force(tmp_path, capsys):
    out = tmp_path / "out"
    scenario = str(tiny(tmp_path))
    assert main(["run", scenario, "--out", str(out), "--quiet", "--workers", "1"]) == 0
    before = (out / "summary.csv").read_bytes()
    assert main(["run", scenario, "--out", str(out), "--quiet", "--seed", "5"]) == 2
    assert "--force" in capsys.readouterr().err
    assert (out / "summary.csv").read_bytes() == before
    assert main(["run", scenario, "--out", str(out), "--quiet", "--seed", "5", "--force",
                 "--workers", "1"]) == 0
    assert (out / "summary.csv").read_bytes() != before


def test_run_settings_from_the_command_line_are_validated(tmp_path, capsys):
    scenario = str(tiny(tmp_path))
    with pytest.raises(SystemExit) as exit_:
        main(["run", scenario, "--replicates", "0"])
    assert exit_.value.code == 2
    with pytest.raises(SystemExit):
        main(["run", scenario, "--cluster", "somewhere"])
    assert "local:N" in capsys.readouterr().err
    assert main(["run", scenario, "--replicate", "7", "--out", str(tmp_path / "r")]) == 2
    assert "numbered 0 to 2" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_one_replicate_alone_matches_the_full_run(tmp_path):
    scenario = str(tiny(tmp_path))
    main(["run", scenario, "--out", str(tmp_path / "full"), "--quiet", "--workers", "1"])
    main(["run", scenario, "--out", str(tmp_path / "one"), "--quiet", "--replicate", "2"])
    full = pd.read_csv(tmp_path / "full" / "summary.csv")
    alone = pd.read_csv(tmp_path / "one" / "summary.csv")
    pd.testing.assert_frame_equal(alone, full.iloc[[2]].reset_index(drop=True))


def test_a_failing_replicate_gives_exit_1_and_keeps_the_rest(tmp_path, monkeypatch, capsys):
    import sim.runs.replicate

    real = sim.runs.replicate.run_replicate

    def sometimes_broken(scenario, seed, *, replicate=0, check_invariants=False):
        if replicate == 1:
            raise ZeroDivisionError("division by zero in a mechanism")
        return real(scenario, seed, replicate=replicate, check_invariants=check_invariants)

    monkeypatch.setattr(sim.runs.replicate, "run_replicate", sometimes_broken)
    out = tmp_path / "out"
    assert main(["run", str(tiny(tmp_path)), "--out", str(out), "--workers", "1"]) == 1
    captured = capsys.readouterr()
    assert "replicate 1 (seed" in captured.err and "ZeroDivisionError" in captured.err
    assert "INCOMPLETE" in captured.out
    assert pd.read_csv(out / "summary.csv")["replicate"].tolist() == [0, 2]
    failure, = json.loads((out / "failures.json").read_text())
    assert failure["replicate"] == 1 and "Traceback" in failure["traceback"]


@pytest.mark.slow
def test_executors_and_worker_counts_give_identical_bytes(tmp_path):
    """In-process, two local processes and a real local Dask cluster with two workers."""
    scenario = str(tiny(tmp_path, replicates=6))
    for folder, how in (("one", ["--workers", "1"]), ("two", ["--workers", "2"]),
                        ("dask", ["--cluster", "local:2"])):
        assert main(["run", scenario, "--out", str(tmp_path / folder), "--quiet", *how]) == 0
    for name in ("summary.csv", "daily.csv"):
        one = (tmp_path / "one" / name).read_bytes()
        assert one == (tmp_path / "two" / name).read_bytes()
        assert one == (tmp_path / "dask" / name).read_bytes()
    events = [sim.load(tmp_path / f).events for f in ("one", "two", "dask")]
    pd.testing.assert_frame_equal(events[0], events[1])
    pd.testing.assert_frame_equal(events[0], events[2])


@pytest.mark.slow
def test_a_killed_run_resumes_to_exactly_the_uninterrupted_replicates(tmp_path):
    scenario = str(tiny(tmp_path, replicates=12))
    killed = tmp_path / "killed"
    process = sim_command("run", scenario, "--out", str(killed), "--workers", "1", "--quiet")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((killed / "replicates").glob("0*")):
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    written = sorted(p.name for p in (killed / "replicates").iterdir())
    assert written and not (killed / "summary.csv").exists()
    assert len([n for n in written if not n.startswith(".tmp")]) < 12, "killed too late"
    assert read_manifest(killed)["status"] == "incomplete"
    assert main(["run", scenario, "--out", str(killed), "--quiet"]) == 2  # needs --resume
    assert main(["run", scenario, "--out", str(killed), "--quiet", "--resume",
                 "--workers", "1"]) == 0
    assert main(["run", scenario, "--out", str(tmp_path / "whole"), "--quiet",
                 "--workers", "1"]) == 0
    for name in ("summary.csv", "daily.csv"):
        assert (killed / name).read_bytes() == (tmp_path / "whole" / name).read_bytes()
    assert sorted(p.name for p in (killed / "replicates").iterdir()) == [
        f"{k:06d}" for k in range(12)]


def test_python_dash_m_sim_is_the_command():
    process = sim_command("--help")
    stdout, _ = process.communicate(timeout=60)
    assert process.returncode == 0 and "validate" in stdout and "sweep" in stdout


# --- sweep -----------------------------------------------------------------------------------

def test_a_sweep_runs_every_point_into_its_own_folder(tmp_path):
    tiny(tmp_path, replicates=2)
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text("base: tiny.yaml\ngrid:\n  targeting: [random, intelligence_led]\n"
                          "  europol.coordination_centre.enabled: {with: true, without: false}\n")
    out = tmp_path / "sweep"
    assert main(["sweep", str(sweep_file), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    index = pd.read_csv(out / "index.csv")
    assert index["point"].tolist() == [
        "targeting-random_enabled-with", "targeting-random_enabled-without",
        "targeting-intelligence_led_enabled-with", "targeting-intelligence_led_enabled-without"]
    assert (index["status"] == "complete").all()
    summaries = load_sweep_summaries(out)
    assert len(summaries) == 8 and set(summaries["targeting"]) == {"random", "intelligence_led"}
    seeds = summaries.groupby("point")["seed"].apply(tuple)
    assert seeds.nunique() == 1  # every point is paired with every other


def test_a_sweep_with_a_bad_point_writes_nothing(tmp_path, capsys):
    tiny(tmp_path)
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text("base: tiny.yaml\ngrid:\n  intelligence.coverage: [0.5, 2.0]\n")
    assert main(["sweep", str(sweep_file), "--out", str(tmp_path / "s")]) == 2
    error = capsys.readouterr().err
    assert "grid point coverage-2.0" in error and "intelligence.coverage" in error
    assert not (tmp_path / "s").exists()


def test_sweep_files_reject_unknown_keys_with_a_suggestion(tmp_path, capsys):
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(f"base: {BASELINE}\ngrids:\n  targeting: [random]\n")
    assert main(["validate", str(sweep_file)]) == 2
    assert "did you mean 'grid'" in capsys.readouterr().err


# --- the shipped files -----------------------------------------------------------------------

def test_every_shipped_scenario_and_sweep_is_valid(capsys):
    files = sorted(SCENARIOS.glob("*.yaml")) + sorted(SCENARIOS.glob("sweeps/*.yaml"))
    assert len(files) >= 9
    assert main(["validate", *map(str, files)]) == 0


def test_every_variant_extends_the_baseline_and_says_what_it_answers():
    for path in SCENARIOS.glob("*.yaml"):
        text = path.read_text()
        assert text.startswith("# yaml-language-server: $schema=scenario.schema.json\n"), path
        if path not in (BASELINE, SCENARIOS / "calibrated.yaml"):  # the fit the baseline extends
            assert "\nextends: jad_see_2023.yaml\n" in text, path
    questions = scenario_files_table(SCENARIOS)
    assert questions["question"].str.len().gt(20).all()


def busiest_external_crossings(count: int) -> list[str]:
    crossings = pd.read_csv(ROOT / "sim" / "data" / "crossings.csv")
    external = crossings[crossings["border_status"] == "eu_external"]
    ranked = external.sort_values(["vehicles_per_day", "persons_per_day"], ascending=False,
                                  kind="stable")
    return ranked["place_id"].head(count).tolist()


def test_scanning_teams_at_busiest_uses_the_two_busiest_external_crossings():
    scenario = load_scenario(SCENARIOS / "scanning_teams_at_busiest.yaml")
    assert [t.place for t in scenario.scanning_teams.teams] == busiest_external_crossings(2)


def test_the_scanning_team_sweep_adds_teams_at_the_busiest_crossings():
    sweep = load_sweep(SCENARIOS / "sweeps" / "scanning_teams_0_to_6.yaml")
    busiest = busiest_external_crossings(6)
    for count, point in enumerate(sweep.points):
        assert [t.place for t in point.scenario.scanning_teams.teams] == busiest[:count]


def test_variants_change_only_what_they_say():
    base = load_scenario(BASELINE).model_dump(mode="json")
    expected = {
        "no_scanning_teams": {"scanning_teams"}, "scanning_teams_at_busiest": {"scanning_teams"},
        "frontex_doubled": {"frontex"}, "no_coordination_centre": {"europol"},
        "random_checks": {"targeting"}, "longer_action": {"action"},
    }
    for name, changed in expected.items():
        variant = load_scenario(SCENARIOS / f"{name}.yaml").model_dump(mode="json")
        differing = {k for k in base if base[k] != variant[k]} - {"name", "description"}
        assert differing == changed, name
    doubled = load_scenario(SCENARIOS / "frontex_doubled.yaml").frontex
    assert [d.count for d in doubled] == [2 * d["count"] for d in base["frontex"]]


def test_the_committed_schema_is_current():
    committed = (SCENARIOS / "scenario.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "run: sim schema --out scenarios/scenario.schema.json"


def test_the_results_doc_lists_every_outcome():
    document = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
    assert DOC_START in document and DOC_END in document
    assert with_outcomes_section(document) == document, (
        "run: sim docs outcomes")


# --- list ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("what", "expected"), [
    ("crossings", "evzonoi"), ("places", "skopje"), ("countries", "MK"),
    ("scenarios", "no_scanning_teams.yaml"),
])
def test_list_shows_the_names_a_scenario_can_use(capsys, what, expected):
    assert main(["list", what]) == 0
    assert expected in capsys.readouterr().out


def test_waits_longer_than_the_action_are_named_as_queues_that_never_clear():
    import pandas as pd

    from sim.commands.run import queue_notes
    from sim.runs.results import Results

    scenario = load_scenario(SCENARIOS / "jad_see_2023.yaml")  # 144 hours
    waits = pd.DataFrame({"place": ["kipoi", "kipoi", "evzonoi"],
                          "vehicle_class": ["lorry", "lorry", "car"],
                          "wait_minutes": [9000.0, 9600.0, 30.0]})
    empty = pd.DataFrame()
    notes = queue_notes(Results(empty, empty, empty, crossing_waits=waits), scenario)
    assert len(notes) == 1 and "kipoi lorries 160 h" in notes[0] and "never clear" in notes[0]
    short = waits.assign(wait_minutes=[600.0, 700.0, 30.0])
    assert queue_notes(Results(empty, empty, empty, crossing_waits=short), scenario) == []
