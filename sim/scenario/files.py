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

def merge(base: Mapping[str, Any], override: Mapping[str, Any],
          path: KeyPath = ()) -> dict[str, Any]:
    """Overrides merge by key, recursively; lists and scalars replace, except that a keyed list
    (`KEYED_LISTS`) can be changed entry by entry with a `{change: [...], remove: [...]}`
    mapping (`patch_keyed_list`)."""
    merged = dict(base)
    for key, value in override.items():
        here = (*path, key)
        if is_list_patch(value) and here in KEYED_LISTS:
            merged[key] = patch_keyed_list(merged.get(key) or [], value, here)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value, here)
        else:
            merged[key] = value
    return merged


# Lists whose entries a variant may change one at a time, and the fields naming an entry.
KEYED_LISTS: dict[KeyPath, tuple[str, ...]] = {
    ("frontex",): ("kind", "place"),
    ("postings",): ("country", "agency", "posting", "place"),
    ("scanning_teams", "teams"): ("place",),
}
_PATCH_KEYS = frozenset({"change", "remove"})


class ListPatchError(ValueError):
    """A `change:`/`remove:` entry that names no entry, or several, of the base list."""

    def __init__(self, key_path: KeyPath, message: str):
        self.key_path = key_path
        super().__init__(message)


def is_list_patch(value: Any) -> bool:
    return isinstance(value, Mapping) and bool(value) and set(value) <= _PATCH_KEYS


def patch_keyed_list(base: list[Any], patch: Mapping[str, Any], path: KeyPath) -> list[Any]:
    """Change, add or remove single entries of a base list, matching entries by their key
    fields (`KEYED_LISTS`): a `change` entry updates the fields it states in the one base entry
    with the same keys (or is appended when none has them); a `remove` entry deletes it."""
    keys = KEYED_LISTS[path]
    entries = [dict(e) if isinstance(e, Mapping) else e for e in base]
    spelled = " and ".join(keys)

    def key_of(entry: Any, where: KeyPath) -> tuple[Any, ...]:
        if not isinstance(entry, Mapping):
            raise ListPatchError(where, f"expected an entry with {spelled}, found {entry!r}")
        return tuple(entry.get(k) for k in keys)

    def matches(key: tuple[Any, ...]) -> list[int]:
        return [i for i, e in enumerate(entries)
                if isinstance(e, Mapping) and tuple(e.get(k) for k in keys) == key]

    for action in ("change", "remove"):
        items = patch.get(action) or []
        if not isinstance(items, list):
            raise ListPatchError((*path, action), "expected a list of entries")
        for n, item in enumerate(items):
            where = (*path, action, n)
            key = key_of(item, where)
            found = matches(key)
            named = ", ".join(f"{k}={v}" for k, v in zip(keys, key, strict=True))
            if len(found) > 1:
                raise ListPatchError(where, f"{len(found)} entries of the base list have "
                                     f"{named}; restate the whole list instead")
            if action == "remove":
                if not found:
                    raise ListPatchError(where, f"no entry of the base list has {named}")
                del entries[found[0]]
            elif found:
                entries[found[0]] = {**entries[found[0]], **item}
            else:
                entries.append(dict(item))
    return entries


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
    try:
        return merge(base, data), document.lines, path
    except ListPatchError as error:
        raise ScenarioError([Problem(str(path), _line_for(document.lines, error.key_path),
                                     error.key_path, str(error))]) from None


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
