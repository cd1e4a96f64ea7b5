"""The curated reference comparison of the shipped scenarios: `sim reference`.

Runs the baseline and each shipped alternative with the same seeds (so every difference is
paired), optionally over posterior draws or ensemble members, and writes into the output
folder `comparison.csv`, `naive.csv` (the spreadsheet's answer for every published outcome,
`sim.analysis.naive`), `table.md` (the README's reference section,
`sim.analysis.reference_table`), `pairing.csv` (how much pairing narrows the intervals of
no_scanning_teams − baseline) and the figures; the runs themselves go to `<out>/runs/` (not
committed). `make reference` runs it over the ensemble when one is built (else the posterior),
then copies table.md into the README (`sim docs reference`); the harm index is read with the
weights `harm` (default: the shipped default), named under the tables. `write_table` rewrites
naive.csv and table.md from a folder's comparison.csv without running anything.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.compare import COMPARISON, HarmLike, compare, load_targets, pairing_gain
from sim.analysis.figures import comparison_figures, save_figures
from sim.analysis.naive import (
    NAIVE_FILE,
    Staffing,
    naive_table,
    published_figures,
    staffing,
)
from sim.analysis.reference_table import (
    HEADLINE,
    read_reference,
    readme_table,
    reference_markdown,
)
from sim.runs.layout import MANIFEST, read_manifest, write_text
from sim.runs.results import Results, load, write_csv
from sim.runs.runner import run
from sim.scenario import load_scenario
from sim.scenario.posterior import DEFAULT_FILE, ENSEMBLE_FILE, shown_path
from sim.scenario.schema import Scenario

SCENARIOS_FOLDER = Path(__file__).resolve().parents[2] / "scenarios"
BASE = "jad_see_2023"
ALTERNATIVES = ("business_as_usual", "no_scanning_teams", "scanning_teams_at_busiest",
                "frontex_doubled", "no_coordination_centre", "random_checks", "longer_action")
REPLICATES = 20
PAIRING_SCENARIO = "no_scanning_teams"
DISPLACED = ("no_scanning_teams", "scanning_teams_at_busiest")  # displacement figures drawn
OVERLAID = ("no_scanning_teams", "random_checks")  # day by day: differences from the base
PNG_ONLY = ("day_by_day", "trade_off", "calibration")  # SVG only for the README's figures
TABLE = "table.md"
__all__ = ["ALTERNATIVES", "BASE", "REPLICATES", "ReferenceRunError", "build_reference",
           "members_line", "naive_estimates", "readme_table", "reference_markdown",
           "run_scenarios", "write_table"]


class ReferenceRunError(RuntimeError):
    """A scenario of the reference set did not run through: no reference is written."""


def members_line(*, replicates: int, posterior: int | None = None,
                 posterior_file: Path | None = None, ensemble: int | None = None,
                 ensemble_file: Path | None = None) -> str:
    """What the reference runs over, as its output says it first: ensemble members, posterior
    draws or replicates only."""
    each = f"{replicates} replicate{'s' * (replicates != 1)} each"
    if ensemble:
        return (f"over the first {ensemble} members of "
                f"{shown_path(Path(ensemble_file or ENSEMBLE_FILE))} × {each}")
    if posterior:
        return (f"over the first {posterior} draws of "
                f"{shown_path(Path(posterior_file or DEFAULT_FILE))} × {each}")
    return f"on the point fit, {replicates} replicates (replicate noise only)"


def run_scenarios(names: Sequence[str], runs: Path, *, replicates: int, workers: int | None,
                  reuse: bool, posterior: int | None = None,
                  posterior_file: Path | None = None, ensemble: int | None = None,
                  ensemble_file: Path | None = None,
                  overrides: Mapping[str, Any] | None = None) -> list[Results]:
    """Run each scenario file into `runs/<name>` (or load it, with `reuse`, when complete and
    over the same kind and number of draws or members), over `posterior` draws or `ensemble`
    members when given; `overrides` as `sim.run`'s keyword overrides (tests)."""
    members = ensemble or posterior
    kind = "ensemble" if ensemble else "posterior" if posterior else None
    results = []
    for name in names:
        folder = runs / name
        if reuse and (folder / "summary.csv").is_file():
            loaded = load(folder)
            if (loaded.complete and len(loaded.summary) == replicates * (members or 1)
                    and _held_members(loaded) == (kind, members)):
                results.append(loaded)
                continue
        started = time.perf_counter()
        finished = run(SCENARIOS_FOLDER / f"{name}.yaml", replicates=replicates,
                       workers=workers, out=folder, force=True, posterior=posterior,
                       posterior_file=posterior_file, ensemble=ensemble,
                       ensemble_file=ensemble_file, command=f"sim reference ({name})",
                       **(overrides or {}))
        if finished.failures:
            raise ReferenceRunError(f"{name}: {len(finished.failures)} of {replicates} replicates "
                                 f"failed, first: {finished.failures[0]['error']} (tracebacks "
                                 f"in {folder / 'failures.json'})")
        results.append(finished)
        runs_made = f"{members} {'members' if ensemble else 'draws'} × " if members else ""
        print(f"{name}: {runs_made}{replicates} replicates in "
              f"{time.perf_counter() - started:.0f} s")
    return results


