"""Runs of different replicate counts are compared over the replicates they share, everywhere:
a 30-replicate baseline against a 10-replicate variant gives the same per-place, per-day and
per-crossing differences, figures, workbook sheets and labels as a 10-against-10 comparison on
the same seeds (the replicate seeds of `sim run` do not depend on the count)."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import sim
from sim.analysis import figures, findings, waits
from sim.analysis.compare import compare
from sim.analysis.figures_places import displacement_differences
from sim.analysis.pairing import paired_runs
from sim.analysis.workbook import write_workbook
from sim.model import BASELINE

ONE_DAY = {"action__days": 1, "workers": 1}
MORE_SERBIAN_OFFICERS = {
    "countries__RS__officers": 2800,
    "postings": [{"country": "RS", "agency": "border_police", "posting": "crossing",
                  "place": "tabanovce", "officers": 300}]}


@pytest.fixture(scope="module")
def runs() -> dict[str, sim.Results]:
    return {"base30": sim.run(BASELINE, replicates=30, **ONE_DAY),
            "base10": sim.run(BASELINE, replicates=10, **ONE_DAY),
            "variant": sim.run(BASELINE, replicates=10, **ONE_DAY, **MORE_SERBIAN_OFFICERS)}


def svg(figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "pairing"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def title(figure) -> str:
    return figure._suptitle.get_text() if figure._suptitle else figure.axes[0].get_title()


@pytest.mark.slow
def test_a_30_replicate_base_reads_as_the_10_replicates_it_shares(runs, tmp_path):
    base30, base10, variant = runs["base30"], runs["base10"], runs["variant"]
    assert base30.summary["seed"][:10].tolist() == base10.summary["seed"].tolist()
    pairing = paired_runs(base30, variant)
    assert pairing.paired and pairing.replicates == 10
    assert "pairs the 10 replicates both have" in pairing.note()
    # per place, per day, per crossing: the same numbers
    pd.testing.assert_frame_equal(displacement_differences(base30, variant),
                                  displacement_differences(base10, variant))
    pd.testing.assert_frame_equal(figures.daily_differences(base30, variant),
                                  figures.daily_differences(base10, variant))
    pd.testing.assert_frame_equal(waits.wait_differences(base30, variant),
                                  waits.wait_differences(base10, variant))
    with pytest.warns(UserWarning, match="30"):
        long = compare(base30, [variant])
    short = compare(base10, [variant])
    pd.testing.assert_frame_equal(long.drop(columns="base_n"), short.drop(columns="base_n"))
    # the figures and their labels: the same drawing, byte for byte
    for draw in (lambda b: figures.displacement(b, variant),
                 lambda b: figures.day_by_day([b, variant]),
                 lambda b: figures.trade_off([b, variant])):
        with warnings.catch_warnings():  # the note on the counts, said above
            warnings.simplefilter("ignore", UserWarning)
            first, second = draw(base30), draw(base10)
        assert title(first) == title(second)
        assert svg(first) == svg(second)
    assert "paired, 10 replicates" in title(figures.displacement(base30, variant))
    assert findings.displacement_findings(base30, variant) == findings.displacement_findings(
        base10, variant)
    # the workbook: every sheet but the notes the same
    with pytest.warns(UserWarning, match="every sheet uses the 10 replicates"):
        books = [write_workbook(tmp_path / "long.xlsx", [variant], base=base30)]
    books.append(write_workbook(tmp_path / "short.xlsx", [variant], base=base10))
    sheets = pd.ExcelFile(books[0]).sheet_names
    assert sheets == ["about", "comparison", "by crime area", "waits by crossing", "summary",
                      "by place and day", "replicates"]
    for sheet in sheets[1:]:
        pd.testing.assert_frame_equal(pd.read_excel(books[0], sheet_name=sheet),
                                      pd.read_excel(books[1], sheet_name=sheet), obj=sheet)
    notes = pd.read_excel(books[0], sheet_name="about")["what"].str.cat(sep=" ")
    assert "every sheet uses the 10 replicates they all share" in notes
    # the crossing the variant changes, with the waits it shows
    assert waits.changed_crossings(base30, variant) == ["tabanovce"]
    shown, said = waits.waits_to_show(base30, variant)
    assert set(shown["place"]) == {"tabanovce"} and "1 crossing the scenario changes" in said
    # each side of the crossing (North Macedonia's, Serbia's), its classes in order
    by_side = shown.groupby("side", sort=False)["vehicle_class"].agg(list)
    assert by_side.to_dict() == {"MK": ["car", "bus", "lorry"], "RS": ["car", "bus", "lorry"]}


def test_runs_whose_seeds_differ_are_not_restricted_nor_called_paired():
    from standins import run_small, small

    base = run_small(small("base", replicates=4), workers=1)
    other = small("other", replicates=3)
    other = run_small(other.model_copy(update={"run": other.run.model_copy(
        update={"seed": 8})}), workers=1)
    pairing = paired_runs(base, other)
    assert not pairing.paired and pairing.note() is None
    assert len(pairing.base.summary) == 4 and len(pairing.other.summary) == 3
    assert pairing.label().startswith("unpaired (seeds differ)")
