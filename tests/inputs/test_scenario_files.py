"""Every mistake a planner can make in a scenario file: exit status 2, one clear message naming
the file, the line and the key path (with the closest valid name), and nothing written."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from project import ROOT

from sim.cli import main
from sim.scenario.files import ScenarioError, load_scenario
from sim.scenario.schema import Scenario

BASELINE = ROOT / "scenarios" / "jad_see_2023.yaml"


def variant(body: str) -> str:
    return f"name: variant\nextends: {BASELINE}\n{body}"


# (file name, file text or None for no file, expected fragments of the message)
MISTAKES = {
    "missing file": ("missing.yaml", None, ["missing.yaml", "file not found"]),
    "invalid YAML": ("syntax.yaml", variant("run: {replicates: 2\n"),
                     ["syntax.yaml, line 4", "invalid YAML"]),
    "empty file": ("empty.yaml", "", ["empty.yaml", "file is empty"]),
    "a list, not a mapping": ("list.yaml", "- name: x\n- 2\n",
                              ["list.yaml, line 1", "expected a mapping", "found a list"]),
    "a list where a mapping belongs": ("nested.yaml", variant("action: [1, 2]\n"),
                                       ["nested.yaml, line 3", "action:", "got the list"]),
    "a key in the wrong block": ("block.yaml", variant("days: 3\n"),
                                 ["block.yaml, line 3", "'days' belongs under action"]),
    "a parameter of another block": (
        "param.yaml", variant("parameters:\n  flow_scale: 2\n"),
        ["param.yaml, line 4", "parameters.flow_scale", "belongs under criminal"]),
    "the centre switched off by a boolean": (
        "centre.yaml", variant("europol:\n  coordination_centre: false\n"),
        ["centre.yaml, line 4", "write 'coordination_centre: {enabled: false}'"]),
    "scanning teams listed without teams:": (
        "teams.yaml", variant("scanning_teams:\n  - {place: evzonoi}\n"),
        ["teams.yaml, line 3", "write the list under 'teams:'"]),
    "a shift profile that is neither a word nor weights": (
        "shift.yaml", variant("shifts:\n  green_border: night\n"),
        ["shift.yaml, line 4", "shifts.green_border:", "'traffic' or 'units'", "or: ",
         "valid list"]),
    "a country code in lower case": ("lower.yaml", variant("countries:\n  gr: {officers: 5}\n"),
                                     ["lower.yaml, line 4", "did you mean 'GR'"]),
    "unknown key": ("unknown.yaml", variant("scaning_teams: {teams: []}\n"),
                    ["unknown.yaml, line 3", "scaning_teams", "did you mean 'scanning_teams'"]),
    "unknown nested key": ("nested_key.yaml", variant("europol:\n  analysts_on_grond: 3\n"),
                           ["line 4", "europol.analysts_on_grond",
                            "did you mean 'analysts_on_ground'"]),
    "wrong type": ("type.yaml", variant("run:\n  replicates: many\n"),
                   ["type.yaml, line 4", "run.replicates", "integer", "'many'"]),
    "out of range": ("range.yaml", variant("intelligence:\n  coverage: 1.5\n"),
                     ["range.yaml, line 4", "intelligence.coverage", "less than or equal to 1"]),
    "negative count": ("negative.yaml", variant("countries:\n  GR: {officers: -5}\n"),
                       ["negative.yaml, line 4", "countries.GR.officers", "greater than or equal"]),
    "unknown crossing": ("crossing.yaml",
                         variant("scanning_teams:\n  teams:\n    - {place: evzoni}\n"),
                         ["crossing.yaml, line 5", "scanning_teams.teams.0.place", "evzoni",
                          "did you mean 'evzonoi'"]),
    "unknown country": ("country.yaml", variant("countries:\n  GRE: {officers: 5}\n"),
                        ["country.yaml, line 4", "countries.GRE", "did you mean 'GR'"]),
    "scanning team not at a crossing": (
        "hub.yaml", variant("scanning_teams:\n  teams:\n    - {place: skopje}\n"),
        ["hub.yaml, line 5", "scanning_teams.teams.0.place", "expected a crossing"]),
    "two teams in one place and hour": (
        "two.yaml", variant("scanning_teams:\n  teams:\n    - {place: evzonoi}\n"
                            "    - {place: evzonoi}\n"),
        ["two.yaml, line 4", "scanning_teams.teams", "max_per_place is 1"]),
    "more officers posted than the country has": (
        "posted.yaml", variant("postings:\n  - {country: ME, agency: police, "
                               "posting: road_checkpoint, officers: 900}\n"),
        ["posted.yaml, line 4", "postings.0.officers", "only 700"]),
    "a team working after the action ends": (
        "days.yaml", variant("action: {days: 3}\nscanning_teams:\n  teams:\n"
                             "    - {place: evzonoi, days: [5]}\n"),
        ["days.yaml, line 6", "scanning_teams.teams.0.days", "outside the action"]),
    "a removed booth throughput": (
        "lane.yaml", variant("parameters:\n  lane_vehicles_per_hour: 40\n"),
        ["lane.yaml, line 3", "lane_vehicles_per_hour is no longer a parameter",
         "set first_line_seconds"]),
    "a removed scanner throughput": (
        "scanner.yaml", variant("parameters:\n  scanner_vehicles_per_hour: 12\n"),
        ["scanner.yaml, line 3", "scanner_vehicles_per_hour is no longer a parameter",
         "set scanner_minutes"]),
    "a date written as a number": (
        "number_date.yaml", variant("action: {start: 20231113}\n"),
        ["number_date.yaml, line 3", "action.start", "is a number, not a date",
         "write the date as 2023-11-13"]),
    "a date written as a quoted number": (
        "quoted_date.yaml", variant("action: {start: '1700000000'}\n"),
        ["quoted_date.yaml, line 3", "action.start", "is a number, not a date"]),
    "a decimal number in base 60": (
        "sexagesimal_float.yaml", variant("traffic: {scale: 1:30.5}\n"),
        ["sexagesimal_float.yaml, line 3", "traffic.scale", "'1:30.5'", "base 60"]),
    "a date that does not exist": (
        "no_date.yaml", variant("action:\n  start: 2023-02-30\n"),
        ["no_date.yaml, line 4", "action.start", "'2023-02-30' is not a date"]),
    "a count in hexadecimal": (
        "hex.yaml", variant("countries:\n  TR: {officers: 0x10}\n"),
        ["hex.yaml, line 4", "countries.TR.officers", "'0x10'", "another base"]),
    "a count with a leading zero (octal to YAML)": (
        "octal.yaml", variant("countries:\n  TR:\n    officers: 0100\n"),
        ["octal.yaml, line 5", "countries.TR.officers", "'0100'", "without leading zeros"]),
    "a count in base 60": (
        "sexagesimal.yaml", variant("run: {replicates: 1:30}\n"),
        ["sexagesimal.yaml, line 3", "run.replicates", "'1:30'", "another base"]),
    "two keys that are one once read": (
        "same_key.yaml", variant("sweeps_label: {1: a, true: b}\n"),
        ["same_key.yaml, line 3", "keys '1' (line 3) and 'true' (line 3)",
         "are the same key once read"]),
    "tab indentation": (
        "tabs.yaml", variant("action:\n\tdays: 2\n"),
        ["tabs.yaml, line 4", "tabs cannot indent YAML: use spaces"]),
    "a name that is not a folder name": ("name.yaml", variant("").replace(
        "name: variant", "name: ../../elsewhere"), ["name.yaml, line 1", "name:", "pattern"]),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_each_mistake_gives_exit_2_a_located_message_and_no_folder(tmp_path, capsys, mistake):
    name, text, expected = MISTAKES[mistake]
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    out = tmp_path / "results"
    assert main(["run", str(path), "--out", str(out)]) == 2
    message = capsys.readouterr().err
    for fragment in expected:
        assert fragment in message, (mistake, message)
    assert "Traceback" not in message
    assert not out.exists()
    assert main(["validate", str(path)]) == 2


def test_a_directory_is_not_a_scenario(tmp_path, capsys):
    assert main(["run", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "is a directory" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_cycle_of_extends_is_named(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text("name: a\nextends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("name: b\nextends: a.yaml\n")
    assert main(["run", str(tmp_path / "a.yaml"), "--out", str(tmp_path / "out")]) == 2
    message = capsys.readouterr().err
    assert "cycle of extends" in message and "a.yaml -> " in message
    assert not (tmp_path / "out").exists()


def test_validate_reports_every_bad_file_and_passes_the_good_ones(tmp_path, capsys):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(variant(""))
    bad.write_text(variant("targeting: intelligence\n"))
    assert main(["validate", str(good)]) == 0
    assert main(["validate", str(good), str(bad)]) == 2
    captured = capsys.readouterr()
    assert "good.yaml: ok" in captured.out
    assert "bad.yaml, line 3: targeting" in captured.err


def test_a_bad_file_never_touches_existing_results(tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(variant("action: {days: 1}\nrun: {replicates: 1}\n"))
    bad.write_text(variant("action: {days: -1}\n"))
    out = tmp_path / "out"
    assert main(["run", str(good), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert main(["run", str(bad), "--out", str(out), "--force"]) == 2
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


# --- junk never crashes the loader -----------------------------------------------------------

KEYS = ("name", "extends", "action", "days", "start", "run", "replicates", "seed", "workers",
        "countries", "GR", "officers", "shares", "postings", "scanning_teams", "teams", "place",
        "hours", "frontex", "kind", "count", "europol", "coordination_centre", "enabled",
        "intelligence", "coverage", "targeting", "traffic", "scale", "criminal", "parameters")
SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
           | st.sampled_from(["evzonoi", "GR", "random", "jad_see_2023.yaml", "2023-11-13", ""]))
JUNK = st.recursive(
    SCALARS,
    lambda inner: (st.lists(inner, max_size=4)
                   | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner,
                                     max_size=5)),
    max_leaves=25)
DOCUMENTS = (st.dictionaries(st.sampled_from(KEYS), JUNK, max_size=6).map(
    lambda d: {"name": "junk", **d}) | JUNK)


def load_text(text: str) -> Scenario:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "junk.yaml"
        path.write_text(text, encoding="utf-8")
        return load_scenario(path)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=DOCUMENTS)
def test_junk_yaml_is_a_scenario_or_a_scenario_error(document):
    try:
        text = yaml.safe_dump(document, allow_unicode=True)
    except yaml.YAMLError:
        return
    try:
        assert isinstance(load_text(text), Scenario)
    except ScenarioError as error:
        assert error.problems and str(error)


@settings(max_examples=50, deadline=None)
@given(text=st.text(max_size=200))
def test_junk_text_is_a_scenario_or_a_scenario_error(text):
    try:
        load_text(text)
    except ScenarioError as error:
        assert error.problems


LOADER_GAPS = {
    "a recursive YAML alias": "name: &a [*a]\n",
    "a mapping that contains itself": "a: &a\n  b: *a\nname: x\n",
    "a null byte in extends": 'name: x\nextends: "a\\0b"\n',
    "an over-long extends path": f"name: x\nextends: {'x' * 300}.yaml\n",
}


@pytest.mark.parametrize("case", list(LOADER_GAPS))
def test_pathological_files_are_scenario_errors(case):
    with pytest.raises(ScenarioError):
        load_text(LOADER_GAPS[case])


def test_extends_cannot_be_an_override_of_the_model_either():
    from sim.model import JointActionModel

    with pytest.raises(ScenarioError, match="'extends' cannot be overridden"):
        JointActionModel(load_scenario(BASELINE), rng=1, extends="no_scanning_teams.yaml")


def test_a_merge_key_may_be_overridden_by_a_key_beside_it():
    """`<<: *alias` then a key of the alias's mapping: YAML's merge, not a duplicate."""
    from sim.scenario.reading import parse_yaml

    parsed = parse_yaml("base: &b\n  x: 1\n  y: 2\nother:\n  <<: *b\n  x: 3\n")
    assert parsed.data["other"] == {"x": 3, "y": 2}


@pytest.mark.parametrize("key", ["[", "a[b]", "[x]", "str", "list[float]"])
def test_an_unknown_key_that_looks_like_a_type_tag_is_named_as_written(key):
    """pydantic names union members `list[float]`, `str`...: a planner's key of that shape is
    still the planner's, reported as an unknown key (it raised an IndexError)."""
    from sim.scenario.files import scenario_from_mapping

    with pytest.raises(ScenarioError, match="unknown key") as raised:
        scenario_from_mapping({"name": "x", key: 1})
    assert f": {key}: unknown key" in str(raised.value)
