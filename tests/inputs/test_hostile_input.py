"""A hostile user: every input class that once lost data, hung, exhausted memory, was silently
accepted or gave a traceback. Each is refused with exit status 2, one message naming the file
(and line and key where there is one), no traceback and nothing written; memory and time stay
bounded. The fuzz test at the end builds scenario files from the grammar of these classes."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from commandline import run
from project import ROOT

from sim.cli import main
from sim.runs.folder import MARKER
from sim.scenario.files import load_scenario
from sim.scenario.reading import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES

BASELINE = ROOT / "scenarios" / "jad_see_2023.yaml"


def tiny(folder: Path, name: str | None = "tiny", extra: str = "", file: str = "tiny") -> Path:
    """A one-day, scaled-down baseline (a replicate takes a fraction of a second)."""
    path = folder / f"{file}.yaml"
    head = f"name: {name}\n" if name else ""
    action = "" if extra.startswith("action:") else "action: {days: 1}\n"
    path.write_text(f"{head}extends: {BASELINE}\n{action}"
                    "run: {replicates: 1, seed: 11}\ntraffic: {scale: 0.2}\n"
                    f"criminal: {{flow_scale: 0.3}}\n{extra}")
    return path


def files_under(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def refused(status: int, message: str, *fragments: str) -> None:
    assert status == 2, message
    assert "Traceback" not in message, message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


# --- data loss: the results folder is ours alone ---------------------------------------------

def test_force_refuses_a_folder_with_a_foreign_manifest_and_deletes_nothing(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text("{}")
    (out / "thesis.tex").write_text("years of work")
    before = files_under(out)
    status, message = run("run", str(tiny(tmp_path)), "--out", str(out), "--force")
    refused(status, message, "not a results folder", MARKER, "nothing was deleted")
    assert files_under(out) == before


def test_force_refuses_a_run_folder_holding_a_foreign_file_and_deletes_nothing(tmp_path):
    out = tmp_path / "out"
    scenario = str(tiny(tmp_path))
    assert run("run", scenario, "--out", str(out), "--quiet", "--workers", "1")[0] == 0
    (out / "notes.txt").write_text("mine")
    (out / "replicates" / "000000" / "plot.png").write_bytes(b"png")
    before = files_under(out)
    status, message = run("run", scenario, "--out", str(out), "--force", "--quiet")
    refused(status, message, "notes.txt", "replicates/000000/plot.png", "nothing was deleted")
    assert files_under(out) == before


def test_force_replaces_only_what_a_run_wrote(tmp_path):
    out = tmp_path / "out"
    scenario = str(tiny(tmp_path))
    assert run("run", scenario, "--out", str(out), "--quiet", "--workers", "1")[0] == 0
    first = json.loads((out / MARKER).read_text())
    assert json.loads((out / "manifest.json").read_text())["run_id"] == first["run_id"]
    assert run("run", scenario, "--out", str(out), "--quiet", "--workers", "1", "--force",
               "--seed", "5")[0] == 0
    second = json.loads((out / MARKER).read_text())
    assert second["run_id"] != first["run_id"] and second["source"] == str(Path(scenario))


def test_force_never_replaces_another_scenarios_results(tmp_path):
    out = tmp_path / "out"
    assert run("run", str(tiny(tmp_path)), "--out", str(out), "--quiet", "--workers", "1")[0] == 0
    before = files_under(out)
    other = tiny(tmp_path, name="other", file="other")
    status, message = run("run", str(other), "--out", str(out), "--force", "--quiet")
    refused(status, message, "results of scenario 'tiny'", "nothing was deleted")
    same_name = tiny(tmp_path, file="copy_of_tiny")  # another file that says name: tiny
    status, message = run("run", str(same_name), "--out", str(out), "--force", "--quiet")
    refused(status, message, "tiny.yaml", "same scenario")
    assert files_under(out) == before


def test_a_variant_without_a_name_never_shares_its_bases_folder(tmp_path, monkeypatch):
    """`make run SCENARIO=variant.yaml` passes --force: it must not overwrite the base's run."""
    monkeypatch.chdir(tmp_path)
    base = tiny(tmp_path, name="base", file="base")
    variant = tmp_path / "variant.yaml"
    variant.write_text("extends: base.yaml\nintelligence: {coverage: 0.5}\n")
    assert load_scenario(variant).name == "variant"
    assert run("run", str(base), "--quiet", "--workers", "1")[0] == 0
    before = files_under(tmp_path / "results" / "base")
    assert run("run", str(variant), "--quiet", "--workers", "1", "--force")[0] == 0
    assert (tmp_path / "results" / "variant" / "summary.csv").is_file()
    assert files_under(tmp_path / "results" / "base") == before
    nameless = tmp_path / "two words.yaml"
    nameless.write_text("extends: base.yaml\n")
    status, message = run("validate", str(nameless))
    refused(status, message, "two words.yaml", "no 'name:'", "add 'name:'")


