"""Inference: what the published figures and outside data say about the hidden quantities.

`experiments` (free parameters with prior ranges, config reading, the evaluator of a set of values
over replicates), `calibration` (the joint fit of the action week and an ordinary week with its
report) with `calibration_config` (its config) and `refinement` (narrower fits after the main one),
`accepted` (the posterior: the accepted proposals of a fit), `pileups` (draws piled up at a bound
of their prior), `ensemble` (posterior draws × the sampled assumptions, kept by `history_matching`;
its config and design in `ensemble_plan`, in waves screened by the target emulators of
`emulator`), `sensitivity` (SALib indices of outcomes and of paired
differences, which assumptions could flip an answer), `ema` (the model as an EMA Workbench
model); during the action, `reports` (the daily report files), `likelihood` (the members
weighed by the reports), `refresh` (a collapsed ensemble resampled with jitter), `kalman` (the
remaining days of every run moved by the ensemble Kalman update), `assimilation` (`sim
assimilate`: the update and the forecast of the remaining days) and `assimilation_study` (the
update scored on synthetic truths).

May import `sim.analysis`, `sim.runs`, `sim.model`, `sim.scenario`, `sim.geography`, Optuna,
SALib and matplotlib; never `sim.decisions`, the dashboard or the commands.
"""
