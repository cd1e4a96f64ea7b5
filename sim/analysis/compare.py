"""Comparing scenarios: the difference of every outcome from a base scenario, with its interval.

Scenarios run with the same seeds see the same traffic and the same criminals in replicate k
(common random numbers), so the difference is taken replicate by replicate (paired) and its
interval measures the change of allocation, not the noise of two independent weeks. When the
seeds differ the two samples are independent and the difference of means gets a bootstrap
interval. `pairing_gain` measures how much narrower pairing makes the interval.

Besides the model's outcomes, the table holds the harm index and its parts by crime area
(`sim.analysis.harm`), computed from each run's summary when it is read with the weights given
as `harm=` (a file, a shipped set's name or a mapping; default the shipped default): a change
of weights changes those rows and nothing else, without a re-run. Their `harm_weights` column
names the weights file and its sha256.

Defaults: `method="auto"` (Student t on the paired differences; bootstrap when unpaired) and
`level=0.90` (`sim.runs.statistics.INTERVAL`, the level used everywhere else in the project).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import warnings
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import deciding as deciding_module
from sim.analysis.harm import HarmWeights, add_harm, resolve_weights
from sim.analysis.headline import MIN_DRAWS, as_html, as_text
from sim.analysis.pairing import is_paired, paired_runs
from sim.model.outcomes import (
    HARM_OUTCOME_NAMES,
    HARM_OUTCOMES,
    OUTCOME_NAMES,
    OUTCOMES,
    READ_OUTCOME_NAMES,
)
from sim.runs.results import Results, load, write_csv
from sim.runs.statistics import INTERVAL, paired_difference, reduce, unpaired_difference

COMPARISON = "comparison.csv"
DECIDING_FILE = "deciding.csv"
METHODS = ("auto", "t", "bootstrap")
RESAMPLES = 4000  # bootstrap resamples: the interval's ends move by < 1% of its width
BOOTSTRAP_SEED = 20231113  # a fixed seed: the same folders always give the same table
COLUMNS = ("scenario", "outcome", "unit", "base_mean", "mean", "difference",
           "relative_difference", "ci_low", "ci_high", "paired", "n", "base", "base_n",
           "method", "level", "per_day", "draws", "robustness", "deciding", "deciding_share",
           "deciding_low", "deciding_high", "deciding_evppi", "next_deciding", "next_share",
           "evpi", "harm_weights")
DECIDING = ("deciding", "deciding_share", "deciding_low", "deciding_high", "deciding_evppi",
            "next_deciding", "next_share", "evpi")  # runs over draws or members only
UNITS = {o.name: o.unit for o in (*OUTCOMES, *HARM_OUTCOMES)}
HarmLike = str | Path | HarmWeights | Mapping[str, float] | None


class ComparisonError(ValueError):
    """Runs or folders that cannot be compared as asked (said to the user, exit status 2)."""


class ComparisonTable(pd.DataFrame):
    """What `compare` returns: a DataFrame with comparison.csv's columns (`COLUMNS`) that
    prints as a planner reads it, the headline outcomes with plain labels and a sentence per
    scenario (`sim.analysis.headline`). Anything done to it (a selection, a sort) gives a plain
    DataFrame; `pd.DataFrame(comparison)` is the plain table."""

    @property
    def _constructor(self):
        return pd.DataFrame

    def _readable(self) -> bool:
        return set(COLUMNS) <= set(self.columns)

    def __repr__(self) -> str:
        return as_text(self) if self._readable() else pd.DataFrame.__repr__(self)

    __str__ = __repr__

    def _repr_html_(self) -> str | None:
        return as_html(self) if self._readable() else pd.DataFrame._repr_html_(self)

# outcomes that are not totals over the action's days: never divided by its length
NOT_PER_DAY = frozenset(o.name for o in (*OUTCOMES, *HARM_OUTCOMES) if not o.total)


def action_days(results: Results) -> int | None:
    """How many days the run's action lasted (from its manifest; None when unknown)."""
    days = (results.manifest.get("scenario") or {}).get("action", {}).get("days")
    return int(days) if days else None


