"""Finding places by the names people use: a place's id, its name in the data (a crossing by
either of its posts: "Tabanovce", "Preševo"), and the local names and exonyms of
`sim/data/aliases.csv` (each with its language and source: "Εύζωνοι", "Kapikule", "Solun"),
whatever the case and accents ("presevo" finds Preševo, "kapikule" Kapıkule).

Scenario files name places by id; these names find the id (`find_places`) and make the
suggestion for a name the graph does not know (`suggest_place`), preferring the places of the
country the entry is about.
"""

from __future__ import annotations

import csv
import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sim.geography.graph import GeographyError, RouteGraph, load_route_graph

if TYPE_CHECKING:
    import pandas as pd

ALIASES = "aliases.csv"
ALIAS_COLUMNS = ("alias", "place_id", "language", "source")
CUTOFF = 0.6  # difflib's closeness below which nothing is suggested
PREFERENCE = 0.1  # how much less close a place of the entry's country may be and still win
# letters NFKD does not take apart into a base letter and an accent
LETTERS = str.maketrans({"ı": "i", "đ": "d", "ð": "d", "ø": "o", "ł": "l", "ß": "ss",
                         "æ": "ae", "œ": "oe", "þ": "th"})


def fold(text: str) -> str:
    """A name as compared: lower case, accents dropped, `_` and punctuation as spaces
    ("Preševo" → "presevo", "kapitan_andreevo" → "kapitan andreevo"). Greek and Cyrillic stay in
    their script (lower case, without accents)."""
    text = unicodedata.normalize("NFKD", str(text).casefold().translate(LETTERS))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.split(r"[\W_]+", text)).strip()


def read_aliases(data_dir: Path | str | None = None,
                 route_graph: RouteGraph | None = None) -> pd.DataFrame:
    """The aliases file, checked: its columns, an existing place id, a source on every row
    (GeographyError naming the file and line otherwise)."""
    import pandas as pd

    rows = (_package_aliases() if data_dir is None else
            _read(Path(data_dir) / ALIASES, route_graph or load_route_graph(data_dir)))
    return pd.DataFrame(list(rows), columns=list(ALIAS_COLUMNS))


@functools.cache
def _package_aliases() -> tuple[dict[str, str], ...]:
    with resources.as_file(resources.files("sim") / "data" / ALIASES) as path:
        return _read(Path(path), load_route_graph())


def _read(path: Path, route_graph: RouteGraph) -> tuple[dict[str, str], ...]:
    """The rows of an aliases file, checked."""
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        if tuple(reader.fieldnames or ()) != ALIAS_COLUMNS:
            raise GeographyError(f"{path.name}: columns must be {', '.join(ALIAS_COLUMNS)}, "
                                 f"not {', '.join(reader.fieldnames or ())}")
        rows, problems = list(reader), []
    for line, row in enumerate(rows, start=2):
        if row["place_id"] not in route_graph.nodes:
            close = difflib.get_close_matches(row["place_id"], list(route_graph.nodes), n=1)
            problems.append(f"{path.name} line {line}: unknown place '{row['place_id']}'"
                            + (f" (did you mean '{close[0]}'?)" if close else ""))
        if not row["alias"].strip() or not row["source"].strip():
            problems.append(f"{path.name} line {line}: an alias needs a name and a source")
    if problems:
        raise GeographyError(problems, path.name)
    return tuple(rows)


def place_names(route_graph: RouteGraph | None = None,
                aliases: Iterable[dict[str, str]] | None = None) -> dict[str, list[str]]:
    """Every name of every place: its id, its name (a crossing's two posts), its aliases (rows
    of an aliases file; default: the package's)."""
    route_graph = route_graph or load_route_graph()
    aliases = _package_aliases() if aliases is None else aliases
    names: dict[str, list[str]] = {}
    for place, node in route_graph.nodes.items():
        names[place] = [place, node["name"], *(node[s] for s in ("side_a", "side_b")
                                               if s in node)]
    for row in aliases:
        names.setdefault(row["place_id"], [row["place_id"]]).append(row["alias"])
    return names


def find_places(text: str, route_graph: RouteGraph | None = None, *,
                partial: bool = False) -> list[str]:
    """The ids of the places one of whose names is `text` (folded: case and accents do not
    matter), by id; with `partial`, also those one of whose names holds it as whole words."""
    wanted = fold(text)
    if not wanted:
        return []
    found = []
    for place, names in place_names(route_graph).items():
        folded = [fold(name) for name in names]
        if wanted in folded or (partial and any(
                re.search(rf"(^| ){re.escape(wanted)}( |$)", name) for name in folded)):
            found.append(place)
    return sorted(found)


def suggest_place(text: str, valid: Iterable[str], route_graph: RouteGraph | None = None, *,
                  countries: Iterable[str] = ()) -> str | None:
    """The valid place id a name most likely means: a place one of whose names it is, else the
    place with the closest name (difflib's ratio, at least `CUTOFF`), where a place of
    `countries` (the country the entry is about) wins over one at most `PREFERENCE` closer;
    None when nothing is close."""
    route_graph = route_graph or load_route_graph()
    valid = [place for place in valid if place in route_graph.nodes]
    exact = [place for place in find_places(text, route_graph) if place in set(valid)]
    if exact:
        return exact[0]
    countries = set(countries)
    names = place_names(route_graph)
    wanted = fold(text)
    scored = []  # (closeness, of the entry's country, place)
    for place in valid:
        node = route_graph.nodes[place]
        own = bool(countries & {node.get("country"), node.get("country_a"),
                                node.get("country_b")})
        closeness = max(difflib.SequenceMatcher(None, wanted, fold(name)).ratio()
                        for name in names[place])
        scored.append((closeness, own, place))
    if not scored:
        return None
    best = max(closeness for closeness, _, _ in scored)
    if best < CUTOFF:
        return None
    # a place of the entry's country wins when it is nearly as close as the closest of all
    near = [(own, closeness, place) for closeness, own, place in scored
            if closeness >= best - PREFERENCE]
    return max(near, key=lambda item: (item[0], item[1], item[2]))[2]
