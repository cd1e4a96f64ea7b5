"""A hostile user against results folders, concurrent runs, clusters and the dashboard (issue
35): one writer per folder (a lock from the check to the last write), no write through a link,
`--resume` only in the folder's own replicates, `sim.load` only rows its manifest lists,
bounded reads, and a message with exit status 2 (no traceback, in seconds, in bounded memory)
for every case that once hung, ate memory, mixed two scenarios or ended in a traceback."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from commandline import run
from matplotlib.figure import Figure
from project import BASELINE, ROOT, SCENARIOS

import sim
from sim.analysis.figures import save_figures
from sim.runs import layout
from sim.runs.lock import LOCK, Holder, acquire
from sim.runs.results import ResultsFolderError

POSTERIOR = SCENARIOS / "posterior.csv"
ENVIRONMENT = {**os.environ, "PYTHONPATH": str(ROOT)}


def tiny(folder: Path, name: str = "a", replicates: int = 2, extra: str = "") -> Path:
    """A one-day, scaled-down baseline (a replicate takes a fraction of a second)."""
    path = folder / f"{name}.yaml"
    path.write_text(f"name: {name}\nextends: {BASELINE}\naction: {{days: 1}}\n"
                    f"run: {{replicates: {replicates}, seed: 11, workers: 1}}\n"
                    f"traffic: {{scale: 0.2}}\ncriminal: {{flow_scale: 0.3}}\n{extra}")
    return path


def refused(status: int, message: str, *fragments: str) -> None:
    assert status == 2, message
    assert "Traceback" not in message, message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def files_under(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def holds_one_scenario(out: Path, name: str, replicates: int) -> None:
    """The folder is one scenario's, whole: marker, manifest, every replicate's record and
    every summary row agree (and `sim.load` verifies the rows and the checksum)."""
    manifest = layout.read_manifest(out)
    assert manifest["scenario_name"] == name and manifest["status"] == "complete"
    records = [json.loads(p.read_text()) for p in (out / "replicates").glob("*/replicate.json")]
    assert len(records) == replicates
    assert {r["scenario_hash"] for r in records} == {manifest["scenario_hash"]}
    summary = sim.load(out).summary
    assert set(summary["scenario"]) == {name} and len(summary) == replicates
    assert not (out / LOCK).exists()


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """Two finished runs: `a` (two replicates) and `b` (one)."""
    root = tmp_path_factory.mktemp("runs")
    folders = {"root": root}
    for name, replicates in (("a", 2), ("b", 1)):
        status, message = run("run", str(tiny(root, name, replicates)), "--out",
                              str(root / name), "--quiet")
        assert status == 0, message
        folders[name] = root / name
    return folders


def copy_of(runs: dict[str, Path], name: str, target: Path) -> Path:
    shutil.copytree(runs[name], target, symlinks=True)
    return target


# --- one writer per folder -------------------------------------------------------------------

HOLD = """
import sys, time
from pathlib import Path
from sim.runs import folder
held, go = Path(sys.argv[1]), Path(sys.argv[2])

def hold(claim):  # between the check under the lock and the first write
    held.write_text(str(claim.path))
    deadline = time.monotonic() + 120
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.05)