def per_day(results: Results) -> Results:
    """The same run with every total divided by the action's days (waits and officers as
    they are), so actions of different lengths compare like for like."""
    days = action_days(results)
    if not days:
        raise ValueError(f"'{results.scenario_name}': the manifest does not say how many days "
                         "the action lasted")
    summary = results.summary.copy()
    totals = [o for o in READ_OUTCOME_NAMES if o in summary and o not in NOT_PER_DAY]
    summary[totals] = summary[totals].astype(float) / days
    return results.replaced(summary=summary)


def same_model(base: Results, other: Results) -> bool:
    """Both runs came from the same model source (manifest `code_hash`; True when unknown)."""
    codes = base.manifest.get("code_hash"), other.manifest.get("code_hash")
    return None in codes or codes[0] == codes[1]


def bootstrap_interval(base: pd.Series | np.ndarray, other: pd.Series | np.ndarray, *,
                       paired: bool, level: float = INTERVAL, resamples: int = RESAMPLES,
                       seed: int = BOOTSTRAP_SEED) -> tuple[float, float]:
    """Percentile bootstrap interval of `mean(other) − mean(base)`.

    Paired: the replicate-by-replicate differences are resampled (`base` and `other` aligned by
    position). Unpaired: each sample is resampled on its own, as independent runs would vary.
    """
    a, b = np.asarray(base, dtype=float), np.asarray(other, dtype=float)
    if paired and len(a) != len(b):
        raise ValueError(f"a paired bootstrap needs samples of equal length, got {len(a)} "
                         f"and {len(b)}")
    if min(len(a), len(b)) < 2:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    if paired:
        differences = b - a
        picks = rng.integers(0, len(differences), size=(resamples, len(differences)))
        means = differences[picks].mean(axis=1)
    else:
        means = (b[rng.integers(0, len(b), size=(resamples, len(b)))].mean(axis=1)
                 - a[rng.integers(0, len(a), size=(resamples, len(a)))].mean(axis=1))
    low, high = np.quantile(means, [0.5 - level / 2, 0.5 + level / 2])
    return float(low), float(high)


def difference_interval(base: pd.Series, other: pd.Series, *, paired: bool,
                        method: str = "auto", level: float = INTERVAL,
                        resamples: int = RESAMPLES) -> tuple[float, float, float, str]:
    """Mean difference (other − base), its interval and the method used to get it.

    `base` and `other` are indexed by replicate; paired differences use only the replicates
    both have. `method`: "t" (Student t; Welch when unpaired), "bootstrap", or "auto" (t when
    paired, bootstrap when not).
    """
    if method not in METHODS:
        raise ValueError(f"unknown interval method '{method}', expected one of "
                         f"{', '.join(METHODS)}")
    if not 0 < level < 1:
        raise ValueError(f"the interval level must lie between 0 and 1, got {level}")
    used = method if method != "auto" else ("t" if paired else "bootstrap")
    if paired:
        joined = pd.concat({"base": base, "other": other}, axis=1, join="inner")
        base, other = joined["base"], joined["other"]
    if used == "t":
        reduction = (paired_difference(base, other, level=level) if paired
                     else unpaired_difference(base, other, level=level))
        return reduction.mean, reduction.mean_ci_low, reduction.mean_ci_high, used
    low, high = bootstrap_interval(base, other, paired=paired, level=level, resamples=resamples)
    return float(np.mean(other) - np.mean(base)), low, high, used


