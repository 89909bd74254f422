"""ftwizard.estimate: peak memory, time and cost of one fine-tuning run, from documented formulas.

The request and result types (request), model shapes from configs (arch), the memory model
(memory), the time model (timing), money (cost), constants with their sources (constants),
the whole-catalog sweep (sweep), the store of measured runs (calibration) and the
corrections it applies (calibrated); `estimator.estimate` puts them together.

May import: ftwizard.base, ftwizard.catalog. Qt-free and torch-free; pure functions.
"""
