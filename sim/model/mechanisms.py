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
VEHICLE_CLASSES = ("car", "bus", "lorry")
# Hourly shares by vehicle class (local time), columns car, bus, lorry. Cars: DAILY_RHYTHM.
# Assumption: coaches run overnight and peak in the evening; lorries move round the clock with a
# flatter day plateau (freight terminals and customs work 24 h).
CLASS_RHYTHM = np.column_stack([
    DAILY_RHYTHM,
    np.array([3.5, 3.2, 3.0, 2.8, 2.8, 3.2, 3.8, 4.2, 4.5, 4.6, 4.6, 4.5,
              4.4, 4.4, 4.4, 4.5, 4.6, 4.8, 5.0, 5.0, 4.8, 4.5, 4.2, 3.8]),
    np.array([2.8, 2.5, 2.4, 2.4, 2.6, 3.0, 3.6, 4.2, 4.8, 5.2, 5.4, 5.5,
              5.5, 5.5, 5.4, 5.3, 5.1, 4.8, 4.5, 4.2, 3.9, 3.6, 3.3, 3.0]),
])
CLASS_RHYTHM = CLASS_RHYTHM / CLASS_RHYTHM.sum(axis=0)
# Day-of-week factors (Monday first; rows) by class (columns), mean 1 over the week. Assumption:
# November car and coach traffic rises on Fridays and weekends (weekly commuters, diaspora
# visits); lorries fall on Saturday and most on Sunday (weekend lorry bans in Austria, Germany,
# Hungary, Romania, Greece and elsewhere on the routes).
WEEKDAY_FACTOR = np.array([
    [0.93, 0.95, 1.10], [0.90, 0.90, 1.12], [0.92, 0.90, 1.12], [0.97, 0.95, 1.10],
    [1.15, 1.10, 1.05], [1.08, 1.05, 0.80], [1.05, 1.15, 0.61],
])
WEEKDAY_FACTOR = WEEKDAY_FACTOR / WEEKDAY_FACTOR.mean(axis=0)
NIGHT_HOURS = frozenset({20, 21, 22, 23, 0, 1, 2, 3, 4, 5})


def class_arrivals(per_day: np.ndarray, hour_of_day: int, weekday: int, share: float,
                   rng: np.random.Generator) -> np.ndarray:
    """Legitimate arrivals of each class (columns) in one hour: Poisson around the daily volume
    times the class's hourly rhythm and its day-of-week factor."""
    mean = per_day * share * CLASS_RHYTHM[hour_of_day] * WEEKDAY_FACTOR[weekday]
    return rng.poisson(mean).astype(float)


def booth_throughput(seconds: np.ndarray, blocking_seconds: float,
                     share_checked: np.ndarray) -> np.ndarray:
    """Vehicles one staffed booth clears per hour when a share of them is picked for an
    intensified check and holds the booth `blocking_seconds` longer: checks cost queue time."""
    return 3600.0 / (seconds + share_checked * blocking_seconds)


def booths_to_open(load: np.ndarray, per_booth: np.ndarray, booths: np.ndarray,
                   officers: np.ndarray, officers_per_booth: int) -> np.ndarray:
    """Booths opened per class (columns): as many as clear the class's queue and arrivals within
    the hour, at most the booths there are, at least one where a vehicle waits; when the
    officers on duty cannot staff them all, booths go to the classes in proportion to need.

    Officers fewer than a booth's team staff a booth for that part of the hour (1 of a team of
    2: half a booth). Where the booths that can be staffed are fewer than the classes with
    vehicles waiting, the open booths serve every waiting class in turn, each a share of their
    time by the booths it needs (fractional booths, never more than the class has): no class
    waits behind a booth that never opens."""
    need = np.where(load > 0, np.maximum(1.0, np.ceil(load / per_booth)), 0.0)
    need = np.minimum(need, booths)
    staffable = np.floor(officers / officers_per_booth)
    staffable = np.where(staffable < 1.0, officers / officers_per_booth, staffable)
    total = need.sum(axis=1)
    ratio = np.divide(staffable, total, out=np.ones_like(total), where=total > 0)
    if ratio.min(initial=1.0) >= 1.0:  # every booth needed is staffed: nothing to share out
        return need
    opened = np.floor(need * np.minimum(ratio, 1.0)[:, None])
    spare = staffable - opened.sum(axis=1)
    for column in np.argsort(-need.sum(axis=0), kind="stable"):  # busiest class first
        extra = np.clip(np.minimum(spare, need[:, column] - opened[:, column]), 0.0, None)
        opened[:, column] += extra
        spare -= extra
    starved = ((need > 0) & (opened == 0)).any(axis=1) & (opened.sum(axis=1) > 0)
    if starved.any():  # fewer booths than classes waiting: the open ones take turns
        opened[starved] = (opened[starved].sum(axis=1, keepdims=True) * need[starved]
                           / need[starved].sum(axis=1, keepdims=True))
    return opened


