"""The reference section of the README: the naive estimate (2023 scaled by officer-days) by
hand, the tables and the reading written from a comparison with deciding columns, the README's
section not stale, and `sim reference` end to end on a tiny setting (one day, two scenarios,
eight members × one replicate)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from project import ROOT, SCENARIOS

from sim.analysis.compare import COMPARISON, load_targets
from sim.analysis.naive import (
    PUBLISHED_SUMS,
    Staffing,
    naive_difference,
    naive_table,
    published_figures,
    staffing,
)
from sim.analysis.reference import naive_estimates, write_table
from sim.analysis.reference_table import (
    README_END,
    README_START,
    read_reference,
    reading,
    reference_markdown,
    with_reference_section,
)
from sim.cli import main
from sim.scenario.files import load_scenario

REFERENCE = ROOT / "results" / "reference"


# --- the naive estimate, by hand ----------------------------------------------------------------

def test_the_naive_estimate_scales_the_published_figure_by_officer_days():
    base = Staffing(officers=100, days=6)
    # half as many officers again: half as much again
    assert naive_difference(120, base, Staffing(150, 6)) == pytest.approx(60)
    assert naive_difference(120, base, Staffing(50, 6)) == pytest.approx(-60)
    # the same officers for ten days instead of six: 120 × 1000 / 600 − 120 = 80 in all ...
    assert naive_difference(120, base, Staffing(100, 10)) == pytest.approx(80)
    # ... and per day 120 × 1000 / 600 / 10 − 120 / 6 = 0: every officer-day finds the same
    assert naive_difference(120, base, Staffing(100, 10), per_day=True) == pytest.approx(0)
    # 150 officers for ten days, per day: 120 × 1500 / 600 / 10 − 20 = 10
    assert naive_difference(120, base, Staffing(150, 10), per_day=True) == pytest.approx(10)
    assert naive_difference(120, base, base) == 0
    with pytest.raises(ValueError, match="no officer-days"):
        naive_difference(120, Staffing(0, 6), base)


def test_published_figures_sum_the_parts_of_an_outcome_published_in_parts():
    figures = published_figures(load_targets())
    assert figures["arrests_total"] == 566 and figures["cases_opened"] == 121
    assert PUBLISHED_SUMS["drugs_kg_total"] == ("cocaine_kg", "other_drugs_kg")
    assert figures["drugs_kg_total"] == 626 + 300
    partial = pd.DataFrame({"outcome": ["cocaine_kg"], "published": [626.0]})
    assert "drugs_kg_total" not in published_figures(partial)


def test_the_naive_table_is_per_day_only_for_another_length_and_keeps_the_asked_outcomes():
    table = naive_table({"more": Staffing(150, 6), "longer": Staffing(100, 10)},
                        Staffing(100, 6), {"arrests_total": 600.0, "checks_total": 60.0},
                        outcomes=["arrests_total"])
    rows = table.set_index("scenario")
    assert list(table["outcome"]) == ["arrests_total"] * 2
    assert rows.loc["more", "naive_difference"] == pytest.approx(300)
    assert not rows.loc["more", "per_day"] and rows.loc["longer", "per_day"]
    assert rows.loc["longer", "naive_difference"] == pytest.approx(0)


def test_the_shipped_scenarios_naive_answers_follow_their_officers_alone():
    base = staffing(load_scenario(SCENARIOS / "jad_see_2023.yaml"))
    names = ("business_as_usual", "no_scanning_teams", "no_coordination_centre")
    table = naive_estimates(base, {n: staffing(load_scenario(SCENARIOS / f"{n}.yaml"))
                                   for n in names}).set_index(["scenario", "outcome"])
    usual = staffing(load_scenario(SCENARIOS / "business_as_usual.yaml"))
    assert usual.officers < base.officers and usual.days == base.days
    assert table.loc[("business_as_usual", "arrests_total"), "naive_difference"] == \
        pytest.approx(566 * usual.officers / base.officers - 566)
    # the scanning teams and the centre move no officer: the spreadsheet sees no change
    for name in ("no_scanning_teams", "no_coordination_centre"):
        assert (table.loc[name, "naive_difference"] == 0).all()
    assert "harm_index" not in set(table.index.get_level_values("outcome"))  # not published


# --- the tables and the reading, from a comparison with deciding columns -----------------------

def comparison_over_members() -> pd.DataFrame:
    """A hand-made comparison over 100 ensemble members: the centre's cases and arrests hold,
    its drugs do not; the ten-day action is compared per day."""
    def row(scenario, outcome, unit, difference, low, high, robustness, deciding="",
            deciding_low=np.nan, deciding_high=np.nan, evppi=np.nan, per_day=False):
        return {"scenario": scenario, "outcome": outcome, "unit": unit, "base_mean": 120.0,
                "mean": 120.0 + difference, "difference": difference,
                "relative_difference": difference / 120, "ci_low": low, "ci_high": high,
                "paired": True, "n": 100, "base": "jad_see_2023", "base_n": 100,
                "method": "ensemble", "level": 0.9, "per_day": per_day, "draws": 100,
                "robustness": robustness, "deciding": deciding, "deciding_share": 0.57,
                "deciding_low": deciding_low, "deciding_high": deciding_high,
                "deciding_evppi": evppi, "next_deciding": "", "next_share": np.nan,
                "evpi": 0.5 if deciding else np.nan, "harm_weights": ""}

    relay = "parameters.relay_probability_without_centre"
    return pd.DataFrame([
        row("no_coordination_centre", "cases_opened", "cases", -37.0, -46.0, -31.0, 1.0,
            relay, -48.0, -18.0, 0.0),
        row("no_coordination_centre", "arrests_total", "persons", -28.0, -45.0, -14.0, 0.96,
            relay, -40.0, -12.0, 0.0),
        row("no_coordination_centre", "drugs_kg_total", "kg", -99.0, -460.0, 71.0, 0.74,
            "parameters.adaptivity", -250.0, 60.0, 12.0),
        row("no_coordination_centre", "mean_wait_minutes", "minutes", 0.0, 0.0, 0.0, np.nan),
        row("longer_action", "arrests_total", "persons", -9.6, -15.3, -5.7, 1.0),
        row("longer_action", "mean_wait_minutes", "minutes", 0.3, 0.2, 0.4, 1.0, per_day=True),
    ]).assign(per_day=lambda t: t["scenario"] == "longer_action")


NAIVE = pd.DataFrame({"scenario": ["no_coordination_centre", "no_coordination_centre",
                                   "longer_action"],
                      "outcome": ["cases_opened", "arrests_total", "arrests_total"],
                      "naive_difference": [0.0, 0.0, -4.25]})


def test_each_cell_holds_the_difference_its_robustness_and_the_naive_estimate_beside_it():
    text = reference_markdown(comparison_over_members(), NAIVE)
    assert text.startswith("Differences from the baseline over 100 ensemble members × 1 "
                           "paired replicate each")
    assert "| no coordination centre | -28 (-45 to -14), 96% of members; naive 0 | – | " \
           "-37 (-46 to -31), 100% of members; naive 0 | – | +0.0 (+0.0 to +0.0) |" in text
    assert "-9.6 (-15.3 to -5.7), 100% of members; naive -4.2 |" in text
    # drugs have no naive estimate here (none given): the cell says only what the model says
    assert "| -99 (-460 to +71), 74% of members |" in text
    assert "Ten-day action lasts another number of days than the baseline and is compared " \
           "per day." in text


def test_the_reading_names_for_every_answer_robustness_naive_what_decides_it_and_its_worth():
    lines = reading(comparison_over_members(), NAIVE)
    centre = next(b for b in lines if b.startswith("- **No coordination centre**"))
    assert ("  - holds (the same sign in at least 95% of members): arrests -28 persons (96% of "
            "members; naive 0; chiefly relay probability without centre, -40 at its low end "
            "to -12 at its high end; knowing it is worth 0 persons); cases opened -37 cases "
            "(100% of members; naive 0; chiefly relay probability without centre, -48 at its "
            "low end to -18 at its high end; knowing it is worth 0 cases).") in centre
    assert ("  - does not hold: drugs seized -99 kg (74% of members; chiefly adaptivity, -250 "
            "at its low end to +60 at its high end; knowing it is worth 12 kg).") in centre
    assert "  - unchanged: mean wait at crossings." in centre
    longer = next(b for b in lines if b.startswith("- **Ten-day action**"))
    # totals are compared per day, a wait is a wait
    assert "arrests -9.6 persons per day (100% of members; naive -4.2)" in longer
    assert "mean wait at crossings +0.3 minutes (100% of members)" in longer


def test_every_number_of_the_reading_is_one_of_the_tables_and_moves_with_them():
    comparison = comparison_over_members()
    text = reference_markdown(comparison, NAIVE)
    tables, _, rest = text.partition("How to read it")
    written, _, decided = rest.partition("<details>")
    number = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?%?")
    in_tables = set(number.findall(tables + decided))
    in_reading = set(number.findall(written)) - {"95%"}  # the threshold, defined in words
    assert in_reading and in_reading <= in_tables
    moved = comparison.assign(difference=comparison["difference"].where(
        comparison["outcome"] != "cases_opened", -52.0))
    assert "cases opened -52 cases" in reference_markdown(moved, NAIVE)


def test_what_decides_each_answer_is_a_table_with_its_ends_and_the_value_of_knowing_it():
    text = reference_markdown(comparison_over_members(), NAIVE)
    assert "<details><summary>What decides each answer: 3 answers" in text
    assert ("| no coordination centre | drugs seized (kg) | -99 | 74% | – | adaptivity | -250 | "
            "+60 | 57% | 12 | 0.5 | – |") in text
    plain = comparison_over_members().assign(draws=0, robustness=np.nan, deciding="",
                                            method="t", n=20)
    over_replicates = reference_markdown(plain, NAIVE)
    assert "<details>" not in over_replicates and "of members" not in over_replicates
    assert "over 20 paired replicates" in over_replicates
    assert "holds (an interval that excludes 0): arrests -28 persons (90% interval -45 to " \
           "-14; naive 0)" in over_replicates


# --- the README's section: one source, not stale ----------------------------------------------

def test_the_readme_section_is_the_reference_table_and_the_table_is_written_from_the_csvs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = (REFERENCE / "table.md").read_text(encoding="utf-8")
    assert README_START in readme and README_END in readme
    assert with_reference_section(readme, table) == readme, "run: sim docs reference"
    assert table == reference_markdown(*read_reference(REFERENCE)) + "\n", (
        "run: sim reference --table-only, then sim docs reference")


def test_sim_reference_table_only_and_sim_docs_reference_rewrite_from_a_folder(tmp_path, capsys):
    folder = tmp_path / "reference"
    folder.mkdir()
    comparison_over_members().to_csv(folder / COMPARISON, index=False)
    assert main(["reference", "--table-only", "--out", str(folder)]) == 0
    naive = pd.read_csv(folder / "naive.csv")  # from the shipped scenario files: no runs here
    assert set(naive["scenario"]) == {"no_coordination_centre", "longer_action"}
    assert (naive["naive_difference"] == 0).all()  # neither moves an officer; per day
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{README_START}\nstale table\n{README_END}\n\nAfter.\n")
    assert main(["docs", "reference", "--from", str(folder), "--into", str(readme)]) == 0
    written = readme.read_text()
    assert "stale table" not in written and written.endswith(f"{README_END}\n\nAfter.\n")
    assert (folder / "table.md").read_text().strip() in written
    assert main(["reference", "--table-only", "--out", str(tmp_path / "empty")]) == 2
    assert "holds no comparison.csv" in capsys.readouterr().err


def test_sim_reference_passes_the_ensemble_through_and_says_what_it_runs_over(
        tmp_path, monkeypatch, capsys):
    import sim.analysis.reference as reference

    asked = {}
    monkeypatch.setattr(reference, "build_reference",
                        lambda out, **options: asked.update(options) or [])
    assert main(["reference", "--ensemble", "200", "--replicates", "1", "--out",
                 str(tmp_path / "out")]) == 0
    assert asked["ensemble"] == 200 and asked["replicates"] == 1 and asked["posterior"] is None
    assert "over the first 200 members of" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        main(["reference", "--ensemble", "2", "--posterior", "2"])
    assert exit_.value.code == 2


# --- end to end, tiny ---------------------------------------------------------------------------

def write_members(path: Path, members: int = 8) -> Path:
    """Eight members that differ in how often bilateral channels relay a hit."""
    pd.DataFrame({"member": range(members), "weight": 1 / members,
                  "parameters.relay_probability_without_centre":
                      np.linspace(0.05, 0.95, members)}).to_csv(path, index=False)
    path.with_suffix(".json").write_text(json.dumps({"sampled": [
        {"label": "parameters.relay_probability_without_centre",
         "columns": ["parameters.relay_probability_without_centre"]}]}))
    return path


def test_build_reference_over_members_writes_the_table_with_the_naive_and_deciding_columns(
        tmp_path):
    from sim.analysis.reference import build_reference

    members = write_members(tmp_path / "ensemble.csv")
    out = tmp_path / "reference"
    with pytest.warns(UserWarning, match="rests on 8 ensemble members"):
        written = build_reference(out, replicates=1, workers=1, ensemble=8,
                                  ensemble_file=members,
                                  alternatives=["no_coordination_centre"],
                                  overrides={"action__days": 1})
    assert {out / COMPARISON, out / "naive.csv", out / "table.md"} <= set(written)
    comparison = pd.read_csv(out / COMPARISON).set_index("outcome")
    assert (comparison["method"] == "ensemble").all() and (comparison["draws"] == 8).all()
    cases = comparison.loc["cases_opened"]
    assert cases["deciding"] == "parameters.relay_probability_without_centre"
    table = (out / "table.md").read_text(encoding="utf-8")
    assert "over 8 ensemble members × 1 paired replicate each" in table
    assert "% of members; naive 0 |" in table  # the centre moves no officer
    assert "chiefly relay probability without centre" in table
    assert table == reference_markdown(*read_reference(out)) + "\n"
    write_table(out)  # from the runs' manifests this time: the same officers, the same table
    assert (out / "table.md").read_text(encoding="utf-8") == table
