"""The Pareto figure of `sim optimise` (`pareto.png`): every trial, the front, and the
allocations re-evaluated out of sample with the baseline."""

from __future__ import annotations

from typing import Any

import pandas as pd

from sim.decisions.optimise import Optimisation

CALIBRATED = "as_calibrated"  # the scenario's own parameters; report.variants change them


def pareto_figure(problem: Optimisation, table: pd.DataFrame, front: pd.DataFrame,
                  comparison: pd.DataFrame) -> Any:
    """Every trial, the front, and the re-evaluated allocations with the baseline: the first
    objective (detections) against the second (a cost such as waiting), or against the trial
    number when there is one objective."""
    from matplotlib.figure import Figure

    from sim.analysis.figures import outcome_label

    objectives = [o.outcome for o in problem.config.objectives]
    figure = Figure(figsize=(7.5, 5.2), layout="constrained")
    ax = figure.subplots()
    y = objectives[0]
    x = objectives[1] if len(objectives) > 1 else "trial"
    feasible, infeasible = table[table["feasible"]], table[table["state"] == "COMPLETE"]
    infeasible = infeasible[~infeasible["feasible"]]
    ax.scatter(feasible[x], feasible[y], s=14, color="#999999", label="trials (in search)")
    if len(infeasible):
        ax.scatter(infeasible[x], infeasible[y], s=18, marker="x", color="#D55E00",
                   label="trials breaking an outcome limit")
    ax.plot(front[x], front[y], "o-" if len(objectives) == 2 else "o", color="#0072B2", ms=5,
            label="Pareto front (in search" + (", all objectives)" if len(objectives) > 2
                                               else ")"))
    comparison = comparison[comparison["variant"] == CALIBRATED] if len(comparison) else \
        comparison
    if not comparison.empty and x != "trial":
        wide = comparison.pivot(index="allocation", columns="objective", values="mean")
        base = comparison.groupby("objective")["baseline_mean"].first()
        below = comparison.assign(v=comparison["difference"] - comparison["ci_low"]).pivot(
            index="allocation", columns="objective", values="v")
        above = comparison.assign(v=comparison["ci_high"] - comparison["difference"]).pivot(
            index="allocation", columns="objective", values="v")
        ax.errorbar(wide[x], wide[y], xerr=[below[x], above[x]], yerr=[below[y], above[y]],
                    fmt="o", ms=7, mfc="none", color="#000000", elinewidth=0.8, capsize=2,
                    label="re-evaluated on fresh seeds and draws (bars: 90% interval of the "
                          "paired difference from the baseline)")
        for name, row in wide.iterrows():
            ax.annotate(str(name).rsplit("_", 1)[-1], (row[x], row[y]), fontsize=8,
                        xytext=(4, 4), textcoords="offset points")
        ax.scatter([base[x]], [base[y]], marker="*", s=160, color="#E69F00",
                   label="baseline (2023 allocation), fresh seeds and draws", zorder=5)
    ax.set_xlabel(outcome_label(x) if x != "trial" else "trial")
    ax.set_ylabel(outcome_label(y))
    ax.legend(fontsize=7, loc="best")
    ax.set_title(f"{problem.path.stem}: {len(table)} trials")
    return figure
