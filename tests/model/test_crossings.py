"""Border crossings as officer-time budgets: allocation responses by paired replicates (common
random numbers), the refusals of equipment that would do nothing, and the queues' behaviour."""

import numpy as np
import pytest
from strategies import ROUTE_GRAPH, T_PAIRED, baseline, paired_t, place_total, run_model

from sim.model import JointActionModel
from sim.scenario.files import ScenarioError

REPLICATES = 30
DAYS = 2





def sides(model: JointActionModel, place: str) -> list[int]:
    """The two side indices of a crossing (sim/model/sides.py)."""
    i = model.crossing_state.index[place]
    return [2 * i, 2 * i + 1]


def _units(scenario):
    from sim.scenario.allocation import build_units

    return build_units(scenario, ROUTE_GRAPH)


def test_spare_crossing_officers_patrol_the_adjoining_sector_and_detect_there():
    """With `crossing_surplus_patrol` 1 (the default) against 0, same seeds: the officers no
    booth, bay or approach place can use patrol the sector of the same border (in the baseline
    mostly Turkey's side of Kapitan Andreevo, on the BG–TR sector), so the baseline's idle
    crossing time stays at most a tenth of crossing time (what is left stands at crossings
    with no modelled sector on their border), the sector's detection chance of a group rises
    and it detects no fewer groups, and the crossings' checks and queues are exactly what
    they were. (The BG–TR sector's own patrol is dense, past patrol_saturation_officers_per_km:
    the crossing officers add little to what it detects.) Networks neither watch the checks nor
    react here: a watching network sees the patrolling officers and moves its groups off the
    sector (the next test), so with them the sector's own count can fall while the route's
    detections do not."""
    from sim.model.mechanisms import sector_detection

    assert ROUTE_GRAPH.graph.nodes["gb_bg_tr"]["country_b"] == "TR"
    blind = {"check_awareness": 0.0, "adaptivity": 0.0}
    kept = baseline(action={"days": DAYS},
                    parameters={"crossing_surplus_patrol": 0.0, **blind})
    sent = baseline(action={"days": DAYS}, parameters=blind)
    detected, idle = [], []
    for seed in range(REPLICATES):
        before, after = run_model(kept, seed), run_model(sent, seed)
        totals = after.outcomes()
        idle.append(totals["officer_hours_idle_crossing"] / totals["officer_hours_crossing"])
        assert np.array_equal(after.crossing_state.wait_table, before.crossing_state.wait_table)
        assert before.outcomes()["officer_hours_crossing_patrol"] == 0
        detected.append(place_total(after, "illegal_entries_detected", "gb_bg_tr")
                        - place_total(before, "illegal_entries_detected", "gb_bg_tr"))
    assert max(idle) <= 0.10
    assert np.sum(detected) >= 0
    model = JointActionModel(sent, rng=0, route_graph=ROUTE_GRAPH)
    sector = model.place_index["gb_bg_tr"]
    model.crossing_state.expected_shares()  # (a model reusing a staffing's tables skips it)
    hour = int(np.argmax(model.crossing_state.expected_patrol[sector]))
    own = model.on_duty["green_border"][sector, hour]
    patrol = model.crossing_state.expected_patrol[sector, hour]
    assert patrol > 0
    length = model.sectors["gb_bg_tr"].length_km
    assert sector_detection(model.parameters, own + patrol, length, 0, True) > sector_detection(
        model.parameters, own, length, 0, True)


def test_networks_watching_a_sector_see_the_crossing_officers_on_patrol():
    """The pressure a watching network sees on the BG–TR sector includes the crossing officers
    who patrol it: higher with `crossing_surplus_patrol` 1 than 0."""
    seen = [JointActionModel(baseline(action={"days": 1},
                                      parameters={"crossing_surplus_patrol": share}),
                             rng=0, route_graph=ROUTE_GRAPH).check_pressure.visible["gb_bg_tr"]
            for share in (0.0, 1.0)]
    assert seen[1] > seen[0] > 0


