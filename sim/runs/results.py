"""Result tables of a run and the results folder on disk.

A run gives four tidy tables — `summary` (one row per replicate), `daily` (replicate × day ×
place), `events` (one row per detection) and `crossing_waits` (replicate × hour × crossing ×
vehicle class) — each row carrying its scenario, replicate and seed.
The statistics (`reduce`, `paired_difference`, `describe`) live in `sim.runs.statistics`.

A results folder holds `manifest.json`, one `replicates/<k>/` folder per finished replicate
(written whole or not at all) and, at the end of a run, the consolidated `summary.csv`,
`daily.csv`, `events.parquet` and `crossing_waits.parquet` (docs/results.md describes every
column).
"""

from __future__ import annotations

import copy
import os
import re
import shutil
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from sim.model.outcomes import (
    COUNT_OUTCOMES,
    HARM_OUTCOMES,
    OUTCOME_NAMES,
    OUTCOMES,
    PLACE_OUTCOMES,
    outcome_label,
)
from sim.runs.layout import (  # the folder's names, re-exported for readers of results
    CROSSING_WAITS,
    DAILY,
    EVENTS,
    FAILURES,
    MANIFEST,
    RECORD,
    REPLICATES,
    SUMMARY,
    TABLES,
    NoReplicatesError,
    ResultsFolderError,
    done_replicates,
    note,
    now,
    open_checked,
    read_json,
    read_manifest,
    summary_checksum,
    write_atomically,
    write_json,
)
from sim.runs.statistics import describe
from sim.scenario.paths import levers
from sim.scenario.reading import InputError
from sim.scenario.schema import Scenario

ROW_KEYS: tuple[str, ...] = ("scenario", "replicate", "seed")
CHECKSUM = "summary_sha256"  # the manifest's checksum of summary.csv


# --- the results object ----------------------------------------------------------------------

class OnDisk:
    """A table of a results folder, checked when the folder is read and read itself only the
    first time it is asked for: the events and the crossings' waits, which most readings never
    look at and which over hundreds of runs would hold gigabytes."""

    def __init__(self, directory: Path, name: str) -> None:
        self.directory, self.name = directory, name
        _read(directory, name, lambda d: _parquet_schema(d / name))  # damaged: refused now
        self.identity = _identity(directory / name)

    def read(self) -> pd.DataFrame:
        path = self.directory / self.name
        if _identity(path) != self.identity:  # replaced by a later run (--force), or removed
            raise ResultsFolderError(
                f"{path}: the file changed after these results were read (another run "
                "replaced the folder?), so it no longer holds their rows: read the folder "
                "again with sim.load")
        return _read(self.directory, self.name, lambda d: _parquet(d / self.name))


