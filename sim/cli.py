"""The `sim` command (also `python -m sim`): the parser of the sub-commands in `sim.commands`,
and the one place that turns errors into exit statuses.

Exit status: 0 done; 1 a run finished incomplete (a replicate failed: see failures.json);
2 bad input or a results folder that must not be written (nothing is written then);
130 interrupted (finished replicates are kept: `--resume` finishes the run).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from sim.commands import COMMANDS, MODULES

# Errors of the user's files and folders (permission, read-only, disk full, wrong kind of path):
# one message and exit 2. Any other OSError is the program's and keeps its traceback.
USER_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT,
                         errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG, errno.ENOENT,
                         errno.EEXIST, errno.ELOOP})
EXIT_BAD_INPUT, EXIT_INTERRUPTED = 2, 130


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
    from sim.runs.layout import ResultsFolderError
    from sim.runs.runner import ClusterUnreachableError
    from sim.scenario.files import ScenarioError

    return ScenarioError, ResultsFolderError, ComparisonError, ClusterUnreachableError


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.command_line = shlex.join(["sim", *argv])
    from rich.console import Console

    rich_on_broken_pipe = Console.on_broken_pipe  # rich would exit 1 without a word
    Console.on_broken_pipe = _raise_broken_pipe
    try:
        return args.handler(args)
    except BrokenPipeError:
        return _closed_output(args.command)
    except OSError as error:
        if error.errno not in USER_ERRNOS or _ours(error.filename):
            raise  # not something the user's input or folders caused: keep the traceback
        where = f"{error.filename}: " if error.filename else ""
        print(f"sim {args.command}: {where}{error.strerror or error}; check the path and its "
              "permissions", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("sim: interrupted; finished replicates are kept, --resume finishes the run",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:
        if not isinstance(error, user_errors()):
            raise
        print(f"sim {args.command}: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        Console.on_broken_pipe = rich_on_broken_pipe


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
