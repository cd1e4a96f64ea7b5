"""History matching: is a candidate member of the ensemble consistent with the published bands?

Rather than fitting, history matching rules out the parameter values whose outputs are too far
from the observations to be plausible, given every source of uncertainty between the two
(Craig, Goldstein, Seheult & Smith 1997; Vernon, Goldstein & Bower 2010, "Galaxy formation: a
Bayesian uncertainty analysis", Bayesian Analysis 5(4):619–670; Andrianakis et al. 2015,
"Bayesian history matching of complex infectious disease models using emulation", PLoS
Computational Biology 11(1):e1003968). For a target j with published figure z_j and the
candidate's mean μ_j over its n replicates (the same seeds for every candidate: common random
numbers), the implausibility is

    I_j = |μ_j − z_j| / sqrt(V_obs,j + V_md,j + s_j² / n)

with three variance terms, each stated:

- V_obs (observation): the published band is read as the range within which the figure the
  model should reproduce lies with near certainty, i.e. three standard deviations on the side of
  the miss: σ_obs = (band_high − z) / 3 when μ ≥ z, (z − band_low) / 3 otherwise. The bands
  (sim/data/targets.csv, sim/data/ordinary_week.csv) carry the reporting and definitional
  uncertainty of each figure, and the ordinary week's wide anchors carry theirs.
- V_md (model discrepancy): what the best parameter values would still miss because the model is
  a model, σ_md = `discrepancy` × |z| (default 5% of the figure; an assumption, as in the cited
  studies, where it is elicited rather than measured).
- s² / n (replicate noise): the variance of the candidate's n replicates over n — the emulator
  variance of the cited studies becomes the Monte Carlo error of the candidate's own mean, since
  every candidate is run, not emulated. Where a candidate has run one replicate only (the screen
  of `sim.inference.ensemble`), s² is the one-replicate variance pooled over the candidates that
  ran them all.

A candidate is kept when its largest implausibility over the targets of every regime is at most
the cut-off, 3 by default: by Pukelsheim's three-sigma rule (Pukelsheim 1994, "The three sigma
rule", The American Statistician 48(2):88–91) at least 95% of any unimodal distribution lies
within three standard deviations of its mean, whatever its shape. With zero discrepancy and
noise the cut-off falls exactly on the band's edge: a candidate is kept when its means lie inside
the bands, the rule of `posterior.csv`, widened by what the noise and the model's discrepancy
leave open.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CUTOFF = 3.0  # Pukelsheim's three-sigma rule
DISCREPANCY = 0.05  # model discrepancy, as a share of the published figure (assumption)


def implausibility(means: pd.Series, variances: pd.Series, replicates: int,
                   targets: pd.DataFrame, *, discrepancy: float = DISCREPANCY) -> pd.Series:
    """I_j for every target (indexed like `targets`: outcome, with `published`, `band_low`,
    `band_high`) from the candidate's replicate means and variances of those outcomes."""
    mean = means.reindex(targets.index).astype(float)
    published = targets["published"].astype(float)
    above = mean >= published
    half_band = np.where(above, targets["band_high"] - published,
                         published - targets["band_low"])
    observation = (pd.Series(half_band, index=targets.index, dtype=float) / 3.0) ** 2
    model = (discrepancy * published.abs()) ** 2
    noise = variances.reindex(targets.index).astype(float).fillna(0.0) / max(replicates, 1)
    return (mean - published).abs() / np.sqrt(observation + model + noise)


def regime_implausibility(runs: pd.DataFrame, targets: pd.DataFrame, *,
                          discrepancy: float = DISCREPANCY,
                          pooled: pd.Series | None = None) -> pd.Series:
    """I_j of one regime from its replicate rows (one row per seed, a column per outcome). The
    replicate variance is the rows' own; with one row, `pooled` (the variance of one replicate,
    pooled over earlier candidates; none: 0)."""
    columns = [c for c in targets.index if c in runs]
    if len(columns) < len(targets):
        missing = sorted(set(targets.index) - set(columns))
        raise KeyError(f"the runs have no outcome {', '.join(missing)}")
    if len(runs) > 1:
        variances = runs[columns].var(ddof=1)
    elif pooled is not None:
        variances = pooled.reindex(columns).fillna(0.0)
    else:
        variances = runs[columns].mean() * 0.0
    return implausibility(runs[columns].mean(), variances, len(runs), targets,
                          discrepancy=discrepancy)


def worst(values: dict[str, pd.Series]) -> tuple[float, str]:
    """The largest implausibility over every regime's targets, and which (`regime:outcome`)."""
    flat = {f"{regime}:{outcome}": float(value) for regime, series in values.items()
            for outcome, value in series.items()}
    name = max(flat, key=lambda key: flat[key])
    return flat[name], name
