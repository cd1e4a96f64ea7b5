"""The one guard every writer passes before writing an output: `claim(out, kind, force, resume)`.

`claim` checks the folder (touching nothing: a refusal writes nothing), creates it, takes its
lock (`sim.runs.lock`: one writer at a time, the holder named to any other), checks it again
under the lock (it may have changed between the first look and the lock) and holds the folder
until the `with` block ends, also on an error or an interrupt, when it releases the lock (and
removes the folder again if it created it and nothing was written). The rules by kind:

- `RESULTS`, a run's folder (`sim.runs.run_folder`): only a folder a run wrote is ever
  replaced (`--force`, same scenario, nothing but what a run writes), `--resume` finishes only
  the same scenario and model, in replicate folders that are its own.
- `SWEEP`, a sweep's folder (`sim.runs.sweep_folder`): one sweep per folder, as for a run.
- `FILE`, one output file (a workbook, a posterior file, a page): replaced only with `--force`,
  never through a link (a link there is refused). A file is written whole by renaming
  (`sim.runs.layout.write_atomically`), so it takes no lock.
- any other kind, a tool's output folder (a calibration, a comparison, ...): its `files` are
  replaced only with `--force` (or finished with `--resume`); a results or sweep folder is
  never a tool's output folder, and a link where one of its files goes is refused. `check` adds
  a tool's own rules (the optimiser's).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from sim.runs import layout as store
from sim.runs.layout import FolderNote, ResultsFolderError, note
from sim.runs.lock import (
    FolderInUseError,
    Holder,
    acquire,
    break_stale,
    read_holder,
    release,
)
from sim.runs.run_folder import (
    MARKER,
    check_creatable,
    check_folder,
    describe_names,
    is_new,
    read_marker,
)
from sim.runs.sweep_folder import SWEEP_INDEX, SWEEP_MARKER, check_sweep_folder
from sim.scenario.schema import Scenario

RESULTS, SWEEP, FILE = "results", "sweep", "file"
__all__ = ["FILE", "MARKER", "RESULTS", "SWEEP", "Claim", "FolderInUseError", "FolderNote",
           "ResultsFolderError", "check_free", "check_output_file", "check_outputs", "claim"]


# --- the claim -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Claim:
    """A folder held for one writer: what the guard found it to be ("new", "resume" or
    "replace") and whether the guard created it."""

    path: Path
    kind: str
    action: str
    created: bool


# A test holds a claim here, between the check under the lock and the first write, to force
# the race of two writers (tests/test_folder_lock.py); None in every real run.
BEFORE_FIRST_WRITE: Callable[[Claim], None] | None = None


@contextlib.contextmanager
def claim(out: str | Path, kind: str, force: bool = False, resume: bool = False, *,
          scenario: Scenario | None = None, source: str | None = None,
          files: Collection[str] = (), sweep: tuple[str, Collection[str]] | None = None,
          check: Callable[[Path], object] | None = None,
          command: str | None = None) -> Iterator[Claim]:
    """Hold `out` for this writer for the `with` block: the one guard of every output.

    `kind` is `RESULTS` (give `scenario` and its `source` file), `SWEEP` (give `sweep`: its
    name and point folders), `FILE`, or a tool's name with the `files` it writes (and its own
    `check`, called with the folder, raising ResultsFolderError). `force` lets the writer
    replace what the same kind of writer wrote; `resume` lets it finish it. Raises
    ResultsFolderError (FolderInUseError when another writer holds the folder) before
    anything is written."""
    out = Path(out)

    def rules() -> str:
        return _check(out, kind, force=force, resume=resume, scenario=scenario, source=source,
                      files=files, sweep=sweep, check=check)

    check_free(out)
    action = rules()  # a refusal leaves everything as it was
    if kind == FILE:
        yield Claim(out, kind, action, created=False)
        return
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ResultsFolderError(f"{out} cannot be created: {error.strerror or error}; choose "
                                 "another output folder with --out") from None
    holder = Holder.of_this_process(
        kind, command, store.scenario_hash(scenario) if scenario is not None else None)
    try:
        _take(out, holder, force=force, resume=resume)
        try:
            held = Claim(out, kind, rules(), created)  # again: it may have changed meanwhile
            if BEFORE_FIRST_WRITE is not None:
                BEFORE_FIRST_WRITE(held)
            yield held
        finally:
            release(out, holder)
    finally:
        if created:
            with contextlib.suppress(OSError):
                out.rmdir()  # only when empty: a refused or failed writer leaves no folder


def check_free(out: Path) -> None:
    """Refuse a folder another live writer holds (touching nothing), before its contents are
    judged: a folder being written is "in use", not "incomplete". A stale lock is left to
    `claim`, which reports it or breaks it."""
    holder = read_holder(out)
    if holder is not None and holder.alive():
        raise FolderInUseError(
            f"{out} is in use by {holder.describe()}; a folder has one writer at a time: wait "
            "for that run to finish, or write elsewhere with --out", holder)


def _take(out: Path, holder: Holder, *, force: bool, resume: bool) -> None:
    """Take the folder's lock, breaking a stale one with `force` or `resume` (with a note)."""
    for _ in range(3):
        current = acquire(out, holder)
        if current is None:
            return
        if current.alive():
            raise FolderInUseError(
                f"{out} is in use by {current.describe()}; a folder has one writer at a time: "
                "wait for that run to finish, or write elsewhere with --out", current)
        if not (force or resume):
            raise FolderInUseError(
                f"{out} holds the lock of a run that is no longer running "
                f"({current.describe()}: it was killed, or its machine restarted); nothing "
                "was written; --force (or --resume, where the command has it) breaks the "
                "lock", current, stale=True)
        if break_stale(out, current):
            note(f"{out}: broke the stale lock of {current.describe()}, which is no longer "
                 "running")
    raise FolderInUseError(f"{out}: other runs are taking this folder at this moment; nothing "
                           "was written; try again, or write elsewhere with --out", None)


