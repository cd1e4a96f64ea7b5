"""Running `sim` in the test's own process, for the tests of what the command says and does."""

from __future__ import annotations

import contextlib
import io

from sim.cli import main


def run(*args: str) -> tuple[int, str]:
    """`sim ARGS` in this process: exit status and stderr."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(list(args))
    return status, err.getvalue()
