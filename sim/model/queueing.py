"""Queueing formulas of the border crossings: small pure functions over numpy arrays, as in
`sim.model.mechanisms`, each tested against hand-computed values and a discrete-event queue
(tests/test_queueing.py, with ciw).

- **Second line: Erlang's loss formula (M/G/c/c).** A vehicle picked at the booth is sent to an
  inspection place only when a team and a place are free; otherwise it drives on (the Schengen
  Borders Code, Article 9, lets checks be relaxed when waits become excessive). The share
  blocked is Erlang B, which holds for any distribution of the check's duration (the loss
  system's insensitivity: A. K. Erlang 1917; e.g. Gross, Shortle, Thompson & Harris,
  *Fundamentals of Queueing Theory*, 4th ed., 2008, section 2.6).
- **First line within an hour: the M/G/c queue by Allen and Cunneen.** Erlang C gives the mean
  queue of M/M/c; the Allen-Cunneen approximation scales it by (Ca² + Cs²) / 2 for other service
  times (A. O. Allen, *Probability, Statistics and Queueing Theory*, 2nd ed., 1990; Poisson
  arrivals, Ca² = 1; for M/D/c, Cs² = 0, it is the Lee-Longton approximation).
- **First line between hours: the pointwise stationary fluid flow approximation.** The mean
  number of vehicles in a booth system, x, follows dx/dt = λ(t) - c μ ρ(x), where ρ(x) inverts the
  stationary relation between utilisation and number in system (W.-P. Wang, D. Tipper and
  S. Banerjee, "A simple approximation for modeling nonstationary queues", IEEE INFOCOM 1996; the
  fluid model of Agnew 1976 and Tipper and Sundareshan 1990). With λ constant, x settles at the
  stationary number; above capacity it grows by λ - c μ an hour, and drains afterwards: the
  backlog is carried as a fluid from hour to hour.
"""

from __future__ import annotations

import functools

import numpy as np

_GRID = 4097          # points of the tabulated inverse, in y = x / (x + c)
_FINE = 40_000        # points of the utilisation grid it is built from


def erlang_b(servers: np.ndarray | float, load: np.ndarray | float) -> np.ndarray:
    """Share of arrivals blocked in a loss system of `servers` (M/G/c/c) offered `load`
    Erlangs (arrival rate x mean duration), by the recursion B(n) = a B(n-1) / (n + a B(n-1)).
    Fractional servers interpolate linearly between the neighbouring whole numbers (a team
    that works part of the hour); no server blocks all. Servers more than 6 standard
    deviations of the load (and 6) above it block less than 1e-9 and count as blocking
    nothing."""
    servers, load = np.broadcast_arrays(np.asarray(servers, dtype=float),
                                        np.asarray(load, dtype=float))
    blocked = np.zeros(servers.shape)
    offered = load > 0
    if not offered.any():
        return blocked
    served, flat = servers[offered], load[offered]  # only where work is offered
    low = np.floor(served).astype(np.intp)
    heaviest = float(flat.max())
    most = int(min(low.max() + 1, np.ceil(heaviest + 6.0 * np.sqrt(heaviest) + 6.0)))
    b = np.ones(flat.shape)
    by_servers = np.zeros((most + 2, flat.size))  # B(n) by n; beyond `most`: 0
    by_servers[0] = 1.0
    for n in range(1, most + 1):
        ab = flat * b
        b = ab / (n + ab)
        by_servers[n] = b
    columns = np.arange(flat.size)
    at_low = by_servers[np.minimum(low, most + 1), columns]
    at_high = by_servers[np.minimum(low + 1, most + 1), columns]
    blocked[offered] = at_low + (at_high - at_low) * (served - low)
    return blocked


