"""Where the coordination centre's value comes from, decomposed by mechanism (`sim decompose`).

The centre's value is the baseline minus the baseline without the centre, paired on common
seeds. It is split into two steps that add up to it exactly (the paired means telescope):

- relays that would otherwise be lost: the centre at the speed of bilateral channels
  (its handling time set to the bilateral delay) minus no centre, i.e. what the centre's
  reliable relay is worth before it is fast;
- faster relay: the baseline minus the centre at bilateral speed.

Beside them, with the same seeds: the analysts' capacity (twelve analysts against one, and
against none), and the part of the alerts' value that mobile units answering them deliver.
Every difference is `mechanism on − mechanism off` with a 90 % paired t interval.

    sim decompose [SCENARIO] --replicates 30 --doc docs/centre_value.md
    sim decompose ...
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.compare import posterior_rows
from sim.model import BASELINE
from sim.runs.runner import run_many
from sim.runs.statistics import INTERVAL, number, paired_difference
from sim.scenario.files import Problem, ScenarioError, load_scenario, merge, scenario_from_mapping
from sim.scenario.posterior import ENSEMBLE_FILE, read_posterior
from sim.scenario.schema import Scenario

OUTCOMES = ("linked_movements_intercepted", "movements_intercepted", "cases_opened",
            "arrests_total", "alerts_in_time", "movements_displaced")
HEADERS = ("linked movements intercepted", "movements intercepted", "cases opened", "arrests",
           "alerts in time", "movements displaced")


def variants(scenario: Scenario) -> dict[str, dict[str, Any]]:
    """The counterfactuals, as changes to the scenario."""
    bilateral = scenario.parameters.relay_delay_without_centre_hours
    return {
        "baseline": {},
        "no centre": {"europol": {"coordination_centre": {"enabled": False}}},
        "centre at bilateral speed": {"europol": {"coordination_centre": {
            "relay_delay_hours": bilateral}}},
        "one analyst": {"europol": {"analysts_on_ground": 1}},
        "no analysts": {"europol": {"analysts_on_ground": 0}},
        "no mobile units": {"response": {"mobile_share": 0.0}},
    }


# (row, mechanism on, mechanism off, what it means)
STEPS = (
    ("the centre, in all", "baseline", "no centre",
     "baseline minus the baseline without the centre"),
    ("relays that would otherwise be lost", "centre at bilateral speed", "no centre",
     "the centre at the bilateral delay minus no centre"),
    ("faster relay", "baseline", "centre at bilateral speed",
     "the centre's own handling time minus the bilateral delay"),
    ("analyst capacity (12 analysts, not 1)", "baseline", "one analyst",
     "Europol analysts on the ground: 12 against 1"),
    ("analysts at all (12, not none)", "baseline", "no analysts",
     "12 analysts against national cross-checks only"),
    ("units answering alerts", "baseline", "no mobile units",
     "mobile units re-tasked by alerts against none"),
)


def decompose(scenario: Scenario | str | Path = BASELINE, *, replicates: int = 30,
              workers: int | None = None, level: float = INTERVAL,
              ensemble: int | None = None, ensemble_file: str | Path | None = None
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(paired differences by step and outcome, the baseline's means), on common seeds; with
    `ensemble=N`, every variant over the first N members of `ensemble_file` (default
    scenarios/ensemble.csv) × `replicates`: a row's mean is the mean of the per-member
    differences, its interval their central `level` share, with the robustness and the
    deciding assumption of each (`sim.analysis.compare.posterior_rows`)."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if not scenario.europol.coordination_centre.enabled:
        raise ScenarioError([Problem(scenario.name, None, ("europol", "coordination_centre",
                                                           "enabled"),
                                     "decompose takes the centre away step by step, so it "
                                     "needs a scenario with the centre (enabled: true); this "
                                     "one has none")])
    data = scenario.model_dump(mode="json")
    runs = {name: scenario_from_mapping(merge(data, change), label=f"decompose: {name}")
            for name, change in variants(scenario).items()}
    if ensemble:
        return _over_members(scenario, runs, replicates=replicates, workers=workers,
                             level=level, ensemble=ensemble, ensemble_file=ensemble_file)
    results = run_many([(s, None) for s in runs.values()], replicates=replicates,
                       workers=workers, label="decompose")
    summaries = {name: r.summary.set_index("replicate")
                 for name, r in zip(runs, results, strict=True)}
    rows = []
    for step, on, off, meaning in STEPS:
        for outcome in OUTCOMES:
            d = paired_difference(summaries[off][outcome], summaries[on][outcome], level=level)
            rows.append({"step": step, "on": on, "off": off, "meaning": meaning,
                         "outcome": outcome, "n": d.replicates, "mean": d.mean,
                         "ci_low": d.mean_ci_low, "ci_high": d.mean_ci_high})
    means = summaries["baseline"][list(OUTCOMES)].mean()
    return pd.DataFrame(rows), means


BILATERAL_SPEED = "centre at bilateral speed"


def _over_members(scenario: Scenario, runs: dict[str, Scenario], *, replicates: int,
                  workers: int | None, level: float, ensemble: int,
                  ensemble_file: str | Path | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`decompose` over ensemble members. The centre at bilateral speed takes each member's
    own bilateral delay (a sampled assumption): its runs go over a copy of the members with
    the centre's delay set to it, the same members and seeds otherwise, and are paired with
    the others as runs over the members themselves."""
    file = Path(ensemble_file) if ensemble_file is not None else ENSEMBLE_FILE
    others = {name: s for name, s in runs.items() if name != BILATERAL_SPEED}
    results = dict(zip(others, run_many([(s, None) for s in others.values()],
                                        replicates=replicates, workers=workers,
                                        label="decompose", ensemble=ensemble,
                                        ensemble_file=file), strict=True))
    with tempfile.TemporaryDirectory() as folder:
        members = read_posterior(file)
        delay = "parameters.relay_delay_without_centre_hours"
        members["europol.coordination_centre.relay_delay_hours"] = members.get(
            delay, scenario.parameters.relay_delay_without_centre_hours)
        copy = Path(folder) / file.name
        members.to_csv(copy, index=False)
        if file.with_suffix(".json").is_file():
            shutil.copy(file.with_suffix(".json"), copy.with_suffix(".json"))
        [bilateral] = run_many([(runs[BILATERAL_SPEED], None)], replicates=replicates,
                               workers=workers, label="decompose", ensemble=ensemble,
                               ensemble_file=copy)
    held = results["baseline"].manifest["posterior"]
    results[BILATERAL_SPEED] = replace(
        bilateral, manifest={**bilateral.manifest, "posterior": held})
    rows = []
    for step, on, off, meaning in STEPS:
        for row in posterior_rows(results[off], results[on], level=level, outcomes=OUTCOMES):
            rows.append({"step": step, "on": on, "off": off, "meaning": meaning,
                         "outcome": row["outcome"], "n": row["n"], "mean": row["difference"],
                         "ci_low": row["ci_low"], "ci_high": row["ci_high"],
                         "members": row["draws"], "robustness": row["robustness"],
                         "deciding": row["deciding"], "deciding_share": row["deciding_share"],
                         "deciding_low": row["deciding_low"],
                         "deciding_high": row["deciding_high"],
                         "deciding_evppi": row["deciding_evppi"]})
    means = results["baseline"].summary[list(OUTCOMES)].mean()
    return pd.DataFrame(rows), means


