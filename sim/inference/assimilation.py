"""During the action (`sim assimilate`): the daily reports update the ensemble, and the remaining
days are forecast from it beside the forecast made before the action.

1. Every member of the ensemble (`sim ensemble`: posterior draws × the sampled assumptions) runs
   the scenario — the plan as it stands — on R replicate seeds of its own (member i, replicate r:
   seed i × R + r, the layout of `sim run --ensemble`), or the runs of a `sim run --ensemble`
   folder are read. Each run's figures are summed per day
   (and per country where the reports are by country).
2. Each member is weighed by how well its first k days match the reports
   (`sim.inference.likelihood`: a Gaussian synthetic likelihood whose variance holds the
   members' replicate variance, the reporting error `reporting.daily_error` and the model
   discrepancy); the effective sample size (ESS) says on how many members the weights rest.
3. When it collapses (ESS below a tenth of the members), the ensemble is refreshed around the
   survivors (`sim.inference.refresh`: resampling with jitter within the plausible ranges) and
   the new members run too; the forecast then comes from them. When every member misses a
   report by more than three standard deviations the truth lies outside the ensemble: the
   command says so instead of handing over a confident forecast.
4. The forecast of days k+1 to the end under the current allocation: the weighted runs of the
   updated ensemble beside the equally weighted runs of the ensemble before the action
   (`sim.analysis.forecast`).

The output folder holds the updated ensemble (`ensemble.csv`, the ensemble file's format with
the new weights, and `ensemble.json`), `weights.csv`, `fit.csv`, `forecast.csv`,
`forecast.png`, `runs.csv` (every run's daily figures) and `assimilation.json` (the record).
docs/during_the_action.md says what the update assumes.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.forecast import (
    Samples,
    forecast_figure,
    forecast_table,
    period_samples,
    totals,
)
from sim.inference.history_matching import CUTOFF, DISCREPANCY
from sim.inference.kalman import kalman_update
from sim.inference.likelihood import COLLAPSE_SHARE, Fit, fit, fit_table, simulated_sums
from sim.inference.refresh import refresh as refreshed_members
from sim.inference.reports import REPORTABLE, last_day, observed, read_reports, reported_days
from sim.model.outcomes import PLACE_OUTCOMES, with_derived
from sim.runs import layout
from sim.runs import results as store
from sim.runs.posterior import member_seeds
from sim.scenario.posterior import (
    ENSEMBLE_FILE,
    MAX_POSTERIOR_BYTES,
    read_posterior,
    shown_path,
    with_draw,
)
from sim.scenario.reading import read_bytes
from sim.scenario.schema import Scenario

REPLICATES = 2      # per member: enough for the pooled replicate variance
MEMBERS = 100       # of the ensemble, by default (docs/during_the_action.md: why)
FORECAST = ("checks_total", "illegal_entries_detected", "arrests_total",
            "arrests_migrant_smuggling", "arrests_drug_trafficking",
            "arrests_firearms_trafficking", "forged_documents", "weapons_seized",
            "ammunition_seized", "cocaine_kg", "other_drugs_kg", "movements_intercepted")
FILES = ("ensemble.csv", "ensemble.json", "weights.csv", "fit.csv", "forecast.csv",
         "forecast.png", "runs.csv", "assimilation.json")


# --- runs: every member's figures per day -------------------------------------------------------

def day_figures(item: tuple[Scenario, list[int], bool]) -> list[pd.DataFrame]:
    """One member's replicates (a scenario and its seeds; one task, so a worker builds the
    member's staffing and route memos once), each as its figures per day: the whole operation
    (country "") and, when asked, each country (the `country` of daily.csv's places), every
    reportable outcome as a column."""
    from sim.model import JointActionModel

    scenario, seeds, by_country = item
    frames = []
    for seed in seeds:
        model = JointActionModel(scenario, rng=seed).run()
        values = model.tally.values  # outcome x place x day
        nodes = model.graph.nodes
        countries = np.array([nodes[p]["country"] for p in model.place_ids])
        groups: list[tuple[str, Any]] = [("", slice(None))]
        if by_country:
            groups += [(code, countries == code) for code in sorted(set(countries))]
        rows = []
        for code, where in groups:
            sums = values[:, where, :].sum(axis=1)  # outcome x day
            for day in range(values.shape[2]):
                row = with_derived(dict(zip(PLACE_OUTCOMES, sums[:, day].tolist(),
                                            strict=True)))
                rows.append({"day": day + 1, "country": code, **row})
        frames.append(pd.DataFrame(rows, columns=["day", "country", *REPORTABLE]))
    return frames


def run_members(scenarios: list[Scenario], seeds: Sequence[Sequence[int]], *,
                by_country: bool, workers: int, each_done: Callable[[], None] | None = None,
                labels: Sequence[int] | None = None) -> pd.DataFrame:
    """Every member's replicates, member i on `seeds[i]` (`member_seeds`: the layout of
    `sim run --ensemble`, so a folder of those runs gives the same figures): one row per member
    (numbered by `labels`, default 0, 1, …), replicate, day and country."""
    from sim.runs.executor import Executor

    items = [(scenario, list(own), by_country)
             for scenario, own in zip(scenarios, seeds, strict=True)]
    with Executor(workers) as executor:
        done = executor.map(day_figures, items, each_done=each_done)
    frames = []
    labels = list(range(len(scenarios))) if labels is None else [int(m) for m in labels]
    for member, replicates in zip(labels, done, strict=True):
        for replicate, frame in enumerate(replicates):
            frames.append(frame.assign(member=member, replicate=replicate))
    table = pd.concat(frames, ignore_index=True)
    return table[["member", "replicate", *[c for c in table.columns
                                           if c not in ("member", "replicate")]]]


def folder_runs(folder: Path, ensemble_file: Path, members: int | None,
                scenario: Scenario | None = None,
                labels: Sequence[int] | None = None) -> pd.DataFrame:
    """The runs of a `sim run --ensemble` folder over `ensemble_file`, as `run_members` gives
    them (per country as well), refused when the folder ran another file, fewer members or
    (given `scenario`) another scenario: its remaining days would be another plan's. The
    folder numbers its draws by row (0, 1, …); `labels` are the file's member labels of those
    rows, so the runs match the members they ran."""
    from sim.runs.layout import scenario_hash
    from sim.runs.results import ResultsFolderError, load

    results = load(folder)
    if scenario is not None and results.manifest.get("scenario_hash") != scenario_hash(
            scenario):
        raise ResultsFolderError(f"{folder} holds runs of another scenario (or seed) than "
                                 f"{scenario.name}'s: its days after the reports would be "
                                 "another plan's; run the members of this one, or leave --runs "
                                 "out")
    info = results.manifest.get("posterior") or {}
    digest = hashlib.sha256(read_bytes(ensemble_file, MAX_POSTERIOR_BYTES,
                                       "an ensemble file (CSV)")).hexdigest()[:16]
    if info.get("kind") != "ensemble" or info.get("sha256") != digest:
        raise ResultsFolderError(f"{folder} holds no run over the members of {ensemble_file} "
                                 f"(run `sim run SCENARIO --ensemble N --ensemble-file "
                                 f"{ensemble_file} --replicates {REPLICATES} --out {folder}`)")
    held = int(info["draws"])
    if members is not None and held < members:
        raise ResultsFolderError(f"{folder} ran {held} members, fewer than the {members} asked "
                                 f"for; run it again with --ensemble {members}, or leave "
                                 "--members out")
    per = int(info["replicates_per_draw"])
    daily = results.daily
    daily = daily[daily["draw"] < (members or held)]
    member = (daily["draw"] if labels is None
              else daily["draw"].map(dict(enumerate(int(m) for m in labels))))
    place = daily.assign(member=member, replicate=daily["replicate"] % per)
    keys = ["member", "replicate", "day"]
    whole = place.groupby(keys)[list(PLACE_OUTCOMES)].sum().reset_index().assign(country="")
    countries = place.groupby([*keys, "country"])[list(PLACE_OUTCOMES)].sum().reset_index()
    table = pd.concat([whole, countries], ignore_index=True)
    for total, value in with_derived({o: table[o] for o in PLACE_OUTCOMES}).items():
        table[total] = value
    return table[["member", "replicate", "day", "country", *REPORTABLE]]


# --- the update ---------------------------------------------------------------------------------

@dataclass
class Assimilation:
    """What an update produced: the members before, the fit, the updated ensemble and the runs
    behind the two forecasts."""

    scenario: Scenario
    reports: pd.DataFrame
    members: pd.DataFrame            # the ensemble's members used (file rows)
    runs: pd.DataFrame               # their runs
    fit: Fit
    updated: pd.DataFrame            # the updated ensemble (file rows, weights)
    updated_runs: pd.DataFrame       # the runs of the updated ensemble's members
    refreshed: bool
    seeds: list[list[int]]  # each member's replicate seeds
    refreshed_fit: Fit | None = None
    discrepancy: float = DISCREPANCY
    seed: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def day(self) -> int:
        """The evening of the update: the last day reported."""
        return last_day(self.reports)

    @property
    def prior_weights(self) -> pd.Series:
        weights = self.members.set_index("member")["weight"].astype(float)
        return weights / weights.sum()

    @property
    def updated_weights(self) -> pd.Series:
        weights = self.updated.set_index("member")["weight"].astype(float)
        return weights / weights.sum()

    def forecast(self, outcomes: Sequence[str] = FORECAST) -> pd.DataFrame:
        """The forecast table: days k+1 to the end together and each day, the ensemble before
        the action beside the update (`sim.analysis.forecast.forecast_table`)."""
        periods = remaining_periods(self.day, self.scenario.action.days)
        return forecast_table(self.forecasts(outcomes, periods), outcomes, periods,
                              discrepancy=self.discrepancy)

    def forecasts(self, outcomes: Sequence[str] = FORECAST,
                  periods: dict[str, list[int]] | None = None) -> dict[str, Samples]:
        """Samples of both forecasts by period: before the action, the members' runs with
        their weights before; updated, the same runs moved by the ensemble Kalman update
        (`sim.inference.kalman`), each period as a whole, equally weighted."""
        if periods is None:
            periods = remaining_periods(self.day, self.scenario.action.days)
        before = period_samples(self.runs, self.prior_weights, outcomes, periods)
        sums = simulated_sums(self.runs, {key: reported_days(self.reports)[key]
                                          for key in self.fit.observed.index})
        error = float(np.hypot(self.scenario.reporting.daily_error, self.discrepancy))
        updated = {}
        for period, days in periods.items():
            if min(days) <= self.day:
                continue  # reported: nothing to forecast
            table = kalman_update(totals(self.runs, outcomes, days), sums, self.fit.observed,
                                  error=error, seed=self.seed)
            updated[period] = (table, np.full(len(table), 1.0 / len(table)))
        return {"pre_action": before, "updated": updated}

    def figure(self, outcomes: Sequence[str] = FORECAST[:9]) -> Any:
        """The forecast figure: every day, before the action and updated, with the reports."""
        days = self.scenario.action.days
        periods = {f"day {d}": [d] for d in range(1, days + 1)}
        return forecast_figure(self.forecasts(outcomes, periods), outcomes, days, self.day,
                               daily_reported(self.reports), discrepancy=self.discrepancy)


def remaining_periods(day: int, days: int) -> dict[str, list[int]]:
    """The days after the evening of `day`: together, then one by one."""
    rest = list(range(day + 1, days + 1))
    periods = {f"days {rest[0]}-{rest[-1]}": rest} if len(rest) > 1 else {}
    periods.update({f"day {d}": [d] for d in rest})
    return periods


def member_scenarios(scenario: Scenario, members: pd.DataFrame, sampled: list[str]
                     ) -> list[Scenario]:
    return [with_draw(scenario, row, sampled=sampled) for _, row in members.iterrows()]


def assimilate(scenario: Scenario, reports: pd.DataFrame, ensemble: pd.DataFrame, *,
               replicates: int = REPLICATES, workers: int = 2,
               runs: pd.DataFrame | None = None, discrepancy: float = DISCREPANCY,
               collapse_share: float = COLLAPSE_SHARE, refresh_members: int | None = None,
               seed: int = 0, refresh: bool = True,
               progress: Callable[[], None] | None = None) -> Assimilation:
    """Weigh the members of `ensemble` (rows of an ensemble file, `read_posterior`) by the
    `reports` (`read_reports`), refresh them when the weights collapse, and keep the runs
    behind both forecasts. `runs` are the members' runs when already made (`folder_runs`);
    `seed` seeds the refresh's resampling and jitter and the Kalman update's perturbed
    reports; `refresh=False` leaves a collapsed ensemble as it is (the forecast does not use
    the refresh: a study of the forecast saves its runs)."""
    started = time.monotonic()
    sampled = ensemble.attrs.get("sampled", [])
    members = ensemble.reset_index(drop=True)
    seeds = member_seeds(scenario.run.seed, replicates, len(members))
    by_country = bool((reports["country"] != "").any())
    if runs is None:
        runs = run_members(member_scenarios(scenario, members, sampled), seeds,
                           by_country=by_country, workers=workers, each_done=progress,
                           labels=members["member"])
    if set(runs["member"]) != set(members["member"]):
        raise ValueError("the runs are not those of the ensemble's members (members "
                         f"{sorted(set(members['member']) ^ set(runs['member']))[:5]} are in "
                         "one and not the other)")
    days_of = reported_days(reports)
    seen = observed(reports)
    days_of = {key: days_of[key] for key in seen.index}
    prior = members.set_index("member")["weight"].astype(float)
    result = fit(seen, simulated_sums(runs, days_of),
                 report_error=scenario.reporting.daily_error, discrepancy=discrepancy,
                 prior=prior, collapse_share=collapse_share)
    notes = []
    updated = members.assign(weight=result.weights.reindex(members["member"]).to_numpy(),
                             log_likelihood=result.log_likelihood.reindex(
                                 members["member"]).to_numpy())
    updated_runs, refreshed_fit = runs, None
    if result.collapsed:
        notes.append(collapse_note(result, refresh))
    if result.collapsed and refresh:
        rng = np.random.default_rng([seed, scenario.run.seed, last_day(reports)])
        updated = refreshed_members(members, result.weights,
                                    refresh_members or len(members), rng)
        updated_runs = run_members(member_scenarios(scenario, updated, sampled),
                                   member_seeds(scenario.run.seed, replicates, len(updated)),
                                   by_country=by_country, workers=workers, each_done=progress,
                                   labels=updated["member"])
        refreshed_fit = fit(seen, simulated_sums(updated_runs, days_of),
                            report_error=scenario.reporting.daily_error,
                            discrepancy=discrepancy, collapse_share=collapse_share)
    if result.outside:
        notes.append(outside_note(result))
    updated.attrs["sampled"] = sampled
    return Assimilation(scenario, reports, members, runs, result, updated, updated_runs,
                        result.collapsed and refresh, seeds, refreshed_fit, discrepancy, seed,
                        time.monotonic() - started, notes)


def collapse_note(result: Fit, refreshed: bool = True) -> str:
    return (f"the weights collapsed: an effective sample size of {result.ess:.1f} of "
            f"{result.members} members (below {result.collapse_share:.0%})"
            + ("; the ensemble was refreshed around the survivors (new members, resampled "
               "with jitter within the plausible ranges): the re-plan runs over them"
               if refreshed else "; the ensemble was not refreshed"))


def outside_note(result: Fit) -> str:
    best = int(result.implausibility.idxmin())
    worst = result.misses(best).abs().idxmax()
    return (f"no member reproduces the reports: even the closest (member {best}) misses "
            f"{worst[0]}{f' of {worst[1]}' if worst[1] else ''} by "
            f"{result.misses(best).abs().max():.1f} standard deviations (more than {CUTOFF:g} "
            "for every member). What happened lies outside the ensemble's ranges: do not trust "
            "this forecast; look for the assumption the reports contradict (fit.csv, "
            "weights.csv) and widen its range, or refit")


# --- the files --------------------------------------------------------------------------------

def fit_summary(result: Assimilation) -> pd.DataFrame:
    """Per reported quantity: what was reported over its days, and the members' runs before
    the update and those of the updated members (weighted, or refreshed) — mean and 90%
    interval of the sum over those days: how far the updated ensemble reproduces the
    reports."""
    from sim.analysis.forecast import sample_weights, summary

    days_of = reported_days(result.reports)
    rows = []
    sums = {"pre_action": (simulated_sums(result.runs, days_of), result.prior_weights),
            "members": (simulated_sums(result.updated_runs, days_of), result.updated_weights)}
    for key, value in observed(result.reports).items():
        row = {"outcome": key[0], "country": key[1], "days": len(days_of[key]),
               "reported": float(value), "dispersion": float(result.fit.dispersion[key])}
        for name, (table, weights) in sums.items():
            values = summary(table[key], sample_weights(table.index, weights))
            row.update({f"{name}_{k}": v for k, v in values.items()})
        rows.append(row)
    return pd.DataFrame(rows)


def record(result: Assimilation, *, ensemble_file: Path, reports_file: Path, command: str,
           runs_folder: Path | None = None) -> dict:
    """assimilation.json: what was read, the likelihood and its terms, the ESS, the warnings."""
    fit_, refreshed = result.fit, result.refreshed_fit
    return {
        "command": command, "scenario": result.scenario.name,
        "ensemble": {"file": shown_path(ensemble_file), "sha256": _digest(ensemble_file),
                     "members_used": len(result.members)},
        "reports": {"file": shown_path(reports_file), "sha256": _digest(reports_file),
                    "days": result.day, "rows": len(result.reports)},
        "runs": {"replicates_per_member": len(result.seeds[0]), "seeds": result.seeds,
                 "from_folder": str(runs_folder) if runs_folder else None},
        "likelihood": {"kind": "Gaussian synthetic likelihood of the sums over the reported "
                               "days (sim/inference/likelihood.py)",
                       "report_error": result.scenario.reporting.daily_error,
                       "discrepancy": result.discrepancy,
                       "dispersion": {f"{o}:{c}" if c else o: float(v)
                                      for (o, c), v in fit_.dispersion.items()}},
        "ess": round(fit_.ess, 2), "ess_share": round(fit_.ess / fit_.members, 4),
        "collapse_share": fit_.collapse_share, "collapsed": fit_.collapsed,
        "outside": fit_.outside, "closest_implausibility": float(fit_.implausibility.min()),
        "refreshed": result.refreshed,
        "refreshed_members": len(result.updated) if result.refreshed else 0,
        "refreshed_ess": round(refreshed.ess, 2) if refreshed is not None else None,
        "notes": result.notes,
        "sampled": [{"label": "sampled by the ensemble (a scenario's own value wins)",
                     "columns": list(result.updated.attrs.get("sampled", []))}],
        "seconds": round(result.seconds, 1), "finished": layout.now(),
        "git_commit": layout.git_commit(), "packages": layout.package_versions()}


def _digest(path: Path) -> str:
    return hashlib.sha256(read_bytes(path, MAX_POSTERIOR_BYTES, "a file")).hexdigest()[:16]


def write_outputs(result: Assimilation, out: Path, info: dict[str, Any]) -> None:
    """Every file of the folder (`FILES`)."""
    out.mkdir(parents=True, exist_ok=True)
    store.write_csv(result.updated, out / "ensemble.csv")
    layout.write_json(out / "ensemble.json", {
        "command": info["command"], "kind": "updated ensemble",
        "from": info["ensemble"]["file"], "reports": info["reports"]["file"],
        "days": result.day, "ess": info["ess"], "refreshed": result.refreshed,
        "sampled": info["sampled"]})
    store.write_csv(fit_table(result.fit), out / "weights.csv")
    store.write_csv(fit_summary(result), out / "fit.csv")
    store.write_csv(result.forecast(), out / "forecast.csv")
    runs = pd.concat([result.runs.assign(ensemble="pre_action"),
                      result.updated_runs.assign(ensemble="updated")]
                     if result.refreshed else [result.runs.assign(ensemble="pre_action")],
                     ignore_index=True)
    store.write_csv(runs, out / "runs.csv")
    figure = result.figure()
    layout.write_atomically(out / "forecast.png", lambda temporary: figure.savefig(
        temporary, format="png", dpi=110))
    layout.write_json(out / "assimilation.json", info)


def daily_reported(reports: pd.DataFrame) -> pd.Series:
    """The reported figures for the whole operation by (outcome, day), countries summed."""
    return reports.groupby(["outcome", "day"])["value"].sum()


def load_inputs(scenario: Scenario, reports_file: Path, ensemble_file: Path | None,
                members: int | None) -> tuple[pd.DataFrame, pd.DataFrame, Path]:
    """The reports (checked against the scenario's days) and the first `members` members of
    the ensemble file (default: the project's scenarios/ensemble.csv, at most `MEMBERS`)."""
    reports = read_reports(reports_file, days=scenario.action.days)
    if last_day(reports) >= scenario.action.days:
        from sim.inference.reports import ReportError
        from sim.scenario.problems import Problem

        raise ReportError([Problem(str(reports_file), None, ("day",), f"the reports cover "
                                   f"every day of the action ({scenario.action.days}): there "
                                   "is no day left to forecast or re-plan")])
    path = Path(ensemble_file) if ensemble_file is not None else ENSEMBLE_FILE
    table = read_posterior(path)
    if "member" not in table.columns:
        table = table.rename(columns={"draw": "member"}).assign(draw=table["draw"])
    count = members if members is not None else min(len(table), MEMBERS)
    if count > len(table):
        from sim.scenario.problems import Problem, ScenarioError

        raise ScenarioError([Problem(str(path), None, ("members",), f"asked for {count} "
                                     f"members; the file has {len(table)}")])
    chosen = table.iloc[:count].copy()
    chosen.attrs = dict(table.attrs)
    return reports, chosen, path


def update(scenario: Scenario | str | Path, reports: str | Path, *,
           ensemble_file: str | Path | None = None, members: int | None = None,
           replicates: int = REPLICATES, workers: int = 2, runs: str | Path | None = None,
           out: str | Path | None = None, force: bool = False,
           collapse_share: float = COLLAPSE_SHARE, command: str = "sim.assimilate",
           progress: Callable[[], None] | None = None, **overrides: Any) -> Assimilation:
    """`sim assimilate` as a function: read the scenario (with `a__b` overrides, as `sim.run`),
    the report file and the first `members` members of the ensemble file, weigh them, refresh
    them if the weights collapse, and (with `out`) write the folder. `runs` reuses a `sim run
    --ensemble` folder. Nothing is written when an input is wrong."""
    from sim.runs.folder import claim
    from sim.runs.runner import resolve_scenario

    scenario = resolve_scenario(scenario, overrides=overrides)
    table, chosen, path = load_inputs(scenario, Path(reports), ensemble_file, members)
    made = None
    if runs is not None:
        made = folder_runs(Path(runs), path, len(chosen), scenario, labels=chosen["member"])
        replicates = int(made["replicate"].max()) + 1

    def run() -> Assimilation:
        return assimilate(scenario, table, chosen, replicates=replicates, workers=workers,
                          runs=made, collapse_share=collapse_share, progress=progress)

    if out is None:
        return run()
    with claim(Path(out), "assimilation", force, files=FILES, command=command):
        result = run()
        write_outputs(result, Path(out), record(result, ensemble_file=path,
                                                reports_file=Path(reports), command=command,
                                                runs_folder=Path(runs) if runs else None))
    return result
