"""The Python API never fails silently: scripts without a main guard, failed replicates,
overrides validated like a scenario file; and the model follows Mesa's conventions (rng, the
DataCollector, batch_run)."""

from __future__ import annotations

import subprocess
import sys

import mesa
import numpy as np
import pandas as pd
import pytest
from project import ROOT
from standins import failing_replicate, small, stand_in_replicate

import sim
from sim.model import JointActionModel, UnseededRunWarning
from sim.model.outcomes import OUTCOME_NAMES
from sim.model.streams import replicate_seeds
from sim.runs import runner
from sim.scenario.files import ScenarioError

BASELINE = ROOT / "scenarios" / "jad_see_2023.yaml"
SMALL = {"action__days": 1, "criminal__networks_scale": 0.2}


# --- scripts and failures ----------------------------------------------------------------------

SCRIPT = f"""
import sim
results = sim.run({str(BASELINE)!r}, replicates=2, workers=2, action__days=1)
print("replicates", len(results.summary))
"""


@pytest.mark.parametrize("how", ["file", "stdin"])
def test_a_script_without_a_main_guard_runs_and_says_what_to_add(tmp_path, how):
    script = tmp_path / "analysis.py"
    script.write_text(SCRIPT, encoding="utf-8")
    command = [sys.executable, str(script)] if how == "file" else [sys.executable, "-"]
    done = subprocess.run(command, input=None if how == "file" else SCRIPT, cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "replicates 2" in done.stdout
    assert "MainGuardWarning" in done.stderr
    assert 'if __name__ == "__main__":' in done.stderr
    assert "BrokenProcessPool" not in done.stderr


def test_a_guarded_script_is_left_to_its_worker_processes(tmp_path):
    from sim.runs.mainguard import _is_guarded

    script = tmp_path / "guarded.py"
    script.write_text("import sim\n\nif __name__ == '__main__':\n    sim.run('x')\n"
                      "sim.run('y')\n", encoding="utf-8")
    assert _is_guarded(script, 4) and not _is_guarded(script, 5)


def test_when_every_replicate_fails_run_raises_with_the_first_traceback():
    def always(*args, **kwargs):
        raise RuntimeError("a mechanism broke")

    with pytest.raises(sim.ReplicatesFailedError) as caught:
        runner.run(small(replicates=2), workers=1, replicate_function=always)
    assert "all 2 replicates of small failed" in str(caught.value)
    assert "RuntimeError: a mechanism broke" in str(caught.value)
    assert "Traceback" in str(caught.value)


def test_a_partial_failure_warns_and_lists_the_failures():
    with pytest.warns(sim.ReplicateFailureWarning, match="1 replicates of small failed"):
        results = runner.run(small(replicates=3), workers=1,
                             replicate_function=failing_replicate)
    assert [f["replicate"] for f in results.failures] == [1]
    assert len(results.summary) == 2


def test_run_takes_keyword_overrides_like_the_model():
    results = runner.run(small(replicates=1), workers=1, replicate_function=stand_in_replicate,
                         intelligence__coverage=0.9, run__seed=11)
    scenario = results.manifest["scenario"]
    assert scenario["intelligence"]["coverage"] == 0.9
    assert results.summary["seed"].tolist() == replicate_seeds(11, 1)


@pytest.mark.parametrize("call", ["run", "model"])
def test_an_override_naming_an_unknown_place_is_the_scenario_error(call):
    teams = [{"place": "evzoni"}]
    with pytest.raises(ScenarioError) as caught:
        if call == "run":
            sim.run(BASELINE, replicates=1, scanning_teams__teams=teams)
        else:
            JointActionModel(rng=1, scanning_teams__teams=teams)
    message = str(caught.value)
    assert "overrides: scanning_teams.teams.0.place: unknown place 'evzoni'" in message
    assert "did you mean 'evzonoi'" in message


def test_an_unknown_override_key_names_the_closest_one():
    with pytest.raises(ScenarioError, match="did you mean 'analysts_on_ground'"):
        sim.run(BASELINE, replicates=1, europol__analysts_on_grond=3)


def test_extends_as_an_override_is_refused_not_ignored():
    """The scenario's extends: was read when it was loaded: an override of it changed nothing
    and was recorded in the manifest as if it had."""
    other = ROOT / "scenarios" / "no_scanning_teams.yaml"
    with pytest.raises(ScenarioError, match="'extends' cannot be overridden"):
        sim.run(BASELINE, replicates=1, extends=str(other))


# --- Mesa conventions --------------------------------------------------------------------------

def test_rng_none_draws_a_fresh_seed_recorded_on_the_model():
    with pytest.warns(UnseededRunWarning, match="neither repeatable nor paired"):
        first, second = (JointActionModel(rng=None, **SMALL) for _ in range(2))
    assert first.seed != second.seed
    again = JointActionModel(rng=first.seed, **SMALL).run()
    assert again.outcomes() == first.run().outcomes()


def test_rng_takes_a_generator_and_a_seed_sequence():
    from_generator = JointActionModel(rng=np.random.default_rng(5), **SMALL)
    assert from_generator.seed == int(np.random.default_rng(5).integers(2**63, dtype=np.uint64))
    child = np.random.SeedSequence(20231113).spawn(3)[2]
    from_sequence = JointActionModel(rng=child, **SMALL)
    assert from_sequence.seed == replicate_seeds(20231113, 3)[2]  # replicate 2 of `sim run`
    with pytest.raises(TypeError, match="rng must be"):
        JointActionModel(rng="seven", **SMALL)


def test_the_datacollector_reports_every_outcome_at_the_start_and_every_hour():
    model = JointActionModel(rng=3, **SMALL).run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == [*OUTCOME_NAMES, "seed"]
    assert len(frame) == 1 + model.hours
    assert frame["checks_total"].is_monotonic_increasing
    assert (frame["seed"] == 3).all()
    assert frame.iloc[-1].drop("seed").to_dict() == model.outcomes()


def test_batch_run_slices_the_hours_by_data_collection_period():
    rows = mesa.batch_run(JointActionModel, parameters={**SMALL, "action__days": 2}, rng=[4],
                          data_collection_period=24, number_processes=1, display_progress=False)
    frame = pd.DataFrame(rows)
    assert frame["Step"].tolist() == [0, 24, 48]
    assert set(OUTCOME_NAMES) <= set(frame.columns)
    assert frame["officer_hours"].is_monotonic_increasing


def test_batch_run_iterations_gives_distinct_replicates():
    with pytest.warns(DeprecationWarning), pytest.warns(UnseededRunWarning):  # rng=[None] * 3
        rows = mesa.batch_run(JointActionModel, parameters=SMALL, iterations=3,
                              number_processes=1, display_progress=False)
    frame = pd.DataFrame(rows)
    assert len(frame) == 3
    assert frame["legitimate_vehicles"].nunique() == 3


def test_batch_run_rows_carry_the_seed_drawn_also_with_rng_none():
    """rng=None draws a fresh seed per run: each row says which (an integer that repeats the
    run), and a warning says such runs are neither repeatable nor paired."""
    with pytest.warns(UnseededRunWarning, match="neither repeatable nor paired"):
        rows = mesa.batch_run(JointActionModel, parameters={**SMALL, "action__days": 1},
                              rng=[None, None], number_processes=1, display_progress=False)
    seeds = [row["seed"] for row in rows]
    assert all(isinstance(seed, int) and 0 <= seed < 2**63 for seed in seeds)
    assert len(set(seeds)) == 2
    again = JointActionModel(rng=seeds[0], **{**SMALL, "action__days": 1}).run()
    first = {k: v for k, v in rows[0].items() if k in OUTCOME_NAMES}
    assert first == again.outcomes()  # the seed on the row repeats the run
    seeded = mesa.batch_run(JointActionModel, parameters={**SMALL, "action__days": 1},
                            rng=[7], number_processes=1, display_progress=False)
    assert seeded[0]["seed"] == 7 and seeded[0]["rng"] == 7


def test_python_m_sim_keeps_its_worker_processes(tmp_path):
    done = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-m", "sim", "run",
                           str(BASELINE), "--replicates", "2", "--workers", "2", "--quiet",
                           "--out", str(tmp_path / "r")],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "MainGuardWarning" not in done.stderr


