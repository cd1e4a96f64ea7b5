"""The curated reference comparison of the shipped scenarios: `python -m sim.analysis.reference`.

Runs the baseline and each shipped alternative with the same seeds (so every difference is
paired), writes `comparison.csv`, `pairing.csv` (how much pairing narrows the intervals of
no_scanning_teams − baseline) and the figures into the output folder; the runs themselves go to
`<out>/runs/` (not committed). `make reference` runs it with the defaults below.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from sim.analysis.compare import COMPARISON, compare, pairing_gain
from sim.analysis.figures import comparison_figures, save_figures
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
                  reuse: bool) -> list[Results]:
    """Run each scenario file into `runs/<name>` (or load it, with `reuse`, when complete)."""
    results = []
    for name in names:
        folder = runs / name
        if reuse and (folder / "summary.csv").is_file():
            loaded = load(folder)
            if loaded.complete and len(loaded.summary) == replicates:
                results.append(loaded)
                continue
        started = time.perf_counter()
        finished = run(SCENARIOS_FOLDER / f"{name}.yaml", replicates=replicates,
                       workers=workers, out=folder, force=True,
                       command=f"python -m sim.analysis.reference ({name})")
        if finished.failures:
            raise ReferenceRunError(f"{name}: {len(finished.failures)} of {replicates} replicates "
                                 f"failed, first: {finished.failures[0]['error']} (tracebacks "
                                 f"in {folder / 'failures.json'})")
        results.append(finished)
        print(f"{name}: {replicates} replicates in {time.perf_counter() - started:.0f} s")
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
                    reuse: bool = False) -> list[Path]:
    """Run, compare and draw; returns the files written into `out`."""
    alternatives = [n for n in ALTERNATIVES if (SCENARIOS_FOLDER / f"{n}.yaml").is_file()]
    base, *others = run_scenarios([BASE, *alternatives], out / "runs", replicates=replicates,
                                  workers=workers, reuse=reuse)
    check_same_model([base, *others])
    comparison = compare(base, others)
    write_csv(comparison, out / COMPARISON)
    written = [out / COMPARISON]
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.analysis.reference", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("results/reference"))
    parser.add_argument("--replicates", type=int, default=REPLICATES,
                        help=f"replicates per scenario (default {REPLICATES})")
    parser.add_argument("--workers", type=int, help="worker processes (default: all cores)")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse complete runs in <out>/runs instead of running again")
    args = parser.parse_args(argv)
    written = build_reference(args.out, replicates=args.replicates, workers=args.workers,
                              reuse=args.reuse)
    print("written:\n" + "\n".join(f"  {path}" for path in written))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
