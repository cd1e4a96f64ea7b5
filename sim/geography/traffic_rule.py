"""Traffic, booths and bays of every crossing by vehicle class: published figures where they
exist, one documented rule for the rest.

`sim/data/crossing_figures.csv` holds what sources publish for a crossing (vehicles, cars,
coaches, lorries or persons a day, booths or bays of a class), each with its source. This module
turns them into `traffic.csv` (one row per crossing and class) and refreshes the totals of
`crossings.csv`; `python -m sim.geography.traffic_rule` writes both, `--check` only compares.
Where a figure is missing the rule fills it from measured quantities: the road class of the
crossing's approaches (`edges.csv`), the crossing's own published totals, and anchors taken from
the published figures of the other crossings (docs/geography.md, "Traffic: the rule").
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
CLASSES = ("car", "bus", "lorry")
# traffic.csv calls coaches "bus"; crossing_figures.csv names each figure
PER_DAY = {"car": "cars_per_day", "bus": "coaches_per_day", "lorry": "lorries_per_day"}
BOOTHS = {"car": "car_booths", "bus": "coach_booths", "lorry": "lorry_booths"}
BAYS = {"car": "car_bays", "bus": "coach_bays", "lorry": "lorry_bays"}
FIGURES = ("vehicles_per_day", "persons_per_day", *PER_DAY.values(), *BOOTHS.values(),
           *BAYS.values())
ROAD_CLASSES = ("motorway", "mixed", "other")
# persons per vehicle, as the model's `occupancy` parameter (sim/scenario/parameters.py)
OCCUPANCY = {"car": 1.8, "bus": 35.0, "lorry": 1.1}
# Coaches per car, measured over months at road crossings of the region: Orašje (BA-HR), Jan-Sep
# 2011, 15,030 / 1,532,576 = 0.98% (Granična policija BiH via vecernji.ba, 21 Dec 2011); the
# BA-HR crossings of Brod-Posavina police, Jan-Nov 2023, 51,373 / 3,966,576 = 1.30% (plusportal.hr,
# Jan 2024); all Kosovo crossings, Jan-Jul 2019, 13,102 / 429,870 = 3.05% (Kosovo police via
# indeksonline.net, 30 Jul 2019). The median:
COACH_SHARES = {"Orašje 2011": 0.0098, "Brod-Posavina 2023": 0.0130, "Kosovo 2019": 0.0305}
COACHES_PER_CAR = statistics.median(COACH_SHARES.values())
BAYS_RULE = ("rule bays_per_booth: one inspection place per first-line booth of the class, as at "
             "the Preševo freight terminal (one inspection platform in each lorry lane, Serbian "
             "customs via vojvodinauzivo.rs); no count of inspection places is published for this "
             "crossing")
TRAFFIC_COLUMNS = ("place_id", "vehicle_class", "vehicles_per_day", "booths", "bays",
                   "traffic_source", "booths_source", "bays_source")


@dataclass(frozen=True)
class Figure:
    value: float
    source: str


Figures = dict[str, dict[str, Figure]]  # place -> figure name -> value and source


def read_figures(path: Path) -> Figures:
    """The published figures by crossing; unknown figure names raise ValueError."""
    figures: Figures = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            if row["figure"] not in FIGURES:
                raise ValueError(f"{path.name} line {line}: unknown figure '{row['figure']}' "
                                 f"(expected one of {', '.join(FIGURES)})")
            place = figures.setdefault(row["place_id"], {})
            if row["figure"] in place:
                raise ValueError(f"{path.name} line {line}: {row['figure']} of "
                                 f"{row['place_id']} is given twice")
            place[row["figure"]] = Figure(float(row["value"]), row["source"])
    return figures


def road_classes(edges: Path, crossings: list[str]) -> dict[str, str]:
    """A crossing is `motorway` when every road edge to it is a motorway in edges.csv (the travel
    time rule its source names), `mixed` when some are, `other` when none is."""
    kinds: dict[str, list[bool]] = {c: [] for c in crossings}
    with edges.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["mode"] != "road":
                continue
            for end in (row["from"], row["to"]):
                if end in kinds:
                    kinds[end].append("rule motorway" in row["source"])
    return {c: ("other" if not any(k) else "motorway" if all(k) else "mixed")
            for c, k in kinds.items()}


def _day(value: float) -> str:
    return f"{value:,.0f}"


class _Anchors:
    """Medians of the published figures, by road class, that the rule fills gaps with: those of
    the crossings that check traffic (a Schengen-internal motorway in Austria is no guide to a
    Balkan crossing)."""

    def __init__(self, figures: Figures, road: dict[str, str], checked: set[str]):
        self.road = road
        self.figures = {p: f for p, f in figures.items() if p in checked}
        shares = [f["lorries_per_day"].value / f["vehicles_per_day"].value
                  for f in figures.values() if {"lorries_per_day", "vehicles_per_day"} <= set(f)]
        self.lorry_share = statistics.median(shares)
        self.lorry_share_from = [p for p, f in sorted(figures.items())
                                 if {"lorries_per_day", "vehicles_per_day"} <= set(f)]
        self.per_day = {k: {r: self._median_by_class(k, r) for r in ROAD_CLASSES}
                        for k in ("car", "lorry")}
        self.booths = {k: {r: self._booths_by_class(k, r) for r in ROAD_CLASSES}
                       for k in CLASSES}

    def _published(self, place: str, kind: str) -> float | None:
        """Vehicles of a class a day from the crossing's own figures, without any anchor."""
        return published_counts(self.figures.get(place, {}), None).get(kind)

    def _median_by_class(self, kind: str, road: str) -> tuple[float, list[str]]:
        places = [p for p in sorted(self.figures) if self.road.get(p) == road
                  and self._published(p, kind) is not None]
        if not places:
            places = [p for p in sorted(self.figures) if self._published(p, kind) is not None]
        return statistics.median(self._published(p, kind) for p in places), places

    def _booths_by_class(self, kind: str, road: str) -> tuple[int, list[str]]:
        places = [p for p in sorted(self.figures) if self.road.get(p) == road
                  and BOOTHS[kind] in self.figures[p]]
        if not places:
            places = [p for p in sorted(self.figures) if BOOTHS[kind] in self.figures[p]]
        median = statistics.median(self.figures[p][BOOTHS[kind]].value for p in places)
        return math.floor(median + 0.5), places


