"""Reading scenario YAML: safe loading, `extends:`, line numbers and planner-readable errors.

Every mistake becomes one `ScenarioError` listing each problem with the file, the line, the key
path, what was expected and, for a misspelt name, the closest valid one.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from sim.scenario.schema import Scenario

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
    """The closest valid name to a misspelt one, or None when nothing is close."""
    matches = difflib.get_close_matches(str(name), list(valid), n=1, cutoff=0.6)
    return matches[0] if matches else None


# --- YAML with line numbers ------------------------------------------------------------------

def _line_index(node: yaml.Node, path: KeyPath = (), index: dict | None = None,
                seen: frozenset[int] = frozenset()) -> dict:
    """Map each key path in a composed YAML document to its 1-based line (an alias that
    contains itself is indexed once, not followed round its cycle)."""
    index = {} if index is None else index
    index[path] = node.start_mark.line + 1
    if id(node) in seen:
        return index
    seen = seen | {id(node)}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            _line_index(value_node, (*path, key), index, seen)
            index[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_index(item, (*path, i), index, seen)
    return index


@dataclass
class _Document:
    path: Path
    data: dict[str, Any]
    lines: dict


def _read_document(path: Path) -> _Document:
    label = str(path)
    try:
        if not path.exists():
            raise ScenarioError([Problem(label, None, (), "file not found")])
        if path.is_dir():
            raise ScenarioError([Problem(label, None, (), "is a directory, expected a YAML "
                                         "file")])
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError) as error:  # unreadable, undecodable, or not a usable path
        raise ScenarioError([Problem(label, None, (), f"cannot be read: {error}")]) from error
    return parse_document(text, label, path)


def parse_document(text: str, label: str = "<text>", path: Path | None = None) -> _Document:
    """Parse YAML text safely into a mapping with a line index (no Python object tags)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(error, "problem", None) or str(error)
        raise ScenarioError([Problem(label, line, (), f"invalid YAML: {reason}")]) from error
    except (RecursionError, ValueError, TypeError) as error:
        raise ScenarioError([Problem(label, None, (), f"invalid YAML: {error}")]) from error
    if data is None:
        raise ScenarioError([Problem(label, None, (), "file is empty; expected a mapping with "
                                     "at least 'name:'")])
    if not isinstance(data, dict):
        raise ScenarioError([Problem(label, 1, (), f"expected a mapping of keys to values, "
                                     f"found a {type(data).__name__}")])
    bad_keys = [k for k in data if not isinstance(k, str)]
    if bad_keys:
        raise ScenarioError([Problem(label, 1, (), f"keys must be text, found {bad_keys[0]!r}")])
    return _Document(path or Path(label), data, _line_index(node) if node else {})


# --- extends ---------------------------------------------------------------------------------

def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Overrides merge by key, recursively; lists and scalars replace."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _resolve(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], dict, Path]:
    """Read a file and everything it extends; returns merged data, this file's lines, path."""
    try:
        path = path.resolve()
    except (OSError, ValueError) as error:
        where = str(chain[-1]) if chain else str(path)
        raise ScenarioError([Problem(where, None, ("extends",) if chain else (),
                                     f"not a usable file name: {error}")]) from error
    if path in chain:
        cycle = " -> ".join(str(p) for p in (*chain, path))
        raise ScenarioError([Problem(str(chain[-1]), None, ("extends",),
                                     f"cycle of extends: {cycle}")])
    document = _read_document(path)
    data = dict(document.data)
    parent = data.pop("extends", None)
    if parent is None:
        return data, document.lines, path
    if not isinstance(parent, str):
        raise ScenarioError([Problem(str(path), document.lines.get(("extends",)), ("extends",),
                                     "expected a file name")])
    base_path = (path.parent / parent)
    base, _, _ = _resolve(base_path, (*chain, path))
    return merge(base, data), document.lines, path


# --- validation ------------------------------------------------------------------------------

def _valid_keys(model: type[BaseModel], loc: KeyPath) -> list[str]:
    """Field names valid at `loc` (the parent of an unknown key), by walking the model types."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return []
            current = field.annotation
        else:
            args = [a for a in get_args(current) if a is not type(None)]
            origin = get_origin(current)
            if origin in (list, tuple) or origin is dict:
                current = args[-1] if args else None
            elif args:
                current = next((a for a in args if isinstance(a, type)
                                and issubclass(a, BaseModel)), args[0])
            else:
                return []
        while get_args(current) and not (isinstance(current, type)
                                          and issubclass(current, BaseModel)):
            origin = get_origin(current)
            if origin in (list, tuple, dict):
                break
            inner = [a for a in get_args(current) if isinstance(a, type)
                     and issubclass(a, BaseModel)]
            if not inner:
                break
            current = inner[0]
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _line_for(lines: dict, loc: KeyPath) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def problems_from_validation(error: ValidationError, label: str, lines: dict) -> list[Problem]:
    """Turn pydantic errors into planner-readable problems with lines and suggestions."""
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        suggestion = None
        if item["type"] == "extra_forbidden":
            valid = _valid_keys(Scenario, loc[:-1])
            suggestion = suggest(str(loc[-1]), valid)
            shown = ", ".join(valid[:12]) + (", ... (see scenarios/scenario.schema.json)"
                                             if len(valid) > 12 else "")
            message = "unknown key" if suggestion else f"unknown key; valid keys here: {shown}"
        elif item["type"] == "missing":
            message = "required key is missing"
        elif item["type"] == "literal_error":
            valid = re.findall(r"'([^']+)'", item.get("ctx", {}).get("expected", ""))
            suggestion = suggest(str(item.get("input")), valid)
            message = f"{item['msg']} (got {item.get('input')!r})"
        else:
            given = item.get("input")
            shown = repr(given) if not isinstance(given, dict | list) else type(given).__name__
            message = f"{item['msg']} (got {shown[:60]})"
        problems.append(Problem(label, _line_for(lines, loc), loc, message, suggestion))
    return problems


def scenario_from_mapping(data: Mapping[str, Any], label: str = "<mapping>",
                          lines: dict | None = None) -> Scenario:
    """Validate an already-merged mapping (no graph checks)."""
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as error:
        raise ScenarioError(problems_from_validation(error, label, lines or {})) from None
    except RecursionError:
        raise ScenarioError([Problem(label, None, (), "nested too deeply")]) from None


def load_scenario(path: str | Path, *, check_graph: bool = True) -> Scenario:
    """Read, merge (`extends`) and validate a scenario file, then check it against the route
    graph (names, impossible allocations). Raises ScenarioError listing every problem."""
    data, lines, _resolved = _resolve(Path(path), ())
    scenario = scenario_from_mapping(data, str(Path(path)), lines)
    if check_graph:
        from sim.scenario.allocation import check_scenario

        check_scenario(scenario, label=str(Path(path)), lines=lines)
    return scenario
