"""Sweeps for planners: point folders sort in number order, and `sim compare SWEEP_DIR` gives
every point's paired difference from the first with its interval and draws the response curve."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from standins import stand_in_replicate, sweep_file

from sim.cli import main
from sim.runs.folder import SWEEP_MARKER
from sim.runs.layout import ResultsFolderError
from sim.runs.sweep import load_sweep, load_sweep_summaries, run_sweep
from sim.scenario import ScenarioError

TEAMS = "[{place: evzonoi}, {place: kalotina}, {place: horgos}]"


def swept(path: Path, out: Path, **options) -> pd.DataFrame:
    """Run a sweep file with the stand-in replicate (fast), two replicates a point."""
    return run_sweep(load_sweep(path), out, replicates=2, workers=1, progress=False,
                     replicate_function=stand_in_replicate, **options)


def files_under(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_point_folders_sort_in_number_order(tmp_path):
    sweep = load_sweep(sweep_file(tmp_path, "  scanning_teams.max_per_place: "
                                  "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n"))
    names = [point.name for point in sweep.points]
    assert names[0] == "max_per_place-01" and names[-1] == "max_per_place-10"
    assert sorted(names) == names


def test_compare_on_a_sweep_folder_draws_the_paired_response(tmp_path, capsys):
    grid = ("  scanning_teams.teams:\n    0: []\n    1: [{place: evzonoi}]\n"
            "    2: [{place: evzonoi}, {place: kalotina}]\n")
    sweep = load_sweep(sweep_file(tmp_path, grid))
    run_sweep(sweep, tmp_path / "sweep", replicates=20, workers=1, progress=False,
              replicate_function=stand_in_replicate)
    out = tmp_path / "compared"
    assert main(["compare", str(tmp_path / "sweep"), "--out", str(out)]) == 0
    assert "paired" in capsys.readouterr().out
    table = pd.read_csv(out / "sweep_comparison.csv")
    caught = table[table["outcome"] == "movements_intercepted"].set_index("scanning_teams.teams")
    assert list(caught.index) == [1, 2] and (caught["paired"]).all()
    assert (caught["ci_low"] > 0).all()  # the stand-in's interceptions grow with the teams
    assert caught.loc[2, "difference"] > caught.loc[1, "difference"]
    assert (out / "response.png").stat().st_size > 10_000
    assert main(["compare", str(tmp_path / "sweep"), "--reference", "teams-9"]) == 2


def test_a_value_listed_twice_or_a_swept_name_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match="listed more than once"):
        load_sweep(sweep_file(tmp_path, "  scanning_teams.max_per_place: [1, 2, 1]\n"))
    with pytest.raises(ScenarioError, match="'name' cannot be swept"):
        load_sweep(sweep_file(tmp_path, "  name: [a, b]\n"))
    # 1 and 1.0 are one value to YAML's reader and to the model
    with pytest.raises(ScenarioError, match="listed more than once"):
        load_sweep(sweep_file(tmp_path, "  traffic.scale: [1, 1.0]\n"))
    # true is not 1 (the model refuses a boolean for a number, but not as a repeat)
    with pytest.raises(ScenarioError) as caught:
        load_sweep(sweep_file(tmp_path, "  traffic.scale: [1, true]\n"))
    assert "listed more than once" not in str(caught.value)


def test_dates_label_their_points(tmp_path):
    sweep = load_sweep(sweep_file(tmp_path, "  action.start: [2023-11-13T00:00:00, "
                                  "2024-07-08T18:00:00]\n"))
    assert [p.name for p in sweep.points] == ["start-2023-11-13T00-00-00",
                                               "start-2024-07-08T18-00-00"]


# --- the sweep folder is the sweep's alone ----------------------------------------------------

def test_a_sweep_never_writes_into_a_folder_it_did_not_write(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.csv").write_text("my own data")
    with pytest.raises(ResultsFolderError, match=r"not a sweep folder.*nothing was deleted"):
        swept(sweep_file(tmp_path, "  scanning_teams.max_per_place: [1, 2]\n"), out)
    with pytest.raises(ResultsFolderError, match="not a sweep folder"):
        swept(sweep_file(tmp_path, "  scanning_teams.max_per_place: [1, 2]\n"), out, force=True)
    assert files_under(out) == {out / "index.csv": b"my own data"}


def test_a_sweep_folder_holds_one_sweep(tmp_path):
    out = tmp_path / "out"
    first = sweep_file(tmp_path, "  scanning_teams.max_per_place: [1, 2]\n")
    swept(first, out)
    before = files_under(out)
    with pytest.raises(ResultsFolderError, match="already holds sweep 'teams'; use --resume"):
        swept(first, out)
    other = sweep_file(tmp_path, "  run.seed: [1, 2]\n", name="seeds", file="seeds")
    for again in ({}, {"resume": True}, {"force": True}):
        with pytest.raises(ResultsFolderError, match=r"holds sweep 'teams'.*not 'seeds'"):
            swept(other, out, **again)
    # the same sweep name from another file is not the same sweep either
    copy = sweep_file(tmp_path, "  scanning_teams.max_per_place: [1, 2]\n", file="copy")
    with pytest.raises(ResultsFolderError, match="only a sweep from the same file"):
        swept(copy, out, force=True)
    # a grid that lost a value would hide that point's results from the index
    fewer = sweep_file(tmp_path, "  scanning_teams.max_per_place: [2]\n", file="fewer")
    with pytest.raises(ResultsFolderError, match=r"points this grid does not have \(max_per_"):
        swept(fewer, out, resume=True)
    assert files_under(out) == before
    assert swept(first, out, resume=True)["status"].eq("complete").all()


def test_force_replaces_only_what_the_sweep_wrote(tmp_path):
    out = tmp_path / "out"
    path = sweep_file(tmp_path, "  scanning_teams.max_per_place: [1, 2]\n")
    swept(path, out)
    (out / "max_per_place-1" / "notes.txt").write_text("mine")
    before = files_under(out)
    with pytest.raises(ResultsFolderError, match=r"max_per_place-1/notes.txt.*nothing was"):
        swept(path, out, force=True)
    assert files_under(out) == before
    (out / "max_per_place-1" / "notes.txt").unlink()
    sweep_file(tmp_path, "  scanning_teams.max_per_place: [2, 3]\n")
    index = swept(path, out, force=True)
    assert sorted(p.name for p in out.iterdir()) == [SWEEP_MARKER, "index.csv",
                                                     "max_per_place-2", "max_per_place-3"]
    assert index["point"].tolist() == ["max_per_place-2", "max_per_place-3"]


def test_a_sweep_folder_written_before_markers_resumes(tmp_path):
    out = tmp_path / "out"
    path = sweep_file(tmp_path, "  scanning_teams.max_per_place: [1, 2]\n")
    swept(path, out)
    (out / SWEEP_MARKER).unlink()  # as sweeps wrote their folders before they wrote markers
    with pytest.raises(ResultsFolderError, match="already holds sweep 'teams'"):
        swept(path, out)
    assert swept(path, out, resume=True)["status"].eq("complete").all()
    assert (out / SWEEP_MARKER).is_file()


# --- points and labels ------------------------------------------------------------------------

def test_labels_come_back_as_written(tmp_path):
    path = sweep_file(tmp_path, "  intelligence.coverage: {None: 0.2, NA: 0.3, 'null': 0.4}\n")
    swept(path, tmp_path / "out")
    labels = load_sweep_summaries(tmp_path / "out")["intelligence.coverage"]
    assert labels.tolist() == ["None", "None", "NA", "NA", "null", "null"]


@pytest.mark.parametrize("grid, fragment", [
    ("  1: [0.2, 0.3]\n", "grid keys must be text"),
    ("  null: [0.2, 0.3]\n", "grid keys must be text"),
    ("  extends: [a.yaml, b.yaml]\n", "'extends' cannot be swept"),
    # YAML's true is Python's 1, and an unlabelled list is labelled by its position
    ("  europol.coordination_centre.enabled: [true, 1]\n", "would get one label"),
    ("  intelligence.coverage: [1, [0.5]]\n", "would get one label"),
    (f"  targeting: {{{'a' * 250}: random}}\n", "a point's folder name may have 200"),
])
def test_a_grid_that_cannot_run_as_written_is_refused(tmp_path, grid, fragment):
    with pytest.raises(ScenarioError, match=fragment):
        load_sweep(sweep_file(tmp_path, grid))


def test_points_never_share_a_scenario_name(tmp_path):
    """Scenario names are cut at 80 characters: two points must not become one in compare."""
    grid = "  intelligence.coverage: {option_long_label: 0.2, option_long_label2: 0.3}\n"
    with pytest.raises(ScenarioError, match="would both be scenario"):
        load_sweep(sweep_file(tmp_path, grid, name="n" * 70))
    # labels that give one folder name are numbered, and so are their scenario names
    sweep = load_sweep(sweep_file(tmp_path, "  targeting: {a b: random, a-b: random}\n"))
    assert [p.scenario.name for p in sweep.points] == ["teams.000_targeting-a-b",
                                                       "teams.001_targeting-a-b"]


def test_a_sweep_named_by_an_unusable_file_name_asks_for_a_name(tmp_path):
    path = sweep_file(tmp_path, "  targeting: [random]\n", file="my plan ü")
    path.write_text(path.read_text().removeprefix("name: teams\n"))
    with pytest.raises(ScenarioError, match=r"file name 'my plan ü' cannot be one.*add 'name"):
        load_sweep(path)


def test_an_index_without_its_folder_column_is_a_message(tmp_path, capsys):
    out = tmp_path / "out"
    swept(sweep_file(tmp_path, "  scanning_teams.max_per_place: [1, 2]\n"), out)
    index = pd.read_csv(out / "index.csv")
    index.drop(columns="folder").to_csv(out / "index.csv", index=False)
    assert main(["compare", str(out)]) == 2
    assert "has no 'folder' column" in capsys.readouterr().err
