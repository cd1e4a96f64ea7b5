"""Daily reports during the action: what the coordination centre receives each evening.

A report file is a long CSV, one row per day, outcome and (optionally) country:

    day,outcome,value,country
    1,illegal_entries_detected,402,
    1,arrests_migrant_smuggling,37,GR

- `day`: the action day (1 = the first), whole; the days reported must run from 1 to the last
  one without a gap (an outcome may be missing on a day: it is simply not reported then);
- `outcome`: an outcome the model tallies per day and place (`daily.csv`'s outcome columns), or
  one of their totals (`checks_total`, `arrests_total`, `drugs_kg_total`, `other_drugs_kg`);
- `value`: the day's figure, a finite number, not negative, in the outcome's unit
  (docs/results.md);
- `country` (optional column, may be empty): an ISO code of sim/data/countries.csv — the figure
  of that country's places (the `country` of `daily.csv`: a crossing counts for the country its
  row names); empty: the whole operation. One outcome is reported either for the whole
  operation or by country, not both (the sum would be counted twice).

The file is read like a scenario (`sim.scenario.reading`: a regular file of bounded size,
UTF-8) and checked whole before anything runs: every problem names the file, the line, the column
and what was expected, with the closest valid name for an unknown outcome, column or country
(`ReportError`, a `ScenarioError`).
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd

from sim.model.outcomes import PLACE_OUTCOMES
from sim.scenario.problems import Problem, ScenarioError, suggest
from sim.scenario.reading import InputError, decode, read_bytes

MAX_REPORT_BYTES = 5_000_000  # 60 days x 40 outcomes x 30 countries is some 2 MB
DERIVED = {"checks_total": ("checks_persons", "checks_vehicles", "checks_parcels",
                            "checks_premises"),
           "arrests_total": ("arrests_migrant_smuggling", "arrests_drug_trafficking",
                             "arrests_firearms_trafficking", "arrests_thb", "arrests_other"),
           "drugs_kg_total": ("cocaine_kg", "heroin_kg", "cannabis_kg", "synthetic_kg"),
           "other_drugs_kg": ("heroin_kg", "cannabis_kg", "synthetic_kg")}
REPORTABLE: tuple[str, ...] = (*PLACE_OUTCOMES, *DERIVED)
COLUMNS = ("day", "outcome", "value", "country")
REQUIRED = ("day", "outcome", "value")
WHOLE = ""  # the country of a figure for the whole operation


class ReportError(ScenarioError):
    """A report file that cannot be used; `problems` names every row and column at fault."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        lines = [str(p) for p in self.problems]
        heading = ("invalid report" if len(lines) == 1
                   else f"{len(lines)} problems in the report")
        self.args = (heading + ":\n  " + "\n  ".join(lines),)


def read_reports(path: str | Path, *, days: int | None = None,
                 countries: list[str] | None = None) -> pd.DataFrame:
    """The rows of a report file as a table (`day`, `outcome`, `value`, `country`; `country`
    "" for the whole operation) with the file's `line` of each, checked whole: `days` is the
    action's length (no day after it), `countries` the valid codes (default: every code of
    sim/data/countries.csv). Raises `ReportError` listing every problem."""
    path = Path(path)
    label = str(path)
    try:
        text = decode(read_bytes(path, MAX_REPORT_BYTES, "a report file (CSV)"))
    except InputError as error:
        raise ReportError([Problem(label, error.line, (), error.message)]) from None
    except OSError as error:
        raise ReportError([Problem(label, None, (), f"cannot be read ({error.strerror or error})"
                                   )]) from None
    if countries is None:
        countries = _known_countries()
    rows, problems = _rows(text, label, days, countries)
    if not problems:
        problems = _consistency(rows, label)
    if problems:
        raise ReportError(problems)
    table = pd.DataFrame(rows, columns=["line", "day", "outcome", "value", "country"])
    return table.astype({"line": "int64", "day": "int64", "value": "float64"})


def _known_countries() -> list[str]:
    from sim.geography import load_route_graph

    return list(load_route_graph().countries["iso2"])


def _rows(text: str, label: str, days: int | None, countries: list[str]
          ) -> tuple[list[dict], list[Problem]]:
    """Each data row checked on its own: its day, outcome, value and country."""
    reader = csv.reader(io.StringIO(text))
    problems: list[Problem] = []
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        return [], [Problem(label, None, (), "is empty; expected a header line "
                            "`day,outcome,value` (and optionally `,country`) and one row per "
                            "day, outcome and country")]
    except csv.Error as error:
        return [], [Problem(label, 1, (), f"is not a CSV table ({error})")]
    for name in header:
        if name not in COLUMNS:
            problems.append(Problem(label, 1, (name,), f"unknown column {name!r}; the columns "
                                    f"are {', '.join(COLUMNS)} (country optional)",
                                    suggest(name, COLUMNS)))
    for name in REQUIRED:
        if name not in header:
            problems.append(Problem(label, 1, (name,), f"the header has no `{name}` column; "
                                    "expected day,outcome,value (and optionally country)"))
    if len(set(header)) != len(header):
        twice = next(name for name in header if header.count(name) > 1)
        problems.append(Problem(label, 1, (twice,), "the column is named twice"))
    if problems:
        return [], problems
    rows = []
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            if len(cells) != len(header):
                problems.append(Problem(label, number, (), f"has {len(cells)} values, the "
                                        f"header {len(header)} ({','.join(header)})"))
                continue
            row = dict(zip(header, (cell.strip() for cell in cells), strict=True))
            checked = _row(row, label, number, days, countries, problems)
            if checked is not None:
                rows.append(checked)
    except csv.Error as error:
        problems.append(Problem(label, reader.line_num, (), f"is not a CSV row ({error})"))
    if not rows and not problems:
        problems.append(Problem(label, None, (), "has a header but no rows: nothing reported"))
    return rows, problems