def _check(out: Path, kind: str, *, force: bool, resume: bool, scenario: Scenario | None,
           source: str | None, files: Collection[str], sweep: tuple[str, Collection[str]] | None,
           check: Callable[[Path], object] | None) -> str:
    if kind == RESULTS:
        if scenario is None:
            raise TypeError("claim(kind=RESULTS) needs the scenario")
        return check_folder(out, scenario, resume=resume, force=force, source=source)
    if kind == SWEEP:
        if sweep is None:
            raise TypeError("claim(kind=SWEEP) needs the sweep's name and points")
        return check_sweep_folder(out, sweep[0], sweep[1], resume=resume, force=force,
                                  source=source)
    if kind == FILE:
        return check_output_file(out, force=force)
    action = check_outputs(out, kind, files, force=force or resume)
    if check is not None and out.is_dir():
        check(out)
    return action


# --- a tool's output folder and an output file -----------------------------------------------

def check_outputs(directory: Path, kind: str, files: Collection[str], *, force: bool) -> str:
    """Whether a tool may write its `files` into `directory`: "new" or "replace" (with `force`),
    or the ResultsFolderError that forbids it. Touches nothing."""
    if is_new(directory, "a folder"):
        return "new"
    if read_marker(directory) is not None or (directory / store.MANIFEST).is_file():
        raise ResultsFolderError(f"{directory} is a results folder; write the {kind} into "
                                 f"another folder (e.g. {directory.parent / kind})")
    if (directory / SWEEP_MARKER).is_file() or (directory / SWEEP_INDEX).is_file():
        raise ResultsFolderError(f"{directory} is a sweep folder; write the {kind} into "
                                 f"another folder (e.g. {directory.parent / kind})")
    linked = [name for name in files if (directory / name).is_symlink()]
    if linked:
        raise ResultsFolderError(f"{directory / linked[0]} is a symbolic link; an output is "
                                 "never written through a link (the file it points to would "
                                 "change); remove the link, or write elsewhere with --out")
    present = [name for name in files if (directory / name).exists()]
    if present and not force:
        raise ResultsFolderError(f"{directory} already holds a {kind} "
                                 f"({describe_names(present)}); --force replaces it")
    return "replace" if present else "new"


def check_output_file(path: Path, *, force: bool) -> str:
    """Whether one output file may be written: "new" or "replace" (with `force`), or the
    ResultsFolderError that forbids it (a link, a folder, an existing file without `force`)."""
    if path.is_symlink():
        raise ResultsFolderError(f"{path} is a symbolic link; an output is never written "
                                 "through a link (the file it points to would change); remove "
                                 "the link or name another file")
    if path.is_dir():
        raise ResultsFolderError(f"{path} is a folder; name the file to write")
    if path.exists():
        if not path.is_file():
            raise ResultsFolderError(f"{path} is not a regular file; name the file to write")
        if not force:
            raise ResultsFolderError(f"{path} already exists; --force replaces it")
        return "replace"
    check_creatable(path)
    return "new"
