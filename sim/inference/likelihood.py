"""How well each ensemble member's first days match the daily reports: a stated likelihood, the
importance weights it gives, their effective sample size, and whether the ensemble holds the
reports at all.

**What is compared.** For each reported outcome (and country, when reported by country) the sum
of the figures over the days reported, y_j, against the same sum in each run of member m (its
replicates r = 1..R on the same seeds for every member: common random numbers). Sums over the
days rather than each day: the days of one run are correlated (the same networks, queues and
finds carry over), so treating k daily figures as independent would count one piece of evidence
k times; a member's parameters act on the level of the counts, which the sum carries.

**The likelihood** (Gaussian, a synthetic likelihood in the sense of Wood 2010, *Nature*
466:1102–1104: a normal law fitted to simulated summaries) of member m is

    log L_m = Σ_j [ −½ (y_j − μ_mj)² / V_mj − ½ log V_mj ],
    V_mj = φ_j · max(μ_mj, 1) · (1 + 1/R) + (e² + δ²) · y_j²

- μ_mj: the mean of member m's R replicates;
- φ_j · max(μ_mj, 1): the variance of one week's figure given the member's parameters, with a
  dispersion φ_j pooled over all members (Σ_m s²_mj / Σ_m max(μ_mj, 1), at least 1: a count
  varies at least as a Poisson count does). Pooled because two or three replicates give a very
  rough variance of their own, and proportional to the mean because a member with twice the
  crime has about twice the variance (groups of migrants, bulk loads: φ is far above 1 for
  persons and kilograms); the factor 1 + 1/R adds the uncertainty of μ_mj itself;
- e: the reporting error of a daily figure as a share of it (`reporting.daily_error` of the
  scenario, 5%), summed over the days as if fully correlated (a country that under-counts does
  so every day);
- δ: the model discrepancy as a share of the figure (`sim.inference.history_matching`, 5%),
  what even the best member would miss because the model is a model.

Why Gaussian and not Poisson or negative binomial: the reported figures are not Poisson counts
(migrants come in groups, drugs in loads of very different size; checks are set by officers,
not by chance), and a negative binomial on kilograms would be arbitrary; the members' own
replicates say how much a week varies, which is what a synthetic likelihood uses. Why importance
weights and not ABC with a tolerance: the weights use every member's distance in the units of its
own noise, and the tolerance of ABC would be one more number to choose; the weights' effective
sample size says when they rest on too few members, and then the ensemble is refreshed
(`sim.inference.refresh`).

**Weights and their size.** w_m ∝ (the member's prior weight) × L_m; the effective sample size
ESS = 1 / Σ w_m² (Kong, Liu & Wong 1994). **Collapse**: ESS below `COLLAPSE_SHARE` of the
members. **Outside the ensemble**: every member misses some reported figure by more than
`CUTOFF` (3) standard deviations √V_mj — the reports are implausible under every member, as
history matching would judge them (Pukelsheim's three-sigma rule), so the weights choose the
least bad member, not a good one: the forecast is not to be trusted, and the command says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.inference.history_matching import CUTOFF, DISCREPANCY

COLLAPSE_SHARE = 0.1  # ESS below this share of the members: the weights rest on too few


@dataclass
class Fit:
    """The members against the reports: per member its log-likelihood, weight and largest
    standardised miss; per reported quantity its pooled dispersion; the ESS."""

    observed: pd.Series          # (outcome, country) -> reported sum over its days
    means: pd.DataFrame          # member x (outcome, country): μ_mj
    variances: pd.DataFrame      # member x (outcome, country): V_mj
    log_likelihood: pd.Series    # by member
    weights: pd.Series           # by member, summing to 1
    implausibility: pd.Series    # by member: max_j |y_j − μ_mj| / √V_mj
    dispersion: pd.Series        # (outcome, country) -> φ_j
    replicates: int
    collapse_share: float = COLLAPSE_SHARE

    @property
    def ess(self) -> float:
        return float(1.0 / np.sum(self.weights.to_numpy() ** 2))

    @property
    def members(self) -> int:
        return len(self.weights)

    @property
    def collapsed(self) -> bool:
        """The weights rest on fewer than `collapse_share` of the members."""
        return self.ess < self.collapse_share * self.members

    @property
    def outside(self) -> bool:
        """No member reproduces every reported figure within `CUTOFF` standard deviations."""
        return bool(self.implausibility.min() > CUTOFF)

    def misses(self, member: int) -> pd.Series:
        """A member's standardised misses (y − μ) / √V per reported quantity."""
        return (self.observed - self.means.loc[member]) / np.sqrt(self.variances.loc[member])


