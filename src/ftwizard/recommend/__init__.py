"""ftwizard.recommend: from the user's answers to a ranked, explained plan.

The answers (answers), what the hardware offers (hardware_options), the advice to prompt,
retrieve or tune (advice), hyper-parameters (hyperparams), candidates from the catalog and
the user's own folders (candidate_types, candidates, finalize, placement_cache, local_models),
cloud offers (cloud), serving cost (serving), scores (scoring), the ranking (ranking: hard
constraints in constraints, the search in rank_search, the order in tiers, its memo in
rank_memo) and its sentences (text), each plan and the assumptions (recommendation,
assumptions), the plan file and its figures (plan, plan_figures), the recipes to scale past
one machine (recipes) and the wizard's autosave (wizard_state).

May import: ftwizard.base, ftwizard.catalog, ftwizard.estimate, ftwizard.hardware.profile,
ftwizard.runs, ftwizard.data. Qt-free and torch-free.
"""