def test_an_output_folder_that_cannot_be_written_is_a_message(tmp_path):
    (tmp_path / "a_file").write_text("x")
    scenario = str(tiny(tmp_path))
    status, message = run("run", scenario, "--out", str(tmp_path / "a_file" / "out"))
    refused(status, message, "cannot be created", "a_file is a file")
    status, message = run("run", scenario, "--out", str(tmp_path / "a_file"))
    refused(status, message, "is a file, not a results folder")
    if Path("/proc/self").is_dir():  # writable by nobody, not even root
        status, message = run("run", scenario, "--out", "/proc/jad-sim-results", "--quiet")
        refused(status, message, "/proc/jad-sim-results")


# --- unbounded reads -------------------------------------------------------------------------

def alias_bomb(width: int = 10, levels: int = 9) -> str:
    """`levels` anchors, each a list of `width` uses of the one before: width**levels values."""
    lines = ["name: bomb", "l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_stops_early_in_little_memory_and_time(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb())  # a billion values once expanded
    tracemalloc.start()
    started = time.perf_counter()
    try:
        status, message = run("validate", str(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    refused(status, message, "bomb.yaml, line", f"more than {MAX_NODES:,} values")
    assert peak < 20_000_000, peak
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("where", ["scenario", "extends"])
def test_special_files_are_refused_before_they_are_read(tmp_path, where):
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    for special, kind in ((fifo, "FIFO"), (Path("/dev/zero"), "character device"),
                          (tmp_path, "directory")):
        if where == "scenario":
            path, fragments = special, (str(special), kind)
        else:
            path = tmp_path / "refers.yaml"
            path.write_text(f"name: refers\n\nextends: {special}\n")
            fragments = ("refers.yaml, line 3", "extends", kind)
        started = time.perf_counter()
        status, message = run("run", str(path), "--out", str(tmp_path / "out"))
        refused(status, message, *fragments)
        assert time.perf_counter() - started < 10
        assert not (tmp_path / "out").exists()


def test_an_oversized_file_is_refused_by_its_size(tmp_path):
    path = tiny(tmp_path, extra="# " + "x" * MAX_FILE_BYTES + "\n")
    status, message = run("validate", str(path))
    refused(status, message, "tiny.yaml", f"larger than {MAX_FILE_BYTES:,} bytes")


def test_nesting_past_the_limit_is_refused_with_its_line(tmp_path):
    path = tiny(tmp_path, extra="description: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5))
    status, message = run("validate", str(path))
    refused(status, message, "tiny.yaml, line 7", f"deeper than {MAX_DEPTH} levels")
    path.write_text("name: deep\nx: " + "[" * 100_000 + "\n")  # past Python's recursion limit
    refused(*run("validate", str(path)), "deeper than")


RESOURCE_LIMITED = """
import resource, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from sim.cli import main
sys.exit(main(["validate", *sys.argv[2:]]))
"""


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_AS") or sys.platform != "linux",
                    reason="needs Linux address-space limits")
def test_no_input_file_reads_past_a_memory_limit(tmp_path):
    """In a process that may never hold more than 1.5 GB of address space (the bomb alone
    expands to a billion values, /dev/zero never ends, a FIFO never delivers): every file is
    refused, the process exits 2 in time and prints no traceback."""
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb())
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    refers = tmp_path / "zero.yaml"
    refers.write_text("name: zero\nextends: /dev/zero\n")
    files = [str(bomb), str(fifo), "/dev/zero", str(refers)]
    done = subprocess.run([sys.executable, "-c", RESOURCE_LIMITED, str(1_500_000_000), *files],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    for name in ("bomb.yaml", "fifo.yaml", "/dev/zero", "zero.yaml"):
        assert name in done.stderr, (name, done.stderr)


# --- silently accepted nonsense ----------------------------------------------------------------

NONSENSE = {
    "a country given twice": ("countries:\n  GR: {officers: 5}\n  GR: {officers: 6}\n",
                              ["line 9", "countries.GR", "given twice, on lines 8 and 9"]),
    "a boolean for a count": ("countries:\n  GR: {officers: yes}\n",
                              ["line 8", "countries.GR.officers", "got a boolean"]),
    "a boolean for a probability": ("parameters:\n  detection_manual: {none: on}\n",
                                    ["parameters.detection_manual", "got a boolean"]),
    "a probability above 1": ("parameters:\n  detection_manual: {none: 1.5}\n",
                              ["parameters", "at most 1"]),
    "a share above 1": ("parameters:\n  forged_documents_share: {thb: 2}\n",
                        ["parameters", "at most 1"]),
    "NaN for a probability": ("parameters:\n  adaptivity: .nan\n",
                              ["parameters.adaptivity", "finite number"]),
    "infinity for a rate": ("parameters:\n  parcels_per_hour: .inf\n",
                            ["parameters.parcels_per_hour", "finite number"]),
    "all adaptation weights zero": (
        "parameters:\n  adaptation_weights: {delay: 0, reroute: 0, green_border: 0, "
        "suspend: 0}\n", ["parameters", "add up to 0"]),
    "zero days": ("action:\n  days: 0\n", ["action.days", "greater than or equal to 1"]),
    "a start at the end of the calendar": (
        "action:\n  start: 2199-12-31T00:00:00\n", ["action", "past the calendar"]),
    "a country that took no part": ("countries:\n  BE: {officers: 50}\n",
                                    ["countries.BE", "non_participant: true"]),
    "a scanning team's country that is no country": (
        "scanning_teams:\n  teams:\n    - {place: evzonoi, country: XX}\n",
        ["scanning_teams.teams.0.country", "unknown country 'XX'"]),
    "more officers than the whole operation may have": (
        "countries:\n  GR: {officers: 250000}\n", ["countries", "cap of 250,000"]),
    # a criminal world past memory (each network, premises and trip is an agent): these once
    # ran into a MemoryError, 10 GB of memory or numpy's "lam value too large"
    "a billion networks": ("parameters:\n  networks: {migrant_smuggling: 1000000000}\n",
                           ["parameters", "networks: migrant_smuggling", "most the model takes"]),
    "four hundred times 2023's networks": (
        "parameters:\n  networks: {migrant_smuggling: 90000, drug_trafficking: 90000}\n",
        ["criminal networks", "cap of 25,000"]),
    "a thousand times 2023's trips": (
        "parameters:\n  networks: {migrant_smuggling: 20000}\n"
        "  movements_per_network: {migrant_smuggling: 1000}\n",
        ["criminal trips a replicate", "cap of 50,000"]),
    "a billion bulk shipments": ("parameters:\n  bulk_shipments_per_week: 1.0e9\n",
                                 ["criminal trips a replicate"]),
    "weapons past numpy's draws": ("parameters:\n  weapons_per_movement_mean: 1.0e300\n",
                                   ["parameters.weapons_per_movement_mean",
                                    "less than or equal to 10000"]),
    "Norway unquoted (YAML reads NO as false)": (
        "countries:\n  NO: {officers: 5}\n", ["countries: expected text", "boolean False",
                                                "write the word in quotes"]),
    "a scanning team with no days": (
        "scanning_teams:\n  teams:\n    - {place: evzonoi, days: []}\n",
        ["scanning_teams.teams.0.days", "empty list of days"]),
    "a booth that takes no time": ("parameters:\n  first_line_seconds: {car: 0}\n",
                                   ["first_line_seconds: car is 0", "more than 0"]),
    "alerts answered by nobody": ("response:\n  mobile_share: 0.5\n  postings: []\n",
                                  ["response", "no unit would answer an alert"]),
    # European thousands separators: YAML reads 3.000 as three, and 3,500 in {...} as two keys
    "a dot as a thousands separator": ("countries:\n  GR: {officers: 3.000}\n",
                                       ["line 8", "countries.GR.officers",
                                        "without a decimal point"]),
    "a comma as a thousands separator": ("countries:\n  GR: {officers: 3,500}\n",
                                         ["line 8", "countries.GR", "3500"]),
    "a quoted thousands separator": ("countries:\n  GR: {officers: '3.000'}\n",
                                     ["countries.GR.officers", "without a decimal point"]),
    "two wrong keys of one mapping stay two problems": (
        "shifts:\n  nite: night\n", ["shifts.nite", "shifts.nite", "2 problems"]),
}


@pytest.mark.parametrize("case", list(NONSENSE))
def test_nonsense_is_refused_with_file_line_and_key(tmp_path, case):
    text, fragments = NONSENSE[case]
    path = tiny(tmp_path, extra=text)
    status, message = run("run", str(path), "--out", str(tmp_path / "out"))
    refused(status, message, "tiny.yaml", *fragments)
    assert not (tmp_path / "out").exists()


def test_a_non_participant_is_admitted_with_the_flag_and_its_officers_are_placed(tmp_path):
    path = tiny(tmp_path, extra="countries:\n  BE: {officers: 50, non_participant: true}\n"
                "scanning_teams:\n  teams: [{place: evzonoi, country: BE}]\n")
    scenario = load_scenario(path)
    from sim.scenario.allocation import build_units

    units = [u for u in build_units(scenario) if u.country == "BE"]
    assert sum(u.officers for u in units) == 50


# --- tracebacks instead of messages ------------------------------------------------------------

def test_a_sweep_file_given_to_run_points_to_sweep_and_back(tmp_path):
    sweep = ROOT / "scenarios" / "sweeps" / "scanning_teams_0_to_6.yaml"
    refused(*run("run", str(sweep), "--out", str(tmp_path / "o")), "sweep file", "sim sweep")
    refused(*run("sweep", str(tiny(tmp_path)), "--out", str(tmp_path / "o")), "scenario file",
            "sim run")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("content, fragments", [
    (b"base: b.yaml\ngrid:\n  targeting: [random\n", ["line 4", "expected ',' or ']'"]),
    (b"base: b.yaml\ngrid:\n\ttargeting: [random]\n", ["line 3", "'\\t'"]),
    (b"base: b.yaml\n# caf\xe9\ngrid: {targeting: [random]}\n", ["line 2", "not UTF-8"]),
    (b"base: b.yaml\ngrid: {}\ngrid: {}\n", ["key 'grid' is given twice"]),
])
def test_a_sweep_file_that_cannot_be_parsed_gives_its_error_not_a_wrong_command(
        tmp_path, content, fragments):
    path, out = tmp_path / "broken.yaml", str(tmp_path / "o")
    path.write_bytes(content)
    for args in (("sweep", str(path), "--out", out), ("run", str(path), "--out", out),
                 ("validate", str(path))):
        status, message = run(*args)
        refused(status, message, "broken.yaml", *fragments)
        assert "scenario file" not in message and "sweep file" not in message
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", ["run", "sweep", "compare", "optimise", "marginal",
                                     "decompose", "discover", "sensitivity", "calibrate"])
def test_an_empty_output_folder_name_is_refused_not_taken_as_the_current_folder(
        tmp_path, monkeypatch, capsys, command):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "index.csv").write_text("my own data")
    with pytest.raises(SystemExit) as exit_:
        main([command, str(tiny(tmp_path)), "--out", ""])
    assert exit_.value.code == 2 and "got an empty one" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.csv", "tiny.yaml"]


