"""Choosing an allocation over what we do not know: robustness criteria over ensemble members,
and the assumptions that could overturn the choice.

`sim optimise` re-evaluates the baseline and the front's allocations on members (or posterior
draws) the search never used. Per allocation a and member m, v[a, m] is the first objective's
mean over the fresh seeds; the config's criterion (`search.ensemble.criterion`) ranks the
allocations by

- `mean`: the mean of v over members (the expected value);
- `percentile`: the pessimistic percentile of v (the 10th for an outcome to maximise, the 90th
  for one to minimise): the allocation whose bad cases are least bad;
- `regret`: the largest regret over members, regret[a, m] = best of all allocations in m − v[a,
  m] (Savage's minimax regret, the robust decision criterion of the decision-making-under-deep-
  uncertainty literature, e.g. Lempert, Popper & Bankes 2003, "Shaping the Next One Hundred
  Years", RAND MR-1626): the allocation that is never far from the best, whichever member holds.

The chosen allocation is the best by the criterion among those whose outcome limits held on the
fresh runs. What could overturn it: over the members, the paired difference between it and the
runner-up (the baseline when the chosen is not the baseline) is explained assumption by
assumption (`sim.analysis.deciding`: first-order share, the difference at each end of the
assumption's range, whether its sign flips, EVPPI).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.deciding import rank_assumptions, readable
from sim.decisions.optimise_config import Optimisation
from sim.runs.statistics import number
from sim.scenario.posterior import ENSEMBLE_FILE, assumption_columns, read_posterior

BASELINE = "baseline"


@dataclass
class Robustness:
    """The criterion table, the choice, and what could overturn it."""

    table: pd.DataFrame  # one row per allocation: mean, pessimistic percentile, max regret, rank
    chosen: str
    rival: str
    holds: float  # share of members in which the chosen is at least as good as the rival
    overturn: pd.DataFrame  # sim.analysis.deciding.COLUMNS, for chosen − rival
    criterion: str
    objective: str
    members: int


def member_values(tables: list[pd.DataFrame], names: list[str], outcome: str) -> pd.DataFrame:
    """Allocation × member: the outcome's mean over seeds (`tables` from `evaluate`, the
    baseline's first)."""
    return pd.DataFrame({name: table.groupby("draw")[outcome].mean()
                         for name, table in zip([BASELINE, *names], tables, strict=True)}).T


def criterion_table(values: pd.DataFrame, direction: str, criterion: str,
                    percentile: float = 10.0, allowed: set[str] | None = None) -> pd.DataFrame:
    """One row per allocation (index of `values`): `mean`, `pessimistic` (the percentile at the
    bad end), `max_regret`, and `rank` by the criterion among the `allowed` (all by default)."""
    sign = 1.0 if direction == "maximise" else -1.0
    oriented = values * sign  # larger is better
    regret = oriented.max(axis=0) - oriented  # per member: how far from the best allocation
    q = percentile / 100
    table = pd.DataFrame({
        "mean": values.mean(axis=1),
        "pessimistic": values.quantile(q if sign > 0 else 1 - q, axis=1),
        "max_regret": regret.max(axis=1),
        "allowed": [allowed is None or name in allowed for name in values.index]})
    score = {"mean": -oriented.mean(axis=1), "percentile": -oriented.quantile(q, axis=1),
             "regret": regret.max(axis=1)}[criterion]
    ranked = score.where(table["allowed"]).rank(method="min")
    table["rank"] = ranked.astype("Int64")
    table.index.name = "allocation"
    return table.sort_values(["rank", "mean"], na_position="last").reset_index()


def report_assumptions(problem: Optimisation) -> pd.DataFrame | None:
    """The report's members (the rows after the search's) as one column per assumption."""
    search = problem.config.search
    if search.ensemble is not None:
        file = (problem.path.parent / search.ensemble.file if search.ensemble.file
                else ENSEMBLE_FILE)
    elif search.posterior is not None:
        file = problem.path.parent / search.posterior.file
    else:
        return None
    start = len(problem.search_draws)
    table = read_posterior(Path(file)).iloc[start:start + len(problem.report_draws)]
    groups = assumption_columns(table)
    frame = pd.DataFrame({label: table[columns[0]].to_numpy(dtype=float)
                          for label, columns in groups.items()})
    frame.index = pd.RangeIndex(len(frame), name="draw")
    return frame