def test_a_crossing_adjoins_the_modelled_sector_of_its_own_border_or_none():
    state = JointActionModel(rng=0, route_graph=ROUTE_GRAPH, action__days=1).crossing_state
    ids = list(ROUTE_GRAPH.graph.nodes)
    adjoining = {c: (ids[s] if s >= 0 else None)
                 for c, s in zip(state.index, state.sector_of[::2], strict=True)}
    assert (state.sector_of[::2] == state.sector_of[1::2]).all()  # both sides, one sector
    assert adjoining["kapitan_andreevo"] == adjoining["lesovo"] == "gb_bg_tr"
    assert adjoining["kipoi"] == adjoining["kastanies"] == "gb_evros"
    assert adjoining["evzonoi"] == "gb_gr_mk" and adjoining["tabanovce"] == "gb_mk_rs"
    assert adjoining["promachonas"] is None  # GR–BG: no modelled sector


def test_a_second_detection_kit_adds_less_than_the_first():
    """One, two Frontex detection kits at Kapitan Andreevo (same seeds): the second adds a
    paired-significant number of movements stopped there, and less than the first (the kits
    serve 1 - exp(-capacity / checks) of the checks). Fixture: three times the criminal flow and
    networks that do not react, so that the unit's effect is not drowned by reactions."""
    place = "kapitan_andreevo"
    base = baseline()
    others = [d.model_dump(mode="json") for d in base.frontex
              if (d.kind, d.place) != ("detection_kit", place)]
    scenarios = [baseline(criminal={"flow_scale": 3.0},
                          parameters={"adaptivity": 0.0}, frontex=others + (
                              [{"kind": "detection_kit", "place": place, "count": n}] if n
                              else [])) for n in (0, 1, 2)]
    totals = np.array([[place_total(run_model(s, seed), "movements_intercepted", place)
                        for s in scenarios] for seed in range(REPLICATES)])
    first, second = totals[:, 1] - totals[:, 0], totals[:, 2] - totals[:, 1]
    assert paired_t(first) > T_PAIRED and paired_t(second) > T_PAIRED
    assert (totals[:, 2] - totals[:, 0]).mean() < 2 * first.mean()


def _one_two_three(kind: str, place: str, days: int = DAYS, **changes) -> np.ndarray:
    """Replicates (rows) x 0, 1, 2 units of a Frontex kind at a place (columns), same seeds:
    the place's outcome totals for the kind."""
    outcome = {"thermal_vision": "illegal_entries_detected",
               "document_experts": "forged_documents"}[kind]
    others = [d.model_dump(mode="json") for d in baseline().frontex
              if (d.kind, d.place) != (kind, place)]
    scenarios = [baseline(action={"days": days}, frontex=others + (
        [{"kind": kind, "place": place, "count": n}] if n else []), **changes)
        for n in (0, 1, 2)]
    return np.array([[place_total(run_model(s, seed), outcome, place) for s in scenarios]
                     for seed in range(REPLICATES)])


def test_a_second_thermal_vision_unit_adds_less_than_the_first():
    """One, two Frontex thermal-vision units on the North Macedonia–Serbia green border (115 km;
    same seeds): the second adds a paired-significant number of entries detected there, and
    less than the first, because the first already watches half of the sector. Fixture: units
    that watch 60 km each, three times the criminal flow and networks that do not react, so
    that the effect shows over the six days, and networks that do not watch the patrols (a
    watching network that sees thermal cameras avoids the sector, so fewer groups cross it)."""
    totals = _one_two_three("thermal_vision", "gb_mk_rs", days=6, criminal={"flow_scale": 3.0},
                            parameters={"adaptivity": 0.0, "check_awareness": 0.0,
                                        "thermal_vision_km": 60.0})
    first, second = totals[:, 1] - totals[:, 0], totals[:, 2] - totals[:, 1]
    assert paired_t(first) > T_PAIRED and paired_t(second) > T_PAIRED
    assert (totals[:, 2] - totals[:, 0]).mean() < 2 * first.mean()


