"""Reading runs: paired and unpaired comparisons (`compare`), the analysts' figures (`figures`),
calibration against the published figures (`calibration`), sensitivity analysis
(`sensitivity`), the reference comparison of the shipped scenarios (`reference`) and the notebook
runner (`notebooks`). May import `sim.runs`, `sim.model`, `sim.scenario`, `sim.geography`,
matplotlib, Optuna and SALib; never the dashboard or the CLI.
"""
