"""Findings as sentences, built from a comparison table (`sim.analysis.compare.compare` or a
comparison.csv): every number in them comes from the table, with its interval and unit, so a
notebook states what it found without a number typed in."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.analysis.style import figure_number, label, with_interval

MAIN_OUTCOMES = ("arrests_total", "illegal_entries_detected", "drugs_kg_total",
                 "cases_opened", "movements_intercepted", "movements_displaced",
                 "mean_wait_minutes")


def table(comparison: pd.DataFrame, outcomes: Sequence[str] = MAIN_OUTCOMES) -> pd.DataFrame:
    """One row per scenario and outcome as a planner reads it: the base mean, the difference
    and its interval, each with the unit, and whether the interval excludes 0."""
    rows = comparison[comparison["outcome"].isin(outcomes)].copy()
    rows["order"] = rows["outcome"].map({o: i for i, o in enumerate(outcomes)})
    rows = rows.sort_values(["scenario", "order"], kind="stable")
    level = rows["level"].iloc[0] if len(rows) else 0.9
    per_day = rows["per_day"].astype(bool) if "per_day" in rows else False
    return pd.DataFrame({
        "scenario": [label(s) for s in rows["scenario"]],
        "outcome": [label(o) for o in rows["outcome"]],
        "unit": rows["unit"].fillna("") + pd.Series(per_day, index=rows.index).map(
            {True: " per day", False: ""}),
        "base mean": rows["base_mean"].map(figure_number),
        "difference": rows["difference"].map(lambda v: figure_number(v, signed=True)),
        f"{level:.0%} interval": [f"{figure_number(lo, signed=True)} to "
                                  f"{figure_number(hi, signed=True)}"
                                  for lo, hi in zip(rows["ci_low"], rows["ci_high"],
                                                    strict=True)],
        "% of base": [f"{100 * v:+.1f}%" if pd.notna(v) else "–"
                      for v in rows["relative_difference"]],
        "clear": (rows["ci_low"] > 0) | (rows["ci_high"] < 0),
    }).reset_index(drop=True)


def sentence(comparison: pd.DataFrame, scenario: str,
             outcomes: Sequence[str] = MAIN_OUTCOMES) -> str:
    """What one scenario changes against the base: the outcomes whose interval excludes 0,
    each with its difference, interval and unit, then those it cannot be told apart on."""
    rows = comparison[(comparison["scenario"] == scenario)
                      & comparison["outcome"].isin(outcomes)].set_index("outcome")
    rows = rows.reindex([o for o in outcomes if o in rows.index])
    if rows.empty:
        return f"{label(scenario)}: no outcome to report."
    first = rows.iloc[0]
    level, per_day = first["level"], bool(first.get("per_day", False))
    clear, unclear = [], []
    for outcome, row in rows.iterrows():
        unit = row["unit"] + (" per day" if per_day else "")
        if row["ci_low"] > 0 or row["ci_high"] < 0:
            change = with_interval(row["difference"], row["ci_low"], row["ci_high"], unit)
            clear.append(f"{label(outcome)} {change}")
        else:
            unclear.append(label(outcome))
    base = label(first["base"])
    text = (f"{label(scenario).capitalize()} against the {base}"
            f"{' (compared per day)' if per_day else ''}, {int(first['n'])} paired replicates, "
            f"{level:.0%} intervals: ")
    text += "; ".join(clear) if clear else "no outcome differs clearly"
    if unclear:
        text += (f". Not told apart from the {base} at this replicate count: "
                 f"{', '.join(unclear)}")
    return text + "."


def findings(comparison: pd.DataFrame, outcomes: Sequence[str] = MAIN_OUTCOMES) -> list[str]:
    """One `sentence` per scenario of the table, in the table's order."""
    return [sentence(comparison, s, outcomes) for s in dict.fromkeys(comparison["scenario"])]