def _identity(path: Path) -> tuple[int, int, int] | None:
    """What tells one version of a file from another: inode, size, modification time."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


class _Table:
    """A `Results` table given as a DataFrame or as `OnDisk` (read on first access, then
    kept); `optional` tables default to an empty one."""

    def __init__(self, optional: bool = False) -> None:
        self.optional = optional

    def __set_name__(self, owner: type, name: str) -> None:
        self.name, self.slot = name, f"_{name}"

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:  # what dataclass asks for a field's default
            if self.optional:
                return _EMPTY
            raise AttributeError(self.name)  # no default
        value = instance.__dict__[self.slot]
        if value is _EMPTY:
            value = instance.__dict__[self.slot] = pd.DataFrame()
        elif isinstance(value, OnDisk):
            value = instance.__dict__[self.slot] = value.read()
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.slot] = value


_EMPTY = object()  # an optional table not given: a fresh empty DataFrame on first access


@dataclass
class Results:
    """The tables of one scenario's run, and where they came from.

    `summary` has one row per replicate (scenario, replicate, seed, then every outcome), `daily`
    one per replicate × day × place, `events` one per detection, `crossing_waits` one per
    replicate × hour × crossing × vehicle class (arrivals and wait). `failures` lists replicates
    that raised, each with its seed and traceback.
    """

    summary: pd.DataFrame
    daily: pd.DataFrame
    events: pd.DataFrame = _Table()
    manifest: dict[str, Any] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    directory: Path | None = None
    crossing_waits: pd.DataFrame = _Table(optional=True)

    @property
    def scenario_name(self) -> str:
        return str(self.manifest.get("scenario_name", ""))

    @property
    def complete(self) -> bool:
        """Every replicate the run asked for is present and none failed."""
        return self.manifest.get("status") == "complete"

    def describe(self, outcomes: tuple[str, ...] = OUTCOME_NAMES) -> pd.DataFrame:
        """Mean, median, 5–95% interval and 90% confidence interval of the mean, by outcome."""
        return describe(self.summary, outcomes)

    def replaced(self, **changes: Any) -> Results:
        """These results with some fields changed (`dataclasses.replace`), the others shared; a
        table still on disk stays there (`dataclasses.replace` would read it)."""
        other = copy.copy(self)
        for name, value in changes.items():
            if name not in self.__dataclass_fields__:
                raise TypeError(f"Results has no field {name!r}")
            setattr(other, name, value)
        return other

    def save(self, directory: str | Path, *, force: bool = False) -> Path:
        """Write a results folder that `sim.load` and `sim run --resume` understand."""
        return save(self, Path(directory), force=force)

    def __repr__(self) -> str:
        state = "complete" if self.complete else "incomplete"
        return (f"Results({self.scenario_name!r}, {len(self.summary)} replicates, {state}, "
                f"{len(self.daily)} daily rows, {len(self.events)} events)")


def load(directory: str | Path) -> Results:
    """Read a results folder written by `sim run`, `sim.run(out=...)` or `Results.save`.

    A folder whose files cannot be read (or are not regular files of bounded size), whose
    summary holds no replicate, a replicate twice or a non-numeric outcome, or a row that the
    manifest does not list (another replicate, seed or scenario, more rows than were run, a
    table changed since the run: the manifest holds its checksum) is refused
    (`ResultsFolderError`, naming the file and the row), so no comparison is ever made on a
    damaged or hand-edited table. A folder written before manifests held the checksum is read
    with a `FolderNote`."""
    directory = Path(directory)
    if not (directory / MANIFEST).exists() or not (directory / SUMMARY).exists():
        raise FileNotFoundError(f"{directory}: not a finished results folder (needs {MANIFEST} "
                                f"and {SUMMARY}); an interrupted run is finished with --resume")
    manifest = _read(directory, MANIFEST, read_manifest)
    if not isinstance(manifest, dict):
        raise ResultsFolderError(f"{directory / MANIFEST}: not a results manifest (a JSON object "
                                 "with the run's scenario and seeds); run the scenario again")
    failures = (_read(directory, FAILURES, lambda d: read_json(d / FAILURES))
                if (directory / FAILURES).exists() else [])
    # copy(): pandas reads a CSV into a block per column; one block per dtype keeps an
    # analyst's added columns and row selections fast (and free of PerformanceWarnings)
    summary = _read(directory, SUMMARY, lambda d: _csv(d / SUMMARY).copy())
    _check_summary(summary, directory / SUMMARY)
    check_against_manifest(summary, manifest, directory)
    daily = _read(directory, DAILY, lambda d: _csv(d / DAILY).copy())
    waits = (OnDisk(directory, CROSSING_WAITS) if (directory / CROSSING_WAITS).exists()
             else pd.DataFrame())  # absent before the table existed
    return Results(summary, daily, OnDisk(directory, EVENTS), manifest, failures, directory,
                   waits)


def _csv(path: Path) -> pd.DataFrame:
    with open_checked(path) as file:
        return pd.read_csv(file, keep_default_na=False, na_values=[""])


def read_table(path: str | Path, **options: Any) -> pd.DataFrame:
    """A CSV table a tool wrote (a history, indices, a summary), read only if it is a regular
    file of bounded size; ResultsFolderError naming the file otherwise. `options` go to
    `pandas.read_csv`."""
    path = Path(path)
    try:
        with open_checked(path, expected="a CSV table") as file:
            return pd.read_csv(file, **options)
    except InputError as error:
        raise ResultsFolderError(f"{path}: {error.message}") from None
    except (OSError, ValueError) as error:
        problem = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ResultsFolderError(f"{path}: cannot be read ({problem})") from None


def _parquet(path: Path, **options: Any) -> pd.DataFrame:
    with open_checked(path) as file:
        return pd.read_parquet(file, **options)


def _parquet_schema(path: Path) -> None:
    """Check a parquet file's footer (its schema and row groups) without reading its rows."""
    import pyarrow.parquet as pq

    with open_checked(path) as file:
        pq.read_metadata(file)


