"""The interactive dashboard: one replicate hour by hour on Mesa's model controller, with the
scenario file as written running beside a changed allocation.

The map draws the route graph on the places' real longitude and latitude (Mesa's network drawer
would recompute a spring layout), with place names and hover tooltips. Beside it: the active
changes, outcomes so far by hour against the file as written, queue waits at the busiest checked
crossings, the day and hour of the action. The sidebar changes the allocation: a control left at
"as in the scenario file" keeps the file's value, any other choice becomes one of the model's
`__` overrides (sim/dashboard/model.py). The drawings are in sim/dashboard/figures.py;
`sim dashboard` serves this page (sim/dashboard/server.py).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import solara
from mesa.visualization.solara_viz import ModelController, ModelCreator
from mesa.visualization.utils import update_counter

from sim.dashboard.figures import (
    SIZE_BY,
    draw_operation_map,
    draw_outcomes_by_hour,
    draw_queue_waits,
    map_html,
)
from sim.dashboard.model import (
    AS_IN_FILE,
    HOURLY_OUTCOMES,
    NO_TEAM,
    OFFICERS_RANGE,
    OFFICERS_STEP,
    RELAY_DELAYS,
    SPREAD,
    TARGETING_RULES,
    TEAM_SLOTS,
    DashboardModel,
    allocation_overrides,
    border_of,
    cases_with_evidence,
    crossing_choices,
    crossing_waits_so_far,
    default_seed,
    frontex_borders,
    frontex_control,
    parse_seed,
    place_choices,
    scenario_choices,
    start_scenario,
)
from sim.scenario.files import load_scenario
from sim.scenario.parameters import POSTING_KINDS

__all__ = ["AS_IN_FILE", "NO_TEAM", "DashboardModel", "Page", "allocation_overrides",
           "border_of", "crossing_choices", "model_params", "parse_seed"]


# --- the page ----------------------------------------------------------------------------------

@solara.component
def OperationMap(model: DashboardModel):  # noqa: N802 (Solara names components like classes)
    update_counter.get()
    size_by, set_size_by = solara.use_state("queue")
    with solara.Column() as panel:
        solara.ToggleButtonsSingle(value=size_by, values=list(SIZE_BY), on_value=set_size_by)
        with model.hour_lock:
            page = map_html(model, draw_operation_map(model, size_by=size_by))
        # an image with an SVG layer of hover titles over the places: tooltips without a CDN
        solara.HTML(tag="div", unsafe_innerHTML=page)
    return panel


def changes_html(model: DashboardModel) -> str:
    if not model.changes:
        return ("<p class='changes'>No change: the scenario file as written (change the "
                "allocation in the sidebar, then Reset).</p>")
    items = "".join(f"<li>{html.escape(change)}</li>" for change in model.changes)
    return (f"<div class='changes'><b>Changed allocation</b> (beside the file as written, "
            f"same seed):<ul style='margin:0'>{items}</ul></div>")


def clock_html(model: DashboardModel) -> str:
    """The header: day and hour, scenario and seed, the active changes and the counters so far
    (with the file as written and the difference beside them when the allocation changed)."""
    with model.hour_lock:
        totals, cases = model.tally.totals(), cases_with_evidence(model)
        title, line = model.clock_text()
        baseline = model.baseline
        base_totals = baseline.tally.totals() if baseline is not None else None
        base_cases = cases_with_evidence(baseline) if baseline is not None else None
    compared = base_totals is not None

    def row(label: str, value: float, base: float | None) -> str:
        cells = f"<td>{label}</td><td align='right'>{value:,.0f}</td>"
        if base is not None:
            cells += (f"<td align='right'>{base:,.0f}</td>"
                      f"<td align='right'><b>{value - base:+,.0f}</b></td>")
        return f"<tr>{cells}</tr>"

    rows = "".join(row(label, totals[outcome], base_totals[outcome] if compared else None)
                   for outcome, label in HOURLY_OUTCOMES.items())
    rows += row("networks with evidence for a case", cases, base_cases)
    heads = "<th align='left'>so far</th><th align='right'>" + ("changed" if compared else "")
    heads += ("</th><th align='right'>as written</th><th align='right'>difference</th>"
              if compared else "</th>")
    problem = (f"<p class='problem' style='color:#B00020'><b>Not applied</b> (running "
               f"{model.scenario_file.name} as written): {html.escape(model.problem)}</p>"
               if model.problem else "")
    seed = (" (replicate 0 of <code>sim run</code>)"
            if model.seed == default_seed(load_scenario(model.scenario_file)) else "")
    # HTML rather than Markdown: Solara's Markdown fetches KaTeX from the (disabled) CDN
    return problem + (
        f"<h3 class='action-clock'>{title}</h3>"
        f"<p>{line}<br>scenario <b>{model.scenario_spec.name}</b> "
        f"({model.scenario_file.name}), seed {model.seed}{seed}, targeting "
        f"{model.scenario_spec.targeting.replace('_', ' ')}</p>" + changes_html(model) +
        f"<table class='counters'><tr>{heads}</tr>{rows}</table>")


@solara.component
def ActionClock(model: DashboardModel):  # noqa: N802 (Solara names components like classes)
    """Day and hour of the action, the active changes and the counters so far."""
    update_counter.get()
    solara.HTML(tag="div", unsafe_innerHTML=clock_html(model))


@solara.component
def OutcomesByHour(model: DashboardModel):  # noqa: N802 (Solara names components like classes)
    update_counter.get()
    with model.hour_lock:
        figure = draw_outcomes_by_hour(model)
    return solara.FigureMatplotlib(figure, format="png")


@solara.component
def QueueWaits(model: DashboardModel):  # noqa: N802 (Solara names components like classes)
    update_counter.get()
    with model.hour_lock:
        figure = draw_queue_waits(model)
    return solara.FigureMatplotlib(figure, format="png")


def waits_html(model: DashboardModel) -> str:
    """The wait per vehicle so far at the crossings the change touches (else the busiest), by
    side and vehicle class: changed, as written and the difference (`crossing_waits_so_far`)."""
    with model.hour_lock:
        table, said = crossing_waits_so_far(model)
    if table.empty:
        return "<p class='waits'>Waits per crossing and vehicle class: after the first hour.</p>"

    def cell(column: str, value: Any) -> str:
        text = (value if isinstance(value, str) else
                f"{value:+,.1f}" if column == "difference" else f"{value:,.1f}")
        align = "left" if isinstance(value, str) else "right"
        return f"<td align='{align}'>{html.escape(text)}</td>"

    heads = "".join(f"<th>{html.escape(str(column))}</th>" for column in table.columns)
    rows = "".join("<tr>" + "".join(cell(column, value) for column, value in row.items())
                   + "</tr>" for _, row in table.iterrows())
    return (f"<div class='waits'><b>Wait per vehicle so far (minutes), {said}</b>"
            f"<table class='waits'><tr>{heads}</tr>{rows}</table></div>")


@solara.component
def CrossingWaits(model: DashboardModel):  # noqa: N802 (Solara names components like classes)
    """The waits so far by crossing, side and vehicle class, changed against as written."""
    update_counter.get()
    solara.HTML(tag="div", unsafe_innerHTML=waits_html(model))


def model_params(start: Path) -> dict[str, Any]:
    """The sidebar: Mesa user parameters, each passed to DashboardModel on Reset."""
    base = load_scenario(start)
    crossings = [AS_IN_FILE, NO_TEAM, *crossing_choices()]
    params: dict[str, Any] = {
        "scenario_file": {"type": "Select", "label": "Scenario file",
                          "value": _choice_name(start), "values": list(scenario_choices(start))},
        "seed": {"type": "InputText", "label": "Seed (empty: replicate 0 of sim run)",
                 "value": ""},
        "targeting": {"type": "Select", "label": "Targeting rule",
                      "value": AS_IN_FILE, "values": [AS_IN_FILE, *TARGETING_RULES]},
        "coordination_centre": {"type": "Select", "label": "Coordination centre",
                                "value": AS_IN_FILE, "values": [AS_IN_FILE, "on", "off"]},
        "relay_delay": {"type": "Select", "label": "Centre's relay delay",
                        "value": AS_IN_FILE, "values": [AS_IN_FILE, *RELAY_DELAYS]},
    }
    params["officers_country"] = {"type": "Select", "label": "Officers of country",
                                  "value": AS_IN_FILE,
                                  "values": [AS_IN_FILE, *sorted(base.countries)]}
    params["officers_change"] = {"type": "SliderInt", "label": "Officers added (− removes)",
                                 "value": 0, "min": -OFFICERS_RANGE, "max": OFFICERS_RANGE,
                                 "step": OFFICERS_STEP}
    params["officers_posting"] = {"type": "Select", "label": "Added officers posted at",
                                  "value": SPREAD, "values": [SPREAD, *POSTING_KINDS]}
    params["officers_place"] = {"type": "Select", "label": "Place of the posting",
                                "value": SPREAD, "values": [SPREAD, *place_choices()]}
    for slot in range(TEAM_SLOTS):
        params[f"scanning_team_{slot + 1}"] = {"type": "Select", "value": AS_IN_FILE,
                                               "label": f"Scanning team {slot + 1} at",
                                               "values": crossings}
    for border in frontex_borders(base):
        params[frontex_control(border)] = {"type": "Checkbox", "value": True,
                                           "label": f"Frontex at {border} (as in the file)"}
    return params


def _choice_name(path: Path) -> str:
    return next(name for name, p in scenario_choices(path).items()
                if p.resolve() == path.resolve())


@solara.component
def Dashboard(model: DashboardModel):  # noqa: N802 (Solara names components like classes)
    """The map with the clock and the plots beside it."""
    with solara.Columns([3, 2]) as panels:
        OperationMap(model)
        with solara.Column():
            ActionClock(model)
            OutcomesByHour(model)
            QueueWaits(model)
            CrossingWaits(model)
    return panels


@solara.component
def Page():  # noqa: N802 (Solara names components like classes)
    """Mesa's model controller (Reset, Play, Step) and model creator (the allocation) in the
    sidebar, the dashboard's panels beside it. SolaraViz itself is not used: it would also show
    Mesa's internal controls (play and render intervals, threads), which a planner does not
    need; its draggable grid does not render with ipyvuetify 3 either.
    """
    start = start_scenario()
    first = solara.use_memo(lambda: DashboardModel(_choice_name(start)), [])
    model = solara.use_reactive(first)  # the controller's Reset puts the rebuilt model here
    params = solara.use_memo(lambda: model_params(start), [])
    chosen = solara.use_reactive({})
    # Mesa's controller reads these as reactive values; fixed here, not shown to the planner
    play_interval, render_interval = solara.use_reactive(150), solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    with solara.AppBar():
        solara.AppBarTitle("JAD South East Europe 2023, hour by hour")
    with solara.Sidebar(), solara.Column():
        with solara.Card("Controls"):
            ModelController(model, model_parameters=chosen, play_interval=play_interval,
                            render_interval=render_interval, use_threads=use_threads)
        with solara.Card("Allocation (Reset applies it)"):
            ModelCreator(model, params, model_parameters=chosen)
    # a new model (Reset) remounts the panels: their widgets then show it, not the old one
    Dashboard(model.value).key(f"model-{id(model.value)}")
