"""The figures render headless (Agg) and show what they claim: rows, places, targets, units."""

from __future__ import annotations

import dataclasses
import io

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from project import ROOT

import sim
from sim.analysis import figures, figures_places, reference
from sim.analysis.compare import compare, load_targets
from sim.cli import main as sim_main
from sim.geography.borders import borders as national_borders
from sim.geography.borders import coastlines

SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, sim.Results]:
    """Two replicates of the baseline and of no_scanning_teams (same seeds), saved to folders."""
    folder = tmp_path_factory.mktemp("runs")
    return {name: sim.run(SCENARIOS / f"{name}.yaml", replicates=2, workers=1,
                          out=folder / name)
            for name in ("jad_see_2023", "no_scanning_teams")}


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


def test_forest_plot_has_a_panel_per_outcome_with_its_own_scale(comparison):
    two_scenarios = pd.concat([comparison, comparison.assign(scenario="frontex_doubled")],
                              ignore_index=True)
    outcomes = ("arrests_total", "weapons_seized", "movements_intercepted")
    figure = figures.forest_plot(two_scenarios, outcomes)
    panels = [ax for ax in figure.axes if ax.get_visible()]
    assert len(panels) == len(outcomes)
    for ax, outcome in zip(panels, outcomes, strict=True):
        assert marker_points(ax) == 2  # one point per scenario
        assert ax.get_title().startswith(figures.label(outcome) + "\n(base mean ")
        rows = two_scenarios[two_scenarios["outcome"] == outcome]
        reach = 100 * (rows[["ci_low", "ci_high"]].abs().max().max() / rows["base_mean"].iloc[0])
        assert ax.get_xlim()[1] == pytest.approx(max(reach, 0.5) * 1.15)  # its own scale
    assert [t.get_text() for t in panels[0].get_yticklabels()] == [
        "no scanning teams", "Frontex doubled"]
    assert "JAD SEE 2023 baseline" in figure.get_suptitle()
    colours = {to_hex(line.get_color()) for ax in panels for line in ax.lines
               if line.get_marker() == "o"}
    assert colours <= {c.lower() for c in figures.OKABE_ITO}
    assert rendered_png(figure).startswith(b"\x89PNG")


def test_forest_plot_puts_an_extreme_scenario_at_the_edge(comparison):
    extreme = comparison.assign(scenario="business_as_usual",
                                difference=comparison["base_mean"] * -0.9,
                                ci_low=comparison["base_mean"] * -0.95,
                                ci_high=comparison["base_mean"] * -0.85)
    figure = figures.forest_plot(pd.concat([comparison, extreme], ignore_index=True),
                                 ("arrests_total",))
    ax = figure.axes[0]
    assert ax.get_xlim()[0] > -90  # the scale is the policy scenario's
    assert any(t.get_text() == "-90%" for t in ax.texts)


def test_a_longer_action_is_compared_per_day(runs):
    base = runs["jad_see_2023"]
    longer = dataclasses.replace(base, manifest={**base.manifest, "scenario_name": "longer",
                                                 "scenario": {"action": {"days": 12}}})
    table = compare(base, [longer]).set_index("outcome")
    six = figures.as_results(base).summary["arrests_total"].mean()
    assert table.loc["arrests_total", "per_day"]
    assert table.loc["arrests_total", "base_mean"] == pytest.approx(six / 6)
    assert table.loc["arrests_total", "difference"] == pytest.approx(six / 12 - six / 6)
    assert table.loc["mean_wait_minutes", "difference"] == pytest.approx(0)
    assert not compare(base, [runs["no_scanning_teams"]])["per_day"].any()


def test_map_marks_interceptions_by_crime_area_and_names_places_without_overlap(
        runs, route_graph):
    base = runs["jad_see_2023"]
    figure = figures.detection_map(base, route_graph, named=5)
    ax, inset = figure.axes[0], figure.axes[0].child_axes[0]
    table = figures.interceptions_by_place(base, route_graph)
    assert table["total"].is_monotonic_decreasing
    assert table.loc["evzonoi", "place_name"] == route_graph.place_name("evzonoi")
    counts = table.drop(columns=["place_name", "total"])
    plotted = [c for c in ax.collections if c.get_label() in
               {figures.label(a) for a in counts.columns}]
    assert len(plotted) == len(counts.columns)  # one marker layer per crime area
    assert sum(len(c.get_offsets()) for c in plotted) == int((counts > 0).to_numpy().sum())
    renderer = figure.canvas.get_renderer()
    for axes in (ax, inset):
        boxes = [t.get_window_extent(renderer) for t in axes.texts]
        assert boxes and not any(a.overlaps(b) for i, a in enumerate(boxes)
                                 for b in boxes[i + 1:])
    written = {t.get_text().replace("\n", " ") for t in ax.texts + inset.texts}
    assert 0 < len([t for t in ax.texts]) <= 5
    for place in ("gb_bg_tr", "gb_evros", "kapitan_andreevo"):  # the junction, all named
        if place in counts.index:
            assert figures_places.short_name(route_graph, place) in written
    assert "°E" in ax.get_xlabel() and "°N" in ax.get_ylabel()
    assert len(ax.collections) > len(plotted) + 2  # land, borders, routes under the markers
    assert rendered_png(figure).startswith(b"\x89PNG")


