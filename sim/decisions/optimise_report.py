"""What `sim optimise` hands a planner: the front re-evaluated out of sample against the baseline
(paired intervals on seeds and draws the search never used), each chosen allocation as a
scenario file that extends the baseline, the Pareto figure, the tables and `report.md`.

The search's own values of the best allocations are biased upwards (the optimiser's curse: the
best of many noisy estimates is lucky on average); only the out-of-sample differences are
evidence that an allocation beats the baseline.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim.decisions.optimise import (
    Optimisation,
    evaluate,
    evaluator,
    load_config,
    pareto_front,
    scores,
    search,
    trials_table,
)
from sim.decisions.optimise_folder import ALLOCATIONS, own_allocations
from sim.runs import layout
from sim.runs import results as store
from sim.runs.statistics import INTERVAL, number, paired_difference
from sim.scenario.posterior import with_draw

CALIBRATED = "as_calibrated"  # the scenario's own parameters; report.variants change them


def chosen(front: pd.DataFrame, most: int) -> pd.DataFrame:
    """At most `most` allocations of the front, evenly spread along it (both ends kept)."""
    if len(front) <= most:
        return front
    picks = sorted({round(i) for i in np.linspace(0, len(front) - 1, most)})
    return front.iloc[picks]


def contenders(problem: Optimisation, front: pd.DataFrame, table: pd.DataFrame
               ) -> pd.DataFrame:
    """The front without the baseline's own allocation (re-run anyway); when the baseline is
    all the front holds, the feasible trial best on the first objective, so that the best
    other allocation is always compared out of sample."""
    others = front[~front["baseline"]]
    if len(others) or front.empty:
        return others
    feasible = table[table["feasible"] & ~table["baseline"]]
    first = problem.config.objectives[0]
    return feasible.sort_values([first.outcome, "trial"], ascending=[
        first.direction == "minimise", True]).head(1)


def out_of_sample(problem: Optimisation, table: pd.DataFrame, front: pd.DataFrame,
                  records: dict[int, dict], pool: Any, progress: bool = False
                  ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Re-run the baseline and the chosen allocations on fresh seeds and draws; one row per
    allocation × objective with the paired difference from the baseline and its interval."""
    from sim.runs.runner import RunProgress

    picks = chosen(contenders(problem, front, table), problem.config.report.allocations)
    names = [f"{problem.path.stem}_{rank + 1}" for rank in range(len(picks))]
    scenarios = [problem.scenario] + [
        problem.space.candidate(records[int(t)]["params"], name)
        for t, name in zip(picks["trial"], names, strict=True)]
    seeds, draws = problem.report_seeds, problem.report_draws
    variants = {CALIBRATED: {}, **problem.config.report.variants}
    rows = []
    with RunProgress(len(variants) * len(scenarios) * len(seeds) * len(draws),
                     "out of sample", enabled=progress) as bar:
        for variant, overrides in variants.items():
            tables = evaluate(problem, [with_draw(s, overrides) for s in scenarios], pool,
                              draws, seeds, bar.advance)
            rows += _paired_rows(problem, front, names, picks, tables, variant)
    files = {name: problem.space.allocation(records[int(t)]["params"])
             for name, t in zip(names, picks["trial"], strict=True)}
    return pd.DataFrame(rows), files


def _paired_rows(problem: Optimisation, front: pd.DataFrame, names: list[str],
                 picks: pd.DataFrame, tables: list[pd.DataFrame], variant: str
                 ) -> list[dict[str, Any]]:
    """Per allocation and objective: fresh mean, the baseline's, the paired difference."""
    base = tables[0].set_index(["draw", "seed"])
    rows = []
    for name, trial, table in zip(names, picks["trial"], tables[1:], strict=True):
        other = table.set_index(["draw", "seed"])
        _, excess = scores(problem, table, tables[0])
        for objective in problem.config.objectives:
            difference = paired_difference(base[objective.outcome], other[objective.outcome])
            up, down = difference.mean_ci_low > 0, difference.mean_ci_high < 0
            better, worse = (up, down) if objective.direction == "maximise" else (down, up)
            rows.append({
                "variant": variant, "allocation": name, "trial": int(trial),
                "objective": objective.outcome, "direction": objective.direction,
                "in_search": float(picks.set_index("trial").loc[trial, objective.outcome]),
                "mean": float(other[objective.outcome].mean()),
                "baseline_mean": float(base[objective.outcome].mean()),
                "difference": difference.mean, "ci_low": difference.mean_ci_low,
                "ci_high": difference.mean_ci_high, "n": difference.replicates,
                "verdict": "better" if better else "worse" if worse else "within noise",
                "limits_held": all(e <= 0 for e in excess)})
    return rows


