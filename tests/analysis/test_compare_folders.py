"""`sim compare` and `sim.compare` on folders as users leave them: damaged or hand-edited tables
are refused by name, runs that cannot be paired are refused, and a comparison never overwrites
what it did not write."""

from __future__ import annotations

import dataclasses
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest
from project import ROOT
from standins import run_small, small

import sim
from sim.cli import main
from sim.runs.layout import ResultsFolderError


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """Two small runs of 3 replicates with the same seeds (stand-in numbers, written by the
    runner as `sim run` writes them)."""
    root = tmp_path_factory.mktemp("runs")
    run_small(small("base", replicates=3), out=root / "base", workers=1)
    run_small(small("teams", replicates=3, teams=2), out=root / "teams", workers=1)
    return {"base": root / "base", "teams": root / "teams", "root": root}


def damaged(folders: dict[str, Path], name: str, edit) -> Path:
    """A copy of the base run with `edit(folder)` applied."""
    import shutil

    folder = folders["root"] / name
    if not folder.exists():
        shutil.copytree(folders["base"], folder)
        edit(folder)
    return folder


def before_checksums(folder: Path) -> None:
    """The folder as a run wrote it before manifests recorded the summary's checksum: its
    summary may then be edited below without `load` refusing the checksum first."""
    import json

    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.pop("summary_sha256", None)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def _rows_twice(folder: Path) -> None:
    summary = pd.read_csv(folder / "summary.csv")
    pd.concat([summary, summary.iloc[[0]]]).to_csv(folder / "summary.csv", index=False)


def _text_outcome(folder: Path) -> None:
    summary = pd.read_csv(folder / "summary.csv")
    summary["arrests_total"] = summary["arrests_total"].astype(object)
    summary.loc[1, "arrests_total"] = "abc"
    summary.to_csv(folder / "summary.csv", index=False)


def _header_only(folder: Path) -> None:
    header = (folder / "summary.csv").read_text().splitlines()[0]
    (folder / "summary.csv").write_text(header + "\n")


DAMAGE = {
    "manifest_not_json": (lambda f: (f / "manifest.json").write_text("{not json"),
                          "manifest.json: cannot be read"),
    "manifest_a_list": (lambda f: (f / "manifest.json").write_text("[]"),
                        "not a results manifest"),
    "summary_binary": (lambda f: (f / "summary.csv").write_bytes(b"\xff\xfe\x00\x81" * 50),
                       "summary.csv: cannot be read"),
    "row_twice": (_rows_twice, "replicate 0 appears twice"),
    "text_outcome": (_text_outcome, "column arrests_total holds 'abc', not a number"),
    "header_only": (_header_only, "no replicates"),
    "text_replicate": (lambda f: _edit_column(f, "replicate", "a"),
                       "column replicate holds 'a', not a whole number"),
    "underscored_numbers": (lambda f: _edit_column(f, "arrests_total", "1_0"),
                            "column arrests_total holds '1_0', not a number"),
}


def _edit_column(folder: Path, column: str, value: str) -> None:
    summary = pd.read_csv(folder / "summary.csv", dtype=str, keep_default_na=False)
    summary[column] = value
    summary.to_csv(folder / "summary.csv", index=False)


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_a_damaged_folder_is_refused_by_name(folders, kind, capsys):
    edit, message = DAMAGE[kind]
    folder = damaged(folders, kind, edit)
    with pytest.raises(ResultsFolderError, match=message):
        sim.load(folder)
    assert main(["compare", str(folders["base"]), str(folder), "--no-figures"]) == 2
    assert message.split(":")[-1].strip() in capsys.readouterr().err


def test_a_folder_without_its_manifest_is_refused_without_a_traceback(folders, capsys):
    folder = damaged(folders, "no_manifest", lambda f: (f / "manifest.json").unlink())
    assert main(["compare", str(folders["base"]), str(folder)]) == 2
    assert "no manifest.json" in capsys.readouterr().err


def test_an_outcome_an_older_folder_lacks_is_left_out_with_a_note(folders):
    folder = damaged(folders, "older", lambda f: (before_checksums(f), pd.read_csv(
        f / "summary.csv").drop(columns="arrests_total").to_csv(f / "summary.csv", index=False)))
    with pytest.warns(UserWarning, match=r"left out.*arrests_total \('base'\)"):
        table = sim.compare(folders["base"], [folder])
    assert "arrests_total" not in set(table["outcome"])
    assert "movements_intercepted" in set(table["outcome"])


