"""What `sim optimise` hands a planner: the front re-evaluated out of sample against the baseline
(paired intervals on seeds and draws the search never used), each chosen allocation as a
scenario file that extends the baseline, the Pareto figure, the tables and `report.md`.

The verdict is on the harm index, whatever the objectives, with every chosen allocation's change
in each crime area beside it, and the allocations ranked under the weights in use and the
shipped alternatives (`sim.decisions.optimise_harm`): `by_area.csv`, `harm_ranking.csv`, and the
fresh runs themselves (`out_of_sample_runs.csv`), from which another weights file re-reads the
search without a run.

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

from sim.analysis.harm import with_harm
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
from sim.decisions.optimise_config import objective_note
from sim.decisions.optimise_figure import CALIBRATED, pareto_figure
from sim.decisions.optimise_folder import ALLOCATIONS, own_allocations
from sim.decisions.optimise_harm import (
    RUNS,
    area_markdown,
    area_section,
    area_sentence,
    harm_readings,
    ranking_markdown,
    runs_table,
)
from sim.decisions.robust import Robustness, assess, overturn_table
from sim.decisions.robust import markdown as robust_markdown
from sim.runs import layout
from sim.runs import results as store
from sim.runs.statistics import INTERVAL, number, paired_difference
from sim.scenario.posterior import with_draw


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
                  ) -> tuple[pd.DataFrame, dict[str, Any], pd.DataFrame, Robustness | None]:
    """Re-run the baseline and the chosen allocations on fresh seeds and draws; one row per
    allocation × objective (and the harm index, the verdict's outcome) with the paired
    difference from the baseline and its interval; the allocation files; the fresh runs
    (`optimise_harm.runs_table`), from which the report reads every crime area; and (over
    draws or members) the robust choice (`sim.decisions.robust`)."""
    from sim.runs.runner import RunProgress

    picks = chosen(contenders(problem, front, table), problem.config.report.allocations)
    names = [f"{problem.path.stem}_{rank + 1}" for rank in range(len(picks))]
    scenarios = [problem.scenario] + [
        problem.space.candidate(records[int(t)]["params"], name)
        for t, name in zip(picks["trial"], names, strict=True)]
    seeds, draws = problem.report_seeds, problem.report_draws
    variants = {CALIBRATED: {}, **problem.config.report.variants}
    rows, runs, calibrated = [], [], []
    with RunProgress(len(variants) * len(scenarios) * len(seeds) * len(draws),
                     "out of sample", enabled=progress) as bar:
        for variant, overrides in variants.items():
            tables = evaluate(problem, [with_draw(s, overrides) for s in scenarios], pool,
                              draws, seeds, bar.advance)
            runs.append(runs_table(names, list(picks["trial"]), tables, variant))
            tables = [with_harm(t, problem.weights) for t in tables]
            rows += _paired_rows(problem, front, names, picks, tables, variant)
            calibrated = tables if variant == CALIBRATED else calibrated
    files = {name: problem.space.allocation(records[int(t)]["params"])
             for name, t in zip(names, picks["trial"], strict=True)}
    held = {row["allocation"]: bool(row["limits_held"]) for row in rows
            if row["variant"] == CALIBRATED}
    return (pd.DataFrame(rows), files,
            pd.concat(runs, ignore_index=True) if runs else pd.DataFrame(),
            assess(problem, names, calibrated, held))


def verdict_outcomes(problem: Optimisation) -> list[tuple[str, str]]:
    """The outcomes re-evaluated out of sample, with their direction: the objectives, and the
    harm index (the verdict's) when it is not one."""
    named = [(o.outcome, o.direction) for o in problem.config.objectives]
    return named + ([] if "harm_index" in dict(named) else [("harm_index", "maximise")])


def _paired_rows(problem: Optimisation, front: pd.DataFrame, names: list[str],
                 picks: pd.DataFrame, tables: list[pd.DataFrame], variant: str
                 ) -> list[dict[str, Any]]:
    """Per allocation and objective: fresh mean, the baseline's, the paired difference."""
    base = tables[0].set_index(["draw", "seed"])
    rows = []
    for name, trial, table in zip(names, picks["trial"], tables[1:], strict=True):
        other = table.set_index(["draw", "seed"])
        _, excess = scores(problem, table, tables[0])
        for outcome, direction in verdict_outcomes(problem):
            difference = paired_difference(base[outcome], other[outcome])
            up, down = difference.mean_ci_low > 0, difference.mean_ci_high < 0
            better, worse = (up, down) if direction == "maximise" else (down, up)
            rows.append({
                "variant": variant, "allocation": name, "trial": int(trial),
                "objective": outcome, "direction": direction,
                "in_search": float(picks.set_index("trial").loc[trial, outcome]),
                "mean": float(other[outcome].mean()),
                "baseline_mean": float(base[outcome].mean()),
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


def report_markdown(problem: Optimisation, table: pd.DataFrame, front: pd.DataFrame,
                    comparison: pd.DataFrame, seconds: float, command: str,
                    changes: pd.DataFrame | None = None, ranking: pd.DataFrame | None = None,
                    robustness: Robustness | None = None) -> str:
    """report.md: what ran, the front, what holds out of sample (the objectives and the harm
    index, then every crime area: `changes`), the ranking under several weight sets
    (`ranking`), the verdict on the harm index and (over draws or members) the robust choice
    and what could overturn it."""
    config = problem.config
    members = problem.members
    draws = (f" × {len(problem.search_draws)} {members.kind} ({members.statistic})"
             if members else "")
    lines = [f"# Optimisation `{problem.path.stem}`", "",
             f"Command: `{command}` ({layout.now()}, git {layout.git_commit() or 'unknown'}); "
             f"{seconds / 60:.1f} min, {replicates_run(problem, table):,} model runs"
             + (f" (budget: {config.search.max_runs:,}, search.max_runs)"
                if config.search.max_runs else "")
             + f". Harm weights: {problem.weights.describe()}.", "",
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
             + (f" × {len(problem.report_draws)} fresh {members.kind}" if members
                else "") + ", paired with the baseline", "",
             f"Difference = allocation − baseline, {INTERVAL:.0%} interval of the mean "
             "difference; `better`/`worse` when the interval excludes zero. The objectives, "
             "and the harm index the verdict is on.", "",
             _markdown(comparison[comparison["variant"] == CALIBRATED]
                       if len(comparison) else comparison), ""]
    lines += area_section(changes, CALIBRATED)
    for variant, overrides in (config.report.variants.items() if len(comparison) else ()):
        settings = ", ".join(f"`{k}` = {v:g}" for k, v in overrides.items())
        lines += [f"### Variant `{variant}`: the same runs with {settings}", "",
                  "Baseline and allocations both run under the variant (paired), e.g. "
                  "against networks that know where the resources stand.", "",
                  _markdown(comparison[comparison["variant"] == variant]), ""]
        if changes is not None and len(changes):
            lines += [*area_markdown(changes, variant), ""]
    if ranking is not None and len(ranking):
        lines += [f"## Ranking under {ranking['weights'].nunique()} weight sets", "",
                  "The re-evaluated allocations ranked by their paired change in the harm index "
                  f"from the baseline ({INTERVAL:.0%} interval), out of sample, under the weights "
                  "in use and the shipped alternatives (sim/data/harm/: drug harm first weighs "
                  "drugs four times and migrants half; persons first weighs migrants 25 times, "
                  "victims twice and drugs a quarter). `harm_ranking.csv` holds the table; "
                  "`sim.decisions.optimise_harm.rerank(folder, FILE)` ranks them under another "
                  "file without a run.", "", *ranking_markdown(ranking), ""]
    lines += verdict_lines(problem, table, front, comparison, changes)
    if robustness is not None:
        lines += robust_markdown(robustness, members.kind)
    return "\n".join(lines)


def fresh_runs(problem: Optimisation, runs: int) -> str:
    """How many fresh paired runs, and of what: seeds, or draws (members) × seeds."""
    if problem.members is None:
        return f"{runs} fresh seeds"
    return (f"{runs} fresh runs ({len(problem.report_draws)} {problem.members.kind} × "
            f"{problem.config.report.replicates} seeds the search never used)")


def verdict_lines(problem: Optimisation, table: pd.DataFrame, front: pd.DataFrame,
                  comparison: pd.DataFrame, changes: pd.DataFrame | None = None) -> list[str]:
    """The answer, on the harm index (never on a count of movements): where the baseline stood
    in the search, whether the best other allocation on the harm index beats it on fresh runs
    (a paired interval that excludes zero), and its change in every crime area. A config whose
    first objective is another outcome is told so, and gets the verdict on that objective too."""
    lines = ["## Verdict on the harm index", ""]
    note = objective_note(problem)
    if note:
        lines += [note[0].upper() + note[1:] + ".", ""]
    harm, chosen_name = _verdict_on(problem, table, front, comparison, "harm_index",
                                    "maximise")
    lines += harm
    if chosen_name and changes is not None and len(changes):
        lines += [area_sentence(changes, CALIBRATED, chosen_name), ""]
    first = problem.config.objectives[0]
    if first.outcome != "harm_index":
        lines += [f"### On the first objective, {first.outcome}", ""]
        lines += _verdict_on(problem, table, front, comparison, first.outcome,
                             first.direction)[0]
    return lines


def _verdict_on(problem: Optimisation, table: pd.DataFrame, front: pd.DataFrame,
                comparison: pd.DataFrame, outcome: str, direction: str
                ) -> tuple[list[str], str | None]:
    """The verdict on one outcome, and the allocation it is on: the baseline's place in the
    search, and the re-evaluated allocation best on it in the search (whose limits held on the
    fresh runs) against the baseline out of sample."""
    lines = []
    own = table[table["baseline"] & (table["state"] == "COMPLETE")]
    if len(own) and outcome in table and pd.notna(own[outcome].iloc[0]):
        ranked = table[table["feasible"]][outcome].rank(ascending=direction == "minimise",
                                                        method="min")
        rank = int(ranked[own.index[0]]) if own.index[0] in ranked.index and pd.notna(
            ranked[own.index[0]]) else None
        lines.append(f"The baseline's own allocation scored {number(float(own[outcome].iloc[0]))}"
                     f" on {outcome} in the search (trial {int(own['trial'].iloc[0])}"
                     + (f", rank {rank} of {len(ranked)} feasible trials" if rank else
                        ", over an outcome limit") + ("; it is on the Pareto front" if
                                                      front["baseline"].any() else "") + ").")
    if comparison.empty:
        return [*lines, "", "No other allocation was feasible: nothing to compare.", ""], None
    calibrated = comparison[(comparison["variant"] == CALIBRATED)
                            & (comparison["objective"] == outcome)]
    if calibrated.empty:
        return [*lines, "", f"{outcome} was not re-evaluated out of sample.", ""], None
    calibrated = calibrated.sort_values("in_search", ascending=direction == "minimise",
                                        kind="stable", na_position="last")
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
    lines += ["", note + f"The front's best allocation for {outcome} other than the baseline's"
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
    return lines, str(best.allocation)


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


def planned_runs(problem: Optimisation) -> tuple[int, int]:
    """Model runs the search and the out-of-sample report will make at most (every trial
    feasible; the baseline's reference runs for relative limits; the report's allocations,
    the baseline and every variant), before anything runs: what `sim optimise` estimates."""
    config = problem.config
    per_trial = config.search.replicates * len(problem.search_draws)
    reference = per_trial if any(limit.relative for limit in config.constraints.outcomes) else 0
    report = (1 + len(config.report.variants)) * (config.report.allocations + 1) * (
        config.report.replicates * len(problem.report_draws))
    return config.search.trials * per_trial + reference, report


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
                  command: str, runs: pd.DataFrame | None = None,
                  robustness: Robustness | None = None) -> None:
    folder = out / ALLOCATIONS
    folder.mkdir(parents=True, exist_ok=True)
    for stale in own_allocations(out):  # an earlier report's, on resume
        stale.unlink()
    trials = comparison.groupby("allocation")["trial"].first() if len(comparison) else {}
    for name, allocation in files.items():
        layout.write_text(folder / f"{name}.yaml", allocation_yaml(
            name, allocation, problem.path.parent / problem.config.scenario, folder, command,
            int(trials[name])))
    store.write_csv(table, out / "trials.csv")
    store.write_csv(front, out / "pareto.csv")
    store.write_csv(comparison, out / "out_of_sample.csv")
    changes, ranking = harm_readings(problem, runs, CALIBRATED)
    if runs is not None:
        store.write_csv(runs, out / RUNS)
        store.write_csv(changes, out / "by_area.csv")
        store.write_csv(ranking, out / "harm_ranking.csv")
    if robustness is not None:
        store.write_csv(robustness.table, out / "robust.csv")
        overturn = overturn_table(robustness)
        if len(overturn):
            store.write_csv(overturn, out / "overturn.csv")
    figure = pareto_figure(problem, table, front, comparison)
    layout.write_atomically(out / "pareto.png", lambda temporary: figure.savefig(
        temporary, format="png", dpi=110))
    layout.write_text(out / "report.md", report_markdown(problem, table, front, comparison,
                                                         seconds, command, changes, ranking,
                                                         robustness))
    layout.write_json(out / "optimise.json", {
        "command": command, "config": str(problem.path), "config_digest": problem.digest,
        "harm_weights": problem.weights.record(),
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
        comparison, files, runs, robustness = out_of_sample(problem, table, front, records,
                                                            pool, progress)
    if out is not None:
        write_outputs(problem, out, table, front, comparison, files,
                      time.monotonic() - started, command, runs, robustness)
    return table, front, comparison


