"""The harm index and the crime areas in every reading: `sim compare` prints per-area rows and
the harm index with intervals, `--harm` changes the harm rows and nothing else, a trade between
areas is said in words, and the workbook, the marginal table and the README table carry them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from standins import run_small, small

import sim
from sim.analysis.harm import load_harm_weights
from sim.analysis.headline import sentence, short_finding
from sim.cli import main
from sim.model.outcomes import HARM_OUTCOME_NAMES, OUTCOME_NAMES
from sim.model.streams import Streams
from sim.runs.replicate import EVENT_COLUMNS, ReplicateResult


def trading_replicate(scenario, seed: int, *, replicate: int = 0,
                      check_invariants: bool = False) -> ReplicateResult:
    """A stand-in whose scanning teams stop more migrant groups and seize fewer drugs (both
    with noise from the seed, the same noise for every allocation)."""
    streams = Streams.from_seed(seed)
    teams = len(scenario.scanning_teams.teams)
    summary = dict.fromkeys(OUTCOME_NAMES, 0.0)
    gain, loss = streams.inland.normal(60.0, 6.0), streams.inland.normal(30.0, 3.0)
    summary["migrants_stopped"] = float(streams.departures.poisson(400) + gain * teams)
    summary["cocaine_kg"] = float(streams.checks.gamma(20.0, 10.0) - loss * teams)
    summary["drugs_kg_total"] = summary["cocaine_kg"]
    summary["weapons_seized"] = float(streams.inland.poisson(50))
    summary["legitimate_vehicles"] = 1000.0
    daily = pd.DataFrame({"day": [1], "date": ["2023-11-13"], "place": "evzonoi",
                          "place_name": "Evzonoi", "country": "GR", "kind": "crossing"})
    for name in sim.model.outcomes.PLACE_OUTCOMES:
        daily[name] = 0.0
    events = pd.DataFrame([{column: None for column in EVENT_COLUMNS}])
    return ReplicateResult(replicate, seed, summary, daily, events)


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """Two runs of 6 replicates on the same seeds: the second has two scanning teams."""
    root = tmp_path_factory.mktemp("trading")
    for name, teams in (("base", 0), ("teams", 2)):
        run_small(small(name, replicates=6, teams=teams), out=root / name, workers=1,
                  replicate_function=trading_replicate)
    return {"base": root / "base", "teams": root / "teams", "root": root}


def test_compare_prints_per_area_rows_and_the_harm_index_with_intervals(folders, capsys,
                                                                       monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    assert main(["compare", str(folders["base"]), str(folders["teams"])]) == 0
    out = capsys.readouterr().out
    lines = {line.split("(")[0].strip(): line for line in out.splitlines() if " to " in line}
    text = " ".join(out.split())
    for heading in ("harm index", "migrants stopped", "drugs seized", "weapons seized",
                    "victims identified", "arrests: other", "forged documents"):
        assert heading in lines, heading
    migrants, drugs = (lines[name].split()[-5:-1] for name in ("migrants stopped",
                                                               "drugs seized"))
    assert 100 < float(migrants[0].replace(",", "")) < 140  # about 60 more per team
    assert float(migrants[1]) > 0 and float(drugs[3]) < 0  # intervals exclude 0
    assert "Harm index: weights default (sim/data/harm/default.yaml, sha256" in text
    assert "A trade between crime areas: more migrants stopped, fewer drugs seized." in text


def test_harm_changes_the_harm_rows_and_nothing_else(folders, capsys):
    tables = {}
    for name, extra in (("default", []), ("persons", ["--harm", "persons_first"])):
        out = folders["root"] / f"compare_{name}"
        assert main(["compare", str(folders["base"]), str(folders["teams"]), "--out",
                     str(out), "--no-figures", *extra]) == 0
        tables[name] = pd.read_csv(out / "comparison.csv").set_index("outcome")
    capsys.readouterr()
    default, persons = tables["default"], tables["persons"]
    harm = list(HARM_OUTCOME_NAMES)
    pd.testing.assert_frame_equal(default.drop(index=harm), persons.drop(index=harm))
    weights = {name: load_harm_weights(name).as_mapping
               for name in ("default", "persons_first")}
    for table, name in ((default, "default"), (persons, "persons_first")):
        expected = (table.loc["migrants_stopped", "difference"]
                    * weights[name]["migrants_stopped"]
                    + table.loc["cocaine_kg", "difference"] * weights[name]["cocaine_kg"])
        assert table.loc["harm_index", "difference"] == pytest.approx(expected)
        assert table.loc["harm_index", "ci_low"] < table.loc["harm_index", "ci_high"]
        assert table.loc["harm_index", "harm_weights"].startswith(f"{name} (")
    assert default.loc["harm_index", "difference"] < 0 < persons.loc["harm_index", "difference"]
    # the API reads with the same weights, given as a name, a file or a mapping
    api = sim.compare(folders["base"], folders["teams"], harm="persons_first")
    row = api[api["outcome"] == "harm_index"].iloc[0]
    assert row["difference"] == pytest.approx(persons.loc["harm_index", "difference"])
    mine = sim.compare(folders["base"], folders["teams"], harm={"migrants_stopped": 1.0},
                       outcomes=["harm_index", "harm_migrant_smuggling"])
    gained = default.loc["migrants_stopped", "difference"]
    assert mine.set_index("outcome")["difference"].tolist() == pytest.approx([gained, gained])


def _rows(changes: dict[str, tuple[float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame([{"scenario": "more_patrols", "outcome": outcome, "unit": unit,
                          "base_mean": 100.0, "mean": 100.0 + difference,
                          "difference": difference, "relative_difference": difference / 100,
                          "ci_low": low, "ci_high": high, "paired": True, "n": 10,
                          "base": "jad_see_2023", "method": "t", "level": 0.9,
                          "per_day": False, "draws": 0, "robustness": np.nan,
                          "harm_weights": ""}
                         for outcome, (difference, low, high), unit in zip(
                             changes, changes.values(),
                             ["persons", "kg", "weapons", "harm points"], strict=True)])


def test_a_trade_between_crime_areas_reads_in_words():
    traded = _rows({"migrants_stopped": (33.0, 20.0, 46.0), "drugs_kg_total": (-135.0, -239.0,
                                                                                -30.0),
                    "weapons_seized": (-0.5, -2.0, 1.0), "harm_index": (-20.0, -50.0, 10.0)})
    words = "more migrants stopped, fewer drugs seized"
    assert f"It trades one crime area for another: {words}." in sentence(traded, "more_patrols")
    assert short_finding(traded, "more_patrols").endswith(f"A trade between crime areas: "
                                                          f"{words}.")
    # an area within noise is no trade: gains alone are said as gains
    gains = _rows({"migrants_stopped": (33.0, 20.0, 46.0), "drugs_kg_total": (-5.0, -20.0, 9.0),
                   "weapons_seized": (1.0, 0.5, 1.5), "harm_index": (20.0, 5.0, 35.0)})
    assert "trade" not in sentence(gains, "more_patrols")
    assert "trade" not in short_finding(gains, "more_patrols")


def test_the_workbook_has_a_sheet_by_crime_area_with_the_weights_named(folders, capsys):
    book = folders["root"] / "book.xlsx"
    assert main(["export", str(folders["teams"]), "--base", str(folders["base"]), "--xlsx",
                 str(book), "--harm", "drug_harm_first"]) == 0
    capsys.readouterr()
    sheets = pd.read_excel(book, sheet_name=None)
    assert list(sheets)[:3] == ["about", "comparison", "by crime area"]
    areas = sheets["by crime area"].set_index("outcome id")
    assert areas.index[0] == "harm_index"
    assert {"migrants_stopped", "harm_migrant_smuggling", "drugs_kg_total",
            "harm_drug_trafficking"} <= set(areas.index)
    assert areas.loc["migrants_stopped", "crime area"] == "migrant smuggling"
    comparison = sheets["comparison"].set_index("outcome id")
    assert areas.loc["migrants_stopped", "difference"] == pytest.approx(
        comparison.loc["migrants_stopped", "difference"])
    weights = load_harm_weights("drug_harm_first").as_mapping
    assert areas.loc["harm_drug_trafficking", "difference"] == pytest.approx(
        comparison.loc["cocaine_kg", "difference"] * weights["cocaine_kg"])
    about = sheets["about"].set_index("item")["what"]
    assert about["harm weights"].startswith("drug_harm_first (sim/data/harm/"
                                            "drug_harm_first.yaml, sha256 ")
    assert "harm index (harm points)" in set(sheets["replicates"].columns)


def test_marginal_and_readme_tables_lead_with_the_harm_index_and_the_areas():
    from sim.analysis.reference import readme_table
    from sim.decisions.marginal import marginal_table, traded

    seeds = range(5)
    base = pd.DataFrame([{"replicate": r, **dict.fromkeys(OUTCOME_NAMES, 0.0),
                          "migrants_stopped": 100.0 + r, "cocaine_kg": 50.0 + r % 2}
                         for r in seeds])
    block = base.assign(migrants_stopped=base["migrants_stopped"] + 9 + base.index % 2,
                        cocaine_kg=base["cocaine_kg"] - 4 - base.index % 2)
    block["drugs_kg_total"] = block["cocaine_kg"]
    base["drugs_kg_total"] = base["cocaine_kg"]
    table = marginal_table(base, {"officers_green_border": block}, ("migrants_stopped",
                                                                   "drugs_kg_total"),
                           load_harm_weights("default"))
    rows = table.set_index("outcome")
    assert rows.loc["harm_index", "mean"] == pytest.approx(9.4 * 1.3 - 4.4 * 170)
    assert rows.loc["harm_index", "harm_weights"].startswith("default (")
    assert traded(table, "officers_green_border") == ("more migrants stopped, fewer drugs "
                                                      "seized")
    comparison = sim.compare(*[
        sim.Results(frame.assign(scenario=name, seed=frame["replicate"]), pd.DataFrame(),
                    pd.DataFrame(), {"scenario_name": name})
        for name, frame in (("jad_see_2023", base), ("more_green_border", block))])
    text = readme_table(comparison)
    assert text.index("| scenario | harm index (points) | migrants stopped | drugs kg |") < \
        text.index("| scenario | arrests |")
    assert "Harm index: weights default (sim/data/harm/default.yaml" in text


def test_harm_outcomes_have_short_distinct_labels_and_a_bad_file_is_exit_2(folders, tmp_path,
                                                                          capsys):
    from sim.model.outcomes import HARM_LABELS, LABELS

    assert set(HARM_LABELS) == set(HARM_OUTCOME_NAMES)
    labels = [*LABELS.values(), *HARM_LABELS.values()]
    assert len(set(labels)) == len(labels) and max(map(len, HARM_LABELS.values())) <= 32
    bad = tmp_path / "bad.yaml"
    bad.write_text("weights:\n  cocain_kg: 3\n")
    with pytest.raises(SystemExit) as exit_:
        main(["compare", str(folders["base"]), str(folders["teams"]), "--harm", str(bad)])
    assert exit_.value.code == 2
    assert "weights.cocain_kg: 'cocain_kg' is not an outcome of the model; did you mean " \
           "'cocaine_kg'?" in capsys.readouterr().err
