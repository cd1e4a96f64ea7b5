"""A spreadsheet for planners who do not use Python: `sim export RESULTS... --xlsx FILE` (and
`sim compare ... --xlsx FILE`).

One workbook: what it holds, where it came from and the notes a reader must see (`about`), each
scenario's difference from a base with its interval (`comparison`, when a base is given), the
wait per vehicle at every crossing by side and vehicle class (`waits by crossing`), the harm
index and each crime area by its outcome and its harm (`by crime area`: differences from the
base with intervals, or means without a base), every outcome's mean and intervals per scenario
(`summary`), means per place and day (`by place and day`, crossings first) and one row per
replicate with the scenario's levers (`replicates`). The harm outcomes are computed when the
results are read, with the weights given (`harm=`, `--harm FILE`; default the shipped
default), named with their file and sha256 in the about sheet.
Plain labels come first and the ids last; differences relative to the base are percentages;
every sheet has filters. With a base, runs whose seeds match it are compared over the
replicates all of them share (`sim.analysis.pairing`), in every sheet. Written with openpyxl;
numbers stay numbers (never text), so a spreadsheet can sort, filter and chart them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.analysis.compare import HarmLike, compare
from sim.analysis.harm import AREA_OUTCOMES, HarmWeights, add_harm, resolve_weights
from sim.analysis.pairing import is_paired, restrict
from sim.analysis.style import ResultsLike, as_results, label
from sim.analysis.waits import changed_crossings, crossing_waits, wait_differences
from sim.model.outcomes import (
    AREA_LABELS,
    HARM_OUTCOMES,
    OUTCOMES,
    PLACE_OUTCOMES,
    READ_OUTCOME_NAMES,
)
from sim.runs.layout import write_atomically
from sim.runs.results import Results
from sim.runs.statistics import INTERVAL

PLACE_KEYS = ["scenario", "day", "date", "kind", "country", "place", "place_name"]
UNITS = {o.name: o.unit for o in (*OUTCOMES, *HARM_OUTCOMES)}
# The `by crime area` sheet: each area's outcome, then its harm; the index first.
AREA_ROWS: tuple[tuple[str, str], ...] = (
    ("all crime areas", "harm_index"),
    *((area, name) for area, outcome in AREA_OUTCOMES.items()
      for name in (outcome, f"harm_{area}")),
    ("all crime areas", "harm_all_areas"))
PERCENT = "difference, % of base"
SHARES = (PERCENT, "share of draws agreeing")
PLAIN_INTEGERS = ("replicate", "day", "posterior draws")  # no thousands separator


def outcome_heading(name: str) -> str:
    """An outcome column's heading: its label and unit, `persons checked (persons)`."""
    unit = UNITS.get(name, "")
    return f"{label(name)} ({unit})" if unit else label(name)


def shared_replicates(base: Results, runs: Sequence[Results]) -> tuple[Results, list[Results],
                                                                         list[str]]:
    """The base and the runs as the workbook compares them: runs run with the base's seeds, and
    the base, restricted to the replicates all of them share; with the notes that say so."""
    paired = [run for run in runs if is_paired(base, run)]
    if not paired:
        return base, list(runs), []
    shared = set(base.summary["replicate"])
    for run in paired:
        shared &= set(run.summary["replicate"])
    counts = [(r.scenario_name, len(r.summary)) for r in [base, *paired]]
    if all(count == len(shared) for _, count in counts):
        return base, list(runs), []
    note = ("replicates: the base " + ", ".join(f"'{name}' has {count}" for name, count in
                                                counts)
            + f"; every sheet uses the {len(shared)} replicates they all share (paired, same "
            "seeds), so both sides of each difference are means over the same replicates")
    return (restrict(base, sorted(shared)),
            [restrict(run, sorted(shared)) if run in paired else run for run in runs], [note])


