"""`sim schema`: the JSON Schema of scenario files, for editors."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("schema", help="write the JSON Schema of scenario files")
    parser.add_argument("--out", type=Path, metavar="FILE", help="default: print it")
    parser.set_defaults(handler=main)


def schema_text() -> str:
    """The JSON Schema of scenario files (for editors: `# yaml-language-server: $schema=...`)."""
    from sim.scenario.files import KEYED_LISTS
    from sim.scenario.schema import Scenario

    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              **Scenario.model_json_schema()}
    for path in KEYED_LISTS:  # a variant may write {change: [...], remove: [...]} instead
        owner = schema
        for part in path[:-1]:
            owner = schema["$defs"][owner["properties"][part]["$ref"].split("/")[-1]]
        listed = owner["properties"][path[-1]]
        patch = {"type": "object", "additionalProperties": False,
                 "description": "Change, add (change) or remove single entries of the base "
                                f"list, matched by {' and '.join(KEYED_LISTS[path])}.",
                 "properties": {"change": {"type": "array", "items": {"type": "object"}},
                                "remove": {"type": "array", "items": {"type": "object"}}}}
        owner["properties"][path[-1]] = {
            "anyOf": [{k: v for k, v in listed.items() if k not in ("title", "description")},
                      patch], **{k: v for k, v in listed.items() if k in ("title", "description")}}
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(args: argparse.Namespace) -> int:
    if args.out:
        args.out.write_text(schema_text(), encoding="utf-8")
    else:
        sys.stdout.write(schema_text())
    return 0


