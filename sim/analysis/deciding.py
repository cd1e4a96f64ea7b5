"""What decides an answer, and what knowing it would be worth.

Over the members of an ensemble (or the draws of a posterior) a comparison's paired difference
varies: each member holds other values of the assumptions nobody measured. Which assumption
explains that spread? For each assumption X_i, a smoother of the per-member difference Δ on X_i
estimates the conditional mean g_i(x) = E[Δ | X_i = x], and

- its **first-order share** S_i = Var(g_i(X_i)) / Var(Δ) is the share of the spread that X_i
  alone explains: the first-order Sobol index, estimated from the runs already made rather than
  from a design of its own ("given data", Plischke, Borgonovo & Smith 2013, "Global sensitivity
  measures from given data", European Journal of Operational Research 226(3):536–550, who bin
  X_i; a smoother replaces the bins here, as in the regression estimators of Strong, Oakley &
  Brennan 2014). Why this measure: it costs no extra runs, needs no particular design (the
  members are a Sobol sample crossed with posterior draws, not a Saltelli design), reads in the
  answer's own terms (a share of its variance), and an assumption that acts on nothing has
  g_i ≈ constant, so S_i ≈ 0 (a test checks that such a dummy ranks below a real one);
- the **range** of the answer over the assumption is the mean difference over the members in
  the lowest and in the highest fifth of X_i (a binned conditional mean at each end);
- the **expected value of partial perfect information** EVPPI_i = E[max(0, g_i(X_i))] −
  max(0, E[g_i(X_i)]) — what a planner who chooses between the two scenarios on this outcome
  would gain, on average and in the outcome's units, by learning X_i before choosing (Strong,
  Oakley & Brennan 2014, "Estimating multiparameter partial expected value of perfect
  information from a probabilistic sensitivity analysis sample: a nonparametric regression
  approach", Medical Decision Making 34(3):311–326). The choice is taken to maximise the
  outcome; for one to minimise the value is the same (for two options it does not depend on the
  direction).

The smoother is a cubic regression spline (B-splines with 0, 1 or 3 interior knots at
quantiles, or a straight line, chosen by generalised cross-validation): a one-variable stand-in
for the GAM of Strong et al., cheap enough for every assumption × outcome of a comparison over
hundreds of members. It is fitted on the ranks of X_i (scaled to [0, 1]), so that a log-range
assumption and its logarithm give the same answer, and S_i is its adjusted R² — the share of
variance explained less what its degrees of freedom would explain of pure noise — so an
assumption that acts on nothing gets S_i ≈ 0.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from sim.runs.results import Results
from sim.scenario.posterior import PROJECT, assumption_columns, read_posterior

END_SHARE = 0.2  # the "low" and "high" ends of an assumption: its lowest and highest fifth
MIN_MEMBERS = 8  # fewer members: no ranking
COLUMNS = ("outcome", "rank", "assumption", "first_order", "low_end", "high_end", "evppi",
           "flips", "members")


INTERIOR_KNOTS = (0, 1, 3)  # cubic regression splines tried (4, 5 and 7 degrees of freedom)


def smooth(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, int]:
    """The smoother's E[y | x] at every member and its degrees of freedom: a cubic regression
    spline on the ranks of x (scaled to [0, 1]) with 0, 1 or 3 interior knots at quantiles, or a
    straight line, whichever has the least generalised cross-validation score n·RSS/(n − df)²;
    a constant when x does not vary."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = len(y)
    ranks = pd.Series(x).rank(method="average").to_numpy()
    distinct = len(np.unique(ranks))
    if distinct < 2:
        return np.full_like(y, y.mean()), 1
    scaled = (ranks - ranks.min()) / (ranks.max() - ranks.min())
    bases = [np.column_stack([np.ones(n), scaled])]
    from scipy.interpolate import BSpline

    for knots in INTERIOR_KNOTS:
        if knots + 4 >= min(distinct, n - 1):
            break
        inner = list(np.quantile(scaled, np.linspace(0, 1, knots + 2)[1:-1]))
        t = np.r_[[0.0] * 4, inner, [1.0] * 4]
        bases.append(BSpline.design_matrix(scaled, t, 3).toarray())
    best: tuple[float, np.ndarray, int] | None = None
    for basis in bases:
        coefficients, *_ = np.linalg.lstsq(basis, y, rcond=None)
        fitted = basis @ coefficients
        df = basis.shape[1]
        score = n * float(np.sum((y - fitted) ** 2)) / (n - df) ** 2
        if best is None or score < best[0]:
            best = (score, fitted, df)
    return best[1], best[2]