def published_counts(own: dict[str, Figure], lorry_share: float | None) -> dict[str, float]:
    """The vehicles a day of each class that a crossing's own figures give, with the arithmetic
    that links them: vehicles = cars + coaches + lorries, persons = Σ vehicles × occupancy, and
    coaches = COACHES_PER_CAR × cars where no coach count is published. A published total without
    a lorry count is split by `lorry_share`; None leaves such a crossing's cars and lorries out."""
    counts = {k: own[PER_DAY[k]].value for k in CLASSES if PER_DAY[k] in own}
    total, persons = own.get("vehicles_per_day"), own.get("persons_per_day")
    lorries = counts.get("lorry")
    if total and lorries is None and lorry_share is not None:
        lorries = counts["lorry"] = total.value * lorry_share
    if "car" not in counts and lorries is not None:
        if total:
            rest = total.value - lorries
            counts["car"] = (rest - counts["bus"] if "bus" in counts
                             else rest / (1 + COACHES_PER_CAR))
        elif persons:
            rest = persons.value - lorries * OCCUPANCY["lorry"]
            counts["car"] = ((rest - counts["bus"] * OCCUPANCY["bus"]) / OCCUPANCY["car"]
                             if "bus" in counts else
                             rest / (OCCUPANCY["car"] + COACHES_PER_CAR * OCCUPANCY["bus"]))
    if "car" in counts and "bus" not in counts:
        counts["bus"] = COACHES_PER_CAR * counts["car"]
    return counts


def _traffic_source(kind: str, own: dict[str, Figure], road: str, anchors: _Anchors,
                    published: dict[str, float]) -> str:
    """Where a class's vehicles a day come from, in words a reader can check."""
    if PER_DAY[kind] in own:
        return own[PER_DAY[kind]].source
    if kind == "bus":
        cars = "published" if "car" in published else f"rule road_class {road}"
        return (f"rule coach_share: {COACHES_PER_CAR:.1%} of the cars ({cars}; coaches per car "
                f"measured at {', '.join(COACH_SHARES)}, median)")
    total, persons = own.get("vehicles_per_day"), own.get("persons_per_day")
    if kind == "lorry" and kind in published:
        return (f"rule lorry_share: {anchors.lorry_share:.1%} of the published vehicles (median "
                f"lorry share of {', '.join(anchors.lorry_share_from)}); {total.source}")
    if kind == "car" and kind in published and total:
        rules = [name for name, k in (("coach_share", "bus"), ("lorry_share", "lorry"))
                 if PER_DAY[k] not in own]
        less = " and ".join(f"{_day(published[k])} {'coaches' if k == 'bus' else 'lorries'}"
                            for k in ("bus", "lorry"))
        by = f" (by rule {' and rule '.join(rules)})" if rules else ""
        return f"{total.source}; less {less}{by}"
    if kind == "car" and kind in published:
        return (f"rule persons_to_cars: (persons − lorries × 1.1) ÷ (1.8 + 35 × coaches per car), "
                f"the model's occupancy; lorries: {own[PER_DAY['lorry']].source}; persons: "
                f"{persons.source}")
    median, places = anchors.per_day[kind][road]
    return (f"rule road_class {road}: no published count; the median of the published counts "
            f"at {', '.join(places)} = {_day(median)}")


