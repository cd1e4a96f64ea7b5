"""A spreadsheet for planners who do not use Python: `sim export RESULTS... --xlsx FILE`.

One workbook: what it holds and where it came from (`about`), every outcome's mean and intervals
per scenario (`summary`), each scenario's difference from a base with its interval
(`comparison`, when a base is given), means per place and day (`by place and day`, crossings
first) and one row per replicate with the scenario's levers (`replicates`). Written with
openpyxl; numbers stay numbers (never text), so a spreadsheet can sort and chart them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.analysis.compare import compare
from sim.model.outcomes import PLACE_OUTCOMES
from sim.runs.layout import write_atomically
from sim.runs.results import Results, load
from sim.runs.statistics import INTERVAL

PLACE_KEYS = ["scenario", "day", "date", "kind", "country", "place", "place_name"]


def summary_sheet(runs: Sequence[Results]) -> pd.DataFrame:
    """Per scenario and outcome: unit, replicates, mean, median, 5th and 95th percentile and the
    confidence interval of the mean."""
    frames = []
    for results in runs:
        table = results.describe().reset_index(names="outcome")
        table.insert(0, "scenario", results.scenario_name)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def places_sheet(runs: Sequence[Results]) -> pd.DataFrame:
    """Mean over replicates per scenario, day and place (places with any activity), crossings
    first; a place absent from a replicate's daily table had nothing that day (zero)."""
    frames = []
    for results in runs:
        daily = results.daily
        if daily.empty:
            continue
        replicates = max(daily["replicate"].nunique(), 1)
        sums = daily.groupby(PLACE_KEYS, sort=False)[list(PLACE_OUTCOMES)].sum()
        frames.append((sums / replicates).reset_index())
    if not frames:
        return pd.DataFrame(columns=[*PLACE_KEYS, *PLACE_OUTCOMES])
    table = pd.concat(frames, ignore_index=True)
    table["crossing_first"] = table["kind"] != "crossing"
    table = table.sort_values(["scenario", "crossing_first", "place", "day"], kind="stable")
    return table.drop(columns="crossing_first").reset_index(drop=True)


def about_sheet(runs: Sequence[Results], base: Results | None, level: float) -> pd.DataFrame:
    rows = [("sheet summary", "every outcome's mean, median, 5th-95th percentile of replicates "
             "and the confidence interval of the mean, per scenario"),
            ("sheet comparison", f"difference of each scenario from '{base.scenario_name}' with "
             f"its {level:.0%} interval (paired when the replicates share seeds)"
             if base is not None else "not written: no base scenario given (--base)"),
            ("sheet by place and day", "mean over replicates per scenario, day and place; "
             "crossings first"),
            ("sheet replicates", "one row per replicate: seed, every outcome, the scenario's "
             "hash and the value of each lever it sets (where it differs from the baseline)")]
    for results in ([base] if base is not None else []) + list(runs):
        manifest = results.manifest
        rows.append((f"scenario {results.scenario_name}",
                     f"{len(results.summary)} replicates, status {manifest.get('status')}, "
                     f"folder {results.directory}, scenario hash "
                     f"{str(manifest.get('scenario_hash'))[:12]}, commit "
                     f"{manifest.get('git_commit')}"))
    rows.append(("units and columns", "docs/results.md"))
    return pd.DataFrame(rows, columns=["item", "what"])


def write_workbook(path: str | Path, folders: Sequence[str | Path], *,
                   base: str | Path | None = None, level: float = INTERVAL,
                   method: str = "auto") -> Path:
    """Write the planner's workbook for results folders (and a base to compare them with)."""
    path = Path(path)
    runs = [load(folder) for folder in folders]
    base_run = load(base) if base is not None else None
    everything = ([base_run] if base_run is not None else []) + runs
    sheets = {"about": about_sheet(runs, base_run, level),
              "summary": summary_sheet(everything)}
    if base_run is not None:
        sheets["comparison"] = compare(base_run, runs, method=method, level=level)
    sheets["by place and day"] = places_sheet(everything)
    replicates = pd.concat([r.summary for r in everything], ignore_index=True)
    replicates["seed"] = replicates["seed"].astype(str)  # 63-bit seeds: exact only as text
    sheets["replicates"] = replicates
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(temporary: Path) -> None:
        with pd.ExcelWriter(temporary, engine="openpyxl") as writer:
            for name, frame in sheets.items():
                frame.to_excel(writer, sheet_name=name, index=False)
                _tidy(writer.sheets[name], frame)

    write_atomically(path, write)  # whole or not at all, never through a link
    return path


def _tidy(sheet, frame: pd.DataFrame) -> None:
    """Bold frozen header, readable column widths, numbers with thousands separators."""
    from openpyxl.styles import Font

    sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(frame.columns, start=1):
        width = max([len(str(column)), *(len(str(value)) for value in frame[column])])
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
        if pd.api.types.is_integer_dtype(frame[column]) and column not in ("replicate", "seed",
                                                                           "day", "n", "base_n"):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "#,##0"
        elif pd.api.types.is_float_dtype(frame[column]):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "#,##0.00"
