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
    parser.add_argument("--name", metavar="TEXT", help="only places or crossings called so: "
                        "an id, a name, a crossing's post, a local name or exonym "
                        "(sim/data/aliases.csv); case and accents do not matter")
    parser.add_argument("--csv", action="store_true", help="every column, as CSV")
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    from sim.terminal import filter_list, print_list

    if args.what == "scenarios":
        table = scenario_files_table(SCENARIOS_FOLDER)
    else:
        from sim.geography import load_route_graph

        route_graph = load_route_graph()
        table = (places_table(route_graph) if args.what == "places"
                 else getattr(route_graph, args.what))
    try:
        if args.name:
            table = named(table, args.what, args.name)
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


def places_table(route_graph) -> pd.DataFrame:
    """The places with the two countries of each crossing and green-border sector
    (`country_a`, `country_b`), so that `--country` lists a border place for both its
    countries, as `sim list crossings` does."""
    import pandas as pd

    sides = pd.concat([frame[["place_id", "country_a", "country_b"]]
                       for frame in (route_graph.crossings, route_graph.sectors)],
                      ignore_index=True)
    return route_graph.places.merge(sides.rename(columns={"place_id": "id"}), on="id",
                                    how="left").fillna({"country_a": "", "country_b": ""})


def named(table: pd.DataFrame, what: str, text: str) -> pd.DataFrame:
    """Rows of places or crossings one of whose names holds `text` as whole words."""
    from sim.geography.names import find_places

    if what not in ("places", "crossings"):
        raise ValueError(f"--name applies to places and crossings, not {what}")
    found = set(find_places(text, partial=True))
    rows = table[table["id" if what == "places" else "place_id"].isin(found)]
    if rows.empty:
        raise ValueError(f"--name {text}: no {what} called so (names, posts, local names and "
                         "exonyms; sim/data/aliases.csv)")
    return rows


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


