"""Comparing scenarios: the paired difference of every outcome against a base scenario.

Scenarios run with the same seed see the same traffic and criminals in replicate k (common
random numbers), so the difference is taken replicate by replicate; its interval is then much
narrower than if the two runs were independent, and the table says by how much.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.outcomes import OUTCOME_NAMES, OUTCOMES
from sim.results import Results, load, paired_difference, unpaired_difference, write_csv

COMPARISON = "comparison.csv"


def is_paired(base: Results, other: Results) -> bool:
    """Paired when the replicates both runs have were run with the same seeds."""
    seeds = pd.concat({"base": base.summary.set_index("replicate")["seed"],
                       "other": other.summary.set_index("replicate")["seed"]},
                      axis=1, join="inner")
    return not seeds.empty and bool((seeds["base"] == seeds["other"]).all())


def compare(base: Results, others: list[Results]) -> pd.DataFrame:
    """One row per other scenario and outcome: both means and the difference (other − base)
    with its 5–95% interval over replicates and the 90% interval of its mean.

    `paired_width_ratio` is the width of the paired interval of the mean difference divided by
    the width the same data give when treated as independent samples (below 1: pairing helps).
    """
    units = {o.name: o.unit for o in OUTCOMES}
    rows = []
    base_values = base.summary.set_index("replicate")
    for other in others:
        paired = is_paired(base, other)
        other_values = other.summary.set_index("replicate")
        for outcome in OUTCOME_NAMES:
            a, b = base_values[outcome], other_values[outcome]
            unpaired = unpaired_difference(a, b)
            difference = paired_difference(a, b) if paired else unpaired
            unpaired_width = unpaired.mean_ci_high - unpaired.mean_ci_low
            paired_width = difference.mean_ci_high - difference.mean_ci_low
            rows.append({
                "base": base.scenario_name, "scenario": other.scenario_name,
                "outcome": outcome, "unit": units[outcome], "paired": paired,
                "replicates": difference.replicates, "base_mean": float(a.mean()),
                "scenario_mean": float(b.mean()), "difference_mean": difference.mean,
                "difference_p5": difference.p5, "difference_p95": difference.p95,
                "difference_ci_low": difference.mean_ci_low,
                "difference_ci_high": difference.mean_ci_high,
                "paired_width_ratio": (paired_width / unpaired_width if unpaired_width > 0
                                       else float("nan")),
            })
    return pd.DataFrame(rows)


def compare_results(base_dir: str | Path, other_dirs: list[str | Path],
                    out: str | Path | None = None) -> pd.DataFrame:
    """Compare results folders against a base folder; with `out`, write comparison.csv there."""
    table = compare(load(base_dir), [load(d) for d in other_dirs])
    if out is not None:
        Path(out).mkdir(parents=True, exist_ok=True)
        write_csv(table, Path(out) / COMPARISON)
    return table