def test_a_posterior_run_is_not_paired_with_a_plain_one(folders, capsys):
    base, teams = sim.load(folders["base"]), sim.load(folders["teams"])
    drawn = dataclasses.replace(teams, summary=teams.summary.copy().assign(draw=0))
    with pytest.raises(ValueError, match=r"ran over posterior draws .* and 'base' did not"):
        sim.compare(base, [drawn])
    with pytest.raises(ValueError, match="ran over posterior draws"):
        sim.compare(drawn, [base])
    other_draws = dataclasses.replace(base, summary=base.summary.copy().assign(draw=0),
                                      manifest={**base.manifest, "posterior": {"sha256": "x"}})
    with pytest.raises(ValueError, match="different posterior draws"):
        sim.compare(drawn, [other_draws])


def test_a_comparison_never_overwrites_or_writes_into_a_results_folder(folders, capsys):
    base, teams, out = folders["base"], folders["teams"], folders["root"] / "compared"
    assert main(["compare", str(base), str(teams), "--out", str(teams), "--no-figures"]) == 2
    assert "is a results folder" in capsys.readouterr().err
    assert not (teams / "comparison.csv").exists()
    out.mkdir()
    (out / "comparison.csv").write_text("mine\n")
    assert main(["compare", str(base), str(teams), "--out", str(out), "--no-figures"]) == 2
    assert "--force replaces it" in capsys.readouterr().err
    assert (out / "comparison.csv").read_text() == "mine\n"
    assert main(["compare", str(base), str(teams), "--out", str(out), "--no-figures",
                 "--force"]) == 0
    assert "difference" in (out / "comparison.csv").read_text()


def test_a_folder_named_twice_is_compared_once_and_a_run_with_itself_is_said(folders, capsys):
    base, teams = folders["base"], folders["teams"]
    out = folders["root"] / "twice"
    assert main(["compare", str(base), str(teams), str(teams), "--out", str(out),
                 "--no-figures"]) == 0
    assert "named twice: compared once" in capsys.readouterr().err
    table = pd.read_csv(out / "comparison.csv")
    assert not table.duplicated(["scenario", "outcome"]).any()
    assert main(["compare", str(base), str(base), "--no-figures"]) == 0
    assert "compared with itself" in capsys.readouterr().err


def test_an_incomplete_run_is_named_in_a_note(folders):
    folder = damaged(folders, "incomplete", lambda f: (f / "manifest.json").write_text(
        json.dumps({**json.loads((f / "manifest.json").read_text()), "status": "incomplete",
                    "replicates": 5})))
    with pytest.warns(UserWarning, match=r"'base' is incomplete \(3 of 5 replicates"):
        sim.compare(folders["teams"], [folder])


def test_wrong_calls_from_python_say_what_to_write(folders):
    base, teams = folders["base"], folders["teams"]
    table = sim.compare(str(base), teams, outcomes=["arrests_total"])  # paths; one other alone
    assert list(table["scenario"]) == ["teams"]
    with pytest.raises(ValueError, match="did you mean 'arrests_total'"):
        sim.compare(base, [teams], outcomes=["arrests_totl"])
    with pytest.raises(TypeError, match=r"write outcomes=\['arrests_total'\]"):
        sim.compare(base, [teams], outcomes="arrests_total")
    with pytest.raises(ValueError, match="between 0 and 1"):
        sim.compare(base, [teams], level="0.9")
    with pytest.raises(ValueError, match="whole number of bootstrap resamples"):
        sim.compare(base, [teams], method="bootstrap", resamples=0)
    with pytest.raises(TypeError, match="not int"):
        sim.compare(base, [3])


def test_a_sweep_with_one_finished_point_has_nothing_to_compare(tmp_path, capsys):
    from standins import stand_in_replicate, sweep_file

    from sim.runs.sweep import load_sweep, run_sweep

    sweep = load_sweep(sweep_file(tmp_path, "  scanning_teams.max_per_place: [2]\n"))
    run_sweep(sweep, tmp_path / "sweep", replicates=2, workers=1, progress=False,
              replicate_function=stand_in_replicate)
    out = tmp_path / "compared"
    assert main(["compare", str(tmp_path / "sweep"), "--out", str(out)]) == 2
    assert "nothing to compare it with (the sweep has one point)" in capsys.readouterr().err
    assert not (out / "sweep_comparison.csv").exists()


