"""Bounded reading of YAML input: a file is read only if it is a regular file of sane size, and
parsed only within budgets, so that no input can exhaust memory or hang a command.

The limits (each documented in docs/cli.md and named in its error message):

- `MAX_FILE_BYTES`: a scenario, sweep or config file is at most 1 MB (the shipped scenarios are
  a few kB); a FIFO, a device (`/dev/zero`), a socket or a directory is refused before it is read.
- `MAX_NODES`: at most 20,000 YAML values after aliases are expanded (`*name` counts the whole
  value it names each time it is used): a "billion laughs" alias bomb stops here, early.
- `MAX_DEPTH`: at most 20 levels of nesting (the scenario schema needs 5).
- Duplicate keys in one mapping are refused, naming both lines (YAML would silently keep the last).

Text must be UTF-8 (a byte-order mark is accepted); other encodings are refused with the line of
the first bad byte and the hint to save the file as UTF-8.

The same check guards every other file the tools read (results tables, posterior and ensemble
files, reports): `open_regular` opens a file without following a FIFO or a device and refuses
one larger than its limit, before a byte is read. `printable` makes text read from a file safe
to show in a terminal (no escape sequence in a name can clear or recolour it).
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import yaml

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 20_000
MAX_DEPTH = 20

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


class InputError(Exception):
    """Input that is not read: `message` says why, `line` (1-based, or None) and `key_path`
    (the keys leading to the offending value, as far as known) say where."""

    def __init__(self, message: str, line: int | None = None,
                 key_path: tuple[str | int, ...] = ()):
        super().__init__(message)
        self.message = message
        self.line = line
        self.key_path = key_path


def open_regular(path: Path, limit: int, expected: str = "a regular file") -> BinaryIO:
    """`path` opened for reading in binary, if it is a regular file of at most `limit` bytes;
    InputError otherwise (`expected` names what should be there, e.g. "a CSV table").

    The file is opened without blocking and checked on the open descriptor, so a FIFO cannot
    hang the reader, a device (`/dev/zero`) is never read and a file swapped after a check is
    still checked.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                             | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError("file not found") from None
    except IsADirectoryError:
        raise InputError(f"is a directory, expected {expected}") from None
    except (OSError, ValueError) as error:
        raise InputError(f"cannot be read: {getattr(error, 'strerror', None) or error}") from None
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):
        os.close(descriptor)
        kind = next((name for test, name in _KINDS if test(status.st_mode)),
                    "not a regular file")
        raise InputError(f"is {kind}, expected {expected}")
    if status.st_size > limit:
        os.close(descriptor)
        raise InputError(f"larger than {limit:,} bytes ({status.st_size:,}), the limit for "
                         f"{expected}")
    if hasattr(os, "set_blocking"):
        os.set_blocking(descriptor, True)  # a regular file: reads are whole again
    return os.fdopen(descriptor, "rb")


