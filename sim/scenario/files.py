"""Reading scenario YAML: safe loading, `extends:`, line numbers and planner-readable errors.

Every mistake becomes one `ScenarioError` listing each problem with the file, the line, the key
path, what was expected and, for a misspelt name, the closest valid one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from sim.scenario.problems import (  # re-exported: the names readers of scenarios import
    ORIGIN,
    KeyPath,
    Problem,
    ScenarioError,
    suggest,
    written_path,
)
from sim.scenario.reading import InputError, parse_yaml, read_text
from sim.scenario.schema import NAME_PATTERN, Scenario

__all__ = ["KeyPath", "Problem", "ScenarioError", "suggest", "written_path"]

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


def _read_document(path: Path, label: str | None = None) -> _Document:
    """A file read within the limits of `sim.scenario.reading` (regular files only, bounded
    size, UTF-8), parsed into a mapping."""
    label = label or str(path)
    try:
        text = read_text(path)
    except InputError as error:
        raise ScenarioError([Problem(label, error.line, error.key_path, error.message)]
                            ) from None
    return parse_document(text, label, path)


def parse_document(text: str, label: str = "<text>", path: Path | None = None) -> _Document:
    """Parse YAML text safely into a mapping with a line index: no Python object tags, no
    duplicate keys, aliases and nesting within the budgets of `sim.scenario.reading`."""
    try:
        parsed = parse_yaml(text)
    except InputError as error:
        raise ScenarioError([Problem(label, error.line, error.key_path, error.message)]
                            ) from None
    data, node = parsed.data, parsed.node
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
          path: KeyPath = (), origins: dict[KeyPath, KeyPath] | None = None) -> dict[str, Any]:
    """Overrides merge by key, recursively; lists and scalars replace, except that a keyed list
    (`KEYED_LISTS`) can be changed entry by entry with a `{change: [...], remove: [...]}`
    mapping (`patch_keyed_list`). `origins`, if given, receives the path each changed or added
    entry has in the merged list → its path in the override (`frontex.13` → `frontex.change.0`),
    so that a problem with it is reported where the planner wrote it."""
    merged = dict(base)
    for key, value in override.items():
        here = (*path, key)
        if is_list_patch(value) and here in KEYED_LISTS:
            merged[key] = patch_keyed_list(merged.get(key) or [], value, here, origins)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value, here, origins)
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


def patch_keyed_list(base: list[Any], patch: Mapping[str, Any], path: KeyPath,
                     origins: dict[KeyPath, KeyPath] | None = None) -> list[Any]:
    """Change, add or remove single entries of a base list, matching entries by their key
    fields (`KEYED_LISTS`): a `change` entry updates the fields it states in the one base entry
    with the same keys (or is appended when none has them); a `remove` entry deletes it."""
    keys = KEYED_LISTS[path]
    entries = [dict(e) if isinstance(e, Mapping) else e for e in base]
    written: list[KeyPath | None] = [None] * len(entries)  # the patch entry behind each
    spelled = " and ".join(keys)

    def key_of(entry: Any, where: KeyPath) -> tuple[Any, ...]:
        if not isinstance(entry, Mapping):
            raise ListPatchError(where, f"expected an entry with {spelled}, found {entry!r}")
        missing = [k for k in keys if k not in entry]
        if missing and (path != ("postings",) or missing != ["place"]):  # a posting may have none
            raise ListPatchError((*where, missing[0]), f"{where[-2]} entries name the entry "
                                 f"they mean by {spelled}; this one has no {missing[0]}")
        return tuple(entry.get(k) for k in keys)

    def matches(key: tuple[Any, ...]) -> list[int]:
        return [i for i, e in enumerate(entries)
                if isinstance(e, Mapping) and tuple(e.get(k) for k in keys) == key]

    for action in ("change", "remove"):
        items = patch.get(action) or []
        if not isinstance(items, list):
            raise ListPatchError((*path, action), "expected a list of entries")
        seen: list[tuple[Any, ...]] = []  # (lists, not a set: a key may be unhashable)
        for n, item in enumerate(items):
            where = (*path, action, n)
            key = key_of(item, where)
            found = matches(key)
            named = ", ".join(f"{k}={v}" for k, v in zip(keys, key, strict=True))
            if key in seen:  # the later one would silently win
                raise ListPatchError(where, f"entries {seen.index(key)} and {n} of {action} "
                                     f"both name {named}; give it once")
            seen.append(key)
            if action == "change" and key in [key_of(other, where) for other
                                               in patch.get("remove") or []
                                               if isinstance(other, Mapping)]:
                raise ListPatchError(where, f"{named} is both changed and removed; keep one")
            if len(found) > 1:
                raise ListPatchError(where, f"{len(found)} entries of the base list have "
                                     f"{named}; restate the whole list instead")
            if action == "remove":
                if not found:
                    raise ListPatchError(where, f"no entry of the base list has {named}")
                del entries[found[0]]
                del written[found[0]]
            elif found:
                entries[found[0]] = {**entries[found[0]], **item}
                written[found[0]] = where
            else:
                entries.append(dict(item))
                written.append(where)
    if origins is not None:
        origins.update({(*path, i): w for i, w in enumerate(written) if w is not None})
    return entries


def _resolve(path: Path, chain: tuple[Path, ...],
             referrer: tuple[str, int | None, str] | None = None
             ) -> tuple[dict[str, Any], dict, Path]:
    """Read a file and everything it extends; returns merged data, this file's lines, path.
    `referrer`: the `extends:` text, its line and the file that named this one (None for the
    first file)."""
    label = None if chain else str(path)  # the first file keeps the name it was given
    try:
        path = path.resolve()
    except (OSError, ValueError) as error:
        where, line = (referrer[2], referrer[1]) if referrer else (str(path), None)
        raise ScenarioError([Problem(where, line, ("extends",) if chain else (),
                                     f"not a usable file name: {error}")]) from error
    if path in chain:
        cycle = " -> ".join(str(p) for p in (*chain, path))
        where, line = (referrer[2], referrer[1]) if referrer else (str(chain[-1]), None)
        raise ScenarioError([Problem(where, line, ("extends",), f"cycle of extends: {cycle}")])
    document = _read_referred(path, chain, referrer, label)
    data = dict(document.data)
    parent = data.pop("extends", None)
    if parent is None:
        return data, document.lines, path
    line = document.lines.get(("extends",))
    if not isinstance(parent, str):
        raise ScenarioError([Problem(label or str(path), line, ("extends",),
                                     "expected a file name")])
    base_path = (path.parent / parent)
    base, _, _ = _resolve(base_path, (*chain, path), (parent, line, label or str(path)))
    origins: dict[KeyPath, KeyPath] = {}
    try:
        merged = merge(base, data, origins=origins)
    except ListPatchError as error:
        raise ScenarioError([Problem(label or str(path), _line_for(document.lines,
                                                                    error.key_path),
                                     error.key_path, str(error))]) from None
    lines = dict(document.lines)
    for merged_path, written in origins.items():  # see `written_path`
        lines[(ORIGIN, *merged_path)] = written
    return merged, lines, path


def _read_referred(path: Path, chain: tuple[Path, ...],
                   referrer: tuple[str, int | None, str] | None, label: str | None
                   ) -> _Document:
    """Read a file; when another file's `extends:` named it, a file that cannot be read is
    reported at that file's `extends:` line."""
    try:
        return _read_document(path, label)
    except ScenarioError as error:
        if not chain or referrer is None or len(error.problems) != 1 \
                or error.problems[0].file != str(path) or error.problems[0].key_path:
            raise
        problem = error.problems[0]
        if problem.line is not None and problem.message != "file not found":
            raise
        written, line, where = referrer
        hint = ("; extends: is relative to the file that says it"
                if problem.message == "file not found" else "")
        raise ScenarioError([Problem(where, line, ("extends",),
                                     f"'{written}' ({path}) {problem.message}{hint}")]) from None


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
    problems: list[Problem] = []
    members: list[bool] = []  # whether each problem is a union member's (merged with its kin)
    for item in error.errors(include_url=False):
        # a value of a union type (`'traffic' | list[float]`) fails once per member, each
        # under a tag the planner never wrote (`literal['traffic','units']`): drop the tags
        member = any(_is_union_tag(part) for part in item["loc"])  # one member of a union
        raw = item["loc"]
        written = raw[-1:] if item["type"] == "extra_forbidden" else ()  # the planner's own key
        loc = tuple(part for part in raw[:len(raw) - len(written)]
                    if not _is_union_tag(part) and part != "[key]") + tuple(written)
        suggestion = None
        if item["type"] == "extra_forbidden":
            valid = _valid_keys(Scenario, loc[:-1])
            suggestion = suggest(str(loc[-1]), valid)
            shown = ", ".join(valid[:12]) + (", ... (see scenarios/scenario.schema.json)"
                                             if len(valid) > 12 else "")
            elsewhere = [".".join(p) for p in _paths_of_key(Scenario, str(loc[-1]))]
            if not suggestion and elsewhere:
                message = (f"unknown key here; '{loc[-1]}' belongs under "
                           + " or ".join(elsewhere[:3]))
            else:
                message = ("unknown key" if suggestion
                           else f"unknown key; valid keys here: {shown}")
        elif item["type"] == "model_type":
            valid = _valid_keys(Scenario, loc)
            given = item.get("input")
            kind = {list: "the list ", bool: "the boolean ", str: "the text "}.get(
                type(given), "")
            message = (f"expected a mapping of keys ({', '.join(valid[:8])}"
                       f"{', ...' if len(valid) > 8 else ''}), got {kind}{repr(given)[:60]}")
            lists = [k for k in valid if k in ("teams",)]
            if isinstance(given, list) and lists:
                message += f"; write the list under '{lists[0]}:'"
            if given is False and "enabled" in valid:
                message += f"; to switch it off write '{loc[-1]}: {{enabled: false}}'"
        elif item["type"] == "missing":
            message = "required key is missing"
        elif item["type"] == "literal_error":
            valid = re.findall(r"'([^']+)'", item.get("ctx", {}).get("expected", ""))
            suggestion = suggest(str(item.get("input")), valid)
            message = f"{item['msg']} (got {item.get('input')!r})"
        elif item["type"] == "value_error":  # our own checks say what they got
            message = item["msg"].removeprefix("Value error, ")
            given = item.get("input")
            if not isinstance(given, dict | list):
                message += f" (got {repr(given)[:60]})"
            elif loc[-1:] == ("shares",) and ("extends",) in lines:
                inherited = {k: v for k, v in given.items() if (*loc, k) not in lines}
                if inherited and len(inherited) < len(given):
                    message += ("; from the file this one extends: " + ", ".join(
                        f"{k} {v:g}" for k, v in inherited.items() if isinstance(v, int | float))
                        + " (shares merge key by key: give those 0 to drop them)")
        elif item["type"] == "string_type" and isinstance(item.get("input"), bool):
            raw = tuple(item["loc"])
            if "[key]" in raw:  # a mapping key (a country code): name the mapping, not a place
                loc = raw[:raw.index("[key]") - 1]
            message = (f"expected text, got the boolean {item['input']}: YAML reads no/off/"
                       "false and yes/on/true as booleans; write the word in quotes (\"NO\" "
                       "for Norway)")
        elif item["type"] == "invalid_key" and isinstance(item.get("input"), int):
            message = (f"unknown key {item['input']}: a ',' inside {{...}} starts a new entry, "
                       "so `officers: 3,500` reads as 3 and a key 500, and `0,5` as 0 and a key "
                       "5; write 3500 and 0.5")
            loc = loc[:-1]
        else:
            given = item.get("input")
            shown = repr(given) if not isinstance(given, dict | list) else type(given).__name__
            message = f"{item['msg']} (got {shown[:60]})"
        loc = written_path(lines, loc)
        same = next((i for i, (p, m) in enumerate(zip(problems, members, strict=True))
                     if m and member and p.key_path == loc), None)
        if same is not None:  # another member of the same union: one problem, both ways
            problems[same] = dataclasses.replace(
                problems[same], message=f"{problems[same].message}; or: {message}")
            continue
        problems.append(Problem(label, _line_for(lines, loc), loc, message, suggestion))
        members.append(member)
    return problems


