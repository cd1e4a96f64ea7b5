"""Shift patterns: the daily working hours of an officer unit, without Mesa (so that staffing,
which `sim validate` reads, loads without the agents)."""

from __future__ import annotations

import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class ShiftPattern:
    """Daily working hours [start, start + length) in local time, wrapping past midnight."""

    start: int
    length: int = 8

    def covers(self, hour_of_day: int) -> bool:
        return (hour_of_day - self.start) % 24 < self.length

    def hours(self) -> tuple[int, ...]:
        """The hours of the day it covers, in ascending order."""
        return _covered_hours(self.start, self.length)


@functools.cache
def _covered_hours(start: int, length: int) -> tuple[int, ...]:
    return tuple(hour for hour in range(24) if (hour - start) % 24 < length)
