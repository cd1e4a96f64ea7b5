"""`sim decompose --ensemble N` and `sim marginal --ensemble N` (issue 32, item 7): the centre's
value and each block's over ensemble members, with the robustness and the deciding assumption.

One-day actions over a hand-made ensemble in which the bilateral relay probability spreads over
its range and the re-tasking watch acts on nothing (no unit answers alerts), as in
tests/analysis/test_ensemble.py.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from project import ROOT

import sim
from sim.decisions import centre_value, marginal
from sim.scenario.files import load_scenario
from sim.scenario.posterior import read_posterior

BASELINE = ROOT / "scenarios" / "jad_see_2023.yaml"
NO_CENTRE = ROOT / "scenarios" / "no_coordination_centre.yaml"
RELAY = "parameters.relay_probability_without_centre"
DELAY = "parameters.relay_delay_without_centre_hours"
WATCH = "parameters.retask_watch_hours"


def write_members(folder, members: int = 12):
    rng = np.random.default_rng(11)
    path = folder / "ensemble.csv"
    pd.DataFrame({"member": range(members), "weight": 1 / members,
                  RELAY: np.linspace(0.05, 0.95, members),
                  DELAY: rng.permutation(np.linspace(6.0, 48.0, members)),
                  WATCH: rng.permutation(np.linspace(1, 8, members))}).to_csv(path, index=False)
    path.with_suffix(".json").write_text(json.dumps({"sampled": [
        {"label": label, "columns": [label]} for label in (RELAY, DELAY, WATCH)]}))
    return path


def one_day(folder):
    path = folder / "one_day.yaml"
    path.write_text(f"extends: {BASELINE}\nname: one_day\naction: {{days: 1}}\n"
                    "response: {mobile_share: 0.0}\n")
    return path


def test_the_centre_s_value_over_members_names_the_relay_probability(tmp_path, monkeypatch):
    members = write_members(tmp_path)
    seen = {}
    run_many = centre_value.run_many

    def spy(runs, **options):  # what the centre at bilateral speed ran over
        if options["ensemble_file"] != members:  # the copy with each member's delay
            seen["members"] = read_posterior(options["ensemble_file"])
        return run_many(runs, **options)

    monkeypatch.setattr(centre_value, "run_many", spy)
    table, means = centre_value.decompose(load_scenario(one_day(tmp_path)), replicates=1,
                                          workers=1, ensemble=12, ensemble_file=members)
    # each member's centre relays at that member's own bilateral delay
    held = read_posterior(members)
    assert list(seen["members"]["europol.coordination_centre.relay_delay_hours"]) == \
        list(held[DELAY])
    cells = table.set_index(["step", "outcome"])
    total = cells.loc[("the centre, in all", "cases_opened")]
    assert total["members"] == 12 and total["mean"] > 0
    assert 0.5 <= total["robustness"] <= 1  # near the top of the range the loss is noise
    # without the centre every case hangs on the bilateral relay: it decides the centre's value
    assert total["deciding"] == RELAY and total["deciding_low"] > total["deciding_high"]
    # the two steps still add up to the whole, member by member, so in the mean
    for outcome in centre_value.OUTCOMES:
        parts = (cells.loc[("relays that would otherwise be lost", outcome), "mean"]
                 + cells.loc[("faster relay", outcome), "mean"])
        assert parts == pytest.approx(cells.loc[("the centre, in all", outcome), "mean"])
    page = centre_value.markdown(table, means, command="sim decompose --ensemble 12",
                                 replicates=1, seconds=1.0, days=1, members=12)
    assert "12 ensemble members × 1 replicate" in page
    section = page[page.index("## What decides the centre's value"):]
    assert f"`{RELAY}`" in section.splitlines()[6]  # the cases-opened row


def test_a_block_over_members_carries_its_robustness_and_deciding_assumption(tmp_path):
    members = write_members(tmp_path)
    settings = {"ensemble": 12, "ensemble_file": members, "replicates": 1, "workers": 1}
    base = sim.run(one_day(tmp_path), **settings)
    block = sim.run(load_scenario(one_day(tmp_path)).model_copy(update={
        "europol": load_scenario(NO_CENTRE).europol}), **settings)
    table = marginal.member_table(base, {"no_centre": block}, ("cases_opened",),
                                  marginal.resolve_weights(None))
    row = table.set_index("outcome").loc["cases_opened"]
    assert row["members"] == 12 and row["mean"] < 0
    assert row["deciding"] == RELAY
    assert set(table["outcome"]) >= {"cases_opened", "harm_index"}


def test_sim_marginal_runs_every_block_over_the_same_members(tmp_path, monkeypatch):
    """Two members, one block (the first one found): the base and the block pair member by
    member, and the page says what it rests on."""
    from sim.cli import main

    members = write_members(tmp_path, members=2)
    found = marginal.blocks

    monkeypatch.setattr(marginal, "blocks", lambda scenario, graph=None:
                        [b for b in found(scenario, graph) if b.resource == "port"][:1])
    out, doc = tmp_path / "marginal", tmp_path / "marginal.md"
    status = main(["marginal", str(one_day(tmp_path)), "--ensemble", "2", "--ensemble-file",
                   str(members), "--replicates", "1", "--workers", "1", "--out", str(out),
                   "--doc", str(doc), "--quiet"])
    assert status == 0
    table = pd.read_csv(out / "marginal.csv")
    assert set(table["members"]) == {2} and set(table["replicates"]) == {2}
    base = pd.read_csv(out / "base" / "summary.csv")
    assert list(base["draw"]) == [0, 1]
    checks = table.set_index("outcome").loc["checks_total"]
    assert checks["mean"] > 0  # a port team checks containers
    page = doc.read_text()
    assert "2 ensemble members × 1 replicate" in page and "## What decides each block" in page


def test_an_ensemble_that_leaves_registered_assumptions_out_says_so(tmp_path):
    """Members that do not set a registered assumption keep its default: the run warns and its
    manifest names them, so a planner knows what the spread leaves out."""
    from sim.runs.posterior import EnsembleCoverageWarning, held_at_default
    from sim.scenario.ranges import registered_ranges

    members = write_members(tmp_path, members=1)
    held = held_at_default(members)
    registered = {r.path for r in registered_ranges("parameters.")}
    assert set(held) == registered - {RELAY, DELAY, WATCH}
    assert "parameters.crossing_penalty_on_foot_hours" in held
    with pytest.warns(EnsembleCoverageWarning, match=f"{len(held)} registered assumptions"):
        run = sim.run(one_day(tmp_path), ensemble=1, ensemble_file=members, replicates=1,
                      workers=1)
    assert run.manifest["posterior"]["held_at_default"] == held
    table = read_posterior(members)
    for path in registered:  # a file with a column for everything holds nothing back
        table[path] = 1.0
    complete = tmp_path / "complete.csv"
    table.to_csv(complete, index=False)
    assert held_at_default(complete) == []


def test_a_block_that_moves_in_too_few_members_names_no_deciding_assumption():
    """A harm gain carried by one member of 30 has a 'spread' that is that member's luck: the
    page names no assumption for it, while a block that moves in most members keeps its name."""
    found = [marginal.Block(name, "port", "port_bar", None) for name in ("lucky", "steady")]
    base = {"outcome": "harm_index", "ci_low": 0.0, "ci_high": 10.0, "replicates": 30,
            "members": 30, "deciding": RELAY, "deciding_share": 0.7, "deciding_low": 0.0,
            "deciding_high": 5.0}
    table = pd.DataFrame([{**base, "block": "lucky", "mean": 0.3, "robustness": 1 / 30},
                          {**base, "block": "steady", "mean": 4.0, "robustness": 0.8}])
    lines = {line.split(" | ")[0].strip("| "): line
             for line in marginal.deciding_lines(found, table) if line.startswith("| ")}
    assert RELAY not in lines["lucky"] and f"`{RELAY}`" in lines["steady"]
