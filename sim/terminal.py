"""Tables the `sim` command prints: they fit the terminal (80 columns in a CI log) without
cutting a number, and shorten long names unambiguously instead.

Every number column is as wide as its widest value; the name column takes what is left and a
name too long for it is shortened word by word (`arrests_firearms_trafficking` →
`arrests_firear_traffi`), never to a name another row has.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table

from sim.runs.results import Results
from sim.runs.statistics import INTERVAL, number

SHORTEST_WORD = 3


def shorten(name: str, width: int) -> str:
    """`name` cut to `width` characters by trimming its longest `_`-separated words first."""
    words = name.split("_")
    while len("_".join(words)) > width:
        longest = max(range(len(words)), key=lambda i: (len(words[i]), i))
        if len(words[longest]) <= SHORTEST_WORD:
            return "_".join(words)[:width]
        words[longest] = words[longest][:-1]
    return "_".join(words)


def abbreviate(names: Sequence[str], width: int) -> dict[str, str]:
    """Each name, shortened to `width` where needed; a shortening that would make two rows look
    alike (or look like another row's full name) is not used and that name keeps its length."""
    short = {name: shorten(name, width) for name in names}
    seen: dict[str, list[str]] = {}
    for name, text in short.items():
        seen.setdefault(text, []).append(name)
    for name, text in short.items():
        if text != name and (len(seen[text]) > 1 or text in short):
            short[name] = name
    return short


def fitted_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]], *,
                 width: int, caption: str | None = None, left: int = 1) -> Table:
    """A table whose first column holds names and the others numbers (whole; right-aligned
    except the first `left` columns)."""
    widths = [max([len(line) for line in header.split("\n")]
                  + [len(row[i]) for row in rows]) for i, header in enumerate(headers)]
    spare = width - (3 * len(headers) - 1) - sum(widths[1:])
    name_width = max(min(widths[0], spare), 12)
    names = abbreviate([row[0] for row in rows], name_width)
    shortened = any(names[row[0]] != row[0] for row in rows)
    note = "names shortened to fit; full names in docs/results.md" if shortened else None
    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False,
                  caption="\n".join(c for c in (caption, note) if c) or None,
                  title_justify="left", caption_justify="left")
    table.add_column(headers[0], overflow="fold", max_width=max(name_width, 1))
    for index, (header, column_width) in enumerate(zip(headers[1:], widths[1:], strict=True)):
        table.add_column(header, justify="left" if index + 1 < left else "right",
                         no_wrap=True, min_width=column_width)
    for row in rows:
        table.add_row(names[row[0]], *row[1:])
    return table


def print_report(results: Results, console: Console | None = None) -> None:
    """Outcome means with the interval where 90% of replicates fell, then where the files are."""
    console = console or Console()
    rows = []
    if len(results.summary):
        for outcome, row in results.describe().iterrows():
            rows.append([str(outcome), row["unit"], number(row["mean"]), number(row["p5"]),
                         number(row["p95"])])
    console.print(fitted_table(
        f"{results.scenario_name}: {len(results.summary)} replicates",
        ["outcome", "unit", "mean", "p5", "p95"], rows, width=console.width, left=2,
        caption=f"p5–p95: where {INTERVAL:.0%} of replicates fell"))
    state = ("complete" if results.complete else
             f"INCOMPLETE: {results.manifest.get('replicates_done')} of "
             f"{results.manifest.get('replicates')} replicates, {len(results.failures)} failed")
    console.print(f"results: {results.directory}/ ({state})", highlight=False)
    if results.failures:
        console.print(f"failures: {results.directory / 'failures.json'}; re-run one with "
                      "--replicate K --resume", highlight=False)


def print_comparison(table: pd.DataFrame, console: Console | None = None) -> None:
    """One table per scenario: base mean, difference, relative difference and the interval of
    the difference (the scenario's own mean is in comparison.csv)."""
    console = console or Console()
    for scenario, rows in table.groupby("scenario", sort=False):
        first = rows.iloc[0]
        pairing = "paired" if rows["paired"].all() else "UNPAIRED: seeds differ"
        over_draws = first.get("method") in ("posterior", "ensemble")  # runs over members
        what = "ensemble members" if first.get("method") == "ensemble" else "posterior draws"
        cells = []
        for row in rows.itertuples():
            relative = ("–" if pd.isna(row.relative_difference)
                        else f"{row.relative_difference:+.1%}")
            robust = "–" if pd.isna(getattr(row, "robustness", None)) else f"{row.robustness:.0%}"
            cells.append([row.outcome, number(row.base_mean), number(row.difference),
                          relative, number(row.ci_low), number(row.ci_high),
                          *([robust] if over_draws else [])])
        level = f"{first['level']:.0%}"
        draws = f", {first['draws']} {what}" if over_draws else ""
        caption = (f"{level} of the {what}' differences (what we do not know); robust: share "
                   f"of {what} whose difference has the sign of the mean" if over_draws else
                   f"{level} interval of the difference ({first['method']})")
        if bool(first.get("per_day", False)):
            caption += ("; the actions differ in length, so totals are per day of action "
                        "(waits and officers deployed as they are)")
        console.print(fitted_table(
            f"{scenario} − {first['base']} ({pairing}, {first['n']} replicates{draws})",
            ["outcome", "base\nmean", "differ-\nence", "relative\n",
             f"{level} CI\nlow", f"{level} CI\nhigh", *(["robust\n"] if over_draws else [])],
            cells, width=console.width, caption=caption))
        if over_draws:
            print_deciding(rows, console)


