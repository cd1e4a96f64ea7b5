"""Can worker processes start from here? The `if __name__ == "__main__":` question.

Local worker processes (and a local Dask cluster's) are started with "spawn": each re-imports
the main script from the top. A script that calls `sim.run` outside a main guard would so call
it again in every worker, which Python refuses (every replicate then fails with
`BrokenProcessPool`); a program read from stdin (`python -`) cannot be re-imported at all.
`spawn_problem()` finds both cases before any process starts, so the runner can run in this
process instead and say what to add.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from types import FrameType, ModuleType

GUARD = 'if __name__ == "__main__":'


def spawn_problem() -> str | None:
    """Why spawned workers cannot start from the current call, or None when they can."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or path is None:
        return None  # interactive, `python -c`, Jupyter: workers re-import nothing
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name.endswith(".__main__"):
        return None  # `python -m package`: workers do not re-run a package's __main__
    if not Path(path).is_file():
        return (f"the main program ({path}) is not a file that worker processes can re-import; "
                "save it as a .py file with the call indented under the line " + GUARD)
    frame = _module_frame(main)
    if frame is None or _is_guarded(Path(path), frame.f_lineno):
        return None
    return (f"worker processes re-run {path} from the top, and its call to sim.run (line "
            f"{frame.f_lineno}) is not under the line {GUARD} — indent it under that line to "
            "use worker processes")


def _module_frame(main: ModuleType) -> FrameType | None:
    """The frame running the main script's top-level code, if this call comes from it."""
    frame, found = sys._getframe(1), None
    while frame is not None:
        if frame.f_globals is main.__dict__ and frame.f_code.co_name == "<module>":
            found = frame
        frame = frame.f_back
    return found


def _is_guarded(path: Path, line: int) -> bool:
    """Whether the top-level statement holding `line` is an `if __name__ == "__main__":`."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, SyntaxError):
        return False
    for statement in tree.body:
        if statement.lineno <= line <= (statement.end_lineno or statement.lineno):
            return isinstance(statement, ast.If) and _is_main_test(statement.test)
    return False


def _is_main_test(test: ast.expr) -> bool:
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s.id for s in sides if isinstance(s, ast.Name)]
    values = [s.value for s in sides if isinstance(s, ast.Constant)]
    return names == ["__name__"] and values == ["__main__"]
