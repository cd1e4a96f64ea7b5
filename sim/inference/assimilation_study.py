"""Does the update help? A study on synthetic truths drawn from the ensemble and held out of it.

Member j of the ensemble is held out, and each of its own runs plays a truth (its own week,
luck included: no other member runs its seeds), whose first k days, summed over the places, are
the reports. The other members are the ensemble: before the action with their own weights,
after the update weighted by the reports (and refreshed when the weights collapse) — the very
steps of `sim assimilate` (`sim.inference.assimilation`). Both forecasts of days k+1 to the end
are scored against what the truth did on those days, per outcome:

- the continuous ranked probability score (`sim.analysis.forecast.crps`; lower is better): the
  update should beat the forecast before the action for most outcomes;
- whether the 90% predictive interval holds the truth: it should for at least 80% of
  outcomes × truths (90% if the forecast were exactly calibrated).

The members' runs are made once and serve both as the ensemble and as the truths (leave one
member out), so a study of every member costs no run beyond the members' own: with 100 members
of 2 replicates it has 200 truths. It needs them: the update moves most outcomes by a few per
cent, and with 20 truths the ratio of the scores has an interval of ±10% (docs/
during_the_action.md shows the study at both sizes). Only a refresh runs new members. Where no
ensemble file has been built (`scenarios/ensemble.csv` is built after a refit),
`candidate_members` gives the ensemble's candidates before history matching: posterior draws
with the sampled assumptions of `calibration/ensemble.yaml`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.forecast import (
    HIGH,
    LOW,
    crps,
    period_samples,
    totals,
    weighted_quantile,
    with_discrepancy,
)
from sim.inference.assimilation import (
    FORECAST,
    REPLICATES,
    Assimilation,
    assimilate,
    day_figures,
    member_scenarios,
    run_members,
)
from sim.inference.history_matching import DISCREPANCY
from sim.runs.posterior import member_seeds
from sim.scenario.posterior import with_draw
from sim.scenario.schema import Scenario

REPORTED = ("checks_persons", "checks_vehicles", "illegal_entries_detected",
            "forged_documents", "arrests_migrant_smuggling", "arrests_drug_trafficking",
            "arrests_firearms_trafficking", "weapons_seized", "ammunition_seized", "cocaine_kg",
            "other_drugs_kg")
TRUTH_SEED = 36  # root of the seeds of truths run apart (`truth_runs`): none is a member's seed


def candidate_members(config: str, count: int) -> pd.DataFrame:
    """The first `count` candidates of an ensemble config (posterior draw i mod D with Sobol
    point i of the sampled assumptions) as an ensemble file's rows, before history matching."""
    from sim.inference.ensemble import candidate, design, load_plan, sampled_columns

    plan = load_plan(config)
    points = design(plan.sampled, count, plan.config.seed)
    rows = [{"member": i, "weight": 1.0 / count, "draw": i % len(plan.draws), "candidate": i,
             **candidate(plan, i, points[i])} for i in range(count)]
    table = pd.DataFrame(rows)
    table.attrs["sampled"] = [c for columns in sampled_columns(plan.sampled).values()
                              for c in columns]
    return table


def synthetic_reports(truth_runs: pd.DataFrame, days: int, outcomes: Sequence[str]
                      ) -> pd.DataFrame:
    """A report file's rows from one run's figures: days 1..`days`, the whole operation."""
    whole = truth_runs[(truth_runs["country"] == "") & (truth_runs["day"] <= days)]
    long = whole.melt(id_vars=["day"], value_vars=list(outcomes), var_name="outcome")
    long = long.assign(country="", line=np.arange(len(long)) + 2)
    return long[["line", "day", "outcome", "value", "country"]].reset_index(drop=True)


def truth_runs(scenario: Scenario, values: dict, seed: int) -> pd.DataFrame:
    """One run of a truth (its values written over the scenario) on its own seed."""
    return day_figures((with_draw(scenario, values, label="truth"), [seed], False))[0]


