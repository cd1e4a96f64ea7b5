"""The model's mechanisms, each a small pure function with its parameters spelled out.

The model (`sim.model`) calls these; tests exercise them one by one. Arrays are numpy vectors
over places (crossings, posts) so that one hour of the whole region is a handful of array
operations, not thousands of Python calls.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.scenario.parameters import Parameters

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


@functools.lru_cache(maxsize=16)
def traffic_rhythms(amplitude: float, weekday_amplitude: float
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(DAILY_RHYTHM, CLASS_RHYTHM, WEEKDAY_FACTOR) with the hourly shares' swing around an even
    day (1/24 each hour) scaled by `amplitude` and the weekday factors' swing around 1 by
    `weekday_amplitude`: shares still add up to 1 and factors average 1; 1 and 1 give the tables
    themselves (parameters traffic_rhythm_amplitude and weekday_amplitude)."""
    def tilted(table: np.ndarray, even: float, scale: float) -> np.ndarray:
        table = (1.0 - scale) * even + scale * table
        table.setflags(write=False)
        return table

    return (tilted(DAILY_RHYTHM, 1.0 / 24.0, amplitude),
            tilted(CLASS_RHYTHM, 1.0 / 24.0, amplitude),
            tilted(WEEKDAY_FACTOR, 1.0, weekday_amplitude))


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
                   officers: np.ndarray, officers_per_booth: int,
                   safety: float = 0.0) -> np.ndarray:
    """Booths opened per lane (columns: a class's entry or exit lanes): for an offered load of
    R = load / per_booth booths' work (the hour's arrivals and the queue left), R + β√R rounded
    up (square-root safety staffing, β = `safety`: Borst, Mandelbaum and Reiman, Operations
    Research 52, 2004; β = 0 opens just enough to clear the load), at most the booths there
    are, at least one where a vehicle waits; when the officers on duty cannot staff them all,
    booths go to the lanes in proportion to need.

    Officers fewer than a booth's team staff a booth for that part of the hour (1 of a team of
    2: half a booth). Where the booths that can be staffed are fewer than the classes with
    vehicles waiting, the open booths serve every waiting class in turn, each a share of their
    time by the booths it needs (fractional booths, never more than the class has): no class
    waits behind a booth that never opens."""
    offered = load / per_booth
    need = np.where(load > 0, np.maximum(1.0, np.ceil(offered + safety * np.sqrt(offered)
                                                      - 1e-9)), 0.0)
    need = np.minimum(need, booths)
    staffable = np.floor(officers / officers_per_booth)
    staffable = np.where(staffable < 1.0, officers / officers_per_booth, staffable)
    total = need.sum(axis=1)
    ratio = np.divide(staffable, total, out=np.ones_like(total), where=total > 0)
    short = ratio < 1.0
    if not short.any():  # every booth needed is staffed: nothing to share out
        return need
    order = np.argsort(-need.sum(axis=0), kind="stable")  # busiest lane first, everywhere
    needed = need[short]
    opened = np.floor(needed * ratio[short][:, None])
    spare = staffable[short] - opened.sum(axis=1)
    for column in order:
        extra = np.clip(np.minimum(spare, needed[:, column] - opened[:, column]), 0.0, None)
        opened[:, column] += extra
        spare -= extra
    starved = ((needed > 0) & (opened == 0)).any(axis=1) & (opened.sum(axis=1) > 0)
    if starved.any():  # fewer booths than lanes waiting: the open ones take turns
        opened[starved] = (opened[starved].sum(axis=1, keepdims=True) * needed[starved]
                           / needed[starved].sum(axis=1, keepdims=True))
    need[short] = opened
    return need


@dataclass(frozen=True)
class PostAllocation:
    """What a crossing side's officers do in one hour (rows: sides): `booths` opened per lane,
    `first_line` officers in them, `servers` second-line teams (each working one inspection
    place, on a vehicle of any class), `second_line` officers in those teams, `patrol`
    officers sent to the adjoining green-border sector, `idle` the rest: the posted officers
    add up. `ordinary` are officers of the side's ordinary shift in booths the posted officers
    could not staff (not the action's officers)."""

    booths: np.ndarray
    first_line: np.ndarray
    servers: np.ndarray
    second_line: np.ndarray
    patrol: np.ndarray
    idle: np.ndarray
    ordinary: np.ndarray


def allocate_post_officers(officers: np.ndarray, load: np.ndarray, per_booth: np.ndarray,
                           booths: np.ndarray, places: np.ndarray, *,
                           officers_per_booth: int, safety: float, second_line_share: float,
                           team_officers: float, patrol_share: float,
                           has_sector: np.ndarray, ordinary: np.ndarray | float = 0.0
                           ) -> PostAllocation:
    """The one rule by which a crossing side's officers on duty are spent, in order: first-line
    booths for the load of every lane (`booths_to_open`; every person passes the first line);
    then second-line teams of `team_officers`, one to an inspection place, up to the `places`
    there are (bays and approach places; at most `second_line_share` of the officers, as the
    scenario assigns); officers left over patrol the adjoining sector (`patrol_share`, where a
    modelled sector adjoins) or stand idle. `ordinary` is the share of the booth officers the
    load needs that the side's ordinary shift provides where the posted officers fall short."""
    cover = 0.0
    if np.any(ordinary):
        needed = booths_to_open(load, per_booth, booths, np.full_like(officers, np.inf),
                                officers_per_booth, safety).sum(axis=1) * officers_per_booth
        cover = np.maximum(ordinary * needed - officers, 0.0)
    opened = booths_to_open(load, per_booth, booths, officers + cover, officers_per_booth,
                            safety)
    staffing = opened.sum(axis=1) * officers_per_booth
    first = np.minimum(staffing, officers)
    pool = np.minimum(officers - first, officers * second_line_share)
    servers = np.minimum(pool / team_officers, places)
    second = servers * team_officers
    patrol = np.where(has_sector, (pool - second) * patrol_share, 0.0)
    idle = np.maximum(officers - first - second - patrol, 0.0)
    return PostAllocation(opened, first, servers, second, patrol, idle,
                          np.maximum(staffing - first, 0.0))


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


