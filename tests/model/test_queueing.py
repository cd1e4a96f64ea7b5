"""The crossings' queueing formulas (sim/model/queueing.py): hand-computed values, the
stationary limits of the hour-by-hour fluid recursion, and a discrete-event queue (ciw) run
over a day whose load rises past capacity and falls again."""

import numpy as np
import pytest

from sim.model import queueing as q


def test_erlang_b_and_c_match_hand_computed_values():
    # B(1, 1) = 1/2; B(2, 1) = (1/2) / (1 + 1 + 1/2) = 1/5; C(2, 1) = B / (1 - ρ(1 - B)) = 1/3
    assert q.erlang_b(np.array([1, 2]), np.array([1.0, 1.0])).tolist() == pytest.approx(
        [0.5, 0.2])
    assert float(q.erlang_c(2, 1.0)) == pytest.approx(1 / 3)
    assert float(q.erlang_b(10, 5.0)) == pytest.approx(0.018385, abs=1e-6)  # tables
    # half a server more is halfway between; no load blocks nothing; no server blocks all
    assert float(q.erlang_b(1.5, 1.0)) == pytest.approx(0.35)
    assert float(q.erlang_b(3, 0.0)) == 0.0 and float(q.erlang_b(0, 2.0)) == 1.0
    # far more servers than load: the recursion is cut off, blocking counts as none
    assert float(q.erlang_b(400, 3.0)) == pytest.approx(0.0, abs=1e-12)


def test_allen_cunneen_is_exact_for_mm1_mmc_and_md1():
    lam, mu = 30.0, 45.0
    rho = lam / mu
    # M/M/1: Wq = ρ / (μ - λ); M/D/1 (Pollaczek-Khinchine): half of it
    assert float(q.allen_cunneen_wait(lam, mu, 1, 1.0)) == pytest.approx(rho / (mu - lam))
    assert float(q.allen_cunneen_wait(lam, mu, 1, 0.0)) == pytest.approx(
        rho / (2 * mu * (1 - rho)))
    # M/M/c: Erlang C / (c μ - λ)
    assert float(q.allen_cunneen_wait(120.0, 45.0, 3, 1.0)) == pytest.approx(
        float(q.erlang_c(3, 120 / 45)) / (135.0 - 120.0))
    assert float(q.allen_cunneen_wait(140.0, 45.0, 3, 1.0)) == np.inf  # above capacity


@pytest.mark.parametrize("cv", [1.0, 0.0, 0.7])
@pytest.mark.parametrize(("servers", "arrivals", "service"), [
    (1, 30.0, 45.0), (3, 120.0, 45.0), (6, 60.0, 12.0), (2, 85.0, 45.0), (8, 20.0, 12.0)])
def test_constant_load_settles_at_the_stationary_queue(servers, arrivals, service, cv):
    """Under a constant load the hourly fluid recursion converges to the stationary mean wait
    (Erlang C for M/M/c, cv 1; Allen-Cunneen, i.e. Lee-Longton for M/D/c at cv 0) within 5%,
    from an empty system and from a backlog alike."""
    table = q.fluid_table(8, cv)
    stationary = float(q.allen_cunneen_wait(arrivals, service, servers, cv))
    for start in (0.0, 50.0):
        number = np.array([start])
        for _ in range(96):
            number, wait = q.fluid_hour(table, number, np.array([arrivals]),
                                        np.array([float(servers)]), np.array([service]))
        assert float(wait[0]) == pytest.approx(stationary, rel=0.05)
        assert float(number[0]) == pytest.approx(float(q.stationary_number(
            np.array([arrivals / (servers * service)]), np.array([servers]), cv)[0]),
            rel=0.05)


