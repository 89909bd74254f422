"""ftwizard.catalog: the shipped facts about models, GPUs, prices, licences and techniques.

The pydantic row types with the source of each fact (entries), the Catalog loaded with user
overlays, linked and audited (store), language names and coverage (languages), and reading a
local model folder's config, licence and weights (model_folder, model_folder_report).

May import: ftwizard.base. Qt-free and torch-free.
"""
