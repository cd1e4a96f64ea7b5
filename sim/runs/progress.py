"""What the terminal shows while replicates run: the progress bar and failed replicates."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Task as Bar
from rich.text import Text

if TYPE_CHECKING:
    from sim.runs.runner import Failure


class _RateColumn(ProgressColumn):
    """Replicates finished per second, or per minute when slower than one a second."""

    def render(self, task: Bar) -> Text:
        if not task.completed or not task.elapsed:
            return Text("")
        per_second = task.completed / task.elapsed
        return Text(f"{per_second:.1f}/s" if per_second >= 1 else f"{per_second * 60:.1f}/min")


class RunProgress:
    """Replicates done (or another `unit`), rate and time left on stderr; appears only once a
    run has taken a second, so quick runs stay quiet."""

    def __init__(self, total: int, label: str, *, enabled: bool = True,
                 unit: str = "replicates"):
        self.enabled = enabled and total > 0
        self._lock = threading.Lock()
        self._shown = self._closed = False
        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                             TextColumn(unit), _RateColumn(), TimeElapsedColumn(),
                             TextColumn("elapsed,"), TimeRemainingColumn(), TextColumn("left"),
                             console=Console(stderr=True), transient=False)
        self._task = self._bar.add_task(label, total=total)
        self._timer = threading.Timer(1.0, self._show)
        self._timer.daemon = True

    def _show(self) -> None:
        with self._lock:
            if not self._closed:
                self._bar.start()
                self._shown = True

    def __enter__(self) -> RunProgress:
        if self.enabled:
            self._timer.start()
        return self

    def advance(self, count: int = 1) -> None:
        self._bar.advance(self._task, count)

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._closed = True
            self._timer.cancel()
            if self._shown:
                self._bar.stop()


def report_failure(failure: Failure, scenario: str = "") -> None:
    """Say which replicate failed, with its seed (to re-run it alone) and its traceback."""
    console = Console(stderr=True)
    where = f"{scenario}: " if scenario else ""
    console.print(f"[bold red]{where}replicate {failure.replicate} (seed {failure.seed}) "
                  f"failed:[/] {escape(failure.error)}", highlight=False)
    console.print(failure.traceback.rstrip(), markup=False, highlight=False, style="dim")
