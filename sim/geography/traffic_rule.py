"""Traffic, booths and bays of every crossing by vehicle class: published figures where they
exist, border totals shared among a border's crossings next, one documented rule for the rest.

`sim/data/crossing_figures.csv` holds what sources publish for one crossing (vehicles, cars,
coaches, lorries or persons a day, booths or bays of a class); `sim/data/border_totals.csv` holds
published totals of a border or a stretch of it (a section) with the number of road crossings
they cover. `build` turns them into the text of `traffic.csv` (one row per crossing and class)
and of `crossings.csv` with refreshed totals; `write_files` writes them and `stale_files` names
the ones that differ (`tools/traffic-rule [--check]`). docs/geography.md, "Traffic: the rule",
explains every rule and its anchors.
"""

from __future__ import annotations

import csv
import io
import math
import statistics
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
SECTION_FIGURES = ("passenger_vehicles_per_day", "lorries_per_day")  # cars with coaches; lorries
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
# Lorries per car over every crossing of a stretch of border, so that no choice of busy crossings
# enters: the four BA-HR crossings of Brod-Posavina police, Jan-Nov 2023, 559,959 / 3,966,576
# (plusportal.hr, Jan 2024); all Kosovo crossings, Jan-Jul 2019, 34,765 / 429,870 (Kosovo police
# via indeksonline.net, 30 Jul 2019). The median (of two, their mean):
LORRY_RATIOS = {"Brod-Posavina 2023": 559_959 / 3_966_576, "Kosovo 2019": 34_765 / 429_870}
LORRIES_PER_CAR = statistics.median(LORRY_RATIOS.values())
BAYS_RULE = ("rule bays_per_booth: one inspection place per first-line booth of the class, as at "
             "the Preševo freight terminal (one inspection platform in each lorry lane, Serbian "
             "customs via vojvodinauzivo.rs); no count of inspection places is published for this "
             "crossing")
# What one first-line booth clears in an hour, by class, at the model's first-line times
# (parameters.first_line_seconds: 80 s a car, 600 s a coach, 300 s a lorry: 45, 6 and 12 an
# hour), so that the booths the rule gives clear the traffic in the model; inside the EU customs
# union without the customs documents (customs_first_line_seconds: a coach 480 s, a lorry's
# driver alone 60 s). A rate read off a crossing's own booths would pass that crossing whatever
# its booths: Kapitan Andreevo's busiest published day, 1,600 lorries towards Turkey in 24 h
# (btvnovinite.bg; outside_data.md), needs 6 booths at 12 an hour, not the 5 gates counted.
BOOTH_PER_HOUR = {"car": 45.0, "bus": 6.0, "lorry": 12.0}
BOOTH_PER_HOUR_CUSTOMS_UNION = {"car": 45.0, "bus": 7.5, "lorry": 60.0}
CUSTOMS_UNION = ("eu_internal_checked", "schengen_internal")
# The most a booth is used over a whole day for a published day's traffic to have crossed that
# day (queues of the busy hours clear by night): Kapitan Andreevo's average day (2,790 lorries)
# is 91% of its busiest (3,066).
DAY_UTILISATION = 0.95
TRAFFIC_COLUMNS = ("place_id", "vehicle_class", "vehicles_per_day", "booths", "bays",
                   "traffic_source", "booths_source", "bays_source")


@dataclass(frozen=True)
class Figure:
    value: float
    source: str


@dataclass(frozen=True)
class Section:
    """A published total over the `crossings` road crossings of a border or a stretch of it;
    `members` are the model's crossings among them, `shares` the published shares of some.
    `crossings` is None where no count is published; every member then needs a share."""
    id: str
    figure: str
    value: float
    crossings: int | None
    members: tuple[str, ...]
    shares: dict[str, float]
    source: str


Figures = dict[str, dict[str, Figure]]  # place -> figure name -> value and source
Sections = dict[str, dict[str, Section]]  # place -> section figure -> its section


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