def test_coastlines_and_borders_ship_with_the_package():
    region = (19.0, 30.0, 39.0, 45.0)
    coasts, borders = coastlines(region), national_borders(region)
    assert len(coasts) > 10 and len(borders) > 5
    for line in coasts + borders:
        assert line.shape[1] == 2 and line[:, 0].min() > -180 and line[:, 1].max() < 90


def test_day_by_day_shows_paired_daily_differences_with_units(runs):
    base, other = runs["jad_see_2023"], runs["no_scanning_teams"]
    figure = figures.day_by_day([base, other], outcomes=("arrests_total", "cocaine_kg"))
    visible = [ax for ax in figure.axes if ax.get_visible()]
    assert len(visible) == 2
    for ax in visible:
        (line,) = [line for line in ax.lines if line.get_marker() == "o"]
        assert len(line.get_xdata()) == 6  # the six action days
        assert "0 = JAD SEE 2023 baseline" in ax.get_ylabel()
    assert visible[1].get_ylabel().startswith("difference, kg per day")
    table = figures.daily_differences(base, other, "arrests_total")
    assert table["difference"].sum() == pytest.approx(
        other.summary["arrests_total"].mean() - base.summary["arrests_total"].mean())
    assert (table["ci_low"] <= table["difference"]).all()
    alone = figures.day_by_day([base], outcomes=("arrests_total",))
    assert "axis from 0" in alone.axes[0].get_ylabel() and alone.axes[0].get_ylim()[0] == 0
    totals = figures.daily_totals(base)
    summary = base.summary.set_index("replicate")
    by_replicate = totals.groupby("replicate")["arrests_total"].sum()
    assert by_replicate.to_numpy() == pytest.approx(summary["arrests_total"].to_numpy())


def test_trade_off_shows_paired_differences_from_the_base(runs, comparison):
    figure = figures.trade_off(list(runs.values()))
    ax = figure.axes[0]
    (point,) = [line for line in ax.lines if line.get_marker() == "o"]
    row = comparison.set_index("outcome")
    assert point.get_xdata()[0] == pytest.approx(row.loc["mean_wait_minutes", "difference"])
    assert point.get_ydata()[0] == pytest.approx(row.loc["movements_intercepted", "difference"])
    assert "0 = base" in ax.get_xlabel() and "minutes" in ax.get_xlabel()
    assert "movements" in ax.get_ylabel() and "paired" in ax.get_title()


def test_displacement_shows_paired_differences_by_place(runs, route_graph):
    base, other = runs["jad_see_2023"], runs["no_scanning_teams"]
    figure = figures.displacement(base, other, route_graph, top=6)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    names = {figures_places.short_name(route_graph, p) for p in route_graph.graph.nodes}
    assert 0 < len(labels) <= 6 and set(labels) <= names
    assert figures.new_route_places("reroute after seizure; checked places a>b -> c>d") == ["c",
                                                                                          "d"]
    assert figures.new_route_places("delay after seizure") == []
    assert figures.delivered_route_places("crossed kipoi>evzonoi") == ["kipoi", "evzonoi"]
    assert [ax.get_title() for ax in figure.axes] == list(
        figures_places.DISPLACEMENT_MEASURES.values())
    table = figures.displacement_by_place(base)
    assert table["delivered_through"].sum() > 0 and table["intercepted"].sum() > 0
    differences = figures_places.displacement_differences(base, other)
    evzonoi = differences.set_index(["place", "measure"]).loc[("evzonoi", "intercepted")]
    mean = (other.events.query("kind == 'interception' and place == 'evzonoi'").shape[0]
            - base.events.query("kind == 'interception' and place == 'evzonoi'").shape[0]) / 2
    assert evzonoi["difference"] == pytest.approx(mean)
    assert evzonoi["ci_low"] <= evzonoi["difference"] <= evzonoi["ci_high"]
    FigureCanvasAgg(figure).draw()  # no title overlaps a neighbour's
    renderer = figure.canvas.get_renderer()
    titles = [ax.title.get_window_extent(renderer) for ax in figure.axes]
    assert not any(a.overlaps(b) for i, a in enumerate(titles) for b in titles[i + 1:])


def test_every_shipped_scenario_has_one_label_used_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for path in SCENARIOS.glob("*.yaml"):
        name = path.stem
        if name in ("calibrated", "fitted") or name not in figures.SCENARIO_LABELS:
            continue
        assert f"| {figures.label(name)} |" in readme or name == "jad_see_2023", name
    shipped = set(reference.ALTERNATIVES) | {reference.BASE}
    assert shipped <= set(figures.SCENARIO_LABELS)


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
    assert "no scanning teams − JAD SEE 2023 baseline" in capsys.readouterr().out


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