def summary_sheet(runs: Sequence[Results]) -> pd.DataFrame:
    """Per scenario and outcome: unit, replicates, mean, median, 5th and 95th percentile of
    replicates and the confidence interval of the mean."""
    frames = []
    for results in runs:
        table = results.describe(READ_OUTCOME_NAMES).reset_index(names="outcome id")
        frames.append(pd.DataFrame({
            "scenario": label(results.scenario_name),
            "outcome": table["outcome id"].map(label), "unit": table["unit"],
            "replicates": table["replicates"], "mean": table["mean"],
            "median": table["median"], "5th percentile": table["p5"],
            "95th percentile": table["p95"], "mean, interval low": table["mean_ci_low"],
            "mean, interval high": table["mean_ci_high"],
            "scenario id": results.scenario_name, "outcome id": table["outcome id"]}))
    return pd.concat(frames, ignore_index=True)


def comparison_sheet(comparison: pd.DataFrame) -> pd.DataFrame:
    """`compare`'s table with plain labels first, the relative difference as a percentage and
    the ids last."""
    rows = comparison
    return pd.DataFrame({
        "scenario": rows["scenario"].map(label), "outcome": rows["outcome"].map(label),
        "unit": rows["unit"] + rows["per_day"].astype(bool).map({True: " per day",
                                                                  False: ""}),
        "base mean": rows["base_mean"], "mean": rows["mean"],
        "difference": rows["difference"], PERCENT: rows["relative_difference"],
        "interval low": rows["ci_low"], "interval high": rows["ci_high"],
        "clear": ((rows["ci_low"] > 0) | (rows["ci_high"] < 0)).map({True: "yes",
                                                                     False: "no"}),
        "replicates": rows["n"], "paired": rows["paired"].map({True: "yes", False: "no"}),
        "interval": rows["level"].map("{:.0%}".format) + " " + rows["method"],
        "posterior draws": rows["draws"], "share of draws agreeing": rows["robustness"],
        "scenario id": rows["scenario"], "outcome id": rows["outcome"], "base id": rows["base"]})


def area_sheet(comparison: pd.DataFrame | None, summary: pd.DataFrame) -> pd.DataFrame:
    """The harm index and each crime area by its outcome and its harm points: with a base,
    the `comparison` sheet's rows of those outcomes (differences with intervals); without,
    the `summary` sheet's (means with intervals). A `crime area` column first."""
    order = {outcome: i for i, (_, outcome) in enumerate(AREA_ROWS)}
    area_of = {outcome: area for area, outcome in AREA_ROWS}
    table = comparison if comparison is not None else summary
    rows = table[table["outcome id"].isin(order)].copy()
    if rows.empty:
        return pd.DataFrame({"note": ["no harm index in these results (written before the "
                                      "outcomes it weighs existed)"]})
    rows["order"] = rows["outcome id"].map(order)
    rows = rows.sort_values(["scenario id", "order"], kind="stable").drop(columns="order")
    rows.insert(1, "crime area", rows["outcome id"].map(
        lambda o: AREA_LABELS.get(area_of[o], area_of[o].replace("_", " "))))
    return rows.reset_index(drop=True)


def waits_sheet(runs: Sequence[Results], base: Results | None) -> pd.DataFrame:
    """The wait per vehicle at every crossing, by side (when the results have sides) and
    vehicle class: with a base, each scenario's difference from it with its interval and
    whether the scenario changes the crossing's officers, teams or Frontex (those first);
    without, each scenario's vehicles, mean wait and longest hourly wait."""
    frames = []
    if base is not None:
        for run in runs:
            if run.crossing_waits.empty or base.crossing_waits.empty:
                continue
            table = wait_differences(base, run)
            changed = set(changed_crossings(base, run))
            table.insert(1, "changed by the scenario",
                         table["place"].isin(changed).map({True: "yes", False: "no"}))
            frames.append(table.sort_values("changed by the scenario", ascending=False,
                                            kind="stable"))
        columns = {"base_wait_minutes": "base mean wait (minutes)",
                   "wait_minutes": "mean wait (minutes)", "difference": "difference (minutes)",
                   "ci_low": "interval low", "ci_high": "interval high", "n": "replicates",
                   "vehicles": "vehicles (base)",
                   "base_longest_wait_minutes": "base longest hourly wait (minutes)",
                   "longest_wait_minutes": "longest hourly wait (minutes)"}
    else:
        for run in runs:
            if not run.crossing_waits.empty:
                frames.append(crossing_waits(run).assign(scenario=run.scenario_name))
        columns = {"mean_wait_minutes": "mean wait (minutes)",
                   "longest_wait_minutes": "longest hourly wait (minutes)"}
    if not frames:
        return pd.DataFrame({"note": ["no crossing waits in these results (written before "
                                      "the table existed)"]})
    table = pd.concat(frames, ignore_index=True).rename(columns=columns)
    table = table.assign(**{"scenario id": table["scenario"],
                            "scenario": table["scenario"].map(label),
                            "vehicle class": table.pop("vehicle_class"),
                            "crossing id": table.pop("place")})
    first = ["scenario", *[c for c in ("changed by the scenario",) if c in table], "crossing",
             *(["side"] if "side" in table else []), "vehicle class"]
    rest = [c for c in table.columns if c not in first and not c.endswith(" id")]
    return table[[*first, *rest, "crossing id", "scenario id"]]


