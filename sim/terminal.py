"""Tables the `sim` command prints: they fit the terminal (80 columns in a CI log) without
cutting a number.

One naming rule for every table: an outcome is shown by its label in the outcome registry
(`sim.model.outcomes.LABELS`: `illegal entries detected`, `idle officer-hours, crossings`), the
same words as in the figures, the findings and the workbook; a label too long for what the
numbers leave wraps onto a second line, never abbreviated. Column headings are the same words
everywhere: `mean`, `5%`, `95%`, `base mean`, `difference`, `90% interval`, `% of base`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table

from sim.analysis.headline import (
    MAIN_OUTCOMES,
    interval_heading,
    over_draws,
    resting_on,
    robustness_text,
    short_finding,
    weights_line,
)
from sim.analysis.style import label
from sim.runs.results import Results
from sim.runs.statistics import INTERVAL, number

VEHICLES = {"car": "cars", "bus": "buses", "lorry": "lorries"}


def fitted_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]], *,
                 width: int, caption: str | None = None, left: int = 1) -> Table:
    """A table whose first column holds names (labels) and the others numbers: each number
    column is as wide as its widest value, never cut; the names take what is left and wrap at
    words where they do not fit (the first `left` columns are left-aligned)."""
    widths = [max([len(line) for line in header.split("\n")]
                  + [len(row[i]) for row in rows]) for i, header in enumerate(headers)]
    spare = width - (3 * len(headers) - 1) - sum(widths[1:])
    name_width = max(min(widths[0], spare), 12)
    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, caption=caption,
                  title_justify="left", caption_justify="left")
    table.add_column(headers[0], overflow="fold", max_width=name_width)
    for index, (header, column_width) in enumerate(zip(headers[1:], widths[1:], strict=True)):
        table.add_column(header, justify="left" if index + 1 < left else "right",
                         no_wrap=True, min_width=column_width)
    for row in rows:
        table.add_row(*row)
    return table


def print_report(results: Results, console: Console | None = None) -> None:
    """Outcome means with the interval where 90% of replicates fell, then where the files are."""
    console = console or Console()
    rows = []
    if len(results.summary):
        for outcome, row in results.describe().iterrows():
            rows.append([label(str(outcome)), row["unit"], number(row["mean"]),
                         number(row["p5"]), number(row["p95"])])
    console.print(fitted_table(
        f"{label(results.scenario_name)}: {len(results.summary)} replicates",
        ["outcome", "unit", "mean", "5%", "95%"], rows, width=console.width, left=2,
        caption=f"5%–95%: where {INTERVAL:.0%} of replicates fell"))
    state = ("complete" if results.complete else
             f"INCOMPLETE: {results.manifest.get('replicates_done')} of "
             f"{results.manifest.get('replicates')} replicates, {len(results.failures)} failed")
    console.print(f"results: {results.directory}/ ({state})", highlight=False)
    if results.failures:
        console.print(f"failures: {results.directory / 'failures.json'}; re-run one with "
                      "--replicate K --resume", highlight=False)


def print_comparison(table: pd.DataFrame, console: Console | None = None, *,
                     full: bool = True, waits: dict | None = None) -> None:
    """One table per scenario: each outcome's base mean, difference, the interval of the
    difference and the difference as % of the base mean; over posterior draws the central
    interval of the draws and the share agreeing in sign. `full=False` shows the headline
    outcomes (`sim.analysis.headline.MAIN_OUTCOMES`) and a one-line finding; `waits` maps a
    scenario to (its waits per crossing and class, what they are) from
    `sim.analysis.waits.waits_to_show`, printed below its table."""
    console = console or Console()
    for scenario, rows in table.groupby("scenario", sort=False):
        if not full:
            order = {o: i for i, o in enumerate(MAIN_OUTCOMES)}
            rows = rows[rows["outcome"].isin(order)].sort_values(
                "outcome", key=lambda c: c.map(order), kind="stable")
            if rows.empty:
                continue
        first = rows.iloc[0]
        drawn = over_draws(rows)
        per_day = bool(first.get("per_day", False))
        cells = []
        for row in rows.itertuples():
            relative = ("–" if pd.isna(row.relative_difference)
                        else f"{row.relative_difference:+.1%}")
            unit = f"{row.unit}{' per day' if per_day and row.unit else ''}"
            cells.append([f"{label(row.outcome)} ({unit})" if unit else label(row.outcome),
                          number(row.base_mean), _signed(row.difference),
                          f"{_signed(row.ci_low)} to {_signed(row.ci_high)}", relative,
                          *([robustness_text(row.robustness, int(row.draws))] if drawn
                            else [])])
        caption = (f"{interval_heading(rows)}: the central {first['level']:.0%} of the "
                   "posterior draws' differences (what the data leave open, not an interval "
                   "of a mean); robust: share of draws whose difference has the sign of the "
                   "mean" if drawn else f"{interval_heading(rows)} of the mean difference "
                   f"({first['method']})")
        if per_day:
            caption += ("; the actions differ in length, so totals are per day of action "
                        "(waits and officers deployed as they are)")
        console.print(fitted_table(
            f"{label(scenario)} − {label(first['base'])} ({resting_on(rows)})",
            ["outcome (unit)", "base mean", "difference", interval_heading(rows),
             "% of base", *(["robust"] if drawn else [])],
            cells, width=console.width, caption=caption))
        if not full:
            console.print(short_finding(table, scenario), highlight=False)
        if drawn:
            print_deciding(rows, console)
        if waits and scenario in waits:
            print_waits(*waits[scenario], console=console)
        console.print()
    weights = weights_line(table)
    if weights:
        console.print(f"{weights} Another file: --harm FILE.", highlight=False)
    if not full:
        count = table["outcome"].nunique()
        console.print(f"The headline outcomes; --full shows all {count} (and --out writes "
                      "comparison.csv with every column).", highlight=False)


def print_deciding(rows: pd.DataFrame, console: Console) -> None:
    """Per outcome, in words: how robust the answer is, what decides it over its range, and
    what knowing that would be worth (EVPPI); then the assumptions worth looking up, best first,
    with what the registry says of them now (sim/analysis/deciding.py)."""
    from sim.analysis.deciding import readable
    from sim.scenario.ranges import registered_range

    lines, worth = [], {}
    for row in rows.itertuples():
        if not isinstance(getattr(row, "deciding", ""), str) or not row.deciding:
            continue
        unit = f" {row.unit}" if row.unit else ""
        robust = "" if pd.isna(row.robustness) else f"holds in {row.robustness:.0%} of members; "
        flips = "; the sign flips" if row.deciding_low * row.deciding_high < 0 else ""
        lines.append(f"{label(row.outcome)}: {robust}depends chiefly on "
                     f"{readable(row.deciding)}: {number(row.deciding_low)} to "
                     f"{number(row.deciding_high)}{unit} over its range "
                     f"({row.deciding_share:.0%} of the spread{flips}); knowing it is worth "
                     f"{number(row.deciding_evppi)}{unit} (EVPPI; everything: "
                     f"{number(row.evpi)})"
                     + (f"; next: {readable(row.next_deciding)} ({row.next_share:.0%})"
                        if isinstance(row.next_deciding, str) and row.next_deciding else ""))
        if row.deciding_evppi > 0:
            worth.setdefault(row.deciding, []).append(f"{number(row.deciding_evppi)}{unit} "
                                                      f"of {label(row.outcome)}")
    for line in lines:
        console.print(Padding(escape(line), (0, 0, 0, 2)), highlight=False)
    if worth:
        console.print("What to look for next (the assumptions whose value would change a "
                      "choice; what the registry rests on now):", highlight=False)
        for assumption, values in worth.items():
            found = registered_range(assumption.split(":")[0])
            source = f" — now: {found.source}" if found is not None else ""
            console.print(Padding(escape(f"{readable(assumption)}: worth {', '.join(values)}"
                                         f"{source}"), (0, 0, 0, 2)), highlight=False)


def print_waits(waits: pd.DataFrame, said: str, console: Console | None = None) -> None:
    """Waits per vehicle at crossings (`sim.analysis.waits.wait_differences` rows): crossing,
    side when the table has sides, vehicle class, the base's mean wait, the difference and its
    interval, in minutes."""
    console = console or Console()
    if waits.empty:
        console.print(f"Waits at crossings: {said}.", highlight=False)
        return
    rows, heading = [], None
    for row in waits.itertuples():
        where = row.crossing + (f", {row.side}" if "side" in waits else "")
        if where != heading:
            rows.append([where, "", "", ""])
            heading = where
        rows.append([f"  {VEHICLES.get(row.vehicle_class, row.vehicle_class)}",
                     number(row.base_wait_minutes), _signed(row.difference),
                     f"{_signed(row.ci_low)} to {_signed(row.ci_high)}"])
    console.print(fitted_table(
        f"Wait per vehicle in minutes, {said}",
        ["crossing, vehicles", "base mean", "difference", f"{INTERVAL:.0%} interval"], rows,
        width=console.width, caption="mean over the action, weighted by vehicles; every "
        "crossing: crossing_waits.csv with --out"))


def _signed(value: float) -> str:
    text = number(value)
    return text if text.startswith(("-", "–")) or text == "0" else f"+{text}"


# --- sim list --------------------------------------------------------------------------------

def list_view(table: pd.DataFrame, what: str) -> pd.DataFrame:
    """The columns of a `sim list` table a planner needs, narrow enough for 80 columns."""
    if what == "crossings":
        return pd.DataFrame({
            "id": table["place_id"],
            "crossing": table["side_a"] + " – " + table["side_b"],
            "border": table["country_a"] + "-" + table["country_b"],
            "status": table["border_status"],
            "vehicles/day": table["vehicles_per_day"]})
    if what == "places" and "country_a" in table:
        border = table["country_a"].fillna("") != ""
        return pd.DataFrame({
            "id": table["id"], "name": table["name"],
            "country": table["country"].where(~border, table["country_a"].fillna("") + "-"
                                              + table["country_b"].fillna("")),
            "kind": table["kind"]})
    columns = {"places": ["id", "name", "country", "kind"],
               "countries": ["iso2", "name", "eu_member_2023", "schengen_2023",
                             "participant"]}.get(what, list(table.columns))
    return table[columns]


def filter_list(table: pd.DataFrame, what: str, *, country: str | None = None,
                border: str | None = None, kind: str | None = None) -> pd.DataFrame:
    """Rows of a `sim list` table for one country (a crossing or green-border sector belongs
    to both its countries, in both lists), one border (`GR-MK`, either order) or one kind (a
    place kind, or a crossing's border status); ValueError names the valid values."""
    if country:
        columns = {"crossings": ["country_a", "country_b"],
                   "places": ["country", "country_a", "country_b"],
                   "countries": ["iso2"]}.get(what)
        if columns is None:
            raise ValueError(f"--country does not apply to {what}")
        columns = [c for c in columns if c in table]  # a place belongs to both its borders'
        codes = set().union(*(set(table[c]) for c in columns)) - {""}
        country = country.upper()
        if country not in codes:
            raise ValueError(f"--country {country}: no {what} there; valid: "
                             f"{', '.join(sorted(codes))}")
        table = table[table[columns].eq(country).any(axis=1)]
    if border:
        if what != "crossings":
            raise ValueError("--border applies to crossings")
        sides = border.upper().replace("–", "-").split("-")
        if len(sides) != 2:
            raise ValueError(f"--border {border}: expected two country codes, like GR-MK")
        pair = {frozenset(p) for p in zip(table["country_a"], table["country_b"], strict=True)}
        if frozenset(sides) not in pair:
            raise ValueError(f"--border {border}: no crossing on that border; borders: " +
                             ", ".join(sorted("-".join(sorted(p)) for p in pair)))
        table = table[table.apply(lambda r: {r["country_a"], r["country_b"]} == set(sides),
                                  axis=1)]
    if kind:
        column = {"crossings": "border_status", "places": "kind"}.get(what)
        if column is None:
            raise ValueError(f"--kind applies to crossings and places, not {what}")
        kinds = sorted(set(table[column]))
        if kind not in kinds:
            raise ValueError(f"--kind {kind}: valid for {what}: {', '.join(kinds)}")
        table = table[table[column] == kind]
    return table


def print_list(table: pd.DataFrame, what: str, console: Console | None = None) -> None:
    """The names a scenario can use, in the columns a planner needs, folded to the terminal."""
    console = console or Console()
    view = list_view(table, what)
    rich_table = Table(box=box.SIMPLE_HEAD, show_edge=False, caption=f"{len(table)} {what}; "
                       "--csv prints every column", caption_justify="left")
    for index, column in enumerate(view.columns):
        numeric = pd.api.types.is_numeric_dtype(view[column]) and view[column].dtype != bool
        folds = index == 1 or column == "question"  # the name: the others never wrap
        rich_table.add_column(column.replace("_", " "), justify="right" if numeric else "left",
                              no_wrap=not folds, overflow="fold")
    for row in view.itertuples(index=False):
        rich_table.add_row(*(number(v) if isinstance(v, float) else str(v) for v in row))
    console.print(rich_table)


# --- sim params ------------------------------------------------------------------------------

def print_params(paths: Sequence, console: Console | None = None) -> None:
    """Every settable path: a line with its type, default (→ the baseline's value where it
    differs), range, suggested sampling range and unit, then its source, indented; a list of
    entries (postings) with the fields of each entry."""
    console = console or Console()
    for entry in paths:
        default, baseline = _short(entry.default), _short(entry.baseline)
        values = default if baseline == default else f"{default} → {baseline}"
        sample = (f"sample {entry.sample_range[0]:g}–{entry.sample_range[1]:g}"
                  if entry.sample_range else "")
        facts = "  ".join(f for f in (entry.type, values, f"[{entry.range}]" if entry.range
                                      else "", sample, entry.unit) if f)
        console.print(f"[bold]{escape(entry.path)}[/]  {escape(facts)}", highlight=False)
        if entry.source:
            console.print(Padding(escape(entry.source), (0, 0, 0, 4)), style="dim",
                          highlight=False)
        for field in entry.fields:
            kind = field["type"] + (f" [{field['range']}]" if field["range"] else "")
            need = "required" if field["required"] else f"default {_short(field['default'])}"
            console.print(Padding(escape(f"- {field['name']}: {kind}, {need}. "
                                         f"{field['description']}"), (0, 0, 0, 4)),
                          highlight=False)
    console.print(f"{len(paths)} paths (default → value in the baseline file where it differs); "
                  "as keyword overrides write __ for . (sim.run(FILE, "
                  "intelligence__coverage=0.5)); --json adds the descriptions, numeric min and "
                  "max and the fields of list entries", highlight=False)


def _short(value: object, width: int = 40) -> str:
    text = "(required)" if type(value).__name__ == "PydanticUndefinedType" else str(value)
    return text if len(text) <= width else text[:width - 1] + "…"