def test_dir_sim_lists_the_public_api():
    listed = dir(sim)
    for name in ("run", "load", "compare", "findings_table", "crossing_waits",
                 "wait_differences", "project_folder", "figures", "Results"):
        assert name in listed
    assert "TYPE_CHECKING" not in listed and "import_module" not in listed
    assert sim.findings_table is __import__("sim.analysis.findings").analysis.findings.table


def test_the_project_is_found_from_anywhere_or_said_clearly(tmp_path, monkeypatch):
    root = ROOT
    monkeypatch.delenv("SIM_PROJECT", raising=False)
    monkeypatch.chdir(tmp_path)  # a notebook copied out of the clone
    assert sim.project_folder() == root  # found where sim was installed from
    assert sim.project_folder(root / "notebooks") == root
    monkeypatch.setenv("SIM_PROJECT", str(tmp_path))
    with pytest.raises(sim.ProjectNotFoundError, match=r"SIM_PROJECT=.*no scenarios/"):
        sim.project_folder()
    monkeypatch.setenv("SIM_PROJECT", str(root))
    assert sim.project_folder() == root


def test_the_notebooks_find_the_project_with_project_folder():
    import nbformat

    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        source = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells
                           if cell.cell_type == "code")
        assert "sim.project_folder()" in source and "StopIteration" not in source
        assert "next(folder for folder" not in source, path.name


def test_a_comparison_prints_as_a_planner_reads_it():
    base = runner.run(small("base", replicates=3), workers=1,
                      replicate_function=stand_in_replicate)
    other = runner.run(small("teams", replicates=3, teams=1), workers=1,
                       replicate_function=stand_in_replicate)
    comparison = sim.compare(base, other)
    text = repr(comparison)
    assert text.startswith("Comparison with the base: 1 scenario ×")
    assert "harm index" in text and "drugs seized" in text and "90% interval" in text
    assert "3 paired replicates" in text and "comparison.to_csv(FILE)" in text
    assert "Harm index: weights default (sim/data/harm/default.yaml, sha256" in text
    assert str(comparison) == text and "<table" in comparison._repr_html_()
    assert type(comparison[comparison["outcome"] == "arrests_total"]) is pd.DataFrame
    from sim.analysis.compare import COLUMNS

    assert list(pd.DataFrame(comparison).columns) == list(COLUMNS)
    table = sim.findings_table(comparison)
    assert list(table.columns) == ["scenario", "outcome", "unit", "base mean", "difference",
                                   "90% interval", "% of base", "clear"]