def allocation_yaml(name: str, allocation: dict[str, Any], baseline: Path, folder: Path,
                    command: str, trial: int) -> str:
    """A scenario file that extends the baseline and states only the allocation."""
    schema = os.path.relpath((baseline.parent / "scenario.schema.json").resolve(),
                             folder.resolve())
    header = (f"# yaml-language-server: $schema={schema}\n"
              f"# Allocation found by `{command}` (trial {trial}); sim/decisions/optimise.py.\n"
              "# Out-of-sample comparison with the baseline: ../out_of_sample.csv, "
              "../report.md.\n")
    document = {"name": name, "extends": os.path.relpath(baseline.resolve(), folder.resolve()),
                "description": f"Allocation {name} of the optimisation's Pareto front "
                               f"(trial {trial}).", **allocation}
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True,
                                   default_flow_style=None, width=100)


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


def report_markdown(problem: Optimisation, table: pd.DataFrame, front: pd.DataFrame,
                    comparison: pd.DataFrame, seconds: float, command: str) -> str:
    """report.md: what ran, the front, and what holds out of sample."""
    config = problem.config
    draws = (f" × {len(problem.search_draws)} posterior draws ({config.search.posterior.statistic})"
             if config.search.posterior else "")
    lines = [f"# Optimisation `{problem.path.stem}`", "",
             f"Command: `{command}` ({layout.now()}, git {layout.git_commit() or 'unknown'}); "
             f"{seconds / 60:.1f} min.", "",
             f"Search: {len(table)} trials (NSGA-II, generations of {config.search.population}),"
             f" each on the same {config.search.replicates} replicate seeds{draws}; "
             f"{int(table['feasible'].sum())} feasible, "
             f"{int((table['state'] == 'FAIL').sum())} rejected before running (a constraint "
             "the repair could not keep), "
             f"{int(((table['state'] == 'COMPLETE') & ~table['feasible']).sum())} over an "
             "outcome limit.", "",
             "## Pareto front (values in the search, optimistic)", "",
             _markdown(front.drop(columns=["state", "feasible", "rejected"])), "",
             f"## Out of sample: {config.report.replicates} fresh seeds"
             + (f" × {len(problem.report_draws)} fresh draws" if config.search.posterior
                else "") + ", paired with the baseline", "",
             f"Difference = allocation − baseline, {INTERVAL:.0%} interval of the mean "
             "difference; `better`/`worse` when the interval excludes zero.", "",
             _markdown(comparison[comparison["variant"] == CALIBRATED]
                       if len(comparison) else comparison), ""]
    for variant, overrides in (config.report.variants.items() if len(comparison) else ()):
        settings = ", ".join(f"`{k}` = {v:g}" for k, v in overrides.items())
        lines += [f"### Variant `{variant}`: the same runs with {settings}", "",
                  "Baseline and allocations both run under the variant (paired), e.g. "
                  "against networks that know where the resources stand.", "",
                  _markdown(comparison[comparison["variant"] == variant]), ""]
    lines += verdict_lines(problem, table, front, comparison)
    return "\n".join(lines)


def fresh_runs(problem: Optimisation, runs: int) -> str:
    """How many fresh paired runs, and of what: seeds, or posterior draws × seeds."""
    if problem.config.search.posterior is None:
        return f"{runs} fresh seeds"
    return (f"{runs} fresh runs ({len(problem.report_draws)} posterior draws × "
            f"{problem.config.report.replicates} seeds the search never used)")


def verdict_lines(problem: Optimisation, table: pd.DataFrame, front: pd.DataFrame,
                  comparison: pd.DataFrame) -> list[str]:
    """The answer on the first objective: where the baseline stood in the search, and whether
    the best other allocation beats it on fresh seeds (a paired interval that excludes zero)."""
    first = problem.config.objectives[0].outcome
    lines = ["## Verdict on the first objective", ""]
    own = table[table["baseline"] & (table["state"] == "COMPLETE")]
    if len(own):
        ranked = table[table["feasible"]][first].rank(
            ascending=problem.config.objectives[0].direction == "minimise", method="min")
        rank = int(ranked[own.index[0]]) if own.index[0] in ranked.index else None
        lines.append(f"The baseline's own allocation scored {number(float(own[first].iloc[0]))}"
                     f" on {first} in the search (trial {int(own['trial'].iloc[0])}"
                     + (f", rank {rank} of {len(ranked)} feasible trials" if rank else
                        ", over an outcome limit") + ("; it is on the Pareto front" if
                                                      front["baseline"].any() else "") + ").")
    if comparison.empty:
        return [*lines, "", "No other allocation was feasible: nothing to compare.", ""]
    calibrated = comparison[(comparison["variant"] == CALIBRATED)
                            & (comparison["objective"] == first)]
    best, note = calibrated.iloc[0], ""
    if not bool(best.limits_held):
        held = calibrated[calibrated["limits_held"].astype(bool)]
        note = (f"`{best.allocation}` (trial {int(best.trial)}) did best in the search but broke "
                "an outcome limit on the fresh runs, so the verdict is on the best allocation "
                "whose limits held there. " if len(held) else
                "Every re-evaluated allocation broke an outcome limit on the fresh runs: the "
                "verdict is on the search's best, which does not keep the limits as it stands. ")
        best = held.iloc[0] if len(held) else best
    on_front = int(best.trial) in set(front["trial"])
    lines += ["", note + f"The front's best allocation for {first} other than the baseline's"
              + (" whose limits held" if note and bool(best.limits_held) else "") + ", "
              f"`{best.allocation}` "
              f"(trial {int(best.trial)}, allocations/{best.allocation}.yaml"
              + ("" if on_front else "; the baseline dominates the whole front, so this is "
                 "the best other feasible trial") + "), "
              f"scored {number(best.in_search)} in the search and {number(best['mean'])} on "
              f"{fresh_runs(problem, int(best.n))}, against the baseline's "
              f"{number(best.baseline_mean)}: "
              f"a paired difference of {number(best.difference)} ({INTERVAL:.0%} interval "
              f"{number(best.ci_low)} to {number(best.ci_high)}), so {_verdict(best)}.", ""]
    return lines