folder.BEFORE_FIRST_WRITE = hold
from sim.cli import main
sys.exit(main(sys.argv[3:]))
"""


def test_a_second_writer_is_refused_while_the_first_holds_the_folder(tmp_path):
    """The forced race: the first run is held between its check and its first write while a
    second (another scenario, then with --force) starts on the same folder."""
    out, held, go = tmp_path / "out", tmp_path / "held", tmp_path / "go"
    first = subprocess.Popen([sys.executable, "-c", HOLD, str(held), str(go), "run",
                              str(tiny(tmp_path, "a")), "--out", str(out), "--quiet"],
                             cwd=ROOT, env=ENVIRONMENT, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not held.exists():
            assert first.poll() is None, first.stderr.read()
            assert time.monotonic() < deadline, "the first run never reached its first write"
            time.sleep(0.05)
        other = str(tiny(tmp_path, "b"))
        for extra in ((), ("--force",)):
            status, message = run("run", other, "--out", str(out), "--quiet", *extra)
            refused(status, message, f"{out} is in use by process {first.pid} on host",
                    "sim run", "wait for that run to finish")
    finally:
        go.touch()
        assert first.wait(timeout=120) == 0, first.stderr.read()
    holds_one_scenario(out, "a", 2)


def test_a_terminated_run_releases_its_folder(tmp_path):
    """SIGTERM (a job's time limit) ends a run as Ctrl-C does: the lock is released, and a
    folder it created but never wrote is removed again."""
    out, held, go = tmp_path / "out", tmp_path / "held", tmp_path / "go"
    first = subprocess.Popen([sys.executable, "-c", HOLD, str(held), str(go), "run",
                              str(tiny(tmp_path, "a")), "--out", str(out), "--quiet"],
                             cwd=ROOT, env=ENVIRONMENT, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not held.exists():
        assert first.poll() is None and time.monotonic() < deadline, first.stderr.read()
        time.sleep(0.05)
    assert (out / LOCK).exists()
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=60) == 130
    assert first.stderr.read().strip() == ("sim: interrupted; finished work is kept, --resume "
                                           "finishes it")
    assert not out.exists()


TWENTY = """
import contextlib, io, json, multiprocessing, os, sys, time
from sim.cli import main

def start(barrier, args, log):
    barrier.wait()
    with open(log, "w") as err, contextlib.redirect_stderr(err), \\
            contextlib.redirect_stdout(io.StringIO()):
        status = main(args)
    os._exit(status)

if __name__ == "__main__":
    out, logs, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    import sim.model, sim.runs.replicate, sim.runs.runner  # imported and warmed once, here
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        main(["validate", *files])  # the scenarios' files and the route graph, read once
    context = multiprocessing.get_context("fork")  # started together, nothing to import
    barrier = context.Barrier(20)
    processes = [context.Process(target=start, args=(
        barrier, ["run", files[i % 2], "--out", out, "--quiet"], f"{logs}/{i}.err"))
        for i in range(20)]
    started = time.monotonic()
    for process in processes:
        process.start()
    for process in processes:
        process.join(300)
    print(json.dumps({"codes": [p.exitcode for p in processes],
                      "seconds": time.monotonic() - started}))
"""


def test_twenty_concurrent_starts_never_mix_two_scenarios(tmp_path):
    """Twenty runs of two scenarios started at once on one folder: one writes it, nineteen
    are refused with a message, and the folder holds one scenario."""
    out, logs = tmp_path / "out", tmp_path / "logs"
    logs.mkdir()
    files = [str(tiny(tmp_path, "a")), str(tiny(tmp_path, "b"))]
    done = subprocess.run([sys.executable, "-c", TWENTY, str(out), str(logs), *files],
                          cwd=ROOT, env=ENVIRONMENT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    codes = json.loads(done.stdout.strip().splitlines()[-1])["codes"]
    messages = {i: (logs / f"{i}.err").read_text() for i in range(20)}
    assert sorted(codes) == [0] + [2] * 19, (codes, messages)
    winner = codes.index(0)
    for i, code in enumerate(codes):
        if code == 2:
            assert "Traceback" not in messages[i] and messages[i].startswith("sim run: ")
    holds_one_scenario(out, "ab"[winner % 2], 2)


def _dead_process() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_stale_lock_is_reported_and_broken_only_with_force(tmp_path):
    out = tmp_path / "out"
    scenario = str(tiny(tmp_path, "a", replicates=1))
    out.mkdir()
    stale = Holder(pid=_dead_process(), host=socket.gethostname(), kind="results",
                   started="2024-01-01T00:00:00+00:00", token="f" * 32,
                   command="sim run a.yaml (killed)")
    assert acquire(out, stale) is None
    status, message = run("run", scenario, "--out", str(out), "--quiet")
    refused(status, message, f"process {stale.pid}", "no longer running", "--force",
            "nothing was written")
    assert sorted(p.name for p in out.iterdir()) == [LOCK]
    status, message = run("run", scenario, "--out", str(out), "--quiet", "--force")
    assert status == 0, message
    assert f"note: {out}: broke the stale lock of process {stale.pid}" in message
    holds_one_scenario(out, "a", 1)


COMMANDS = {  # every command that writes an output folder, aimed at a held one
    "run": lambda f, o: ["run", str(tiny(f)), "--out", o],
    "sweep": lambda f, o: ["sweep", str(_sweep(f)), "--out", o],
    "compare": lambda f, o: ["compare", str(f / "runs" / "a"), str(f / "runs" / "b"),
                             "--out", o, "--no-figures"],
    "calibrate": lambda f, o: ["calibrate", str(ROOT / "calibration" / "baseline.yaml"),
                               "--out", o, "--quiet"],
    "sensitivity": lambda f, o: ["sensitivity", str(ROOT / "calibration" / "sensitivity.yaml"),
                                 "--out", o, "--quiet"],
    "optimise": lambda f, o: ["optimise", str(_search(f)), "--out", o, "--quiet"],
    "discover": lambda f, o: ["discover", str(tiny(f)), "--outcome", "arrests_total",
                              "--below", "p20", "--out", o, "--quiet"],
    "marginal": lambda f, o: ["marginal", str(tiny(f)), "--out", o, "--quiet"],
    "decompose": lambda f, o: ["decompose", str(tiny(f)), "--out", o, "--quiet"],
    "reference": lambda f, o: ["reference", "--out", o],
    "notebooks": lambda f, o: ["notebooks", "--out", o],
}


def _search(folder: Path, trials: int = 8, replicates: int = 1) -> Path:
    """An optimisation config: one scanning team at one of two crossings."""
    path = folder / "search.yaml"
    path.write_text(f"scenario: {tiny(folder)}\n"
                    "decisions:\n  scanning_teams: {count: 1, places: [evzonoi, horgos], "
                    "hours: [[6, 22]]}\n"
                    "objectives:\n  - {outcome: movements_intercepted, direction: maximise}\n"
                    f"search: {{trials: {trials}, population: 4, replicates: {replicates}, "
                    "workers: 2}\n")
    return path


def _sweep(folder: Path) -> Path:
    path = folder / "sweep.yaml"
    path.write_text(f"name: s\nbase: {tiny(folder)}\ngrid:\n  intelligence.coverage: [0.2, 0.4]\n")
    return path


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_refuses_a_folder_another_writer_holds(runs, tmp_path, command):
    """The one folder guard: whatever the command, a folder in use is refused before any
    work, naming the holder, and left as it was."""
    (tmp_path / "runs").symlink_to(runs["root"])
    out = tmp_path / "held"
    out.mkdir()
    holder = Holder.of_this_process("results", "a run holding the folder", None)
    assert acquire(out, holder) is None
    started = time.monotonic()
    status, message = run(*COMMANDS[command](tmp_path, str(out)))
    refused(status, message, f"{out} is in use by process {os.getpid()}",
            "a run holding the folder")
    assert time.monotonic() - started < 30  # refused before the work, not after
    assert sorted(p.name for p in out.iterdir()) == [LOCK]


# --- never through a link ----------------------------------------------------------------------

def test_force_never_changes_a_file_outside_the_folder_through_a_link(runs, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    precious = outside / "precious.bin"
    precious.write_bytes(b"years of work")
    book = tmp_path / "book.xlsx"
    book.symlink_to(precious)
    status, message = run("export", str(runs["a"]), "--xlsx", str(book), "--force")
    refused(status, message, f"{book} is a symbolic link", "never written through a link")
    compared = tmp_path / "compared"
    compared.mkdir()
    (compared / "forest.png").symlink_to(precious)  # a figure's place: replaced, not followed
    figure = Figure(figsize=(1, 1))
    figure.add_subplot().plot([0, 1])
    assert save_figures({"forest": figure}, compared, formats=("png",)) == [
        compared / "forest.png"]  # as `sim compare --out --force` writes its figures
    assert not (compared / "forest.png").is_symlink() and (compared / "forest.png").is_file()
    (compared / "comparison.csv").symlink_to(precious)  # the table's place: refused
    status, message = run("compare", str(runs["a"]), str(runs["b"]), "--out", str(compared),
                          "--force", "--no-figures")
    refused(status, message, "comparison.csv is a symbolic link")
    folder = copy_of(runs, "a", tmp_path / "linked")
    (folder / "daily.csv").unlink()
    (folder / "daily.csv").symlink_to(precious)  # in a results folder: --force refuses it
    status, message = run("run", str(tiny(tmp_path, "a")), "--out", str(folder), "--force")
    refused(status, message, "daily.csv", "nothing was deleted")
    assert precious.read_bytes() == b"years of work"
    assert sorted(p.name for p in outside.iterdir()) == ["precious.bin"]


def test_resume_refuses_linked_or_foreign_replicates(runs, tmp_path):
    scenario = str(tiny(tmp_path, "a"))
    outside = copy_of(runs, "a", tmp_path / "outside") / "replicates"
    before = files_under(outside)
    folder = copy_of(runs, "a", tmp_path / "linked_folder")
    shutil.rmtree(folder / "replicates")
    (folder / "replicates").symlink_to(outside)
    status, message = run("run", scenario, "--out", str(folder), "--resume", "--quiet")
    refused(status, message, "replicates is a symbolic link", "nothing was written")
    assert files_under(outside) == before
    folder = copy_of(runs, "a", tmp_path / "linked_replicate")
    shutil.rmtree(folder / "replicates" / "000001")
    (folder / "replicates" / "000001").symlink_to(runs["b"] / "replicates" / "000000")
    status, message = run("run", scenario, "--out", str(folder), "--resume", "--quiet")
    refused(status, message, "replicates/000001 is a symbolic link")
    folder = copy_of(runs, "a", tmp_path / "foreign_replicate")
    shutil.rmtree(folder / "replicates" / "000001")
    shutil.copytree(runs["b"] / "replicates" / "000000", folder / "replicates" / "000001")
    before = files_under(folder)
    status, message = run("run", scenario, "--out", str(folder), "--resume", "--quiet")
    refused(status, message, "replicates/000001 was written by another scenario")
    assert files_under(folder) == before


def test_resume_with_fewer_replicates_says_it_finishes_them_all(tmp_path):
    out = tmp_path / "out"
    scenario = str(tiny(tmp_path, "a", replicates=3))
    assert run("run", scenario, "--out", str(out), "--replicate", "0", "--quiet")[0] == 0
    status, message = run("run", scenario, "--out", str(out), "--resume", "--replicates", "1",
                          "--quiet")
    assert status == 0, message
    assert "note: " in message and "was started with 3 replicates; --resume finishes all 3" \
        in message
    assert len(sim.load(out).summary) == 3


# --- sim.load: only the rows the manifest lists ----------------------------------------------

def _summary_with(folder: Path, edit) -> None:
    summary = pd.read_csv(folder / "summary.csv", dtype={"seed": "int64"})
    edit(summary).to_csv(folder / "summary.csv", index=False)


def test_load_refuses_an_extra_or_a_foreign_row(runs, tmp_path):
    a, b = (pd.read_csv(runs[n] / "summary.csv", dtype={"seed": "int64"}) for n in "ab")
    extra = a.iloc[[0]].assign(replicate=7, arrests_total=33_743)
    cases = {
        "extra": (lambda s: pd.concat([s, extra]), "line 4 (replicate 7): not a replicate of "
                  "this run"),
        "foreign": (lambda s: pd.concat([s.iloc[[0]], b.iloc[[0]].assign(
            replicate=1, seed=a["seed"].iloc[1])]), "line 3 (replicate 1): a row of scenario "
                    "'b' in a folder of 'a'"),
        "foreign hash": (lambda s: s.assign(scenario_hash=b["scenario_hash"].iloc[0]),
                         "line 2 (replicate 0): a row of another scenario"),
        "a row dropped": (lambda s: s.iloc[[0]], "holds 1 replicates, and the manifest says 2"),
        "a number changed": (lambda s: s.assign(arrests_total=s["arrests_total"] + 1),
                             "changed since the run wrote it"),
    }
    for name, (edit, fragment) in cases.items():
        folder = copy_of(runs, "a", tmp_path / name.replace(" ", "_"))
        _summary_with(folder, edit)
        with pytest.raises(ResultsFolderError, match=fragment.replace("(", r"\(").replace(
                ")", r"\)")):
            sim.load(folder)
        status, message = run("compare", str(runs["b"]), str(folder), "--no-figures")
        refused(status, message, fragment)


def test_a_folder_from_before_checksums_is_read_with_a_note(runs, tmp_path):
    folder = copy_of(runs, "a", tmp_path / "older")
    manifest = layout.read_manifest(folder)
    del manifest["summary_sha256"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.warns(layout.FolderNote, match="holds no checksum"):
        assert len(sim.load(folder).summary) == 2
    status, message = run("compare", str(runs["b"]), str(folder), "--no-figures")
    assert status == 0 and "sim compare: note: " in message and "no checksum" in message


# --- every case: exit 2, one message, in seconds, in bounded memory ----------------------------

LIMITED = """
import contextlib, io, json, resource, sys, time
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))  # the heap, not reserved addresses
import pandas, pyarrow.parquet, sim.runs.runner, sim.analysis.compare  # imported before timing
from sim.cli import main
results = {}
for name, args in json.loads(sys.argv[2]).items():
    err = io.StringIO()
    started = time.monotonic()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            status = main(args)
    except SystemExit as end:  # argparse's refusals
        status = end.code
    except BaseException as error:
        status, err = 1, io.StringIO(f"Traceback: {type(error).__name__}: {error}")
    results[name] = {"status": status, "seconds": time.monotonic() - started,
                     "stderr": err.getvalue()}
