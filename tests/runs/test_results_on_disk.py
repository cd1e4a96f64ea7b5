"""A run into folders keeps the events and the crossings' waits on disk: read back when asked for,
the same tables as a run held in memory, and a damaged table is still refused when the folder is
read (over hundreds of runs those two tables held gigabytes in the parent process)."""

from __future__ import annotations

import pandas as pd
import pytest
from standins import run_small, small, stand_in_replicate

import sim
from sim.runs import runner
from sim.runs.layout import ResultsFolderError
from sim.runs.results import OnDisk


def test_a_folder_run_leaves_its_events_on_disk_until_asked_and_they_match_memory(tmp_path):
    kept = run_small(small(replicates=3), workers=1)
    runs = runner.run_many([(small(replicates=3), tmp_path / "a"),
                            (small("other", replicates=3), tmp_path / "b")], workers=1,
                           replicate_function=stand_in_replicate)
    folder = runs[0]
    assert isinstance(folder.__dict__["_events"], OnDisk)  # nothing read yet
    assert isinstance(folder.__dict__["_crossing_waits"], OnDisk)
    pd.testing.assert_frame_equal(folder.events, kept.events)
    assert not isinstance(folder.__dict__["_events"], OnDisk)  # read once, then kept
    pd.testing.assert_frame_equal(folder.summary, kept.summary)
    pd.testing.assert_frame_equal(folder.daily, kept.daily)
    loaded = sim.load(tmp_path / "a")
    assert isinstance(loaded.__dict__["_events"], OnDisk)
    pd.testing.assert_frame_equal(loaded.events, kept.events)
    assert loaded.crossing_waits.equals(kept.crossing_waits)


def test_results_built_in_memory_keep_their_tables_and_default_to_empty_waits():
    summary = pd.DataFrame({"scenario": ["s"], "replicate": [0], "seed": [1]})
    events = pd.DataFrame({"kind": ["detection"]})
    results = sim.Results(summary, summary.iloc[0:0], events)
    assert results.events is events
    assert results.crossing_waits.empty
    other = sim.Results(summary, summary.iloc[0:0], events)
    other.crossing_waits["x"] = [1] * 0  # an analyst's column on one result stays there
    assert "x" not in results.crossing_waits


@pytest.mark.parametrize("table", ["events.parquet", "crossing_waits.parquet"])
def test_a_damaged_table_on_disk_is_refused_when_the_folder_is_read(tmp_path, table):
    run_small(small(replicates=2), workers=1, out=tmp_path / "run")
    (tmp_path / "run" / table).write_bytes(b"not a parquet file at all")
    with pytest.raises(ResultsFolderError, match=table):
        sim.load(tmp_path / "run")


def test_results_replaced_share_what_they_do_not_change_and_leave_it_on_disk(tmp_path):
    run_small(small(replicates=2), workers=1, out=tmp_path / "run")
    loaded = sim.load(tmp_path / "run")
    doubled = loaded.replaced(summary=loaded.summary.assign(extra=2.0))
    assert "extra" in doubled.summary and "extra" not in loaded.summary
    assert isinstance(doubled.__dict__["_events"], OnDisk)  # not read by the copy
    pd.testing.assert_frame_equal(doubled.events, loaded.events)
    with pytest.raises(TypeError, match="no field"):
        loaded.replaced(sumary=loaded.summary)


def test_results_whose_folder_was_replaced_refuse_to_read_the_new_tables(tmp_path):
    """Results of a run whose folder a later run replaced (--force) would otherwise read that
    run's events as their own."""
    first = run_small(small(replicates=2), workers=1, out=tmp_path / "run")
    run_small(small(replicates=3), workers=1, out=tmp_path / "run", force=True)
    with pytest.raises(ResultsFolderError, match="changed after these results were read"):
        first.events  # noqa: B018 (reading is the test)
    assert len(sim.load(tmp_path / "run").summary) == 3
