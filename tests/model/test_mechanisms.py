"""Each mechanism in isolation: small numbers whose right answer is known by hand."""

import numpy as np
import pytest

from sim.model import mechanisms as m
from sim.model.streams import Streams, replicate_seeds


def test_daily_rhythm_is_a_distribution_with_a_night_trough():
    assert m.DAILY_RHYTHM.sum() == pytest.approx(1.0)
    assert m.DAILY_RHYTHM[3] < m.DAILY_RHYTHM[11] / 3


def test_class_arrivals_average_the_daily_volume_over_a_week():
    rng = np.random.default_rng(1)
    per_day = np.array([[2400.0, 60.0, 1200.0]])
    total = sum(m.class_arrivals(per_day, h, day, 1.0, rng)[0]
                for _ in range(30) for day in range(7) for h in range(24))
    assert total / (30 * 7) == pytest.approx(per_day[0], rel=0.03)
    assert m.CLASS_RHYTHM.sum(axis=0) == pytest.approx(np.ones(3))
    sunday, tuesday = m.WEEKDAY_FACTOR[6], m.WEEKDAY_FACTOR[1]
    assert sunday[2] < tuesday[2] and sunday[0] > tuesday[0]  # lorries rest, cars travel


def test_booths_open_for_the_load_within_booths_and_officers():
    load = np.array([[90.0, 0.0, 30.0]] * 4)
    per_booth = np.array([45.0, 6.0, 12.0])
    booths = np.array([[4.0, 1.0, 2.0]] * 4)
    opened = m.booths_to_open(load, per_booth, booths, np.array([0.0, 3.0, 6.0, 40.0]), 2)
    # three officers staff one booth, which serves cars and lorries in turn (each needs two)
    assert opened.tolist() == [[0, 0, 0], [0.5, 0, 0.5], [2, 0, 1], [2, 0, 2]]


def test_second_line_checks_share_officer_time_and_move_it_past_full_bays():
    arrivals = np.array([[60.0, 2.0, 30.0]])
    minutes = np.array([60.0, 300.0, 150.0])
    roomy = np.full((1, 3), 1e9)
    checks = m.second_line_checks(np.array([1200.0]), arrivals, minutes, roomy)
    assert (checks * minutes).sum() == pytest.approx(1200.0)
    assert (checks / arrivals).std() == pytest.approx(0.0)  # the same share of every class
    lorry_bays_full = np.array([[1e9, 1e9, 1.0]])
    moved = m.second_line_checks(np.array([1200.0]), arrivals, minutes, lorry_bays_full)
    assert moved[0, 2] == 1.0 and moved[0, 0] > checks[0, 0]
    assert (moved * minutes).sum() == pytest.approx(1200.0)
    plenty = m.second_line_checks(np.array([1e6]), arrivals, minutes, roomy)
    assert plenty.tolist() == arrivals.tolist()  # never more checks than arrivals


def test_check_teams_grow_with_officers_per_bay_with_diminishing_returns_and_a_cap():
    """Few officers per bay: the standard team at the standard clock time. More: bigger teams,
    each extra officer shortening the check less and costing more officer time per check; past
    the most a vehicle holds, nothing changes (those officers stay idle)."""
    most = np.array([5.0, 8.0, 8.0])
    team, factor = m.check_teams(np.array([1.0, 3.0, 4.0, 5.0, 6.0, 8.0, 30.0]), 3.0, most,
                                 0.3)
    assert (team[:2] == 3.0).all() and factor[:2] == pytest.approx(np.ones((2, 3)))
    assert team[-1].tolist() == [5.0, 8.0, 8.0] and (factor[-1] == factor[-2]).all()
    lorry = factor[:, 2]
    assert (np.diff(lorry) <= 0).all() and lorry[-1] > 0.3  # the serial part stays
    savings = -np.diff(lorry[1:5])  # one officer more each: 3 -> 4 -> 5 -> 6
    assert (np.diff(savings) < 0).all()
    officer_time = team[:, 2] * lorry  # per check, relative to the standard team's
    assert (np.diff(officer_time) >= 0).all() and officer_time[-1] > officer_time[0]
    with pytest.raises(ValueError, match="fewer than the standard team"):
        from sim.scenario.parameters import Parameters

        Parameters(check_team_max_officers={"car": 2.0})


