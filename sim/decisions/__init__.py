"""Decision support: which allocation to choose, and what each resource is worth.

`decisions` (decision variables, their encoding, constraints), `allocation_space` (the variables
resolved against a baseline: places, distributions, the repair of a proposal),
`optimise_config` (the config of a search), `optimise` (the Pareto search over allocations),
`optimise_report` (the out-of-sample re-run and the report) with `optimise_harm` (its reading
per crime area and in the harm index, the ranking under several weight sets), `optimise_figure`
(the Pareto figure), `optimise_folder` (the search's output folder) and `robust` (ranking over
ensemble members by mean, a low percentile or minimax regret, and what could overturn the
choice), `discover` (scenario discovery: PRIM boxes where a plan fails), `marginal` (the paired
value of one more block of each resource), `centre_value` (the coordination centre's value by
mechanism), `replan_space` (what a re-plan during the action may change, and from which
day) with `replan` (its search and its gain per crime area against keeping the plan).

May import `sim.inference`, `sim.analysis`, `sim.runs`, `sim.model`, `sim.scenario`,
`sim.geography`, Optuna and matplotlib; never the dashboard or the commands.
"""
