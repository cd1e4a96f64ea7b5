"""What is wrong with a scenario, said so a planner can fix it: one `Problem` per mistake (file,
line, key path, message, the closest valid name) and the `ScenarioError` that lists them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario."""

    file: str
    line: int | None
    key_path: KeyPath
    message: str
    suggestion: str | None = None

    def __str__(self) -> str:
        where = self.file + (f", line {self.line}" if self.line else "")
        key = ".".join(str(k) for k in self.key_path) or "(top level)"
        text = f"{where}: {key}: {self.message}"
        return text + (f" (did you mean '{self.suggestion}'?)" if self.suggestion else "")


class ScenarioError(ValueError):
    """A scenario that cannot be run; `problems` says every reason."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        lines = [str(p) for p in self.problems]
        heading = "invalid scenario" if len(lines) == 1 else f"{len(lines)} problems in scenario"
        super().__init__(heading + ":\n  " + "\n  ".join(lines))


def suggest(name: str, valid: Iterable[str]) -> str | None:
    """The closest valid name to a misspelt one (`gr` -> `GR`), or None when nothing is close."""
    valid = list(valid)
    folded = {v.casefold(): v for v in valid if isinstance(v, str)}
    if str(name).casefold() in folded:
        return folded[str(name).casefold()]
    matches = difflib.get_close_matches(str(name), valid, n=1, cutoff=0.6)
    return matches[0] if matches else None


# Marks the entries of a `lines` mapping that hold a merged list entry's written path.
ORIGIN = "<written at>"


def written_path(lines: dict, loc: KeyPath) -> KeyPath:
    """`loc` in the merged scenario as the planner wrote it: an entry a `change:` patch made
    (`frontex.13.count`) is named by its place in the patch (`frontex.change.0.count`)."""
    for end in range(len(loc), 0, -1):
        written = lines.get((ORIGIN, *loc[:end]))
        if written is not None:
            return (*written, *loc[end:])
    return loc
