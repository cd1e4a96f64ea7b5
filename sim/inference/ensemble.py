"""The ensemble (`sim ensemble CONFIG`): everything we do not know, in one set of members.

A member is a calibrated posterior draw (`scenarios/posterior.csv`: the assumptions the
calibration fits, *identified*) together with values of every other assumption that has a
plausible range in the registry (*sampled*: `sim/scenario/parameters.py`, `par(...,
plausible=...)`), drawn by a scrambled Sobol sequence (`scipy.stats.qmc.Sobol`, seeded) over
those ranges — in the logarithm for a log range, as a multiplier of the defaults for a mapping.
Candidate i pairs Sobol point i with posterior draw i mod D. Any prefix of a Sobol sequence is
evenly spread (for powers of two exactly), so stopping when enough members are kept leaves a
balanced design.

Each candidate runs every regime of the calibration config (the action week against the
published table, the ordinary week against its outside anchors) on the same few replicate seeds
(common random numbers), and is kept only if it agrees with the bands by history matching
(`sim.inference.history_matching`: largest implausibility at most the cut-off). The kept
members are written like the posterior: a CSV with a `member` column, the posterior `draw` it
holds, the `candidate` it was and its largest `implausibility`, and one column per scenario key
path (`sim.scenario.posterior` reads it), with a JSON record beside it of how it was built. A
candidate table (`<file>_candidates.csv`) records every candidate tried, so an interrupted
build resumes where it stopped. The config, the assumptions and the design are
`sim.inference.ensemble_plan`.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.inference import emulator as emulators
from sim.inference.ensemble_plan import (  # noqa: F401 (the plan's names, re-exported)
    EnsembleConfig,
    Plan,
    candidate,
    design,
    inputs,
    load_plan,
    sampled_columns,
    sampled_values,
    split_assumptions,
)
from sim.inference.experiments import ConfigError, Evaluator
from sim.inference.history_matching import regime_implausibility, worst
from sim.runs import layout
from sim.runs import results as store
from sim.runs.progress import RunProgress
from sim.scenario.files import Problem, ScenarioError
from sim.scenario.posterior import shown_path, with_draw
from sim.scenario.schema import Scenario

BATCH = 8  # candidates per batch: the unit of progress and of resuming


# --- the build ----------------------------------------------------------------------------------

@dataclass
class Build:
    """What a build produced: every candidate tried and the members kept."""

    candidates: pd.DataFrame
    members: pd.DataFrame
    seconds: float = 0.0
    resumed: int = 0
    notes: list[str] = field(default_factory=list)


def evaluate(plan: Plan, indices: list[int], points: np.ndarray, pool: Any,
             pooled: dict[str, pd.Series] | None = None, each_done: Any = None
             ) -> list[dict[str, Any]]:
    """Run a batch of candidates on every regime and judge each by history matching, in two
    stages: a screen of one replicate, regime after regime (the first regime rules out most, so
    the others run only for what it left), judged with the replicate variance `pooled` over
    earlier candidates — with n = 1 the noise term is as large as it gets, so the screen rules
    out little that the full replicates would keep; then the other replicates of those left,
    judged on all of them with their own variance. Without `pooled` (the first batch) every
    candidate runs every replicate."""
    config = plan.config
    sampled_names = [c for columns in sampled_columns(plan.sampled).values() for c in columns]
    rows, live, built = [], [], []
    for index in indices:
        values = candidate(plan, index, points[index])
        row: dict[str, Any] = {"candidate": index, "draw": index % len(plan.draws),
                               "config_digest": plan.digest, "screened": False,
                               "emulated": False}
        try:
            scenarios = [with_draw(r.scenario, values, label=f"candidate {index}",
                                   sampled=sampled_names) for r in plan.regimes]
        except ScenarioError as error:
            row.update(implausibility=math.inf, worst="invalid: " + str(error.problems[0]),
                       kept=False)
            rows.append(row)
            continue
        rows.append(row)
        live.append(row)
        built.append(scenarios)
    seeds, regimes = plan.seeds, plan.regimes
    if not pooled:
        runs = _run(pool, built, seeds, len(regimes), each_done)
        finished = list(range(len(live)))
    else:
        runs = [[pd.DataFrame()] * len(regimes) for _ in live]
        finished = list(range(len(live)))
        for j, regime in enumerate(regimes):  # regime by regime: the first rules out most
            frames = pool.run([built[k][j] for k in finished], seeds[:1], each_done=each_done)
            still = []
            for k, frame in zip(finished, frames, strict=True):
                runs[k][j] = frame
                live[k].update(_means(regime, frame))
                score = regime_implausibility(frame, regime.targets,
                                              discrepancy=config.discrepancy,
                                              pooled=pooled.get(regime.label))
                if score.max() > config.cutoff:
                    live[k].update(_scores({regime.label: score}), kept=False, screened=True,
                                   implausibility=float(score.max()),
                                   worst=f"{regime.label}:{score.idxmax()}")
                else:
                    still.append(k)
            finished = still
        if len(seeds) > 1:
            more = _run(pool, [built[k] for k in finished], seeds[1:], len(regimes), each_done)
            for k, extra in zip(finished, more, strict=True):
                runs[k] = [pd.concat([a, b]) for a, b in zip(runs[k], extra, strict=True)]
    for k in finished:
        row = live[k]
        scores = {r.label: regime_implausibility(runs[k][j], r.targets,
                                                 discrepancy=config.discrepancy,
                                                 pooled=(pooled or {}).get(r.label))
                  for j, r in enumerate(regimes)}
        largest, where = worst(scores)
        for j, regime in enumerate(regimes):
            row.update(_means(regime, runs[k][j]))
        row.update(_scores(scores), implausibility=largest, worst=where,
                   kept=bool(largest <= config.cutoff))
        if len(seeds) > 1:
            row.update({f"V:{r.label}:{outcome}": float(value) for j, r in enumerate(regimes)
                        for outcome, value in runs[k][j][list(r.targets.index)]
                        .var(ddof=1).items()})
    return rows


def _run(pool: Any, built: list[list[Scenario]], seeds: list[int], regimes: int,
         each_done: Any) -> list[list[pd.DataFrame]]:
    """Per candidate, per regime: its rows over `seeds`."""
    flat = [scenario for scenarios in built for scenario in scenarios]
    frames = pool.run(flat, seeds, each_done=each_done) if flat else []
    return [frames[k * regimes:(k + 1) * regimes] for k in range(len(built))]


def _means(regime: Any, frame: pd.DataFrame) -> dict[str, float]:
    """A regime's mean figure of every target over the candidate's runs (the emulators'
    training data)."""
    return {f"M:{regime.label}:{outcome}": float(value)
            for outcome, value in frame[list(regime.targets.index)].mean().items()}


def _scores(scores: dict[str, pd.Series]) -> dict[str, float]:
    return {f"I:{name}:{outcome}": float(value) for name, series in scores.items()
            for outcome, value in series.items()}


def pooled_variances(plan: Plan, rows: list[dict[str, Any]]) -> dict[str, pd.Series] | None:
    """The one-replicate variance of every target, pooled (averaged) over the candidates that
    ran every replicate; None before any has (or with one replicate a candidate)."""
    if len(plan.seeds) < 2:
        return None
    pooled = {}
    for regime in plan.regimes:
        columns = [f"V:{regime.label}:{o}" for o in regime.targets.index]
        table = pd.DataFrame([{c: r.get(c, math.nan) for c in columns} for r in rows])
        means = table.mean(skipna=True) if len(table) else pd.Series(dtype=float)
        if means.isna().all():
            return None
        pooled[regime.label] = pd.Series(means.to_numpy(), index=list(regime.targets.index))
    return pooled


def build(plan: Plan, out: Path | None = None, *, resume: bool = False,
          progress: bool = False) -> Build:
    """Try candidates in order until `members` are kept or `candidates` are spent; with `out`,
    every batch is appended to the candidate table (so `resume` goes on from it) and the
    members and record are written at the end."""
    started = time.monotonic()
    config = plan.config
    points = design(plan.sampled, config.candidates, config.seed)
    table_path = candidates_path(out) if out is not None else None
    done = read_candidates(table_path, plan.digest) if (resume and table_path) else []
    resumed = len(done)
    rows: list[dict[str, Any]] = list(done)
    kept = sum(bool(r["kept"]) for r in rows)
    per_candidate = len(plan.regimes) * len(plan.seeds)
    # in waves most candidates never run: the bar counts the members kept instead
    waves = config.emulator is not None
    with Evaluator(config.workers) as pool, RunProgress(
            config.members - kept if waves else (config.candidates - len(rows)) * per_candidate,
            "ensemble", enabled=progress, unit="members" if waves else "replicates") as bar:
        while kept < config.members and len(rows) < config.candidates:
            indices, batch, judged = next_batch(plan, rows, points)
            for row in evaluate(plan, indices, points, pool, pooled_variances(plan, rows),
                                None if waves else bar.advance):
                if row["candidate"] in judged:
                    emulated = judged[row["candidate"]]
                    row.update(emulated_implausibility=emulated,
                               audited=emulated > config.cutoff)
                batch.append(row)
            rows += sorted(batch, key=lambda row: row["candidate"])
            kept += sum(bool(r["kept"]) for r in batch)
            if waves:
                bar.advance(sum(bool(r["kept"]) for r in batch))
            if table_path is not None:
                append_candidates(table_path, batch, candidate_columns(plan))
    table = pd.DataFrame([{k: v for k, v in r.items() if k != "_values"} for r in rows])
    members = member_table(plan, table, points)
    result = Build(table, members, time.monotonic() - started, resumed)
    if out is not None:
        write_outputs(plan, result, out)
    return result


def next_batch(plan: Plan, rows: list[dict[str, Any]], points: np.ndarray
               ) -> tuple[list[int], list[dict[str, Any]], dict[int, float]]:
    """The next candidates to run (at most `BATCH`), the rows of those the emulators rule out
    on the way (never run), and the emulated implausibility of every candidate the emulators
    judged. Every `audit`-th candidate ruled out runs all the same, so the build measures how
    often the emulators rule out a candidate its runs would keep. Without an emulator in the
    config, or before its first wave has run, the next `BATCH` candidates in order."""
    config, start = plan.config, len(rows)
    if config.emulator is None or ran(rows) < config.emulator.training:
        return list(range(start, min(start + BATCH, config.candidates))), [], {}
    fitted = fit_emulator(plan, rows, points)
    regimes = [(r.label, r.targets) for r in plan.regimes]
    indices: list[int] = []
    screened: list[dict[str, Any]] = []
    judged: dict[int, float] = {}
    while len(indices) < BATCH and start < config.candidates:
        block = np.arange(start, min(start + 8 * BATCH, config.candidates))
        scores = fitted.implausibility(inputs(plan, block, points), regimes,
                                       config.discrepancy)
        for position, index in enumerate(block):
            start = int(index) + 1
            score = scores.iloc[position] if len(scores.columns) else pd.Series(dtype=float)
            largest = float(score.max()) if len(score) else 0.0
            judged[int(index)] = largest
            if largest > config.cutoff and int(index) % config.emulator.audit:
                screened.append({"candidate": int(index), "draw": int(index) % len(plan.draws),
                                 "config_digest": plan.digest, "screened": True,
                                 "emulated": True, "kept": False,
                                 "implausibility": largest, "emulated_implausibility": largest,
                                 "worst": f"emulator:{score.idxmax()}"})
            else:
                indices.append(int(index))
                if len(indices) == BATCH:
                    break
    return indices, screened, judged


def ran(rows: list[dict[str, Any]]) -> int:
    """How many candidates have run (not screened out by an emulator)."""
    return sum(not _flag(r.get("emulated")) for r in rows)


def _flag(value: Any) -> bool:
    return bool(value) and not (isinstance(value, float) and math.isnan(value))


def fit_emulator(plan: Plan, rows: list[dict[str, Any]], points: np.ndarray
                 ) -> emulators.Emulator:
    """The emulators of every target, fitted on the candidates run so far."""
    run = [r for r in rows if not _flag(r.get("emulated"))]
    columns = [f"M:{r.label}:{o}" for r in plan.regimes for o in r.targets.index]
    means = pd.DataFrame([{c: r.get(c, math.nan) for c in columns} for r in run],
                         columns=columns, dtype=float)
    indices = np.array([int(r["candidate"]) for r in run])
    return emulators.fit(inputs(plan, indices, points), means,
                         [(r.label, r.targets) for r in plan.regimes])


def member_table(plan: Plan, table: pd.DataFrame, points: np.ndarray) -> pd.DataFrame:
    """The kept candidates (at most `members`, in the order tried) with their values."""
    if table.empty:
        return pd.DataFrame(columns=["member", "weight", "draw", "candidate", "implausibility"])
    chosen = table[table["kept"].astype(bool)].head(plan.config.members)
    rows = []
    for number, row in enumerate(chosen.itertuples()):
        values = candidate(plan, int(row.candidate), points[int(row.candidate)])
        rows.append({"member": number, "weight": 1.0 / len(chosen), "draw": int(row.draw),
                     "candidate": int(row.candidate),
                     "implausibility": float(row.implausibility), **values})
    return pd.DataFrame(rows)


def candidates_path(out: Path) -> Path:
    return out.with_name(out.stem + "_candidates.csv")


def read_candidates(path: Path, digest: str) -> list[dict[str, Any]]:
    """The candidates an earlier build of the same config tried (none when there is no table);
    a table of another config is refused."""
    if not path.is_file():
        return []
    table = pd.read_csv(path)
    if table.empty:
        return []
    if set(table["config_digest"].astype(str)) != {digest}:
        raise ConfigError([Problem(str(path), None, (), "written by a build of another config, "
                                   "posterior or model scenario; --force starts again")])
    table = table.sort_values("candidate").drop_duplicates("candidate", keep="last")
    if list(table["candidate"]) != list(range(len(table))):
        raise ConfigError([Problem(str(path), None, (), "candidates are missing in the middle; "
                                   "--force starts again")])
    return table.to_dict("records")


def candidate_columns(plan: Plan) -> list[str]:
    """The candidate table's columns: bookkeeping, then I per regime and target."""
    return ["candidate", "draw", "config_digest", "implausibility", "worst", "kept", "screened",
            "emulated", "emulated_implausibility", "audited",
            *(f"I:{r.label}:{outcome}" for r in plan.regimes for outcome in r.targets.index),
            *(f"V:{r.label}:{outcome}" for r in plan.regimes for outcome in r.targets.index),
            *(f"M:{r.label}:{outcome}" for r in plan.regimes for outcome in r.targets.index)]