def _booths(kind: str, own: dict[str, Figure], road: str, anchors: _Anchors) -> tuple[int, str]:
    if BOOTHS[kind] in own:
        return int(own[BOOTHS[kind]].value), own[BOOTHS[kind]].source
    booths, places = anchors.booths[kind][road]
    noun = {"car": "car", "bus": "coach", "lorry": "lorry"}[kind]
    return booths, (f"rule road_class {road}: no published count; the median of the published "
                    f"{noun} booths at {', '.join(places)}, rounded")


def traffic_rows(figures: Figures, road: dict[str, str], crossings: list[str],
                 checked: set[str]) -> list[dict]:
    """traffic.csv rows: every crossing × class with vehicles a day, booths and bays, and the
    source of each; the anchors come from the `checked` crossings' figures."""
    anchors = _Anchors(figures, road, checked)
    rows = []
    for place in crossings:
        own = figures.get(place, {})
        published = published_counts(own, anchors.lorry_share)
        counts = dict(published)
        for kind in ("car", "lorry"):
            counts.setdefault(kind, anchors.per_day[kind][road[place]][0])
        counts.setdefault("bus", COACHES_PER_CAR * counts["car"])
        for kind in CLASSES:
            vehicles = round(counts[kind])
            booths, booths_source = _booths(kind, own, road[place], anchors)
            bays_figure = own.get(BAYS[kind])
            rows.append({
                "place_id": place, "vehicle_class": kind, "vehicles_per_day": vehicles,
                "booths": booths, "bays": int(bays_figure.value) if bays_figure else booths,
                "traffic_source": _traffic_source(kind, own, road[place], anchors, published),
                "booths_source": booths_source,
                "bays_source": bays_figure.source if bays_figure else BAYS_RULE})
    return rows


def checked_crossings(crossings: list[dict]) -> set[str]:
    """The crossings whose published figures anchor the rule: all but the Schengen-internal."""
    return {row["place_id"] for row in crossings if row["border_status"] != "schengen_internal"}


def rule_inputs(figures: Figures, road: dict[str, str], place: str) -> tuple:
    """What the rule knows of a crossing: its road class and its own figures. Two crossings
    with the same inputs get the same rows; any other two must differ."""
    own = figures.get(place, {})
    return road[place], tuple(sorted((k, f.value) for k, f in own.items()))


def crossing_rows(crossings: list[dict], traffic: list[dict], figures: Figures) -> list[dict]:
    """crossings.csv with persons, vehicles and lanes recomputed from the traffic rows."""
    out = []
    for row in crossings:
        own = [t for t in traffic if t["place_id"] == row["place_id"]]
        by_class = {t["vehicle_class"]: t for t in own}
        persons = sum(by_class[k]["vehicles_per_day"] * OCCUPANCY[k] for k in CLASSES)
        published = sorted(figures.get(row["place_id"], {}))
        note = (f"published: {', '.join(published)} (crossing_figures.csv)" if published
                else "no published figure: rule road_class")
        out.append({**row, "persons_per_day": round(persons),
                    "vehicles_per_day": sum(t["vehicles_per_day"] for t in own),
                    "lanes": sum(t["booths"] for t in own),
                    "source": f"traffic.csv: sum of the vehicle classes (persons = cars x 1.8 + "
                              f"coaches x 35 + lorries x 1.1); {note}"})
    return out


def _csv_text(rows: list[dict], columns: tuple[str, ...]) -> str:
    handle = io.StringIO()
    writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return handle.getvalue()


def build(folder: Path = DATA) -> dict[str, str]:
    """The text of traffic.csv and crossings.csv that the figures and the rule give."""
    with (folder / "crossings.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns, crossings = tuple(reader.fieldnames or ()), list(reader)
    ids = [row["place_id"] for row in crossings]
    figures = read_figures(folder / "crossing_figures.csv")
    unknown = sorted(set(figures) - set(ids))
    if unknown:
        raise ValueError(f"crossing_figures.csv: {', '.join(unknown)} not in crossings.csv")
    road = road_classes(folder / "edges.csv", ids)
    traffic = traffic_rows(figures, road, ids, checked_crossings(crossings))
    return {"traffic.csv": _csv_text(traffic, TRAFFIC_COLUMNS),
            "crossings.csv": _csv_text(crossing_rows(crossings, traffic, figures), columns)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the data folder")
    parser.add_argument("--check", action="store_true",
                        help="only report whether the files differ from what the rule gives")
    args = parser.parse_args(argv)
    texts = build(args.data)
    stale = [f for f, text in texts.items()
             if (args.data / f).read_text(encoding="utf-8") != text]
    if args.check:
        print("up to date" if not stale else f"stale: {', '.join(stale)}")
        return 1 if stale else 0
    for file in stale:
        (args.data / file).write_text(texts[file], encoding="utf-8")
        print(f"wrote {args.data / file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
