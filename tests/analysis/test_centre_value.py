"""`sim decompose`: the page it writes holds the table and a reading written from it, in
sentences the README can quote."""

from __future__ import annotations

import pandas as pd
from project import ROOT

from sim.decisions.centre_value import OUTCOMES, STEPS, markdown, reading


def _table() -> tuple[pd.DataFrame, pd.Series]:
    values = {"the centre, in all": 20.0, "relays that would otherwise be lost": 15.0,
              "faster relay": 5.0}
    rows = [{"step": step, "on": on, "off": off, "meaning": meaning, "outcome": outcome,
             "n": 5, "mean": values.get(step, 2.0), "ci_low": values.get(step, 2.0) - 1,
             "ci_high": values.get(step, 2.0) + 1}
            for step, on, off, meaning in STEPS for outcome in OUTCOMES]
    return pd.DataFrame(rows), pd.Series({outcome: 100.0 for outcome in OUTCOMES})


def test_the_reading_splits_the_centre_value_as_the_table_does():
    table, means = _table()
    lines = reading(table, means)
    assert lines[0].startswith("- The centre buys 20.0 (19.0 to 21.0) of the 100 cases")
    assert "75% of the centre's cases come from relays that would otherwise be lost" in lines[1]
    assert "25% from faster relay" in lines[1]
    assert "25% of the centre's come from faster relay" in lines[2]


def test_the_page_holds_the_command_the_table_and_the_reading():
    table, means = _table()
    page = markdown(table, means, command="sim decompose --replicates 5", replicates=5,
                    seconds=1.0)
    assert "`sim decompose --replicates 5`" in page
    assert "| faster relay |" in page and "## Reading" in page
    assert page.index("| the centre, in all |") < page.index("## Reading")


def test_the_page_says_how_long_the_action_was():
    table, means = _table()
    assert "over the six days" in markdown(table, means, command="c", replicates=5, seconds=1.0)
    assert "over the one day," in markdown(table, means, command="c", replicates=5, seconds=1.0,
                                           days=1)


def test_a_scenario_without_the_centre_is_refused_before_anything_runs(capsys):

    from sim.cli import main

    scenario = ROOT / "scenarios" / "no_coordination_centre.yaml"
    status = main(["decompose", str(scenario), "--replicates", "1",
                   "--workers", "1", "--quiet"])
    assert status == 2
    assert "needs a scenario with the centre" in capsys.readouterr().err
