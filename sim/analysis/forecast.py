"""Forecasts as weighted samples: quantiles, predictive intervals, the continuous ranked
probability score, and the forecast table and figure of `sim assimilate`.

A forecast of an outcome over some days is a set of simulated values (one per run of an
ensemble member) with weights (the member's weight shared by its replicates): a mixture of the
members' distributions. Its predictive interval is the weighted 5–95% of the values; its score
against what happened is the CRPS, E|X − y| − ½ E|X − X′| (Gneiting & Raftery 2007, *JASA*
102:359–378), which rewards a forecast for being both near the truth and no wider than it must
be, in the outcome's own unit (lower is better; for a single value it is the absolute error).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.runs.statistics import INTERVAL

LOW, HIGH = (1 - INTERVAL) / 2, 1 - (1 - INTERVAL) / 2  # 0.05 and 0.95
COPIES = 16  # values per simulated value when a discrepancy spreads it


def _normalised(values: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray(values, dtype=float)
    weights = (np.full(len(values), 1.0) if weights is None
               else np.asarray(weights, dtype=float))
    if len(values) == 0 or len(values) != len(weights) or weights.sum() <= 0:
        raise ValueError("a forecast needs values with weights of the same length, some > 0")
    order = np.argsort(values, kind="stable")
    return values[order], weights[order] / weights.sum()


def weighted_quantile(values: Sequence[float] | np.ndarray, weights: Any,
                      q: float | Sequence[float]) -> np.ndarray:
    """Quantiles of weighted samples: the inverse of the weighted empirical distribution with
    each sample at the middle of its weight (equal weights: numpy's "hazen" quantiles)."""
    x, w = _normalised(values, weights)
    middle = np.cumsum(w) - w / 2
    return np.interp(np.atleast_1d(q), middle, x)


def crps(values: Sequence[float] | np.ndarray, weights: Any, truth: float) -> float:
    """The CRPS of weighted samples against the value that happened, exactly:
    Σ w_i |x_i − y| − ½ Σ_i Σ_j w_i w_j |x_i − x_j| (sorted, in O(n log n))."""
    x, w = _normalised(values, weights)
    before = np.cumsum(w) - w  # weight below each sample
    spread = 2.0 * np.sum(w * x * (2.0 * before + w - 1.0))  # Σ_i Σ_j w_i w_j |x_i − x_j|
    return float(np.sum(w * np.abs(x - truth)) - 0.5 * spread)


def with_discrepancy(values: Any, weights: Any, share: float, copies: int = COPIES
                     ) -> tuple[np.ndarray, np.ndarray]:
    """The samples of what will happen, not of what the model will say: each simulated value x
    spread into `copies` values x·(1 + share·z_k) at the normal quantiles z_k = Φ⁻¹((k + ½) /
    copies), sharing its weight — a model discrepancy with standard deviation `share` of the
    value, as the likelihood allows for (`sim.inference.likelihood`). No spread when share is
    0."""
    values = np.asarray(values, dtype=float)
    weights = (np.full(len(values), 1.0) if weights is None
               else np.asarray(weights, dtype=float))
    if share <= 0:
        return values, weights
    from scipy.stats import norm

    z = norm.ppf((np.arange(copies) + 0.5) / copies)
    spread = values[:, None] * (1.0 + share * z[None, :])
    return spread.ravel(), np.repeat(weights / copies, copies)


def summary(values: Any, weights: Any) -> dict[str, float]:
    """Mean, median and the 90% predictive interval of weighted samples."""
    x, w = _normalised(values, weights)
    low, median, high = weighted_quantile(x, w, [LOW, 0.5, HIGH])
    return {"mean": float(np.sum(w * x)), "p5": float(low), "median": float(median),
            "p95": float(high)}


def totals(runs: pd.DataFrame, outcomes: Sequence[str], days: Sequence[int],
           country: str = "") -> pd.DataFrame:
    """Per run (`member`, `replicate`) the sum over `days` of each outcome for `country` (""
    the whole operation), from a table of run × day × country rows (`sim.inference
    .assimilation`'s member days)."""
    chosen = runs[runs["day"].isin(list(days)) & (runs["country"] == country)]
    return chosen.groupby(["member", "replicate"], sort=True)[list(outcomes)].sum()


def sample_weights(index: pd.MultiIndex, member_weights: pd.Series) -> np.ndarray:
    """Each run's weight: its member's, shared equally by the member's replicates."""
    members = index.get_level_values("member")
    counts = pd.Series(members).value_counts()
    return np.array([member_weights.get(m, 0.0) / counts[m] for m in members])


Samples = dict[str, tuple[pd.DataFrame, np.ndarray]]  # period -> (runs x outcomes, weights)


def period_samples(runs: pd.DataFrame, weights: pd.Series, outcomes: Sequence[str],
                   periods: dict[str, Sequence[int]]) -> Samples:
    """A forecast as samples by period: each run's total over the period's days, with its
    weight (its member's, shared by its replicates)."""
    samples = {}
    for period, days in periods.items():
        table = totals(runs, outcomes, days)
        samples[period] = (table, sample_weights(table.index, weights))
    return samples


def forecast_table(forecasts: dict[str, Samples], outcomes: Sequence[str],
                   periods: dict[str, Sequence[int]], reported: pd.Series | None = None,
                   discrepancy: float = 0.0) -> pd.DataFrame:
    """One row per outcome × period (a name and its days: "days 3-6" and each day): for each
    forecast (name -> its samples by period) its mean, median and 90% predictive interval
    (each value spread by the model `discrepancy`, `with_discrepancy`), beside what was
    reported in that period (when given, as a Series indexed by (outcome, day))."""
    rows = []
    for period, days in periods.items():
        for outcome in outcomes:
            row: dict[str, Any] = {"outcome": outcome, "period": period,
                                   "first_day": min(days), "last_day": max(days)}
            if reported is not None:
                held = [reported.get((outcome, day)) for day in days]
                row["reported"] = (float(sum(held)) if all(v is not None for v in held)
                                   else np.nan)
            for name, samples in forecasts.items():
                table, weights = samples[period]
                values = summary(*with_discrepancy(table[outcome], weights, discrepancy))
                row.update({f"{name}_{key}": value for key, value in values.items()})
            rows.append(row)
    return pd.DataFrame(rows)


NAMES = {"pre_action": "before the action (all members)",
         "updated": "updated with the reports"}
COLOURS = {"pre_action": "#999999", "updated": "#0072B2"}


def forecast_figure(forecasts: dict[str, Samples], outcomes: Sequence[str], days: int,
                    last_reported: int, reported: pd.Series | None = None, title: str = "",
                    discrepancy: float = 0.0) -> Any:
    """Per outcome a panel of the daily values over the action: each forecast's median and 90%
    predictive band on the days it has (samples by period "day d"), the days reported as
    points, the evening of the update as a dashed line."""
    from matplotlib.figure import Figure

    from sim.analysis.style import outcome_label

    columns = 3
    panels = len(outcomes)
    rows = max(1, -(-panels // columns))
    figure = Figure(figsize=(3.4 * columns, 2.5 * rows + 0.6), layout="constrained")
    axes = np.atleast_1d(figure.subplots(rows, columns)).ravel()
    for ax, outcome in zip(axes, outcomes, strict=False):
        for name, samples in forecasts.items():
            shown = [d for d in range(1, days + 1) if f"day {d}" in samples]
            bands = []
            for day in shown:
                table, weights = samples[f"day {day}"]
                bands.append(weighted_quantile(*with_discrepancy(
                    table[outcome], weights, discrepancy), [LOW, 0.5, HIGH]))
            if not bands:
                continue
            low, middle, high = np.array(bands).T
            colour = COLOURS.get(name, "#D55E00")
            ax.fill_between(shown, low, high, color=colour, alpha=0.25, lw=0)
            ax.plot(shown, middle, color=colour, lw=1.5, label=NAMES.get(name, name))
        if reported is not None:
            points = [(day, reported.get((outcome, day))) for day in range(1, days + 1)]
            points = [(d, v) for d, v in points if v is not None]
            if points:
                ax.plot(*zip(*points, strict=True), "o", color="#000000", ms=4,
                        label="reported")
        ax.axvline(last_reported + 0.5, color="#E69F00", lw=1, ls="--")
        ax.set_title(outcome_label(outcome), fontsize=9)
        ax.set_xticks(range(1, days + 1))
        ax.tick_params(labelsize=7)
    for ax in axes[panels:]:
        ax.set_visible(False)
    axes[0].legend(fontsize=6, loc="best")
    figure.suptitle(title or f"Forecast of days {last_reported + 1}–{days} "
                    f"(90% predictive bands; dashed: the evening of day {last_reported})",
                    fontsize=10)
    return figure
