"""A synthetic route graph k times the size of the package's, for the graph-scaling benchmark.

Copy 0 keeps the real ids, so the baseline scenario's postings, scanning teams, Frontex places
and coordination centre stay valid. Copy c > 0 appends `__c<c>` to every place id and shifts
latitudes by `LAT_SHIFT` degrees per copy (the loader accepts only coordinates in Europe, so
the copies overlap on a map; coordinates matter only for the layout). Every hub of copy c is
joined to the same hub of copy c + 1 by a two-way road of `CROSS_LINK_HOURS`, so the copies form
one connected graph. Corridors are copied too, each copy taking 1/k of the original weights,
so every crime area's weights still add up to 1. The result is a data folder that
`sim.geography.load_route_graph` reads and validates like the package's own.
"""

from __future__ import annotations

import argparse
import csv
import shutil
from pathlib import Path

from sim.geography import RouteGraph, load_route_graph

PACKAGE_DATA = Path(__file__).resolve().parents[1] / "sim" / "data"
FILES = ("countries.csv", "places.csv", "crossings.csv", "sectors.csv", "edges.csv",
         "corridors.csv", "traffic.csv")
LAT_SHIFT = -1.0        # degrees of latitude per copy (stays inside the loader's bounds)
CROSS_LINK_HOURS = 6.0  # hours of road between a hub and its twin in the next copy


def _rows(folder: Path, file: str) -> tuple[list[str], list[dict[str, str]]]:
    with (folder / file).open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(folder: Path, file: str, columns: list[str], rows: list[dict[str, str]]) -> None:
    with (folder / file).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def copy_id(place: str, copy: int) -> str:
    """The id of `place` in copy `copy` (copy 0 keeps the original id)."""
    return place if copy == 0 else f"{place}__c{copy}"


def write_replicated_graph(folder: Path | str, copies: int = 4,
                           source: Path | str = PACKAGE_DATA) -> Path:
    """Write a route-graph data folder with `copies` linked copies of `source`'s graph."""
    if copies < 1:
        raise ValueError(f"copies must be at least 1, got {copies}")
    folder, source = Path(folder), Path(source)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / "countries.csv", folder / "countries.csv")

    columns, places = _rows(source, "places.csv")
    rows = []
    for copy in range(copies):
        for row in places:
            rows.append({**row, "id": copy_id(row["id"], copy),
                         "name": row["name"] if copy == 0 else f"{row['name']} ({copy})",
                         "lat": f"{float(row['lat']) + LAT_SHIFT * copy:.4f}"})
    _write(folder, "places.csv", columns, rows)

    for file in ("crossings.csv", "sectors.csv", "traffic.csv"):
        columns, table = _rows(source, file)
        _write(folder, file, columns, [{**row, "place_id": copy_id(row["place_id"], copy)}
                                       for copy in range(copies) for row in table])

    columns, edges = _rows(source, "edges.csv")
    rows = [{**row, "from": copy_id(row["from"], copy), "to": copy_id(row["to"], copy)}
            for copy in range(copies) for row in edges]
    hubs = [row["id"] for row in places if row["kind"] == "hub"]
    for copy in range(copies - 1):
        for hub in hubs:
            rows.append({"from": copy_id(hub, copy), "to": copy_id(hub, copy + 1), "mode": "road",
                         "hours": f"{CROSS_LINK_HOURS}", "two_way": "true",
                         "source": "synthetic cross-link (benchmark)"})
    _write(folder, "edges.csv", columns, rows)

    columns, corridors = _rows(source, "corridors.csv")
    rows = []
    for copy in range(copies):
        for row in corridors:
            via = ";".join(copy_id(v.strip(), copy) for v in row["via"].split(";") if v.strip())
            rows.append({**row, "id": copy_id(row["id"], copy),
                         "origin": copy_id(row["origin"], copy),
                         "destination": copy_id(row["destination"], copy), "via": via,
                         "weight": repr(float(row["weight"]) / copies)})
    _write(folder, "corridors.csv", columns, rows)
    return folder


def replicated_graph(folder: Path | str, copies: int = 4) -> RouteGraph:
    """The `copies`-fold route graph, written to `folder` and loaded (and validated)."""
    return load_route_graph(write_replicated_graph(folder, copies))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--copies", type=int, default=4)
    arguments = parser.parse_args()
    graph = replicated_graph(arguments.folder, arguments.copies).graph
    print(f"{arguments.folder}: {graph.number_of_nodes()} places, "
          f"{graph.number_of_edges()} directed edges")


if __name__ == "__main__":
    main()