def second_line_checks(officer_minutes: np.ndarray, arrivals: np.ndarray,
                       minutes: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Intensified checks per class (columns) the second line does in one hour: the same share
    of every class's arrivals, as large as the officer time allows, with a class whose bays are
    full (`limit`) capped and its officers moved to the other classes (water filling)."""
    checks = np.zeros_like(arrivals)
    open_ = arrivals > 0
    budget = officer_minutes.astype(float)
    work = arrivals * minutes
    for _ in range(arrivals.shape[1]):
        demand = (work * open_).sum(axis=1)
        share = np.divide(budget, demand, out=np.zeros_like(budget), where=demand > 0)
        share = np.minimum(share, 1.0)[:, None]
        shared = share * arrivals
        capped = open_ & (shared >= limit)
        if not capped.any():  # the shares just computed are the final ones
            return np.where(open_, shared, checks)
        checks = np.where(capped, limit, checks)
        budget = np.maximum(budget - (limit * minutes * capped).sum(axis=1), 0.0)
        open_ = open_ & ~capped
    demand = (work * open_).sum(axis=1)
    share = np.minimum(np.divide(budget, demand, out=np.zeros_like(budget), where=demand > 0),
                       1.0)[:, None]
    return np.where(open_, share * arrivals, checks)


def check_teams(officers_per_bay: np.ndarray, standard: float, most: np.ndarray,
                serial_share: float) -> tuple[np.ndarray, np.ndarray]:
    """(officers working one vehicle, its check's clock time as a share of the standard team's)
    when the second line spreads over the bays in use: a team grows from `standard` up to
    `most` officers (how many can work one vehicle at once) and shortens only the part of the
    check that hands can share (Amdahl: the dog, the scanner image, database answers and the
    report take `serial_share` of the time whatever the team), so each extra officer saves
    less and costs officer time: more checks per bay, with diminishing returns."""
    team = np.clip(officers_per_bay[..., None], standard, most)
    return team, serial_share + (1.0 - serial_share) * standard / team


def equipment_coverage(units: np.ndarray | float, per_unit_hour: float,
                       demand: np.ndarray | float) -> np.ndarray:
    """Share of the hour's checks (or documents) that `units` of a Frontex kind serve, each
    serving `per_unit_hour`: referrals come at random and do not wait for a busy unit, so the
    served share is 1 - exp(-capacity / demand) (diminishing returns, never above 1)."""
    units = np.asarray(units, dtype=float)
    demand = np.asarray(demand, dtype=float)
    ratio = np.divide(units * per_unit_hour, demand, out=np.where(units > 0, np.inf, 0.0),
                      where=demand > 0)
    return 1.0 - np.exp(-ratio)


def shift_profile(weights: np.ndarray | list[float], shift_hours: float) -> np.ndarray:
    """Share of a post's officers on duty in each hour of the day, from 24 relative weights,
    scaled so that every officer works `shift_hours` a day (officer-hours are kept)."""
    weights = np.asarray(weights, dtype=float)
    return shift_hours * weights / weights.sum()


def queue_step(queue: np.ndarray, arrivals: np.ndarray, service: np.ndarray,
               unchecked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fluid queue over one hour: returns (queue after the hour, wait in minutes of an arrival).

    A vehicle arriving mid-hour waits for the queue ahead of it plus half the hour's arrivals,
    served at `service` vehicles per hour. Where a crossing without border checks has nobody on
    duty (`unchecked`), traffic flows freely and nobody waits; where `service` is 0 otherwise
    (a closed crossing), the queue keeps everything that arrives.
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
                           float, thermal_units: int, thermal_factor: float, thermal_km: float,
                           night: bool) -> float:
    """Chance that a patrolled sector detects a group crossing on foot in one hour.

    Detection is a hazard proportional to patrol density (officers per km); at night thermal
    vision multiplies it on the part of the sector its units cover (`thermal_km` each), so a
    unit adds less on a long sector and nothing once the sector is covered.
    """
    if patrol_officers <= 0:
        return 0.0
    density = patrol_officers / max(length_km, 1.0)
    hazard = hazard_per_officer_km * density
    if night and thermal_units > 0:
        covered = min(1.0, thermal_units * thermal_km / max(length_km, 1.0))
        hazard *= 1.0 + (thermal_factor - 1.0) * covered
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
