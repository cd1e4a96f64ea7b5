"""The `sim` command (also `python -m sim`): the parser of the sub-commands in `sim.commands`,
and the one place that turns errors into exit statuses.

Exit status: 0 done; 1 a run finished incomplete (a replicate failed: see failures.json);
2 bad input or a results folder that must not be written (nothing is written then);
130 interrupted by Ctrl-C or SIGTERM (finished replicates are kept: `--resume` finishes the
run). Each exit 2 is one line on stderr, with whatever it quotes from a file made printable.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import shlex
import signal
import sys
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path

from sim.commands import COMMANDS, MODULES

# Errors of the user's files and folders (permission, read-only, disk full, wrong kind of path):
# one message and exit 2. Any other OSError is the program's and keeps its traceback.
USER_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT,
                         errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG, errno.ENOENT,
                         errno.EEXIST, errno.ELOOP})
EXIT_BAD_INPUT, EXIT_INTERRUPTED = 2, 130
ADVICE = {errno.ENOSPC: "free some space, or write elsewhere with --out",
          errno.EDQUOT: "the disk quota is used up: free some space, or write elsewhere",
          errno.EROFS: "the file system is read-only: write elsewhere with --out",
          errno.ENAMETOOLONG: "choose a shorter name",
          errno.ENOENT: "check the path"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sim", description="Simulate the EMPACT Joint Action "
                                     "Days South East Europe 2023 and variants of it.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"sim.commands.{MODULES.get(name, name)}").register(commands)
    return parser


def user_errors() -> tuple[type[Exception], ...]:
    """The exceptions that mean bad input or a folder that must not be written: one message,
    exit 2 (imported only when an exception is on its way, so `sim --help` stays light)."""
    from sim.analysis.compare import ComparisonError
    from sim.analysis.harm import HarmWeightsError
    from sim.runs.executor import ClusterError
    from sim.runs.layout import ResultsFolderError
    from sim.scenario.files import ScenarioError

    return ScenarioError, ResultsFolderError, ComparisonError, ClusterError, HarmWeightsError


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.command_line = shlex.join(["sim", *argv])
    from rich.console import Console

    rich_on_broken_pipe = Console.on_broken_pipe  # rich would exit 1 without a word
    Console.on_broken_pipe = _raise_broken_pipe
    shown = warnings.showwarning
    warnings.showwarning = _notes_of(args.command, shown)  # a folder's notes as notes
    terminated = _terminate_as_interrupt()
    try:
        return args.handler(args)
    except BrokenPipeError:
        return _closed_output(args.command)
    except OSError as error:
        if error.errno not in USER_ERRNOS or _ours(error.filename):
            raise  # not something the user's input or folders caused: keep the traceback
        where = f"{error.filename}: " if error.filename else ""
        cause = error.strerror or str(error)
        _say(args.command, f"{where}{cause[:1].lower()}{cause[1:]}; "
             f"{ADVICE.get(error.errno, 'check the path and its permissions')}")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        resumable = args.command in ("run", "sweep", "marginal", "optimise")
        print("sim: interrupted" + ("; finished work is kept, --resume finishes it"
                                    if resumable else ""), file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        if not isinstance(error, user_errors()):
            raise
        _say(args.command, str(error))
        return EXIT_BAD_INPUT
    finally:
        Console.on_broken_pipe = rich_on_broken_pipe
        warnings.showwarning = shown
        if terminated is not None:
            signal.signal(signal.SIGTERM, terminated)


def _terminate_as_interrupt():
    """SIGTERM (a job's time limit, `kill`) ends a command as Ctrl-C does: its output folder is
    released and its finished replicates kept. Returns the handler to restore (None off the
    main thread, where signals cannot be handled)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


def _say(command: str, message: str) -> None:
    """One message on stderr; what came from a file is shown, never obeyed, by the terminal."""
    from sim.scenario.reading import printable

    print(f"sim {command}: {printable(message)}", file=sys.stderr)


def _notes_of(command: str, shown):
    """`warnings.showwarning` that prints the folder guard's notes as `sim CMD: note: ...`."""
    def show(message, category, filename, lineno, file=None, line=None):
        if category.__name__ == "FolderNote":  # sim.runs.layout.FolderNote, not imported here
            _say(command, f"note: {message}")
        else:
            shown(message, category, filename, lineno, file, line)
    return show


def _raise_broken_pipe(console) -> None:
    if not console.quiet:
        raise BrokenPipeError("output closed")


def _ours(filename: object) -> bool:
    """A path inside the installed package (its data, its code): an error there is a bug or a
    broken installation, not the user's."""
    if not isinstance(filename, str | bytes | os.PathLike):
        return False
    package = Path(__file__).resolve().parent
    return Path(os.fsdecode(filename)).resolve().is_relative_to(package)


def _closed_output(command: str) -> int:
    """The reader of our output went away (`sim list places | head`): stop quietly, exit 2."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's final flush must not fail
    with contextlib.suppress(OSError):
        print(f"sim {command}: output closed before it was all written (broken pipe)",
              file=sys.stderr)
    return EXIT_BAD_INPUT
