"""What a search's report says per crime area and in the harm index, read from the fresh runs
of the out-of-sample re-evaluation (`out_of_sample_runs.csv`: one row per variant, allocation,
draw and seed, every outcome of the model), so that another weights file re-reads a finished
search without a run.

- `area_changes`: each chosen allocation's paired change from the baseline in the harm index
  and in every crime area (its outcome and its harm points), with its interval and as a share
  of the baseline, and whether the interval lies wholly below −5 % of the baseline.
- `harm_ranking`: the chosen allocations ranked by their paired harm change under several weight
  sets (the weights in use and the shipped three): whether the weights decide the choice.
- `rerank`: a finished search's folder ranked again under other weights; `harm_readings`
  both tables of a report, `area_markdown`, `ranking_markdown`, `area_section` and
  `area_sentence` their words in report.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from sim.analysis.harm import (
    AREA_OUTCOMES,
    HarmWeights,
    harm_changes,
    resolve_weights,
    shipped_weight_sets,
    trade_off,
    with_harm,
)
from sim.analysis.style import label
from sim.decisions.optimise_config import Optimisation
from sim.model.outcomes import AREA_LABELS, HARM_OUTCOMES, OUTCOMES
from sim.runs.statistics import INTERVAL, number, paired_difference

BASELINE = "baseline"  # the `allocation` of the baseline's rows in out_of_sample_runs.csv
RUNS = "out_of_sample_runs.csv"
KEYS = ("draw", "seed")
SHORTFALL = -0.05  # an area whose interval lies wholly below −5 % of the baseline is named
UNITS = {o.name: o.unit for o in (*OUTCOMES, *HARM_OUTCOMES)}
# The report's rows: the harm index, then each crime area by its outcome and its harm points.
AREA_ROWS: tuple[tuple[str, str], ...] = (
    ("all crime areas", "harm_index"),
    *((area, name) for area, outcome in AREA_OUTCOMES.items()
      for name in (outcome, f"harm_{area}")),
)


def area_name(area: str) -> str:
    return AREA_LABELS.get(area, area.replace("_", " "))


def runs_table(names: list[str], trials: list[int], tables: list[pd.DataFrame], variant: str
               ) -> pd.DataFrame:
    """The fresh runs of one variant as out_of_sample_runs.csv holds them: the baseline's
    (`tables[0]`) and each allocation's, labelled."""
    labelled = [tables[0].assign(variant=variant, allocation=BASELINE, trial=-1)]
    labelled += [table.assign(variant=variant, allocation=name, trial=int(trial))
                 for name, trial, table in zip(names, trials, tables[1:], strict=True)]
    table = pd.concat(labelled, ignore_index=True)
    first = ["variant", "allocation", "trial", *KEYS]
    return table[first + [c for c in table.columns if c not in first and c != "index"]]


def _paired(runs: pd.DataFrame, variant: str) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    rows = runs[runs["variant"] == variant]
    base = rows[rows["allocation"] == BASELINE].set_index(list(KEYS))
    others = {name: table.set_index(list(KEYS))
              for name, table in rows[rows["allocation"] != BASELINE].groupby(
                  "allocation", sort=False)}
    return base, others


def area_changes(runs: pd.DataFrame, weights: HarmWeights, level: float = INTERVAL
                 ) -> pd.DataFrame:
    """Per variant, allocation and row of `AREA_ROWS`: the baseline's mean, the allocation's,
    the paired difference with its interval, the difference as a share of the baseline's mean
    (`relative`) and `shortfall` (the interval wholly below −5 % of the baseline's mean)."""
    rows = []
    for variant in dict.fromkeys(runs["variant"]):
        base, others = _paired(with_harm(runs.reset_index(drop=True), weights), variant)
        for name, table in others.items():
            for area, outcome in AREA_ROWS:
                difference = paired_difference(base[outcome], table[outcome], level=level)
                base_mean = float(base[outcome].mean())
                relative = difference.mean / base_mean if base_mean else float("nan")
                rows.append({
                    "variant": variant, "allocation": name, "crime_area": area,
                    "outcome": outcome, "unit": UNITS.get(outcome, ""),
                    "baseline_mean": base_mean, "mean": float(table[outcome].mean()),
                    "difference": difference.mean, "ci_low": difference.mean_ci_low,
                    "ci_high": difference.mean_ci_high, "relative": relative,
                    "shortfall": bool(base_mean > 0
                                      and difference.mean_ci_high < SHORTFALL * base_mean),
                    "n": difference.replicates, "weights": weights.describe()})
    return pd.DataFrame(rows)


def ranking_weight_sets(weights: HarmWeights) -> dict[str, HarmWeights]:
    """The weights in use, then the shipped default and its two documented alternatives (a set
    with the same content as the one in use is not listed twice)."""
    sets = {weights.name: weights}
    for name, shipped in shipped_weight_sets().items():
        if shipped.sha256 != weights.sha256:
            sets[name if name not in sets else f"{name} (shipped)"] = shipped
    return sets


def harm_ranking(runs: pd.DataFrame, weight_sets: Mapping[str, HarmWeights | Mapping[str, float]],
                 variant: str | None = None, level: float = INTERVAL) -> pd.DataFrame:
    """The allocations of the fresh runs ranked by their paired change in the harm index from
    the baseline under each weight set: one row per allocation and weight set (`allocation`,
    `weights`, `harm_change`, `ci_low`, `ci_high`, `rank`; 1 stops the most harm). Computed
    from the runs alone: changing only the weights re-ranks them without a run."""
    variant = variant if variant is not None else str(runs["variant"].iloc[0])
    rows = runs[runs["variant"] == variant]
    base = rows[rows["allocation"] == BASELINE]
    others = {name: table for name, table in rows[rows["allocation"] != BASELINE].groupby(
        "allocation", sort=False)}
    table = harm_changes(base, others, weight_sets, keys=KEYS, level=level)
    return table.rename(columns={"label": "allocation"})


