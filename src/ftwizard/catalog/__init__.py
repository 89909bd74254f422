"""ftwizard.catalog: the shipped facts about models, GPUs, prices, licences and techniques.

The pydantic row types and the loader with user overlays (entries), language names and
coverage (languages), and reading a local model folder's config, licence and weights
(model_folder, model_folder_report). Every fact carries its source.

May import: ftwizard.base. Qt-free and torch-free.
"""
