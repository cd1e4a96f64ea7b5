"""Every contingent has a use: visiting officers serve with their scanning teams and in joint
patrols where Frontex works, and agencies differ where it matters (customs on goods, border
police on documents)."""

from __future__ import annotations

import pytest
from strategies import ROUTE_GRAPH, SMALL, run_model, small_scenario

from sim.model import BASELINE
from sim.scenario.allocation import build_units, is_visiting
from sim.scenario.files import load_scenario
from sim.scenario.schema import DEFAULT_SHARES

SEEDS = (1, 2, 3, 4)
PLACE = "evzonoi"


def test_visiting_contingents_serve_with_their_teams_and_in_joint_patrols():
    scenario = load_scenario(BASELINE)
    units = build_units(scenario, ROUTE_GRAPH)
    teams = {t.place for t in scenario.scanning_teams.teams}
    frontex = {d.place for d in scenario.frontex}
    visitors = [c for c in scenario.countries if is_visiting(ROUTE_GRAPH, c)]
    assert {"NL", "DE", "FR", "ES", "AT"} <= set(visitors)
    assert not is_visiting(ROUTE_GRAPH, "GR") and not is_visiting(ROUTE_GRAPH, "IT")
    centre = scenario.europol.coordination_centre.place
    for unit in units:
        if unit.country == "NL":
            assert unit.place in teams | {centre} and unit.posting in ("crossing",
                                                                       "coordination")
        elif unit.country in visitors:
            assert unit.place in frontex | {centre}, unit
    for code in visitors:  # nobody stays at home
        assert sum(u.officers for u in units if u.country == code) == \
            scenario.countries[code].officers


def _staffed_by(agency: str):
    shares = dict(DEFAULT_SHARES)
    shares["road_checkpoint"] += shares["crossing"]
    shares["crossing"] = 0.0
    countries = {code: {"officers": c["officers"]} for code, c in SMALL["countries"].items()}
    countries["GR"]["shares"] = shares
    return small_scenario(  # no scanner, and networks that do not see the checks
        action={"days": 3}, countries=countries, criminal={"networks_scale": 1.0},
        scanning_teams={"teams": []}, parameters={"check_awareness": 0.0},
        postings=[{"country": "GR", "agency": agency, "posting": "crossing", "place": PLACE,
                   "officers": 600}])


def test_customs_find_more_goods_and_border_police_more_forged_documents_paired():
    customs = [run_model(_staffed_by("customs"), seed) for seed in SEEDS]
    border = [run_model(_staffed_by("border_police"), seed) for seed in SEEDS]
    interceptions = {
        name: sum(1 for m in models for e in m.events if e["kind"] == "interception"
                  and e["place"] == PLACE and e["equipment"] in ("manual", "scanner",
                                                                 "detection_kit"))
        for name, models in (("customs", customs), ("border", border))}
    documents = {
        name: sum(1 for m in models for e in m.events if e["kind"] == "interception"
                  and e["place"] == PLACE and e["equipment"].startswith("document"))
        for name, models in (("customs", customs), ("border", border))}
    assert interceptions["customs"] > interceptions["border"], interceptions
    assert documents["border"] >= documents["customs"], documents


def test_a_posting_without_a_place_is_spread_like_the_shares():
    from sim.model import resolve_scenario
    from sim.scenario.files import ScenarioError

    posting = {"country": "BG", "agency": "customs", "posting": "crossing", "officers": 3000}
    scenario = resolve_scenario(BASELINE, {"postings": [posting]})
    placed: dict[str, int] = {}
    for unit in build_units(scenario, ROUTE_GRAPH):
        if unit.country == "BG" and unit.agency == "customs" and unit.posting == "crossing":
            placed[unit.place] = placed.get(unit.place, 0) + unit.officers
    busiest = max(placed, key=placed.get)
    traffic = ROUTE_GRAPH.traffic.groupby("place_id")["vehicles_per_day"].sum()
    most_traffic = max((p for p in placed), key=lambda p: traffic.get(p, 0))
    assert len(placed) > 3 and busiest == most_traffic, placed
    # nowhere to spread them: named, not a crash
    with pytest.raises(ScenarioError, match="MK has no port place"):
        resolve_scenario(BASELINE, {"postings": [{**posting, "posting": "port", "country": "MK",
                                                  "officers": 10}]})