def _read(directory: Path, name: str, reader):
    """`reader(directory)`, with any failure to read `name` said as a damaged folder."""
    try:
        return reader(directory)
    except InputError as error:  # a FIFO, a device, a folder or an oversized file
        raise ResultsFolderError(f"{directory / name}: {error.message}; a results folder holds "
                                 "only the files a run wrote: run the scenario again with "
                                 "--force") from None
    except (OSError, ValueError) as error:  # JSON, CSV, parquet and decoding errors included
        problem = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ResultsFolderError(f"{directory / name}: cannot be read ({problem}); the results "
                                 "folder is damaged: run the scenario again with --force") from None


def check_against_manifest(summary: pd.DataFrame, manifest: dict[str, Any],
                           directory: Path) -> None:
    """Every row of the summary is a replicate the manifest lists (its number, seed, scenario
    and hash, and with posterior draws its draw), as many rows as the run finished, and the
    table is the one the run wrote (its checksum). A mismatch is refused naming the row."""
    path = directory / SUMMARY
    seeds = manifest.get("seeds")
    if not isinstance(seeds, list):
        raise ResultsFolderError(f"{directory / MANIFEST}: no list of seeds; not a manifest a "
                                 "run wrote: run the scenario again")
    count = manifest.get("replicates", len(seeds))
    name, digest = manifest.get("scenario_name"), manifest.get("scenario_hash")
    per_draw = (manifest.get("posterior") or {}).get("replicates_per_draw")
    for line, row in enumerate(summary.to_dict("records"), start=2):
        replicate = int(row["replicate"])
        where = f"{path}, line {line} (replicate {replicate})"
        if not 0 <= replicate < min(count, len(seeds)):
            raise ResultsFolderError(f"{where}: not a replicate of this run (the manifest lists "
                                     f"replicates 0 to {min(count, len(seeds)) - 1}); the table "
                                     "was edited or mixed with another run's")
        why = _row_mismatch(row, seeds[replicate], name, digest, per_draw)
        if why:
            raise ResultsFolderError(f"{where}: {why}; the table was edited or mixed with "
                                     "another run's")
    done = manifest.get("replicates_done")
    if isinstance(done, int) and done != len(summary):
        raise ResultsFolderError(f"{path}: holds {len(summary)} replicates, and the manifest "
                                 f"says {done} finished; the table was edited or mixed with "
                                 "another run's")
    recorded = manifest.get(CHECKSUM)
    if recorded is None:
        note(f"{path}: its manifest holds no checksum of it (a folder written before runs "
             "recorded one); its rows were checked against the manifest only")
    elif _read(directory, SUMMARY, lambda d: summary_checksum(d / SUMMARY)) != recorded:
        raise ResultsFolderError(f"{path}: changed since the run wrote it (its checksum is not "
                                 "the manifest's); run the scenario again with --force")


def _row_mismatch(row: dict[str, Any], seed: int, name: Any, digest: Any,
                  per_draw: Any) -> str | None:
    """Why a summary row is not the replicate the manifest lists, or None."""
    if int(row["seed"]) != seed:
        return f"seed {row['seed']}, and the manifest's seed of this replicate is {seed}"
    if "scenario" in row and name is not None and str(row["scenario"]) != name:
        return f"a row of scenario '{row['scenario']}' in a folder of '{name}'"
    if "scenario_hash" in row and digest is not None and str(row["scenario_hash"]) != digest:
        return (f"a row of another scenario (hash {str(row['scenario_hash'])[:12]}, the "
                f"folder's is {str(digest)[:12]})")
    if per_draw and "draw" in row and int(row["draw"]) != int(row["replicate"]) // per_draw:
        return f"draw {row['draw']}, and this replicate ran draw {row['replicate'] // per_draw}"
    return None