def test_a_sweep_into_the_current_folder_keeps_the_users_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "index.csv").write_text("my own data")
    tiny(tmp_path)
    (tmp_path / "sweep.yaml").write_text("base: tiny.yaml\ngrid:\n  action.days: [1, 2]\n")
    before = files_under(tmp_path)
    refused(*run("sweep", "sweep.yaml", "--out", ".", "--force"), "not a sweep folder",
            "nothing was deleted")
    assert files_under(tmp_path) == before


@pytest.mark.parametrize("content, fragments", [
    ("name: x\n# caf\xe9\n".encode("latin-1"), ["line 2", "not UTF-8", "save the file as UTF-8"]),
    ("name: x\n".encode("utf-16"), ["UTF-16", "save the file as UTF-8"]),
    (b"name: x\nnote: \x07\n", ["line 2", "#x0007"]),
])
def test_encoding_errors_name_the_line_and_say_save_as_utf8(tmp_path, content, fragments):
    path = tmp_path / "encoded.yaml"
    path.write_bytes(content)
    refused(*run("validate", str(path)), "encoded.yaml", *fragments)


def test_a_missing_extends_target_is_named_with_the_referring_file_and_line(tmp_path):
    path = tmp_path / "child.yaml"
    path.write_text("name: child\n# a comment\nextends: no_such_base.yaml\n")
    refused(*run("validate", str(path)), "child.yaml, line 3", "extends", "no_such_base.yaml",
            "file not found", "relative to the file")