def _is_union_tag(part: Any) -> bool:
    """A pydantic union member's tag in an error location (`list[float]`,
    `literal['traffic','units']`, `function-after[...]`), never a key a planner writes."""
    return isinstance(part, str) and part != "[key]" and (
        "[" in part or part in ("str", "int", "float", "bool"))


def _paths_of_key(model: type[BaseModel], key: str, prefix: KeyPath = (),
                  depth: int = 0) -> list[KeyPath]:
    """Every path in the scenario schema whose last key is `key` (for a key in the wrong
    block: `days` at the top level belongs under `action`)."""
    found = []
    for name, field in model.model_fields.items():
        if name == key and prefix:
            found.append(prefix)
        inner = [a for a in (field.annotation, *get_args(field.annotation))
                 if isinstance(a, type) and issubclass(a, BaseModel)]
        if inner and depth < 3:
            found += _paths_of_key(inner[0], key, (*prefix, name), depth + 1)
    return found


def scenario_from_mapping(data: Mapping[str, Any], label: str = "<mapping>",
                          lines: dict | None = None) -> Scenario:
    """Validate an already-merged mapping (no graph checks)."""
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as error:
        raise ScenarioError(problems_from_validation(error, label, lines or {})) from None
    except RecursionError:
        raise ScenarioError([Problem(label, None, (), "nested too deeply")]) from None