def _row(row: dict[str, str], label: str, line: int, days: int | None,
         countries: list[str], problems: list[Problem]) -> dict | None:
    before = len(problems)
    day = _whole(row["day"])
    if day is None or day < 1:
        problems.append(Problem(label, line, ("day",), f"{row['day']!r} is not an action day: "
                                "expected a whole number from 1 (the first day)"))
    elif days is not None and day > days:
        problems.append(Problem(label, line, ("day",), f"day {day} is after the action, "
                                f"which has {days} day{'s' * (days != 1)}"))
    outcome = row["outcome"]
    if outcome not in REPORTABLE:
        problems.append(Problem(label, line, ("outcome",), f"unknown outcome {outcome!r}; "
                                "expected an outcome the model counts per day (daily.csv's "
                                "columns, or checks_total, arrests_total, drugs_kg_total, "
                                "other_drugs_kg)", suggest(outcome, REPORTABLE)))
    value = _number(row["value"])
    if value is None or value < 0:
        problems.append(Problem(label, line, ("value",), f"{row['value']!r} is not a figure: "
                                "expected a finite number, not negative, in the outcome's "
                                "unit"))
    country = row.get("country", WHOLE)
    if country and country not in countries:
        problems.append(Problem(label, line, ("country",), f"unknown country {country!r}; "
                                "expected an ISO code of sim/data/countries.csv, or nothing "
                                "for the whole operation", suggest(country, countries)))
    if len(problems) > before:
        return None
    return {"line": line, "day": day, "outcome": outcome, "value": value, "country": country}


def _whole(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        number = _number(text)
        return int(number) if number is not None and number == int(number) else None


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _consistency(rows: list[dict], label: str) -> list[Problem]:
    """Across rows: each (day, outcome, country) once; an outcome for the whole operation or
    by country, not both; the days from 1 without a gap."""
    problems = []
    seen: dict[tuple, int] = {}
    scope: dict[str, tuple[bool, int]] = {}
    for row in rows:
        key = (row["day"], row["outcome"], row["country"])
        if key in seen:
            problems.append(Problem(label, row["line"], ("outcome",), f"day {row['day']}, "
                                    f"{row['outcome']}{_for(row['country'])} is reported "
                                    f"again (first on line {seen[key]}); give each day, "
                                    "outcome and country once"))
        seen.setdefault(key, row["line"])
        by_country = bool(row["country"])
        first = scope.setdefault(row["outcome"], (by_country, row["line"]))
        if first[0] != by_country:
            problems.append(Problem(label, row["line"], ("country",), f"{row['outcome']} is "
                                    f"reported {_scope(first[0])} on line {first[1]} and "
                                    f"{_scope(by_country)} here; report an outcome one way "
                                    "only (the whole would count its countries twice)"))
    reported = sorted({row["day"] for row in rows})
    missing = [day for day in range(1, reported[-1] + 1) if day not in reported] if reported \
        else []
    if missing:
        problems.append(Problem(label, None, ("day",), f"no row for day "
                                f"{', '.join(map(str, missing))}: the reports must cover the "
                                f"days from 1 to the last one ({reported[-1]}) without a gap"))
    return problems


def _scope(by_country: bool) -> str:
    return "by country" if by_country else "for the whole operation"


def _for(country: str) -> str:
    return f" for {country}" if country else ""


def last_day(reports: pd.DataFrame) -> int:
    """The last day reported: the evening the reports describe."""
    return int(reports["day"].max())


def observed(reports: pd.DataFrame) -> pd.Series:
    """What the likelihood compares: per (outcome, country) the sum of the figures over the
    days reported, indexed by (outcome, country); a total whose parts are all reported is left
    out (its information is in the parts: counting it too would count it twice)."""
    sums = reports.groupby(["outcome", "country"], sort=True)["value"].sum()
    outcomes = set(sums.index.get_level_values("outcome"))
    redundant = {total for total, parts in DERIVED.items()
                 if total in outcomes and all(part in outcomes for part in parts)}
    return sums[~sums.index.get_level_values("outcome").isin(redundant)]


def reported_days(reports: pd.DataFrame) -> dict[tuple[str, str], list[int]]:
    """The days each (outcome, country) was reported on."""
    return {key: sorted(group["day"]) for key, group in
            reports.groupby(["outcome", "country"], sort=True)}
