"""Daily report files (issue 36): read like a scenario, every mistake named by file, line and
column with what was expected, nothing written by `sim assimilate` when one is malformed."""

from __future__ import annotations

from pathlib import Path

import pytest
from project import BASELINE

from sim.cli import main as cli
from sim.inference.reports import ReportError, observed, read_reports

GOOD = ("day,outcome,value,country\n"
        "1,illegal_entries_detected,402,\n"
        "1,arrests_total,90,\n"
        "1,arrests_migrant_smuggling,37,GR\n"
        "2,illegal_entries_detected,380,\n"
        "2,arrests_migrant_smuggling,12,MK\n")


def write(tmp_path: Path, text: str, name: str = "reports.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_report_is_read_with_the_line_of_each_row(tmp_path):
    table = read_reports(write(tmp_path, GOOD), days=6)
    assert list(table.columns) == ["line", "day", "outcome", "value", "country"]
    assert list(table["line"]) == [2, 3, 4, 5, 6]
    assert table.loc[2, "country"] == "GR" and table.loc[0, "country"] == ""
    sums = observed(table)  # summed over the days each was reported on
    assert sums[("illegal_entries_detected", "")] == 782
    assert sums[("arrests_migrant_smuggling", "MK")] == 12


def test_the_country_column_is_optional_and_a_total_with_all_its_parts_is_not_counted_twice(
        tmp_path):
    text = "day,outcome,value\n1,drugs_kg_total,10\n1,cocaine_kg,4\n1,heroin_kg,1\n" \
           "1,cannabis_kg,5\n1,synthetic_kg,0\n1,other_drugs_kg,6\n"
    sums = observed(read_reports(write(tmp_path, text)))
    assert ("drugs_kg_total", "") not in sums and ("other_drugs_kg", "") not in sums
    assert sums[("cocaine_kg", "")] == 4


@pytest.mark.parametrize(("text", "line", "expected"), [
    ("day,outcome,value\n1,arrests_migrant_smugling,3\n", 2,
     "outcome: unknown outcome 'arrests_migrant_smugling'"),
    ("day,outcome,value\n1,arrests_total,-3\n", 2, "value: '-3' is not a figure"),
    ("day,outcome,value\n1,arrests_total,many\n", 2, "value: 'many' is not a figure"),
    ("day,outcome,value\n1,arrests_total,nan\n", 2, "expected a finite number"),
    ("day,outcome,value\n0,arrests_total,3\n", 2, "day: '0' is not an action day"),
    ("day,outcome,value\n1.5,arrests_total,3\n", 2, "expected a whole number from 1"),
    ("day,outcome,value\n7,arrests_total,3\n", 2, "day 7 is after the action"),
    ("day,outcome,value,country\n1,arrests_total,3,Greece\n", 2, "unknown country 'Greece'"),
    ("day,outcome,value\n1,arrests_total,3\n1,arrests_total,4\n", 3,
     "is reported again (first on line 2)"),
    ("day,outcome,value,country\n1,arrests_total,3,\n1,arrests_total,4,GR\n", 3,
     "report an outcome one way only"),
    ("day,outcome,value\n1,arrests_total,3,9\n", 2, "has 4 values, the header 3"),
    ("day,outcome,amount\n1,arrests_total,3\n", 1, "unknown column 'amount'"),
])
def test_a_malformed_row_is_named_by_line_and_column(tmp_path, text, line, expected):
    path = write(tmp_path, text)
    with pytest.raises(ReportError) as caught:
        read_reports(path, days=6)
    problem = caught.value.problems[0]
    assert problem.file == str(path) and problem.line == line
    assert expected in str(problem)


def test_an_unknown_outcome_is_told_the_closest_valid_name(tmp_path):
    with pytest.raises(ReportError) as caught:
        read_reports(write(tmp_path, "day,outcome,value\n1,ilegal_entries_detected,3\n"))
    assert caught.value.problems[0].suggestion == "illegal_entries_detected"
    assert "did you mean 'illegal_entries_detected'" in str(caught.value)


def test_days_must_run_from_the_first_without_a_gap_and_an_empty_file_says_what_to_write(
        tmp_path):
    with pytest.raises(ReportError, match="no row for day 2"):
        read_reports(write(tmp_path, "day,outcome,value\n1,arrests_total,3\n3,arrests_total,4\n"))
    with pytest.raises(ReportError, match="expected a header line"):
        read_reports(write(tmp_path, ""))
    with pytest.raises(ReportError, match="UTF-16"):
        path = tmp_path / "utf16.csv"
        path.write_bytes("day,outcome,value\n".encode("utf-16"))
        read_reports(path)
    with pytest.raises(ReportError, match="directory"):
        read_reports(tmp_path)


def test_every_problem_of_a_file_is_listed_at_once(tmp_path):
    text = "day,outcome,value\n1,arrests,3\n2,arrests_total,-1\nx,arrests_total,2\n"
    with pytest.raises(ReportError) as caught:
        read_reports(write(tmp_path, text))
    assert [p.line for p in caught.value.problems] == [2, 3, 4]
    assert str(caught.value).startswith("3 problems in the report")


def test_sim_assimilate_with_a_malformed_report_names_the_row_and_writes_nothing(
        tmp_path, capsys):
    reports = write(tmp_path, "day,outcome,value\n1,arrests_total,3\n2,checks,5\n")
    out = tmp_path / "update"
    status = cli(["assimilate", str(BASELINE), "--reports", str(reports), "--out", str(out),
                  "--quiet"])
    error = capsys.readouterr().err
    assert status == 2
    assert f"{reports}, line 3: outcome: unknown outcome 'checks'" in error
    assert not out.exists()


def test_reports_of_every_day_leave_nothing_to_forecast(tmp_path, capsys):
    rows = "".join(f"{day},arrests_total,3\n" for day in range(1, 7))
    reports = write(tmp_path, "day,outcome,value\n" + rows)
    status = cli(["assimilate", str(BASELINE), "--reports", str(reports), "--out",
                  str(tmp_path / "update"), "--quiet"])
    assert status == 2 and "no day left to forecast" in capsys.readouterr().err
    assert not (tmp_path / "update").exists()