def test_a_second_document_expert_adds_less_than_the_first():
    """One, two Frontex document-expert units at Kapitan Andreevo (same seeds): the second adds a
    paired-significant number of forged documents detected there, and less than the first
    (each examines document_expert_documents_per_hour of the documents of the persons checked:
    1 - exp(-capacity / documents) of them). Fixture: every movement carries forged documents,
    three times the criminal flow, networks that neither react nor watch the checks (watching
    ones route around the crossing: fewer trips pass it and the paired differences scatter),
    experts who examine a document a minute, so that the effect shows in two days, and the
    referral share at the middle of its plausible range, not a fitted value (at its low end,
    0.05, the persons checked are so few that the first expert sees nearly all their
    documents and a second adds nothing)."""
    totals = _one_two_three(
        "document_experts", "kapitan_andreevo", criminal={"flow_scale": 3.0},
        parameters={"adaptivity": 0.0, "check_awareness": 0.0,
                    "second_line_referral_share": 0.15,
                    "document_expert_documents_per_hour": 60.0,
                    "forged_documents_share": dict.fromkeys(
                        ("migrant_smuggling", "drug_trafficking", "firearms_trafficking", "thb",
                         "high_risk_networks"), 1.0)})
    first, second = totals[:, 1] - totals[:, 0], totals[:, 2] - totals[:, 1]
    assert paired_t(first) > T_PAIRED and paired_t(second) > T_PAIRED
    assert (totals[:, 2] - totals[:, 0]).mean() < 2 * first.mean()


def test_more_intensified_checks_lengthen_the_lorry_queue_at_the_busiest_crossing():
    """Same officers, same traffic: a larger second line checks more lorries at Kapitan Andreevo
    and the lorries entering Bulgaria there wait longer (referred lorries hold the booths)."""
    few, many = (JointActionModel(rng=3, route_graph=ROUTE_GRAPH, action__days=DAYS,
                                  parameters__second_line_share=share).run()
                 for share in (0.05, 1.0))
    i = sides(few, "kapitan_andreevo")[0]
    assert (many.crossing_state.arrivals == few.crossing_state.arrivals).all()
    assert place_total(many, "checks_vehicles", "kapitan_andreevo") > place_total(
        few, "checks_vehicles", "kapitan_andreevo")
    lorry_wait = [m.crossing_state.wait_table[:, i, 2].max() for m in (few, many)]
    assert lorry_wait[1] > lorry_wait[0]


def test_lorries_wait_hours_at_the_busiest_bg_tr_and_gr_mk_crossings_and_cars_less():
    """Kapitan Andreevo (BG–TR) and Evzoni (GR–MK), the baseline week (5 replicates): the
    longest lorry wait reaches hours, and cars wait less than lorries on average.

    Sources (../shared/reference/outside_data.md): the Bulgarian border police report lorry
    queues of 5, 7, 8 and 18 km at Kapitan Andreevo in busy periods (novinite.com,
    infobalkans.com, 2017) and 3,066 lorries in 24 h with a queue of over 15 km
    (btvnovinite.bg); at 50–60 lorries a km and about 1,600 lorries a day in one direction
    (67 an hour), a 5 km queue is about 3.75 h of waiting (arithmetic). For Evzoni/Bogorodica
    the published waits are of cars at holiday peaks (one to two hours on the Greek side,
    about ten minutes on the North Macedonian side by the Bogorodica border police duty
    service: nezavisen.mk, novamakedonija.com.mk); no border-police figure for lorries on
    ordinary days was found, so the check there is the summary of the outside data: lorries
    wait hours at the busiest crossings, cars tens of minutes. Kapitan Andreevo must reach
    the order of the border police's busy-period queues, three hours (a queue of about 4 km;
    the reports start at 5 km, 3.75 h), Evzoni two hours. A lorry's wait is the exit booths of
    the side it leaves, the entry booths of the side it enters and its own check if picked;
    the longest is that of the busier direction."""
    from sim.runs.replicate import crossing_waits_table

    tables = [crossing_waits_table(run_model(baseline(), seed)) for seed in range(5)]
    for place, hours in (("kapitan_andreevo", 3.0), ("evzonoi", 2.0)):
        longest, cars, lorries = [], [], []
        for table in tables:
            rows = table[table["place"] == place]
            lorry, car = (rows[rows["vehicle_class"] == k] for k in ("lorry", "car"))
            longest.append(lorry["wait_minutes"].max())
            lorries.append(np.average(lorry["wait_minutes"], weights=lorry["arrivals"]))
            cars.append(np.average(car["wait_minutes"], weights=car["arrivals"]))
        assert np.mean(longest) >= 60 * hours, (place, longest)
        assert np.mean(cars) < np.mean(lorries), (place, cars, lorries)


