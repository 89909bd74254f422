"""ftwizard.recommend: from the user's answers to a ranked, explained plan.

The answers (answers), what the hardware offers (hardware_options), the advice to prompt,
retrieve or tune (advice), hyper-parameters (hyperparams), candidates from the catalog and
the user's own folders (candidates, local_models), cloud offers (cloud), scores (scoring),
the ranking (ranking) and its sentences (text), the plan file and its figures (plan,
plan_figures), the recipes to scale past one machine (recipes) and the wizard's autosave
(wizard_state).

May import: ftwizard.base, ftwizard.catalog, ftwizard.estimate, ftwizard.hardware.profile,
ftwizard.runs, ftwizard.data. Qt-free and torch-free.
"""