print(json.dumps(results))
"""


def _hostile_cases(runs: dict[str, Path], folder: Path) -> dict[str, tuple[list[str], list]]:
    fifo = folder / "fifo.csv"
    os.mkfifo(fifo)
    scenario = str(tiny(folder, "a"))
    nan = folder / "nan.csv"
    rows = POSTERIOR.read_text().splitlines()
    header = rows[0].split(",")
    broken = rows[1].split(",")
    broken[-1] = "nan"
    nan.write_text("\n".join([rows[0], ",".join(broken), *rows[2:4]]) + "\n")
    fifo_daily = copy_of(runs, "a", folder / "fifo_daily")
    (fifo_daily / "daily.csv").unlink()
    os.mkfifo(fifo_daily / "daily.csv")
    zero_summary = copy_of(runs, "a", folder / "zero_summary")
    (zero_summary / "summary.csv").unlink()
    (zero_summary / "summary.csv").symlink_to("/dev/zero")
    truncated = copy_of(runs, "a", folder / "truncated")
    text = (truncated / "manifest.json").read_text()
    (truncated / "manifest.json").write_text(text[:len(text) // 2])
    extra = copy_of(runs, "a", folder / "extra")
    _summary_with(extra, lambda s: pd.concat([s, s.iloc[[0]].assign(replicate=7)]))
    year = folder / "y9999.yaml"
    year.write_text(f"name: y9999\nextends: {scenario}\naction: {{days: 1, start: 9999-12-31}}\n")
    escape = folder / "escape.yaml"
    escape.write_text(f'name: escape\nextends: {scenario}\n'
                      'description: "clear \\e[2J"\nscanning_teams:\n'
                      '  teams: [{place: "evz\\e[31monoi"}]\n')
    huge = _search(folder, trials=100_000, replicates=100)
    base = str(runs["b"])
    return {
        "FIFO as daily.csv": (["compare", base, str(fifo_daily), "--no-figures"],
                              ["daily.csv: is a FIFO (named pipe), expected a results table"]),
        "/dev/zero as summary.csv": (["compare", base, str(zero_summary), "--no-figures"],
                                     ["summary.csv: is a character device"]),
        "FIFO as the posterior file": (
            ["run", scenario, "--posterior", "1", "--posterior-file", str(fifo), "--out",
             str(folder / "p1")], ["fifo.csv", "is a FIFO (named pipe)"]),
        "/dev/zero as the posterior file": (
            ["run", scenario, "--posterior", "1", "--posterior-file", "/dev/zero", "--out",
             str(folder / "p2")], ["/dev/zero", "is a character device"]),
        "NaN in the posterior file": (
            ["run", scenario, "--posterior", "1", "--posterior-file", str(nan), "--out",
             str(folder / "p3")], ["nan.csv", f"line 2, column '{header[-1]}'",
                                   "is not a finite number"]),
        "--resume on a truncated manifest": (
            ["run", scenario, "--out", str(truncated), "--resume"],
            ["manifest.json cannot be read", "truncated or edited", "--force starts"]),
        "an extra row in summary.csv": (
            ["compare", base, str(extra), "--no-figures"],
            ["line 4 (replicate 7): not a replicate of this run"]),
        "dashboard --port -1": (["dashboard", "--port", "-1"], ["expected a number ≥ 0"]),
        "dashboard --port 70000": (["dashboard", "--port", "70000"],
                                   ["expected a port from 0 to 65535"]),
        "a start in year 9999": (["validate", str(year)], ["y9999.yaml", "past the calendar"]),
        "an optimisation of ten million runs": (
            ["optimise", str(huge), "--out", str(folder / "opt")],
            ["about 10,0", "model runs", "starts only with --yes"]),
        "escape sequences in a file": (["validate", str(escape)],
                                       ["evz\\x1b[31monoi", "escape.yaml"]),
    }


@pytest.mark.skipif(sys.platform != "linux", reason="needs Linux memory limits")
def test_every_hostile_case_exits_2_with_one_message_in_seconds_and_bounded_memory(runs,
                                                                                     tmp_path):
    """In a process whose heap may never pass 2 GB (reading /dev/zero would, and fail with a
    MemoryError): each case is one message on stderr, exit 2, no traceback, in under 10 s;
    nothing is written where a run was refused."""
    cases = _hostile_cases(runs, tmp_path)
    done = subprocess.run([sys.executable, "-c", LIMITED, str(2_000_000_000),
                           json.dumps({name: args for name, (args, _) in cases.items()})],
                          cwd=ROOT, env=ENVIRONMENT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    for name, (_, fragments) in cases.items():
        result = results[name]
        refused(result["status"], result["stderr"], *fragments)
        assert "\x1b" not in result["stderr"], name
        assert result["seconds"] < 10, (name, result["seconds"])
    for refused_run in ("p1", "p2", "p3", "opt"):
        assert not (tmp_path / refused_run).exists()


def test_disk_full_is_said_as_no_space_left(tmp_path, monkeypatch):
    from sim.runs import results

    def full(directory, tables, manifest=None):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(directory / "replicates"))

    monkeypatch.setattr(results, "write_replicate", full)
    status, message = run("run", str(tiny(tmp_path)), "--out", str(tmp_path / "out"),
                          "--quiet")
    refused(status, message, "no space left on device", "free some space")
    assert "permissions" not in message
    assert not (tmp_path / "out" / LOCK).exists()  # the lock is released on the way out


# --- clusters --------------------------------------------------------------------------------

def test_a_scheduler_without_workers_is_reported_then_refused_after_the_limit(tmp_path,
                                                                               monkeypatch):
    from distributed import LocalCluster

    monkeypatch.setenv("SIM_CLUSTER_TIMEOUT", "2")
    with LocalCluster(n_workers=0, processes=False, protocol="tcp",
                      dashboard_address=None) as cluster:
        started = time.monotonic()
        status, message = run("run", str(tiny(tmp_path)), "--cluster",
                              cluster.scheduler_address, "--out", str(tmp_path / "out"))
        seconds = time.monotonic() - started
    refused(status, message, "waiting for a Dask worker to join the scheduler at "
            f"{cluster.scheduler_address}", f"no Dask worker joined the scheduler at "
            f"{cluster.scheduler_address} within 2 s", "SIM_CLUSTER_TIMEOUT")
    assert 2 <= seconds < 10
    assert not (tmp_path / "out").exists()


LOST = """
import sys, time
from sim.runs import runner