@dataclass
class Study:
    """Per truth and outcome the two forecasts' scores; per truth the update's diagnostics."""

    scores: pd.DataFrame
    truths: pd.DataFrame
    between: pd.Series | None = None  # per outcome, `between_member_share`

    def summary(self) -> pd.DataFrame:
        """Per outcome: mean CRPS before and after, the share of truths the update improves,
        each forecast's coverage of the truth by its 90% interval and, where known, the share
        of the remaining days' spread that lies between members."""
        grouped = self.scores.groupby("outcome", sort=False)
        before = grouped["crps_pre_action"].mean()
        between = {} if self.between is None else {
            "between_member_share": self.between.reindex(before.index)}
        return pd.DataFrame({
            "crps_pre_action": before,
            "crps_updated": grouped["crps_updated"].mean(),
            "improved_share": grouped.apply(lambda g: float(
                (g["crps_updated"] < g["crps_pre_action"]).mean()), include_groups=False),
            "coverage_pre_action": grouped["covered_pre_action"].mean(),
            "coverage_updated": grouped["covered_updated"].mean(),
            "crps_weighted": grouped["crps_weighted"].mean(),
            "coverage_weighted": grouped["covered_weighted"].mean(),
            **between}).join(self.ratio_interval()[["ratio_low", "ratio_high"]]).reset_index()

    def ratio_interval(self, draws: int = 2000, level: float = 0.9, seed: int = 0
                       ) -> pd.DataFrame:
        """Per outcome, the ratio of the mean CRPS updated to before and its `level` interval
        by a bootstrap over the truths (the same truths resampled for both forecasts; the runs
        of one held-out member resampled together, as they share its assumptions): how far the
        truths pin the ratio down."""
        rng = np.random.default_rng(seed)
        before = self.scores.pivot(index="truth", columns="outcome", values="crps_pre_action")
        after = self.scores.pivot(index="truth", columns="outcome", values="crps_updated")
        clusters = (self.truths.set_index("truth")["member"].reindex(before.index)
                    if "member" in self.truths else pd.Series(before.index, before.index))
        codes, _ = pd.factorize(clusters)
        picks = rng.integers(0, codes.max() + 1, size=(draws, codes.max() + 1))
        counts = np.stack([np.bincount(p, minlength=codes.max() + 1) for p in picks])[:, codes]
        ratios = ((counts @ after.to_numpy()) / (counts @ before.to_numpy()))
        low, high = np.quantile(ratios, [(1 - level) / 2, (1 + level) / 2], axis=0)
        return pd.DataFrame({"ratio": after.mean() / before.mean(), "ratio_low": low,
                             "ratio_high": high}, index=before.columns)

    def verdict(self) -> dict[str, float]:
        """The two numbers the done-when asks for, and how many outcomes the update changes
        by more than `CLEARLY` of the CRPS either way (a lower CRPS by a hair is a tie)."""
        table = self.summary()
        ratio = table["crps_updated"] / table["crps_pre_action"]
        return {"outcomes_improved": float((table["crps_updated"]
                                            < table["crps_pre_action"]).mean()),
                "outcomes_improved_clearly": float((ratio <= 1 - CLEARLY).mean()),
                "outcomes_worse_clearly": float((ratio >= 1 + CLEARLY).mean()),
                "coverage_updated": float(self.scores["covered_updated"].mean()),
                "coverage_pre_action": float(self.scores["covered_pre_action"].mean()),
                "outcomes_improved_weighted": float((table["crps_weighted"]
                                                     < table["crps_pre_action"]).mean()),
                "coverage_weighted": float(self.scores["covered_weighted"].mean()),
                "truths": float(len(self.truths)),
                "collapsed_share": float(self.truths["collapsed"].mean()),
                "outside_share": float(self.truths["outside"].mean())}


CLEARLY = 0.01  # a change of the mean CRPS smaller than this share counts as a tie


def between_member_share(runs: pd.DataFrame, outcomes: Sequence[str], days: Sequence[int]
                         ) -> pd.Series:
    """Per outcome, the share of the spread of `days`' totals over the members' runs that lies
    between members: the variance of the members' means (less what their replicates' noise
    adds to it) over that plus the variance within a member. Knowing the member exactly would
    remove this share at most; the rest is the luck of those days, which the reports of
    earlier days foretell only where a run's days hang together (a network stopped on day 1
    does not cross on day 4)."""
    table = totals(runs, outcomes, days)
    by_member = table.groupby(level="member")
    replicates = by_member.size().mean()
    within = by_member.var(ddof=1).mean()
    between = (by_member.mean().var(ddof=1) - within / replicates).clip(lower=0)
    return (between / (between + within)).fillna(0.0)


