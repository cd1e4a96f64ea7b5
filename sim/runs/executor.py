"""Where the work runs: in this process, on a pool of local worker processes, or on Dask.

`Executor` is the one place that starts a process pool, a local Dask cluster or a Dask client
(`tests/test_layout.py` checks that nothing else in `sim` does). The runner, the calibration's
and sensitivity analysis's evaluator and the optimiser all run through it, so they share:

- "spawn" worker processes (they start clean, safe beside threads such as rich's and Dask's), and
  the fallback to this process, with a `MainGuardWarning`, when a script without a main guard
  could not start them (`sim.runs.mainguard`);
- one set of Dask settings (`DASK_SETTINGS`: no worker profiling, since no dashboard reads it);
- one message for a scheduler that does not answer (`ClusterUnreachableError`), for one that
  has no worker (`NoWorkersError`: reported after a short wait, refused after
  `SIM_CLUSTER_TIMEOUT` seconds, 120 by default) and for a scheduler lost mid-run
  (`ClusterLostError`, instead of a traceback per unfinished task).

Nothing here depends on where a piece of work runs: the same function on the same item gives
the same result in any executor, so a run's tables are identical bit for bit on each.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures import as_completed as futures_completed
from pathlib import Path
from typing import Any

from sim.runs.mainguard import spawn_problem

DASK_SETTINGS = {
    # no dashboard, so no one reads the workers' statistical profiler: spare its CPU
    "distributed.worker.profile.enabled": False,
}
TIMEOUT_VARIABLE = "SIM_CLUSTER_TIMEOUT"
DEFAULT_TIMEOUT = 120.0  # seconds to wait for a first worker of a scheduler
FIRST_REPORT = 5.0  # seconds without a worker before the wait is reported
PACKAGE = str(Path(__file__).resolve().parents[1])  # warnings point at the caller's line


class ClusterError(RuntimeError):
    """A Dask cluster that cannot serve the run: one message, exit 2."""


class ClusterUnreachableError(ClusterError):
    """`--cluster ADDRESS` names a Dask scheduler that does not answer."""


class NoWorkersError(ClusterError):
    """The scheduler answers but no worker joined it within the limit."""


class ClusterLostError(ClusterError):
    """The connection to the scheduler was lost while work was running."""


class MainGuardWarning(RuntimeWarning):
    """The work runs in this process because worker processes could not start."""


def parse_cluster(spec: str) -> tuple[str, int | str]:
    """`local:N` → ("local", N); `tcp://host:port` (or tls://) → ("scheduler", address)."""
    if spec.startswith("local:"):
        count = spec.removeprefix("local:")
        if count.isdigit() and int(count) >= 1:
            return "local", int(count)
        raise ValueError(f"--cluster {spec}: expected local:N with N a whole number ≥ 1")
    if re.match(r"^(tcp|tls|ucx|inproc)://[^\s/]+$", spec):
        return "scheduler", spec
    raise ValueError(f"--cluster {spec}: expected local:N or a scheduler address like "
                     "tcp://HOST:PORT")


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def cluster_timeout() -> float:
    """Seconds to wait for a scheduler's first worker: `SIM_CLUSTER_TIMEOUT`, else 120."""
    text = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds > 0 or seconds == float("inf"):
        raise ClusterError(f"{TIMEOUT_VARIABLE}={text!r}: expected a number of seconds above 0")
    return seconds


def _say(text: str) -> None:
    print(f"sim: {text}", file=sys.stderr, flush=True)


class Executor:
    """Runs a function over items: in this process (`workers` 1, or one item), on `workers`
    local "spawn" processes, or on Dask (`cluster`: "local:N", a scheduler address or a
    `distributed.Client` the caller owns). A context manager: a scheduler is reached (and
    its first worker awaited) on entering, so that a cluster that cannot serve is one message
    before anything else happens; pools and local clusters start on first use and stop on
    leaving.

    `timeout` overrides `SIM_CLUSTER_TIMEOUT`; `say` reports a wait (default: a line on
    stderr)."""

    def __init__(self, workers: int | None = None, cluster: Any = None, *,
                 timeout: float | None = None, say: Callable[[str], None] = _say):
        if isinstance(cluster, str):
            parse_cluster(cluster)
        self.workers = workers or default_workers()
        self.cluster = cluster
        self.timeout = timeout
        self.say = say
        self._pool: ProcessPoolExecutor | None = None
        self._in_process = False  # workers could not start: everything runs here
        self._client: Any = None
        self._own_client = False
        self._local: Any = None
        self._quiet: logging.Filter | None = None  # the client's logs once its scheduler is lost

    @property
    def kind(self) -> str:
        """"dask", "processes" or "in-process"."""
        if self.cluster is not None:
            return "dask"
        return "processes" if self.workers > 1 and not self._in_process else "in-process"

    @property
    def address(self) -> str:
        """The scheduler's address (or what the cluster was given as), for messages."""
        return self.cluster if isinstance(self.cluster, str) else "the Dask scheduler"

    # --- entering and leaving ---------------------------------------------------------------

    def __enter__(self) -> Executor:
        if isinstance(self.cluster, str) and self.cluster.startswith("local:"):
            problem = spawn_problem()
            if problem:
                raise ClusterError(f"cluster={self.cluster!r} cannot start its workers: "
                                   f"{problem}")
        elif isinstance(self.cluster, str):
            self._connect(self.cluster)
        elif self.cluster is not None:
            self._client = self.cluster  # the caller's Client: used, never closed
            self._wait_for_workers()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._own_client and self._client is not None:
            self._client.close()
        self._client, self._own_client = None, False
        if self._quiet is not None:
            logging.getLogger("distributed.client").removeFilter(self._quiet)
            self._quiet = None
        if self._local is not None:
            self._local.close()
            self._local = None

    def _connect(self, address: str) -> None:
        from distributed import Client

        try:  # waits distributed.comm.timeouts.connect (Dask's setting; 30 s by default)
            self._client = Client(address)
        except (OSError, TimeoutError) as error:
            raise ClusterUnreachableError(
                f"cannot reach the Dask scheduler at {address} ({error}); start it, or check "
                "the address and port") from None
        self._own_client = True
        try:
            self._wait_for_workers()
        except BaseException:
            self.close()
            raise

    def _wait_for_workers(self) -> None:
        """Return once the scheduler has a worker: report the wait after a short while, give
        up after the limit with a message that says how to start one."""
        limit = self.timeout if self.timeout is not None else cluster_timeout()
        first = min(FIRST_REPORT, limit / 2)
        started = time.monotonic()
        reported = False
        while not self._client.scheduler_info().get("workers"):
            waited = time.monotonic() - started
            if waited >= limit:
                raise NoWorkersError(
                    f"no Dask worker joined the scheduler at {self.address} within {limit:g} s; "
                    f"start workers (`dask worker {self.address}`) and run again, or wait "
                    f"longer with {TIMEOUT_VARIABLE}=SECONDS")
            if waited >= first and not reported:
                self.say(f"waiting for a Dask worker to join the scheduler at {self.address} "
                         f"(none yet; start one with `dask worker {self.address}`); giving up "
                         f"after {limit:g} s ({TIMEOUT_VARIABLE})")
                reported = True
            time.sleep(min(0.2, max(limit - waited, 0.01)))

    # --- running ----------------------------------------------------------------------------

    def completed(self, function: Callable[[Any], Any], items: Iterable[Any], *,
                  key: Callable[[Any], str] | None = None) -> Iterator[tuple[Any, Any]]:
        """Each item with `function(item)`, as they finish, in any order. On workers, an item
        whose function raised (or whose worker died) comes with the exception instead of a
        result; in this process the exception propagates. A lost scheduler raises
        ClusterLostError. `key` names an item's Dask task."""
        items = list(items)
        if not items:
            return iter(())
        if self.cluster is not None:
            return self._dask_completed(function, items, key)
        pool = self._process_pool(len(items))
        if pool is None:
            return ((item, function(item)) for item in items)
        return self._pool_completed(pool, function, items)

    def map(self, function: Callable[[Any], Any], items: Iterable[Any], *,
            each_done: Callable[[], None] | None = None) -> list[Any]:
        """`function(item)` for every item, in the items' order; the first error raises.
        `each_done` is called as each item finishes (a progress bar)."""
        items = list(items)
        results: list[Any] = [None] * len(items)
        for (index, _), result in self.completed(_Indexed(function), list(enumerate(items))):
            if isinstance(result, BaseException):
                raise result
            results[index] = result
            if each_done is not None:
                each_done()
        return results

    def _process_pool(self, count: int) -> ProcessPoolExecutor | None:
        """The pool of worker processes (started on first use), or None to run here."""
        if self.workers <= 1 or count <= 1 or self._in_process:
            return None
        if self._pool is None:
            problem = spawn_problem()
            if problem:
                warnings.warn(f"running one after another in this process: {problem}",
                              MainGuardWarning, skip_file_prefixes=(PACKAGE,))
                self._in_process = True
                return None
            self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                             mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    @staticmethod
    def _pool_completed(pool: ProcessPoolExecutor, function: Callable[[Any], Any],
                        items: list[Any]) -> Iterator[tuple[Any, Any]]:
        futures = {pool.submit(function, item): item for item in items}
        try:
            for future in futures_completed(futures):
                item = futures.pop(future)  # a finished future holds its result: let it go
                try:
                    result = future.result()
                except Exception as error:  # the worker died (BrokenProcessPool)
                    result = error
                del future
                yield item, result
        finally:
            for future in futures:
                future.cancel()

    def _dask_client(self) -> Any:
        if self._client is None:  # local:N, started on first use
            import dask
            from distributed import Client, LocalCluster

            with dask.config.set(DASK_SETTINGS):
                self._local = LocalCluster(n_workers=parse_cluster(self.cluster)[1],
                                           threads_per_worker=1, processes=True,
                                           dashboard_address=None)
                self._client = Client(self._local)
            self._own_client = True
        return self._client

    def _dask_completed(self, function: Callable[[Any], Any], items: list[Any],
                        key: Callable[[Any], str] | None) -> Iterator[tuple[Any, Any]]:
        from distributed import as_completed as dask_completed

        client = self._dask_client()
        futures = {client.submit(function, item, pure=False,
                                 **({"key": key(item)} if key else {})): item for item in items}
        try:
            for future in dask_completed(futures):
                try:
                    yield futures[future], future.result()
                except CancelledError:
                    if client.status != "running":
                        raise self._lost() from None
                    yield futures[future], CancelledError(f"{futures[future]} was cancelled")
                except Exception as error:  # a worker that died (KilledWorker), say
                    if client.status != "running":
                        raise self._lost() from None
                    yield futures[future], error
        finally:
            if client.status == "running":
                client.cancel([f for f in futures if not f.done()])

    def _lost(self) -> ClusterLostError:
        """The scheduler went away: the client's own reports of it (its reconnection attempts,
        their tracebacks while it closes) are left out; the error says it once."""
        client_log = logging.getLogger("distributed.client")
        if self._quiet is None:
            self._quiet = _Silent()
            client_log.addFilter(self._quiet)  # until this client is closed
        if not any(isinstance(f, _NoReconnectReport) for f in client_log.filters):
            client_log.addFilter(_NoReconnectReport())  # a late report of this loss
        return ClusterLostError(f"lost the connection to the Dask scheduler at {self.address} "
                                "while the work ran (the scheduler stopped, or the network "
                                "failed)")


class _Indexed:
    """`function` over (index, item) pairs, picklable for worker processes."""

    def __init__(self, function: Callable[[Any], Any]):
        self.function = function

    def __call__(self, pair: tuple[int, Any]) -> Any:
        return self.function(pair[1])


class _Silent(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


class _NoReconnectReport(logging.Filter):
    """Drops the client's reports of failing to reconnect (the message, or its traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "reconnect" in record.getMessage():
            return False
        trace = record.exc_info[2] if record.exc_info else None
        while trace is not None:
            if trace.tb_frame.f_code.co_name in ("_reconnect", "_ensure_connected"):
                return False
            trace = trace.tb_next
        return True
