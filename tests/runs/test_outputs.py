"""What planners and analysts read: summary.csv with the scenario's hash and levers, counts as
integers, the workbook, `sim params`, `sim list` filters, and tables that fit 80 columns without
cutting a number."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from project import ROOT
from rich.console import Console
from standins import stand_in_replicate

from sim.cli import main
from sim.model.outcomes import COUNT_OUTCOMES, LABELS, OUTCOME_NAMES, OUTCOMES
from sim.runs import runner
from sim.runs.results import Results
from sim.scenario.files import load_scenario
from sim.scenario.overrides import with_overrides
from sim.scenario.paths import settable_paths
from sim.terminal import print_comparison, print_report

BASELINE = ROOT / "scenarios" / "jad_see_2023.yaml"


def stand_in_run(out: Path, **overrides) -> Results:
    return runner.run(BASELINE, replicates=3, workers=1, out=out,
                      replicate_function=stand_in_replicate, **{"action__days": 1, **overrides})


def test_summary_carries_the_scenario_hash_and_the_levers_it_sets(tmp_path):
    stand_in_run(tmp_path / "r", intelligence__coverage=0.5)
    summary = pd.read_csv(tmp_path / "r" / "summary.csv")
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert (summary["scenario_hash"] == manifest["scenario_hash"]).all()
    inputs = list(summary.columns[3 + len(OUTCOME_NAMES):])
    assert inputs == ["scenario_hash", "action.days", "intelligence.coverage"]
    assert (summary["intelligence.coverage"] == 0.5).all() and (summary["action.days"] == 1).all()


def test_the_baseline_sets_no_lever_and_counts_are_integers(tmp_path):
    stand_in_run(tmp_path / "r", action__days=6)
    summary = pd.read_csv(tmp_path / "r" / "summary.csv")
    assert list(summary.columns[3 + len(OUTCOME_NAMES):]) == ["scenario_hash"]
    for name in OUTCOME_NAMES:
        expected = "int64" if name in COUNT_OUTCOMES else "float64"
        assert summary[name].dtype == expected, name
    assert "movements_attempted" in COUNT_OUTCOMES and "cocaine_kg" not in COUNT_OUTCOMES


def test_export_writes_a_workbook_a_planner_can_open(tmp_path):
    stand_in_run(tmp_path / "base")
    stand_in_run(tmp_path / "teams", scanning_teams__teams=[])
    book = tmp_path / "book.xlsx"
    assert main(["export", str(tmp_path / "teams"), "--base", str(tmp_path / "base"),
                 "--xlsx", str(book)]) == 0
    workbook = openpyxl.load_workbook(book)
    assert workbook.sheetnames == ["about", "comparison", "by crime area", "waits by crossing",
                                   "summary", "by place and day", "replicates"]
    comparison = pd.read_excel(book, sheet_name="comparison")
    assert list(comparison.columns[:3]) == ["scenario", "outcome", "unit"]  # plain labels first
    row = comparison.set_index("outcome id").loc["movements_intercepted"]
    assert row["outcome"] == "movements intercepted"
    assert row["scenario"] == "JAD SEE 2023 baseline"  # both runs name themselves so
    assert row["interval low"] <= row["difference"] <= row["interval high"]
    assert row["paired"] == "yes"
    sheet = workbook["comparison"]
    header = [cell.value for cell in sheet[1]]
    percent = sheet.cell(row=2, column=header.index("difference, % of base") + 1)
    assert percent.number_format == "0.0%"  # a percentage, not a fraction
    assert all(workbook[name].auto_filter.ref for name in workbook.sheetnames)
    places = pd.read_excel(book, sheet_name="by place and day")
    assert {"place", "day", "persons checked (persons)", "place id"} <= set(places.columns)
    seeds = pd.read_excel(book, sheet_name="replicates", dtype={"seed": str})["seed"]
    assert seeds.tolist()[:3] == [str(s) for s in pd.read_csv(
        tmp_path / "base" / "summary.csv")["seed"]]  # exact: 63-bit seeds are text


def test_a_workbook_never_replaces_a_file_without_force(tmp_path, capsys):
    stand_in_run(tmp_path / "base")
    precious = tmp_path / "notes.xlsx"
    precious.write_text("a planner's notes")
    assert main(["export", str(tmp_path / "base"), "--xlsx", str(precious)]) == 2
    assert "already exists; --force replaces it" in capsys.readouterr().err
    assert precious.read_text() == "a planner's notes"
    assert main(["export", str(tmp_path / "base"), "--xlsx", str(tmp_path / "book.csv")]) == 2
    assert "ends in .xlsx" in capsys.readouterr().err
    assert main(["export", str(tmp_path / "base"), "--xlsx", str(precious), "--force"]) == 0
    assert "summary" in openpyxl.load_workbook(precious).sheetnames


def test_compare_writes_the_workbook_too(tmp_path):
    stand_in_run(tmp_path / "base")
    stand_in_run(tmp_path / "other", intelligence__coverage=0.5)
    book = tmp_path / "compare.xlsx"
    assert main(["compare", str(tmp_path / "base"), str(tmp_path / "other"), "--xlsx",
                 str(book)]) == 0
    assert "comparison" in openpyxl.load_workbook(book).sheetnames


# --- tables in 80 columns ----------------------------------------------------------------------

def big_results() -> Results:
    rows = [{"scenario": "s", "replicate": k, "seed": k,
             **{name: 1_079_424.0 * (k + 1) for name in OUTCOME_NAMES}} for k in range(3)]
    return Results(pd.DataFrame(rows), pd.DataFrame(), pd.DataFrame(),
                   {"scenario_name": "s", "status": "complete"})


def rendered(draw) -> list[str]:
    console = Console(width=80, record=True)
    draw(console)
    return console.export_text().splitlines()


def test_the_run_report_fits_80_columns_without_cutting_a_number():
    lines = rendered(lambda console: print_report(big_results(), console))
    assert max(len(line) for line in lines) <= 80
    text = "\n".join(lines)
    assert "…" not in text
    assert text.count("2,158,848") == len(OUTCOME_NAMES)  # every mean, whole
    assert text.count("3,130,330") == len(OUTCOME_NAMES)  # every 95th percentile, whole
    assert_labels_whole(text)


def assert_labels_whole(text: str) -> None:
    """Every outcome by its registry label, never abbreviated (a wrapped label reads whole
    once its lines are joined)."""
    joined = re.sub(r"\s+", " ", text)
    for name in OUTCOME_NAMES:
        assert LABELS[name] in joined or all(word in joined for word in LABELS[name].split()),\
            name
    assert not re.search(r"\b[a-z]+_[a-z]+_[a-z]+\b", text)  # no raw or cut names


def test_the_comparison_fits_80_columns_and_labels_stay_whole():
    table = pd.DataFrame([{"scenario": "other", "outcome": name, "unit": "persons",
                           "base_mean": 1_079_424.5, "mean": 1_079_000.0,
                           "difference": -1_234_567.0, "relative_difference": -0.123,
                           "ci_low": -1_345_678.0, "ci_high": -1_123_456.0, "paired": True,
                           "n": 30, "base": "jad_see_2023", "method": "t", "level": 0.9}
                          for name in OUTCOME_NAMES])
    lines = rendered(lambda console: print_comparison(table, console))
    assert max(len(line) for line in lines) <= 80
    rows = [line for line in lines if "-1,234,567" in line]
    assert len(rows) == len(OUTCOME_NAMES)
    assert all("-1,345,678 to -1,123,456" in row for row in rows)
    assert_labels_whole("\n".join(lines))


def test_every_outcome_has_one_short_distinct_label():
    labels = [LABELS[o.name] for o in OUTCOMES]
    assert len(set(labels)) == len(labels)
    assert max(len(text) for text in labels) <= 32
    assert set(LABELS) == set(OUTCOME_NAMES)


def test_the_default_comparison_shows_the_headline_and_a_finding():
    table = pd.DataFrame([{"scenario": "other", "outcome": name, "unit": "persons",
                           "base_mean": 100.0, "mean": 90.0, "difference": -10.0,
                           "relative_difference": -0.1, "ci_low": -12.0, "ci_high": -8.0,
                           "paired": True, "n": 10, "base": "jad_see_2023", "method": "t",
                           "level": 0.9} for name in OUTCOME_NAMES])
    text = "\n".join(rendered(lambda console: print_comparison(table, console, full=False)))
    assert "arrests (persons)" in text and "officer-hours" not in text
    # the headline leads with the crime areas (and the harm index, when the table has it)
    assert "Finding: migrants stopped -10 (-10.0%); drugs seized -10" in text
    assert f"--full shows all {len(OUTCOME_NAMES)}" in text


# --- sim list and sim params -------------------------------------------------------------------

def test_list_filters_by_border_country_and_kind(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["list", "crossings", "--border", "MK-GR"]) == 0
    out = capsys.readouterr().out
    assert "evzonoi" in out and "kapitan_andreevo" not in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert main(["list", "places", "--country", "me", "--kind", "port"]) == 0
    assert "port_bar" in capsys.readouterr().out
    assert main(["list", "crossings", "--country", "QQ"]) == 2
    assert "valid: AL" in capsys.readouterr().err


def test_params_lists_every_settable_path_and_each_one_validates(capsys):
    assert main(["params", "--json"]) == 0
    listed = {entry["path"]: entry for entry in json.loads(capsys.readouterr().out)}
    coverage = listed["intelligence.coverage"]
    assert coverage["range"] == "≥ 0, ≤ 1" and coverage["unit"] == "share" and coverage["source"]
    assert coverage["override"] == "intelligence__coverage"
    assert "parameters.detection_manual.cocaine" not in listed  # keyed by concealment, not drug
    baseline = load_scenario(BASELINE)
    for entry in settable_paths():
        if "<" in entry.path or entry.baseline is None:
            continue
        with_overrides(baseline, {entry.override: entry.baseline}, check_graph=False)


@pytest.mark.parametrize("prefix", ["parameters.adaptivity", "nothing.here"])
def test_params_takes_a_prefix(capsys, prefix):
    status = main(["params", prefix])
    assert status == (0 if prefix.startswith("parameters") else 2)


def test_params_json_gives_numeric_bounds_and_the_sampling_range(capsys):
    assert main(["params", "--json"]) == 0
    listed = {entry["path"]: entry for entry in json.loads(capsys.readouterr().out)}
    coverage = listed["intelligence.coverage"]
    assert (coverage["min"], coverage["max"]) == (0, 1)
    assert not coverage["min_exclusive"] and not coverage["max_exclusive"]
    for entry in listed.values():
        for bound in ("min", "max"):
            assert entry[bound] is None or isinstance(entry[bound], int | float), entry["path"]
        if entry["sample_range"] is not None:
            low, high = entry["sample_range"]
            assert entry["min"] is None or entry["min"] <= low <= high
            assert entry["max"] is None or high <= entry["max"]
    assert listed["action.days"]["min"] == 1 and listed["action.days"]["max"] == 60
    assert [f["name"] for f in listed["postings"]["fields"]][:5] == [
        "country", "agency", "posting", "place", "officers"]


def test_the_sampling_range_is_the_registry_plausible_range():
    """A parameter declared with `par(..., plausible=(low, high))` lists that range to sample."""
    from sim.scenario.parameters import StrictModel, par
    from sim.scenario.paths import _walk

    class Probe(StrictModel):
        share: float = par(0.3, "share", "assumption", "A share.", ge=0, le=1,
                           plausible=(0.2, 0.5))
        rate: float = par(2.0, "per hour", "assumption", "A rate.", gt=0)

    entries = {entry.path: entry for entry in _walk(Probe, "")}
    assert entries["share"].sample_range == (0.2, 0.5)
    assert entries["share"].as_dict()["sample_range"] == [0.2, 0.5]
    rate = entries["rate"].as_dict()
    assert rate["min"] == 0 and rate["min_exclusive"] and rate["max"] is None
    assert rate["sample_range"] is None and rate["range"] == "> 0"


def test_export_says_its_notes_once_without_python_warnings(tmp_path, capsys):
    stand_in_run(tmp_path / "base")
    runner.run(BASELINE, replicates=2, workers=1, out=tmp_path / "fewer",
               replicate_function=stand_in_replicate, action__days=1,
               intelligence__coverage=0.5)
    book = tmp_path / "book.xlsx"
    assert main(["export", str(tmp_path / "fewer"), "--base", str(tmp_path / "base"),
                 "--xlsx", str(book)]) == 0
    err = capsys.readouterr().err
    assert "UserWarning" not in err and ".py:" not in err
    assert err.count("sim export: note:") == len(err.splitlines()) == 1
    assert "'jad_see_2023' has 3, 'jad_see_2023' has 2" in err
    about = pd.read_excel(book, sheet_name="about")
    notes = about.loc[about["item"].str.startswith("note"), "what"].str.cat(sep=" ")
    assert "every sheet uses the 2 replicates they all share" in notes