def score(result: Assimilation, truth: pd.DataFrame, outcomes: Sequence[str]) -> list[dict]:
    """The forecasts of days k+1 to the end against the truth's own figures: before the
    action, updated (the Kalman update of the runs), and — to show why the update is not the
    importance weights alone — the members' runs weighted by the likelihood."""
    days = list(range(result.day + 1, result.scenario.action.days + 1))
    period = {f"days {days[0]}-{days[-1]}": days}
    actual = totals(truth.assign(member=0, replicate=0), outcomes, days).iloc[0]
    forecasts = result.forecasts(outcomes, period)
    forecasts["weighted"] = period_samples(result.runs, result.fit.weights, outcomes, period)
    rows = []
    for outcome in outcomes:
        row = {"outcome": outcome, "actual": float(actual[outcome])}
        for name, samples in forecasts.items():
            table, weights = samples[next(iter(period))]
            values, w = with_discrepancy(table[outcome], weights, result.discrepancy)
            low, high = weighted_quantile(values, w, [LOW, HIGH])
            row[f"crps_{name}"] = crps(values, w, float(actual[outcome]))
            row[f"covered_{name}"] = bool(low <= actual[outcome] <= high)
        rows.append(row)
    return rows


def run_study(scenario: Scenario, ensemble: pd.DataFrame, *, truths: int, report_days: int,
              replicates: int = REPLICATES, workers: int = 2,
              reported: Sequence[str] = REPORTED, forecast: Sequence[str] = FORECAST,
              discrepancy: float = DISCREPANCY, refresh: bool = False,
              runs: pd.DataFrame | None = None,
              progress: Callable[[str], None] | None = None) -> Study:
    """Leave one member out, for the first `truths` members of `ensemble` in turn: each of the
    held-out member's runs plays a truth, the other members are the ensemble it updates. The
    forecast does not use the refresh of a collapsed ensemble, so the study runs none unless
    `refresh` (then its diagnostics are recorded too)."""
    members = ensemble.reset_index(drop=True)
    sampled = members.attrs.get("sampled", [])
    seeds = member_seeds(scenario.run.seed, replicates, len(members))
    say = progress or (lambda _: None)
    if runs is None:  # (given: the members' runs of an earlier study on the same seeds)
        say(f"{len(members)} members x {replicates} replicates")
        runs = run_members(member_scenarios(scenario, members, sampled), seeds,
                           by_country=False, workers=workers, labels=members["member"])
    rows, diagnostics = [], []
    for j in range(truths):
        member = members.iloc[j]["member"]
        others = members[members["member"] != member].copy()
        others.attrs["sampled"] = sampled
        mine = runs[runs["member"] != member]
        held_out = runs[runs["member"] == member]
        for replicate, truth in held_out.groupby("replicate", sort=True):
            number = len(diagnostics)
            reports = synthetic_reports(truth, report_days, reported)
            result = assimilate(scenario, reports, others, replicates=replicates,
                                workers=workers, runs=mine, discrepancy=discrepancy,
                                seed=number, refresh=refresh)
            say(f"member {j + 1} of {truths}, run {replicate + 1}: ESS {result.fit.ess:.1f}"
                + (" (collapsed, refreshed)" if result.refreshed else "")
                + (" (outside)" if result.fit.outside else ""))
            rows += [{"truth": number, **r} for r in score(result, truth, forecast)]
            diagnostics.append({"truth": number, "member": int(member),
                                "replicate": int(replicate), "ess": result.fit.ess,
                                "collapsed": result.fit.collapsed,
                                "outside": result.fit.outside,
                                "refreshed_ess": (result.refreshed_fit.ess
                                                  if result.refreshed_fit else np.nan)})
    later = range(report_days + 1, scenario.action.days + 1)
    return Study(pd.DataFrame(rows), pd.DataFrame(diagnostics),
                 between_member_share(runs, forecast, later))