def test_queues_build_by_day_and_drain_by_night():
    """Lorries towards Turkey at Kapitan Andreevo (Bulgaria's exit booths and Turkey's entry
    booths) pile up by day and the night clears most of them."""
    model = JointActionModel(rng=4, route_graph=ROUTE_GRAPH, action__days=DAYS)
    state = model.crossing_state
    bulgaria, turkey = sides(model, "kapitan_andreevo")
    queue = []
    for _ in range(model.hours):
        model.step()
        queue.append(state.number[bulgaria, 1, 2] + state.number[turkey, 0, 2])
    queue = np.array(queue)
    assert queue.max() > 100  # lorries pile up at the day's peak
    assert queue[:6].max() < queue.max() / 4  # and the night clears most of them
    summary = model.crossing_state.wait_summary()
    assert summary["mean_wait_minutes_cars"] < summary["mean_wait_minutes_lorries"]


def test_no_officer_hour_vanishes_at_the_crossings():
    model = JointActionModel(rng=5, route_graph=ROUTE_GRAPH, action__days=1,
                             check_invariants=True).run()
    outcomes = model.outcomes()
    assert 0 < outcomes["officer_hours_idle_crossing"] < outcomes["officer_hours_crossing"]


def test_shift_profile_moves_officers_to_busy_hours_and_keeps_their_hours():
    flat = JointActionModel(rng=1, route_graph=ROUTE_GRAPH, action__days=1,
                            shifts={"crossing": "units"})
    fitted = JointActionModel(rng=1, route_graph=ROUTE_GRAPH, action__days=1)
    for model in (flat, fitted):
        model.on_duty_crossing = model.on_duty["crossing"].sum(axis=0)
    assert fitted.on_duty["crossing"].sum() == pytest.approx(flat.on_duty["crossing"].sum())
    assert fitted.on_duty_crossing[12] > flat.on_duty_crossing[12]
    assert fitted.on_duty_crossing[3] < flat.on_duty_crossing[3]


def test_naming_one_kinds_shift_profile_leaves_the_crossings_on_theirs():
    scenario = baseline(shifts={"green_border": "traffic"})
    assert scenario.shifts == {"crossing": "traffic", "green_border": "traffic"}
    assert baseline(shifts={"crossing": "units"}).shifts == {"crossing": "units"}


def test_a_profile_that_needs_more_officers_than_there_are_is_refused():
    with pytest.raises(ScenarioError, match="no hour can hold more than all of them"):
        baseline(shifts={"crossing": [1.0] + [0.0] * 23})


@pytest.mark.parametrize(("changes", "message"), [
    ({"scanning_teams": {"teams": [{"place": "bregana", "hours": [6, 22]}]}},
     "scanning team at 'bregana' would scan nothing.*Schengen internal"),
    ({"frontex": [{"kind": "document_experts", "place": "hegyeshalom", "count": 1}]},
     "document_experts at 'hegyeshalom' would work with nobody"),
    ({"frontex": [{"kind": "thermal_vision", "place": "gb_mk_rs", "count": 13}]},
     "13 thermal-vision units at 'gb_mk_rs'.*at most 12 can be used"),
    ({"countries": {"NL": {"officers": 0}}}, "scanning team of NL has no crew"),
    ({"scanning_teams": {"teams": [{"place": "kakavia", "days": [1, 1, 2]}]}},
     "day 1 is listed more than once"),
])
def test_equipment_that_would_do_nothing_is_refused(changes, message):
    with pytest.raises(ScenarioError, match=message):
        baseline(**changes)


def test_a_scanning_team_at_a_port_scans_containers():
    scenario = baseline(action={"days": 1}, scanning_teams={"teams": [
        {"place": "port_durres", "hours": [0, 24]}]})
    model = JointActionModel(scenario, rng=2, route_graph=ROUTE_GRAPH)
    index = model.place_index["port_durres"]
    scanned = []
    for _ in range(model.hours):
        model.step()
        scanned.append(model.post_state.port_scanned[index])
    assert max(scanned) > 0


def test_the_wait_table_has_every_hour_crossing_side_and_class():
    """One row per hour, crossing side and class; a row's wait is its exit and entry parts
    plus the checked share's own checks, and the busy hours wait longer than the night."""
    from sim.runs.replicate import crossing_waits_table

    model = JointActionModel(rng=6, route_graph=ROUTE_GRAPH, action__days=1).run()
    table = crossing_waits_table(model)
    assert len(table) == 24 * len(model.crossings) * 2 * 3
    ka = table[table["place"] == "kapitan_andreevo"]
    assert set(ka["side"]) == {"BG", "TR"}
    lorries = ka[(ka["vehicle_class"] == "lorry") & (ka["side"] == "BG")]
    assert lorries["wait_minutes"].max() > lorries["wait_minutes"].iloc[:6].max()
    np.testing.assert_allclose(table["wait_minutes"], table["entry_wait_minutes"]
                               + table["exit_wait_minutes"], atol=1e-9)
    assert table["checked_share"].between(0, 1).all()


