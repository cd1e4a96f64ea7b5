"""The curated reference comparison of the shipped scenarios: `sim reference`.

Runs the baseline and each shipped alternative with the same seeds (so every difference is
paired), writes `comparison.csv`, `pairing.csv` (how much pairing narrows the intervals of
no_scanning_teams − baseline) and the figures into the output folder; the runs themselves go to
`<out>/runs/` (not committed). `make reference` runs it with the defaults below.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.analysis.compare import COMPARISON, compare, pairing_gain
from sim.analysis.figures import comparison_figures, save_figures
from sim.analysis.style import label
from sim.runs.results import Results, load, write_csv
from sim.runs.runner import run

SCENARIOS_FOLDER = Path(__file__).resolve().parents[2] / "scenarios"
BASE = "jad_see_2023"
ALTERNATIVES = ("business_as_usual", "no_scanning_teams", "scanning_teams_at_busiest",
                "frontex_doubled", "no_coordination_centre", "random_checks", "longer_action")
REPLICATES = 20
PAIRING_SCENARIO = "no_scanning_teams"
DISPLACED = ("no_scanning_teams", "scanning_teams_at_busiest")  # displacement figures drawn
OVERLAID = ("no_scanning_teams", "random_checks")  # day by day: differences from the base
PNG_ONLY = ("day_by_day", "trade_off", "calibration")  # SVG only for the README's figures


class ReferenceRunError(RuntimeError):
    """A scenario of the reference set did not run through: no reference is written."""


def run_scenarios(names: Sequence[str], runs: Path, *, replicates: int, workers: int | None,
                  reuse: bool, posterior: int | None = None,
                  posterior_file: Path | None = None) -> list[Results]:
    """Run each scenario file into `runs/<name>` (or load it, with `reuse`, when complete)."""
    results = []
    for name in names:
        folder = runs / name
        if reuse and (folder / "summary.csv").is_file():
            loaded = load(folder)
            if loaded.complete and len(loaded.summary) == replicates * (posterior or 1):
                results.append(loaded)
                continue
        started = time.perf_counter()
        finished = run(SCENARIOS_FOLDER / f"{name}.yaml", replicates=replicates,
                       workers=workers, out=folder, force=True, posterior=posterior,
                       posterior_file=posterior_file,
                       command=f"sim reference ({name})")
        if finished.failures:
            raise ReferenceRunError(f"{name}: {len(finished.failures)} of {replicates} replicates "
                                 f"failed, first: {finished.failures[0]['error']} (tracebacks "
                                 f"in {folder / 'failures.json'})")
        results.append(finished)
        runs_made = f"{posterior} draws × " if posterior else ""
        print(f"{name}: {runs_made}{replicates} replicates in "
              f"{time.perf_counter() - started:.0f} s")
    return results


def check_same_model(runs: Sequence[Results]) -> None:
    """Every run must come from the same model source (manifest `code_hash`): a model edited
    while the reference ran would make the differences compare two models, not allocations."""
    hashes = {run.scenario_name: run.manifest.get("code_hash") for run in runs}
    if len(set(hashes.values())) > 1:
        listing = ", ".join(f"{name} {str(value)[:12]}" for name, value in hashes.items())
        raise ReferenceRunError(f"the runs come from different versions of the model "
                                f"({listing}); run again without --reuse once the model is "
                                "unchanged")


def build_reference(out: Path, *, replicates: int = REPLICATES, workers: int | None = None,
                    reuse: bool = False, posterior: int | None = None,
                    posterior_file: Path | None = None) -> list[Path]:
    """Run, compare and draw; returns the files written into `out`. With `posterior`, every
    scenario runs over that many posterior draws × `replicates`, and the comparison's intervals
    and robustness cover parameter uncertainty."""
    alternatives = [n for n in ALTERNATIVES if (SCENARIOS_FOLDER / f"{n}.yaml").is_file()]
    base, *others = run_scenarios([BASE, *alternatives], out / "runs", replicates=replicates,
                                  workers=workers, reuse=reuse, posterior=posterior,
                                  posterior_file=posterior_file)
    check_same_model([base, *others])
    comparison = compare(base, others)
    write_csv(comparison, out / COMPARISON)
    (out / "table.md").write_text(readme_table(comparison) + "\n", encoding="utf-8")
    written = [out / COMPARISON, out / "table.md"]
    paired_with = {o.scenario_name: o for o in others}
    if PAIRING_SCENARIO in paired_with:
        write_csv(pairing_gain(base, paired_with[PAIRING_SCENARIO]), out / "pairing.csv")
        written.append(out / "pairing.csv")
    figures = comparison_figures(base, others, comparison, displaced=DISPLACED,
                                 overlaid=OVERLAID)
    written += save_figures({k: v for k, v in figures.items() if k not in PNG_ONLY}, out,
                            dpi=100)
    written += save_figures({k: v for k, v in figures.items() if k in PNG_ONLY}, out,
                            formats=("png",), dpi=100)
    return written


README_OUTCOMES = {"arrests_total": "arrests", "illegal_entries_detected": "illegal entries",
                   "drugs_kg_total": "drugs kg", "cases_opened": "cases opened",
                   "movements_displaced": "movements displaced", "mean_wait_minutes": "mean wait"}


def readme_table(comparison: pd.DataFrame) -> str:
    """The README's table: per scenario and outcome the difference with its interval, and on
    posterior runs the share of draws agreeing in sign."""
    over_draws = bool((comparison["draws"] > 0).any()) if "draws" in comparison else False
    lines = ["| scenario | " + " | ".join(README_OUTCOMES.values()) + " |",
             "|---|" + "---|" * len(README_OUTCOMES)]
    base = comparison.drop_duplicates("outcome").set_index("outcome")
    lines.append("| baseline mean | " + " | ".join(
        _level(base.loc[o, "base_mean"]) if o in base.index else "–"
        for o in README_OUTCOMES) + " |")
    for scenario, rows in comparison.groupby("scenario", sort=False):
        rows = rows.set_index("outcome")
        cells = []
        for outcome in README_OUTCOMES:
            if outcome not in rows.index:
                cells.append("–")
                continue
            row = rows.loc[outcome]
            digits = 1 if abs(row["difference"]) < 10 else 0
            cell = (f"{row['difference']:+.{digits}f} ({row['ci_low']:+.{digits}f} to "
                    f"{row['ci_high']:+.{digits}f})")
            if over_draws and not pd.isna(row["robustness"]):
                cell += f", {row['robustness']:.0%} of draws"
            cells.append(cell)
        lines.append(f"| {label(scenario)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _level(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"




