"""Re-planning during the action (`sim optimise CONFIG --from-day K --ensemble DIR`, or
`sim.replan`): the search over what can still change (`sim.decisions.replan_space`), its
out-of-sample report, and the gain of each re-plan against keeping the plan, per crime area
and in harm, read from the report's own fresh runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

# --- the gain of each re-plan against keeping the plan -------------------------------------------

# What each crime area is read by: its counts, then its part of the harm index
# (sim/analysis/harm.py: the weights file in use), then what every area shares, and the index.
AREA_OUTCOMES: dict[str, tuple[str, ...]] = {
    "migrant_smuggling": ("migrants_stopped", "illegal_entries_detected",
                          "arrests_migrant_smuggling", "harm_migrant_smuggling"),
    "drug_trafficking": ("drugs_kg_total", "arrests_drug_trafficking",
                         "harm_drug_trafficking"),
    "firearms_trafficking": ("weapons_seized", "ammunition_seized",
                             "arrests_firearms_trafficking", "harm_firearms_trafficking"),
    "thb": ("victims_identified", "arrests_thb", "harm_thb"),
    "high_risk_networks": ("arrests_other", "harm_high_risk_networks"),
    "document_fraud": ("forged_documents", "harm_document_fraud"),
    "all_areas": ("movements_intercepted", "arrests_total", "cases_opened",
                  "mean_wait_minutes", "harm_all_areas"),
    "harm": ("harm_index",),
}


def gains_table(plan: pd.DataFrame, replans: dict[str, pd.DataFrame],
                weights: Any = None) -> pd.DataFrame:
    """Per re-plan, crime area and outcome: the paired difference from keeping the plan
    (re-plan − plan, over the same members and seeds, indexed by (draw, seed)) with its 90%
    interval, the harm index and its parts by area computed with `weights` (a weights file,
    loaded weights, or None: the shipped default). The first K days are the plan's in both, so
    the difference is that of days K+1 to the end (and of the cases their evidence opens)."""
    from sim.analysis.harm import resolve_weights, with_harm
    from sim.runs.statistics import paired_difference

    weights = resolve_weights(weights)
    base = with_harm(plan, weights).set_index(["draw", "seed"])
    rows = []
    for name, table in replans.items():
        other = with_harm(table, weights).set_index(["draw", "seed"])
        for area, outcomes in AREA_OUTCOMES.items():
            for outcome in outcomes:
                difference = paired_difference(base[outcome], other[outcome])
                rows.append({"allocation": name, "area": area, "outcome": outcome,
                             "plan": float(base[outcome].mean()),
                             "replan": float(other[outcome].mean()),
                             "difference": difference.mean, "ci_low": difference.mean_ci_low,
                             "ci_high": difference.mean_ci_high, "n": difference.replicates})
    return pd.DataFrame(rows)


def remaining_gains(problem: Any, runs: pd.DataFrame) -> pd.DataFrame:
    """The re-plans the report re-evaluated against keeping the plan, per crime area and in
    harm: read from the report's own fresh runs (`out_of_sample_runs.csv`: the plan, labelled
    `baseline`, and each re-plan on the same fresh members and seeds), as the scenario stands
    (the `as_calibrated` variant). No run is made again."""
    from sim.decisions.optimise_figure import CALIBRATED
    from sim.decisions.optimise_harm import BASELINE

    if runs.empty:
        return pd.DataFrame()
    rows = runs[runs["variant"] == CALIBRATED]
    plan = rows[rows["allocation"] == BASELINE]
    replans = {name: table for name, table in rows[rows["allocation"] != BASELINE].groupby(
        "allocation", sort=False)}
    if not replans:
        return pd.DataFrame()
    return gains_table(plan, replans, problem.weights)


def gains_markdown(problem: Any, gains: pd.DataFrame) -> list[str]:
    """The report's section: what a re-plan from day K could change, and what each re-plan
    gains or loses per crime area against keeping the plan."""
    from sim.runs.statistics import number

    replan = problem.config.replan
    day = replan.from_day
    lines = [f"## Re-plan from the evening of day {day}", "",
             f"Days 1-{day} are the plan's in every proposal (same seeds, same members: "
             f"identical). Shares change from day {day + 1}; scanning teams work at a new place "
             f"from day {day + 1 + replan.scanning_team_delay_days}, Frontex units from day "
             f"{day + 1 + replan.frontex_delay_days} (a day between on the road each). "
             "Difference = re-plan − keeping the plan, mean over the report's fresh members × "
             "seeds, with its 90% interval; `*` where the interval excludes zero.", ""]
    if gains.empty:
        return [*lines, "No re-plan was re-evaluated.", ""]
    for name, table in gains.groupby("allocation", sort=False):
        lines += [f"### `{name}`", "", harm_sentence(table), "",
                  "| crime area | outcome | plan | re-plan | difference "
                  "| 90% interval |", "|---|---|---:|---:|---:|---|"]
        for row in table.itertuples():
            sure = "*" if row.ci_low > 0 or row.ci_high < 0 else ""
            lines.append(f"| {row.area.replace('_', ' ')} | {row.outcome} | {number(row.plan)} "
                         f"| {number(row.replan)} | {number(row.difference)}{sure} | "
                         f"{number(row.ci_low)} to {number(row.ci_high)} |")
        lines.append("")
    return lines


def harm_sentence(table: pd.DataFrame) -> str:
    """One re-plan's verdict in harm against keeping the plan, and its trade-off between crime
    areas in words (`sim.analysis.harm.trade_off`) when one clearly gains and another loses."""
    from sim.analysis.harm import trade_off
    from sim.runs.statistics import number

    index = table[table["outcome"] == "harm_index"].iloc[0]
    verdict = ("less harm done than keeping the plan (more stopped)" if index.ci_low > 0
               else "more harm done than keeping the plan (less stopped)" if index.ci_high < 0
               else "no difference in harm from keeping the plan that the runs can tell")
    words = trade_off({row.outcome: (row.ci_low, row.ci_high) for row in table.itertuples()})
    return (f"Harm index {number(index.difference)} points ({number(index.ci_low)} to "
            f"{number(index.ci_high)}): {verdict}"
            + (f"; a trade-off: {words}." if words else "."))


def write_gains(problem: Any, out: Path) -> pd.DataFrame:
    """A re-plan's gain per crime area and in harm against keeping the plan, from the report's
    fresh runs in the search's folder: `replan.csv` and a section of report.md."""
    from sim.decisions.optimise_harm import RUNS
    from sim.runs import layout
    from sim.runs.results import write_csv

    runs = pd.read_csv(out / RUNS) if (out / RUNS).is_file() else pd.DataFrame()
    gains = remaining_gains(problem, runs)
    write_csv(gains, out / "replan.csv")
    report = (out / "report.md").read_text(encoding="utf-8")
    layout.write_text(out / "report.md", report.rstrip("\n") + "\n\n"
                      + "\n".join(gains_markdown(problem, gains)))
    return gains


def replan(config: str | Path, *, from_day: int, ensemble: str | Path, out: str | Path,
           force: bool = False, command: str = "sim.replan", **overrides: Any
           ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """`sim optimise CONFIG --from-day K --ensemble DIR --out OUT` as a function: the search,
    its out-of-sample report and the gain per crime area against keeping the plan, written to
    `out`. `overrides` are `load_config`'s (trials, replicates, workers, report_replicates).
    Returns the trials, the front, the comparison and the gains."""
    from sim.decisions.optimise_config import load_config
    from sim.decisions.optimise_folder import check, clear
    from sim.decisions.optimise_report import optimise
    from sim.runs.folder import claim

    out = Path(out)
    problem = load_config(config, from_day=from_day, ensemble=ensemble, **overrides)
    with claim(out, "search", force, False, command=command,
               check=lambda folder: check(folder, problem, resume=False, force=force)):
        if force:
            clear(out)
        table, front, comparison = optimise(problem, out=out, command=command)
        gains = write_gains(problem, out)
    return table, front, comparison, gains