def test_scanner_time_left_never_floors_to_minus_one_vehicle():
    """A scanner team whose minutes just run out on the checked vehicles has, up to rounding,
    no time left; the unchecked vehicles it scans are never fewer than zero (a rounding error
    below zero once floored to minus one vehicle and made the persons checked negative)."""
    model = JointActionModel(rng=1, route_graph=ROUTE_GRAPH, action__days=1)
    state = model.crossing_state

    class Always:
        def active(self, day: int, hour: int) -> bool:
            return True

    state.teams = [(Always(), i) for i in range(len(state.other))]
    staffed = np.ones(len(state.other), dtype=bool)
    rng = np.random.default_rng(7)
    shape = state.checks.shape
    for _ in range(300):
        checks = rng.uniform(5.0, 60.0, size=shape)
        _, extra = state._scanners(0, staffed, checks, checks + rng.uniform(1.0, 50.0, size=shape))
        assert (extra >= 0).all()


def test_crossings_short_of_a_booth_team_keep_a_booth_open_and_their_vehicles_wait():
    """With booth teams larger than any crossing's officers on duty (officers_per_lane 1000)
    and no ordinary shift to fill the booths (ordinary_first_line 0: the posted officers
    alone), every staffed crossing still opens one booth with what it has: every class of
    vehicles arriving at a staffed crossing waits a positive time (before, no booth opened, the
    queue grew and the recorded wait was zero), waits are longer than with teams of two (same
    seed), and every officer-hour is accounted for (invariants on). With the ordinary shift
    (the default), it staffs the booths the posted officers cannot, booked apart, and the
    waits are shorter."""
    short = JointActionModel(rng=2, route_graph=ROUTE_GRAPH, action__days=1,
                             check_invariants=True, parameters__officers_per_lane=1000,
                             parameters__ordinary_first_line=0.0)
    state = short.crossing_state
    for _ in range(short.hours):
        hour = short.hour_of_day
        short.step()
        officers = state.on_duty[:, hour]
        arrived = ((officers > 0) & state.booth_side)[:, None] & (
            state.arrivals[short.tick - 1] > 0)
        assert (state.wait[arrived] > 0).all()
        assert (state.allocation.booths.sum(axis=1)[officers > 0] <= 1.0 + 1e-9).all()
    usual = JointActionModel(rng=2, route_graph=ROUTE_GRAPH, action__days=1,
                             parameters__ordinary_first_line=0.0).run()
    assert (short.outcomes()["mean_wait_minutes"] > usual.outcomes()["mean_wait_minutes"])
    filled = JointActionModel(rng=2, route_graph=ROUTE_GRAPH, action__days=1,
                              check_invariants=True, parameters__officers_per_lane=1000).run()
    assert filled.outcomes()["officer_hours_first_line_ordinary"] > 0
    assert filled.outcomes()["mean_wait_minutes"] < short.outcomes()["mean_wait_minutes"]


def test_a_crossing_with_nobody_on_duty_is_closed_and_its_traffic_queues(monkeypatch):
    from sim.model import checks

    met = []  # (closed, outcome, delay) of every trip reaching a crossing

    def at_crossing(model, movement, place):
        state = model.crossing_state
        side, _ = state.side_of(place, movement)
        outcome, delay = original(model, movement, place)
        met.append((state.shut_hours(side) > 0, outcome, delay))
        return outcome, delay

    original = checks._at_crossing
    monkeypatch.setattr(checks, "_at_crossing", at_crossing)
    day_only = [0.0] * 6 + [1.0] * 16 + [0.0] * 2  # crossing officers 06:00-22:00
    scenario = baseline(shifts={"crossing": day_only}, action={"days": 2})
    model = JointActionModel(scenario, rng=3, route_graph=ROUTE_GRAPH,
                             check_invariants=True).run()
    at_closed = [(outcome, delay) for closed, outcome, delay in met if closed]
    assert at_closed and all(o == checks.WAIT and 0 < d <= 8 for o, d in at_closed), at_closed
    state, i = model.crossing_state, sides(model, "kapitan_andreevo")[0]
    night = [t for t in range(model.hours) if (model.start.hour + t) % 24 in range(6)]
    assert all(state.wait_table[t, i, 2] > 0 for t in night)  # waiting for the opening
    # waits count in the outcomes, and no trip crosses a border check while nobody is there
    assert model.outcomes()["mean_wait_minutes"] > run_model(baseline(action={"days": 2}),
                                                       3).outcomes()["mean_wait_minutes"]
    at_night = [e for e in model.events if e["kind"] == "interception"
                and model.graph.nodes[e["place"]]["kind"] == "crossing"
                and int(e["clock"] + model.start.hour) % 24 in range(6)]
    assert at_night == []
    # a crossing without border checks and nobody there lets its traffic flow
    internal = sides(model, "bregana")
    assert state.wait_table[:, internal, :].max() == 0.0
    # networks that watch the crossings expect a closed hour's trip to meet the opening's checks
    seen, _ = state.expected_shares()
    assert seen[i, 3] == seen[i, 6] > 0


