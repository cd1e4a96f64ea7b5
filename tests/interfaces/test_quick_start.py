"""The README's quick start works as written: every YAML, shell and Python block between its
markers runs, in order, in a fresh project folder, and its comparison shows the waits at the
crossing the example changes.

Cheap by construction: the fresh folder holds copies of the shipped scenario files whose
baseline runs 1 day, 2 replicates, 1 worker (the variant inherits them through `extends:`); the
baseline is run first, as `make run` does before the quick start."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from project import ROOT

START, END = "<!-- quick start:", "<!-- end of the quick start -->"


def quick_start_blocks() -> list[tuple[str, str]]:
    """(language, text) of every fenced block between the quick start's markers."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(START):readme.index(END)]
    return re.findall(r"```(\w+)\n(.*?)```", section, flags=re.S)


def fresh_project(folder: Path) -> Path:
    """A project folder with the shipped scenarios, the baseline cut to 1 day, 2 replicates
    and 1 worker."""
    scenarios = folder / "scenarios"
    scenarios.mkdir(parents=True)
    for path in (ROOT / "scenarios").iterdir():
        if path.is_file():
            shutil.copy(path, scenarios / path.name)
    baseline = scenarios / "jad_see_2023.yaml"
    text = baseline.read_text(encoding="utf-8")
    for written, cheap in (("  days: 6", "  days: 1"), ("  replicates: 30", "  replicates: 2"),
                           ("  seed: 20231113", "  seed: 20231113\n  workers: 1")):
        assert written in text, f"the baseline file no longer says {written!r}"
        text = text.replace(written, cheap, 1)
    baseline.write_text(text, encoding="utf-8")
    return folder


def sim(folder: Path, arguments: list[str]) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]), "COLUMNS": "80"}
    return subprocess.run([sys.executable, "-m", "sim", *arguments], cwd=folder, text=True,
                          capture_output=True, env=environment, timeout=600)


def test_the_quick_start_blocks_are_yaml_then_shell_then_python():
    assert [language for language, _ in quick_start_blocks()] == ["yaml", "sh", "python"]


@pytest.mark.slow
def test_every_block_of_the_quick_start_runs_and_shows_the_waits_it_changes(tmp_path,
                                                                               monkeypatch,
                                                                               capsys):
    folder = fresh_project(tmp_path / "project")
    done = sim(folder, ["run", "scenarios/jad_see_2023.yaml", "--force", "--quiet"])  # make run
    assert done.returncode == 0, done.stderr
    printed = {}
    for language, text in quick_start_blocks():
        if language == "yaml":
            path = text.splitlines()[0].removeprefix("#").strip()
            (folder / path).write_text(text, encoding="utf-8")
        elif language == "sh":
            for line in text.splitlines():
                command = shlex.split(line, comments=True)
                assert command[0] == "sim", line
                done = sim(folder, command[1:])
                assert done.returncode == 0, f"{line}\n{done.stderr}"
                printed[command[1]] = done.stdout
        else:
            monkeypatch.chdir(folder)
            exec(compile(text, "README.md quick start", "exec"), {})
            printed["python"] = capsys.readouterr().out
    assert "postings: RS: 300 of its 2,800 officers posted explicitly" in printed["validate"]
    compared = " ".join(printed["compare"].split())
    assert "Wait per vehicle in minutes, at the 1 crossing the scenario changes" in compared
    assert "Tabanovce / Preševo" in compared and "lorries" in compared
    assert "arrests (persons)" in compared and "Finding:" in compared
    assert "Comparison with the JAD SEE 2023 baseline" in printed["python"]
    assert "Tabanovce / Preševo" in printed["python"]  # sim.crossing_waits at one crossing
    book = openpyxl.load_workbook(folder / "more_serbian_officers.xlsx")
    assert book.sheetnames[:4] == ["about", "comparison", "by crime area", "waits by crossing"]
    waits = book["waits by crossing"]
    header = [cell.value for cell in waits[1]]
    assert header[:5] == ["scenario", "changed by the scenario", "crossing", "side",
                          "vehicle class"]
    first = [cell.value for cell in waits[2]]
    assert first[1:3] == ["yes", "Tabanovce / Preševo"]  # the changed crossing comes first
    assert first[3] in {"MK", "RS"}  # a side of it: North Macedonia's or Serbia's
