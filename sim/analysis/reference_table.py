"""The README's reference section, written from a reference comparison and its naive estimates.

`reference_markdown(comparison, naive)` is the whole section `sim reference` writes to table.md
and `sim docs reference` copies between the README's markers: what the differences rest on, two
tables (the harm index and each crime area; then arrests, detections, cases, displacement and
waiting), each cell the model's difference from the baseline with its interval and robustness
and, where 2023 published a figure, the naive estimate beside it (`sim.analysis.naive`); then a
reading per scenario that names for every answer its robustness, the naive estimate, the
assumption that decides it with the difference at its low and high ends, and what knowing that
assumption is worth (EVPPI, `sim.analysis.deciding`); then every answer's deciding assumption
as a table. Every number comes from comparison.csv and naive.csv: nothing here is written by
hand, so a re-run rewrites the reading with the table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from sim.analysis.compare import COMPARISON, NOT_PER_DAY
from sim.analysis.deciding import readable
from sim.analysis.headline import weights_line
from sim.analysis.naive import read_naive
from sim.analysis.style import label
from sim.runs.results import read_table

ROBUST = 0.95  # an answer holds when at least this share of draws or members has its sign
# The README's first table: the harm index and each crime area by the outcome it is counted in
# (sim.analysis.harm.AREA_OUTCOMES); the second: what the operation did and what it cost.
README_AREAS = {"harm_index": "harm index (points)", "migrants_stopped": "migrants stopped",
                "drugs_kg_total": "drugs kg", "weapons_seized": "weapons",
                "victims_identified": "victims", "arrests_other": "high-risk arrests",
                "forged_documents": "forged documents"}
README_OUTCOMES = {"arrests_total": "arrests", "illegal_entries_detected": "illegal entries",
                   "cases_opened": "cases opened", "movements_displaced": "movements displaced",
                   "mean_wait_minutes": "mean wait"}
HEADLINE = {**README_AREAS, **README_OUTCOMES}
README_START = ("<!-- reference:start (generated: `sim reference` writes it to "
                "results/reference/table.md, `sim docs reference` copies it here) -->")
README_END = "<!-- reference:end -->"
IN_WORDS = {"arrests_other": "high-risk arrests"}  # where the registry's label reads badly in a
# sentence ("arrests: other")
NAIVE_MEANING = ("**naive**: the spreadsheet's answer, the published 2023 figure scaled by the "
                 "scenario's officer-days (the countries' officers × the action's days) over "
                 "the baseline's, where 2023 published one (naive.csv, docs/analysis.md); it is "
                 "0 for every allocation that moves no officer.")


def reference_markdown(comparison: pd.DataFrame, naive: pd.DataFrame | None = None) -> str:
    """The README's reference section (table.md): what it rests on, the two tables, the harm
    weights, the reading per scenario and the deciding assumptions."""
    naive_lookup = _naive_lookup(naive)
    parts = [resting_on(comparison) + (" " + NAIVE_MEANING if naive_lookup else ""),
             readme_table(comparison, naive)]
    missing = [label(o) for o in HEADLINE if o not in set(comparison["outcome"])]
    if missing:
        parts.append("Not in this comparison (made before they were outcomes; `make reference` "
                     "adds them): " + ", ".join(missing) + ".")
    parts.append("How to read it (written from the table):\n\n"
                 + "\n".join(reading(comparison, naive)))
    deciding = deciding_table(comparison, naive)
    if deciding:
        parts.append(deciding)
    return "\n\n".join(parts)


def readme_table(comparison: pd.DataFrame, naive: pd.DataFrame | None = None) -> str:
    """The README's two tables: per scenario the difference with its interval in the harm index
    and each crime area, then in the operation's other outcomes (on runs over draws or members
    with the share agreeing in sign, and with `naive` the naive estimate beside it), and which
    harm weights the index was read with."""
    lookup = _naive_lookup(naive)
    tables = [_markdown_table(comparison, README_AREAS, lookup),
              _markdown_table(comparison, README_OUTCOMES, lookup)]
    weights = weights_line(comparison)
    return "\n\n".join(tables + ([weights] if weights else []))


def read_reference(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """A reference folder's comparison.csv and naive.csv (None when it has none)."""
    return read_table(Path(folder) / COMPARISON), read_naive(folder)


def with_reference_section(document: str, section: str) -> str:
    """`document` with the text between the reference markers replaced by `section` (a
    reference folder's table.md)."""
    head, start, rest = document.partition(README_START)
    _, end, tail = rest.partition(README_END)
    if not start or not end:
        raise ValueError(f"the document has no {README_START} … {README_END} section")
    return f"{head}{README_START}\n{section.strip()}\n{README_END}{tail}"


# --- what the differences rest on --------------------------------------------------------------

def members_word(comparison: pd.DataFrame) -> str | None:
    """'members' (ensemble), 'draws' (posterior) or None (replicates only)."""
    if "draws" not in comparison or not (comparison["draws"].fillna(0) > 0).any():
        return None
    methods = set(comparison.get("method", pd.Series(dtype=str)).dropna())
    return "members" if "ensemble" in methods else "draws"


