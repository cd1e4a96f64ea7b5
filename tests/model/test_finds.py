"""Finds come from the criminal population that exists in the model: premises searches find
only the networks' premises and stocks, database checks only a finite pool of wanted persons,
so finds level off as officers grow."""

from __future__ import annotations

from strategies import SMALL, run_model, small_scenario

SEEDS = (3, 5, 8)
FINDS = ("arrests_total", "weapons_seized", "drugs_kg_total", "illegal_entries_detected")


def _times(factor: int):
    """The small scenario with `factor` times its officers, and local tips that name one of
    the country's premises half the time (0.05 by default): few of the premises in its four
    countries hold weapons (3 of 46 with seed 3), so at 0.05 the base's 70 searches find
    weapons in few seeds, and whether they do hangs on the draws, not on the mechanism."""
    return small_scenario(countries={code: {"officers": contingent["officers"] * factor}
                                     for code, contingent in SMALL["countries"].items()},
                          action={"days": 2}, parameters={"local_lead_precision": 0.5})


def test_ten_times_the_officers_find_less_than_ten_times_as_much():
    """Each kind of find, summed over the seeds: the base finds some, ten times the officers
    (who do search ten times as often) find less than ten times as much."""
    base = [run_model(_times(1), seed) for seed in SEEDS]
    more = [run_model(_times(10), seed) for seed in SEEDS]
    for name in FINDS:
        found = sum(m.outcomes()[name] for m in base)
        found_more = sum(m.outcomes()[name] for m in more)
        assert found > 0, name
        assert found_more < 10 * found, (name, found, found_more)
    searches = sum(m.outcomes()["checks_premises"] for m in base)
    searches_more = sum(m.outcomes()["checks_premises"] for m in more)
    assert searches_more > 8 * searches  # the teams did search ten times as often
    for model in more:  # each premises is found at most once; the wanted pool runs dry
        premises = model.inland.premises.premises
        finds = [e for e in model.events if e["kind"] == "premises_find"]
        assert len(finds) == sum(p.searched for p in premises) <= len(premises)
        wanted = sum(e["arrests"] for e in model.events if e["kind"] == "wanted_person")
        pool = model.parameters.wanted_persons_pool * model.scenario_spec.criminal.networks_scale
        assert wanted <= pool


def test_a_premises_search_finds_only_what_the_premises_holds():
    model = run_model(small_scenario(action={"days": 2}), 4, check_invariants=True)
    premises = model.inland.premises.premises
    finds = [e for e in model.events if e["kind"] == "premises_find"]
    assert finds
    for event in finds:
        held = [p for p in premises if p.network.unique_id == event["network"] and p.searched]
        assert held, event
        assert any(event.get("weapons", 0) == p.stock.get("weapons", 0) for p in held)
