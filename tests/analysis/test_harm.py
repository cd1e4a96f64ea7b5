"""The harm index (sim/analysis/harm.py): hand-computed cases, rankings that follow the
weights alone, and weight files checked before use."""

from __future__ import annotations

import pandas as pd
import pytest
from strategies import run_model, small_scenario

from sim.analysis.harm import (
    HARM_AREAS,
    WEIGHT_SETS,
    HarmWeightsError,
    harm_by_area,
    harm_contributions,
    harm_index,
    load_harm_weights,
    rank_by_harm,
    rankings,
    shipped_weight_sets,
)
from sim.model.outcomes import OUTCOME_NAMES


def summary(rows: list[dict[str, float]]) -> pd.DataFrame:
    """A summary table (every outcome a column, 0 unless given), one row per replicate."""
    return pd.DataFrame([{name: 0.0 for name in OUTCOME_NAMES} | row for row in rows])


def test_the_index_is_the_sum_of_weighted_outcomes():
    table = summary([{"cocaine_kg": 10, "heroin_kg": 2, "victims_identified": 1},
                     {"cocaine_kg": 0, "heroin_kg": 0, "victims_identified": 3}])
    weights = {"cocaine_kg": 2.0, "heroin_kg": 5.0, "victims_identified": 100.0}
    assert harm_index(table, weights).tolist() == [10 * 2 + 2 * 5 + 100, 300]
    parts = harm_contributions(table, weights)
    assert parts.loc[0].to_dict() == {"cocaine_kg": 20.0, "heroin_kg": 10.0,
                                      "victims_identified": 100.0}


def test_harm_by_area_books_each_outcome_to_its_crime_area():
    table = summary([{"cocaine_kg": 10, "migrants_stopped": 40, "weapons_seized": 2,
                      "forged_documents": 3, "networks_disrupted": 1,
                      "arrests_migrant_smuggling": 4, "movements_stopped_thb": 5}])
    weights = {"cocaine_kg": 2, "migrants_stopped": 0.5, "weapons_seized": 7,
               "forged_documents": 1, "networks_disrupted": 11, "arrests_migrant_smuggling": 3,
               "movements_stopped_thb": 2}
    row = harm_by_area(table, weights).loc[0]
    assert row["harm_drug_trafficking"] == 20
    assert row["harm_migrant_smuggling"] == 40 * 0.5 + 4 * 3
    assert row["harm_firearms_trafficking"] == 14
    assert row["harm_thb"] == 10
    assert row["harm_document_fraud"] == 3
    assert row["harm_all_areas"] == 11
    assert row["harm_high_risk_networks"] == 0
    assert row["harm_index"] == sum(row[f"harm_{area}"] for area in HARM_AREAS) == 90


# Two fixed summaries: "drugs" seizes more cocaine, "persons" stops more migrants.
DRUGS = summary([{"cocaine_kg": 100, "migrants_stopped": 500},
                 {"cocaine_kg": 100, "migrants_stopped": 520}])
PERSONS = summary([{"cocaine_kg": 60, "migrants_stopped": 1500},
                   {"cocaine_kg": 60, "migrants_stopped": 1480}])


def test_changing_only_the_weights_reorders_two_fixed_summaries():
    """Default weights (cocaine 170, a migrant 1.3 points) put the cocaine seizures first:
    100 x 170 + 510 x 1.3 = 17,663 against 60 x 170 + 1,490 x 1.3 = 12,137. Persons first
    (cocaine 42.5, a migrant 32.872) reverses it: 20,515 against 51,529. The summaries are the
    same objects; only the weights file changed."""
    summaries = {"drugs": DRUGS, "persons": PERSONS}
    default = rank_by_harm(summaries, load_harm_weights("default"))
    assert default["label"].tolist() == ["drugs", "persons"]
    assert default["harm_index"].tolist() == pytest.approx([100 * 170 + 510 * 1.3,
                                                            60 * 170 + 1490 * 1.3])
    persons = rank_by_harm(summaries, load_harm_weights("persons_first"))
    assert persons["label"].tolist() == ["persons", "drugs"]
    assert persons["harm_index"].tolist() == pytest.approx([60 * 42.5 + 1490 * 32.872,
                                                            100 * 42.5 + 510 * 32.872])
    table = rankings(summaries)
    assert table.to_dict("index") == {"drugs": {"default": 1, "drug_harm_first": 1,
                                                "persons_first": 2},
                                      "persons": {"default": 2, "drug_harm_first": 2,
                                                  "persons_first": 1}}


def test_every_shipped_weight_has_a_unit_and_a_source():
    sets = shipped_weight_sets()
    assert tuple(sets) == WEIGHT_SETS
    for name, weights in sets.items():
        assert weights.name == name and weights.description
        for weight in weights.weights.values():
            assert weight.unit and weight.source, (name, weight.outcome)
            assert weight.weight > 0
    default = sets["default"].as_mapping
    drugs = ("heroin_kg", "cocaine_kg", "cannabis_kg", "synthetic_kg")
    assert all(sets["drug_harm_first"].as_mapping[d] > default[d] for d in drugs)
    assert sets["persons_first"].as_mapping["migrants_stopped"] > default["migrants_stopped"]
    assert set(sets["persons_first"].weights) == set(sets["default"].weights)


