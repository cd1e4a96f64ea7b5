"""Reading runs: paired and unpaired comparisons (`compare`), the analysts' figures (`figures`),
calibration against the published figures (`calibration`), sensitivity analysis
(`sensitivity`), the harm index by crime area from summary tables and replaceable weights
(`harm`), the reference comparison of the shipped scenarios (`reference`), the notebook
runner (`notebooks`), the planner's spreadsheet (`workbook`), a sweep's response
curve (`sweep_figures`), the model as an EMA Workbench model
(`ema`), and decision support: the search of allocations (`optimise` with its
config `optimise_config`, decision variables `decisions`, search space `allocation_space`,
out-of-sample report `optimise_report` and output folder `optimise_folder`). May import
`sim.runs`, `sim.model`, `sim.scenario`, `sim.geography`, matplotlib, Optuna and SALib; never
the dashboard or the CLI.
"""