def append_candidates(path: Path, rows: list[dict[str, Any]], columns: list[str]) -> None:
    """Add a batch to the candidate table (with its header when the table is new; a table
    written before its columns grew is rewritten once with the new columns, empty where
    unknown)."""
    frame = pd.DataFrame([{k: v for k, v in r.items() if k != "_values"} for r in rows],
                         columns=columns)
    new = not (path.is_file() and path.stat().st_size)
    if new:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif list(pd.read_csv(path, nrows=0).columns) != columns:
        frame = pd.concat([pd.read_csv(path).reindex(columns=columns), frame])
        new = True
    frame.to_csv(path, mode="w" if new else "a", header=new, index=False,
                 lineterminator="\n")


def record(plan: Plan, result: Build) -> dict[str, Any]:
    """The JSON record: how the ensemble was built (what the analyses of its runs read)."""
    config, table = plan.config, result.candidates
    columns = sampled_columns(plan.sampled)
    tried = len(table)
    emulated = _emulated(table)
    rejected_by = (table.loc[~table["kept"].astype(bool), "worst"].value_counts().head(10)
                   .to_dict() if tried else {})
    run_time = result.seconds
    return {
        "command": "sim ensemble", "config": str(plan.path), "config_digest": plan.digest,
        "posterior": {"file": shown_path(plan.posterior_file),
                      "sha256": hashlib.sha256(plan.posterior_file.read_bytes()).hexdigest()[:16],
                      "draws": len(plan.draws)},
        "identified": [p.label for p in plan.identified],
        "sampled": [{"label": p.label, "path": p.path, "low": p.low, "high": p.high,
                     "log": p.log, "scale": p.scale, "columns": columns[p.label]}
                    for p in plan.sampled],
        "design": "scrambled Sobol (scipy.stats.qmc.Sobol), candidate i with posterior draw "
                  "i mod D",
        "history_matching": {"cutoff": config.cutoff, "discrepancy": config.discrepancy,
                             "replicates": config.replicates, "seeds": plan.seeds,
                             "regimes": [r.label for r in plan.regimes],
                             "targets": sum(len(r.targets) for r in plan.regimes)},
        "members": len(result.members), "members_wanted": config.members,
        "candidates_tried": tried,
        "acceptance": (len(table[table["kept"].astype(bool)]) / tried) if tried else None,
        "emulator": (None if config.emulator is None
                     else {**config.emulator.model_dump(), "screened_out": emulated,
                           "candidates_run": tried - emulated,
                           "acceptance_of_run": (len(result.members) / (tried - emulated)
                                                 if tried > emulated else None),
                           **_audit(table)}),
        "rejected_most_by": rejected_by, "resumed_candidates": result.resumed,
        "seconds": round(run_time, 1),
        "seconds_per_candidate": round(run_time / max(tried - result.resumed, 1), 2),
        "seconds_per_member": round(run_time / max(len(result.members), 1), 2),
        "finished": layout.now(), "git_commit": layout.git_commit(),
        "packages": layout.package_versions()}