def places_sheet(runs: Sequence[Results]) -> pd.DataFrame:
    """Mean over each run's replicates per scenario, day and place (places with any
    activity), crossings first; a place absent from a replicate's daily table had nothing that
    day (zero). Plain headings first, ids last."""
    frames = []
    for results in runs:
        daily = results.daily
        if daily.empty:
            continue
        replicates = max(len(results.summary), 1)
        sums = daily.groupby(PLACE_KEYS, sort=False)[list(PLACE_OUTCOMES)].sum()
        frames.append((sums / replicates).reset_index())
    if not frames:
        return pd.DataFrame(columns=[*PLACE_KEYS, *PLACE_OUTCOMES])
    table = pd.concat(frames, ignore_index=True)
    table["crossing_first"] = table["kind"] != "crossing"
    table = table.sort_values(["scenario", "crossing_first", "place", "day"], kind="stable")
    table = table.drop(columns="crossing_first").reset_index(drop=True)
    readable = pd.DataFrame({"scenario": table["scenario"].map(label),
                             "place": table["place_name"], "kind": table["kind"],
                             "country": table["country"], "day": table["day"],
                             "date": table["date"]})
    for name in PLACE_OUTCOMES:
        readable[outcome_heading(name)] = table[name]
    return readable.assign(**{"place id": table["place"], "scenario id": table["scenario"]})


def replicates_sheet(runs: Sequence[Results]) -> pd.DataFrame:
    """Every summary row: scenario, replicate, seed (as text: a spreadsheet cannot hold 63-bit
    integers exactly), every outcome under its label, then the scenario's hash and levers."""
    table = pd.concat([r.summary for r in runs], ignore_index=True)
    table["seed"] = table["seed"].astype(str)
    table.insert(0, "scenario id", table.pop("scenario"))
    table.insert(0, "scenario", table["scenario id"].map(label))
    return table.rename(columns={o.name: outcome_heading(o.name)
                                 for o in (*OUTCOMES, *HARM_OUTCOMES)})


def about_sheet(runs: Sequence[Results], base: Results | None, level: float,
                notes: Sequence[str], weights: HarmWeights | None = None) -> pd.DataFrame:
    rows = [(f"note {i}", note) for i, note in enumerate(dict.fromkeys(notes), start=1)]
    if weights is not None:
        rows.append(("harm weights", f"{weights.describe()}: the harm index and its parts by "
                     "crime area, computed from each replicate's outcomes when the results "
                     "were read (another file: --harm FILE)"))
    rows += [
        ("sheet comparison", f"difference of each scenario from '{label(base.scenario_name)}' "
         f"with its {level:.0%} interval (paired when the replicates share seeds); 'clear': "
         "the interval excludes 0" if base is not None
         else "not written: no base scenario given (--base)"),
        ("sheet by crime area", "the harm index, then each crime area by the outcome it is "
         "counted in and the harm points booked to it" + (
             f": each scenario's difference from the base with its {level:.0%} interval"
             if base is not None else ": means with the interval of the mean")),
        ("sheet waits by crossing", "the wait per vehicle at every crossing, by side and "
         "vehicle class (mean over the action, weighted by vehicles) and the longest hourly "
         "wait" + ("; each scenario's difference from the base, the crossings it changes "
                   "first" if base is not None else "")),
        ("sheet summary", "every outcome's mean, median, 5th-95th percentile of replicates "
         "and the confidence interval of the mean, per scenario"),
        ("sheet by place and day", "mean over replicates per scenario, day and place; "
         "crossings first"),
        ("sheet replicates", "one row per replicate: seed, every outcome, the scenario's "
         "hash and the value of each lever it sets (where it differs from the baseline)")]
    for results in ([base] if base is not None else []) + list(runs):
        manifest = results.manifest
        rows.append((f"scenario {label(results.scenario_name)}",
                     f"{len(results.summary)} replicates used, status {manifest.get('status')}, "
                     f"folder {results.directory}, scenario hash "
                     f"{str(manifest.get('scenario_hash'))[:12]}, commit "
                     f"{manifest.get('git_commit')}"))
    rows.append(("units and columns", "docs/results.md; ids (last columns) are the names "
                 "the scenario files and comparison.csv use"))
    return pd.DataFrame(rows, columns=["item", "what"])