def read_sections(path: Path) -> Sections:
    """The border totals by member crossing; a crossing is in at most one section a figure."""
    sections: Sections = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            if row["figure"] not in SECTION_FIGURES:
                raise ValueError(f"{path.name} line {line}: unknown figure '{row['figure']}' "
                                 f"(expected one of {', '.join(SECTION_FIGURES)})")
            shares = {k: float(v) for k, v in (pair.split("=") for pair in
                                                row["shares"].split(";") if pair)}
            members = tuple(row["members"].split(";"))
            crossings = int(row["crossings"]) if row["crossings"] else None
            if set(shares) - set(members) or (len(members) if crossings is None
                                               else crossings) < len(members) or (
                    crossings is None and set(members) - set(shares)):
                raise ValueError(f"{path.name} line {line}: shares must name members, and the "
                                 f"crossings cover the members (or every member has a share)")
            section = Section(row["section"], row["figure"], float(row["value"]), crossings,
                              members, shares, row["source"])
            for member in members:
                if row["figure"] in sections.setdefault(member, {}):
                    raise ValueError(f"{path.name} line {line}: {member} is already in a "
                                     f"section for {row['figure']}")
                sections[member][row["figure"]] = section
    return sections


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


def published_counts(own: dict[str, Figure]) -> dict[str, float]:
    """The vehicles a day of each class that a crossing's own figures give without any rule:
    vehicles = cars + coaches + lorries and persons = Σ vehicles × occupancy once the lorries
    are published, coaches = COACHES_PER_CAR × cars where no coach count is published."""
    counts = {k: own[PER_DAY[k]].value for k in CLASSES if PER_DAY[k] in own}
    if "car" not in counts and "lorry" in counts:
        cars = _cars_given_lorries(own, counts)
        if cars is not None:
            counts["car"] = cars
    if "car" in counts and "bus" not in counts:
        counts["bus"] = COACHES_PER_CAR * counts["car"]
    return counts


def _cars_given_lorries(own: dict[str, Figure], counts: dict[str, float]) -> float | None:
    total, persons = own.get("vehicles_per_day"), own.get("persons_per_day")
    lorries = counts["lorry"]
    if total:
        rest = total.value - lorries
        return rest - counts["bus"] if "bus" in counts else rest / (1 + COACHES_PER_CAR)
    if persons:
        rest = persons.value - lorries * OCCUPANCY["lorry"]
        if "bus" in counts:
            return (rest - counts["bus"] * OCCUPANCY["bus"]) / OCCUPANCY["car"]
        return rest / (OCCUPANCY["car"] + COACHES_PER_CAR * OCCUPANCY["bus"])
    return None


class _Anchors:
    """The values the rule falls back on. Motorway crossings: the medians of the published counts
    of the motorway crossings that check traffic (all trunk crossings, none picked out of many
    quieter ones). Other crossings: the median over the border sections of their mean passenger
    vehicles a crossing, and LORRIES_PER_CAR. Booths: medians of the published booth counts."""

    def __init__(self, figures: Figures, road: dict[str, str], checked: set[str],
                 sections: Sections):
        self.road = road
        self.figures = {p: f for p, f in figures.items() if p in checked}
        self.motorway = {k: self._motorway_median(k) for k in ("car", "lorry")}
        means = {s.id: s.value / s.crossings for by_figure in sections.values()
                 for s in by_figure.values()
                 if s.figure == "passenger_vehicles_per_day" and s.crossings}
        self.section_means = dict(sorted(means.items()))
        self.section_median = statistics.median(means.values())
        self.booths = {k: {r: self._booths_by_class(k, r) for r in ROAD_CLASSES}
                       for k in CLASSES}

    def _motorway_median(self, kind: str) -> tuple[float, list[str]]:
        counts = {p: published_counts(f).get(kind) for p, f in sorted(self.figures.items())
                  if self.road.get(p) == "motorway"}
        places = [p for p, v in counts.items() if v is not None]
        return statistics.median(counts[p] for p in places), places

    def _booths_by_class(self, kind: str, road: str) -> tuple[int, list[str]]:
        places = [p for p in sorted(self.figures) if self.road.get(p) == road
                  and BOOTHS[kind] in self.figures[p]]
        if not places:
            places = [p for p in sorted(self.figures) if BOOTHS[kind] in self.figures[p]]
        median = statistics.median(self.figures[p][BOOTHS[kind]].value for p in places)
        return math.floor(median + 0.5), places