def test_a_backlog_grows_by_the_excess_and_drains_at_capacity():
    """Above capacity the number in system grows by about λ - cμ an hour; with no arrivals
    the booths clear a backlog below their hour's capacity; a closed system (no booth) keeps
    what arrives."""
    table = q.fluid_table(4, 0.7)
    number, _ = q.fluid_hour(table, np.array([100.0]), np.array([180.0]), np.array([3.0]),
                             np.array([45.0]))
    assert float(number[0]) == pytest.approx(100 + 180 - 135, rel=0.02)
    number, _ = q.fluid_hour(table, np.array([300.0]), np.array([0.0]), np.array([3.0]),
                             np.array([45.0]))
    assert float(number[0]) == pytest.approx(300 - 135, rel=0.02)
    number, _ = q.fluid_hour(table, np.array([100.0]), np.array([0.0]), np.array([3.0]),
                             np.array([45.0]))
    assert float(number[0]) < 1.0
    number, wait = q.fluid_hour(table, np.array([5.0]), np.array([40.0]), np.array([0.0]),
                                np.array([45.0]))
    assert float(number[0]) == 45.0 and float(wait[0]) == 0.0
    # half a booth is a whole booth for half the hour: the same capacity, so at least the
    # excess stays; the hour's six graded steps agree with 400 even ones
    half, _ = q.fluid_hour(table, np.array([0.0]), np.array([40.0]), np.array([0.5]),
                           np.array([45.0]))
    fine, _ = q.fluid_hour(table, np.array([0.0]), np.array([40.0]), np.array([0.5]),
                           np.array([45.0]), steps=400)
    assert float(half[0]) >= 40 - 22.5 and float(half[0]) == pytest.approx(float(fine[0]),
                                                                           rel=0.05)


@pytest.mark.slow
def test_a_day_from_light_load_past_capacity_and_back_agrees_with_a_simulated_queue():
    """Three booths (M/M/3, 80 s a vehicle) over a day whose utilisation rises from 0.3 to
    1.2 and falls back: the fluid recursion's mean wait of each hour's arrivals lies inside
    the 2.5-97.5% range of that hour's mean wait over 120 replications of a discrete-event
    queue (ciw: time-varying Poisson arrivals, the queue carried between hours), and its
    mean over the day is within 15% of the simulated one (measured: 12.1 against 11.3
    minutes, +7%)."""
    ciw = pytest.importorskip("ciw")
    servers, service = 3, 45.0
    utilisation = np.array([0.3] * 5 + [0.5, 0.7, 0.9, 1.05, 1.2, 1.2, 1.2, 1.1, 0.9, 0.8, 0.7,
                                         0.6, 0.5, 0.4] + [0.3] * 5)
    rates = utilisation * servers * service

    def simulated(seed: int) -> np.ndarray:
        network = ciw.create_network(
            arrival_distributions=[ciw.dists.PoissonIntervals(
                list(rates), list(np.arange(1.0, 25.0)), 24.0)],
            service_distributions=[ciw.dists.Exponential(rate=service)],
            number_of_servers=[servers])
        ciw.seed(seed)
        simulation = ciw.Simulation(network)
        simulation.simulate_until_max_time(40.0)  # everyone who arrived is served
        records = simulation.get_all_records()
        hour = np.floor([r.arrival_date for r in records]).astype(int)
        wait = np.array([r.waiting_time for r in records])
        return np.array([wait[hour == h].mean() for h in range(24)]) * 60.0

    replications = np.array([simulated(seed) for seed in range(120)])
    table = q.fluid_table(servers, 1.0)
    number, fluid = np.zeros(1), []
    for rate in rates:
        number, wait = q.fluid_hour(table, number, np.array([rate]),
                                    np.array([float(servers)]), np.array([service]))
        fluid.append(float(wait[0]) * 60.0)
    low, high = np.percentile(replications, [2.5, 97.5], axis=0)
    fluid = np.array(fluid)
    assert ((fluid >= low) & (fluid <= high)).all(), (fluid, low, high)
    assert fluid.mean() == pytest.approx(replications.mean(), rel=0.15)