def simulated_sums(runs: pd.DataFrame, days_of: dict[tuple[str, str], list[int]]
                   ) -> pd.DataFrame:
    """Per run (index `member`, `replicate`) and reported quantity (outcome, country) the sum
    of the run's figures over the days that quantity was reported on. `runs` has one row per
    run, day and country (`country` "" for the whole operation) and a column per outcome."""
    indexed = runs.set_index(["member", "replicate", "day", "country"]).sort_index()
    columns = {}
    for (outcome, country), days in days_of.items():
        try:
            chosen = indexed[outcome].xs(country, level="country")
        except KeyError:
            raise KeyError(f"the runs have no figures of {outcome}"
                           f"{f' for {country}' if country else ''}") from None
        chosen = chosen[chosen.index.get_level_values("day").isin(days)]
        columns[(outcome, country)] = chosen.groupby(level=["member", "replicate"]).sum()
    table = pd.DataFrame(columns)
    table.columns = pd.MultiIndex.from_tuples(table.columns, names=["outcome", "country"])
    return table


def fit(observed: pd.Series, sums: pd.DataFrame, *, report_error: float,
        discrepancy: float = DISCREPANCY, prior: pd.Series | None = None,
        collapse_share: float = COLLAPSE_SHARE) -> Fit:
    """Weigh the members (the `member` level of `sums`' index) by the likelihood of the reported
    sums `observed` (indexed like `sums`' columns); `prior` the members' weights before (equal
    when None)."""
    sums = sums[observed.index]
    grouped = sums.groupby(level="member")
    means, variances = grouped.mean(), grouped.var(ddof=1)
    replicates = int(grouped.size().min())
    if replicates < 2:
        raise ValueError("the likelihood needs at least 2 replicates per member (the variance "
                         "of a week given a member's values comes from them)")
    level = np.maximum(means, 1.0)
    dispersion = np.maximum(variances.sum() / level.sum(), 1.0)
    y = observed.astype(float)
    variance = (level * dispersion * (1.0 + 1.0 / replicates)
                + (report_error ** 2 + discrepancy ** 2) * y ** 2)
    variance = np.maximum(variance, 1.0)
    z2 = (means - y) ** 2 / variance
    log_likelihood = (-0.5 * (z2 + np.log(variance))).sum(axis=1)
    prior = (pd.Series(1.0, index=means.index) if prior is None
             else prior.reindex(means.index).astype(float))
    log_weight = log_likelihood + np.log(np.maximum(prior, 1e-300))
    weights = np.exp(log_weight - log_weight.max())
    weights = weights / weights.sum()
    return Fit(y, means, variance, log_likelihood, weights, np.sqrt(z2).max(axis=1),
               dispersion, replicates, collapse_share)


def fit_table(fit: Fit) -> pd.DataFrame:
    """One row per member: its weight, log-likelihood and largest standardised miss, with the
    quantity it misses most."""
    worst = np.sqrt((fit.means - fit.observed) ** 2 / fit.variances).idxmax(axis=1)
    return pd.DataFrame({"member": fit.weights.index, "weight": fit.weights.to_numpy(),
                         "log_likelihood": fit.log_likelihood.to_numpy(),
                         "implausibility": fit.implausibility.to_numpy(),
                         "worst": [f"{o}:{c}" if c else o for o, c in worst]})
