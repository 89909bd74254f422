"""ftwizard.cli: the one command line, `ftwizard plan|estimate|detect|train|export|...`.

Each subcommand is a thin module over the same Qt-free packages the GUI uses; `--json`
output and exit codes are contracts (0 ok, 1 internal, 2 bad input, 3 cancelled, 4 out of
memory). Qt and torch load only in the subcommands that need them, inside the function.

May import: every package of ftwizard except ftwizard.train (training runs in a child
process: `python -m ftwizard.train`).
"""
