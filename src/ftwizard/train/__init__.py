"""ftwizard.train: the training runner, a separate process (`python -m ftwizard.train CONFIG`)
that imports torch and the Hugging Face stack and prints JSON-lines events on stdout.

The recipe is one readable loop (recipe: main, one step, evaluation) with its setup beside
it (model, run_data, run_checkpoint, run_state, sharded for FSDP2), plus samples, chat and
export, which run in the same runtime.

May import: base, catalog, data, estimate, evaluate, runs. Never Qt, never ftwizard.gui/cli.
"""
