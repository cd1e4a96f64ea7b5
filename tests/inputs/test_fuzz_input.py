"""Fuzzing the scenario reader from the grammar of hostile input: duplicate keys, alias bombs and
recursive aliases, deep nesting, booleans and text where numbers belong, out-of-range and
non-finite numbers, undecodable bytes, oversized files and special files (FIFO, /dev/zero, a
directory, a missing base) in place of a scenario or of its base.

Every file drawn is invalid by construction, so `sim run` must exit 2 with a message naming the
file, print no traceback and write nothing — within a memory bound (peak of Python allocations
under tracemalloc) and a time bound per file. In-process, so it stays fast enough for CI.
"""

from __future__ import annotations

import contextlib
import io
import os
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from project import ROOT

from sim.cli import main
from sim.scenario.reading import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES

BASELINE = ROOT / "scenarios" / "jad_see_2023.yaml"
PEAK_BYTES = 64_000_000  # Python allocations while one file is refused
SECONDS = 60  # per file: catches a hang; typically 0.1 s, but CI machines are shared

# (key path, kind): numeric keys of the schema and what range they have
NUMBERS = [
    (("action", "days"), "days"), (("run", "replicates"), "count1"),
    (("run", "seed"), "count0"), (("countries", "GR", "officers"), "count0"),
    (("europol", "analysts_on_ground"), "count0"), (("scanning_teams", "max_per_place"), "count1"),
    (("intelligence", "coverage"), "probability"), (("parameters", "adaptivity"), "probability"),
    (("parameters", "detection_manual", "none"), "probability"),
    (("parameters", "forged_documents_share", "thb"), "probability"),
    (("parameters", "person_check_officer_minutes"), "positive"), (("traffic", "scale"), "scale"),
    (("europol", "coordination_centre", "relay_delay_hours"), "hours"),
]
BOOLEANS = ["yes", "no", "on", "off", "true", "false", "True", "FALSE", "y", "Y"]
NOT_FINITE = [".nan", ".NaN", ".inf", "-.inf", ".Inf"]
OUT_OF_RANGE = {
    "days": ["0", "-1", "61", "1000000", "2.5"], "count1": ["0", "-3", "1.5", "10000000"],
    "count0": ["-1", "-100000", "0.5", "1e40"], "probability": ["1.5", "-0.1", "2", "1e9"],
    "positive": ["0", "-2.5"], "scale": ["-1", "1001", "1e308"], "hours": ["-0.5", "241"],
}
TEXT = ["many", "'ten'", "[1, 2]", "{a: 1}", "''", "~"]


def nested(path: tuple[str, ...], value: str) -> str:
    """YAML text setting `value` at `path` in block style."""
    lines = [("  " * depth) + f"{key}:" for depth, key in enumerate(path[:-1])]
    lines.append(("  " * (len(path) - 1)) + f"{path[-1]}: {value}")
    return "\n".join(lines) + "\n"


@st.composite
def bad_value(draw) -> str:
    path, kind = draw(st.sampled_from(NUMBERS))
    value = draw(st.sampled_from(BOOLEANS + NOT_FINITE + OUT_OF_RANGE[kind] + TEXT))
    if path == ("run", "seed") and value == "1e40":
        value = "-1"
    return nested(path, value)


@st.composite
def duplicate_key(draw) -> str:
    path, _ = draw(st.sampled_from(NUMBERS))
    block = nested(path, "1")
    if len(path) == 1:
        return block * 2
    inner = nested(path[1:], "1").replace("\n", "\n  ").rstrip() + "\n"
    return f"{path[0]}:\n  " + inner + "  " + inner.lstrip()


@st.composite
def alias_bomb(draw) -> str:
    width = draw(st.integers(min_value=4, max_value=12))
    levels = 1
    while width ** levels <= MAX_NODES:
        levels += 1
    levels += draw(st.integers(min_value=0, max_value=3))
    lines = ["a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def recursive_alias() -> str:
    return "loop: &loop\n  again: *loop\n"


@st.composite
def deep_nesting(draw) -> str:
    depth = draw(st.integers(min_value=MAX_DEPTH + 1, max_value=5_000))
    style = draw(st.sampled_from(["[", "{a: "]))
    close = "]" if style == "[" else "}"
    return "description: " + style * depth + "1" + close * depth + "\n"


MUTATIONS = st.one_of(bad_value(), duplicate_key(), alias_bomb(), st.just(recursive_alias()),
                      deep_nesting())
SPECIAL = ["fifo", "/dev/zero", "directory", "missing"]


@st.composite
def hostile_file(draw) -> dict:
    """The file's text (or a special file in its place), and how it is damaged."""
    body = "".join(draw(st.lists(MUTATIONS, min_size=1, max_size=3)))
    case = {"text": f"name: fuzz\nextends: {BASELINE}\n{body}", "special": None,
            "extends": None, "encoding": False, "oversized": False}
    twist = draw(st.sampled_from(["none", "none", "encoding", "oversized", "special",
                                  "extends"]))
    if twist == "encoding":
        case["encoding"] = True
    elif twist == "oversized":
        case["oversized"] = True
    elif twist == "special":
        case["special"] = draw(st.sampled_from(SPECIAL))
    elif twist == "extends":
        case["extends"] = draw(st.sampled_from(SPECIAL))
    return case


def materialise(case: dict, folder: Path) -> Path:
    """Write the case into `folder` and return the path to give `sim run`."""
    special = case["special"] or case["extends"]
    target = {"fifo": folder / "fifo.yaml", "/dev/zero": Path("/dev/zero"),
              "directory": folder / "a_folder", "missing": folder / "missing.yaml"
              }.get(special)
    if special == "fifo":
        os.mkfifo(target)
    elif special == "directory":
        target.mkdir()
    if case["special"]:
        return target
    text = case["text"]
    if case["extends"]:
        text = text.replace(f"extends: {BASELINE}", f"extends: {target}")
    data = text.encode()
    if case["encoding"]:
        data = b"# r\xe9sum\xe9\n" + data
    if case["oversized"]:
        data += b"# " + b"x" * MAX_FILE_BYTES + b"\n"
    path = folder / "hostile.yaml"
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def warm():
    """Import what `sim run` imports lazily and read the baseline once, outside the bounds."""
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["validate", str(BASELINE)]) == 0


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          derandomize=True)
@given(case=hostile_file())
def test_hostile_files_exit_2_with_a_message_no_traceback_nothing_written(warm,
                                                                        tmp_path_factory,
                                                                        case):
    folder = tmp_path_factory.mktemp("fuzz")
    path = materialise(case, folder)
    before = set(folder.rglob("*"))
    out = folder / "out"
    err = io.StringIO()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = main(["run", str(path), "--out", str(out), "--quiet", "--workers", "1"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    seconds = time.perf_counter() - started
    message = err.getvalue()
    assert status == 2, (case, message)
    assert message.startswith("sim run: ") and path.name in message, (case, message)
    assert "Traceback" not in message, message
    assert not out.exists() and set(folder.rglob("*")) == before
    assert peak < PEAK_BYTES, (case, peak)
    assert seconds < SECONDS, (case, seconds)


@pytest.mark.parametrize("mutation", [recursive_alias(), "countries:\n  GR: {officers: on}\n"])
def test_the_grammar_makes_invalid_files(tmp_path, mutation):
    """The strategies' building blocks are themselves refused (the fuzz test relies on it)."""
    path = tmp_path / "one.yaml"
    path.write_text(f"name: one\nextends: {BASELINE}\n{mutation}")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert main(["validate", str(path)]) == 2