def with_own_name(data: dict[str, Any], lines: dict, path: Path) -> dict[str, Any]:
    """A scenario's name is its own `name:`, else its file name without `.yaml`: never the
    name of the file it extends, so a variant never shares its base's results folder."""
    if ("name",) in lines:
        return data
    name = path.name.removesuffix(".yaml").removesuffix(".yml")
    if not re.fullmatch(NAME_PATTERN, name) or len(name) > 80:
        raise ScenarioError([Problem(str(path), None, ("name",), "no 'name:' in this file, and "
                                     f"its file name '{name}' cannot be one (letters, digits, "
                                     "'_', '.', '-'); add 'name:'")])
    return {**data, "name": name}


def is_sweep_file(path: str | Path) -> bool:
    """A YAML file whose top level has `grid:` or `base:` is a sweep (others are scenarios;
    `sim.runs.sweep` reads sweeps). A file that cannot be read or parsed is neither: its
    ScenarioError says why."""
    data = parsed_file(Path(path)).data
    return "grid" in data or "base" in data


def parsed_file(path: Path) -> _Document:
    """A scenario or sweep file read and parsed, its problems as a ScenarioError."""
    try:
        text = read_text(path)
    except InputError as error:
        raise ScenarioError([Problem(str(path), error.line, (), error.message)]) from None
    return parse_document(text, str(path), path)


def load_scenario(path: str | Path, *, check_graph: bool = True) -> Scenario:
    """Read, merge (`extends`) and validate a scenario file, then check it against the route
    graph (names, impossible allocations). Raises ScenarioError listing every problem."""
    data, lines, _resolved = _resolve(Path(path), ())
    data = with_own_name(data, lines, Path(path))
    scenario = scenario_from_mapping(data, str(Path(path)), lines)
    if check_graph:
        from sim.scenario.allocation import check_scenario

        check_scenario(scenario, label=str(Path(path)), lines=lines)
    return scenario