def erlang_c(servers: np.ndarray | int, load: np.ndarray | float) -> np.ndarray:
    """Chance that an arrival waits in M/M/c with `servers` (whole) offered `load` Erlangs:
    C = B / (1 - ρ (1 - B)) with ρ = load / servers; 1 at or above capacity."""
    servers = np.asarray(servers, dtype=float)
    load = np.asarray(load, dtype=float)
    blocked = erlang_b(servers, load)
    rho = np.divide(load, servers, out=np.full(np.broadcast(servers, load).shape, np.inf),
                    where=servers > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        waiting = blocked / (1.0 - rho * (1.0 - blocked))
    return np.where(rho < 1.0, np.clip(waiting, 0.0, 1.0), 1.0)


def allen_cunneen_wait(arrival_rate: np.ndarray | float, service_rate: np.ndarray | float,
                       servers: np.ndarray | int, service_cv: float) -> np.ndarray:
    """Stationary mean wait in queue (hours; rates per hour) of M/G/c by Allen-Cunneen:
    Wq(M/M/c) x (1 + Cs²) / 2, with Cs the coefficient of variation of the service time
    (Cs = 0: the Lee-Longton approximation of M/D/c). Infinite at or above capacity."""
    arrival_rate = np.asarray(arrival_rate, dtype=float)
    capacity = np.asarray(servers, dtype=float) * np.asarray(service_rate, dtype=float)
    waiting = erlang_c(servers, arrival_rate / np.asarray(service_rate, dtype=float))
    with np.errstate(divide="ignore"):
        wait = waiting / (capacity - arrival_rate) * (1.0 + service_cv**2) / 2.0
    return np.where(arrival_rate < capacity, wait, np.inf)


def stationary_number(rho: np.ndarray, servers: np.ndarray, service_cv: float) -> np.ndarray:
    """Mean vehicles in an M/G/c system (in service and queueing) at utilisation `rho` < 1:
    c ρ + Lq, with Lq = C(c, c ρ) ρ / (1 - ρ) x (1 + Cs²) / 2 (Allen-Cunneen)."""
    rho = np.asarray(rho, dtype=float)
    servers = np.asarray(servers, dtype=float)
    waiting = erlang_c(servers, servers * rho)
    with np.errstate(divide="ignore", invalid="ignore"):
        queue = waiting * rho / (1.0 - rho) * (1.0 + service_cv**2) / 2.0
    return servers * rho + np.where(rho > 0, queue, 0.0)


@functools.lru_cache(maxsize=8)
def fluid_table(most_servers: int, service_cv: float) -> np.ndarray:
    """Utilisation ρ as a function of the number in system, by whole servers (rows 1 to
    `most_servers`; row 0 unused): ρ at y = x / (x + c) on an even grid of y in [0, 1]. The
    inverse of `stationary_number`, tabulated once (read only)."""
    u = np.linspace(0.0, 1.0, _FINE, endpoint=False)
    rho = 1.0 - (1.0 - u) ** 4  # dense near 1, where the number in system grows fast
    y = np.linspace(0.0, 1.0, _GRID)
    table = np.zeros((most_servers + 1, _GRID))
    for c in range(1, most_servers + 1):
        number = stationary_number(rho, np.full_like(rho, c), service_cv)
        with np.errstate(divide="ignore"):
            x = c * y / (1.0 - y)
        table[c] = np.interp(x, number, rho)
        table[c, -1] = 1.0
    table.setflags(write=False)
    return table


# Sub-steps of an hour (fractions of it): short at the start, where a new hour's arrival rate
# drives the system away from where the last hour left it fastest, longer later.
STEPS = np.diff([0.0, 1 / 24, 1 / 8, 1 / 4, 0.45, 0.7, 1.0])


def fluid_hour(table: np.ndarray, number: np.ndarray, arrivals: np.ndarray,
               servers: np.ndarray, service_rate: np.ndarray,
               steps: np.ndarray | int = STEPS) -> tuple[np.ndarray, np.ndarray]:
    """One hour of the pointwise stationary fluid flow approximation for many booth systems
    at once: (mean number in system at the end of the hour, mean wait in queue in hours of a
    vehicle arriving in it).

    `table` is `fluid_table(...)` for the service times' variability; `number` the mean in
    system at the start, `arrivals` the hour's arrival rate (per hour), `servers` the booths
    open (a fractional booth is a whole one working that part of the hour: the same capacity),
    `service_rate` one booth's vehicles per hour. The hour is cut into `steps` (fractions of
    the hour, or a number of equal ones) of exponential Euler for dx/dt = λ - c μ ρ(x), exact
    near the stationary point whatever the step (a booth serves a car in about a minute, far
    faster than an hour); a vehicle arriving at time t waits Lq(t) / (c μ ρ(t)), the queue
    ahead of it over the throughput, averaged over the hour (trapezoids). Systems without a
    booth open (servers 0) keep what arrives and report no wait (the caller says how long a
    closed post keeps it)."""
    if isinstance(steps, int):
        steps = np.full(steps, 1.0 / steps)
    number = np.asarray(number, dtype=float)
    open_ = servers > 1e-9
    whole = np.maximum(np.ceil(servers - 1e-9), 1.0)
    capacity = np.where(open_, service_rate * servers, 0.0)  # part-time booths: same capacity
    base = whole.astype(np.intp) * _GRID
    flat = table.ravel()
    x = number.copy()
    total = np.zeros_like(x)
    rho, slope = _utilisation(flat, x, whole, base)
    previous = _queue_wait(x, rho, whole, capacity)
    for h in steps:
        flow = arrivals - capacity * rho
        z = np.minimum(-capacity * slope * h, -1e-12)  # h x d(flow)/dx, never above 0
        x = np.maximum(x + flow * h * (np.expm1(z) / z), 0.0)
        rho, slope = _utilisation(flat, x, whole, base)
        current = _queue_wait(x, rho, whole, capacity)
        total += (previous + current) * (h / 2.0)
        previous = current
    x = np.where(open_, x, number + arrivals)
    return x, np.where(open_, total, 0.0)


def _utilisation(flat: np.ndarray, x: np.ndarray, servers: np.ndarray, base: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(ρ(x), dρ/dx) from the tabulated inverse (raveled), servers whole and at least 1,
    `base` = servers x the grid's length."""
    scale = servers + x
    position = x / scale * (_GRID - 1)
    index = position.astype(np.intp)
    np.minimum(index, _GRID - 2, out=index)
    fraction = position - index
    start = base + index
    low = flat.take(start)
    step = flat.take(start + 1) - low
    return low + step * fraction, step * ((_GRID - 1) * servers / (scale * scale))


def _queue_wait(x: np.ndarray, rho: np.ndarray, servers: np.ndarray,
                capacity: np.ndarray) -> np.ndarray:
    """Wait in queue (hours) of a vehicle arriving when x are in the system: the vehicles
    queueing ahead of it, x - c ρ, over the booths' throughput c μ ρ."""
    queueing = np.maximum(x - servers * rho, 0.0)
    return queueing / np.maximum(capacity * rho, 1e-9)