def read_bytes(path: Path, limit: int, expected: str = "a regular file") -> bytes:
    """The bytes of a regular file of at most `limit` bytes (`open_regular`); InputError
    otherwise, also for a file that grew past the limit while it was read."""
    chunks, size = [], 0
    with open_regular(path, limit, expected) as file:
        try:
            while size <= limit:  # in pieces: memory grows with the file, not with the limit
                chunk = file.read(min(1 << 20, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        except OSError as error:
            raise InputError(f"cannot be read: {error.strerror or error}") from None
    data = b"".join(chunks)
    if len(data) > limit:
        raise InputError(f"larger than {limit:,} bytes, the limit for {expected}")
    return data


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """The UTF-8 text of a regular file of at most `limit` bytes; InputError otherwise."""
    try:
        data = read_bytes(path, limit, "a regular YAML file")
    except InputError as error:
        if error.message.startswith("larger than"):
            raise InputError(f"larger than {limit:,} bytes, the limit for a scenario file (the "
                             "shipped scenarios are a few kB); state only what differs from a "
                             "base with `extends:`") from None
        raise
    return decode(data)


_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: object) -> str:
    """`text` with every control character but newline and tab shown as an escape (`\\x1b`),
    so that a name or message read from a file cannot move the cursor, clear or recolour the
    terminal it is printed to."""
    return _UNPRINTABLE.sub(lambda match: f"\\x{ord(match.group()):02x}", str(text))


def decode(data: bytes) -> str:
    """UTF-8 text (with or without a byte-order mark), or InputError with the line."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("is UTF-16 text; save the file as UTF-8", 1)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputError(f"is not UTF-8: byte 0x{data[error.start]:02x} at column {column} "
                         "cannot be decoded; save the file as UTF-8", line) from None


# --- YAML within budgets ---------------------------------------------------------------------

@dataclass
class Parsed:
    """A YAML document as Python data and its composed node graph (for line numbers)."""

    data: Any
    node: yaml.Node | None


def parse_yaml(text: str) -> Parsed:
    """Parse one YAML document safely (no Python tags) within `MAX_NODES` and `MAX_DEPTH`,
    refusing duplicate keys. Raises InputError naming the line."""
    try:
        loader = _BoundedLoader(text)
    except yaml.reader.ReaderError as error:
        raise _unreadable(error, text) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return Parsed(None, None)
        _check_tree(node)
        return Parsed(loader.construct_document(node), node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        reason = error.problem or error.context or str(error)
        if "'\\t'" in reason:  # a tab where YAML expects indentation or a value
            reason += " (tabs cannot indent YAML: use spaces)"
        raise InputError(f"invalid YAML: {reason}", mark.line + 1 if mark else None) from None
    except yaml.reader.ReaderError as error:
        raise _unreadable(error, text) from None
    except yaml.YAMLError as error:
        raise InputError(f"invalid YAML: {error}") from None
    except (ValueError, TypeError, OverflowError) as error:  # a value YAML cannot build
        raise InputError(f"invalid YAML value: {error}") from None
    finally:
        loader.dispose()


def _unreadable(error: yaml.reader.ReaderError, text: str) -> InputError:
    line = text[:error.position].count("\n") + 1
    return InputError(f"invalid YAML: the character #x{error.character:04x} is not allowed in "
                      "YAML text; remove it", line)


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that stops composing past `MAX_DEPTH` levels of nesting (before Python's
    recursion limit could be reached)."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels (the limit for a "
                    "scenario file)", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        """As YAML builds it, refusing two keys that are one value once read (`1` and
        `true`, `1` and `1.0`): YAML would silently keep only the last."""
        merges = any(k.tag.endswith(":merge") for k, _ in node.value)  # before flattening
        mapping = super().construct_mapping(node, deep=deep)
        keys = [k for k, _ in node.value]
        if len(mapping) < len(keys) and not merges:
            seen: dict[object, yaml.Node] = {}
            for key_node in keys:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    first = seen[key]
                    raise InputError(f"keys '{first.value}' (line {_line(first)}) and "
                                     f"'{key_node.value}' (line {_line(key_node)}) are the same "
                                     f"key once read ({key!r}); YAML would keep only the last: "
                                     "keep one", _line(key_node))
                seen[key] = key_node
        return mapping


_DATES = yaml.constructor.SafeConstructor()  # reads a timestamp node; holds no state of ours


def _check_scalar(node: yaml.ScalarNode, path: tuple[str | int, ...]) -> None:
    """Numbers in decimal and dates that exist: YAML 1.1 reads `0x10` as 16, `010` as 8
    (octal) and `1:30` as 90 (base 60), none of which a planner means, and a date that does
    not exist would fail without saying where."""
    if node.tag == "tag:yaml.org,2002:float" and ":" in node.value:
        raise InputError(f"'{node.value}' is read by YAML as a number in base 60; write numbers "
                         "in decimal digits", _line(node), path)
    if node.tag == "tag:yaml.org,2002:int":
        text = node.value.replace("_", "").lstrip("+-")
        if text.startswith(("0x", "0o", "0b")) or ":" in text or (
                len(text) > 1 and text.startswith("0")):
            raise InputError(f"'{node.value}' is read by YAML as a number in another base; "
                             "write whole numbers in decimal digits without leading zeros",
                             _line(node), path)
    elif node.tag == "tag:yaml.org,2002:timestamp":
        try:
            _DATES.construct_yaml_timestamp(node)
        except ValueError as error:
            raise InputError(f"'{node.value}' is not a date ({error}); write a date that exists, "
                             "e.g. 2023-11-13 or 2023-11-13T06:00:00", _line(node), path) from None


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _check_tree(root: yaml.Node) -> None:
    """Count the values the document expands to (aliases counted at every use), its depth
    through aliases, and duplicate keys; each node is measured once, so this is linear in the
    text even when the expansion is astronomically large."""
    sizes: dict[int, tuple[int, int]] = {}
    active: set[int] = set()

    def measure(node: yaml.Node, path: tuple[str | int, ...]) -> tuple[int, int]:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise InputError("an alias refers to the value that contains it (a recursive "
                             "structure); write the value out instead", _line(node), path)
        active.add(key)
        size, depth = 1, 1
        children: list[tuple[yaml.Node, tuple[str | int, ...]]] = []
        if isinstance(node, yaml.MappingNode):
            _check_duplicate_keys(node, path)
            for key_node, value_node in node.value:
                children += [(key_node, path), (value_node, (*path, _key_text(key_node)))]
        elif isinstance(node, yaml.SequenceNode):
            children = [(item, (*path, i)) for i, item in enumerate(node.value)]
        else:
            _check_scalar(node, path)
        for child, child_path in children:
            child_size, child_depth = measure(child, child_path)
            size += child_size
            depth = max(depth, child_depth + 1)
            if size > MAX_NODES:
                raise InputError(f"expands to more than {MAX_NODES:,} values (aliases count "
                                 "each time they are used); the limit for a scenario file",
                                 _line(node), path)
            if depth > MAX_DEPTH:
                raise InputError(f"nested deeper than {MAX_DEPTH} levels through aliases "
                                 "(the limit for a scenario file)", _line(node), path)
        active.discard(key)
        sizes[key] = (size, depth)
        return size, depth

    measure(root, ())


def _key_text(node: yaml.Node) -> str:
    return node.value if isinstance(node, yaml.ScalarNode) else f"<{node.id}>"


def _check_duplicate_keys(node: yaml.MappingNode, path: tuple[str | int, ...]) -> None:
    seen: dict[tuple[str, str], int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
            continue
        key = (key_node.tag, key_node.value)
        if key in seen:
            raise InputError(f"key '{key_node.value}' is given twice, on lines {seen[key]} and "
                             f"{_line(key_node)} (YAML would silently keep only the last); "
                             "keep one", _line(key_node), (*path, key_node.value))
        seen[key] = _line(key_node)
