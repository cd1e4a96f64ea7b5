"""A variant changes one entry of a keyed list (Frontex by kind and place, postings, scanning
teams by place) without restating the others; a patch that names no entry, or several, is a
located scenario error."""

from __future__ import annotations

from pathlib import Path

import pytest
from project import ROOT

from sim.scenario.files import ScenarioError, load_scenario

BASELINE = ROOT / "scenarios" / "jad_see_2023.yaml"


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "variant.yaml"
    path.write_text(f"name: variant\nextends: {BASELINE}\n{body}", encoding="utf-8")
    return path


def frontex(scenario) -> dict[tuple[str, str], int]:
    return {(d.kind, d.place): d.count for d in scenario.frontex}


def test_change_one_frontex_entry_keeps_the_others(tmp_path):
    base = frontex(load_scenario(BASELINE))
    changed = frontex(load_scenario(write(tmp_path, "frontex:\n  change:\n"
                                          "    - {kind: thermal_vision, place: gb_evros, "
                                          "count: 5}\n")))
    assert changed[("thermal_vision", "gb_evros")] == 5 != base[("thermal_vision", "gb_evros")]
    assert {k: v for k, v in changed.items() if k != ("thermal_vision", "gb_evros")} == {
        k: v for k, v in base.items() if k != ("thermal_vision", "gb_evros")}


def test_change_adds_a_new_entry_and_remove_deletes_one(tmp_path):
    base = frontex(load_scenario(BASELINE))
    removed = next(iter(base))
    changed = frontex(load_scenario(write(tmp_path, (
        "frontex:\n  change:\n    - {kind: detection_kit, place: horgos, count: 3}\n"
        f"  remove:\n    - {{kind: {removed[0]}, place: {removed[1]}}}\n"))))
    assert ("detection_kit", "horgos") not in base
    assert changed[("detection_kit", "horgos")] == 3
    assert removed not in changed
    assert len(changed) == len(base)


def test_a_whole_list_still_replaces(tmp_path):
    changed = load_scenario(write(tmp_path, "frontex:\n  - {kind: thermal_vision, "
                                  "place: gb_evros}\n"))
    assert frontex(changed) == {("thermal_vision", "gb_evros"): 1}


def test_removing_an_entry_the_base_lacks_is_a_located_error(tmp_path):
    path = write(tmp_path, "frontex:\n  remove:\n    - {kind: detection_kit, place: horgos}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "variant.yaml, line 5" in message
    assert "frontex.remove.0" in message
    assert "no entry of the base list has kind=detection_kit, place=horgos" in message


def test_a_patched_entry_is_validated_like_any_other(tmp_path):
    path = write(tmp_path, "frontex:\n  change:\n    - {kind: thermal_vision, place: gb_evros, "
                 "count: 0}\n")
    with pytest.raises(ScenarioError, match="count"):
        load_scenario(path)


def test_a_scanning_team_is_changed_by_its_place(tmp_path):
    base = load_scenario(BASELINE).scanning_teams.teams
    place = base[0].place
    changed = load_scenario(write(tmp_path, "scanning_teams:\n  teams:\n    change:\n"
                                  f"      - {{place: {place}, hours: [8, 20]}}\n"))
    teams = changed.scanning_teams.teams
    assert [t.place for t in teams] == [t.place for t in base]
    assert teams[0].hours == (8, 20) and teams[0].country == base[0].country


def test_the_same_entry_changed_twice_is_a_located_error(tmp_path):
    path = write(tmp_path, "frontex:\n  change:\n"
                 "    - {kind: thermal_vision, place: gb_evros, count: 4}\n"
                 "    - {kind: thermal_vision, place: gb_evros, count: 1}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "frontex.change.1" in message and "line 6" in message
    assert "entries 0 and 1 of change both name kind=thermal_vision, place=gb_evros" in message


def test_a_problem_in_a_changed_entry_is_named_where_it_was_written(tmp_path):
    path = write(tmp_path, "frontex:\n  change:\n"
                 "    - {kind: detection_kit, place: kalotina, count: 0}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert "line 5: frontex.change.0.count" in str(caught.value)
    path = write(tmp_path, "frontex:\n  change:\n    - {place: kalotina, count: 2}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert "frontex.change.0.kind: change entries name the entry they mean by kind and place" \
        in str(caught.value)


def test_an_inherited_entry_or_share_that_no_longer_fits_says_where_it_comes_from(tmp_path):
    path = write(tmp_path, "countries:\n  GR: {officers: 0}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert "comes from the file this one extends" in str(caught.value)
    assert "frontex: {remove: [{kind: detection_kit, place: port_thessaloniki}]}" \
        in str(caught.value)
    base = BASELINE.parent / "business_as_usual.yaml"
    path.write_text(f"name: variant\nextends: {base}\ncountries:\n"
                    "  GR: {shares: {crossing: 0.7, green_border: 0.3}}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"from the file this one extends: port 0\.04"):
        load_scenario(path)


@pytest.mark.parametrize(("patch", "message"), [
    ("frontex:\n  change:\n    - {kind: detection_kit, place: [horgos], count: 2}\n",
     "frontex.change.0"),
    ("frontex:\n  change:\n    - {kind: thermal_vision, place: gb_evros, count: 3}\n"
     "  remove:\n    - {kind: thermal_vision, place: gb_evros}\n",
     "both changed and removed"),
])
def test_a_patch_that_cannot_mean_one_thing_is_a_located_error(tmp_path, patch, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(write(tmp_path, patch))
