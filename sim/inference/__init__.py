"""Inference: what the published figures and outside data say about the hidden quantities.

`experiments` (free parameters with prior ranges, config reading, the evaluator of a set of
values over replicates), `calibration` (the joint fit of the action week and an ordinary week
with its report) with `calibration_config` (its config) and `refinement` (narrower fits after
the main one), `ensemble` (the posterior ensemble of accepted proposals), `sensitivity` (SALib
indices of outcomes and of paired differences, which assumptions could flip an answer), `ema`
(the model as an EMA Workbench model).

May import `sim.analysis`, `sim.runs`, `sim.model`, `sim.scenario`, `sim.geography`, Optuna,
SALib and matplotlib; never `sim.decisions`, the dashboard or the commands.
"""