def test_the_default_drug_weights_follow_the_stated_arithmetic():
    """heroin 347 per kg; another drug = 347 x (its score / 55) x (its doses per kg / heroin's):
    Nutt et al. 2010 scores cocaine 27, amphetamine 23, cannabis 20; cannabis 4,000 joints per
    kg against 10,000 doses (default.yaml)."""
    weights = load_harm_weights("default").as_mapping
    assert weights["heroin_kg"] == round(44_231 / (0.5 * 365 * 0.349 / 0.5))
    assert weights["cocaine_kg"] == pytest.approx(347 * 27 / 55, abs=1)
    assert weights["synthetic_kg"] == pytest.approx(347 * 23 / 55, abs=1)
    assert weights["cannabis_kg"] == pytest.approx(347 * 20 / 55 * 0.4, abs=1)


def test_a_run_of_the_model_has_a_harm_index_by_area():
    model = run_model(small_scenario(action={"days": 2}, criminal={"flow_scale": 2.0}), 3)
    table = pd.DataFrame([model.outcomes()])
    areas = harm_by_area(table, load_harm_weights())
    assert areas["harm_index"].iloc[0] > 0
    assert areas["harm_index"].iloc[0] == pytest.approx(
        areas.drop(columns="harm_index").iloc[0].sum())


def write(tmp_path, text: str):
    path = tmp_path / "weights.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "expected"), [
    ("weights:\n  cocain_kg: 3\n", r"weights\.cocain_kg: 'cocain_kg' is not an outcome of the "
     r"model; did you mean 'cocaine_kg'\?"),
    ("weights:\n  cocaine_kg: -1\n", r"weights\.cocaine_kg: -1 is negative"),
    ("weights:\n  cocaine_kg: ten\n", r"weights\.cocaine_kg: expected a number .* got 'ten'"),
    ("weights:\n  cocaine_kg: yes\n", r"weights\.cocaine_kg: expected a number .* got True"),
    ("weights:\n  cocaine_kg: .nan\n", r"weights\.cocaine_kg: nan is not a finite number"),
    ("weights:\n  cocaine_kg: {wieght: 3}\n", r"weights\.cocaine_kg\.wieght: unknown key; did "
     r"you mean 'weight'\?"),
    ("weights:\n  cocaine_kg: {unit: kg}\n", r"weights\.cocaine_kg: no 'weight' given"),
    ("weights:\n  cocaine_kg: {weight: -2, unit: kg}\n", r"weights\.cocaine_kg\.weight: -2 is "
     "negative"),
    ("weights:\n  cocaine_kg: {weight: 2, area: drugs}\n", r"weights\.cocaine_kg\.area: 'drugs' "
     "is not a crime area"),
    ("wieghts:\n  cocaine_kg: 2\n", r"wieghts: unknown key; did you mean 'weights'\?"),
    ("weights: {}\n", r"weights: expected a mapping of outcome names to weights, with at least "
     "one entry"),
    ("weights:\n  cocaine_kg: 2\n  cocaine_kg: 3\n",
     r"\(line 3\): key 'cocaine_kg' is given twice"),
    ("- cocaine_kg\n", r"expected a mapping with 'weights:', got list"),
])
def test_a_bad_weights_file_is_refused_naming_file_and_key(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(HarmWeightsError, match=expected) as caught:
        load_harm_weights(path)
    assert str(path) in str(caught.value)


def test_a_missing_weights_file_is_named(tmp_path):
    with pytest.raises(HarmWeightsError, match=r"nowhere\.yaml: file not found"):
        load_harm_weights(tmp_path / "nowhere.yaml")


def test_a_planner_file_of_plain_numbers_works(tmp_path):
    path = write(tmp_path, "name: mine\nweights:\n  cocaine_kg: 1\n  migrants_stopped: 2\n")
    weights = load_harm_weights(path)
    assert weights.name == "mine" and weights.as_mapping == {"cocaine_kg": 1.0,
                                                             "migrants_stopped": 2.0}
    assert harm_index(DRUGS, weights).tolist() == [100 + 1000, 100 + 1040]


def test_a_summary_without_a_weighted_outcome_is_refused():
    with pytest.raises(HarmWeightsError, match="no column 'migrants_stopped'"):
        harm_index(pd.DataFrame({"cocaine_kg": [1.0]}), {"migrants_stopped": 1.0})
    with pytest.raises(HarmWeightsError, match=r"'cocain_kg' is not an outcome.*'cocaine_kg'"):
        harm_index(DRUGS, {"cocain_kg": 1.0})