def compare(base: Results | str | Path, others: Sequence[Results | str | Path] | Results,
            *, method: str = "auto", level: float = INTERVAL,
            outcomes: Sequence[str] = READ_OUTCOME_NAMES, resamples: int = RESAMPLES,
            harm: HarmLike = None) -> ComparisonTable:
    """One row per other scenario and outcome (columns `COLUMNS`, docs/analysis.md).

    `base` and `others` are `Results` or results folders. `difference` is mean(other) −
    mean(base), `relative_difference` that difference as a fraction of the base mean (NaN when
    the base mean is 0), `ci_low`–`ci_high` its interval at `level`; `paired` says the
    replicates shared seeds, `n` how many replicates the difference rests on (paired: those both
    runs have, and both means are taken over those; otherwise the scenario's own count). A
    scenario whose action lasts a different number of days than the base's is compared per day
    (`per_day` true; totals divided by each run's days, `per_day()`). Outcomes a folder written
    by an older version lacks are left out with a warning. The harm outcomes
    (`sim.model.outcomes.HARM_OUTCOMES`) are computed from each run's summary with the weights
    `harm` (`sim.analysis.harm.resolve_weights`: None is the shipped default); their rows name
    the weights in `harm_weights`.
    """
    base = _as_results(base)
    others = [_as_results(o) for o in ([others] if isinstance(others, Results | str | Path)
                                      else others)]
    outcomes = _check_arguments(method, level, outcomes, resamples)
    base, others, outcomes, weights = with_harm_outcomes(base, others, outcomes, harm)
    rows, rankings = [], []
    for other in others:
        _check_same_kind(base, other)
        _note_oddities(base, other)
        paired = is_paired(base, other)
        lengths = action_days(base), action_days(other)
        daily = None not in lengths and lengths[0] != lengths[1]
        present = _present(outcomes, base, other)
        if same_draws(base, other):
            draws = base.summary["draw"].nunique()
            if draws < MIN_DRAWS:
                kind = (base.manifest.get("posterior") or {}).get("kind", "posterior")
                what = ("ensemble members", "ensemble") if kind == "ensemble" else (
                    "posterior draws", "posterior")
                warnings.warn(f"'{other.scenario_name}' against '{base.scenario_name}' rests on "
                              f"{draws} {what[0]}: a share of draws agreeing in sign "
                              f"(robustness) moves by {100 / draws:.0f} points with each draw, "
                              f"so read it only from {MIN_DRAWS} draws on (sim run --{what[1]} "
                              f"{MIN_DRAWS})", stacklevel=2)
            rows += posterior_rows(per_day(base) if daily else base,
                                   per_day(other) if daily else other, level=level,
                                   outcomes=present, daily=daily, rankings=rankings,
                                   harm_weights=weights)
            continue
        pairing = paired_runs(base, other)
        if pairing.note():
            warnings.warn(pairing.note(), stacklevel=2)
        compared = [per_day(run) if daily else run for run in (pairing.base, pairing.other)]
        base_values, other_values = (run.summary.set_index("replicate") for run in compared)
        all_base, n = pairing.base_replicates, len(other_values)
        for outcome in present:
            a, b = base_values[outcome], other_values[outcome]
            difference, low, high, used = difference_interval(
                a, b, paired=paired, method=method, level=level, resamples=resamples)
            base_mean = float(a.mean())
            rows.append({
                "scenario": other.scenario_name, "outcome": outcome,
                "unit": UNITS.get(outcome, ""), "base_mean": base_mean,
                "mean": float(b.mean()), "difference": difference,
                "relative_difference": difference / base_mean if base_mean else math.nan,
                "ci_low": low, "ci_high": high, "paired": paired, "n": n,
                "base": base.scenario_name, "base_n": all_base, "method": used,
                "level": level, "per_day": daily, "draws": 0, "robustness": math.nan,
                **dict.fromkeys(DECIDING, math.nan), "deciding": "", "next_deciding": "",
                "harm_weights": weights if outcome in HARM_OUTCOME_NAMES else "",
            })
    table = ComparisonTable(pd.DataFrame(rows, columns=list(COLUMNS)))
    # as records, not a DataFrame: pandas compares attrs when tables are concatenated
    table.attrs["deciding"] = (pd.concat(rankings, ignore_index=True).to_dict("records")
                               if rankings else [])
    return table


def deciding_ranking(table: pd.DataFrame) -> pd.DataFrame:
    """Every assumption ranked per scenario and outcome, for a comparison over draws or
    members (empty otherwise): what deciding.csv holds."""
    return pd.DataFrame(table.attrs.get("deciding", []))