def _verdict(row: pd.Series) -> str:
    if row.verdict == "better":
        return "better than the baseline, the interval excludes zero"
    if row.verdict == "worse":
        return "worse than the baseline, the interval excludes zero"
    return "the baseline's allocation is as good within noise (the interval includes zero)"


def _markdown(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "(none)"
    shown = frame.map(lambda v: number(v) if isinstance(v, float) else v)
    header = "| " + " | ".join(map(str, shown.columns)) + " |"
    rule = "|" + "---|" * len(shown.columns)
    body = ["| " + " | ".join(map(str, row)) + " |" for row in shown.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def replicates_run(problem: Optimisation, table: pd.DataFrame) -> int:
    """Model runs of the search (proposals not rejected, the baseline's reference runs for
    relative limits) and of the report (every variant), for timing."""
    config = problem.config
    search_runs = int((table["state"] == "COMPLETE").sum()) * config.search.replicates * len(
        problem.search_draws)
    front = pareto_front(problem, table)
    compared = max(1, min(int((~front["baseline"]).sum()), config.report.allocations))
    reference = (config.search.replicates * len(problem.search_draws)
                 if any(limit.relative for limit in config.constraints.outcomes) else 0)
    return search_runs + reference + (1 + len(config.report.variants)) * (compared + 1) * (
        config.report.replicates * len(problem.report_draws))


def write_outputs(problem: Optimisation, out: Path, table: pd.DataFrame, front: pd.DataFrame,
                  comparison: pd.DataFrame, files: dict[str, dict], seconds: float,
                  command: str) -> None:
    folder = out / ALLOCATIONS
    folder.mkdir(parents=True, exist_ok=True)
    for stale in own_allocations(out):  # an earlier report's, on resume
        stale.unlink()
    trials = comparison.groupby("allocation")["trial"].first() if len(comparison) else {}
    for name, allocation in files.items():
        (folder / f"{name}.yaml").write_text(allocation_yaml(
            name, allocation, problem.path.parent / problem.config.scenario, folder, command,
            int(trials[name])), encoding="utf-8")
    store.write_csv(table, out / "trials.csv")
    store.write_csv(front, out / "pareto.csv")
    store.write_csv(comparison, out / "out_of_sample.csv")
    pareto_figure(problem, table, front, comparison).savefig(out / "pareto.png", dpi=110)
    (out / "report.md").write_text(report_markdown(problem, table, front, comparison, seconds,
                                                   command), encoding="utf-8")
    layout.write_json(out / "optimise.json", {
        "command": command, "config": str(problem.path), "config_digest": problem.digest,
        "trials": len(table), "seconds": round(seconds, 1),
        "replicates_run": replicates_run(problem, table), "finished": layout.now(),
        "git_commit": layout.git_commit(), "packages": layout.package_versions()})


def optimise(config: str | Path | Optimisation, *, out: Path | None = None,
             resume: bool = False, progress: bool = False, cluster: str | None = None,
             command: str = "sim optimise", **overrides: Any
             ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The whole optimisation of a config file (or of one `load_config` read, then without
    `overrides`): search, front, out-of-sample comparison, and (with `out`) the files.
    Returns the trials, the front and the comparison."""
    started = time.monotonic()
    if isinstance(config, Optimisation) and overrides:
        raise TypeError(f"settings ({', '.join(overrides)}) are given to load_config, not with "
                        "a config it already read: load_config(path, "
                        f"{', '.join(f'{k}=...' for k in overrides)})")
    problem = config if isinstance(config, Optimisation) else load_config(config, **overrides)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    with evaluator(problem.config.search.workers, cluster) as pool:
        result = search(problem, pool, out=out, resume=resume, progress=progress)
        records = {r["number"]: r for r in result.records}
        table = trials_table(problem, result.records)
        front = pareto_front(problem, table)
        comparison, files = out_of_sample(problem, table, front, records, pool, progress)
    if out is not None:
        write_outputs(problem, out, table, front, comparison, files,
                      time.monotonic() - started, command)
    return table, front, comparison


