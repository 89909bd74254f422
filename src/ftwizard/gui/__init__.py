"""ftwizard.gui: the wizard, the run monitor and the windows around them; thin Qt views.

Every rule a page shows lives in a Qt-free package (recommend, base.units, catalog.languages);
the views read and write through them. Training runs in the training runtime's own process
(ftwizard.runs.launch); the GUI process never imports torch or the Hugging Face stack
(tests/test_layers.py). `desktop` is what the windows reach outside themselves.

May import: every Qt-free package, ftwizard.report and ftwizard.runtime; never ftwizard.cli
or ftwizard.train.
"""
