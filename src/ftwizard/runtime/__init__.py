"""ftwizard.runtime: find a Python interpreter that can train (the `train` extra) and say what
it can do.

The GUI and the installed program carry no torch: training runs in another interpreter, the
"runtime". Candidates are found (candidates), each is checked in a subprocess with a timeout
(diagnosis), and one rule picks the interpreter that trains for every way of starting a run
(rule: `training_runtime()`); the GUI's Check it fits runs the probe in it (probe). Nothing
here imports torch.

May import: ftwizard.base, ftwizard.hardware, ftwizard.runs. Qt-free and torch-free.
"""
