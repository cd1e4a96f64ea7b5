"""`sim list WHAT`: the names a scenario can use (crossings, places, countries, scenarios)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

LISTS = ("crossings", "places", "countries", "scenarios")
SCENARIOS_FOLDER = Path(__file__).resolve().parents[2] / "scenarios"


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("list", help="names a scenario can use")
    parser.add_argument("what", choices=LISTS)
    parser.add_argument("--country", metavar="XX", help="only places or crossings of a "
                        "country (ISO code; a crossing belongs to both its countries)")
    parser.add_argument("--border", metavar="XX-YY", help="only crossings on one border")
    parser.add_argument("--kind", metavar="KIND", help="only places of a kind (hub, crossing, "
                        "port, ...) or crossings of a border status (eu_external, ...)")
    parser.add_argument("--csv", action="store_true", help="every column, as CSV")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.terminal import filter_list, print_list

    if args.what == "scenarios":
        table = scenario_files_table(SCENARIOS_FOLDER)
    else:
        from sim.geography import load_route_graph

        table = getattr(load_route_graph(), args.what)
    try:
        table = filter_list(table, args.what, country=args.country, border=args.border,
                            kind=args.kind)
    except ValueError as error:
        print(f"sim list: {error}", file=sys.stderr)
        return 2
    if args.csv:
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        print_list(table, args.what)
    return 0


def scenario_files_table(folder: Path) -> pd.DataFrame:
    """Shipped scenario and sweep files with the question each answers (its first comment)."""
    import pandas as pd

    rows = []
    for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("sweeps/*.yaml")):
        comments = [line.lstrip("# ").rstrip() for line in path.read_text().splitlines()
                    if line.startswith("#") and "yaml-language-server" not in line]
        question = next((c for c in comments if c), "")
        rows.append({"file": str(path.relative_to(folder)), "question": question})
    return pd.DataFrame(rows, columns=["file", "question"])