def _section_value(place: str, section: Section, figures: Figures) -> tuple[float, str]:
    """A member's part of a section total: its published share, or an equal part of what the
    section's other members with a count or a share leave over."""
    if place in section.shares:
        share = section.shares[place]
        through = (f"the {section.crossings} crossings of" if section.crossings
                   else "all the crossings of")
        return section.value * share, (
            f"rule section_share: {share:.1%} of {_day(section.value)} a day through {through} "
            f"section {section.id}; {section.source}")
    kind = {"passenger_vehicles_per_day": "car", "lorries_per_day": "lorry"}[section.figure]
    known = {m: published_counts(figures.get(m, {})).get(kind) for m in section.members
             if m != place}
    if kind == "car":
        known = {m: v * (1 + COACHES_PER_CAR) for m, v in known.items() if v is not None}
    known = {m: v for m, v in known.items() if v is not None}
    known |= {m: section.value * s for m, s in section.shares.items() if m != place}
    value = (section.value - sum(known.values())) / (section.crossings - len(known))
    less = f", less {', '.join(sorted(known))}" if known else ""
    return value, (f"rule section_mean: {_day(section.value)} a day through the "
                   f"{section.crossings} crossings of section {section.id}{less}, an equal part "
                   f"each: {_day(value)}; {section.source}")


def class_counts(place: str, figures: Figures, road: str, sections: Sections,
                 anchors: _Anchors) -> dict[str, tuple[float, str]]:
    """Vehicles a day of each class at a crossing, each with the words of its source."""
    own, in_section = figures.get(place, {}), sections.get(place, {})
    counts = {k: (own[PER_DAY[k]].value, own[PER_DAY[k]].source) for k in CLASSES
              if PER_DAY[k] in own}
    if "lorry" not in counts:
        if "lorries_per_day" in in_section:
            counts["lorry"] = _section_value(place, in_section["lorries_per_day"], figures)
        elif road == "motorway" and "car" not in counts:
            median, places = anchors.motorway["lorry"]
            counts["lorry"] = (median, f"rule road_class motorway: no published count; the "
                               f"median of the published counts at {', '.join(places)} = "
                               f"{_day(median)}")
    if "car" not in counts:
        counts["car"] = _cars(place, own, counts, in_section, road, anchors, figures)
    if "lorry" not in counts:
        cars = counts["car"][0]
        counts["lorry"] = (LORRIES_PER_CAR * cars, (
            f"rule lorries_per_car: {LORRIES_PER_CAR:.3f} lorries a car (measured over every "
            f"crossing of {', '.join(LORRY_RATIOS)}, median) × {_day(cars)} cars"))
    if "bus" not in counts:
        counts["bus"] = (COACHES_PER_CAR * counts["car"][0], (
            f"rule coach_share: {COACHES_PER_CAR:.1%} of the cars (coaches per car measured at "
            f"{', '.join(COACH_SHARES)}, median)"))
    return counts


def _cars(place: str, own: dict[str, Figure], counts: dict, in_section: dict[str, Section],
          road: str, anchors: _Anchors, figures: Figures) -> tuple[float, str]:
    """Cars a day: from the crossing's own total or persons less the coaches and lorries (with
    lorries by rule lorries_per_car where none is counted), else its section, else a fallback."""
    total, persons = own.get("vehicles_per_day"), own.get("persons_per_day")
    bus = counts["bus"][0] if "bus" in counts else None
    lorry = counts.get("lorry")
    ratio = 0.0 if lorry is not None else LORRIES_PER_CAR
    rules = [name for name, on in (("coach_share", bus is None), ("lorries_per_car", ratio))
             if on]
    how = f" (by rule {' and rule '.join(rules)})" if rules else ""
    lorries = f"; lorries: {lorry[1]}" if lorry is not None and lorry[1] not in (
        total.source if total else "", persons.source if persons else "") else ""
    if total:
        rest = total.value - (lorry[0] if lorry else 0.0) - (bus or 0.0)
        cars = rest / ((1 if bus is not None else 1 + COACHES_PER_CAR) + ratio)
        return cars, f"{total.source}; less the coaches and lorries{how}{lorries}"
    if persons:
        rest = (persons.value - (lorry[0] * OCCUPANCY["lorry"] if lorry else 0.0)
                - (bus or 0.0) * OCCUPANCY["bus"])
        per_car = (OCCUPANCY["car"] + ratio * OCCUPANCY["lorry"]
                   + (0.0 if bus is not None else COACHES_PER_CAR * OCCUPANCY["bus"]))
        return rest / per_car, (
            f"rule persons_to_cars: the persons less those in coaches and lorries{how}, at the "
            f"model's occupancy (1.8 a car, 35 a coach, 1.1 a lorry); persons: "
            f"{persons.source}{lorries}")
    if "passenger_vehicles_per_day" in in_section:
        value, source = _section_value(place, in_section["passenger_vehicles_per_day"], figures)
        return value / (1 + COACHES_PER_CAR), f"{source} (cars: less coaches by rule coach_share)"
    if road == "motorway":
        median, places = anchors.motorway["car"]
        return median, (f"rule road_class motorway: no published count; the median of the "
                        f"published counts at {', '.join(places)} = {_day(median)}")
    means = ", ".join(f"{s} {_day(v)}" for s, v in anchors.section_means.items())
    cars = anchors.section_median / (1 + COACHES_PER_CAR)
    return cars, (f"rule section_median: no published count and no border total; the median of "
                  f"the mean passenger vehicles a crossing of the border sections ({means}) = "
                  f"{_day(anchors.section_median)}, less coaches by rule coach_share")