def resting_on(comparison: pd.DataFrame) -> str:
    """One sentence: what each cell holds and what it rests on, from the table's columns."""
    first = comparison.iloc[0]
    level = f"{float(first.get('level', 0.9)):.0%}"
    word = members_word(comparison)
    daily = sorted({label(s) for s in comparison.loc[comparison.get(
        "per_day", pd.Series(False, index=comparison.index)).astype(bool), "scenario"]})
    per_day = (f" {_and(daily).capitalize()} {'lasts' if len(daily) == 1 else 'last'} "
               "another number of days than the baseline and is compared per day."
               if daily else "")
    if word:
        draws = int(first["draws"])
        replicates = max(int(first["n"]) // draws, 1) if draws else 1
        what = "ensemble members" if word == "members" else "posterior draws"
        return (f"Differences from the baseline over {draws} {what} × {replicates} paired "
                f"replicate{'s' * (replicates != 1)} each: in each cell the mean over the "
                f"{word}, the central {level} of their differences and the **robustness**, the "
                f"share of {word} in which the difference has the sign of its mean.{per_day}")
    return (f"Differences from the baseline over {int(first['n'])} paired replicates: in each "
            f"cell the mean difference and its {level} interval (replicate noise only)."
            f"{per_day}")


# --- the tables --------------------------------------------------------------------------------

def _markdown_table(comparison: pd.DataFrame, columns: dict[str, str],
                    naive: Mapping[tuple[str, str], float]) -> str:
    """One Markdown table: a row of baseline means, then per scenario each column's difference
    with its interval, its robustness and its naive estimate."""
    word = members_word(comparison)
    lines = ["| scenario | " + " | ".join(columns.values()) + " |",
             "|---|" + "---|" * len(columns)]
    base = comparison.drop_duplicates("outcome").set_index("outcome")
    lines.append("| baseline mean | " + " | ".join(
        _level(base.loc[o, "base_mean"]) if o in base.index else "–"
        for o in columns) + " |")
    for scenario, rows in comparison.groupby("scenario", sort=False):
        rows = rows.set_index("outcome")
        cells = []
        for outcome in columns:
            if outcome not in rows.index:
                cells.append("–")
                continue
            row = rows.loc[outcome]
            digits = _digits(row["difference"])
            cell = (f"{row['difference']:+.{digits}f} ({row['ci_low']:+.{digits}f} to "
                    f"{row['ci_high']:+.{digits}f})")
            if word and not pd.isna(row["robustness"]):
                cell += f", {row['robustness']:.0%} of {word}"
            if (scenario, outcome) in naive:
                cell += f"; naive {_signed(naive[scenario, outcome])}"
            cells.append(cell)
        lines.append(f"| {label(scenario)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def deciding_table(comparison: pd.DataFrame, naive: pd.DataFrame | None = None) -> str | None:
    """Every headline answer with a deciding assumption, one row each, folded under a summary
    line (None when the comparison ranks none: runs over replicates only)."""
    if "deciding" not in comparison:
        return None
    rows = _headline_rows(comparison)
    rows = rows[rows["deciding"].fillna("").astype(str) != ""]
    if rows.empty:
        return None
    lookup, word = _naive_lookup(naive), members_word(comparison) or "draws"
    lines = ["| scenario | outcome | difference | robustness | naive | deciding assumption | "
             "difference at its low end | at its high end | share of the spread | value of "
             "knowing it (EVPPI) | of knowing everything (EVPI) | next |",
             "|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|"]
    for row in rows.itertuples():
        naive_value = lookup.get((row.scenario, row.outcome))
        lines.append(
            f"| {label(row.scenario)} | {_words(row.outcome)} ({_unit(row)}) | "
            f"{_signed(row.difference)} | {_share(row.robustness)} | "
            f"{'–' if naive_value is None else _signed(naive_value)} | "
            f"{readable(row.deciding)} | {_signed(row.deciding_low)} | "
            f"{_signed(row.deciding_high)} | {_share(row.deciding_share)} | "
            f"{_plain(row.deciding_evppi)} | {_plain(row.evpi)} | "
            f"{readable(row.next_deciding) if _text(row.next_deciding) else '–'} |")
    return (f"<details><summary>What decides each answer: {len(rows)} answers, the assumption "
            f"that explains most of the spread of the {word}' differences (the difference over "
            f"the lowest and the highest fifth of its range) and what knowing it before "
            "choosing is worth, in the outcome's unit (sim/analysis/deciding.py)</summary>\n\n"
            + "\n".join(lines) + "\n\n</details>")


# --- the reading -------------------------------------------------------------------------------

def reading(comparison: pd.DataFrame, naive: pd.DataFrame | None = None) -> list[str]:
    """Markdown bullets, one per scenario with one line each for the answers that hold (the
    same sign in at least `ROBUST` of the draws or members; over replicates only, an interval
    that excludes 0), those that do not and those that do not change; each answer with its
    robustness, naive estimate, deciding assumption and the value of knowing it."""
    lookup, word = _naive_lookup(naive), members_word(comparison)
    threshold = (f"the same sign in at least {ROBUST:.0%} of {word}" if word
                 else "an interval that excludes 0")
    bullets = []
    for scenario, rows in _headline_rows(comparison).groupby("scenario", sort=False):
        held, open_, unchanged = [], [], []
        for row in rows.itertuples():
            if row.difference == 0 and row.ci_low == 0 and row.ci_high == 0:
                unchanged.append(_words(row.outcome))
                continue
            clause = _clause(row, lookup.get((scenario, row.outcome)), word)
            (held if _holds(row, word) else open_).append(clause)
        lines = [f"- **{label(scenario).capitalize()}**"]
        if held:
            lines.append(f"  - holds ({threshold}): " + "; ".join(held) + ".")
        if open_:
            lines.append("  - does not hold: " + "; ".join(open_) + ".")
        if unchanged:
            lines.append("  - unchanged: " + ", ".join(unchanged) + ".")
        bullets.append("\n".join(lines))
    return bullets


def _clause(row, naive: float | None, word: str | None) -> str:
    """'cases opened -37 cases (100% of members; naive 0; chiefly relay probability without
    centre, -18 at its low end to -48 at its high end; knowing it is worth 0.2 cases)'."""
    unit = _unit(row)
    details = []
    if word and not pd.isna(row.robustness):
        details.append(f"{row.robustness:.0%} of {word}")
    elif not word:
        details.append(f"{float(row.level):.0%} interval {_signed(row.ci_low)} to "
                       f"{_signed(row.ci_high)}")
    if naive is not None:
        details.append(f"naive {_signed(naive)}")
    if _text(getattr(row, "deciding", "")):
        details.append(f"chiefly {readable(row.deciding)}, {_signed(row.deciding_low)} at its "
                       f"low end to {_signed(row.deciding_high)} at its high end")
        if not pd.isna(row.deciding_evppi):
            details.append(f"knowing it is worth {_plain(row.deciding_evppi)} {unit}")
    return (f"{_words(row.outcome)} {_signed(row.difference)} {unit}"
            + (f" ({'; '.join(details)})" if details else ""))


def _holds(row, word: str | None) -> bool:
    if word:
        return not pd.isna(row.robustness) and row.robustness >= ROBUST
    return bool(row.ci_low > 0 or row.ci_high < 0)


# --- helpers -----------------------------------------------------------------------------------

def _headline_rows(comparison: pd.DataFrame) -> pd.DataFrame:
    """The headline outcomes' rows, in the tables' order within each scenario (scenarios in
    the comparison's order), every deciding column present."""
    rows = comparison[comparison["outcome"].isin(HEADLINE)].copy()
    for column in ("robustness", "deciding_low", "deciding_high", "deciding_share",
                   "deciding_evppi", "evpi"):
        if column not in rows:
            rows[column] = math.nan
    for column in ("deciding", "next_deciding"):
        rows[column] = (rows[column].astype(object).where(rows[column].notna(), "")
                        if column in rows else "")
    order = {outcome: i for i, outcome in enumerate(HEADLINE)}
    scenarios = {s: i for i, s in enumerate(dict.fromkeys(comparison["scenario"]))}
    rows["_order"] = [(scenarios[s], order[o]) for s, o in zip(rows["scenario"],
                                                                rows["outcome"], strict=True)]
    return rows.sort_values("_order", kind="stable").drop(columns="_order")


def _naive_lookup(naive: pd.DataFrame | None) -> dict[tuple[str, str], float]:
    if naive is None or naive.empty:
        return {}
    return {(str(r.scenario), str(r.outcome)): float(r.naive_difference)
            for r in naive.itertuples()}


def _words(outcome: str) -> str:
    return IN_WORDS.get(outcome) or label(outcome)


def _unit(row) -> str:
    """The outcome's unit, 'per day' for a total compared per day (not a wait)."""
    unit = "" if pd.isna(row.unit) else str(row.unit)
    daily = bool(getattr(row, "per_day", False)) and row.outcome not in NOT_PER_DAY
    return unit + (" per day" if daily else "")


def _digits(value: float) -> int:
    return 1 if abs(value) < 10 else 0


def _signed(value: float) -> str:
    """A difference as the tables write it (one decimal below 10, none above); 0 without a
    sign."""
    if pd.isna(value):
        return "–"
    text = f"{value:+.{_digits(value)}f}"
    return "0" if float(text) == 0 else text


def _plain(value: float) -> str:
    """A value of information (never negative): two significant digits below 10."""
    if pd.isna(value):
        return "–"
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:.2g}"


def _share(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:.0%}"


def _text(value) -> bool:
    return isinstance(value, str) and value != ""


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _level(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
