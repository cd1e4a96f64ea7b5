"""Running the model: one replicate into tidy tables (`replicate`), many replicates with
streaming and resume (`runner`; its progress bar in `progress`), on the one executor that runs
work in-process, on local processes or on a Dask cluster (`executor`; the main-guard check of
scripts in `mainguard`), runs over posterior draws (`posterior`), the results folder on disk
(the store `results`; its file names, manifest and checked reads and writes `layout`), the one
guard every writer passes before writing an output (`folder`: `claim`, with the folder's lock
in `lock`, a run's folder rules in `run_folder`, a sweep's in `sweep_folder`), the shared
reducer (`statistics`) and sweeps over a grid (`sweep`). May import `sim.model`,
`sim.scenario`, `sim.geography`, rich and (for clusters, on first use) Dask; never plotting,
the dashboard, the analysis or the commands.
"""