def _booths(kind: str, own: dict[str, Figure], road: str, anchors: _Anchors) -> tuple[int, str]:
    if BOOTHS[kind] in own:
        return int(own[BOOTHS[kind]].value), own[BOOTHS[kind]].source
    booths, places = anchors.booths[kind][road]
    noun = {"car": "car", "bus": "coach", "lorry": "lorry"}[kind]
    return booths, (f"rule road_class {road}: no published count; the median of the published "
                    f"{noun} booths at {', '.join(places)}, rounded")


def traffic_rows(figures: Figures, road: dict[str, str], crossings: list[str],
                 checked: set[str], sections: Sections) -> list[dict]:
    """traffic.csv rows: every crossing × class with vehicles a day, booths and bays, and the
    source of each; the fallback anchors come from the `checked` crossings' figures."""
    anchors = _Anchors(figures, road, checked, sections)
    rows = []
    for place in crossings:
        own = figures.get(place, {})
        counts = class_counts(place, figures, road[place], sections, anchors)
        for kind in CLASSES:
            booths, booths_source = _booths(kind, own, road[place], anchors)
            bays_figure = own.get(BAYS[kind])
            rows.append({
                "place_id": place, "vehicle_class": kind,
                "vehicles_per_day": round(counts[kind][0]), "booths": booths,
                "bays": int(bays_figure.value) if bays_figure else booths,
                "traffic_source": counts[kind][1], "booths_source": booths_source,
                "bays_source": bays_figure.source if bays_figure else BAYS_RULE})
    return rows


def booths_needed(kind: str, per_day: float, status: str) -> int:
    """Booths of a class each side needs to clear a day's two-way traffic within the day."""
    rate = (BOOTH_PER_HOUR_CUSTOMS_UNION if status in CUSTOMS_UNION else BOOTH_PER_HOUR)[kind]
    return math.ceil(per_day / 2 / (24 * rate * DAY_UTILISATION))


def consistent(rows: list[dict], statuses: dict[str, str]) -> list[dict]:
    """Traffic and booths that agree: a day's traffic counts vehicles that crossed, so the
    booths must have cleared it. Where a rule set the traffic and a source the booths, the
    traffic is cut to what those booths clear (rule booth_capacity); otherwise the booths are
    raised to what the traffic needs (rule booths_for_traffic), the source kept beside it."""
    out = []
    for row in rows:
        status = statuses[row["place_id"]]
        need = booths_needed(row["vehicle_class"], row["vehicles_per_day"], status)
        if need <= row["booths"]:
            out.append(row)
            continue
        kind = row["vehicle_class"]
        traffic_is_rule = row["traffic_source"].startswith("rule ")
        booths_are_rule = row["booths_source"].startswith("rule ")
        rate = (BOOTH_PER_HOUR_CUSTOMS_UNION if status in CUSTOMS_UNION
                else BOOTH_PER_HOUR)[kind]
        if traffic_is_rule and not booths_are_rule:
            cap = math.floor(2 * row["booths"] * 24 * rate * DAY_UTILISATION)
            out.append({**row, "vehicles_per_day": cap, "traffic_source": (
                f"rule booth_capacity: {row['vehicles_per_day']:,} by "
                f"{row['traffic_source']}, cut to the {cap:,} a day that the {row['booths']} "
                f"published booths each way clear ({rate:g} an hour each, "
                f"{DAY_UTILISATION:.0%} of the day)")})
        else:
            out.append({**row, "booths": need, "bays": max(row["bays"], need)
                        if row["bays_source"] == BAYS_RULE else row["bays"],
                        "booths_source": (
                f"rule booths_for_traffic: {need} booths each way, what "
                f"{row['vehicles_per_day']:,} a day need at {rate:g} an hour a booth "
                f"({DAY_UTILISATION:.0%} of the day); given: {row['booths']} by "
                f"{row['booths_source']}")})
    return out


