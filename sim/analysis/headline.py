"""The headline of a comparison as a planner reads it: the main outcomes with plain labels, units,
differences and intervals (`table`, also `sim.findings_table`), and what each scenario changes
in one sentence (`sentence`, `findings`). Built from a comparison table (`sim.compare` or a
comparison.csv) alone, with pandas: `sim compare` prints it, and the table `sim.compare`
returns shows it as its `repr`.

The headline leads with the harm index, then each crime area by the outcome it is counted in
(`sim.analysis.harm.AREA_OUTCOMES`), then arrests, detections, cases, displacement and waiting;
a change that gains in one crime area and loses in another says so in words (`trade_off`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.analysis.harm import AREA_OUTCOMES
from sim.analysis.harm import trade_off as trade_off_words
from sim.analysis.style import figure_number, label, with_interval

MAIN_OUTCOMES = ("harm_index", *AREA_OUTCOMES.values(), "arrests_total",
                 "illegal_entries_detected", "cases_opened", "movements_displaced",
                 "mean_wait_minutes")
MIN_DRAWS = 20  # below this a share of draws agreeing in sign moves by 5 points or more a draw


def over_draws(rows: pd.DataFrame) -> bool:
    """Rows of runs over posterior draws or ensemble members: their interval is the spread of
    the draws (members)."""
    return bool(len(rows)) and "method" in rows and bool(
        rows["method"].isin(("posterior", "ensemble")).all())


def interval_heading(rows: pd.DataFrame) -> str:
    """What the interval columns hold: '90% interval' (of the mean difference, over
    replicates) or 'central 90% of draws' (the spread of the posterior draws' differences)."""
    level = rows["level"].iloc[0] if len(rows) else 0.9
    return f"central {level:.0%} of draws" if over_draws(rows) else f"{level:.0%} interval"


def robustness_text(value: float, draws: int) -> str:
    """'100% of 4 draws': the share of draws agreeing in sign, and how many there are."""
    share = "–" if pd.isna(value) else f"{value:.0%}"
    return f"{share} of {draws} draws"


def table(comparison: pd.DataFrame, outcomes: Sequence[str] = MAIN_OUTCOMES) -> pd.DataFrame:
    """One row per scenario and outcome as a planner reads it: the base mean, the difference
    and its interval, the unit, the difference as % of the base mean and whether the interval
    excludes 0 (`clear`). Over posterior draws the interval is the central share of the draws'
    differences (so headed) and `robust` the share of draws agreeing in sign."""
    rows = comparison[comparison["outcome"].isin(outcomes)].copy()
    rows["order"] = rows["outcome"].map({o: i for i, o in enumerate(outcomes)})
    rows = rows.sort_values(["scenario", "order"], kind="stable")
    per_day = (rows["per_day"].astype(bool) if "per_day" in rows
               else pd.Series(False, index=rows.index))
    readable = pd.DataFrame({
        "scenario": [label(s) for s in rows["scenario"]],
        "outcome": [label(o) for o in rows["outcome"]],
        "unit": rows["unit"].fillna("") + per_day.map({True: " per day", False: ""}),
        "base mean": rows["base_mean"].map(figure_number),
        "difference": rows["difference"].map(lambda v: figure_number(v, signed=True)),
        interval_heading(rows): [f"{figure_number(lo, signed=True)} to "
                                 f"{figure_number(hi, signed=True)}"
                                 for lo, hi in zip(rows["ci_low"], rows["ci_high"],
                                                   strict=True)],
        "% of base": [f"{100 * v:+.1f}%" if pd.notna(v) else "–"
                      for v in rows["relative_difference"]],
        "clear": (rows["ci_low"] > 0) | (rows["ci_high"] < 0),
    })
    if over_draws(rows):
        readable["robust"] = [robustness_text(v, int(d))
                              for v, d in zip(rows["robustness"], rows["draws"], strict=True)]
    return readable.reset_index(drop=True)


def resting_on(rows: pd.DataFrame) -> str:
    """What one scenario's differences rest on: '10 paired replicates, 90% intervals'."""
    first = rows.iloc[0]
    level = f"{first['level']:.0%}"
    if over_draws(rows):
        what = "ensemble members" if first["method"] == "ensemble" else "posterior draws"
        return (f"{int(first['draws'])} {what}, the central {level} of their "
                "differences")
    if bool(first["paired"]):
        return f"{int(first['n'])} paired replicates, {level} intervals"
    return f"{int(first['n'])} replicates, unpaired (seeds differ), {level} intervals"


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
    per_day = bool(first.get("per_day", False))
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
            f"{' (compared per day)' if per_day else ''}, {resting_on(rows.reset_index())}: ")
    text += "; ".join(clear) if clear else "no outcome differs clearly"
    if unclear:
        counted = "draw count" if over_draws(rows) else "replicate count"
        text += (f". Not told apart from the {base} at this {counted}: "
                 f"{', '.join(unclear)}")
    traded = trade_off(comparison, scenario)
    return text + "." + (f" It trades one crime area for another: {traded}." if traded else "")