def _held_members(results: Results) -> tuple[str | None, int | None]:
    """The kind and count of draws or members a run went over ((None, None): replicates)."""
    info = results.manifest.get("posterior")
    if not info:
        return None, None
    return info.get("kind", "posterior"), int(info["draws"])


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
                    posterior_file: Path | None = None, ensemble: int | None = None,
                    ensemble_file: Path | None = None, harm: HarmLike = None,
                    alternatives: Sequence[str] | None = None,
                    overrides: Mapping[str, Any] | None = None) -> list[Path]:
    """Run, compare and draw; returns the files written into `out`. With `posterior` (or
    `ensemble`), every scenario runs over that many posterior draws (ensemble members) ×
    `replicates`, and the comparison's intervals, robustness and deciding assumptions cover
    what the draws (members) leave open. `alternatives` (default: every shipped one) and
    `overrides` (`sim.run`'s) make a small reference for tests."""
    if posterior and ensemble:
        raise ValueError("give posterior or ensemble, not both (an ensemble's members already "
                         "hold posterior draws)")
    names = [n for n in (ALTERNATIVES if alternatives is None else alternatives)
             if (SCENARIOS_FOLDER / f"{n}.yaml").is_file()]
    base, *others = run_scenarios([BASE, *names], out / "runs", replicates=replicates,
                                  workers=workers, reuse=reuse, posterior=posterior,
                                  posterior_file=posterior_file, ensemble=ensemble,
                                  ensemble_file=ensemble_file, overrides=overrides)
    check_same_model([base, *others])
    comparison = compare(base, others, harm=harm)
    write_csv(comparison, out / COMPARISON)
    naive = naive_estimates(base, others)
    write_csv(naive, out / NAIVE_FILE)
    write_text(out / TABLE, reference_markdown(comparison, naive) + "\n")
    written = [out / COMPARISON, out / NAIVE_FILE, out / TABLE]
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


def naive_estimates(base: Results | Staffing, others: Sequence[Results] | Mapping[str, Staffing]
                    ) -> pd.DataFrame:
    """naive.csv: the spreadsheet's answer for every scenario and headline outcome with a
    published 2023 figure, from the officers and days each run had (its manifest) or given."""
    base_staffing = base if isinstance(base, Staffing) else staffing(base)
    staffings = (dict(others) if isinstance(others, Mapping)
                 else {o.scenario_name: staffing(o) for o in others})
    return naive_table(staffings, base_staffing, published_figures(load_targets()),
                       outcomes=list(HEADLINE))


def write_table(out: Path) -> list[Path]:
    """Rewrite naive.csv and table.md from the comparison.csv already in `out`, running
    nothing: the officers and days from the runs in `out/runs` when they are there, else from
    the scenario files (a change of the table's layout, or a reference made before naive.csv
    existed)."""
    comparison, _ = read_reference(out)
    names = list(dict.fromkeys(comparison["scenario"]))
    base = str(comparison["base"].iloc[0]) if len(comparison) else BASE
    naive = naive_estimates(_staffing_of(out, base),
                            {name: _staffing_of(out, name) for name in names})
    write_csv(naive, out / NAIVE_FILE)
    write_text(out / TABLE, reference_markdown(comparison, naive) + "\n")
    return [out / NAIVE_FILE, out / TABLE]


def _staffing_of(out: Path, name: str) -> Staffing:
    folder = out / "runs" / name
    if (folder / MANIFEST).is_file():
        return staffing(Scenario.model_validate(read_manifest(folder)["scenario"]))
    return staffing(load_scenario(SCENARIOS_FOLDER / f"{name}.yaml"))
