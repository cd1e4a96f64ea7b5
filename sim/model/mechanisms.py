"""The model's mechanisms, each a small pure function with its parameters spelled out.

The model (`sim.model`) calls these; tests exercise them one by one. Arrays are numpy vectors
over places (crossings, posts) so that one hour of the whole region is a handful of array
operations, not thousands of Python calls.
"""

from __future__ import annotations

import math

import numpy as np

# Share of a day's traffic arriving in each hour (local time). Assumption: the shape of hourly
# counts at European motorway crossings — a night trough near 1.5 %, a day plateau near 6 %.
DAILY_RHYTHM = np.array([
    1.6, 1.3, 1.2, 1.2, 1.5, 2.3, 3.5, 4.8, 5.6, 6.0, 6.2, 6.2,
    6.1, 6.0, 6.0, 5.9, 5.8, 5.5, 5.0, 4.3, 3.6, 3.0, 2.4, 1.9,
])
DAILY_RHYTHM = DAILY_RHYTHM / DAILY_RHYTHM.sum()
NIGHT_HOURS = frozenset({20, 21, 22, 23, 0, 1, 2, 3, 4, 5})


def hourly_arrivals(per_day: np.ndarray, hour_of_day: int, share: float,
                    rng: np.random.Generator) -> np.ndarray:
    """Legitimate arrivals in one hour: Poisson around the daily volume times the rhythm."""
    return rng.poisson(per_day * share * DAILY_RHYTHM[hour_of_day])


def lanes_open(first_line_officers: np.ndarray, lanes: np.ndarray,
               officers_per_lane: int) -> np.ndarray:
    """Lanes staffed by the first-line officers on duty, at most the lanes the crossing has."""
    return np.minimum(lanes, first_line_officers // officers_per_lane)


def lane_throughput(vehicles_per_hour: float, blocking_seconds: float,
                    share_checked: np.ndarray) -> np.ndarray:
    """Vehicles one staffed lane clears per hour when a share of them is picked for an
    intensified check and holds the lane `blocking_seconds` longer: checks cost queue time."""
    return 3600.0 / (3600.0 / vehicles_per_hour + share_checked * blocking_seconds)


def queue_step(queue: np.ndarray, arrivals: np.ndarray, service: np.ndarray,
               unchecked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fluid queue over one hour: returns (queue after the hour, wait in minutes of an arrival).

    A vehicle arriving mid-hour waits for the queue ahead of it plus half the hour's arrivals,
    served at `service` vehicles per hour. Where nobody staffs the crossing (`unchecked`),
    traffic flows freely and nobody waits.
    """
    backlog = queue + arrivals
    served = np.where(unchecked, backlog, np.minimum(backlog, service))
    with np.errstate(divide="ignore", invalid="ignore"):
        wait = np.where(service > 0, (queue + arrivals / 2.0) / service * 60.0, 0.0)
    wait = np.where(unchecked, 0.0, wait)
    return backlog - served, wait


def check_capacity(officers: np.ndarray, officer_minutes_per_check: float | np.ndarray,
                   extra: np.ndarray | float = 0.0) -> np.ndarray:
    """Checks the officers on duty can do in one hour, plus equipment throughput (`extra`)."""
    return np.floor(officers * 60.0 / officer_minutes_per_check) + extra


def share_checked(checks: np.ndarray, arrivals: np.ndarray) -> np.ndarray:
    """Share of the hour's arrivals that receive an intensified check."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(arrivals > 0, np.minimum(1.0, checks / np.maximum(arrivals, 1)), 0.0)


def selection_probability(base_share: float, targeting: str, *, risk_lift: float,
                          flagged: bool, intelligence_selection: float) -> float:
    """Chance that one criminal movement is picked for a check.

    random: it is one vehicle among the arrivals; risk_profile: indicators raise its odds by
    `risk_lift` (an odds ratio, so a post that checks nearly everyone cannot pick more than
    everyone); intelligence_led: a movement of a targeted or alerted network is stopped with
    `intelligence_selection`, others as under risk profiling. No check capacity, no selection.
    """
    if base_share <= 0.0:
        return 0.0
    if targeting == "random" or base_share >= 1.0:
        return base_share
    odds = risk_lift * base_share / (1.0 - base_share)
    profiled = odds / (1.0 + odds)
    if targeting == "intelligence_led" and flagged:
        return max(profiled, intelligence_selection)
    return profiled


def detection_probability(concealment: str, *, manual: dict[str, float],
                          scanner: dict[str, float] | None, kit_bonus: float) -> float:
    """Chance that a check finds what a movement hides.

    A scanner, where one works, examines the vehicle as well as the officers (independent
    chances); a detection kit recovers a share of the drug finds the search would miss.
    """
    miss = 1.0 - manual[concealment]
    if scanner is not None:
        miss *= 1.0 - scanner[concealment]
    return 1.0 - miss * (1.0 - kit_bonus)


def green_border_detection(patrol_officers: float, length_km: float, *, hazard_per_officer_km:
                           float, thermal_units: int, thermal_factor: float, night: bool) -> float:
    """Chance that a patrolled sector detects a group crossing on foot in one hour.

    Detection is a hazard proportional to patrol density (officers per km); thermal vision
    multiplies it at night, once per unit.
    """
    if patrol_officers <= 0:
        return 0.0
    density = patrol_officers / max(length_km, 1.0)
    hazard = hazard_per_officer_km * density
    if night and thermal_units > 0:
        hazard *= thermal_factor ** min(thermal_units, 3)
    return 1.0 - math.exp(-hazard)


def lognormal_load(rng: np.random.Generator, median: float, sigma: float) -> float:
    """A load (kg) from a lognormal with the given median: few large loads dominate totals."""
    return float(median * math.exp(sigma * rng.standard_normal()))


def night_wait(hour_of_day: int, uniform: float, night_share: float) -> float:
    """Hours a group on foot waits at the border for darkness (0 if it goes now): with chance
    `night_share` a group arriving by day waits until 20:00."""
    if hour_of_day in NIGHT_HOURS or uniform >= night_share:
        return 0.0
    return float((20 - hour_of_day) % 24)


def odds_scaled(probability: float, factor: float) -> float:
    """A probability whose odds are multiplied by `factor` (1: unchanged; stays below 1)."""
    if probability <= 0.0 or probability >= 1.0 or factor == 1.0:
        return probability
    odds = factor * probability / (1.0 - probability)
    return odds / (1.0 + odds)