def patrol_hazard(density: np.ndarray | float, slope: float,
                  saturation: float) -> np.ndarray | float:
    """Detection hazard of a green-border patrol at `density` officers per km: `slope` x
    density where officers are few, bending at `saturation` officers per km (officers watch
    ground already watched): slope x saturation x (1 - exp(-density / saturation))."""
    return slope * saturation * -np.expm1(-np.asarray(density, dtype=float) / saturation)


def green_border_detection(patrol_officers: float, length_km: float, *, hazard_per_officer_km:
                           float, saturation_officers_per_km: float, hotspot_length_share: float,
                           hotspot_crossing_share: float, thermal_units: int,
                           thermal_factor: float, thermal_km: float, night: bool) -> float:
    """Chance that a patrolled sector detects a group crossing on foot in one hour.

    A share of the sector's crossings (`hotspot_crossing_share`) happens at hotspots on a
    share of its length (`hotspot_length_share`), and the patrol puts the same share of its
    officers there; a group crosses at a hotspot with that chance, elsewhere otherwise. The
    hazard at each has diminishing returns in officers per km (`patrol_hazard`). At night
    thermal-vision units watch `thermal_km` each, the hotspots first, multiplying the hazard
    on the part they cover, so a unit adds less on a long sector and nothing once the sector
    is covered.
    """
    if patrol_officers <= 0:
        return 0.0
    length = max(length_km, 1.0)
    parts = ((hotspot_crossing_share, hotspot_length_share * length),
             (1.0 - hotspot_crossing_share, (1.0 - hotspot_length_share) * length))
    watched = thermal_units * thermal_km if night else 0.0
    chance = 0.0
    for share, km in parts:
        if share <= 0.0 or km <= 0.0:
            continue
        hazard = float(patrol_hazard(share * patrol_officers / km, hazard_per_officer_km,
                                     saturation_officers_per_km))
        covered = min(1.0, watched / km)
        watched = max(watched - km, 0.0)
        hazard *= 1.0 + (thermal_factor - 1.0) * covered
        chance += share * -math.expm1(-hazard)
    return chance


def sector_detection(parameters, patrol_officers: float, length_km: float, thermal_units: int,
                     night: bool) -> float:
    """`green_border_detection` with the scenario's parameters (a `Parameters` object)."""
    return green_border_detection(
        patrol_officers, length_km,
        hazard_per_officer_km=parameters.patrol_detection_per_officer_km,
        saturation_officers_per_km=parameters.patrol_saturation_officers_per_km,
        hotspot_length_share=parameters.green_border_hotspot_length_share,
        hotspot_crossing_share=parameters.green_border_hotspot_crossing_share,
        thermal_units=thermal_units, thermal_factor=parameters.thermal_vision_factor,
        thermal_km=parameters.thermal_vision_km, night=night)


def lognormal_load(rng: np.random.Generator, median: float, sigma: float) -> float:
    """A load (kg) from a lognormal with the given median: few large loads dominate totals."""
    return float(median * math.exp(sigma * rng.standard_normal()))


def drug_median_kg(parameters: Parameters, drug: str) -> float:
    """Median load (kg) of one movement carrying `drug` (heroin, cocaine, cannabis or
    synthetic)."""
    return {"heroin": parameters.heroin_kg_median, "cocaine": parameters.cocaine_kg_median,
            "cannabis": parameters.cannabis_kg_median}.get(drug, parameters.synthetic_kg_median)


@functools.cache
def night_hours(start: int, end: int) -> tuple[int, ...]:
    """The hours of the night in order, from `start` to `end` (exclusive) across midnight."""
    return tuple((start + k) % 24 for k in range((end - start) % 24))


def night_wait(hour_of_day: int, uniform: float, night_share: float, night_start: int,
               night_end: int) -> float:
    """Hours a group on foot waits at the border for darkness (0 if it goes now): with chance
    `night_share` a group arriving by day waits until the night starts (`night_start`)."""
    if hour_of_day in night_hours(night_start, night_end) or uniform >= night_share:
        return 0.0
    return float((night_start - hour_of_day) % 24)


def odds_scaled(probability: float, factor: float) -> float:
    """A probability whose odds are multiplied by `factor` (1: unchanged; stays below 1)."""
    if probability <= 0.0 or probability >= 1.0 or factor == 1.0:
        return probability
    odds = factor * probability / (1.0 - probability)
    return odds / (1.0 + odds)