def _check_summary(summary: pd.DataFrame, path: Path) -> None:
    """Refuse a summary that no run writes: no replicate, a replicate twice, text in an
    outcome column, or no replicate and seed columns."""
    missing = [c for c in ("replicate", "seed") if c not in summary]
    if missing:
        raise ResultsFolderError(f"{path}: no {' or '.join(missing)} column; not a summary a run "
                                 "wrote")
    if summary.empty:
        failed = (path.parent / FAILURES).is_file()
        raise NoReplicatesError(f"{path}: no replicates; " + (
            f"every replicate failed ({FAILURES} says why)" if failed
            else "run the scenario (or --resume it)"))
    for column in (c for c in ("draw", "replicate", "seed") if c in summary):
        if not pd.api.types.is_integer_dtype(summary[column]):
            raise ResultsFolderError(f"{path}: column {column} holds "
                                     f"{_first_not(summary[column], whole=True)!r}, not a whole "
                                     "number")
    keys = ["draw", "replicate"] if "draw" in summary else ["replicate"]
    repeated = summary.duplicated(keys)
    if repeated.any():
        row = summary.loc[repeated, keys].iloc[0].to_dict()
        raise ResultsFolderError(f"{path}: {', '.join(f'{k} {v}' for k, v in row.items())} "
                                 "appears twice; the table was edited or written twice")
    for outcome in (o for o in OUTCOME_NAMES if o in summary):
        if not pd.api.types.is_numeric_dtype(summary[outcome]):
            raise ResultsFolderError(f"{path}: column {outcome} holds "
                                     f"{_first_not(summary[outcome])!r}, not a number")


def _first_not(column: pd.Series, *, whole: bool = False) -> Any:
    """The first value of a column read as text that a run would not have written there."""
    for value in column:
        text = str(value).strip()
        if not re.fullmatch(r"[+-]?\d+" if whole else r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?",
                            text, flags=re.IGNORECASE):
            return value
    return column.iloc[0]


def _shortest(value: float) -> str:
    return repr(float(value))


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """CSV with floats in Python's shortest round-trip form: same numbers, same bytes. Written
    whole or not at all, never through a link (`sim.runs.layout.write_atomically`)."""
    write_atomically(path, lambda temporary: frame.to_csv(
        temporary, index=False, float_format=_shortest, lineterminator="\n"))


# --- the results folder ----------------------------------------------------------------------

@dataclass(frozen=True)
class ReplicateTables:
    """A finished replicate's rows, already carrying scenario, replicate and seed."""

    replicate: int
    seed: int
    summary: pd.DataFrame
    daily: pd.DataFrame
    events: pd.DataFrame
    crossing_waits: pd.DataFrame = field(default_factory=pd.DataFrame)


def write_replicate(directory: Path, tables: ReplicateTables,
                    manifest: dict[str, Any] | None = None) -> None:
    """Write one replicate's tables, and its record (`replicate.json`: the scenario hash of the
    manifest, replicate and seed, which `--resume` checks), into a new temporary folder, then
    rename it into place."""
    folder = directory / REPLICATES
    final = folder / f"{tables.replicate:06d}"
    temporary = folder / f".tmp-{tables.replicate:06d}-{os.getpid()}"
    shutil.rmtree(temporary, ignore_errors=True)  # a link there is refused, not followed
    folder.mkdir(exist_ok=True)
    temporary.mkdir()  # new: nothing below it is a link
    try:
        for name in TABLES:
            getattr(tables, name).to_parquet(temporary / f"{name}.parquet", index=False)
        if manifest is not None:
            write_json(temporary / RECORD, {"scenario_hash": manifest.get("scenario_hash"),
                                            "replicate": tables.replicate, "seed": tables.seed,
                                            "run_id": manifest.get("run_id")})
        os.rename(temporary, final)
    except OSError:
        shutil.rmtree(temporary, ignore_errors=True)
        if not final.is_dir():
            raise
        # replicate k was already written whole by an earlier run: keep it, never duplicate
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)  # interrupted: nothing half-written stays
        raise


