"""The model-folder check moved to `ftwizard.catalog.model_folder` (torch-free, so the GUI can
run it before launching the runner); this name stays for the runner and older imports."""

from ftwizard.catalog.model_folder import (  # noqa: F401 (re-exports)
    PICKLE_SUFFIXES,
    TOKENIZER_FILES,
    ModelFolder,
    check_model_folder,
)