def test_equipment_coverage_has_diminishing_returns_and_no_cap():
    cover = [float(m.equipment_coverage(n, 12.0, 24.0)) for n in range(5)]
    gains = np.diff(cover)
    assert cover[0] == 0.0 and (gains > 0).all()
    assert (np.diff(gains) < 0).all()
    assert float(m.equipment_coverage(1, 12.0, 0.0)) == 1.0  # nothing to serve: all served


def test_shift_profile_keeps_officer_hours():
    profile = m.shift_profile(np.arange(1, 25), 8)
    assert profile.sum() == pytest.approx(8.0) and profile[23] > profile[0]


def test_queue_grows_when_arrivals_exceed_service_and_drains_after():
    queue, wait = m.queue_step(np.array([0.0]), np.array([120.0]), np.array([60.0]),
                               np.array([False]))
    assert queue[0] == 60 and wait[0] == pytest.approx(60.0)
    queue, wait = m.queue_step(queue, np.array([0.0]), np.array([60.0]), np.array([False]))
    assert queue[0] == 0 and wait[0] == pytest.approx(60.0)


def test_unstaffed_crossing_has_no_queue():
    queue, wait = m.queue_step(np.array([0.0]), np.array([500.0]), np.array([0.0]),
                               np.array([True]))
    assert queue[0] == 0 and wait[0] == 0


def test_check_capacity_counts_officer_minutes_and_equipment():
    capacity = m.check_capacity(np.array([2.0, 0.0]), 30.0, np.array([0.0, 12.0]))
    assert capacity.tolist() == [4.0, 12.0]


def test_share_checked_bounded_by_one_and_zero_without_arrivals():
    share = m.share_checked(np.array([10.0, 10.0, 5.0]), np.array([5.0, 0.0, 10.0]))
    assert share.tolist() == [1.0, 0.0, 0.5]


@pytest.mark.parametrize("targeting, flagged, expected", [
    ("random", True, 0.1),
    ("risk_profile", True, 0.25),
    ("intelligence_led", False, 0.25),
    ("intelligence_led", True, 0.85),
])
def test_selection_by_targeting_rule(targeting, flagged, expected):
    chance = m.selection_probability(0.1, targeting, risk_lift=3.0, flagged=flagged,
                                     intelligence_selection=0.85)
    assert chance == pytest.approx(expected)


def test_no_capacity_means_no_selection_even_for_targets():
    assert m.selection_probability(0.0, "intelligence_led", risk_lift=3, flagged=True,
                                   intelligence_selection=1.0) == 0.0


def test_scanner_and_kit_only_raise_detection():
    manual = {"structural": 0.1}
    scanner = {"structural": 0.6}
    plain = m.detection_probability("structural", manual=manual, scanner=None, kit_bonus=0.0)
    scanned = m.detection_probability("structural", manual=manual, scanner=scanner,
                                      kit_bonus=0.0)
    kit = m.detection_probability("structural", manual=manual, scanner=None, kit_bonus=0.5)
    assert plain == pytest.approx(0.1)
    assert scanned == pytest.approx(1 - 0.9 * 0.4)
    assert kit == pytest.approx(1 - 0.9 * 0.5)


def test_green_border_detection_rises_with_patrols_and_thermal_vision_at_night():
    kwargs = {"hazard_per_officer_km": 0.1, "thermal_factor": 2.0, "thermal_km": 10.0}
    none = m.green_border_detection(0, 10, thermal_units=0, night=True, **kwargs)
    few = m.green_border_detection(5, 10, thermal_units=0, night=True, **kwargs)
    many = m.green_border_detection(20, 10, thermal_units=0, night=True, **kwargs)
    thermal = m.green_border_detection(5, 10, thermal_units=1, night=True, **kwargs)
    thermal_day = m.green_border_detection(5, 10, thermal_units=1, night=False, **kwargs)
    assert none == 0 and 0 < few < many < 1
    assert thermal > few and thermal_day == pytest.approx(few)


def test_groups_wait_for_darkness():
    assert m.night_wait(14, 0.1, 0.8) == 6
    assert m.night_wait(14, 0.9, 0.8) == 0
    assert m.night_wait(23, 0.1, 0.8) == 0