def assess(problem: Optimisation, names: list[str], tables: list[pd.DataFrame],
           limits_held: dict[str, bool]) -> Robustness | None:
    """The criterion's choice among the baseline and the re-evaluated allocations on the first
    objective, and what could overturn it (None without draws or members)."""
    members = problem.members
    if members is None or not names:
        return None
    objective = problem.config.objectives[0]
    values = member_values(tables, names, objective.outcome)
    percentile = (problem.config.search.ensemble.percentile
                  if problem.config.search.ensemble is not None else members.quantile * 100)
    allowed = {BASELINE} | {name for name in names if limits_held.get(name, True)}
    table = criterion_table(values, objective.direction, members.criterion, percentile, allowed)
    chosen = str(table.iloc[0]["allocation"])
    rival = BASELINE if chosen != BASELINE else str(table.iloc[1]["allocation"])
    sign = 1.0 if objective.direction == "maximise" else -1.0
    advantage = (values.loc[chosen] - values.loc[rival]) * sign  # > 0: the chosen is better
    assumptions = report_assumptions(problem)
    overturn = (rank_assumptions(advantage, assumptions, objective.outcome)
                if assumptions is not None else pd.DataFrame())
    return Robustness(table, chosen, rival, float((advantage >= 0).mean()), overturn,
                      members.criterion, objective.outcome, values.shape[1])


def markdown(result: Robustness, kind: str) -> list[str]:
    """report.md's section: the criterion table, the choice, and what could overturn it."""
    words = {"mean": "the mean over members", "percentile": "the pessimistic percentile over "
             "members", "regret": "the least maximum regret over members"}[result.criterion]
    lines = [f"## Robust choice over {result.members} fresh {kind}", "",
             f"Ranked by {words} on {result.objective} (`search.ensemble.criterion`; "
             "sim/decisions/robust.py); `max_regret`: the most the allocation falls short of the "
             "best re-evaluated allocation in any one member.", "",
             "| allocation | mean | pessimistic | max regret | rank |", "|---|---|---|---|---|"]
    for row in result.table.itertuples():
        rank = "" if pd.isna(row.rank) else str(int(row.rank))
        lines.append(f"| {row.allocation} | {number(row.mean)} | {number(row.pessimistic)} | "
                     f"{number(row.max_regret)} | {rank or 'limits broken'} |")
    lines += ["", f"**Chosen: `{result.chosen}`.** Against `{result.rival}` it is at least as "
              f"good in {result.holds:.0%} of the members."]
    if result.overturn is None or result.overturn.empty:
        lines += ["", "Its advantage does not vary across members (or too few members to say "
                  "what it depends on).", ""]
        return lines
    lines += ["", "What could overturn it (its advantage over the rival, explained assumption "
              "by assumption; sim/analysis/deciding.py):", ""]
    for row in result.overturn.head(3).itertuples():
        flips = " — **the sign flips: this assumption can overturn the choice**" if row.flips \
            else ""
        lines.append(f"- {readable(row.assumption)}: the advantage runs from "
                     f"{number(row.low_end)} to {number(row.high_end)} over its range "
                     f"({row.first_order:.0%} of the spread; knowing it is worth "
                     f"{number(row.evppi)}){flips}")
    flipping = result.overturn[result.overturn["flips"]]
    lines += ["", ("Assumptions that can overturn the choice: "
                   + ", ".join(readable(a) for a in flipping["assumption"]) + ".")
              if len(flipping) else "No assumption turns the advantage round over its range.",
              ""]
    return lines


def overturn_table(result: Robustness) -> pd.DataFrame:
    """overturn.csv: the chosen allocation, its rival and the ranking of assumptions."""
    if result.overturn is None or result.overturn.empty:
        return pd.DataFrame()
    return result.overturn.assign(chosen=result.chosen, rival=result.rival,
                                  holds=np.round(result.holds, 6))