def _emulated(table: pd.DataFrame) -> int:
    """How many candidates of a table the emulators ruled out (never run)."""
    return int(table["emulated"].map(_flag).sum()) if "emulated" in table else 0


def _audit(table: pd.DataFrame) -> dict[str, Any]:
    """What the audit found: of the candidates the emulators ruled out that ran all the same,
    how many their runs kept (the emulators' false exclusions)."""
    if "audited" not in table:
        return {"audited": 0, "audited_kept": 0}
    audited = table[table["audited"].map(_flag)]
    return {"audited": len(audited), "audited_kept": int(audited["kept"].map(_flag).sum())}


def write_outputs(plan: Plan, result: Build, out: Path) -> None:
    """The members (CSV) and the record (JSON beside it, same name)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    store.write_csv(result.members, out)
    layout.write_json(out.with_suffix(".json"), record(plan, result))


def summary_lines(plan: Plan, result: Build) -> list[str]:
    """What the command prints at the end."""
    table = result.candidates
    tried, kept = len(table), len(result.members)
    lines = [f"{kept} members of {plan.config.members} wanted, from {tried} candidates "
             f"({kept / tried:.0%} kept; largest implausibility ≤ {plan.config.cutoff:g} over "
             f"{sum(len(r.targets) for r in plan.regimes)} targets of "
             f"{len(plan.regimes)} regime(s), {plan.config.replicates} replicates each) in "
             f"{result.seconds / 60:.1f} min"
             + (f" ({result.resumed} candidates from an earlier build)" if result.resumed
                else "")] if tried else ["no candidate tried"]
    lines.append(f"identified (posterior draws): {len(plan.identified)}; sampled: "
                 f"{len(plan.sampled)} ({', '.join(p.label for p in plan.sampled)})")
    if tried and plan.config.emulator is not None:
        emulated = _emulated(table)
        audit = _audit(table)
        lines.append(f"emulators (first wave {plan.config.emulator.training} candidates) ruled "
                     f"out {emulated} candidates unrun; {tried - emulated} ran, "
                     f"{kept / max(tried - emulated, 1):.0%} of them kept; of {audit['audited']} "
                     f"ruled out and run all the same (the audit), the runs kept "
                     f"{audit['audited_kept']}")
    if tried and kept < plan.config.members:
        lines.append(f"only {kept} members passed: raise `candidates`, or read which targets "
                     "rule the candidates out (`rejected_most_by` in the record)")
    return lines
