"""Is the model folder a run was given the model its plan chose?

A plan names a catalog model (`RunConfig.catalog_model_id`); the user then points the run at a
folder on disk. Nothing stopped a Llama folder from running under a Qwen3 4B plan, and the
run's history and manifest then recorded "qwen3-4b". This compares the folder's config.json
with the catalog's architecture (family, depth, width, parameter count) and says what differs;
`truthful_config` drops the catalog id when they differ, so what the run records is the
folder's truth, never the plan's hope.

    check_model_against_plan(folder, catalog_model_id, catalog) -> ModelMatch
    truthful_config(config, match) -> RunConfig

Qt-free: the run set-up page, the CLI and the launcher may share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ftwizard.base.errors import CatalogError, EstimateError, FtwizardError
from ftwizard.estimate.arch import shapes
from ftwizard.estimate.arch_config import architecture_from_config

# Parameter counts closer than this share are the same size (checkpoints of one model differ
# by padding of the vocabulary and by tied or untied heads, a few per cent at most).
SIZE_TOLERANCE = 0.10


@dataclass(frozen=True)
class ModelMatch:
    """What the folder is against what the plan chose."""

    ok: bool
    plan_model: str  # 'Qwen3 4B (qwen3, 4.02 B parameters)' or '' when the plan names none
    folder_model: str  # 'llama, 28 layers x 3072, 3.21 B parameters'
    differences: list[str] = field(default_factory=list)

    def message(self) -> str:
        if not self.plan_model:
            return f"The folder holds {self.folder_model}; the run names no catalog model to check it against."
        if self.ok:
            return f"The folder holds the plan's model: {self.plan_model}."
        return (f"The folder is not the plan's model: the plan chose {self.plan_model}, the folder holds "
                f"{self.folder_model} ({'; '.join(self.differences)}). The plan's memory, time and cost "
                "figures do not apply; the run will be recorded as the folder's model.")

    def checklist_line(self) -> tuple[bool, str]:
        """(ok, text) in the style of the model folder checklist."""
        return self.ok, self.message()


def _describe(arch: Any, params: int) -> str:
    return f"{arch.model_type}, {arch.num_hidden_layers} layers x {arch.hidden_size}, {params / 1e9:.2f} B parameters"


def check_model_against_plan(folder: Path, catalog_model_id: str | None, catalog: Any) -> ModelMatch:
    """Compare the folder's config.json with the catalog entry the plan chose.

    Raises FtwizardError (EstimateError) naming the file when config.json cannot be read."""
    arch = architecture_from_config(Path(folder))
    params = shapes(arch).total_params
    found = _describe(arch, params)
    if not catalog_model_id:
        return ModelMatch(ok=True, plan_model="", folder_model=found)
    try:
        entry = catalog.model(catalog_model_id)
    except (CatalogError, KeyError):
        return ModelMatch(ok=False, plan_model=catalog_model_id, folder_model=found,
                          differences=[f"'{catalog_model_id}' is not in the loaded catalog"])
    want = entry.architecture
    expected = f"{entry.name} ({want.model_type}, {entry.params_b:.2f} B parameters)"
    diffs = []
    if arch.model_type != want.model_type:
        diffs.append(f"architecture '{arch.model_type}', the plan's is '{want.model_type}'")
    if (arch.num_hidden_layers, arch.hidden_size) != (want.num_hidden_layers, want.hidden_size):
        diffs.append(f"{arch.num_hidden_layers} layers x {arch.hidden_size} wide, the plan's model has "
                     f"{want.num_hidden_layers} x {want.hidden_size}")
    plan_params = entry.params_b * 1e9
    if abs(params - plan_params) > SIZE_TOLERANCE * plan_params:
        diffs.append(f"{params / 1e9:.2f} B parameters, the plan's model has {entry.params_b:.2f} B")
    return ModelMatch(ok=not diffs, plan_model=expected, folder_model=found, differences=diffs)


def safe_check(folder: Path, catalog_model_id: str | None, catalog: Any) -> ModelMatch | None:
    """`check_model_against_plan`, or None where the folder has no readable config.json (the
    model folder checklist already says so)."""
    try:
        return check_model_against_plan(folder, catalog_model_id, catalog)
    except (EstimateError, FtwizardError, OSError):
        return None


def plan_model_name(catalog_model_id: str, catalog: Any | None) -> str:
    """'Qwen3 4B' for a catalog id (the id itself without a catalog or when it is not in it)."""
    try:
        return catalog.model(catalog_model_id).name if catalog is not None else catalog_model_id
    except (CatalogError, KeyError):
        return catalog_model_id


def truthful_config(config: Any, match: ModelMatch | None) -> Any:
    """The run's config as it should be recorded: without the plan's catalog id when the
    folder holds another model (history and manifest.json then name the folder)."""
    if match is None or match.ok or not getattr(config, "catalog_model_id", None):
        return config
    return config.model_copy(update={"catalog_model_id": None})