def test_sides_the_scenario_posts_nobody_to_pass_traffic_unchecked_when_it_says_so():
    """With crossing_sides.unstaffed: unchecked, a crossing whose two countries post no
    officer lets its traffic pass without a wait and is never shut; by default (closed) its
    traffic does not cross there."""
    nobody = {"countries": {"MK": {"officers": 0}, "RS": {"officers": 0}},
              "action": {"days": 1}}
    model = JointActionModel(baseline(**nobody, crossing_sides={"unstaffed": "unchecked"}),
                             rng=1, route_graph=ROUTE_GRAPH, check_invariants=True).run()
    state = model.crossing_state
    tabanovce = sides(model, "tabanovce")
    assert state.wait_table[:, tabanovce, :].max() == 0.0
    assert not state.closed.any() and state.plan.open_.all()
    closed = JointActionModel(baseline(**nobody), rng=1, route_graph=ROUTE_GRAPH,
                              check_invariants=True).run()
    assert closed.crossing_state.arrivals[:, tabanovce].sum() == 0
    assert closed.outcomes()["vehicles_turned_away"] > 0


def test_the_closed_hours_are_named_before_anything_runs():
    from sim.model.staffing import _hour_ranges, closed_crossing_notes

    nobody = baseline(countries={"MK": {"officers": 0}, "RS": {"officers": 0}})
    notes = closed_crossing_notes(nobody, ROUTE_GRAPH)
    assert any("tabanovce:MK (traffic does not cross" in note for note in notes), notes
    assert any("evzonoi:MK (traffic does not cross" in note for note in notes), notes
    unchecked = baseline(countries={"MK": {"officers": 0}}, crossing_sides={
        "unchecked": ["evzonoi:MK"]})
    notes = closed_crossing_notes(unchecked, ROUTE_GRAPH)
    assert any("pass traffic unchecked" in note and "evzonoi:MK" in note for note in notes)
    night = baseline(shifts={"crossing": [0.0] * 6 + [1.0] * 18})
    notes = closed_crossing_notes(night, ROUTE_GRAPH)
    assert any("(00:00-06:00)" in note and "kapitan_andreevo" in note for note in notes), notes
    assert closed_crossing_notes(baseline(), ROUTE_GRAPH) == []
    assert _hour_ranges([22, 23, 0, 1, 5]) == "22:00-02:00, 05:00-06:00"
    assert _hour_ranges([3]) == "03:00-04:00"