def slow_replicate(*args, **kwargs):  # defined here: Dask ships it to the worker by value
    time.sleep(1.5)
    from sim.runs.replicate import run_replicate
    return run_replicate(*args, **kwargs)

plain = runner.run
runner.run = lambda *args, **kwargs: plain(*args, replicate_function=slow_replicate, **kwargs)
from sim.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_losing_the_scheduler_mid_run_is_one_closing_line(tmp_path):
    address = f"tcp://127.0.0.1:{_free_port()}"
    out = tmp_path / "out"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": ROOT,
             "env": ENVIRONMENT, "start_new_session": True}
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler",
                                  "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                  "--no-dashboard"], **quiet)
    worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address,
                               "--nthreads", "1", "--no-dashboard"], **quiet)
    client = None
    try:
        client = subprocess.Popen([sys.executable, "-c", LOST, "run",
                                   str(tiny(tmp_path, "a", replicates=8)), "--cluster", address,
                                   "--out", str(out), "--quiet"], cwd=ROOT, env=ENVIRONMENT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 180
        while not list(out.glob("replicates/0*")):  # a replicate written: the run is under way
            assert client.poll() is None, client.stderr.read()
            assert time.monotonic() < deadline, "no replicate finished on the cluster"
            time.sleep(0.1)
        scheduler.kill()
        lost = time.monotonic()
        status = client.wait(timeout=60)
        seconds = time.monotonic() - lost
        message = client.stderr.read()
    finally:
        for process in (scheduler, worker):  # their own sessions: with their children
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        if client is not None and client.poll() is None:
            client.kill()
            client.wait(timeout=30)
    refused(status, message, f"lost the connection to the Dask scheduler at {address}",
            "--resume finishes the run")
    lines = [line for line in message.splitlines() if line.strip()]
    assert len(lines) == 1, message  # one closing line: no replicate tracebacks, no log
    assert seconds < 10
    manifest = layout.read_manifest(out)
    assert manifest["status"] == "incomplete" and not (out / LOCK).exists()


# --- the dashboard answers only its own page ---------------------------------------------------

def test_the_dashboard_refuses_a_foreign_origin_and_host(tmp_path):
    """A page elsewhere (another Origin) or a rebound name (another Host) cannot drive the
    session; the page's own requests and websocket are served; a missing asset is 404 at once."""
    for module in ("solara", "uvicorn"):  # the viz extra
        pytest.importorskip(module)
    requests = pytest.importorskip("requests")
    websockets = pytest.importorskip("websockets")

    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "sim", "dashboard"], cwd=ROOT, text=True,
                              env=ENVIRONMENT, stdout=subprocess.PIPE, stderr=log,
                              start_new_session=True)
    try:
        ready, _, _ = select.select([server.stdout], [], [], 120)
        line = server.stdout.readline() if ready else ""
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, line
        url, port = found.group(0), found.group(1)
        assert requests.get(f"{url}readyz", timeout=30).status_code == 200
        assert requests.get(f"{url}readyz", headers={"Host": "evil.example"},
                            timeout=30).status_code == 403
        assert requests.get(f"{url}readyz", headers={"Host": f"evil.example:{port}"},
                            timeout=30).status_code == 403
        assert requests.get(f"{url}readyz", headers={"Origin": "http://evil.example"},
                            timeout=30).status_code == 403
        started = time.monotonic()
        missing = requests.get(f"{url}_solara/cdn/no-such-package@1.0.0/x.js", timeout=30)
        assert missing.status_code == 404 and time.monotonic() - started < 2

        async def websocket(origin: str | None) -> str:
            try:
                async with websockets.connect(
                        f"ws://127.0.0.1:{port}/jupyter/api/kernels/k/channels?session_id=s",
                        origin=origin, open_timeout=30):
                    return "accepted"
            except websockets.exceptions.InvalidStatus as error:
                return f"refused {error.response.status_code}"

        assert asyncio.run(websocket("http://evil.example")) == "refused 403"
        assert asyncio.run(websocket(None)) == "refused 403"
        assert asyncio.run(websocket(f"http://127.0.0.1:{port}")) == "accepted"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
        log.close()