def print_deciding(rows: pd.DataFrame, console: Console) -> None:
    """Per outcome, in words: how robust the answer is, what decides it over its range, and
    what knowing that would be worth (EVPPI); then the assumptions worth looking up, best first,
    with what the registry says of them now."""
    from sim.analysis.deciding import readable
    from sim.scenario.ranges import registered_range

    lines, worth = [], {}
    for row in rows.itertuples():
        if not getattr(row, "deciding", ""):
            continue
        unit = f" {row.unit}" if row.unit else ""
        robust = "" if pd.isna(row.robustness) else f"holds in {row.robustness:.0%} of members; "
        flips = "; the sign flips" if row.deciding_low * row.deciding_high < 0 else ""
        lines.append(f"{row.outcome}: {robust}depends chiefly on {readable(row.deciding)}: "
                     f"{number(row.deciding_low)} to {number(row.deciding_high)}{unit} over its "
                     f"range ({row.deciding_share:.0%} of the spread{flips}); knowing it is "
                     f"worth {number(row.deciding_evppi)}{unit} (EVPPI; everything: "
                     f"{number(row.evpi)})"
                     + (f"; next: {readable(row.next_deciding)} ({row.next_share:.0%})"
                        if row.next_deciding else ""))
        if row.deciding_evppi > 0:
            worth.setdefault(row.deciding, []).append(f"{number(row.deciding_evppi)}{unit} "
                                                      f"of {row.outcome}")
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
    columns = {"places": ["id", "name", "country", "kind"],
               "countries": ["iso2", "name", "eu_member_2023", "schengen_2023",
                             "participant"]}.get(what, list(table.columns))
    return table[columns]


def filter_list(table: pd.DataFrame, what: str, *, country: str | None = None,
                border: str | None = None, kind: str | None = None) -> pd.DataFrame:
    """Rows of a `sim list` table for one country, one border (`GR-MK`, either order) or one
    kind (a place kind, or a crossing's border status); ValueError names the valid values."""
    if country:
        column = {"crossings": None, "places": "country", "countries": "iso2"}.get(what, "")
        if column == "":
            raise ValueError(f"--country does not apply to {what}")
        codes = (set(table["country_a"]) | set(table["country_b"]) if column is None
                 else set(table[column]))
        country = country.upper()
        if country not in codes:
            raise ValueError(f"--country {country}: no {what} there; valid: "
                             f"{', '.join(sorted(codes))}")
        table = table[(table["country_a"] == country) | (table["country_b"] == country)
                      if column is None else table[column] == country]
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
    differs), range and unit, then its source, indented."""
    console = console or Console()
    for entry in paths:
        default, baseline = _short(entry.default), _short(entry.baseline)
        values = default if baseline == default else f"{default} → {baseline}"
        plausible = getattr(entry, "plausible", "")
        facts = "  ".join(f for f in (entry.type, values, f"[{entry.range}]" if entry.range
                                      else "", entry.unit,
                                      f"plausible {plausible}" if plausible else "") if f)
        console.print(f"[bold]{escape(entry.path)}[/]  {escape(facts)}", highlight=False)
        if entry.source:
            console.print(Padding(escape(entry.source), (0, 0, 0, 4)), style="dim",
                          highlight=False)
    console.print(f"{len(paths)} paths (default → value in the baseline file where it differs; "
                  "plausible: the range the registry gives the calibration and the ensemble); "
                  "as keyword overrides write __ for . (sim.run(FILE, "
                  "intelligence__coverage=0.5)); --json adds the descriptions", highlight=False)


def _short(value: object, width: int = 40) -> str:
    text = "(required)" if type(value).__name__ == "PydanticUndefinedType" else str(value)
    return text if len(text) <= width else text[:width - 1] + "…"
