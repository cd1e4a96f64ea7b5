"""`sim optimise`: repair keeps every constraint, a seed fixes the search, `--resume` gives the
run an interruption took away, and the outputs a planner opens are valid scenarios."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import yaml
from project import ROOT

from sim.cli import main
from sim.decisions.allocation_space import most_officers_at_one_place
from sim.decisions.decisions import project_shares, separate_overlaps, spread
from sim.decisions.optimise import (
    LOG,
    _append,
    load_config,
    pareto_front,
    parse_log,
    read_log,
    search,
    statistic,
    trials_table,
)
from sim.decisions.optimise_config import Posterior
from sim.decisions.optimise_folder import check, clear
from sim.decisions.optimise_report import optimise
from sim.inference.experiments import ConfigError, Evaluator
from sim.runs.layout import ResultsFolderError
from sim.scenario.files import load_scenario

BASELINE = ROOT / "scenarios" / "jad_see_2023.yaml"
CROSSINGS = ["evzonoi", "debeli_brijeg", "kapitan_andreevo", "horgos", "batrovci"]
EXPERT_PLACES = ["kapitan_andreevo", "kipoi", "evzonoi", "kakavia", "batrovci", "horgos",
                 "kalotina"]


# the baseline's allocation at a tenth of its officers for one day: a replicate in ~0.3 s
SMALL = f"""name: one_day
extends: {BASELINE}
action: {{days: 1}}
countries:
  {{TR: {{officers: 300}}, GR: {{officers: 330}}, BG: {{officers: 300}}, MK: {{officers: 150}},
   RS: {{officers: 250}}, HU: {{officers: 150}}, HR: {{officers: 200}}, BA: {{officers: 120}},
   ME: {{officers: 70}}, AL: {{officers: 130}}, XK: {{officers: 60}}, RO: {{officers: 90}},
   MD: {{officers: 12}}, UA: {{officers: 20}}, SI: {{officers: 30}}, AT: {{officers: 15}},
   IT: {{officers: 15}}, DE: {{officers: 2}}, FR: {{officers: 1}}, ES: {{officers: 1}},
   NL: {{officers: 1}}, PL: {{officers: 1}}, PT: {{officers: 1}}, SE: {{officers: 1}},
   LU: {{officers: 1}}}}
