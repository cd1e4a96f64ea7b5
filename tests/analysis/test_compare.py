"""The comparison: paired and unpaired intervals, their level and method, the table's columns."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.compare import (
    COLUMNS,
    bootstrap_interval,
    calibration_table,
    compare,
    difference_interval,
    is_paired,
    load_targets,
    pairing_gain,
)
from sim.runs.results import Results

T_95_3_DOF = 2.3533634348  # Student t, 95th percentile, 3 degrees of freedom (tables)


def results(name: str, values: dict[str, list[float]], seeds: list[int] | None = None
            ) -> Results:
    """A hand-made Results: one summary row per replicate, no daily or event rows."""
    count = len(next(iter(values.values())))
    summary = pd.DataFrame({"scenario": name, "replicate": range(count),
                            "seed": seeds if seeds is not None else range(100, 100 + count),
                            **values})
    return Results(summary, pd.DataFrame(), pd.DataFrame(), {"scenario_name": name})


BASE = results("base", {"arrests_total": [10.0, 12.0, 14.0, 16.0]})
OTHER = results("more_teams", {"arrests_total": [11.0, 14.0, 15.0, 19.0]})


def test_paired_t_interval_matches_a_hand_computation():
    row = compare(BASE, [OTHER], outcomes=["arrests_total"]).iloc[0]
    differences = np.array([1.0, 2.0, 1.0, 3.0])
    half = T_95_3_DOF * differences.std(ddof=1) / math.sqrt(4)  # 0.90 two-sided: 95th pct
    assert row["paired"] and row["method"] == "t" and row["n"] == 4
    assert row["difference"] == pytest.approx(1.75)
    assert row["relative_difference"] == pytest.approx(1.75 / 13.0)
    assert (row["base_mean"], row["mean"]) == pytest.approx((13.0, 14.75))
    assert row["ci_low"] == pytest.approx(1.75 - half, rel=1e-9)
    assert row["ci_high"] == pytest.approx(1.75 + half, rel=1e-9)
    assert half == pytest.approx(1.12664, abs=1e-4)


def test_table_has_the_documented_columns_one_row_per_scenario_and_outcome():
    third = results("fewer_teams", {"arrests_total": [9.0, 11.0, 12.0, 15.0],
                                    "weapons_seized": [1.0, 2.0, 3.0, 4.0]})
    base = results("base", {"arrests_total": [10.0, 12.0, 14.0, 16.0],
                            "weapons_seized": [2.0, 2.0, 3.0, 5.0]})
    other = results("more_teams", {"arrests_total": [11.0, 14.0, 15.0, 19.0],
                                   "weapons_seized": [2.0, 3.0, 3.0, 6.0]})
    table = compare(base, [other, third], outcomes=["arrests_total", "weapons_seized"])
    assert tuple(table.columns) == COLUMNS
    assert len(table) == 4
    assert set(zip(table["scenario"], table["outcome"], strict=True)) == {
        (s, o) for s in ("more_teams", "fewer_teams") for o in ("arrests_total", "weapons_seized")}


def test_a_higher_level_gives_a_wider_interval_around_the_same_difference():
    narrow = compare(BASE, [OTHER], outcomes=["arrests_total"], level=0.80).iloc[0]
    wide = compare(BASE, [OTHER], outcomes=["arrests_total"], level=0.99).iloc[0]
    assert narrow["difference"] == wide["difference"]
    assert wide["ci_low"] < narrow["ci_low"] < narrow["ci_high"] < wide["ci_high"]


def test_different_seeds_make_the_comparison_unpaired_with_a_bootstrap_interval():
    independent = results("more_teams", {"arrests_total": [11.0, 14.0, 15.0, 19.0]},
                          seeds=[1, 2, 3, 4])
    assert not is_paired(BASE, independent)
    row = compare(BASE, [independent], outcomes=["arrests_total"]).iloc[0]
    assert not row["paired"] and row["method"] == "bootstrap"
    assert row["ci_low"] < row["difference"] < row["ci_high"]
    with pytest.raises(ValueError, match="not run with the seeds"):
        pairing_gain(BASE, independent, outcomes=["arrests_total"])


def test_paired_bootstrap_stays_within_the_range_of_the_differences():
    low, high = bootstrap_interval([10, 12, 14, 16], [11, 14, 15, 19], paired=True)
    assert 1.0 <= low < 1.75 < high <= 3.0
    again = bootstrap_interval([10, 12, 14, 16], [11, 14, 15, 19], paired=True)
    assert again == (low, high)  # fixed seed: the same folders give the same table


def test_unknown_method_and_level_outside_0_1_are_refused():
    a, b = pd.Series([1.0, 2.0, 3.0]), pd.Series([2.0, 3.0, 5.0])
    with pytest.raises(ValueError, match="unknown interval method 'jackknife'"):
        difference_interval(a, b, paired=True, method="jackknife")
    with pytest.raises(ValueError, match="between 0 and 1"):
        difference_interval(a, b, paired=True, level=90)


def correlated_runs(replicates: int = 30, effect: float = 5.0) -> tuple[Results, Results]:
    """Two scenarios sharing most of their replicate-to-replicate noise (common random
    numbers), the second `effect` higher."""
    rng = np.random.default_rng(7)
    common = rng.normal(100.0, 20.0, replicates)
    base = results("base", {"arrests_total": common + rng.normal(0, 2.0, replicates)})
    other = results("other", {"arrests_total": common + effect + rng.normal(0, 2.0, replicates)})
    return base, other


def test_paired_interval_is_narrower_than_unpaired_on_correlated_data():
    base, other = correlated_runs()
    gain = pairing_gain(base, other, outcomes=["arrests_total"]).iloc[0]
    assert gain["width_ratio"] < 0.3  # noise sd 20 shared, 2 not: expected ratio ≈ 0.1
    paired = compare(base, [other], outcomes=["arrests_total"], method="t").iloc[0]
    assert paired["ci_low"] > 0  # the effect of 5 is found despite the noise of 20
    unpaired_seeds = results("other", {"arrests_total": other.summary["arrests_total"]},
                             seeds=list(range(1000, 1030)))
    unpaired = compare(base, [unpaired_seeds], outcomes=["arrests_total"], method="t").iloc[0]
    assert (paired["ci_high"] - paired["ci_low"]) < 0.3 * (unpaired["ci_high"]
                                                             - unpaired["ci_low"])


def test_paired_intervals_cover_the_true_effect_at_about_their_level():
    """900 hand-made paired comparisons with a known effect of 1: the 90% t interval covers it
    in 90% ± 3% of them (binomial sd ≈ 1%)."""
    rng = np.random.default_rng(11)
    covered = 0
    trials = 900
    for _ in range(trials):
        common = rng.normal(50.0, 10.0, 10)
        base = pd.Series(common + rng.normal(0, 1.0, 10))
        other = pd.Series(common + 1.0 + rng.normal(0, 1.0, 10))
        _, low, high, _ = difference_interval(base, other, paired=True)
        covered += low <= 1.0 <= high
    assert covered / trials == pytest.approx(0.90, abs=0.03)


def test_calibration_table_reads_every_published_target():
    targets = load_targets()
    summary = {outcome: [published * 0.9, published * 1.1]
               for outcome, published in zip(targets["outcome"], targets["published"],
                                             strict=True)}
    table = calibration_table(results("jad_see_2023", summary))
    assert list(table["outcome"]) == list(targets["outcome"])
    assert table["ratio"].to_numpy() == pytest.approx(1.0)
    assert table["inside_band"].all()


def test_runs_of_different_model_versions_are_flagged():
    base = results("base", {"arrests_total": [10.0, 12.0]})
    other = results("other", {"arrests_total": [11.0, 12.0]})
    base.manifest["code_hash"], other.manifest["code_hash"] = "aaa", "bbb"
    with pytest.warns(UserWarning, match="different versions of the model"):
        compare(base, [other], outcomes=["arrests_total"])


# --- runs over posterior draws -----------------------------------------------------------------

def posterior_results(name: str, values: list[list[float]]) -> Results:
    """One row per draw × replicate (draw-major), the replicate seeds shared by every draw."""
    rows = [{"scenario": name, "replicate": d * len(reps) + r, "seed": 100 + r, "draw": d,
             "arrests_total": value}
            for d, reps in enumerate(values) for r, value in enumerate(reps)]
    return Results(pd.DataFrame(rows), pd.DataFrame(), pd.DataFrame(),
                   {"scenario_name": name, "posterior": {"sha256": "abc", "draws": len(values)}})


def test_posterior_runs_get_an_interval_over_draws_and_the_share_of_draws_agreeing_in_sign():
    base = posterior_results("base", [[10, 12], [10, 12], [10, 12], [10, 12], [10, 12]])
    # per-draw mean differences: +2, +1, +3, -1, +5 → mean 2, four of five draws positive
    other = posterior_results("other", [[12, 14], [11, 13], [13, 15], [9, 11], [15, 17]])
    with pytest.warns(UserWarning, match="rests on 5 posterior draws: .* moves by 20 points"):
        row = compare(base, [other], outcomes=["arrests_total"], level=0.90).iloc[0]
    assert row["method"] == "posterior" and row["draws"] == 5
    assert row["difference"] == pytest.approx(2.0)
    assert row["robustness"] == pytest.approx(0.8)
    assert row["ci_low"] == pytest.approx(np.quantile([2, 1, 3, -1, 5], 0.05))
    assert row["ci_high"] == pytest.approx(np.quantile([2, 1, 3, -1, 5], 0.95))
    # the interval over draws is wider than the replicate-only interval of a single draw
    assert row["ci_low"] < 0 < row["ci_high"]
    # without draws the table keeps its old meaning: no draws, no robustness
    plain = compare(BASE, [OTHER], outcomes=["arrests_total"]).iloc[0]
    assert plain["draws"] == 0 and np.isnan(plain["robustness"])


def test_over_posterior_draws_the_headings_say_draws_not_a_confidence_interval():
    import io

    from rich.console import Console

    from sim.analysis.headline import table as findings_table
    from sim.terminal import print_comparison

    base = posterior_results("base", [[10, 12]] * 4)
    other = posterior_results("other", [[12, 14], [11, 13], [13, 15], [15, 17]])
    with pytest.warns(UserWarning, match="4 posterior draws"):
        comparison = compare(base, [other], outcomes=["arrests_total"])
    out = io.StringIO()
    print_comparison(comparison, Console(file=out, width=80))
    printed = " ".join(out.getvalue().split())
    assert "central 90% of draws" in printed and "CI" not in printed
    assert "100% of 4 draws" in printed and "4 posterior draws" in printed
    readable = findings_table(comparison, ["arrests_total"])
    assert "central 90% of draws" in readable.columns and "90% interval" not in readable.columns
    assert readable["robust"].tolist() == ["100% of 4 draws"]


def test_runs_of_different_replicate_counts_say_which_replicates_are_paired():
    """Pairing uses the replicates both runs have; the reader is told, not left to guess."""
    more = results("more_teams", {"arrests_total": [11.0, 14.0, 15.0, 19.0, 30.0]},
                   seeds=[100, 101, 102, 103, 104])
    with pytest.warns(UserWarning, match="has 5 replicates and 'base' 4: every difference "
                                         "pairs the 4 replicates both have, and both means "
                                         "are over those 4"):
        row = compare(BASE, [more], outcomes=["arrests_total"]).iloc[0]
    assert row["n"] == 4 and row["difference"] == pytest.approx(1.75)
    # the table agrees with itself: both means are over the replicates the difference uses
    assert row["mean"] - row["base_mean"] == pytest.approx(row["difference"])
    assert row["mean"] == pytest.approx(14.75) and row["base_n"] == 4


def test_the_terminal_table_says_when_totals_are_per_day():
    import io

    from rich.console import Console

    from sim.terminal import print_comparison

    table = compare(BASE, [OTHER], outcomes=["arrests_total"])
    for per_day, said in ((False, False), (True, True)):
        out = io.StringIO()
        print_comparison(table.assign(per_day=per_day), Console(file=out, width=100))
        assert ("totals are per day of action" in " ".join(out.getvalue().split())) is said


def test_per_day_divides_totals_only_never_a_mean_wait_or_a_head_count():
    from sim.analysis.compare import NOT_PER_DAY

    for name in ("mean_wait_minutes_cars", "max_wait_minutes_lorries", "centre_wait_hours",
                 "mean_wait_minutes", "officers_deployed"):
        assert name in NOT_PER_DAY, name
    assert {"movements_intercepted", "officer_hours", "cocaine_kg"}.isdisjoint(NOT_PER_DAY)


def test_a_rounding_error_of_equal_means_reads_as_zero():
    from sim.runs.statistics import number

    assert number(1.14e-13) == "0.0" and number(-3e-12) == "0.0"
    assert number(0.0042) == "0.0042" and number(1234.5) == "1,234"
