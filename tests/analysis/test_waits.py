"""Waits per crossing, side and vehicle class, from hand-made crossing-waits tables: the
vehicle-weighted mean and the longest hourly wait are the numbers computed by hand, a table with a
`side` column is read side by side, and differences pair the replicates both runs share."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.analysis.waits import crossing_waits, wait_differences, wait_keys, waits_by_replicate
from sim.runs.results import Results


def run(name: str, rows: list[tuple], *, seeds: dict[int, int] | None = None,
        sides: bool = False) -> Results:
    """Results whose crossing_waits hold `rows`: (replicate, tick, place, [side,] class,
    arrivals, wait_minutes)."""
    columns = ["replicate", "tick", "place", *(["side"] if sides else []), "vehicle_class",
               "arrivals", "wait_minutes"]
    waits = pd.DataFrame(rows, columns=columns)
    replicates = sorted(set(waits["replicate"]))
    seeds = seeds or {r: 100 + r for r in replicates}
    summary = pd.DataFrame({"scenario": name, "replicate": replicates,
                            "seed": [seeds[r] for r in replicates]})
    return Results(summary, pd.DataFrame(), pd.DataFrame(), {"scenario_name": name},
                   crossing_waits=waits)


def test_the_mean_wait_is_weighted_by_vehicles_and_the_longest_counts_hours_with_arrivals():
    results = run("base", [(0, 0, "evzonoi", "car", 10, 30.0),
                           (0, 1, "evzonoi", "car", 30, 10.0),
                           (0, 2, "evzonoi", "car", 0, 99.0),   # nobody arrived: not counted
                           (0, 0, "evzonoi", "lorry", 0, 50.0)])
    table = waits_by_replicate(results)
    car = table.loc[(0, "evzonoi", "car")]
    assert car["vehicles"] == 40
    assert car["mean_wait_minutes"] == pytest.approx((10 * 30 + 30 * 10) / 40)  # 15
    assert car["longest_wait_minutes"] == 30.0
    lorry = table.loc[(0, "evzonoi", "lorry")]
    assert lorry["vehicles"] == 0 and math.isnan(lorry["mean_wait_minutes"])


def test_a_table_with_sides_is_read_side_by_side():
    rows = [(0, 0, "evzonoi", "GR", "car", 10, 20.0), (0, 0, "evzonoi", "MK", "car", 10, 40.0),
            (1, 0, "evzonoi", "GR", "car", 10, 22.0), (1, 0, "evzonoi", "MK", "car", 10, 44.0)]
    base = run("base", rows, sides=True)
    assert wait_keys(base.crossing_waits) == ["place", "side", "vehicle_class"]
    table = crossing_waits(base)
    assert list(table.columns[:4]) == ["place", "crossing", "side", "vehicle_class"]
    by_side = table.set_index("side")["mean_wait_minutes"]
    assert by_side["GR"] == pytest.approx(21.0) and by_side["MK"] == pytest.approx(42.0)
    other = run("other", [(r, t, p, s, c, a, w + (5.0 if s == "MK" else 0.0))
                          for r, t, p, s, c, a, w in rows], sides=True)
    differences = wait_differences(base, other).set_index("side")
    assert differences.loc["MK", "difference"] == pytest.approx(5.0)
    assert differences.loc["GR", "difference"] == pytest.approx(0.0)
    assert (differences["n"] == 2).all()


def test_differences_pair_the_replicates_both_runs_share():
    base = run("base", [(r, 0, "kipoi", "car", 10, 10.0 + r) for r in range(4)])
    other = run("other", [(r, 0, "kipoi", "car", 10, 12.0 + r) for r in range(2)])
    row = wait_differences(base, other).iloc[0]
    assert row["n"] == 2 and row["difference"] == pytest.approx(2.0)
    assert row["base_wait_minutes"] == pytest.approx(10.5)  # over replicates 0 and 1 only
    assert row["ci_low"] == pytest.approx(2.0) and row["ci_high"] == pytest.approx(2.0)
