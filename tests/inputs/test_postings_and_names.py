"""Postings as a planner reads them (what they take from each contingent, postings away from a
country's own borders) and places found by the names people use (local names, exonyms, posts of
a crossing), with suggestions that prefer the entry's country and `sim list` views that agree."""

from __future__ import annotations

import csv

import pytest
from project import ROOT
from strategies import baseline

from sim.cli import main
from sim.geography import GeographyError, load_route_graph
from sim.geography.names import find_places, fold, read_aliases, suggest_place
from sim.scenario.allocation import allocation_notes, check_scenario
from sim.scenario.files import ScenarioError
from sim.scenario.postings import away_notes, explicit_postings

ROUTE_GRAPH = load_route_graph()
PRESEVO = {"country": "RS", "agency": "border_police", "posting": "crossing",
           "place": "tabanovce", "officers": 300}


def with_postings(*postings: dict, rs_officers: int = 2800):
    return baseline(countries={"RS": {"officers": rs_officers}}, postings=list(postings))


# --- postings --------------------------------------------------------------------------------

def test_validate_says_what_postings_take_from_each_contingent():
    lines = explicit_postings(with_postings(PRESEVO), ROUTE_GRAPH)
    assert lines == ["RS: 300 of its 2,800 officers posted explicitly (300 border police at "
                     "Tabanovce / Preševo (crossing)); the shares spread the other 2,500"]
    spread = explicit_postings(with_postings({**PRESEVO, "place": None}), ROUTE_GRAPH)
    assert "300 border police at its crossing places (spread)" in spread[0]


def test_posted_officers_come_out_of_the_contingent():
    from sim.scenario.allocation import build_units

    units = build_units(with_postings(PRESEVO), ROUTE_GRAPH)
    assert sum(u.officers for u in units if u.country == "RS") == 2800
    at = sum(u.officers for u in units if u.country == "RS" and u.place == "tabanovce")
    before = sum(u.officers for u in build_units(baseline(), ROUTE_GRAPH)
                 if u.country == "RS" and u.place == "tabanovce")
    assert at - before == 300  # the other 2,500 spread as in 2023
    with pytest.raises(ScenarioError, match=r"contingent .* is only 2500"):
        check_scenario(with_postings({**PRESEVO, "officers": 2600}, rs_officers=2500))


def test_a_posting_far_from_its_country_is_noted_unless_it_says_away():
    far = {**PRESEVO, "place": "kipoi"}  # Serbian officers at the Greek-Turkish border
    notes = away_notes(with_postings(far), ROUTE_GRAPH)
    assert len(notes) == 1 and notes[0].startswith("postings.0: 300 RS officers at 'kipoi'")
    assert "GR–TR" in notes[0] and "km from RS's nearest" in notes[0]
    assert "'away: true'" in notes[0]
    assert notes[0] in allocation_notes(with_postings(far), ROUTE_GRAPH)
    assert away_notes(with_postings({**far, "away": True}), ROUTE_GRAPH) == []
    assert away_notes(with_postings(PRESEVO), ROUTE_GRAPH) == []  # RS's own border
    visitors = baseline(postings=[{"country": "NL", "agency": "customs", "posting": "crossing",
                                   "place": "evzonoi", "officers": 4}])
    assert away_notes(visitors, ROUTE_GRAPH) == []  # visiting contingents serve abroad


def test_sim_validate_prints_postings_and_the_away_note(tmp_path, capsys):
    for name in ("jad_see_2023.yaml", "calibrated.yaml"):
        (tmp_path / name).write_text((ROOT / "scenarios" / name).read_text())
    variant = tmp_path / "far.yaml"
    variant.write_text("name: far\nextends: jad_see_2023.yaml\n"
                       "countries: {RS: {officers: 2800}}\npostings:\n"
                       "  - {country: RS, agency: border_police, posting: crossing, "
                       "place: kipoi, officers: 300}\n")
    assert main(["validate", str(variant)]) == 0
    said = capsys.readouterr()
    assert "postings: RS: 300 of its 2,800 officers posted explicitly" in said.out
    assert "sim validate: note: postings.0: 300 RS officers at 'kipoi'" in said.err


def test_sim_params_shows_the_fields_of_a_posting(capsys):
    assert main(["params", "postings"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for field in ("- country: str, required", "- place: str, default None",
                  "- officers: int [≥ 0, ≤ 250000], required", "- away: bool"):
        assert field in out
    assert "come out of the country's contingent" in out


# --- names -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "place"), [
    ("presevo", "tabanovce"), ("Preševo", "tabanovce"), ("Прешево", "tabanovce"),
    ("Kapıkule", "kapitan_andreevo"), ("kapikule", "kapitan_andreevo"),
    ("Εύζωνοι", "evzonoi"), ("ΕΥΖΩΝΟΙ", "evzonoi"), ("Solun", "thessaloniki"),
    ("kapitan_andreevo", "kapitan_andreevo"), ("Röszke", "horgos")])
