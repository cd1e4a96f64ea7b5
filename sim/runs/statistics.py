"""The one shared reducer: what we say about an outcome over replicates, and about the difference
between two scenarios. `reduce` and `paired_difference` are the only statistics the CLI report,
the comparison, the figures and the notebooks use, so a number means the same thing everywhere.
Imports numpy, pandas and (on first use) scipy; nothing of `sim` but the outcome table.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from sim.model.outcomes import HARM_OUTCOMES, OUTCOME_NAMES, OUTCOMES

INTERVAL = 0.90  # central interval: 5th to 95th percentile, and the 90% confidence of a mean


@dataclass(frozen=True)
class Reduction:
    """What we say about one outcome over replicates (or over paired differences).

    `p5`–`p95` is where 90% of replicates fall (the spread a planner should expect in one week);
    `mean_ci_low`–`mean_ci_high` is the 90% confidence interval of the mean (Student t), which
    narrows as replicates are added.
    """

    replicates: int
    mean: float
    median: float
    p5: float
    p95: float
    mean_ci_low: float
    mean_ci_high: float


def reduce(values: pd.Series | np.ndarray | list[float], *, level: float = INTERVAL
           ) -> Reduction:
    """Mean, median, 5–95% interval and 90% confidence interval of the mean (NaNs dropped);
    `level` changes the confidence of the mean's interval, not the 5–95% spread."""
    array = np.asarray(values, dtype=float)
    array = array[~np.isnan(array)]
    n = len(array)
    if n == 0:
        return Reduction(0, *([math.nan] * 6))
    mean = float(array.mean())
    half = (_half_width(float(array.std(ddof=1)) / math.sqrt(n), n - 1, level) if n > 1
            else math.nan)
    p5, p95 = np.percentile(array, [5, 95])
    return Reduction(n, mean, float(np.median(array)), float(p5), float(p95), mean - half,
                     mean + half)


def _half_width(standard_error: float, dof: float, level: float = INTERVAL) -> float:
    from scipy import stats  # imported here: scipy.stats takes a second to import

    return float(stats.t.ppf(0.5 + level / 2, dof)) * standard_error if standard_error else 0.0


def paired_difference(base: pd.Series, other: pd.Series, *, level: float = INTERVAL
                      ) -> Reduction:
    """`other − base` replicate by replicate (both indexed by replicate, run with the same seeds):
    the effect of a change when both scenarios saw the same traffic and the same criminals."""
    joined = pd.concat({"base": base, "other": other}, axis=1, join="inner")
    if joined.empty:
        raise ValueError("no replicate in common: a paired difference needs the same replicates")
    return reduce(joined["other"] - joined["base"], level=level)


def unpaired_difference(base: pd.Series, other: pd.Series, *, level: float = INTERVAL
                        ) -> Reduction:
    """`mean(other) − mean(base)` as if the samples were independent (Welch interval); kept to
    measure how much pairing narrows the interval. Percentiles are undefined here: NaN."""
    a, b = np.asarray(base, dtype=float), np.asarray(other, dtype=float)
    n, mean = min(len(a), len(b)), float(b.mean() - a.mean())
    if n < 2:
        return Reduction(n, mean, *([math.nan] * 5))
    var_a, var_b = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    dof = ((var_a + var_b) ** 2 / (var_a**2 / (len(a) - 1) + var_b**2 / (len(b) - 1))
           if var_a + var_b > 0 else 1.0)
    half = _half_width(math.sqrt(var_a + var_b), dof, level)
    return Reduction(n, mean, math.nan, math.nan, math.nan, mean - half, mean + half)


def differences_by(base: pd.Series, other: pd.Series, *, paired: bool,
                   level: float = INTERVAL) -> pd.DataFrame:
    """`paired_difference` (or, when the runs' seeds differ, `unpaired_difference`) of one
    measure for every group: `base` and `other` are indexed by replicate and the group's keys
    (place, day, vehicle class ...), the replicate level first. One row per group with its
    keys, `base_mean`, `mean`, `difference`, `ci_low`, `ci_high` and `n` (replicates the
    difference rests on: paired, those both runs have, and both means are over them)."""
    keys = list(base.index.names[1:])
    replicate = base.index.names[0]
    if paired:
        shared = base.index.get_level_values(0).unique().intersection(
            other.index.get_level_values(0).unique())
        base = base[base.index.get_level_values(0).isin(shared)]
        other = other[other.index.get_level_values(0).isin(shared)]
    groups_of = {"base": _groups(base, keys, replicate), "other": _groups(other, keys, replicate)}
    rows = []
    for key in sorted(set(groups_of["base"]) | set(groups_of["other"]), key=str):
        before = groups_of["base"].get(key, pd.Series(dtype=float))
        after = groups_of["other"].get(key, pd.Series(dtype=float))
        if before.empty or after.empty:
            continue
        reduction = (paired_difference(before, after, level=level) if paired
                     else unpaired_difference(before, after, level=level))
        rows.append({**dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True)),
                     "base_mean": float(before.mean()), "mean": float(after.mean()),
                     "difference": reduction.mean, "ci_low": reduction.mean_ci_low,
                     "ci_high": reduction.mean_ci_high, "n": reduction.replicates})
    return pd.DataFrame(rows, columns=[*keys, "base_mean", "mean", "difference", "ci_low",
                                       "ci_high", "n"])


def _groups(values: pd.Series, keys: list[str], replicate: str) -> dict:
    """The series of each group, indexed by replicate alone."""
    if not keys:
        return {(): values}
    grouped = values.groupby(level=keys if len(keys) > 1 else keys[0], sort=False)
    return {key: group.droplevel(keys).rename_axis(replicate) for key, group in grouped}


def describe(summary: pd.DataFrame, outcomes: tuple[str, ...] = OUTCOME_NAMES) -> pd.DataFrame:
    """One row per outcome: its unit and the `Reduction` of its replicate values."""
    units = {o.name: o.unit for o in (*OUTCOMES, *HARM_OUTCOMES)}
    rows = [{"outcome": name, "unit": units.get(name, ""), **asdict(reduce(summary[name]))}
            for name in outcomes if name in summary]
    return pd.DataFrame(rows).set_index("outcome")


def number(value: float) -> str:
    """A number as a planner reads it: thousands separated, decimals only where they matter."""
    if pd.isna(value):
        return "–"
    if abs(value) < 1e-9:  # rounding error of a difference of equal means (1.14e-13) is 0
        value = 0.0
    if abs(value) >= 100:
        return f"{value:,.0f}"
    text = f"{value:,.1f}" if abs(value) >= 1 or value == 0 else f"{value:.3g}"
    return f"{value:.4f}" if "e" in text else text  # below 0.0001: no exponent