def with_harm_outcomes(base: Results, others: list[Results], outcomes: list[str],
                       harm: HarmLike) -> tuple[Results, list[Results], list[str], str]:
    """The runs with the harm outcomes added when any is asked for (`add_harm`), the outcomes
    left to compare (harm outcomes dropped, with one warning, when a run cannot give them), and
    the weights as the table records them."""
    if not set(outcomes) & set(HARM_OUTCOME_NAMES):
        return base, others, outcomes, ""
    weights = resolve_weights(harm)
    runs = [add_harm(run, weights) for run in (base, *others)]
    if not all("harm_index" in run.summary for run in runs):
        outcomes = [o for o in outcomes if o not in HARM_OUTCOME_NAMES]
    return runs[0], runs[1:], outcomes, weights.describe()


def _as_results(run: Results | str | Path) -> Results:
    if isinstance(run, Results):
        return run
    if isinstance(run, str | Path):
        return load(run)
    raise TypeError(f"compare takes Results (sim.run, sim.load) or results folders, "
                    f"not {type(run).__name__}")


def _check_arguments(method: str, level: float, outcomes: Sequence[str],
                     resamples: int) -> list[str]:
    """The outcomes to compare, once method, level, outcomes and resamples are known good."""
    if method not in METHODS:
        raise ValueError(f"unknown interval method {method!r}, expected one of "
                         f"{', '.join(METHODS)}")
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise ValueError(f"the interval level is a number between 0 and 1 (0.9 for 90 %), "
                         f"not {level!r}")
    if isinstance(resamples, bool) or not isinstance(resamples, int) or resamples < 1:
        raise ValueError(f"resamples is a whole number of bootstrap resamples (at least 1; "
                         f"{RESAMPLES} by default), not {resamples!r}")
    if isinstance(outcomes, str):
        raise TypeError(f"outcomes is a list of outcome names: write outcomes=[{outcomes!r}]")
    outcomes = list(outcomes)
    unknown = [o for o in outcomes if o not in READ_OUTCOME_NAMES]
    if unknown:
        raise ValueError("; ".join(_unknown_outcome(o) for o in unknown))
    if not outcomes:
        raise ValueError("no outcome to compare: name at least one (docs/results.md lists them)")
    return outcomes