def checked_crossings(crossings: list[dict]) -> set[str]:
    """The crossings whose published figures anchor the rule: all but the Schengen-internal."""
    return {row["place_id"] for row in crossings if row["border_status"] != "schengen_internal"}


def rule_inputs(figures: Figures, road: dict[str, str], place: str, sections: Sections) -> tuple:
    """What the rule knows of a crossing: its road class, its own figures and its sections
    with any share. Two crossings with the same inputs get the same rows; any other two must
    differ."""
    own = figures.get(place, {})
    return (road[place], tuple(sorted((k, f.value) for k, f in own.items())),
            tuple(sorted((f, s.id, s.shares.get(place)) for f, s in
                         sections.get(place, {}).items())))


def crossing_rows(crossings: list[dict], traffic: list[dict], figures: Figures,
                  sections: Sections) -> list[dict]:
    """crossings.csv with persons, vehicles and lanes recomputed from the traffic rows."""
    out = []
    for row in crossings:
        own = [t for t in traffic if t["place_id"] == row["place_id"]]
        by_class = {t["vehicle_class"]: t for t in own}
        persons = sum(by_class[k]["vehicles_per_day"] * OCCUPANCY[k] for k in CLASSES)
        published = sorted(figures.get(row["place_id"], {}))
        in_sections = sorted({s.id for s in sections.get(row["place_id"], {}).values()})
        notes = ([f"published: {', '.join(published)} (crossing_figures.csv)"] if published
                 else []) + ([f"border section {', '.join(in_sections)} (border_totals.csv)"]
                             if in_sections else [])
        note = "; ".join(notes) or "no published figure and no border total: rule fallback"
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


def inputs(folder: Path = DATA) -> tuple[list[dict], tuple[str, ...], Figures, Sections,
                                         dict[str, str]]:
    """crossings.csv rows and columns, the figures, the sections and the road classes."""
    with (folder / "crossings.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns, crossings = tuple(reader.fieldnames or ()), list(reader)
    ids = [row["place_id"] for row in crossings]
    figures = read_figures(folder / "crossing_figures.csv")
    sections = read_sections(folder / "border_totals.csv")
    for name, places in (("crossing_figures.csv", figures), ("border_totals.csv", sections)):
        unknown = sorted(set(places) - set(ids))
        if unknown:
            raise ValueError(f"{name}: {', '.join(unknown)} not in crossings.csv")
    return crossings, columns, figures, sections, road_classes(folder / "edges.csv", ids)


def build(folder: Path = DATA) -> dict[str, str]:
    """The text of traffic.csv and crossings.csv that the figures and the rule give."""
    crossings, columns, figures, sections, road = inputs(folder)
    ids = [row["place_id"] for row in crossings]
    traffic = consistent(traffic_rows(figures, road, ids, checked_crossings(crossings),
                                      sections),
                         {row["place_id"]: row["border_status"] for row in crossings})
    return {"traffic.csv": _csv_text(traffic, TRAFFIC_COLUMNS),
            "crossings.csv": _csv_text(crossing_rows(crossings, traffic, figures, sections),
                                       columns)}


def stale_files(folder: Path = DATA) -> list[str]:
    """The generated files that differ from what the figures and the rule give."""
    return [f for f, text in build(folder).items()
            if (folder / f).read_text(encoding="utf-8") != text]


def write_files(folder: Path = DATA) -> list[Path]:
    """Rewrite the stale generated files; returns the paths written."""
    texts = build(folder)
    written = []
    for file in stale_files(folder):
        (folder / file).write_text(texts[file], encoding="utf-8")
        written.append(folder / file)
    return written