# --- the generated section of docs/during_the_action.md -----------------------------------------

STUDY_START, STUDY_END = "<!-- study:start -->", "<!-- study:end -->"


def study_markdown(folder: Path) -> str:
    """The study of a `sim assimilate --study` folder as the document shows it: what ran, the
    verdict, and per outcome the scores of the three forecasts."""
    from sim.runs.layout import read_json
    from sim.runs.statistics import number

    info = read_json(folder / "study.json")
    summary = pd.read_csv(folder / "summary.csv")
    verdict = info["verdict"]
    lines = [f"`{info['command']}` ({info['finished'][:10]}, git {info.get('git_commit') or '?'}"
             f"; {info['minutes']} min): {_truths(info)}, "
             f"{info['report_days']} days reported, {info['replicates']} replicates a member.",
             "", f"**The update beats the forecast before the action (lower mean CRPS) for "
             f"{verdict['outcomes_improved']:.0%} of the outcomes; its 90% intervals hold the "
             f"truth for {verdict['coverage_updated']:.0%} of outcomes × truths** (before the "
             f"action: {verdict['coverage_pre_action']:.0%}). The members' runs weighted by the "
             f"likelihood alone would beat it for {verdict['outcomes_improved_weighted']:.0%} "
             f"of the outcomes, covering {verdict['coverage_weighted']:.0%}. The weights "
             f"collapsed (ESS below a tenth of the members) for "
             f"{verdict['collapsed_share']:.0%} of the truths; none of them was said to lie "
             f"outside the ensemble." if not verdict["outside_share"] else
             f"{verdict['collapsed_share']:.0%} of the truths; {verdict['outside_share']:.0%} "
             "were said to lie outside the ensemble."]
    if "outcomes_improved_clearly" in verdict:
        count = len(summary)
        lines[-1] += (
            f" Counting a change of the mean CRPS under {CLEARLY:.0%} as a tie, the update is "
            f"better for {round(verdict['outcomes_improved_clearly'] * count)} of the "
            f"{count} outcomes and worse for {round(verdict['outcomes_worse_clearly'] * count)}.")
    between = "between_member_share" in summary
    interval = "ratio_low" in summary
    lines += ["", "| outcome | CRPS before | CRPS updated | ratio"
              + (" (90% over truths)" if interval else "") + " | truths improved | 90% "
              "coverage before | updated | CRPS weighted only |"
              + (" spread between members |" if between else ""),
              "|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if between else "")]
    for row in summary.itertuples():
        lines.append(f"| {row.outcome} | {number(row.crps_pre_action)} | "
                     f"{number(row.crps_updated)} | "
                     f"{row.crps_updated / row.crps_pre_action:.3f}"
                     + (f" ({row.ratio_low:.2f}-{row.ratio_high:.2f})" if interval else "")
                     + f" | {row.improved_share:.0%} | "
                     f"{row.coverage_pre_action:.0%} | {row.coverage_updated:.0%} | "
                     f"{number(row.crps_weighted)} |"
                     + (f" {row.between_member_share:.0%} |" if between else ""))
    return "\n".join(lines)


def _truths(info: dict) -> str:
    """Where a study's truths came from (a study written before the held-out members' own runs
    were the truths ran each truth apart)."""
    ensemble = ("candidates before history matching" if info.get("before_history_matching")
                else info["ensemble"])
    if "held_out" in info:
        return (f"{int(info['held_out'])} of {info['members']} members ({ensemble}) held out "
                f"in turn, each of their runs a truth ({int(info['truths'])} truths)")
    return (f"{int(info['truths'])} truths drawn from {info['members']} members ({ensemble}) "
            "and held out")


def write_study_section(target: Path, folder: Path) -> None:
    """Replace the text between the study markers of `target` with the study of `folder`."""
    text = target.read_text(encoding="utf-8")
    start, end = text.index(STUDY_START) + len(STUDY_START), text.index(STUDY_END)
    target.write_text(text[:start] + "\n" + study_markdown(folder) + "\n" + text[end:],
                      encoding="utf-8")