def written(tables: ReplicateTables) -> ReplicateTables:
    """A replicate written to its folder, as a run keeps it until the end: its summary alone
    (`read_replicates` reads the rest back when the folder is finished)."""
    return replace(tables, **{name: getattr(tables, name).iloc[0:0].copy()  # not a view
                              for name in ("daily", "events", "crossing_waits")})


def on_disk(results: Results) -> Results:
    """Finished folder's results whose events and crossing waits are read from the folder
    when first asked for, so that a run over many scenarios does not hold them all."""
    if results.directory is not None:
        results.events = OnDisk(results.directory, EVENTS)
        results.crossing_waits = OnDisk(results.directory, CROSSING_WAITS)
    return results


def read_replicates(directory: Path, skip: Collection[int] = ()) -> list[ReplicateTables]:
    """The replicates written whole in `directory`, less those in `skip`."""
    parts = []
    for replicate in done_replicates(directory):
        if replicate in skip:
            continue
        folder = directory / REPLICATES / f"{replicate:06d}"
        frames = {}
        for name in TABLES:
            path = folder / f"{name}.parquet"
            if path.exists():  # older replicates have no waits
                frames[name] = _read(directory, path.relative_to(directory).as_posix(),
                                     lambda _, table=path: _parquet(table))
        parts.append(ReplicateTables(replicate, int(frames["summary"]["seed"].iloc[0]),
                                     **frames))
    return parts



def _concat(parts: list[ReplicateTables], name: str) -> pd.DataFrame:
    frames = [getattr(p, name) for p in sorted(parts, key=lambda p: p.replicate)]
    filled = [f for f in frames if not f.empty]
    if not filled:
        return frames[0].iloc[0:0] if frames else pd.DataFrame(columns=list(ROW_KEYS))
    return pd.concat(filled, ignore_index=True)


def collect(parts: list[ReplicateTables], manifest: dict[str, Any],
            failures: list[dict[str, Any]], directory: Path | None) -> Results:
    """Results from replicate tables, sorted by replicate; the manifest says whether complete."""
    done = {p.replicate for p in parts}
    manifest["replicates_done"] = len(done)
    manifest["status"] = ("complete" if done >= set(range(manifest["replicates"])) and not failures
                          else "incomplete")
    manifest["finished"] = now()
    summary = with_inputs(as_counts(_concat(parts, "summary")), manifest)
    return Results(summary, as_counts(_concat(parts, "daily")), _concat(parts, "events"),
                   manifest, failures, directory, _concat(parts, "crossing_waits"))


