"""ftwizard.runs: a training run seen from outside the training process.

The run configuration the runner reads (config), the JSON-lines events it prints (events),
its manifest (manifest), the output-folder check (outdir), the run folders and their
history (history), progress and ETA from metrics (progress), the runner's command line
(launch), the figures of a run (figures), the pre-flight fit check (preflight) and whether
a model folder is the plan's model (model_match).

May import: ftwizard.base, ftwizard.catalog, ftwizard.estimate, ftwizard.hardware.profile.
Qt-free and torch-free: the GUI and the CLI use it; only ftwizard.train imports torch.
"""
