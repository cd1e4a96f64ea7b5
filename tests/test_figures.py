"""The figures render headless (Agg) and show what they claim: rows, places, targets, units."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex

import sim
from sim.analysis import figures
from sim.analysis.compare import compare, load_targets
from sim.cli import main as sim_main
from sim.geography import load_route_graph

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, sim.Results]:
    """Two replicates of the baseline and of no_scanning_teams (same seeds), saved to folders."""
    folder = tmp_path_factory.mktemp("runs")
    return {name: sim.run(SCENARIOS / f"{name}.yaml", replicates=2, workers=1,
                          out=folder / name)
            for name in ("jad_see_2023", "no_scanning_teams")}


@pytest.fixture(scope="module")
def route_graph():
    return load_route_graph()


@pytest.fixture(scope="module")
def comparison(runs):
    return compare(runs["jad_see_2023"], [runs["no_scanning_teams"]])


def rendered_png(figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=40)
    return buffer.getvalue()


def marker_points(ax) -> int:
    return sum(len(line.get_xdata()) for line in ax.lines if line.get_marker() == "o")


def test_forest_plot_has_one_row_per_scenario_and_outcome(comparison):
    two_scenarios = pd.concat([comparison, comparison.assign(scenario="frontex_doubled")],
                              ignore_index=True)
    outcomes = ("arrests_total", "weapons_seized", "movements_intercepted")
    figure = figures.forest_plot(two_scenarios, outcomes)
    ax = figure.axes[0]
    assert marker_points(ax) == 2 * len(outcomes)
    assert [t.get_text() for t in ax.get_yticklabels()] == [figures.outcome_label(o)
                                                            for o in outcomes]
    assert "%" in ax.get_xlabel() and "JAD SEE 2023 baseline" in ax.get_title()
    colours = {to_hex(line.get_color()) for line in ax.lines if line.get_marker() == "o"}
    assert colours <= {c.lower() for c in figures.OKABE_ITO}
    assert rendered_png(figure).startswith(b"\x89PNG")


def test_map_marks_interceptions_by_crime_area_and_names_places(runs, route_graph):
    base = runs["jad_see_2023"]
    figure = figures.detection_map(base, route_graph, named=5)
    ax = figure.axes[0]
    table = figures.interceptions_by_place(base, route_graph)
    assert table["total"].is_monotonic_decreasing
    assert table.loc["evzonoi", "place_name"] == route_graph.place_name("evzonoi")
    counts = table.drop(columns=["place_name", "total"])
    plotted = [c for c in ax.collections if c.get_label() in
               {figures.label(a) for a in counts.columns}]
    assert len(plotted) == len(counts.columns)  # one marker layer per crime area
    assert sum(len(c.get_offsets()) for c in plotted) == int((counts > 0).to_numpy().sum())
    names = {route_graph.place_name(p) for p in route_graph.graph.nodes}
    annotations = [t.get_text() for t in ax.texts if t.get_text() not in
                   set(route_graph.places["country"])]
    assert len(annotations) == 5 and set(annotations) <= names
    assert "°E" in ax.get_xlabel() and "°N" in ax.get_ylabel()
    assert rendered_png(figure).startswith(b"\x89PNG")


def test_day_by_day_overlays_each_scenario_with_units(runs):
    figure = figures.day_by_day(list(runs.values()), outcomes=("arrests_total", "cocaine_kg"))
    visible = [ax for ax in figure.axes if ax.get_visible()]
    assert len(visible) == 2
    for ax in visible:
        assert len(ax.lines) == 2  # one mean line per scenario
        assert len(ax.lines[0].get_xdata()) == 6  # the six action days
    assert visible[1].get_ylabel() == "kg per day"
    totals = figures.daily_totals(runs["jad_see_2023"])
    summary = runs["jad_see_2023"].summary.set_index("replicate")
    by_replicate = totals.groupby("replicate")["arrests_total"].sum()
    assert by_replicate.to_numpy() == pytest.approx(summary["arrests_total"].to_numpy())


def test_trade_off_has_one_point_per_scenario(runs):
    figure = figures.trade_off(list(runs.values()))
    ax = figure.axes[0]
    assert marker_points(ax) == 2
    assert "minutes" in ax.get_xlabel() and "movements" in ax.get_ylabel()


def test_displacement_names_places(runs, route_graph):
    figure = figures.displacement(runs["jad_see_2023"], runs["no_scanning_teams"], route_graph,
                                  top=6)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    names = {route_graph.place_name(p) for p in route_graph.graph.nodes}
    assert 0 < len(labels) <= 6 and set(labels) <= names
    assert figures.new_route_places("reroute after seizure; checked places a>b -> c>d") == ["c",
                                                                                          "d"]
    assert figures.new_route_places("delay after seizure") == []
    assert figures.delivered_route_places("crossed kipoi>evzonoi") == ["kipoi", "evzonoi"]
    assert len(figure.axes) == 3
    table = figures.displacement_by_place(runs["jad_see_2023"])
    assert table["delivered_through"].sum() > 0 and table["intercepted"].sum() > 0


def test_calibration_plot_has_a_row_per_published_target(runs):
    targets = load_targets()
    figure = figures.calibration(runs["jad_see_2023"])
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert len(labels) == len(targets)
    for text, outcome in zip(labels, targets["outcome"], strict=True):
        assert text.startswith(figures.label(outcome) + " (published")
    fewer = figures.calibration(runs["jad_see_2023"], targets.head(3))
    assert len(fewer.axes[0].get_yticklabels()) == 3


def test_sim_compare_writes_the_table(runs, tmp_path, capsys):
    folders = [str(runs[name].directory) for name in ("jad_see_2023", "no_scanning_teams")]
    assert sim_main(["compare", *folders, "--out", str(tmp_path), "--level", "0.95",
                     "--no-figures"]) == 0
    comparison = pd.read_csv(tmp_path / "comparison.csv")
    assert (comparison["level"] == 0.95).all() and comparison["paired"].all()
    assert "no_scanning_teams − jad_see_2023" in capsys.readouterr().out


def test_the_comparison_figure_set_is_saved_as_png_and_svg(runs, comparison, route_graph,
                                                            tmp_path):
    base, other = runs["jad_see_2023"], runs["no_scanning_teams"]
    drawn = figures.comparison_figures(base.directory, [other.directory], comparison,
                                       route_graph=route_graph)
    assert set(drawn) == {"forest", "trade_off", "day_by_day", "map", "calibration",
                          "displacement_no_scanning_teams"}
    written = figures.save_figures({"forest": drawn["forest"]}, tmp_path, dpi=30)
    assert [path.name for path in written] == ["forest.png", "forest.svg"]
    assert written[1].read_text().lstrip().startswith("<?xml")
