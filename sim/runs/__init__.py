"""Running the model: one replicate into tidy tables (`replicate`), many replicates in-process, on
local processes or on a Dask cluster with streaming and resume (`runner`; its progress bar in
`progress`, the main-guard check of scripts in `mainguard`), runs over posterior draws
(`posterior`), the results folder on disk (the store `results`; its file names and manifest
`layout`; whose folder it is and what `--force` may delete in `folder`), the shared reducer
(`statistics`) and sweeps over a grid (`sweep`). May import `sim.model`, `sim.scenario`,
`sim.geography`, rich and (for clusters, on first use) Dask; never plotting, the dashboard, the
analysis or the commands.
"""