def as_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Count outcomes (`Outcome.count`) as integers; a column with a fraction stays decimal."""
    columns = [c for c in frame.columns if c in COUNT_OUTCOMES and len(frame)
               and pd.api.types.is_float_dtype(frame[c]) and (frame[c] % 1 == 0).all()]
    return frame.astype(dict.fromkeys(columns, "int64")) if columns else frame


def with_inputs(summary: pd.DataFrame, manifest: dict[str, Any]) -> pd.DataFrame:
    """After the outcomes: the scenario's hash and the value of every lever it sets (each path
    where it differs from the baseline file, `sim.scenario.paths.levers`), one column each."""
    inputs = {"scenario_hash": manifest.get("scenario_hash"),
              **levers(manifest.get("scenario") or {})}
    values = {column: [float("nan") if value is None else value] * len(summary)
              for column, value in inputs.items()}  # None: a path the scenario removed
    kept = summary.drop(columns=[c for c in inputs if c in summary.columns])
    return pd.concat([kept, pd.DataFrame(values, index=summary.index)], axis=1)


def finish_folder(directory: Path, results: Results) -> None:
    """Write the consolidated tables and failures, then the manifest (last: its status, and the
    checksum of the summary that `load` verifies)."""
    write_csv(results.summary, directory / SUMMARY)
    write_csv(results.daily, directory / DAILY)
    for name, frame in ((EVENTS, results.events), (CROSSING_WAITS, results.crossing_waits)):
        write_atomically(directory / name,
                         lambda temporary, f=frame: f.to_parquet(temporary, index=False))
    if results.failures:
        write_json(directory / FAILURES, results.failures)
    else:
        (directory / FAILURES).unlink(missing_ok=True)
    results.manifest[CHECKSUM] = summary_checksum(directory / SUMMARY)
    write_json(directory / MANIFEST, results.manifest)


def save(results: Results, directory: Path, *, force: bool = False) -> Path:
    """Write in-memory results as a results folder, in the layout a run streams (claimed as a
    run claims it: `sim.runs.folder.claim`)."""
    from sim.runs.folder import RESULTS, claim

    scenario = Scenario.model_validate(results.manifest["scenario"])
    with claim(directory, RESULTS, force, scenario=scenario) as held:
        return _save(results, scenario, held.path, held.action)


def _save(results: Results, scenario: Scenario, directory: Path, action: str) -> Path:
    from sim.runs.run_folder import prepare_folder

    manifest = prepare_folder(directory, action, scenario, list(results.manifest["seeds"]),
                              results.manifest.get("command", ""))
    manifest["started"] = results.manifest.get("started")
    parts = []
    for replicate, summary in results.summary.groupby("replicate", sort=True):
        daily, events, waits = (
            frame[frame["replicate"] == replicate].reset_index(drop=True)
            if "replicate" in frame else frame
            for frame in (results.daily, results.events, results.crossing_waits))
        part = ReplicateTables(int(replicate), int(summary["seed"].iloc[0]),
                               summary.reset_index(drop=True), daily, events, waits)
        write_replicate(directory, part, manifest)
        parts.append(part)
    saved = collect(parts, manifest, list(results.failures), directory)
    saved.manifest["finished"] = results.manifest.get("finished")
    finish_folder(directory, saved)
    return directory


# --- the column dictionary in docs/results.md ------------------------------------------------

DOC_START = "<!-- outcomes:start (generated by `sim docs outcomes`) -->"
DOC_END = "<!-- outcomes:end -->"


def outcomes_markdown() -> str:
    """The outcome columns as a Markdown table, from `sim.model.outcomes.OUTCOMES`, with the
    label every table, figure and workbook shows for each; then the harm outcomes every
    reading computes from them (`HARM_OUTCOMES`)."""
    lines = ["| column | label | unit | in daily.csv | meaning |", "|---|---|---|---|---|"]
    for outcome in OUTCOMES:
        daily = "yes" if outcome.name in PLACE_OUTCOMES else "no"
        lines.append(f"| `{outcome.name}` | {outcome_label(outcome.name)} | {outcome.unit} | "
                     f"{daily} | {outcome.description} |")
    lines += ["", "Computed when a summary is read (not in summary.csv; in comparison.csv, "
              "the workbook, marginal.csv and the optimiser's tables, with the weights file "
              "named):", "", "| outcome | label | unit | meaning |", "|---|---|---|---|"]
    lines += [f"| `{outcome.name}` | {outcome_label(outcome.name)} | {outcome.unit} | "
              f"{outcome.description} |" for outcome in HARM_OUTCOMES]
    return "\n".join(lines)


def with_outcomes_section(document: str) -> str:
    """`document` with the text between the outcome markers replaced by `outcomes_markdown()`."""
    head, start, rest = document.partition(DOC_START)
    _, end, tail = rest.partition(DOC_END)
    if not start or not end:
        raise ValueError("the document has no outcome markers")
    return f"{head}{DOC_START}\n{outcomes_markdown()}\n{DOC_END}{tail}"