"""


def tiny_config(folder: Path, **changes) -> Path:
    """One simulated day, two replicates, two generations of four: seconds, not minutes."""
    (folder / "one_day.yaml").write_text(SMALL)
    config = {
        "scenario": "one_day.yaml",
        "decisions": {
            "scanning_teams": {"count": 2, "places": CROSSINGS, "hours": [[6, 22], [22, 6]]},
            "frontex": [{"kind": "document_experts", "places": EXPERT_PLACES,
                         "max_per_place": 1}],
            "transfers": [{"from": "TR", "to": "GR", "low": -30, "high": 30}]},
        "constraints": {"officers_per_country": {"TR": [290, 320], "GR": [320, 350]},
                        # a tenth of the officers cannot staff every booth lane at the
                        # thinnest crossing sides: their lorries wait days, not hours
                        "outcomes": [{"outcome": "max_wait_minutes", "max": 100_000}]},
        "objectives": [{"outcome": "movements_intercepted", "direction": "maximise"},
                       {"outcome": "mean_wait_minutes", "direction": "minimise"}],
        "search": {"trials": 8, "population": 4, "replicates": 1, "seed": 3, "workers": 1},
        "report": {"replicates": 3, "seed": 4, "allocations": 2},
    }
    for key, value in changes.items():
        config[key] = {**config[key], **value} if isinstance(value, dict) else value
    path = folder / "tiny.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


# --- repair ----------------------------------------------------------------------------------

def test_spread_keeps_free_choices_and_moves_the_rest_to_the_next_free_place():
    places = ["a", "b", "c", "d"]
    assert spread(["c", "a"], places, 1) == ["c", "a"]
    assert spread(["c", "c", "d", "d"], places, 1) == ["c", "d", "a", "b"]
    assert Counter(spread(["b"] * 5, places, 2)) == {"b": 2, "c": 2, "d": 1}
    with pytest.raises(ValueError):
        spread(["a"] * 3, ["a"], 2)


def test_shares_are_projected_onto_their_bounds_and_their_total():
    bounds = {"crossing": (0.3, 0.6), "green_border": (0.1, 0.3), "road_checkpoint": (0.1, 0.4)}
    shares = project_shares({"crossing": 0.9, "green_border": 0.9, "road_checkpoint": 0.0},
                            bounds, 0.9)
    assert sum(shares.values()) == pytest.approx(0.9, abs=1e-9)
    assert all(bounds[k][0] <= v <= bounds[k][1] for k, v in shares.items())
    inside = {"crossing": 0.45, "green_border": 0.2, "road_checkpoint": 0.25}
    assert project_shares(inside, bounds, 0.9) == pytest.approx(inside)


# --- constraints -----------------------------------------------------------------------------

def test_no_trial_that_runs_breaks_a_constraint_and_rejected_ones_are_never_chosen(tmp_path):
    # the limit is the busiest place of the allocation as written: transfers that add officers
    # there break it, the others keep it
    base = load_config(tiny_config(tmp_path))
    limit = most_officers_at_one_place(base.scenario, base.space.graph)[1]
    path = tiny_config(tmp_path, constraints={"officers_per_place": limit},
                       search={"trials": 12})
    problem = load_config(path)
    with Evaluator(1) as pool:
        result = search(problem, pool)
    table = trials_table(problem, result.records)
    ran = [r for r in result.records if r["state"] == "COMPLETE"]
    assert ran, "every proposal was rejected: the test would prove nothing"
    for record in ran:
        candidate = problem.space.candidate(record["params"], "check")
        assert problem.space.violations(candidate) == []
        assert 290 <= candidate.countries["TR"].officers <= 320
        assert 320 <= candidate.countries["GR"].officers <= 350
        assert candidate.officers_total == problem.scenario.officers_total
        assert most_officers_at_one_place(candidate, problem.space.graph)[1] <= limit
        places = Counter(d.place for d in candidate.frontex if d.kind == "document_experts"
                         for _ in range(d.count))
        assert max(places.values()) <= 1 and sum(places.values()) == 6
        teams = [t.place for t in candidate.scanning_teams.teams]
        assert len(teams) == 2 and set(teams) <= set(CROSSINGS)
    rejected = table[table["state"] == "FAIL"]
    assert len(rejected), "no proposal broke the place limit: the test would prove nothing"
    assert (rejected["rejected"].str.contains("officers at")).all()
    front = pareto_front(problem, table)
    assert set(front["trial"]) <= set(table.loc[table["feasible"], "trial"])


def test_an_outcome_limit_keeps_allocations_that_break_it_off_the_front(tmp_path):
    # the first generation is drawn at random (seeded), whatever the limits: run it without a
    # limit, then put the limit at its median wait so that some proposals break it
    path = tiny_config(tmp_path, search={"trials": 4})
    with Evaluator(1) as pool:
        free = trials_table(load_config(path), search(load_config(path), pool).records)
        limit = float(free["mean_wait_minutes"].median())
        path = tiny_config(tmp_path, search={"trials": 4}, constraints={
            "outcomes": [{"outcome": "mean_wait_minutes", "max": limit}]})
        problem = load_config(path)
        table = trials_table(problem, search(problem, pool).records)
    over = table["mean_wait_minutes"] > limit
    assert over.any() and (~over).any()
    assert (table["feasible"] == ~over).all()
    assert (pareto_front(problem, table)["mean_wait_minutes"] <= limit).all()


def test_a_relative_limit_is_judged_against_the_baseline_on_the_same_seeds(tmp_path):
    # at most the baseline's own mean wait: trial 0 (the baseline) just keeps it, a proposal
    # with a longer wait breaks it, one with a shorter wait keeps it
    path = tiny_config(tmp_path, search={"trials": 4}, constraints={
        "outcomes": [{"outcome": "mean_wait_minutes", "max": 1.0, "relative": True}]})
    problem = load_config(path)
    with Evaluator(1) as pool:
        table = trials_table(problem, search(problem, pool).records)
    base = float(table.loc[table["trial"] == 0, "mean_wait_minutes"].iloc[0])
    assert bool(table.loc[table["trial"] == 0, "feasible"].iloc[0])
    others = table[table["trial"] > 0]
    assert (others["mean_wait_minutes"] > base).any(), "no proposal waits longer: no test"
    assert (others["feasible"] == (others["mean_wait_minutes"] <= base + 1e-9)).all()


def test_teams_on_other_days_may_share_a_place_and_keep_their_days(tmp_path):
    path = tiny_config(tmp_path, decisions={"scanning_teams": {
        "count": 2, "places": CROSSINGS, "days": [None, [1]]}, "frontex": [], "transfers": []})
    problem = load_config(path)
    assert problem.space.distributions()["scanning_team_1.days"].choices == ("all", "1")
    other_days = problem.space.candidate({
        "scanning_team_1.place": "horgos", "scanning_team_1.days": "1",
        "scanning_team_2.place": "horgos", "scanning_team_2.days": "all"}, "x")
    # one action day: "1" and "all" overlap, so the second team moves on
    assert [t.place for t in other_days.scanning_teams.teams] == ["horgos", "batrovci"]
    assert other_days.scanning_teams.teams[0].days == [1]
    assert other_days.scanning_teams.teams[1].days is None
    assert problem.space.violations(other_days) == []
    with pytest.raises(ConfigError, match="action days 1 to 1"):
        load_config(tiny_config(tmp_path, decisions={"scanning_teams": {
            "count": 2, "places": CROSSINGS, "days": [None, [2]]}}))
    # over two action days, teams on day 1 and on day 2 share a place; a third on both moves
    teams = [{"place": "b", "hours": [6, 22], "days": [1]},
             {"place": "b", "hours": [6, 22], "days": [2]},
             {"place": "b", "hours": [6, 22]}]
    assert [t["place"] for t in separate_overlaps(teams, ["a", "b", "c"], 1, 2)] == [
        "b", "b", "c"]


# --- determinism and resume ----------------------------------------------------------------

def test_another_seed_proposes_other_allocations(tmp_path):
    with Evaluator(1) as pool:
        path = tiny_config(tmp_path, search={"trials": 4})
        first = trials_table(load_config(path), search(load_config(path), pool).records)
        path = tiny_config(tmp_path, search={"trials": 4, "seed": 11})
        other = trials_table(load_config(path), search(load_config(path), pool).records)
    assert first.iloc[0]["scanning_team_1.place"] == "evzonoi"  # trial 0: the baseline's own
    assert not first.iloc[1:].drop(columns="trial").equals(other.iloc[1:].drop(columns="trial"))


class Interrupting(Evaluator):
    """Stops the search (as Ctrl-C would) when the second generation is being run."""

    calls = 0

    def run(self, *args, **kwargs):
        Interrupting.calls += 1
        if Interrupting.calls == 2:
            raise KeyboardInterrupt
        return super().run(*args, **kwargs)


def test_same_seed_same_search_and_resume_gives_the_run_never_interrupted(tmp_path):
    path = tiny_config(tmp_path)
    whole, again, cut = tmp_path / "whole", tmp_path / "again", tmp_path / "cut"
    for folder in (whole, again, cut):
        folder.mkdir()
    with Evaluator(1) as pool:
        problem = load_config(path)
        reference = trials_table(problem, search(problem, pool, out=whole).records)
        repeated = trials_table(problem, search(load_config(path), pool, out=again).records)
        # killed while the second generation runs: the log keeps only the first
        with Interrupting(1) as interrupting, pytest.raises(KeyboardInterrupt):
            search(load_config(path), interrupting, out=cut)
        assert len((cut / LOG).read_text().splitlines()) == 1 + 4
        resumed = search(load_config(path), pool, out=cut, resume=True)
    pd.testing.assert_frame_equal(repeated, reference)
    pd.testing.assert_frame_equal(trials_table(problem, resumed.records), reference)
    assert len((cut / LOG).read_text().splitlines()) == 1 + 8
    assert (whole / LOG).read_text() == (cut / LOG).read_text()


def test_resume_refuses_the_log_of_another_config(tmp_path):
    path = tiny_config(tmp_path, search={"trials": 2, "population": 2})
    with Evaluator(1) as pool:
        search(load_config(path), pool, out=tmp_path)
        changed = tiny_config(tmp_path, search={"trials": 2, "population": 2, "replicates": 2})
        with pytest.raises(Exception, match="another config"):
            search(load_config(changed), pool, out=tmp_path, resume=True)


# --- outputs -----------------------------------------------------------------------------------

def test_command_writes_allocations_that_extend_the_baseline_and_a_paired_comparison(tmp_path,
                                                                                      capsys):
    path = tiny_config(tmp_path, report={"replicates": 3, "seed": 4, "allocations": 2,
                                         "variants": {"networks_see_everything": {
                                             "parameters.check_awareness": 1.0,
                                             "parameters.hidden_check_awareness": 1.0}}})
    out = tmp_path / "out"
    assert main(["optimise", str(path), "--out", str(out), "--quiet"]) == 0
    for name in ("trials.csv", "pareto.csv", "out_of_sample.csv", "pareto.png", "report.md"):
        assert (out / name).stat().st_size > 0
    comparison = pd.read_csv(out / "out_of_sample.csv")
    assert set(comparison["n"]) == {3}
    assert set(comparison["variant"]) == {"as_calibrated", "networks_see_everything"}
    assert (comparison["ci_low"] <= comparison["difference"]).all()
    assert (comparison["difference"] <= comparison["ci_high"]).all()
    problem = load_config(path)
    log = {r["number"]: r for r in
           map(yaml.safe_load, (out / LOG).read_text().splitlines()[1:])}
    for name, trial in comparison.groupby("allocation")["trial"].first().items():
        file = out / "allocations" / f"{name}.yaml"
        assert yaml.safe_load(file.read_text())["extends"].endswith("one_day.yaml")
        scenario = load_scenario(file)
        expected = problem.space.candidate(log[trial]["params"], name)
        assert scenario.scanning_teams == expected.scanning_teams
        assert sorted(map(repr, scenario.frontex)) == sorted(map(repr, expected.frontex))
        assert scenario.countries == expected.countries
    # the baseline's own allocation is re-run as the baseline, never as a contender
    trials = pd.read_csv(out / "trials.csv")
    assert trials.loc[trials["trial"] == 0, "baseline"].item()
    assert not set(comparison["trial"]) & set(trials.loc[trials["baseline"], "trial"])
    report = (out / "report.md").read_text()
    verdict = report[report.index("## Verdict"):]
    assert "The baseline's own allocation scored" in verdict
    assert "paired difference" in verdict
    # an old config (movements first) still runs; its verdict is on the harm index, per area
    assert verdict.startswith("## Verdict on the harm index\n\nThe first objective, "
                              "movements_intercepted, is not the harm index")
    assert "The front's best allocation for harm_index" in verdict
    assert "Per crime area, out of sample (90% intervals): migrant smuggling: migrants " \
           "stopped" in verdict
    assert "### On the first objective, movements_intercepted" in verdict
    assert set(comparison["objective"]) == {"movements_intercepted", "mean_wait_minutes",
                                            "harm_index"}
    by_area = pd.read_csv(out / "by_area.csv")
    assert {"harm_index", "migrants_stopped", "drugs_kg_total", "weapons_seized",
            "victims_identified", "harm_drug_trafficking"} <= set(by_area["outcome"])
    assert (by_area["ci_low"] <= by_area["ci_high"]).all()
    assert "## Per crime area and in the harm index, out of sample" in report
    ranking = pd.read_csv(out / "harm_ranking.csv")
    assert list(dict.fromkeys(ranking["weights"])) == ["default", "drug_harm_first",
                                                       "persons_first"]
    assert "## Ranking under 3 weight sets" in report
    assert "| allocation | default | drug_harm_first | persons_first |" in report
    runs = pd.read_csv(out / "out_of_sample_runs.csv")
    assert len(runs) == 2 * 3 * (1 + comparison["allocation"].nunique())  # variants x seeds
    recorded = json.loads((out / "optimise.json").read_text())["harm_weights"]
    assert recorded["file"] == "sim/data/harm/default.yaml" and len(recorded["sha256"]) == 64
    assert any(phrase in verdict for phrase in (
        "better than the baseline, the interval excludes zero",
        "worse than the baseline, the interval excludes zero",
        "as good within noise (the interval includes zero)"))
    # a second run into the same folder must say --resume or --force
    assert main(["optimise", str(path), "--out", str(out), "--quiet"]) == 2
    assert "--resume" in capsys.readouterr().err


def test_the_verdict_is_on_the_best_allocation_whose_limits_held_out_of_sample(tmp_path):
    from sim.decisions.optimise_report import verdict_lines

    problem = load_config(tiny_config(tmp_path, objectives=[{"outcome": "harm_index"}]))
    table = pd.DataFrame({"trial": [0, 1, 2], "state": ["COMPLETE"] * 3, "feasible": [True] * 3,
                          "baseline": [True, False, False],
                          "harm_index": [10.0, 14.0, 12.0]})
    rows = [{"variant": "as_calibrated", "allocation": name, "trial": trial,
             "objective": "harm_index", "direction": "maximise", "in_search": value,
             "mean": value, "baseline_mean": 10.0, "difference": value - 10,
             "ci_low": value - 11, "ci_high": value - 9, "n": 3, "verdict": "better",
             "limits_held": held}
            for name, trial, value, held in [("tiny_2", 2, 12.0, True), ("tiny_1", 1, 14.0, False)]]
    text = "\n".join(verdict_lines(problem, table, table.iloc[1:], pd.DataFrame(rows)))
    assert text.startswith("## Verdict on the harm index\n\nThe baseline's own allocation")
    assert "`tiny_1` (trial 1) did best in the search but broke an outcome limit" in text
    assert "other than the baseline's whose limits held, `tiny_2`" in text
    assert "first objective" not in text  # the harm index is the first objective
    rows[0]["limits_held"] = False
    text = "\n".join(verdict_lines(problem, table, table.iloc[1:], pd.DataFrame(rows)))
    assert "Every re-evaluated allocation broke an outcome limit" in text and "`tiny_1`" in text


def test_optimise_over_posterior_draws_uses_fresh_draws_out_of_sample(tmp_path):
    pd.DataFrame({"draw": range(5), "parameters.lead_precision": [0.2, 0.3, 0.4, 0.5, 0.6]}
                 ).to_csv(tmp_path / "posterior.csv", index=False)
    path = tiny_config(tmp_path, search={"trials": 4, "posterior": {
        "file": "posterior.csv", "draws": 2, "statistic": "quantile", "quantile": 0.25}},
        report={"draws": 3, "replicates": 2, "seed": 4, "allocations": 1})
    problem = load_config(path)
    assert [d["parameters.lead_precision"] for d in problem.search_draws] == [0.2, 0.3]
    assert [d["parameters.lead_precision"] for d in problem.report_draws] == [0.4, 0.5, 0.6]
    _, _, comparison = optimise(path)
    assert set(comparison["n"]) == {6}  # 3 fresh draws x 2 fresh seeds, paired


NIGHTS = [2.0] * 6 + [1.0] * 16 + [2.0] * 2  # more officers from 22:00 to 06:00


def test_shift_profiles_are_a_decision_the_allocation_files_state(tmp_path):
    """Crossing rosters choose among 'traffic' (the baseline's), 'units' and a night-heavy
    profile: trial 0 is the baseline's choice, every choice runs as the profile it names, and
    the allocation files state it."""
    path = tiny_config(tmp_path, decisions={"scanning_teams": None, "frontex": [],
                                            "transfers": [], "shifts": {
                                                "crossing": ["traffic", "units", NIGHTS]}},
                       constraints={"officers_per_country": {}, "outcomes": []},
                       search={"trials": 6, "population": 3},
                       report={"replicates": 2, "seed": 4, "allocations": 3})
    problem = load_config(path)
    assert problem.space.baseline_params() == {"shifts.crossing": "traffic"}
    assert problem.space.distributions()["shifts.crossing"].choices == (
        "traffic", "units", "profile_3")
    night = problem.space.candidate({"shifts.crossing": "profile_3"}, "night")
    assert night.shifts["crossing"] == NIGHTS
    assert problem.space.candidate({"shifts.crossing": "units"}, "u").shifts == {
        "crossing": "units"}
    trials, _, comparison = optimise(path, out=tmp_path / "out")
    assert set(trials["shifts.crossing"]) == {"traffic", "units", "profile_3"}, \
        "the seed did not try every profile: the checks below prove little"
    # on the same seeds, each roster gives its own waits (a roster the model ignored would not)
    waits = trials.groupby("shifts.crossing")["mean_wait_minutes"].mean()
    assert waits.nunique() == 3, waits
    for name in comparison["allocation"].unique():
        stated = yaml.safe_load((tmp_path / "out" / "allocations" / f"{name}.yaml").read_text())
        assert stated["shifts"]["crossing"] in ("units", NIGHTS)


@pytest.mark.parametrize(("options", "message"), [
    (["traffic"], "at least two"), (["units", "units"], "listed twice"),
    (["units", [1.0] * 23], "24 weights"), (["units", [1.0] + [0.0] * 23], "no hour can hold"),
])
def test_a_shift_decision_needs_distinct_possible_profiles(tmp_path, options, message):
    path = tiny_config(tmp_path, decisions={"shifts": {"crossing": options}})
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_pessimistic_quantile_is_the_lower_one_for_more_and_the_upper_one_for_less():
    per_draw = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    setting = Posterior(file="p.csv", statistic="quantile", quantile=0.25)
    assert statistic(per_draw, "x", "maximise", setting) == 2.0
    assert statistic(per_draw, "x", "minimise", setting) == 4.0
    assert statistic(per_draw, "x", "maximise", None) == 3.0


# --- config errors -------------------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "message"), [
    ({"objectives": [{"outcome": "movements_intercepte"}]}, "movements_intercepted"),
    ({"report": {"seed": 3}}, "seeds the search never used"),
    ({"decisions": {"scanning_teams": {"count": 2, "places": ["evzonoi", "skopje"]}}},
     "cannot take"),
    ({"decisions": {"transfers": [{"from": "TR", "to": "XX", "high": 10}]}}, "XX"),
    ({"constraints": {"officers_per_country": {"TR": [0, 10]}}}, "outside these bounds"),
    ({"search": {"trails": 3}}, "trails"),
    ({"report": {"variants": {"x": {"parameters.adaptivty": 1}}}}, "adaptivty"),
    ({"objectives": [{"outcome": "harm_indx"}]}, "did you mean 'harm_index'"),
    ({"harm": "nowhere.yaml"}, r"harm: .*nowhere\.yaml: file not found"),
])
def test_config_mistakes_are_named(tmp_path, changes, message):
    path = tiny_config(tmp_path, **changes)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


@pytest.mark.parametrize("name", ["scanning_teams", "allocation"])
def test_shipped_configs_load_and_start_from_the_2023_allocation(name):
    problem = load_config(BASELINE.parent.parent / "optimise" / f"{name}.yaml")
    baseline = problem.space.baseline_params()
    assert baseline is not None  # trial 0 is the 2023 allocation
    assert problem.space.violations(problem.space.candidate(baseline, "check")) == []
    if name == "scanning_teams":
        # every external-border crossing and every port (issue: teams at crossings and ports)
        graph = problem.space.graph.graph
        external = {n for n, a in graph.nodes(data=True) if a["kind"] == "crossing"
                    and a.get("border_status") != "schengen_internal"}
        ports = {n for n, a in graph.nodes(data=True) if a["kind"] == "port"}
        assert ports and set(problem.space.team_places) == external | ports
        assert {"evzonoi", "debeli_brijeg"} <= set(problem.space.team_places)
        assert len(problem.space.distributions()) == 4  # place and shift of each team


@pytest.mark.slow
def test_dask_gives_the_trials_of_a_run_in_this_process(tmp_path):
    path = tiny_config(tmp_path, search={"trials": 2, "population": 2})
    with Evaluator(1) as pool:
        alone = trials_table(load_config(path), search(load_config(path), pool).records)
    with Evaluator(1, "local:1") as pool:  # the one executor, on a local Dask cluster
        dask = trials_table(load_config(path), search(load_config(path), pool).records)
    pd.testing.assert_frame_equal(dask, alone)


@pytest.mark.parametrize(("changes", "message"), [
    ({"objectives": [{"outcome": "movements_intercepted"},
                     {"outcome": "movements_intercepted", "direction": "minimise"}]},
     r"line \d+: objectives: .*movements_intercepted is listed twice"),
    ({"report": {"variants": {"x": {"parameters.check_awareness": 5.0}}}},
     r"line \d+: report\.variants\.x\.parameters\.check_awareness: .*less than or equal to 1"),
    ({"decisions": {"transfers": [{"from": "TR", "to": "TR", "high": 10}]}},
     r"line \d+: decisions\.transfers\.0: .*TR to itself"),
    ({"constraints": {"outcomes": [{"outcome": "max_wait_minutes", "max": 10, "min": 20}]}},
     r"line \d+: constraints\.outcomes\.0: .*min \(20\) is above max \(10\)"),
    ({"decisions": {"scanning_teams": {"count": 1, "places": CROSSINGS, "country": "XX"}}},
     r"line \d+: decisions\.scanning_teams\.country: unknown country 'XX'"),
    ({"constraints": {"officers_per_place": 1}},
     r"line \d+: constraints\.officers_per_place: the scenario itself has \d+ officers"),
])
def test_config_mistakes_found_before_the_search_name_the_line_and_key(tmp_path, changes,
                                                                       message):
    """Mistakes that used to surface only after the search, or to make every trial fail."""
    with pytest.raises(ConfigError, match=message):
        load_config(tiny_config(tmp_path, **changes))


def test_a_config_file_name_that_cannot_name_the_allocations_is_refused_up_front(tmp_path):
    path = tiny_config(tmp_path).rename(tmp_path / "plan ü 1.yaml")
    with pytest.raises(ConfigError, match="rename the file"):
        load_config(path)


def test_report_replicates_on_the_command_line_are_checked_and_named(tmp_path):
    with pytest.raises(ConfigError, match=r"--report-replicates: .*greater than or equal to 2"):
        load_config(tiny_config(tmp_path), report_replicates=0)
    assert load_config(tiny_config(tmp_path), report_replicates=5).config.report.replicates == 5


@pytest.mark.parametrize(("text", "message"), [
    ("", "expected a mapping of the config's keys"),
    ("a: " + "[" * 30 + "]" * 30, "the limit for a config file"),
])
def test_config_file_problems_are_worded_for_a_config(tmp_path, text, message):
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as error:
        load_config(path)
    assert "scenario" not in str(error.value) and "name:" not in str(error.value)


# --- resume: what a log holds ----------------------------------------------------------------

def test_report_settings_may_change_on_resume_the_search_settings_may_not(tmp_path):
    problem = load_config(tiny_config(tmp_path))
    report_only = load_config(tiny_config(tmp_path, report={
        "replicates": 5, "allocations": 1, "variants": {"x": {"parameters.check_awareness": 1}}}))
    assert report_only.digest == problem.digest
    assert load_config(tiny_config(tmp_path), report_replicates=9).digest == problem.digest
    assert load_config(tiny_config(tmp_path, search={"replicates": 2})).digest != problem.digest
    # a log written when the digest still covered the report resumes too, and is given
    # today's digest, so that a later resume may change the report settings
    (tmp_path / LOG).write_text(json.dumps({"config": problem.earlier_digest}) + "\n" + TRIAL)
    assert len(read_log(tmp_path, problem)) == 1
    assert json.loads((tmp_path / LOG).read_text().splitlines()[0]) == {
        "config": problem.digest}
    assert (tmp_path / LOG).read_text().splitlines()[1] == TRIAL.strip()
    changed_report = load_config(tiny_config(tmp_path), report_replicates=9)
    assert len(read_log(tmp_path, changed_report)) == 1


def test_a_config_already_read_takes_no_settings(tmp_path):
    from sim.decisions.optimise_report import optimise

    with pytest.raises(TypeError, match=r"load_config\(path, trials=...\)"):
        optimise(load_config(tiny_config(tmp_path)), trials=3)


def _log(folder: Path, problem, *lines: str) -> Path:
    header = json.dumps({"config": problem.digest}) + "\n"
    (folder / LOG).write_text(header + "".join(lines))
    return folder / LOG


TRIAL = json.dumps({"number": 0, "state": "FAIL", "params": {}, "values": None,
                    "system_attrs": {}, "user_attrs": {}}) + "\n"


def test_a_log_cut_off_while_written_resumes_from_its_whole_lines(tmp_path):
    problem = load_config(tiny_config(tmp_path))
    path = _log(tmp_path, problem, TRIAL, TRIAL[:20])
    records, note = parse_log(path, problem)
    assert len(records) == 1 and "line 3: cut off" in note
    _append(tmp_path, problem, [json.loads(TRIAL)])  # the next generation: the cut line goes
    assert path.read_text().splitlines()[1:] == [TRIAL.strip()] * 2
    path.write_text("")  # cut off before its header was written
    assert parse_log(path, problem) == ([], None)


@pytest.mark.parametrize(("content", "message"), [
    (b"\x89PNG\r\n\x1a\n\xff\xfe", "not a search log"),
    (b"not json\n", "line 1: not the header of a search log"),
    (None, "line 3: damaged"),
])
def test_a_damaged_log_is_refused_with_the_line_to_look_at(tmp_path, content, message):
    problem = load_config(tiny_config(tmp_path))
    if content is None:
        _log(tmp_path, problem, TRIAL, "{oops\n", TRIAL)
    else:
        (tmp_path / LOG).write_bytes(content)
    with pytest.raises(ResultsFolderError, match=message):
        read_log(tmp_path, problem)


# --- the output folder ---------------------------------------------------------------------

def _earlier_search(folder: Path) -> dict[Path, str]:
    """A folder as a finished search leaves it (its files' contents do not matter here)."""
    (folder / "allocations").mkdir(parents=True)
    files = {folder / "optimise.json": json.dumps({"config_digest": "0123456789abcdef"}),
             folder / LOG: json.dumps({"config": "0123456789abcdef"}) + "\n",
             folder / "report.md": "# Optimisation", folder / "trials.csv": "trial\n0\n",
             folder / "allocations" / "tiny_1.yaml": "# yaml-language-server: x\n"
                                                      "# Allocation found by `sim optimise`\n"}
    for path, text in files.items():
        path.write_text(text)
    return files


def _unchanged(files: dict[Path, str]) -> bool:
    return all(path.read_text() == text for path, text in files.items())


def test_force_with_a_mistaken_config_leaves_the_earlier_search_as_it_was(tmp_path, capsys):
    files = _earlier_search(tmp_path / "out")
    bad = tiny_config(tmp_path, search={"trails": 3})
    assert main(["optimise", str(bad), "--out", str(tmp_path / "out"), "--force",
                 "--quiet"]) == 2
    assert "trails" in capsys.readouterr().err
    assert _unchanged(files)


@pytest.mark.parametrize("again", [[], ["--force"], ["--resume"]])
def test_a_folder_of_the_users_own_files_is_never_written_into(tmp_path, capsys, again):
    mine = {tmp_path / "mine" / "report.md": "my meeting notes",
            tmp_path / "mine" / "trials.csv": "my,trials\n"}
    (tmp_path / "mine").mkdir()
    for path, text in mine.items():
        path.write_text(text)
    path = tiny_config(tmp_path, search={"trials": 2, "population": 2})
    assert main(["optimise", str(path), "--out", str(tmp_path / "mine"), "--quiet",
                 *again]) == 2
    assert "did not write (report.md, trials.csv)" in capsys.readouterr().err
    assert _unchanged(mine)


def test_force_removes_only_what_the_earlier_search_wrote(tmp_path):
    out = tmp_path / "out"
    files = _earlier_search(out)
    mine = {out / "notes.txt": "mine", out / "allocations" / "my_plan.yaml": "name: my_plan\n"}
    for path, text in mine.items():
        path.write_text(text)
    problem = load_config(tiny_config(tmp_path))
    notes = check(out, problem, resume=False, force=True)  # what `sim optimise --force` does
    clear(out)
    assert not any(path.exists() for path in files)
    assert _unchanged(mine)
    assert notes == [f"{out} also holds files sim optimise did not write; they are kept "
                     "(my_plan.yaml, notes.txt)"]
