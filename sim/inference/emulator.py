"""Emulators of the ensemble's targets: which candidates are worth running.

Rejection from the prior box pays while most candidates pass; with every registered range
sampled, the published bands rule out some 98% of them, and running each to find that out costs
most of a build (docs/calibration.md, "The ensemble"). History matching in waves (Vernon,
Goldstein & Bower 2010, *Bayesian Analysis* 5(4):619–670; Andrianakis et al. 2015, *PLoS
Computational Biology* 11(1):e1003968) runs a first wave, fits a cheap statistical model of each
target on it (an *emulator*: the prediction of the model's output at inputs never run, with its
own uncertainty), and runs only the candidates the emulators do not already rule out.

Here each target (a regime's outcome) has a ridge regression of the candidates' mean figure on
their inputs and the inputs' squares — the sampled assumptions' design coordinates (in [0, 1),
in the logarithm for a log range) and the identified assumptions' values of the posterior draw
they hold, standardised — with its penalty chosen by leave-one-out error (the closed form of
the hat matrix: Allen 1974, *Technometrics* 16:125; Hoerl & Kennard 1970 for the ridge). Its
variance is the mean squared
leave-one-out residual: what the emulator misses at a candidate it has not seen, including the
replicate noise of the candidates' means. The emulated implausibility of a candidate is that of
`sim.inference.history_matching` with this variance in place of the replicate noise:

    I_j = |ŷ_j − z_j| / sqrt(V_obs,j + V_md,j + V_em,j)

and a candidate whose largest I_j exceeds the cut-off is recorded as screened by the emulator,
never run. Linear emulators are crude; their honest leave-one-out variance makes them lenient
where they fit badly (a wide V_em lets candidates through to be run), so what they rule out they
rule out with the same three-sigma confidence as a run would. The emulators are refitted before
every batch on every candidate run so far, so later waves learn the region the earlier kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

PENALTIES = np.logspace(-4, 3, 15)  # ridge penalties tried, per unit of squared singular value
MIN_ROWS = 30  # a target seen on fewer candidates is not emulated (it screens nothing)


@dataclass(frozen=True)
class TargetEmulator:
    """One target's ridge regression: ŷ = intercept + ((x − centre) / scale) · coefficients."""

    centre: np.ndarray
    scale: np.ndarray
    coefficients: np.ndarray
    intercept: float
    variance: float  # mean squared leave-one-out residual
    rows: int

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        return self.intercept + ((terms(inputs) - self.centre) / self.scale) @ self.coefficients


def terms(inputs: np.ndarray) -> np.ndarray:
    """The regression's terms of each input: linear and squared (a response that saturates
    over an input's range, as detection does in officers, is curved)."""
    return np.hstack([inputs, inputs ** 2])


def fit_target(inputs: np.ndarray, values: np.ndarray) -> TargetEmulator:
    """The ridge regression of `values` on `inputs` (rows: candidates) whose penalty has the
    smallest leave-one-out error, with that error's mean square as its variance."""
    count = len(values)
    features = terms(inputs)
    centre = features.mean(axis=0)
    scale = features.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    x = (features - centre) / scale
    mean = float(values.mean())
    y = values - mean
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    projected = u.T @ y
    best: tuple[float, np.ndarray] | None = None
    for penalty in PENALTIES * max(float(s.max(initial=0.0)) ** 2, 1e-12):
        shrink = s ** 2 / (s ** 2 + penalty)
        fitted = u @ (shrink * projected)
        leverage = 1.0 / count + (u ** 2) @ shrink
        residuals = (y - fitted) / np.maximum(1.0 - leverage, 1e-6)
        error = float(np.mean(residuals ** 2))
        if best is None or error < best[0]:
            best = (error, vt.T @ (s / (s ** 2 + penalty) * projected))
    assert best is not None
    return TargetEmulator(centre, scale, best[1], mean, best[0], count)


@dataclass(frozen=True)
class Emulator:
    """Every emulated target of the regimes: (regime label, outcome) → its regression."""

    targets: dict[tuple[str, str], TargetEmulator]

    def implausibility(self, inputs: np.ndarray, regimes: Sequence[tuple[str, pd.DataFrame]],
                       discrepancy: float) -> pd.DataFrame:
        """The emulated implausibility of each row of `inputs` (a column per emulated target,
        `regime:outcome`), against each regime's targets (outcome, published, band_low,
        band_high)."""
        columns = {}
        for label, targets in regimes:
            for outcome, target in targets.iterrows():
                emulator = self.targets.get((label, str(outcome)))
                if emulator is None:
                    continue
                predicted = emulator.predict(inputs)
                published = float(target["published"])
                half_band = np.where(predicted >= published,
                                     float(target["band_high"]) - published,
                                     published - float(target["band_low"]))
                variance = ((half_band / 3.0) ** 2 + (discrepancy * abs(published)) ** 2
                            + emulator.variance)
                columns[f"{label}:{outcome}"] = (np.abs(predicted - published)
                                                 / np.sqrt(variance))
        return pd.DataFrame(columns)


def fit(inputs: np.ndarray, means: pd.DataFrame, regimes: Sequence[tuple[str, pd.DataFrame]]
        ) -> Emulator:
    """Emulators of every target from the candidates run so far: `inputs` (a row per
    candidate) and `means` (their mean figures, a column `M:regime:outcome` per target, NaN
    where a regime did not run for that candidate). A target seen on fewer than `MIN_ROWS`
    candidates is left out."""
    fitted = {}
    for label, targets in regimes:
        for outcome in targets.index:
            column = f"M:{label}:{outcome}"
            if column not in means:
                continue
            seen = means[column].notna().to_numpy()
            if seen.sum() >= MIN_ROWS:
                fitted[(label, str(outcome))] = fit_target(
                    inputs[seen], means[column].to_numpy(dtype=float)[seen])
    return Emulator(fitted)