def rerank(folder: str | Path, harm: HarmWeights | str | Path | None = None) -> pd.DataFrame:
    """A finished search's allocations ranked again from its `out_of_sample_runs.csv`, under
    the weights `harm` and the shipped three: another weights file, no re-run."""
    runs = pd.read_csv(Path(folder) / RUNS)
    return harm_ranking(runs, ranking_weight_sets(resolve_weights(harm)))


# --- report.md -------------------------------------------------------------------------------

def _change(row: pd.Series) -> str:
    return (f"{_signed(row['difference'])} ({_signed(row['ci_low'])} to "
            f"{_signed(row['ci_high'])})")


def _signed(value: float) -> str:
    text = number(value)
    return text if text.startswith("-") or text in ("0", "0.0", "–") else f"+{text}"


def area_markdown(changes: pd.DataFrame, variant: str) -> list[str]:
    """The report's table of each allocation's change in the harm index and per crime area."""
    rows = changes[changes["variant"] == variant]
    if rows.empty:
        return ["(none)"]
    lines = [f"| allocation | crime area | outcome (unit) | baseline mean | difference "
             f"({INTERVAL:.0%} interval) | % of baseline | below −5 % |",
             "|---|---|---|---|---|---|---|"]
    for row in rows.itertuples():
        relative = "–" if pd.isna(row.relative) else f"{100 * row.relative:+.1f}%"
        lines.append(f"| {row.allocation} | {area_name(row.crime_area)} | {label(row.outcome)} "
                     f"({row.unit}) | {number(row.baseline_mean)} | "
                     f"{_change(pd.Series(row._asdict()))} | {relative} | "
                     f"{'yes' if row.shortfall else 'no'} |")
    return lines


def ranking_markdown(ranking: pd.DataFrame) -> list[str]:
    """Allocation × weight set: rank and paired harm change with its interval, then whether
    the weights decide the first choice."""
    if ranking.empty:
        return ["(none)"]
    sets = list(dict.fromkeys(ranking["weights"]))
    cells = ranking.set_index(["allocation", "weights"])
    lines = ["| allocation | " + " | ".join(sets) + " |", "|---|" + "---|" * len(sets)]
    for name in dict.fromkeys(ranking["allocation"]):
        lines.append(f"| {name} | " + " | ".join(
            f"rank {int(cells.loc[(name, w), 'rank'])}: {_change(_as_change(cells.loc[(name, w)]))}"
            for w in sets) + " |")
    firsts = {w: str(ranking[(ranking["weights"] == w) & (ranking["rank"] == 1)]
                     ["allocation"].iloc[0]) for w in sets}
    lines.append("")
    if len(set(firsts.values())) == 1:
        lines.append(f"`{firsts[sets[0]]}` stops the most harm under every weight set: the "
                     "choice does not hang on the weights.")
    else:
        lines.append("The weights decide the choice: " + "; ".join(
            f"{w} ranks `{name}` first" for w, name in firsts.items()) + ".")
    return lines


def _as_change(row: pd.Series) -> pd.Series:
    return pd.Series({"difference": row["harm_change"], "ci_low": row["ci_low"],
                      "ci_high": row["ci_high"]})


def area_sentence(changes: pd.DataFrame, variant: str, allocation: str) -> str:
    """Every crime area's change for one allocation, in a sentence, with the trade in words
    and the areas whose interval lies wholly below −5 % of the baseline."""
    rows = changes[(changes["variant"] == variant) & (changes["allocation"] == allocation)
                   & changes["outcome"].isin(AREA_OUTCOMES.values())]
    parts = [f"{area_name(row.crime_area)}: {label(row.outcome)} "
             f"{_change(pd.Series(row._asdict()))} {row.unit}" for row in rows.itertuples()]
    text = f"Per crime area, out of sample ({INTERVAL:.0%} intervals): " + "; ".join(parts) + "."
    traded = trade_off({row.outcome: (row.ci_low, row.ci_high) for row in rows.itertuples()})
    if traded:
        text += f" It trades one crime area for another: {traded}."
    short = rows[rows["shortfall"]]
    text += (" No crime area's interval lies wholly below −5 % of the baseline's." if
             short.empty else " Wholly below −5 % of the baseline's: "
             + ", ".join(label(o) for o in short["outcome"]) + ".")
    return text


def area_section(changes: pd.DataFrame | None, variant: str) -> list[str]:
    """The report's section of every allocation's change per crime area (none: no changes)."""
    if changes is None or changes.empty:
        return []
    return ["## Per crime area and in the harm index, out of sample", "",
            "Each allocation's paired change from the baseline in the harm index and in every "
            "crime area, by the outcome it is counted in and by the harm points booked to it "
            f"({INTERVAL:.0%} interval of the mean difference); `below −5 %`: the whole "
            "interval lies below −5 % of the baseline's mean. `by_area.csv` holds the table.",
            "", *area_markdown(changes, variant), ""]


def harm_readings(problem: Optimisation, runs: pd.DataFrame | None, variant: str
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """From the fresh runs: every allocation's change per crime area and in the harm index
    (`area_changes`), and the ranking under the weights in use and the shipped three."""
    if runs is None or runs.empty or not (runs["allocation"] != BASELINE).any():
        return pd.DataFrame(), pd.DataFrame()
    return (area_changes(runs, problem.weights),
            harm_ranking(runs, ranking_weight_sets(problem.weights), variant))
