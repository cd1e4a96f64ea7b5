"""`sim marginal SCENARIO`: what one more block of each resource is worth.

Each block adds one resource to the scenario and nothing else: 100 officers to one posting kind,
one unit of one Frontex kind, or one scanning team at one of the ten busiest crossings. Every
variant runs on the scenario's own seeds, so replicate k of a variant meets the same traffic and
criminals as replicate k of the scenario (common random numbers), and the paired difference with
its 90 % interval (`sim.runs.statistics.paired_difference`) is the block's marginal value.

Visiting contingents follow the scanning teams and Frontex units (`sim/scenario/allocation.py`);
every variant pins them where they stand in the scenario, so a block moves nobody else.

Where a block goes (a stated rule, so a planner can repeat it):
- 100 officers of a posting kind: in whole units at the places the spreading rule weighs most
  (crossings by traffic, sectors by length x pressure; hubs, ports and inland teams in the
  countries with the largest contingents), as explicit postings added to those countries'
  contingents (the rest of the allocation is unchanged);
- one Frontex unit of a kind: at the place of its kind that holds none yet and weighs most
  (thermal vision on the sector of greatest length x pressure, document experts and detection
  kits at the busiest external crossing);
- one scanning team: at each of the ten busiest crossings by vehicles (Schengen internal ones
  excluded: nobody checks there, and a team works under host officers) that has none yet, and
  at each of the ten busiest ports of participating countries that has none yet. The model has
  no traffic count per port (every port sees `port_containers_per_hour`), so ports are ranked by
  the criminal trips expected through them (corridor weight x networks x trips per network of
  the corridors that start, end or stop there, sim/data/corridors.csv), the flows the
  intelligence phase points at.

The base of the table is the scenario with its visiting contingents pinned the same way (the
same units in the same order as every block's), so a block that changes nothing in the model
shows a difference of exactly zero rather than the noise of a reordered allocation.

Besides every outcome of the model, the table holds the harm index and its parts by crime area
(`sim.analysis.harm`), computed from the summaries with the weights given (`--harm FILE`,
default the shipped default); the page shows the harm index and each crime area by the outcome
it is counted in, and says in words when a block gains in one area and loses in another.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.analysis.compare import posterior_rows
from sim.analysis.harm import (
    AREA_OUTCOMES,
    HarmWeights,
    resolve_weights,
    trade_off,
    with_harm,
)
from sim.geography import RouteGraph, load_route_graph
from sim.model.outcomes import HARM_OUTCOME_NAMES
from sim.runs import runner
from sim.runs.layout import write_atomically, write_text
from sim.runs.results import Results
from sim.runs.statistics import INTERVAL, number, paired_difference
from sim.scenario.allocation import (
    AGENCY_MIX,
    PRESSURE_WEIGHT,
    UNIT_SIZE,
    build_units,
    is_visiting,
    largest_remainder,
)
from sim.scenario.files import load_scenario, merge, scenario_from_mapping
from sim.scenario.parameters import POSTING_KINDS
from sim.scenario.schema import Scenario

BLOCK_OFFICERS = 100
BUSIEST = 10
REPORTED = ("harm_index", *AREA_OUTCOMES.values(), "arrests_total", "illegal_entries_detected",
            "movements_intercepted", "cases_opened", "mean_wait_minutes")
# What each kind of resource can change in the model: printed for a block whose every
# interval includes zero, so the table says why an effect may be absent.
MECHANISM = {
    "crossing": "second-line check capacity and staffed lanes at the crossings it joins, and "
                "patrols of the adjoining sectors by officers no bay can use",
    "green_border": "patrol density on the sectors it joins (detection hazard per officer-km)",
    "road_checkpoint": "the share of traffic checked on the road segments of its cities",
    "port": "container and passenger checks at the ports it joins",
    "parcel_centre": "parcels checked at the parcel centres it joins",
    "premises_search": "searches of the country's premises; finds only premises not yet found",
    "cyber_patrol": "online targets examined and leads to firearms networks' premises",
    "coordination": "the centre's relay capacity (messages per coordination officer on duty "
                    "and hour); alerts queue at the centre when the officers on duty are fewer "
                    "than the messages",
    "thermal_vision": "night detection on one sector",
    "document_experts": "forged-document detection at one crossing",
    "detection_kit": "drug finds missed by a manual search at one crossing",
    "scanning_team": "vehicle checks and detection of hidden goods at one crossing",
}


@dataclass(frozen=True)
class Block:
    name: str
    resource: str      # posting kind, Frontex kind or "scanning_team"
    where: str
    scenario: Scenario


def _weighted_places(scenario: Scenario, graph: RouteGraph, kind: str
                     ) -> list[tuple[float, str, str]]:
    """(weight, place, country) of every place a participating country could post `kind` at."""
    from sim.scenario.allocation import places_for

    centre = scenario.europol.coordination_centre.place
    nodes = graph.graph.nodes
    rows = []
    for country, contingent in scenario.countries.items():
        ids, weights = places_for(graph, country, kind, centre)
        for place, weight in zip(ids, weights, strict=True):
            if kind == "green_border":
                weight = nodes[place]["length_km"] * PRESSURE_WEIGHT[nodes[place]["pressure"]]
            elif kind != "crossing":
                weight = float(contingent.officers)
            rows.append((float(weight), place, country))
    return sorted(rows, key=lambda r: (-r[0], r[1], r[2]))


def _pinned(scenario: Scenario, graph: RouteGraph) -> dict:
    """The scenario as a mapping with its visiting contingents written out as the explicit
    postings they get in it, so that a block which adds a scanning team or a Frontex unit
    does not also move the visitors who follow those resources (allocation.py)."""
    data = scenario.model_dump(mode="json")
    pinned: dict[tuple[str, str, str, str], int] = {}
    for unit in build_units(scenario, graph):
        if is_visiting(graph, unit.country):
            key = (unit.country, unit.agency, unit.posting, unit.place)
            pinned[key] = pinned.get(key, 0) + unit.officers
    data["postings"] = data["postings"] + [
        {"country": c, "agency": a, "posting": p, "place": place, "officers": n}
        for (c, a, p, place), n in sorted(pinned.items())]
    return data


def _officer_block(scenario: Scenario, graph: RouteGraph, kind: str) -> Block | None:
    rows, seen = [], set()
    for weight, place, country in _weighted_places(scenario, graph, kind):
        if place not in seen:
            seen.add(place)
            rows.append((weight, place, country))
    if not rows:
        return None
    shifts = 3 if kind in ("crossing", "green_border", "road_checkpoint", "port") else 2
    count = max(1, min(len(rows), BLOCK_OFFICERS // (UNIT_SIZE[kind] * shifts)))
    chosen = rows[:count]
    agency = max(AGENCY_MIX[kind], key=AGENCY_MIX[kind].get)
    data = _pinned(scenario, graph)
    for (_, place, country), officers in zip(
            chosen, largest_remainder(BLOCK_OFFICERS, [1.0] * count), strict=True):
        data["countries"][country]["officers"] += officers
        data["postings"].append({"country": country, "agency": agency, "posting": kind,
                                 "place": place, "officers": officers})
    where = ", ".join(place for _, place, _ in chosen)
    return Block(f"officers_{kind}", kind, where, _scenario(data, f"+100 {kind}"))


def _frontex_block(scenario: Scenario, graph: RouteGraph, kind: str) -> Block | None:
    nodes = graph.graph.nodes
    held = {d.place for d in scenario.frontex if d.kind == kind}
    if kind == "thermal_vision":
        candidates = sorted(
            (-(nodes[p]["length_km"] * PRESSURE_WEIGHT[nodes[p]["pressure"]]), p)
            for p in graph.ids_of_kind("green_border") if p not in held)
    else:
        candidates = sorted((-float(nodes[p]["vehicles_per_day"]), p)
                            for p in graph.ids_of_kind("crossing")
                            if nodes[p]["border_status"] == "eu_external" and p not in held)
    if not candidates:
        return None
    place = candidates[0][1]
    data = _pinned(scenario, graph)
    data["frontex"].append({"kind": kind, "place": place, "count": 1})
    return Block(f"frontex_{kind}", kind, place, _scenario(data, f"+1 {kind}"))


def _port_weights(scenario: Scenario, graph: RouteGraph) -> dict[str, float]:
    """Expected criminal trips a week through each port: the corridors that start, end or stop
    there, by corridor weight x networks x trips per network of the crime area."""
    parameters = scenario.parameters
    weights = {p: 0.0 for p in graph.ids_of_kind("port")}
    for row in graph.corridors.itertuples():
        via = row.via if isinstance(row.via, str) else ""
        trips = (float(row.weight) * parameters.networks[row.crime_area]
                 * parameters.movements_per_network[row.crime_area])
        for place in {row.origin, row.destination, *via.split(";")} & weights.keys():
            weights[place] += trips
    return weights


def _scanning_blocks(scenario: Scenario, graph: RouteGraph) -> list[Block]:
    nodes = graph.graph.nodes
    held = {t.place for t in scenario.scanning_teams.teams}
    busiest = sorted((-float(nodes[p]["vehicles_per_day"]), p)
                     for p in graph.ids_of_kind("crossing")
                     if nodes[p]["border_status"] != "schengen_internal" and p not in held)
    ports = sorted((-weight, p) for p, weight in _port_weights(scenario, graph).items()
                   if weight > 0 and p not in held and nodes[p]["country"] in scenario.countries)
    blocks = []
    for _, place in busiest[:BUSIEST] + ports[:BUSIEST]:
        data = _pinned(scenario, graph)
        data["scanning_teams"]["teams"].append({"place": place, "country": "NL",
                                                "hours": [6, 22]})
        blocks.append(Block(f"scanning_team_{place}", "scanning_team", place,
                            _scenario(data, f"+1 scanning team at {place}")))
    return blocks


def _scenario(data: dict, label: str) -> Scenario:
    data = merge(data, {"name": f"{data['name']}_{label.replace(' ', '_').replace('+', 'plus')}"})
    return scenario_from_mapping(data, label=label)


def blocks(scenario: Scenario, graph: RouteGraph | None = None) -> list[Block]:
    """Every block of the marginal-value table for `scenario`, in a fixed order."""
    graph = graph or load_route_graph()
    found = [_officer_block(scenario, graph, kind) for kind in POSTING_KINDS]
    found += [_frontex_block(scenario, graph, kind)
              for kind in ("thermal_vision", "document_experts", "detection_kit")]
    return [b for b in found if b is not None] + _scanning_blocks(scenario, graph)


def marginal_table(base: pd.DataFrame, variants: dict[str, pd.DataFrame],
                   outcomes: tuple[str, ...], harm: HarmWeights | None = None) -> pd.DataFrame:
    """One row per block and outcome: the paired difference's mean and 90 % interval. With
    `harm` weights, also the harm index and its parts by crime area, computed from the
    summaries (`harm_weights` names the weights on their rows)."""
    if harm is not None:
        base = with_harm(base, harm)
        variants = {name: with_harm(summary, harm) for name, summary in variants.items()}
        outcomes = (*outcomes, *HARM_OUTCOME_NAMES)
    rows = []
    for name, summary in variants.items():
        for outcome in outcomes:
            diff = paired_difference(base.set_index("replicate")[outcome],
                                     summary.set_index("replicate")[outcome])
            rows.append({"block": name, "outcome": outcome, "mean": diff.mean,
                         "ci_low": diff.mean_ci_low, "ci_high": diff.mean_ci_high,
                         "replicates": diff.replicates,
                         "harm_weights": (harm.describe() if harm is not None
                                          and outcome in HARM_OUTCOME_NAMES else "")})
    return pd.DataFrame(rows)


def member_table(base: Results, variants: dict[str, Results], outcomes: tuple[str, ...],
                 harm: HarmWeights, level: float = INTERVAL) -> pd.DataFrame:
    """The table of `marginal_table` for runs over ensemble members (every block over the
    same members and seeds as the base): `mean` is the mean over members of the paired
    difference, `ci_low`-`ci_high` the central `level` share of the per-member differences
    (what the block is worth across the assumptions, with the luck of each member's week),
    `robustness` the share of members agreeing with the mean's sign and `deciding` the
    assumption that explains most of the spread (sim/analysis/compare.py, `posterior_rows`)."""
    def harmed(results: Results) -> Results:
        return results.replaced(summary=with_harm(results.summary, harm))

    base, outcomes = harmed(base), (*outcomes, *HARM_OUTCOME_NAMES)
    rows = []
    for name, results in variants.items():
        for row in posterior_rows(base, harmed(results), level=level, outcomes=outcomes):
            rows.append({"block": name, "outcome": row["outcome"], "mean": row["difference"],
                         "ci_low": row["ci_low"], "ci_high": row["ci_high"],
                         "replicates": row["n"], "members": row["draws"],
                         "robustness": row["robustness"], "deciding": row["deciding"],
                         "deciding_share": row["deciding_share"],
                         "deciding_low": row["deciding_low"],
                         "deciding_high": row["deciding_high"],
                         "harm_weights": (harm.describe() if row["outcome"]
                                          in HARM_OUTCOME_NAMES else "")})
    return pd.DataFrame(rows)


def run_marginal(scenario_file: Path, out: Path, *, replicates: int, seed: int | None,
                 workers: int | None, progress: bool, force: bool, command: str,
                 resume: bool = False, harm: HarmWeights | str | Path | None = None,
                 ensemble: int | None = None, ensemble_file: Path | None = None
                 ) -> tuple[list[Block], pd.DataFrame, Scenario]:
    """Every block against the pinned scenario on common seeds (with `ensemble=N`, over the
    first N members of `ensemble_file`, default scenarios/ensemble.csv, × `replicates`)."""
    scenario = runner.resolve_scenario(load_scenario(scenario_file), replicates=replicates,
                                       seed=seed, workers=workers)
    found = blocks(scenario)
    base_scenario = runner.resolve_scenario(
        _scenario(_pinned(scenario, load_route_graph()), "pinned"), replicates=replicates,
        seed=scenario.run.seed, workers=workers)
    runs = [(base_scenario, out / "base")] + [
        (runner.resolve_scenario(b.scenario, replicates=replicates,
                                 seed=scenario.run.seed, workers=workers), out / b.name)
        for b in found]
    results = runner.run_many(runs, progress=progress, force=force, resume=resume,
                              command=command, label="marginal", ensemble=ensemble,
                              ensemble_file=ensemble_file)
    base, *others = results
    outcomes = tuple(o for o in base.summary.columns if o in _all_outcomes())
    if ensemble:
        table = member_table(base, {b.name: r for b, r in zip(found, others, strict=True)},
                             outcomes, resolve_weights(harm))
    else:
        table = marginal_table(base.summary, {b.name: r.summary for b, r in
                                              zip(found, others, strict=True)},
                               outcomes, resolve_weights(harm))
    write_atomically(out / "marginal.csv", lambda path: table.to_csv(path, index=False))
    listed = pd.DataFrame([{"block": b.name, "resource": b.resource, "where": b.where}
                           for b in found])
    write_atomically(out / "blocks.csv", lambda path: listed.to_csv(path, index=False))
    return found, table, scenario


FEW_MEMBERS_MOVE = 3  # members moving with the mean below which no assumption is named


def deciding_lines(found: list[Block], table: pd.DataFrame) -> list[str]:
    """Over ensemble members: per block, how robust its harm gain is and which assumption
    decides it (the share of the spread it explains, the gain at its low and high ends)."""
    lines = ["", "## What decides each block's value", "",
             "Over the members, per block: the share of members in which the harm index moves "
             "the way its mean does, and the assumption that explains most of the spread of the "
             "per-member gain (`sim/analysis/deciding.py`), with the gain at the low and high "
             "ends of that assumption's range. Where fewer than "
             f"{FEW_MEMBERS_MOVE} members move the way the mean does, the spread is those few "
             "members' luck and no assumption is named.", "",
             "| block | harm index | robustness | deciding assumption | share | low end | "
             "high end |", "|---|---|---:|---|---:|---:|---:|"]
    rows = table[table["outcome"] == "harm_index"].set_index("block")
    for block in found:
        if block.name not in rows.index:
            continue
        row = rows.loc[block.name]
        moved = row["robustness"] * row["members"] if "members" in row else math.nan
        decided = (isinstance(row["deciding"], str) and bool(row["deciding"])
                   and not moved < FEW_MEMBERS_MOVE - 1e-9)
        lines.append("| " + " | ".join([
            block.name, _cell(row),
            "–" if row["robustness"] != row["robustness"] else f"{row['robustness']:.0%}",
            f"`{row['deciding']}`" if decided else "–",
            f"{row['deciding_share']:.0%}" if decided else "–",
            _signed(row["deciding_low"]) if decided else "–",
            _signed(row["deciding_high"]) if decided else "–"]) + " |")
    return lines


def _all_outcomes() -> tuple[str, ...]:
    from sim.model.outcomes import OUTCOME_NAMES

    return OUTCOME_NAMES


ACCOUNTING = ("officers_deployed", "officer_hours", "legitimate_vehicles")


def _weights(table: pd.DataFrame) -> str:
    named = ([w for w in dict.fromkeys(table["harm_weights"]) if w]
             if "harm_weights" in table else [])
    return "; ".join(named) if named else "none (the harm index was not computed)"


def _cell(row: pd.Series) -> str:
    return (f"{_signed(row['mean'])} ({_signed(row['ci_low'])} to {_signed(row['ci_high'])})")


def _signed(value: float) -> str:
    text = number(value)
    return text if text.startswith("-") or text in ("0", "0.0", "–") else f"+{text}"


def traded(table: pd.DataFrame, block: str) -> str | None:
    """In words, when a block gains in one crime area and loses in another."""
    rows = table[table["block"] == block]
    return trade_off({row.outcome: (row.ci_low, row.ci_high) for row in rows.itertuples()})


def effects(table: pd.DataFrame) -> dict[str, list[str]]:
    """Outcomes whose 90 % interval excludes zero, by block (accounting outcomes left out)."""
    found: dict[str, list[str]] = {}
    for row in table.itertuples():
        if row.outcome in ACCOUNTING:
            continue
        if row.ci_low > 0 or row.ci_high < 0:
            found.setdefault(row.block, []).append(row.outcome)
    return found


def why_not(block: Block, base: pd.DataFrame, daily: pd.DataFrame | None,
            members: int = 0) -> str:
    """Why a block shows no effect, from what the scenario's own runs measured: whether the
    resource is the bottleneck of what it acts on (over `members` ensemble members, the
    interval is the members' spread, which more replicates do not narrow)."""
    runs = len(base)
    if block.resource == "coordination" and "centre_messages_relayed" in base:
        messages = base["centre_messages_relayed"].mean()
        wait = base["centre_wait_hours"].mean()
        return (f"the coordination officers are not the bottleneck in this scenario: the centre "
                f"relayed {number(messages)} messages in the action (mean of {runs} runs), "
                f"a message waited {number(wait)} h on average for an officer on duty, and that "
                "wait is the night hours when no coordination officer is on duty (shift profile "
                "`coordination`); more officers on the day shifts add capacity no message waits "
                "for. With fewer officers the queue grows (tests/model/test_relay.py: a centre "
                "without coordination officers relays fewer alerts)")
    if block.resource in ("document_experts", "detection_kit", "scanning_team") and (
            daily is not None and "movements_intercepted" in daily):
        stopped = daily.loc[daily["place"] == block.where, "movements_intercepted"].sum() / runs
        what = {"document_experts": "the forged documents of the criminal vehicles picked for "
                                    "a check there",
                "detection_kit": "the hidden goods of the criminal vehicles picked for a "
                                 "check there",
                "scanning_team": "the vehicles checked there"}[block.resource]
        return (f"{MECHANISM[block.resource]}, so it acts only on {what}: the scenario "
                f"stopped {number(stopped)} criminal movements a week at {block.where} (mean of "
                f"{runs} runs); few criminal trips are checked there, so the gain is "
                "smaller than the interval's half-width")
    if members:
        return (f"the block acts through {MECHANISM[block.resource]}; its gain is smaller "
                "than the spread of the per-member differences (the members' assumptions and "
                "weeks), so it is not told from zero in most members")
    return (f"the block acts through {MECHANISM[block.resource]}; an effect smaller than the "
            "interval's half-width needs more replicates (`--replicates`)")


def write_doc(path: Path, found: list[Block], table: pd.DataFrame, base: pd.DataFrame,
              scenario: Scenario, command: str, daily: pd.DataFrame | None = None) -> None:
    """docs/marginal_value.md: the table, which blocks show an effect, and why some do not."""
    seen = effects(table)
    replicates = int(table["replicates"].min()) if len(table) else 0
    members = int(table["members"].min()) if "members" in table and len(table) else 0
    runs = (f"{members} ensemble members × {replicates // max(members, 1)} replicate"
            f"{'s' * (replicates // max(members, 1) > 1)}" if members
            else f"{replicates} paired replicates")
    cell = (f"the mean over the members of the paired difference from the scenario, with the "
            f"central {INTERVAL:.0%} of the per-member differences (what the block is worth "
            "across the assumptions the ensemble leaves open, with each member's week)"
            if members else f"the mean paired difference from the scenario over its "
            f"replicates, with the {INTERVAL:.0%} confidence interval of that mean")
    lines = [
        "# Marginal value of each resource",
        "",
        f"Generated by `{command}` ({runs} of `{scenario.name}`, "
        f"seed {scenario.run.seed}; {len(found)} blocks). Do not edit by hand: rerun the command.",
        "",
        "Each block adds one resource to the scenario and nothing else (`sim/decisions/"
        f"marginal.py` states where each block goes). A cell is {cell}; `marginal.csv` in the "
        "results folder holds every outcome.",
        "",
        "The harm index leads, then each crime area by the outcome it is counted in (migrants "
        "stopped, drugs seized, weapons, victims identified, arrests in high-risk networks, "
        "forged documents); harm weights: "
        + _weights(table) + ".",
        "",
        "| block | where | " + " | ".join(REPORTED) + " |",
        "|---|---|" + "---|" * len(REPORTED),
    ]
    cells = table.set_index(["block", "outcome"])
    for block in found:
        row = [block.name, block.where.replace(", ", " ")]
        row += [_cell(cells.loc[(block.name, o)]) if (block.name, o) in cells.index else "–"
                for o in REPORTED]
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "## Which blocks show an effect", "",
              "Outcomes whose interval excludes zero (accounting outcomes such as officer-hours "
              "left out):", ""]
    for block in found:
        names = seen.get(block.name)
        trade = traded(table, block.name)
        lines.append(f"- `{block.name}`: " + (", ".join(names) if names else
                     (f"none across {members} members" if members
                      else f"none at {replicates} replicates")
                     + f": {why_not(block, base, daily, members)}")
                     + (f"; it trades one crime area for another: {trade}" if trade else ""))
    if members:
        lines += deciding_lines(found, table)
    kinds = sorted({b.resource for b in found})
    silent = [k for k in kinds if not any(seen.get(b.name) for b in found if b.resource == k)]
    lines += ["", "Every resource kind shows an effect on at least one outcome"
              + (" except " + ", ".join(f"`{k}`" for k in silent) + "; why not is stated "
                 "in its row above." if silent else "."), ""]
    attempted = base["movements_attempted"].mean()
    intercepted = base["movements_intercepted"].mean()
    lines += [
        "## Share of criminal movements intercepted", "",
        f"In the scenario {number(intercepted)} of {number(attempted)} criminal movements "
        f"that set off were stopped ({intercepted / attempted:.0%}, mean of {len(base)} "
        "runs). Why a share of this order is plausible for the action week, and what "
        "it rests on:",
        "",
        "- The numerator is pinned by the published results: 2,229 illegal entries in groups "
        "of about nine (`migrant_group_mean`) are some 250 groups, met on the green border and "
        "hidden in vehicles at crossings, and 566 arrests, mostly of crews caught with their "
        "loads, add the drug, firearms and trafficking trips.",
        "- The denominator, the trips attempted, is not published anywhere; it is the "
        "calibrated volume of crime (networks x trips per network, `docs/calibration.md`). "
        "The share is therefore a model result, not an observation: with twice the attempted "
        "trips and the same finds it would halve.",
        "- It is an action week, not an ordinary one: 22,488 officers concentrated on the known "
        "corridors with the intelligence phase's targets. Frontex counted about 1,300 "
        "detections on the whole Western Balkan route in November 2023 "
        "(`/shared/reference/outside_data.md`), while the action detected 2,229 entries in six "
        "days; a week in which a large part of the attempted trips is stopped is consistent "
        "with that uplift. Networks that watch the checks route and time their trips around "
        "them (`sim/model/perception.py`), which keeps the share from approaching one.",
        "",
    ]
    write_text(path, "\n".join(lines))