def test_a_vehicle_only_the_scanning_team_picks_waits_its_scan_not_an_officers_check(
        monkeypatch):
    """On a side where a scanning team works (the baseline's Dutch teams: Greece's side of
    Evzonoi, Montenegro's of Debeli Brijeg), a vehicle's wait is its booths, plus the
    officers' check for the share they check and the scan for the share only the team picks,
    each after the booth time its referral holds. (Where the officers' checks take all of the
    team's minutes, as at Evzonoi's busy hours, the team picks nobody else: some side-hour
    must leave it time for unchecked vehicles.)"""
    from sim.model.crossings import CrossingState

    seen = []  # (check part of the wait, officers' share, team's extra share) by side-hour

    def hour(state, hour_of_day):
        original(state, hour_of_day)
        arrived = state.arrivals[state.model.tick]
        for side in np.flatnonzero(state.scanners > 0):
            passing = state.passing[side]
            moving = (passing > 0) & (arrived[side] > 0)  # classes whose wait is recorded
            extra = state._last_extra[side][moving] / passing[moving]
            own = (state.wait[side] - state.queue_wait[side, 0]
                   - state.queue_wait[state.other[side], 1])[moving]
            held = state.model.parameters.lane_blocking_seconds / 60.0
            seen.append((own, state.officer_share[side][moving], extra,
                         (state.minutes + held)[moving], (state.scan_minutes + held)[moving]))

    def scanners(state, *args):
        scanned, extra = original_scanners(state, *args)
        state._last_extra = extra
        return scanned, extra

    original, original_scanners = CrossingState.hour, CrossingState._scanners
    monkeypatch.setattr(CrossingState, "hour", hour)
    monkeypatch.setattr(CrossingState, "_scanners", scanners)
    JointActionModel(baseline(action={"days": 1}), rng=2, route_graph=ROUTE_GRAPH).run()
    assert seen and any((extra > 0).any() for _, _, extra, _, _ in seen)
    for own, officers, extra, minutes, scan in seen:
        np.testing.assert_allclose(own, officers * minutes + extra * scan, atol=1e-9)


def test_dates_outside_november_2023_say_what_the_model_keeps_from_it():
    from sim.scenario.allocation import calendar_notes

    assert calendar_notes(baseline()) == []
    assert calendar_notes(baseline(action={"days": 10})) == []
    july = calendar_notes(baseline(action={"start": "2024-07-08T00:00:00"}))
    assert len(july) == 1 and "ordinary November week" in july[0]
    later = calendar_notes(baseline(action={"start": "2025-11-10T00:00:00"}))
    assert len(later) == 1 and "1 January 2025" in later[0]
    earlier = calendar_notes(baseline(action={"start": "2022-11-14T00:00:00"}))
    assert len(earlier) == 1 and "Croatia" in earlier[0]
    across = calendar_notes(baseline(action={"start": "2024-12-28T00:00:00", "days": 7}))
    assert any("1 January 2025" in note for note in across)


def test_a_night_shift_belongs_to_the_day_it_starts_on():
    model = JointActionModel(baseline(action={"days": 3}, scanning_teams={"teams": [
        {"place": "kakavia", "hours": [20, 4], "days": [1]}]}), rng=1, route_graph=ROUTE_GRAPH)
    team = model.scanning_teams[0]
    assert team.active(1, 21) and team.active(2, 3)        # day 1 20:00 to day 2 04:00
    assert not team.active(1, 3) and not team.active(2, 21)
    # two night teams of consecutive days share no hour; one night and the next early shift do
    baseline(scanning_teams={"teams": [{"place": "kakavia", "hours": [20, 4], "days": [1]},
                                       {"place": "kakavia", "hours": [20, 4], "days": [2]}]})
    with pytest.raises(ScenarioError, match="more than 1 team"):
        baseline(scanning_teams={"teams": [{"place": "kakavia", "hours": [20, 4], "days": [1]},
                                           {"place": "kakavia", "hours": [2, 8], "days": [2]}]})
    # the days left out are every day of the action, whatever hour it starts at; the model,
    # validation and the optimiser count the same hours
    from sim.decisions.decisions import separate_overlaps
    from sim.scenario.schema import shift_ticks

    evening = {"start": "2023-11-13T18:00:00", "days": 3}
    for hours in ([6, 22], [20, 4]):
        teams = [{"place": "kakavia", "hours": hours, "days": days} for days in (None, [1, 2, 3])]
        models = [JointActionModel(baseline(action=evening, scanning_teams={"teams": [team]}),
                                   rng=1, route_graph=ROUTE_GRAPH).scanning_teams[0]
                  for team in teams]
        assert models[0].ticks == models[1].ticks == shift_ticks(hours, None, 18, 3)
        assert all(0 <= t < 72 for t in models[0].ticks)
    night = [{"place": "a", "hours": [20, 4]}, {"place": "a", "hours": [0, 6], "days": [1]}]
    assert [t["place"] for t in separate_overlaps(night, ["a", "b"], 1, 3)] == ["a", "a"]
    baseline(scanning_teams={"teams": [{"place": "kakavia", "hours": [20, 4]},
                                       {"place": "kakavia", "hours": [0, 6], "days": [1]}]})