def test_posterior_means_are_over_the_draws_both_runs_have(folders):
    base, teams = sim.load(folders["base"]), sim.load(folders["teams"])
    posterior = {"posterior": {"sha256": "same"}}

    def drawn(run, draws):  # as sim run --posterior numbers them: replicates over all draws
        size = len(run.summary)
        rows = pd.concat([run.summary.assign(draw=d, replicate=run.summary["replicate"] + d * size)
                          for d in range(draws)], ignore_index=True)
        return dataclasses.replace(run, summary=rows, manifest={**run.manifest, **posterior})

    with pytest.warns(UserWarning, match="every difference pairs the 3 both have"):
        row = sim.compare(drawn(base, 1), [drawn(teams, 2)],
                          outcomes=["movements_intercepted"]).iloc[0]
    assert row["method"] == "posterior" and row["n"] == 3
    assert row["mean"] - row["base_mean"] == pytest.approx(row["difference"])


def test_notes_are_said_once_when_figures_are_written(tmp_path, capsys):
    baseline = ROOT / "scenarios" / "jad_see_2023.yaml"
    sim.run(baseline, replicates=2, workers=1, out=tmp_path / "run", action__days=1)
    with warnings.catch_warnings():  # a note said again as a Python warning fails the test
        warnings.simplefilter("error", UserWarning)
        assert main(["compare", str(tmp_path / "run"), str(tmp_path / "run"), "--out",
                     str(tmp_path / "figures")]) == 0
    err = capsys.readouterr().err
    assert err.count("compared with itself") == 1 and "UserWarning" not in err


def test_a_comparison_is_not_written_into_a_sweep_folder(tmp_path, capsys):
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    (sweep / "index.csv").write_text("point,scenario,folder\n")
    assert main(["compare", str(sweep), "--out", str(sweep)]) == 2
    assert "is a sweep folder" in capsys.readouterr().err


def test_a_sweep_point_whose_replicates_all_failed_is_left_out_with_a_note(tmp_path, capsys):
    from standins import stand_in_replicate, sweep_file

    from sim.runs.sweep import load_sweep, load_sweep_summaries, run_sweep

    sweep = load_sweep(sweep_file(tmp_path, "  scanning_teams.max_per_place: [1, 2, 3]\n"))
    run_sweep(sweep, tmp_path / "sweep", replicates=2, workers=1, progress=False,
              replicate_function=stand_in_replicate)
    failed = next((tmp_path / "sweep").glob("*-3"))
    _header_only(failed)
    (failed / "failures.json").write_text("[]")
    assert main(["compare", str(tmp_path / "sweep"), "--no-figures"]) == 0
    err = capsys.readouterr().err
    assert "left out" in err and "every replicate failed (failures.json says why)" in err
    with pytest.warns(UserWarning, match="left out"):
        table = load_sweep_summaries(tmp_path / "sweep")
    assert len(table) == 4


def test_export_refuses_a_posterior_base_with_a_plain_run_without_a_traceback(folders, capsys):
    drawn = folders["root"] / "drawn"
    if not drawn.exists():
        import shutil

        shutil.copytree(folders["base"], drawn)
        before_checksums(drawn)
        summary = pd.read_csv(drawn / "summary.csv").copy()
        summary.insert(3, "draw", 0)
        summary.to_csv(drawn / "summary.csv", index=False)
    status = main(["export", str(folders["teams"]), "--base", str(drawn), "--xlsx",
                   str(folders["root"] / "x.xlsx")])
    err = capsys.readouterr().err
    assert status == 2 and "ran over posterior draws" in err and "Traceback" not in err


def test_loaded_tables_take_new_columns_without_pandas_warnings(folders):
    """pandas reads a CSV into a block per column; `load` hands analysts consolidated tables."""
    results = sim.load(folders["base"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.PerformanceWarning)
        for table in (results.summary, results.daily):
            for i in range(3):
                table.insert(0, f"label_{i}", i)