def test_a_closed_pipe_ends_the_listing_without_a_traceback():
    process = subprocess.Popen([sys.executable, "-m", "sim", "list", "places"], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # as `| head` does once it has read enough: here before a line
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 2
    assert "Traceback" not in stderr and "broken pipe" in stderr


def test_an_internal_error_keeps_its_traceback_and_exit_1(tmp_path):
    done = subprocess.run([sys.executable, "-c", "import sys; from sim.runs import runner\n"
                           "runner.run = lambda *a, **k: 1/0\n"
                           "from sim.cli import main; sys.exit(main(sys.argv[1:]))",
                           "run", str(tiny(tmp_path)), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "ZeroDivisionError" in done.stderr


def test_a_sweep_past_the_point_limit_is_refused_before_building_points(tmp_path):
    """A million-point grid once died of MemoryError; the limit is checked on the counts."""
    keys = "\n".join(f"  parameters.{name}: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]"
                     for name in ("adaptivity", "lead_precision", "local_lead_precision",
                                  "cyber_lead_probability", "cyber_lead_precision",
                                  "link_probability_national"))
    sweep = tmp_path / "huge.yaml"
    sweep.write_text(f"base: {BASELINE}\ngrid:\n{keys}\n")
    started = time.perf_counter()
    refused(*run("sweep", str(sweep), "--out", str(tmp_path / "o")), "huge.yaml, line 2",
            "1,000,000 points", "limit of 1,000")
    assert time.perf_counter() - started < 10 and not (tmp_path / "o").exists()


def test_the_scales_past_the_criminal_world_caps_are_refused_in_the_criminal_section(tmp_path):
    """`criminal.networks_scale` and `flow_scale` are allowed up to 1,000 one by one, but the
    world they make must fit the caps (2023's world times 1,000 once took 2 GB and minutes for
    one day)."""
    for criminal, fragment in (("{networks_scale: 1000}", "criminal networks"),
                               ("{flow_scale: 1000}", "criminal trips a replicate")):
        path = tmp_path / "big.yaml"
        path.write_text(f"name: big\nextends: {BASELINE}\naction: {{days: 1}}\n"
                        f"criminal: {criminal}\n")
        status, message = run("validate", str(path))
        refused(status, message, "big.yaml", fragment, "lower the scale")


def test_a_scheduler_that_does_not_answer_is_one_message_and_writes_nothing(tmp_path):
    import dask
    import distributed  # noqa: F401  (its config defaults first: the set below restores to them)

    path = tiny(tmp_path)
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        status, message = run("run", str(path), "--cluster", "tcp://127.0.0.1:1",
                              "--out", str(tmp_path / "out"))
    refused(status, message, "cannot reach the Dask scheduler at tcp://127.0.0.1:1")
    assert not (tmp_path / "out").exists()  # sim run connects before it touches a folder
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"name: s\nbase: {path}\ngrid:\n  action.days: [1, 2]\n")
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        status, message = run("sweep", str(sweep), "--cluster", "tcp://127.0.0.1:1",
                              "--out", str(tmp_path / "swept"))
    refused(status, message, "cannot reach the Dask scheduler")
    assert not (tmp_path / "swept").exists()  # and so does sim sweep


def test_a_sweeps_missing_base_and_an_optimisations_bad_hours_name_their_file_and_key(tmp_path):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text("name: s\nbase: missing.yaml\ngrid:\n  action.days: [1, 2]\n")
    status, message = run("sweep", str(sweep), "--out", str(tmp_path / "out"))
    refused(status, message, "sweep.yaml, line 2: base: 'missing.yaml'", "file not found")
    config = tmp_path / "optimise.yaml"
    config.write_text(
        f"scenario: {BASELINE}\n"
        "decisions:\n  scanning_teams: {count: 1, places: checked, hours: [[6, 30]]}\n"
        "objectives:\n  - {outcome: movements_intercepted, direction: maximise}\n"
        "search: {trials: 4, population: 2, replicates: 1, workers: 1}\n")
    status, message = run("optimise", str(config), "--out", str(tmp_path / "opt"))
    refused(status, message, "optimise.yaml", "decisions.scanning_teams.hours",
            "[6, 30]: hours must be")
    assert not (tmp_path / "out").exists() and not (tmp_path / "opt").exists()


def test_shares_a_country_cannot_use_as_written_are_said_not_silently_moved(tmp_path, capsys):
    path = tiny(tmp_path, extra="countries:\n  MK: {officers: 1500, shares: {port: 1.0}}\n")
    assert main(["validate", str(path)]) == 0
    assert "MK (port 1)" in capsys.readouterr().err
    assert main(["validate", str(BASELINE)]) == 0
    assert "note" not in capsys.readouterr().err
    from sim.runs.runner import resolve_scenario
    from sim.scenario.allocation import allocation_notes

    # an override rebuilds the scenario with every default written out: still nothing to say
    assert allocation_notes(resolve_scenario(BASELINE, replicates=3, seed=None, workers=None,
                                             overrides={})) == []


def test_a_start_with_a_time_zone_is_read_as_local_time_as_always(tmp_path):
    """Old files may give an offset; the model's clock is the region's local time, so the
    offset is dropped (documented in the schema), not refused."""
    path = tiny(tmp_path, extra="action:\n  days: 1\n  start: '2023-11-13T06:00:00+05:00'\n")
    assert load_scenario(path).action.start == __import__("datetime").datetime(2023, 11, 13, 6)
