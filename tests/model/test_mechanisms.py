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


def test_the_rhythms_swing_keeps_the_tables_at_1_and_flattens_them_at_0():
    daily, by_class, weekday = m.traffic_rhythms(1.0, 1.0)
    assert (daily == m.DAILY_RHYTHM).all() and (by_class == m.CLASS_RHYTHM).all()
    assert (weekday == m.WEEKDAY_FACTOR).all()
    daily, by_class, weekday = m.traffic_rhythms(0.0, 0.0)
    assert daily == pytest.approx(np.full(24, 1 / 24)) and weekday == pytest.approx(1.0)
    daily, by_class, weekday = m.traffic_rhythms(1.3, 1.5)
    assert by_class.sum(axis=0) == pytest.approx(np.ones(3)) and (by_class > 0).all()
    assert weekday.mean(axis=0) == pytest.approx(np.ones(3)) and (weekday > 0).all()
    assert daily[3] < m.DAILY_RHYTHM[3]  # a deeper night trough


def test_booths_open_for_the_load_within_booths_and_officers():
    load = np.array([[90.0, 0.0, 30.0]] * 4)
    per_booth = np.array([45.0, 6.0, 12.0])
    booths = np.array([[4.0, 1.0, 2.0]] * 4)
    opened = m.booths_to_open(load, per_booth, booths, np.array([0.0, 3.0, 6.0, 40.0]), 2)
    # three officers staff one booth, which serves cars and lorries in turn (each needs two)
    assert opened.tolist() == [[0, 0, 0], [0.5, 0, 0.5], [2, 0, 1], [2, 0, 2]]


def test_square_root_staffing_opens_a_margin_of_booths_over_the_load():
    """R + β√R booths for an offered load of R booths' work: 4 booths' work and β = 1 open
    6; β = 0 opens just the 4; never more than the booths there are."""
    load, per_booth = np.array([[180.0, 45.0]]), np.array([[45.0, 45.0]])
    booths, officers = np.array([[10.0, 10.0]]), np.array([100.0])
    assert m.booths_to_open(load, per_booth, booths, officers, 2, 1.0).tolist() == [[6, 2]]
    assert m.booths_to_open(load, per_booth, booths, officers, 2, 0.0).tolist() == [[4, 1]]
    assert m.booths_to_open(load, per_booth, np.array([[5.0, 1.0]]), officers, 2,
                            1.0).tolist() == [[5, 1]]


def test_one_rule_spends_every_officer_on_booths_teams_patrol_or_idle():
    """Booths first (every person passes the first line), then second-line teams up to the
    places, then the adjoining sector where there is one, else idle; the parts add up."""
    load = np.array([[90.0, 0.0, 30.0, 90.0, 0.0, 30.0]] * 3)
    per_booth = np.full((3, 6), 45.0)
    booths = np.full((3, 6), 2.0)
    places = np.array([6.0, 6.0, 6.0])
    result = m.allocate_post_officers(
        np.array([4.0, 40.0, 40.0]), load, per_booth, booths, places,
        officers_per_booth=2, safety=0.0, second_line_share=1.0, team_officers=3.0,
        patrol_share=1.0, has_sector=np.array([True, True, False]))
    assert result.first_line.tolist() == pytest.approx([4.0, 12.0, 12.0])
    assert result.second_line.tolist() == pytest.approx([0.0, 18.0, 18.0])
    assert result.patrol.tolist() == pytest.approx([0.0, 10.0, 0.0])
    assert result.idle.tolist() == pytest.approx([0.0, 0.0, 10.0])
    total = result.first_line + result.second_line + result.patrol + result.idle
    assert total.tolist() == pytest.approx([4.0, 40.0, 40.0])


def test_equipment_coverage_has_diminishing_returns_and_no_cap():
    cover = [float(m.equipment_coverage(n, 12.0, 24.0)) for n in range(5)]
    gains = np.diff(cover)
    assert cover[0] == 0.0 and (gains > 0).all()
    assert (np.diff(gains) < 0).all()
    assert float(m.equipment_coverage(1, 12.0, 0.0)) == 1.0  # nothing to serve: all served


def test_shift_profile_keeps_officer_hours():
    profile = m.shift_profile(np.arange(1, 25), 8)
    assert profile.sum() == pytest.approx(8.0) and profile[23] > profile[0]


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


GREEN = {"hazard_per_officer_km": 0.1, "saturation_officers_per_km": 0.5,
         "hotspot_length_share": 0.2, "hotspot_crossing_share": 0.7}


def test_green_border_detection_rises_with_patrols_and_thermal_vision_at_night():
    kwargs = {**GREEN, "thermal_factor": 2.0, "thermal_km": 10.0}
    none = m.green_border_detection(0, 10, thermal_units=0, night=True, **kwargs)
    few = m.green_border_detection(5, 10, thermal_units=0, night=True, **kwargs)
    many = m.green_border_detection(20, 10, thermal_units=0, night=True, **kwargs)
    thermal = m.green_border_detection(5, 10, thermal_units=1, night=True, **kwargs)
    thermal_day = m.green_border_detection(5, 10, thermal_units=1, night=False, **kwargs)
    assert none == 0 and 0 < few < many < 1
    assert thermal > few and thermal_day == pytest.approx(few)


def test_groups_wait_for_darkness():
    assert m.night_wait(14, 0.1, 0.8, 20, 6) == 6
    assert m.night_wait(14, 0.9, 0.8, 20, 6) == 0
    assert m.night_wait(23, 0.1, 0.8, 20, 6) == 0
    assert m.night_wait(14, 0.1, 0.8, 18, 6) == 4  # an earlier night: a shorter wait
    assert m.night_hours(20, 6) == (20, 21, 22, 23, 0, 1, 2, 3, 4, 5)


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


def test_green_border_detection_has_diminishing_returns_in_officers_per_km():
    """Each extra officer on a sector adds less detection than the one before (the hazard
    bends at the saturation density and the chance at 1), and concentrating crossings at
    hotspots where the patrol also stands raises detection over an even spread."""
    kwargs = {**GREEN, "thermal_units": 0, "thermal_factor": 1.0, "thermal_km": 10.0,
              "night": True}
    chance = [m.green_border_detection(n, 100, **kwargs) for n in range(0, 400, 20)]
    gains = np.diff(chance)
    assert (gains > 0).all() and (np.diff(gains) < 0).all()
    assert m.patrol_hazard(0.01, 0.1, 0.5) == pytest.approx(0.001, rel=0.02)  # slope at 0
    assert m.patrol_hazard(100.0, 0.1, 0.5) == pytest.approx(0.05)  # at most slope x bend
    even = {**kwargs, "hotspot_length_share": 0.5, "hotspot_crossing_share": 0.5}
    assert m.green_border_detection(10, 100, **kwargs) > m.green_border_detection(
        10, 100, **even)


def test_thermal_vision_covers_kilometres_with_diminishing_returns():
    kwargs = {**GREEN, "thermal_factor": 3.0, "thermal_km": 10.0, "night": True}
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