def test_lognormal_load_median():
    rng = np.random.default_rng(3)
    loads = [m.lognormal_load(rng, 10.0, 1.0) for _ in range(4000)]
    assert np.median(loads) == pytest.approx(10.0, rel=0.08)


def test_replicate_seeds_are_stable_and_distinct():
    seeds = replicate_seeds(42, 5)
    assert seeds == replicate_seeds(42, 5)
    assert replicate_seeds(42, 3) == seeds[:3]
    assert len(set(seeds)) == 5


def test_streams_are_independent_and_reproducible():
    a, b = Streams.from_seed(7), Streams.from_seed(7)
    assert a.traffic.random() == b.traffic.random()
    assert Streams.from_seed(7).traffic.random() != Streams.from_seed(7).checks.random()


def test_odd_parameter_table_is_current():
    from sim.scenario.docs import ODD, render

    text = ODD.read_text(encoding="utf-8")
    assert render(text) == text, "docs/ODD.md is stale: run `sim docs parameters`"


def test_thermal_vision_covers_kilometres_with_diminishing_returns():
    kwargs = {"hazard_per_officer_km": 0.1, "thermal_factor": 3.0, "thermal_km": 10.0,
              "night": True}
    chance = [m.green_border_detection(10, 40, thermal_units=n, **kwargs) for n in range(7)]
    gains = np.diff(chance)
    assert gains[0] > 0 and gains[1] < 2 * gains[0]
    assert chance[4] == chance[5] == chance[6]  # a 40 km sector is covered by four units


def test_intensified_checks_slow_the_lanes():
    free = m.booth_throughput(80.0, 150.0, np.array([0.0]))[0]
    busy = m.booth_throughput(80.0, 150.0, np.array([0.3]))[0]
    assert free == pytest.approx(45.0)
    assert busy == pytest.approx(3600 / (80 + 45))


def test_tally_adds_a_place_vector_as_add_at_would():
    """`add_vector` over some distinct places, and over every place in order, adds exactly what
    numpy's unbuffered `add.at` adds."""
    from sim.model.outcomes import PLACE_OUTCOMES, Tally

    rng = np.random.default_rng(3)
    tally, expected = Tally(places=9, days=2), np.zeros((len(PLACE_OUTCOMES), 9, 2))
    outcome = tally.index["checks_vehicles"]
    for _ in range(20):
        places = rng.choice(9, size=4, replace=False)
        amounts = rng.uniform(0, 5, size=4)
        tally.add_vector("checks_vehicles", 1, amounts, places)
        np.add.at(expected[outcome, :, 1], places, amounts)
        everywhere = rng.uniform(0, 5, size=9)
        tally.add_vector("checks_vehicles", 0, everywhere)
        np.add.at(expected[outcome, :, 0], np.arange(9), everywhere)
    assert np.array_equal(tally.values, expected)


def test_officers_short_of_a_booth_team_staff_part_of_a_booth_and_classes_take_turns():
    """Fewer officers than a booth's team staff a booth for part of the hour (1.2 of a team of
    2: 0.6 of a booth); one booth's time and two classes with vehicles waiting: each gets a
    share by the booths it needs, never more than it has, so neither class waits for a booth
    that never opens."""
    load = np.array([[30.0, 0.0, 10.0], [30.0, 0.0, 0.0], [0.0, 0.0, 0.0], [90.0, 0.0, 5.0]])
    per_booth = np.full((4, 3), 45.0)
    booths = np.array([[4.0, 4.0, 4.0]] * 3 + [[1.0, 1.0, 1.0]])
    opened = m.booths_to_open(load, per_booth, booths, np.array([1.2, 0.5, 1.0, 3.0]), 2)
    assert opened[0].tolist() == pytest.approx([0.3, 0.0, 0.3])
    assert opened[1].tolist() == pytest.approx([0.25, 0.0, 0.0])
    assert opened[2].tolist() == [0.0, 0.0, 0.0]  # nobody waits: nothing opens
    assert opened[3].tolist() == pytest.approx([0.5, 0.0, 0.5])  # one car booth: never 1.5
    assert (opened <= booths).all()
    assert not m.booths_to_open(load, per_booth, booths, np.zeros(4), 2).any()
