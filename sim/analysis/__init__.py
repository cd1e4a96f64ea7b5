"""Reading runs: what results folders say, as tables, figures, sentences and spreadsheets.

`compare` (paired and unpaired differences with intervals, the calibration table; the table
it returns prints its `headline`: the main outcomes with plain labels and a sentence), `pairing`
(two runs as they are compared: over the replicates they share when their seeds match, for every
table, figure and sheet), `waits` (the wait per vehicle at each crossing, side and vehicle class,
and which crossings a scenario changes), `figures`
(the analysts' figures) with `figures_places` (the map of interceptions, displacement) and
`style` (labels, colours, units shared by every figure and finding), `findings` (results as
sentences), `workbook` (the planner's spreadsheet), `sweep_figures` (a sweep's comparison and
response curve), `reference` (the shipped scenarios against the baseline: the README's table),
`notebooks` (executes the analysts' notebooks into HTML).

May import `sim.runs`, `sim.model`, `sim.scenario`, `sim.geography` and matplotlib; never
`sim.inference`, `sim.decisions`, the dashboard or the commands.
"""