def _cell(row: pd.Series) -> str:
    signed = lambda v: ("+" if v > 0 else "") + number(v)  # noqa: E731
    return f"{signed(row['mean'])} ({signed(row['ci_low'])} to {signed(row['ci_high'])})"


def _over(days: int) -> str:
    """'the six days' of the action (in words up to ten), 'the one day'."""
    words = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    return f"the {words[days - 1] if days <= len(words) else days} day" + ("s" * (days > 1))


def markdown(table: pd.DataFrame, means: pd.Series, *, command: str, replicates: int,
             seconds: float, days: int = 6, members: int | None = None) -> str:
    """The docs page: how to read it, the table, and the command that made it."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=False).stdout.strip() or "unknown"
    except OSError:
        commit = "unknown"
    lines = [
        "# What the coordination centre buys, by mechanism",
        "",
        f"Generated by `{command}` on {dt.date.today().isoformat()} (git {commit}, "
        + (f"{members} ensemble members × {replicates} replicate{'s' * (replicates > 1)}, "
           f"{seconds:.0f} s). Each cell is the mean over the members of the paired difference "
           f"*mechanism on − mechanism off* over {_over(days)}, with the central 90 % of the "
           "per-member differences (what the mechanism is worth across the assumptions the "
           "ensemble leaves open, with each member's week); every scenario ran the same "
           "members and seeds (common random numbers)." if members else
           f"{replicates} paired replicates, {seconds:.0f} s). Each cell is the mean paired "
           f"difference *mechanism on − mechanism off* over {_over(days)}, with its 90 % t "
           "interval; every scenario ran the same seeds (common random numbers)."),
        "",
        "How the model produces the value: a hit is linked to its network (national databases "
        "at once, Europol analysts with the time they have), then travels as a message: the "
        "national channel, the coordination centre (whose coordination officers on duty relay "
        "messages in turn to the countries with liaison officers there) or bilateral channels "
        "(late, and often lost), and the receiving national channel. An alert that arrives "
        "while a linked movement still has the country ahead raises its chance of being "
        "stopped there (flagged at crossings and ports, and mobile units may go to meet it); "
        "after it has passed it is worth nothing. Linked hits abroad are also evidence that "
        "must reach the network's home country before the follow-up window closes. The first "
        "three rows add up: *the centre, in all* = *relays that would otherwise be lost* + "
        "*faster relay*. Speed shows mostly in interceptions: a relay delay shorter than the "
        "follow-up window (`follow_up_hours`, 72 h by default) still brings the evidence home "
        "in time, so faster relay adds cases only through the linked movements it stops "
        "(tests/model/test_relay.py gives the measured sizes for 1 h against 24 h).",
        "",
        "| mechanism | what is compared | " + " | ".join(HEADERS) + " |",
        "|---|---|" + "---|" * len(HEADERS),
        "| baseline mean | | " + " | ".join(number(means[o]) for o in OUTCOMES) + " |",
    ]
    for step, group in table.groupby("step", sort=False):
        cells = group.set_index("outcome")
        lines.append(f"| {step} | {group['meaning'].iloc[0]} | "
                     + " | ".join(_cell(cells.loc[o]) for o in OUTCOMES) + " |")
    if members:
        lines += deciding_lines(table)
    lines += ["", "## Reading", "", *reading(table, means), "",
              "Source table: `decomposition.csv` in the output folder of the command.", ""]
    return "\n".join(lines)


def deciding_lines(table: pd.DataFrame) -> list[str]:
    """Over ensemble members: for the centre in all, per outcome, how robust its value is,
    the assumption that decides it (with the value at the low and high ends of that
    assumption's range) and what knowing that assumption would be worth (EVPPI, in the
    outcome's units; sim/analysis/deciding.py)."""
    lines = ["", "## What decides the centre's value", "",
             "| outcome | the centre, in all | robustness | deciding assumption | share of the "
             "spread | at its low end | at its high end | value of knowing it |",
             "|---|---|---:|---|---:|---:|---:|---:|"]
    rows = table[table["step"] == STEPS[0][0]].set_index("outcome")
    for outcome, header in zip(OUTCOMES, HEADERS, strict=True):
        row = rows.loc[outcome]
        decided = isinstance(row["deciding"], str) and bool(row["deciding"])
        dash = "–"
        lines.append("| " + " | ".join([
            header, _cell(row),
            dash if row["robustness"] != row["robustness"] else f"{row['robustness']:.0%}",
            f"`{row['deciding']}`" if decided else dash,
            f"{row['deciding_share']:.0%}" if decided else dash,
            number(row["deciding_low"]) if decided else dash,
            number(row["deciding_high"]) if decided else dash,
            number(row["deciding_evppi"]) if decided else dash]) + " |")
    return lines


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole > 0 else "–"


def reading(table: pd.DataFrame, means: pd.Series) -> list[str]:
    """The decomposition in sentences, written from the table (the README quotes them)."""
    cell = table.set_index(["step", "outcome"])

    def mean(step: str, outcome: str) -> float:
        return float(cell.loc[(step, outcome), "mean"])

    def shown(step: str, outcome: str) -> str:
        row = cell.loc[(step, outcome)]
        return (f"{number(row['mean'])} ({number(row['ci_low'])} to {number(row['ci_high'])})")

    total, lost, fast = "the centre, in all", "relays that would otherwise be lost", "faster relay"
    cases, linked = "cases_opened", "linked_movements_intercepted"
    analysts = "analyst capacity (12 analysts, not 1)"
    return [
        f"- The centre buys {shown(total, cases)} of the {number(means[cases])} cases opened "
        f"and {shown(total, linked)} of the {number(means[linked])} interceptions of linked "
        f"movements, and {shown(total, 'arrests_total')} arrests.",
        f"- Cases: {_share(mean(lost, cases), mean(total, cases))} of the centre's cases come "
        f"from relays that would otherwise be lost (evidence that bilateral channels drop) and "
        f"{_share(mean(fast, cases), mean(total, cases))} from faster relay (evidence that "
        "arrives before the follow-up window closes).",
        f"- Interceptions of linked movements: {_share(mean(fast, linked), mean(total, linked))} "
        f"of the centre's come from faster relay (alerts that arrive while the linked movement "
        f"still has the country ahead) and {_share(mean(lost, linked), mean(total, linked))} "
        "from relays that would otherwise be lost.",
        f"- Analyst capacity: twelve analysts rather than one add {shown(analysts, linked)} "
        f"linked interceptions and {shown(analysts, cases)} cases; mobile units answering "
        f"alerts add {shown('units answering alerts', linked)} linked interceptions.",
    ]