def write_workbook(path: str | Path, folders: Sequence[ResultsLike], *,
                   base: ResultsLike | None = None, level: float = INTERVAL,
                   method: str = "auto", notes: Sequence[str] = (), harm: HarmLike = None
                   ) -> Path:
    """Write the planner's workbook for results (folders or `Results`) and a base to compare
    them with; `notes` (what the comparison said) go to the about sheet; `harm` the weights of
    the harm index (default: the shipped default)."""
    import warnings

    path = Path(path)
    weights = resolve_weights(harm)
    notes, shared_notes = list(notes), []
    sheets: dict[str, pd.DataFrame] = {}
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        runs = [add_harm(as_results(folder), weights) for folder in folders]
        base_run = add_harm(as_results(base), weights) if base is not None else None
        if base_run is not None:
            base_run, runs, shared_notes = shared_replicates(base_run, runs)
            sheets["comparison"] = comparison_sheet(compare(base_run, runs, method=method,
                                                            level=level, harm=weights))
        sheets["waits by crossing"] = waits_sheet(runs, base_run)
    found = list(dict.fromkeys([*shared_notes, *(str(warning.message) for warning in said)]))
    for note in found:  # said to the caller once (sim export prints them as notes)
        warnings.warn(note, stacklevel=2)
    notes += found
    everything = ([base_run] if base_run is not None else []) + runs
    summary = summary_sheet(everything)
    comparison = sheets.pop("comparison", None)
    sheets = {"about": about_sheet(runs, base_run, level, notes, weights),
              **({"comparison": comparison} if comparison is not None else {}),
              "by crime area": area_sheet(comparison, summary), **sheets,
              "summary": summary,
              "by place and day": places_sheet(everything),
              "replicates": replicates_sheet(everything)}
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(temporary: Path) -> None:
        with pd.ExcelWriter(temporary, engine="openpyxl") as writer:
            for name, frame in sheets.items():
                frame.to_excel(writer, sheet_name=name, index=False)
                _tidy(writer.sheets[name], frame)

    write_atomically(path, write)  # whole or not at all, never through a link
    return path


def _tidy(sheet, frame: pd.DataFrame) -> None:
    """Bold frozen header with filters, readable column widths, numbers with thousands
    separators, relative differences as percentages."""
    from openpyxl.styles import Alignment, Font

    sheet.freeze_panes = "A2"
    if len(frame.columns):
        sheet.auto_filter.ref = sheet.dimensions
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(frame.columns, start=1):
        width = max([min(len(str(column)), 24), *(len(str(value)) for value in frame[column])])
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
        cells = [cell for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index)]
        if column in SHARES:
            number_format = "0.0%"
        elif column in PLAIN_INTEGERS:
            number_format = "0"
        elif pd.api.types.is_integer_dtype(frame[column]):
            number_format = "#,##0"
        elif pd.api.types.is_float_dtype(frame[column]):
            number_format = "#,##0.00"
        else:
            continue
        for cell in cells:
            cell.number_format = number_format