def conditional_mean(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The smoother's E[y | x] at every member (`smooth`)."""
    return smooth(x, y)[0]


def first_order(x: np.ndarray, y: np.ndarray, fitted: np.ndarray | None = None,
                df: int | None = None) -> float:
    """S = Var(E[y | x]) / Var(y), as the smoother's adjusted R² (so that fitting noise with
    `df` degrees of freedom does not count as explaining it), clipped to [0, 1]; NaN when y does
    not vary."""
    y = np.asarray(y, dtype=float)
    n = len(y)
    total = float(np.sum((y - y.mean()) ** 2))
    if not total > 0:
        return math.nan
    if fitted is None or df is None:
        fitted, df = smooth(x, y)
    residual = float(np.sum((y - fitted) ** 2))
    adjusted = 1.0 - (residual / max(n - df, 1)) / (total / max(n - 1, 1))
    return float(min(max(adjusted, 0.0), 1.0))


def evppi(x: np.ndarray, difference: np.ndarray, fitted: np.ndarray | None = None) -> float:
    """Expected value of partial perfect information about x, for the choice between two
    options whose paired difference (other − base) is `difference` (one value per member), by
    regression on the members (Strong, Oakley & Brennan 2014): mean(max(0, g)) − max(0,
    mean(g)), g the smoother's E[difference | x]. In the difference's units; 0 when knowing x
    would never change the choice."""
    g = conditional_mean(x, difference) if fitted is None else fitted
    return float(max(np.mean(np.maximum(g, 0.0)) - max(float(np.mean(g)), 0.0), 0.0))


def evpi(difference: np.ndarray) -> float:
    """The value of knowing everything the members differ by (an upper bound: it counts the
    replicate noise left in each member's mean as if it could be known)."""
    d = np.asarray(difference, dtype=float)
    return float(max(np.mean(np.maximum(d, 0.0)) - max(float(np.mean(d)), 0.0), 0.0))


def ends(x: np.ndarray, y: np.ndarray, share: float = END_SHARE) -> tuple[float, float]:
    """The mean of y over the members at the low and at the high end of x (the `share` of them
    with the lowest and the highest values): the binned conditional mean at each end, read off
    the runs themselves, so a sign flip is one the members show, not one the smoother made."""
    order = np.argsort(np.asarray(x, dtype=float), kind="stable")
    y = np.asarray(y, dtype=float)
    k = max(1, round(share * len(order)))
    return float(np.mean(y[order[:k]])), float(np.mean(y[order[-k:]]))


def rank_assumptions(difference: pd.Series, assumptions: pd.DataFrame,
                     outcome: str = "") -> pd.DataFrame:
    """One row per assumption (`COLUMNS`), most deciding first: its first-order share of the
    spread of the per-member `difference`, the difference at its low and high ends, whether the
    two have opposite signs (`flips`: it can turn the answer round), and its EVPPI.
    `assumptions` holds one column per assumption, indexed like `difference` (by member). Empty
    with fewer than `MIN_MEMBERS` members or a difference that does not vary."""
    joined = assumptions.join(difference.rename("__difference__"), how="inner")
    y = joined.pop("__difference__").to_numpy(dtype=float)
    rows = []
    if len(y) < MIN_MEMBERS or not np.var(y) > 0:  # too few, or nothing to explain
        return pd.DataFrame(columns=list(COLUMNS))
    ceiling = evpi(y)  # knowing one assumption is worth no more than knowing everything
    for name in joined.columns:
        x = joined[name].to_numpy(dtype=float)
        if np.nanstd(x) == 0 or np.isnan(x).any():
            continue
        fitted, df = smooth(x, y)
        low, high = ends(x, y)
        rows.append({"outcome": outcome, "assumption": name,
                     "first_order": first_order(x, y, fitted, df), "low_end": low,
                     "high_end": high, "evppi": min(evppi(x, y, fitted), ceiling),
                     "flips": bool(low * high < 0), "members": len(y)})
    table = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "rank"])
    table = table.sort_values(["first_order", "assumption"], ascending=[False, True],
                              na_position="last").reset_index(drop=True)
    table.insert(1, "rank", range(1, len(table) + 1))
    return table


def readable(assumption: str) -> str:
    """`parameters.relay_probability_without_centre` → `relay probability without centre`."""
    name = assumption.split(":")[0].removeprefix("parameters.")
    scaled = assumption.endswith(":scale")
    return name.replace(".", " ").replace("_", " ") + (" (× default)" if scaled else "")


def sentence(row: pd.Series | dict, unit: str = "") -> str:
    """"depends chiefly on relay probability without centre: −18 to −48 cases over its range
    (57% of the spread across members)"."""
    unit = f" {unit}" if unit else ""
    return (f"depends chiefly on {readable(row['assumption'])}: {row['low_end']:+.3g} to "
            f"{row['high_end']:+.3g}{unit} over its range ({row['first_order']:.0%} of the "
            "spread across members" + ("; the sign flips" if row["flips"] else "") + ")")


# --- over runs: the members' values and the per-member differences ------------------------------

def member_assumptions(results: Results) -> pd.DataFrame | None:
    """One row per draw (or member) of a run over a posterior or an ensemble, one column per
    assumption (the value of its first column; a scale's entries move together), read from the
    file the manifest names; None for a plain run, or when that file is gone or changed (a
    warning says so)."""
    info = results.manifest.get("posterior")
    if not info or not info.get("file"):
        return None
    path = Path(info["file"])
    path = path if path.is_absolute() else (PROJECT / path if (PROJECT / path).is_file()
                                            else path)
    if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest()[:16] != info.get(
            "sha256"):
        warnings.warn(f"'{results.scenario_name}' ran over {info['file']}, which is gone or "
                      "has changed since: the deciding assumptions are left out",
                      stacklevel=3)
        return None
    table = read_posterior(path).iloc[:int(info["draws"])]
    groups = assumption_columns(table)
    frame = pd.DataFrame({label: table[columns[0]].to_numpy(dtype=float)
                          for label, columns in groups.items()})
    frame.index = pd.RangeIndex(len(frame), name="draw")
    return frame


def deciding_table(per_member: dict[str, pd.Series], assumptions: pd.DataFrame
                   ) -> pd.DataFrame:
    """`rank_assumptions` for every outcome's per-member differences, one table."""
    tables = [rank_assumptions(series, assumptions, outcome)
              for outcome, series in per_member.items()]
    tables = [t for t in tables if len(t)]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(
        columns=list(COLUMNS))
