"""The lock that holds an output folder for one writer, from its check to its last write.

A writer creates `.jad-sim-lock` in the folder atomically: the lock's text (process id, host,
the process's start, what it writes, its scenario hash, the command) is written to a file of its
own, then hard-linked to the lock's name, which fails when a lock is there. So a lock is never
seen half-written, and of two writers that start together exactly one gets the folder. The
other is refused, naming the holder. A lock whose process has ended (killed, or the machine
restarted) is stale: it is reported, and broken only when asked (`break_stale`), one breaker at
a time. A lock of another host cannot be checked and counts as held.

The folder guard (`sim.runs.folder.claim`) takes and releases the lock; nothing else does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from sim.runs.layout import ResultsFolderError

LOCK = ".jad-sim-lock"
BREAKING = LOCK + ".breaking"  # held for the moment a stale lock is removed
MAX_LOCK_BYTES = 100_000


class FolderInUseError(ResultsFolderError):
    """Another writer holds the folder (or held it and died: `stale`)."""

    def __init__(self, message: str, holder: Holder | None, stale: bool = False):
        super().__init__(message)
        self.holder = holder
        self.stale = stale


@dataclass(frozen=True)
class Holder:
    """Who holds a folder: enough to tell whether it still runs and to name it."""

    pid: int
    host: str
    kind: str
    started: str
    token: str
    command: str | None = None
    scenario_hash: str | None = None
    process_start: str | None = None  # the kernel's start time of `pid`: a reused id differs
    boot: str | None = None  # the machine's boot: a lock from before a restart is stale

    @classmethod
    def of_this_process(cls, kind: str, command: str | None,
                        scenario_hash: str | None) -> Holder:
        return cls(os.getpid(), socket.gethostname(), kind,
                   dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), uuid.uuid4().hex,
                   command, scenario_hash, _process_start(os.getpid()), _boot())

    def alive(self) -> bool:
        """False only when this host can tell the process has ended; a lock of another host
        counts as alive."""
        if self.host != socket.gethostname():
            return True
        if self.pid <= 0:  # an unreadable lock names no process
            return False
        if self.boot and _boot() and self.boot != _boot():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # another user's process: it exists
        started = _process_start(self.pid)
        return not (self.process_start and started and started != self.process_start)

    def describe(self) -> str:
        what = f"{self.command}, " if self.command else f"{self.kind}, "
        scenario = f", scenario {self.scenario_hash[:12]}" if self.scenario_hash else ""
        return (f"process {self.pid} on host {self.host} ({what}since {self.started}"
                f"{scenario})")


def acquire(folder: Path, holder: Holder) -> Holder | None:
    """Take the lock of `folder` for `holder`; returns None when taken, else the lock's current
    holder (a `Holder`, or one describing an unreadable lock file)."""
    path = folder / LOCK
    text = json.dumps(asdict(holder), indent=1) + "\n"
    draft = folder / f"{LOCK}.{holder.pid}.{holder.token[:8]}"
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                         | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        try:
            os.link(draft, path)  # atomic: fails when a lock is there, even a dangling link
            return None
        except FileExistsError:
            return read_holder(folder) or _unreadable(path)
        except OSError:  # a file system without hard links: one exclusive create instead
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                                     | getattr(os, "O_NOFOLLOW", 0), 0o644)
            except FileExistsError:
                return read_holder(folder) or _unreadable(path)
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                file.write(text)
            return None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(draft)


def read_holder(folder: Path) -> Holder | None:
    """The holder written in the folder's lock; None when there is no lock or it is not one."""
    path = folder / LOCK
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                             | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as file:
        try:
            data = json.loads(file.read(MAX_LOCK_BYTES).decode("utf-8"))
            return Holder(**{key: data[key] for key in Holder.__dataclass_fields__
                             if key in data})
        except (OSError, ValueError, TypeError, AttributeError):
            return None


def _unreadable(path: Path) -> Holder:
    """A lock file that does not say who holds it (edited by hand, or not ours): stale."""
    return Holder(pid=-1, host=socket.gethostname(), kind="unknown", started="an unknown time",
                  token="", command=f"an unreadable lock file {path.name}")


def release(folder: Path, holder: Holder) -> None:
    """Remove the lock if it is still `holder`'s (a lock broken and taken by another is
    theirs)."""
    current = read_holder(folder)
    if current is not None and current.token == holder.token:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(folder / LOCK)


def break_stale(folder: Path, stale: Holder) -> bool:
    """Remove the lock of `stale`, a holder that has ended, unless the lock has changed since
    (another writer broke it and took the folder); one breaker at a time. True when removed."""
    marker = folder / BREAKING
    try:
        os.close(os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                         | getattr(os, "O_NOFOLLOW", 0), 0o644))
    except FileExistsError:
        return False
    try:
        current = read_holder(folder)
        same = (current.token == stale.token) if current is not None else stale.pid == -1
        if same:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(folder / LOCK)
        return same
    finally:
        with contextlib.suppress(OSError):
            os.unlink(marker)


def is_lock_entry(name: str) -> bool:
    """Whether a folder entry is the lock or one of its momentary companions."""
    return name == LOCK or name.startswith(LOCK + ".")


def _process_start(pid: int) -> str | None:
    """The kernel's start time of a process (Linux: field 22 of /proc/PID/stat), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def _boot() -> str | None:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return None
