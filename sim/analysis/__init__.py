"""Reading runs: what results folders say, as tables, figures, sentences and spreadsheets.

`compare` (paired and unpaired differences with intervals, the calibration table; the table
it returns prints its `headline`: the main outcomes with plain labels and a sentence), `pairing`
(two runs as they are compared: over the replicates they share when their seeds match, for every
table, figure and sheet), `waits` (the wait per vehicle at each crossing, side and vehicle class,
and which crossings a scenario changes), `deciding` (over ensemble members: the assumption that
decides a difference, and what knowing it is worth, EVPPI), `figures`
(the analysts' figures) with `figures_places` (the map of interceptions, displacement) and
`style` (labels, colours, units shared by every figure and finding), `findings` (results as
sentences), `workbook` (the planner's spreadsheet), `sweep_figures` (a sweep's comparison and
response curve), `reference` (the shipped scenarios against the baseline) with
`reference_table` (the README's reference section written from it: tables and reading) and
`naive` (the spreadsheet's answer: 2023's published figures scaled by officer-days),
`notebooks` (executes the analysts' notebooks into HTML), `harm` (the harm index by crime area
from summary tables and weights a planner can replace), `forecast` (forecasts as weighted
samples: predictive intervals, the CRPS, the forecast table and figure of `sim assimilate`).

May import `sim.runs`, `sim.model`, `sim.scenario`, `sim.geography` and matplotlib; never
`sim.inference`, `sim.decisions`, the dashboard or the commands.
"""
