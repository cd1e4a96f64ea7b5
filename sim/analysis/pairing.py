"""Two runs as they are compared: paired over the replicates they share when their seeds
match (common random numbers), else as independent samples. The whole-run comparison, the
per-place, per-day and per-crossing differences, the figures and the workbook all take their
two runs from `paired_runs`, so a 30-replicate base against a 10-replicate variant reads the
same everywhere as a 10-against-10 comparison on the same seeds."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from sim.analysis.style import ResultsLike, as_results
from sim.runs.results import Results


def is_paired(base: Results, other: Results) -> bool:
    """Paired when the replicates both runs have were run with the same seeds."""
    seeds = pd.concat({"base": base.summary.set_index("replicate")["seed"],
                       "other": other.summary.set_index("replicate")["seed"]},
                      axis=1, join="inner")
    return not seeds.empty and bool((seeds["base"] == seeds["other"]).all())


@dataclass(frozen=True)
class Pairing:
    """Two runs as they are compared: when their seeds match, both restricted to the replicates
    they share (so every difference, table, figure and sheet rests on the same replicates and
    both means are over them); otherwise each run whole, as independent samples."""

    base: Results
    other: Results
    paired: bool
    base_replicates: int  # in the base run as written
    other_replicates: int

    @property
    def replicates(self) -> int:
        """Replicates the differences rest on (paired: those both runs have)."""
        return len(self.other.summary) if self.paired else min(len(self.base.summary),
                                                               len(self.other.summary))

    def label(self) -> str:
        """What a title says: 'paired, 10 replicates' (the counts of the runs as written are
        in `note`, so a figure reads the same as a comparison of runs of that count)."""
        if not self.paired:
            return (f"unpaired (seeds differ), {self.other_replicates} and "
                    f"{self.base_replicates} replicates")
        return f"paired, {self.replicates} replicates"

    def note(self) -> str | None:
        """Said when the runs have different replicate counts: which replicates are used."""
        if not self.paired or {self.base_replicates, self.other_replicates} == {self.replicates}:
            return None
        return (f"'{self.other.scenario_name}' has {self.other_replicates} replicates and "
                f"'{self.base.scenario_name}' {self.base_replicates}: every difference pairs "
                f"the {self.replicates} replicates both have, and both means are over those "
                f"{self.replicates}")


def restrict(results: Results, replicates: Sequence[int]) -> Results:
    """The run with only these replicates, in every table."""
    keep = set(int(r) for r in replicates)

    def rows(table: pd.DataFrame) -> pd.DataFrame:
        if table.empty or "replicate" not in table:
            return table
        return table[table["replicate"].isin(keep)].reset_index(drop=True)

    return dataclasses.replace(results, summary=rows(results.summary), daily=rows(results.daily),
                               events=rows(results.events),
                               crossing_waits=rows(results.crossing_waits))


def paired_runs(base: ResultsLike, other: ResultsLike) -> Pairing:
    """`base` and `other` as they are compared (`Pairing`): restricted to the replicates they
    share when their seeds match. Every per-place, per-day and per-crossing difference, figure
    and workbook sheet goes through here, as the whole-run comparison does."""
    base, other = as_results(base), as_results(other)
    paired = is_paired(base, other)
    counts = len(base.summary), len(other.summary)
    if paired:
        shared = sorted(set(base.summary["replicate"]) & set(other.summary["replicate"]))
        if len(shared) < max(counts):
            base, other = restrict(base, shared), restrict(other, shared)
    return Pairing(base, other, paired, *counts)