def test_local_names_and_exonyms_find_their_place(written, place):
    assert find_places(written, ROUTE_GRAPH) == [place]


def test_folding_drops_case_accents_and_separators():
    assert fold("Preševo") == fold("PRESEVO") == "presevo"
    assert fold("Kapıkule") == "kapikule" and fold("kapitan_andreevo") == "kapitan andreevo"
    assert fold("Εύζωνοι") == fold("ΕΥΖΩΝΟΙ")


def test_every_alias_names_a_place_and_has_a_source():
    aliases = read_aliases()
    assert len(aliases) >= 50
    assert set(aliases["place_id"]) <= set(ROUTE_GRAPH.graph)
    assert aliases["source"].str.len().min() > 10


def test_an_alias_of_an_unknown_place_is_refused_with_its_line(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for path in (ROOT / "sim" / "data").glob("*.csv"):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    with (folder / "aliases.csv").open("a", encoding="utf-8", newline="") as file:
        csv.writer(file).writerow(["Pirot", "pirott", "sr", "a test"])
    with pytest.raises(GeographyError, match=r"aliases.csv line \d+: unknown place 'pirott'"):
        read_aliases(folder)


def test_a_scenario_naming_a_place_by_its_local_name_is_told_the_id(tmp_path):
    with pytest.raises(ScenarioError) as error:
        check_scenario(with_postings({**PRESEVO, "place": "presevo"}))
    message = str(error.value)
    assert "'tabanovce' (Tabanovce / Preševo) is called so" in message
    assert "did you mean 'tabanovce'?" in message


def test_suggestions_prefer_the_country_of_the_entry():
    crossings = ROUTE_GRAPH.ids_of_kind("crossing")
    # 'petrovo' is about as close to Lesovo (BG-TR) as to Ličko Petrovo Selo (HR-BA): a
    # Croatian posting means the Croatian crossing
    assert suggest_place("petrovo", crossings, ROUTE_GRAPH) == "lesovo"
    assert suggest_place("petrovo", crossings, ROUTE_GRAPH,
                         countries=["HR"]) == "licko_petrovo_selo"
    # a clearly closer place of another country still wins (Albița is Romanian)
    assert suggest_place("albta", crossings, ROUTE_GRAPH, countries=["RS"]) == "albita"
    assert suggest_place("batrovc", crossings, ROUTE_GRAPH, countries=["RS"]) == "batrovci"
    assert suggest_place("kelebia", crossings, ROUTE_GRAPH, countries=["RS"]) == "kelebija"
    # the case: 'presevo' used to suggest 'gyueshevo'
    assert suggest_place("presevo", crossings, ROUTE_GRAPH, countries=["RS"]) == "tabanovce"
    assert suggest_place("presevoo", crossings, ROUTE_GRAPH, countries=["RS"]) == "tabanovce"


def test_both_list_views_of_a_country_agree(capsys):
    assert main(["list", "places", "--country", "RS", "--kind", "crossing", "--csv"]) == 0
    places = {row["id"] for row in csv.DictReader(capsys.readouterr().out.splitlines())}
    assert main(["list", "crossings", "--country", "RS", "--csv"]) == 0
    crossings = {row["place_id"] for row in csv.DictReader(capsys.readouterr().out.splitlines())}
    assert places == crossings and {"tabanovce", "kalotina", "batrovci"} <= places
    assert main(["list", "places", "--country", "RS", "--kind", "green_border", "--csv"]) == 0
    sectors = {row["id"] for row in csv.DictReader(capsys.readouterr().out.splitlines())}
    assert {"gb_mk_rs", "gb_rs_hu", "gb_ba_rs"} <= sectors  # either side of the border


def test_sim_list_finds_places_by_local_names(capsys):
    assert main(["list", "places", "--name", "Εύζωνοι", "--csv"]) == 0
    assert [row["id"] for row in csv.DictReader(capsys.readouterr().out.splitlines())] == [
        "evzonoi"]
    assert main(["list", "crossings", "--name", "presevo"]) == 0
    assert "tabanovce" in capsys.readouterr().out
    assert main(["list", "places", "--name", "atlantis"]) == 2
    assert "no places called so" in capsys.readouterr().err