def _unknown_outcome(name: object) -> str:
    close = difflib.get_close_matches(str(name), READ_OUTCOME_NAMES, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else " (docs/results.md lists the outcomes)"
    return f"unknown outcome {name!r}{hint}"


def _check_same_kind(base: Results, other: Results) -> None:
    """Refuse a run over posterior draws against one that is not, or over another posterior:
    their replicates share seeds but not parameters, so a paired difference would measure the
    parameters, not the change of scenario."""
    drawn = "draw" in base.summary, "draw" in other.summary
    if drawn[0] != drawn[1]:
        posterior, plain = (base, other) if drawn[0] else (other, base)
        raise ComparisonError(
            f"'{posterior.scenario_name}' ran over posterior draws or ensemble members (sim run "
            f"--posterior/--ensemble) and '{plain.scenario_name}' did not: their differences "
            "would mix the members' parameters into the change of scenario. Run both with "
            "--posterior N (or --ensemble N) on the same file, or both without")
    if drawn[0] and not same_draws(base, other):
        raise ComparisonError(
            f"'{other.scenario_name}' and '{base.scenario_name}' ran over different posterior "
            "draws, ensemble members or seeds: run both with the same --posterior (or "
            "--ensemble) file, N and seed")


def _note_oddities(base: Results, other: Results) -> None:
    """Warnings a reader of the table must see: another model version, an incomplete run, a
    run compared with itself."""
    if not same_model(base, other):
        warnings.warn(f"'{other.scenario_name}' and '{base.scenario_name}' were run with "
                      "different versions of the model: the differences mix the change of "
                      "model with the change of scenario", stacklevel=3)
    for run in (base, other):
        if run.manifest.get("status", "complete") != "complete":
            done = run.manifest.get("replicates_done", len(run.summary))
            warnings.warn(f"'{run.scenario_name}' is incomplete ({done} of "
                          f"{run.manifest.get('replicates', '?')} replicates, or some failed): "
                          "finish it with sim run --resume", stacklevel=3)
    same_folder = (base.directory is not None and other.directory is not None
                   and Path(base.directory).resolve() == Path(other.directory).resolve()
                   and base.manifest == other.manifest and base.summary.equals(other.summary))
    if other is base or same_folder:
        warnings.warn(f"'{base.scenario_name}' is compared with itself: every difference is 0",
                      stacklevel=3)


def _present(outcomes: list[str], base: Results, other: Results) -> list[str]:
    """The outcomes both summaries hold; the others are named in a warning (folders written
    before an outcome existed)."""
    missing = {o: [r.scenario_name for r in (base, other) if o not in r.summary]
               for o in outcomes}
    missing = {o: names for o, names in missing.items() if names}
    if missing:
        warnings.warn("left out, not in every run compared (written by an older version?): "
                      + ", ".join(f"{o} ({' and '.join(repr(n) for n in names)})"
                                  for o, names in missing.items()), stacklevel=3)
    return [o for o in outcomes if o not in missing]


def same_draws(base: Results, other: Results) -> bool:
    """Both runs went over posterior draws or ensemble members, the same ones with the same
    seeds (sim run --posterior/--ensemble N on the same file), so they pair draw by draw (member
    by member) and replicate by replicate."""
    if "draw" not in base.summary or "draw" not in other.summary:
        return False
    held = base.manifest.get("posterior"), other.manifest.get("posterior")
    files = [(p or {}).get("sha256") for p in held]
    return is_paired(base, other) and files[0] == files[1]


def first_members(results: Results, count: int) -> Results:
    """A run over draws or members cut to its first `count` of them (every table), so a
    comparison can rest on fewer members than were run (`sim compare --ensemble N`)."""
    if "draw" not in results.summary:
        raise ComparisonError(f"'{results.scenario_name}' did not run over posterior draws or "
                              "ensemble members (sim run --ensemble N): --ensemble has nothing "
                              "to cut")
    held = int(results.summary["draw"].nunique())
    if not 1 <= count <= held:
        raise ComparisonError(f"'{results.scenario_name}' ran over {held} members; --ensemble "
                              f"takes 1 to {held}, not {count}")

    def cut(table: pd.DataFrame) -> pd.DataFrame:
        return table[table["draw"] < count] if "draw" in table else table

    return dataclasses.replace(results, summary=cut(results.summary), daily=cut(results.daily),
                               events=cut(results.events),
                               crossing_waits=cut(results.crossing_waits))


def per_draw_differences(base: Results, other: Results, outcome: str) -> pd.Series:
    """Per posterior draw: the mean over replicates of the paired difference other − base."""
    keys = ["draw", "replicate"]
    joined = pd.concat({"base": base.summary.set_index(keys)[outcome],
                        "other": other.summary.set_index(keys)[outcome]}, axis=1, join="inner")
    differences = joined["other"] - joined["base"]
    return differences.groupby(level="draw").mean()


def robustness(per_draw: pd.Series) -> float:
    """Share of posterior draws in which the difference has the sign of its mean (1: every
    draw agrees; near 0.5: the sign is a coin toss over parameter uncertainty). A zero mean
    difference has no sign: NaN."""
    mean = float(per_draw.mean())
    if mean == 0 or per_draw.empty:
        return math.nan
    return float((np.sign(per_draw) == np.sign(mean)).mean())


def posterior_rows(base: Results, other: Results, *, level: float,
                   outcomes: Sequence[str], daily: bool = False,
                   rankings: list[pd.DataFrame] | None = None,
                   harm_weights: str = "") -> list[dict]:
    """Rows of the comparison for runs over posterior draws or ensemble members: the difference
    is the mean of the per-draw paired differences, its interval the central `level` share of
    them (parameter uncertainty, plus what replicate noise is left in each draw's mean),
    `robustness` the share of draws agreeing in sign, and the `deciding` columns the assumption
    that explains most of their spread (sim/analysis/deciding.py) with its first-order share,
    the difference at its low and high ends and its EVPPI, the runner-up, and `evpi` the value
    of knowing everything. Each outcome's full ranking is appended to `rankings`."""
    keys = ["draw", "replicate"]
    shared = base.summary.set_index(keys).index.intersection(other.summary.set_index(keys).index)
    if len(shared) < max(len(base.summary), len(other.summary)):
        warnings.warn(f"'{other.scenario_name}' has {len(other.summary)} draw-replicates and "
                      f"'{base.scenario_name}' {len(base.summary)}: every difference pairs the "
                      f"{len(shared)} both have, and both means are over those {len(shared)}",
                      stacklevel=3)
    base_rows = base.summary.set_index(keys).loc[shared]
    other_rows = other.summary.set_index(keys).loc[shared]
    rows = []
    ranking = deciding(base, other, outcomes)
    if rankings is not None and len(ranking):
        rankings.append(ranking.assign(scenario=other.scenario_name)[
            ["scenario", *ranking.columns]])
    kind = "ensemble" if (base.manifest.get("posterior") or {}).get("kind") == "ensemble" \
        else "posterior"
    for outcome in outcomes:
        per_draw = per_draw_differences(base, other, outcome)
        low, high = np.quantile(per_draw, [0.5 - level / 2, 0.5 + level / 2])
        difference = float(per_draw.mean())
        base_mean, mean = float(base_rows[outcome].mean()), float(other_rows[outcome].mean())
        rows.append({
            "scenario": other.scenario_name, "outcome": outcome,
            "unit": UNITS.get(outcome, ""), "base_mean": base_mean, "mean": mean,
            "difference": difference,
            "relative_difference": difference / base_mean if base_mean else math.nan,
            "ci_low": float(low), "ci_high": float(high), "paired": True,
            "n": len(shared), "base": base.scenario_name, "base_n": len(base.summary),
            "method": kind, "level": level, "per_day": daily, "draws": len(per_draw),
            "robustness": robustness(per_draw),
            **deciding_columns(ranking[ranking["outcome"] == outcome], per_draw),
            "harm_weights": harm_weights if outcome in HARM_OUTCOME_NAMES else ""})
    return rows


def deciding(base: Results, other: Results, outcomes: Sequence[str] = OUTCOME_NAMES
             ) -> pd.DataFrame:
    """For runs over the same draws or members: per outcome, every assumption ranked by how much
    of the spread of the per-member difference (other − base) it explains, with the difference
    at its low and high ends and its EVPPI (`sim.analysis.deciding.COLUMNS`); empty otherwise."""
    if not same_draws(base, other):
        return pd.DataFrame(columns=list(deciding_module.COLUMNS))
    assumptions = deciding_module.member_assumptions(base)
    if assumptions is None:
        return pd.DataFrame(columns=list(deciding_module.COLUMNS))
    per_member = {o: per_draw_differences(base, other, o) for o in outcomes
                  if o in base.summary and o in other.summary}
    return deciding_module.deciding_table(per_member, assumptions)


def deciding_columns(ranking: pd.DataFrame, per_draw: pd.Series) -> dict:
    """The comparison's deciding columns from one outcome's ranking."""
    values = {**dict.fromkeys(DECIDING, math.nan), "deciding": "", "next_deciding": "",
              "evpi": deciding_module.evpi(per_draw.to_numpy())}
    if len(ranking):
        top = ranking.iloc[0]
        values.update(deciding=top["assumption"], deciding_share=top["first_order"],
                      deciding_low=top["low_end"], deciding_high=top["high_end"],
                      deciding_evppi=top["evppi"])
    if len(ranking) > 1:
        values.update(next_deciding=ranking.iloc[1]["assumption"],
                      next_share=ranking.iloc[1]["first_order"])
    return values


def compare_results(base_dir: str | Path, other_dirs: Sequence[str | Path],
                    out: str | Path | None = None, *, method: str = "auto",
                    level: float = INTERVAL, harm: HarmLike = None) -> pd.DataFrame:
    """Compare results folders against a base folder; with `out`, write comparison.csv there
    and, for runs over draws or members, deciding.csv (every assumption ranked per scenario
    and outcome)."""
    base, others = load(base_dir), [load(d) for d in other_dirs]
    table = compare(base, others, method=method, level=level, harm=harm)
    if out is not None:
        Path(out).mkdir(parents=True, exist_ok=True)
        write_csv(table, Path(out) / COMPARISON)
        write_deciding(table, out)
    return table


def write_deciding(table: pd.DataFrame, out: str | Path) -> Path | None:
    """deciding.csv beside comparison.csv for a comparison over draws or members (every
    assumption ranked per scenario and outcome); an earlier comparison's is removed otherwise.
    The file written, or None."""
    path = Path(out) / DECIDING_FILE
    ranking = deciding_ranking(table)
    if not len(ranking):
        path.unlink(missing_ok=True)
        return None
    write_csv(ranking, path)
    return path


def pairing_gain(base: Results, other: Results, *, level: float = INTERVAL,
                 outcomes: Sequence[str] = OUTCOME_NAMES) -> pd.DataFrame:
    """How much narrower the paired interval of each difference is than the unpaired one.

    Both intervals are Student t at `level` on the same replicates: paired on the differences,
    Welch as if the runs were independent. `width_ratio` = paired ÷ unpaired width (below 1:
    pairing helps); outcomes that do not vary (both widths 0) are left out.
    """
    if not is_paired(base, other):
        raise ValueError(f"'{other.scenario_name}' was not run with the seeds of "
                         f"'{base.scenario_name}': there is no paired interval to measure")
    joined_index = base.summary.set_index("replicate").index.intersection(
        other.summary.set_index("replicate").index)
    a_all = base.summary.set_index("replicate").loc[joined_index]
    b_all = other.summary.set_index("replicate").loc[joined_index]
    rows = []
    for outcome in outcomes:
        a, b = a_all[outcome], b_all[outcome]
        paired = paired_difference(a, b, level=level)
        unpaired = unpaired_difference(a, b, level=level)
        paired_width = paired.mean_ci_high - paired.mean_ci_low
        unpaired_width = unpaired.mean_ci_high - unpaired.mean_ci_low
        if not unpaired_width > 0:
            continue
        rows.append({"outcome": outcome, "unit": UNITS.get(outcome, ""),
                     "difference": paired.mean, "paired_width": paired_width,
                     "unpaired_width": unpaired_width,
                     "width_ratio": paired_width / unpaired_width, "n": paired.replicates})
    return pd.DataFrame(rows, columns=["outcome", "unit", "difference", "paired_width",
                                       "unpaired_width", "width_ratio", "n"])


def load_targets() -> pd.DataFrame:
    """The published JAD SEE 2023 outcomes with their calibration bands (sim/data/targets.csv)."""
    with resources.files("sim").joinpath("data/targets.csv").open(encoding="utf-8") as file:
        return pd.read_csv(file)


def calibration_table(results: Results, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each published outcome beside the simulated mean and 5–95% of replicates, the ratio
    simulated ÷ published, and whether the mean falls inside the calibration band."""
    targets = load_targets() if targets is None else targets
    rows = []
    for target in targets.itertuples():
        simulated = reduce(results.summary[target.outcome])
        rows.append({"outcome": target.outcome, "unit": UNITS.get(target.outcome, ""),
                     "published": float(target.published), "band_low": float(target.band_low),
                     "band_high": float(target.band_high), "mean": simulated.mean,
                     "p5": simulated.p5, "p95": simulated.p95,
                     "ratio": simulated.mean / float(target.published),
                     "inside_band": bool(target.band_low <= simulated.mean <= target.band_high),
                     "n": simulated.replicates})
    return pd.DataFrame(rows)




