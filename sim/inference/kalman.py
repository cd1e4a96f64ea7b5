"""The forecast of the remaining days, conditioned on the reports: an ensemble Kalman update of
every run's days after the reports.

Each run of the ensemble (member m, replicate r) is a whole week: its first k days s_i (the
reported quantities, summed over their days) and its later days x_i. The runs are a sample of
the joint distribution of (s, x) before the action, over everything we do not know — the
members' assumptions and the luck of the week (which networks were hit early, which premises
already searched). The ensemble Kalman filter moves every run's later days by what its first
days missed (Evensen 1994, *JGR* 99:10143; with perturbed observations, Burgers, van Leeuwen &
Evensen 1998, *MWR* 126:1719):

    x_i' = x_i + K (y + ε_i − s_i),   K = C_xs (C_ss + R)⁻¹,   ε_i ~ N(0, R)

with C the covariances over the runs, y the reports and R their error: the reporting error and
the model discrepancy of `sim.inference.likelihood`, as shares of the figure. It works in the
logarithm (log(1 + value)): errors are shares of the figure there, and a moved run stays
positive. Why this and not the importance weights alone: it conditions a run's continuation on
its own first days, so the state the reports reveal carries over (a week whose first days were
lucky is not read as a week of more crime), and with every run moved rather than reweighted no
ensemble of a hundred members collapses onto a few. It assumes that what the later days owe to
the first is linear in the logarithm (a Gaussian approximation, exact for none of these counts).

**Localisation.** A run's later figure of an outcome is moved by the reports that bear on it:
those of its crime area (`AREAS`: migrants, drugs, firearms, trafficking in human beings,
high-risk networks), of the checks for the checks, of every area for what adds them up
(arrests, movements intercepted), and all of them for anything else. With a hundred members,
the covariance of a firearms count with a cocaine report is mostly noise; leaving it out is the
localisation of ensemble data assimilation (Houtekamer & Mitchell 1998, *MWR* 126:796).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

AREAS: dict[str, tuple[str, ...]] = {
    "checks": ("checks_persons", "checks_vehicles", "checks_parcels", "checks_premises",
               "checks_total"),
    "migrant_smuggling": ("illegal_entries_detected", "arrests_migrant_smuggling",
                          "forged_documents"),
    "drug_trafficking": ("arrests_drug_trafficking", "cocaine_kg", "heroin_kg", "cannabis_kg",
                         "synthetic_kg", "drugs_kg_total", "other_drugs_kg"),
    "firearms_trafficking": ("arrests_firearms_trafficking", "weapons_seized",
                             "ammunition_seized", "online_targets_examined"),
    "thb": ("arrests_thb", "victims_identified"),
    "high_risk_networks": ("arrests_other",),
}
ACROSS_AREAS = ("arrests_total", "movements_intercepted")


def bearing(outcome: str, reported: Sequence[str]) -> list[int]:
    """The positions in `reported` (outcome names of the reported quantities) of the reports
    that move `outcome`'s forecast (the localisation above): its own, its area's."""
    for members in AREAS.values():
        if outcome in members:
            return [i for i, name in enumerate(reported) if name in members]
    if outcome in ACROSS_AREAS:
        crime = {name for area, members in AREAS.items() if area != "checks"
                 for name in members} | set(ACROSS_AREAS)
        return [i for i, name in enumerate(reported) if name in crime]
    return list(range(len(reported)))


SHRINK = True


def shrinkage(x: np.ndarray, s: np.ndarray, c_ss: np.ndarray, c_xs: np.ndarray) -> float:
    """The heuristic shrinkage factor of a regression fitted and used on the same runs (Copas
    1983; van Houwelingen & le Cessie 1990): 1 − p / χ², with χ² = (n − p − 1) R² / (1 − R²) the
    model's likelihood-ratio statistic of p reports over n runs; 0 when the reports explain no
    more of x than chance would."""
    count, p = s.shape
    if count <= p + 1:
        return 0.0
    explained = float(c_xs @ np.linalg.lstsq(c_ss, c_xs, rcond=None)[0])
    r2 = min(explained / max(float(np.var(x, ddof=1)), 1e-12), 0.999999)
    chi2 = (count - p - 1) * r2 / (1.0 - r2)
    return max(0.0, 1.0 - p / chi2) if chi2 > 0 else 0.0


def _log(values: np.ndarray) -> np.ndarray:
    return np.log1p(np.maximum(values, 0.0))


def kalman_update(totals: pd.DataFrame, sums: pd.DataFrame, observed: pd.Series, *,
                  error: float, seed: int = 0) -> pd.DataFrame:
    """The runs' `totals` (index member, replicate; a column per outcome: their figures over
    some days after the reports), each moved by the ensemble Kalman update towards the
    reports. `sums` are the same runs' reported quantities (columns as `observed`'s index),
    `error` the relative error of a report (reporting error and discrepancy together, a share
    of the figure); `seed` seeds the perturbed observations (the same for every period, so
    that one run is moved by one draw of the reports' error)."""
    sums = sums.reindex(totals.index)
    s = _log(sums.to_numpy(dtype=float))
    y = _log(observed.to_numpy(dtype=float))
    level = observed.to_numpy(dtype=float)
    variance = (error * level / (1.0 + level)) ** 2 + 1e-9  # a share of the figure, in the log
    rng = np.random.default_rng([seed, 1998])
    misses = y + rng.standard_normal(s.shape) * np.sqrt(variance) - s  # y + ε_i − s_i
    centred = s - s.mean(axis=0)
    count = len(s)
    reported = [outcome for outcome, _ in observed.index]
    moved = totals.copy()
    for outcome in totals.columns:
        use = bearing(outcome, reported)
        x = _log(totals[outcome].to_numpy(dtype=float))
        if not use or count < 3 or np.allclose(x, x[0]):
            continue
        c_ss = centred[:, use].T @ centred[:, use] / (count - 1)
        c_xs = (x - x.mean()) @ centred[:, use] / (count - 1)
        gain = np.linalg.solve(c_ss + np.diag(variance[use]), c_xs)
        gain *= shrinkage(x, centred[:, use], c_ss, c_xs) if SHRINK else 1.0
        moved[outcome] = np.maximum(np.expm1(x + misses[:, use] @ gain), 0.0)
    return moved