def trade_off(comparison: pd.DataFrame, scenario: str) -> str | None:
    """In words, when the scenario clearly gains in one crime area and clearly loses in another
    (each area by its outcome in `AREA_OUTCOMES`, an interval that excludes 0): "more migrants
    stopped, fewer drugs seized"; None otherwise."""
    rows = comparison[(comparison["scenario"] == scenario)
                      & comparison["outcome"].isin(AREA_OUTCOMES.values())]
    return trade_off_words({row.outcome: (row.ci_low, row.ci_high)
                            for row in rows.itertuples()})


def short_finding(comparison: pd.DataFrame, scenario: str,
                  outcomes: Sequence[str] = MAIN_OUTCOMES) -> str:
    """One line: the outcomes whose interval excludes 0, each with its difference and % of the
    base, then how many cannot be told apart (the table beside it has the intervals)."""
    rows = comparison[(comparison["scenario"] == scenario)
                      & comparison["outcome"].isin(outcomes)].set_index("outcome")
    rows = rows.reindex([o for o in outcomes if o in rows.index])
    if rows.empty:
        return "Finding: no outcome to report."
    clear = rows[(rows["ci_low"] > 0) | (rows["ci_high"] < 0)]
    changes = [f"{label(outcome)} {figure_number(row['difference'], signed=True)}"
               + (f" ({100 * row['relative_difference']:+.1f}%)"
                  if pd.notna(row["relative_difference"]) else "")
               for outcome, row in clear.iterrows()]
    counted = "draw" if over_draws(rows) else "replicate"
    within = len(rows) - len(clear)
    text = ("Finding: " + ("; ".join(changes) if changes else "no headline outcome changes "
                           "clearly"))
    if changes and within:
        text += (f"; the other {within} within noise at this {counted} count")
    elif not changes:
        text += f" at this {counted} count"
    traded = trade_off(comparison, scenario)
    return text + "." + (f" A trade between crime areas: {traded}." if traded else "")


def weights_line(comparison: pd.DataFrame) -> str | None:
    """Which harm weights the table's harm rows were computed with (None: no harm rows)."""
    if "harm_weights" not in comparison:
        return None
    named = [w for w in dict.fromkeys(comparison["harm_weights"].dropna()) if w]
    return f"Harm index: weights {'; '.join(named)}." if named else None


def findings(comparison: pd.DataFrame, outcomes: Sequence[str] = MAIN_OUTCOMES) -> list[str]:
    """One `sentence` per scenario of the table, in the table's order."""
    return [sentence(comparison, s, outcomes) for s in dict.fromkeys(comparison["scenario"])]


def as_text(comparison: pd.DataFrame, outcomes: Sequence[str] = MAIN_OUTCOMES) -> str:
    """A comparison as plain text: per scenario, its headline table and its sentence, and how
    to see the rest (the `repr` of what `sim.compare` returns)."""
    if comparison.empty:
        return "An empty comparison (no scenario or no outcome)."
    readable = table(comparison, outcomes)
    base = label(str(comparison["base"].iloc[0]))
    scenarios = comparison["scenario"].nunique()
    parts = [f"Comparison with the {base}: {scenarios} scenario{'s' * (scenarios != 1)} × "
             f"{comparison['outcome'].nunique()} outcomes; the headline outcomes:"]
    for scenario in dict.fromkeys(comparison["scenario"]):
        rows = readable[readable["scenario"] == label(scenario)].drop(columns="scenario")
        parts += ["", label(scenario).capitalize(),
                  rows.to_string(index=False) if len(rows) else "(none of the headline "
                  "outcomes)", sentence(comparison, scenario, outcomes)]
    weights = weights_line(comparison)
    parts += ["", weights] if weights else []
    parts += ["", "Every outcome and column (comparison.csv's, docs/analysis.md): "
              "comparison.to_csv(FILE), or pd.DataFrame(comparison) after "
              "pd.set_option('display.max_columns', None); other outcomes as here: "
              "sim.findings_table(comparison, outcomes=[...])."]
    return "\n".join(parts)


def as_html(comparison: pd.DataFrame, outcomes: Sequence[str] = MAIN_OUTCOMES) -> str:
    """`as_text` for a notebook: the headline table and the sentences, then how to see the
    rest."""
    import html

    if comparison.empty:
        return "<p>An empty comparison (no scenario or no outcome).</p>"
    sentences = "".join(f"<li>{html.escape(text)}</li>" for text in findings(comparison,
                                                                               outcomes))
    weights = weights_line(comparison)
    return (table(comparison, outcomes).to_html(index=False) + f"<ul>{sentences}</ul>"
            + (f"<p>{html.escape(weights)}</p>" if weights else "")
            + "<p><small>Every outcome and column (comparison.csv's, docs/analysis.md): "
            "<code>comparison.to_csv(FILE)</code>, or <code>pd.DataFrame(comparison)</code> "
            "after <code>pd.set_option('display.max_columns', None)</code>; other outcomes as "
            "here: <code>sim.findings_table(comparison, outcomes=[...])</code>.</small></p>")
