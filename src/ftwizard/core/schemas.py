"""Every persisted format, by name, for `ftwizard schema NAME`.

Values are "module:Class" so listing names imports nothing heavy; modules are imported
only when a schema is asked for. Each later feature adds its format here.
"""

from __future__ import annotations

import importlib
from typing import Any

from ftwizard.core.errors import FtwizardError

FORMATS: dict[str, str] = {
    "answers": "ftwizard.core.answers:Answers",
    "catalog-models": "ftwizard.core.catalog:ModelsFile",
    "catalog-gpus": "ftwizard.core.catalog:GpusFile",
    "catalog-prices": "ftwizard.core.catalog:PricesFile",
    "catalog-licences": "ftwizard.core.catalog:LicencesFile",
    "catalog-techniques": "ftwizard.core.catalog:TechniquesFile",
    "user-catalog": "ftwizard.core.catalog:UserCatalog",
    "calibration-export": "ftwizard.core.calibration:CalibrationExport",
    "hardware-profile": "ftwizard.core.hardware_profile:HardwareProfile",
    "run-config": "ftwizard.core.runconfig:RunConfig",
    "estimate-request": "ftwizard.core.estimator:EstimateRequest",
    "estimate": "ftwizard.core.estimator:Estimate",
    "manifest": "ftwizard.core.manifest:Manifest",
    "run-launch": "ftwizard.core.runs:LaunchRecord",
    "samples-header": "ftwizard.core.samples:SamplesHeader",  # samples.jsonl, line 1
    "sample": "ftwizard.core.samples:Sample",  # samples.jsonl, every further line
    "run-eval": "ftwizard.core.task_metrics:EvalReport",  # eval.json
    "plan": "ftwizard.core.plan:Plan",
    "dataset-report": "ftwizard.core.data.report:DatasetReport",
    "autosave": "ftwizard.core.wizard_state:Autosave",
    "settings": "ftwizard.core.wizard_state:Settings",
    "doctor-report": "ftwizard.cli.doctor_cmd:DoctorReport",
    "wheelhouse": "ftwizard.runtime_install:WheelhouseManifest",
}


def register(name: str, target: str) -> None:
    FORMATS[name] = target


def schema_names() -> list[str]:
    return sorted(FORMATS)


def json_schema(name: str) -> dict[str, Any]:
    try:
        target = FORMATS[name]
    except KeyError:
        raise FtwizardError(
            f"unknown format '{name}'; known formats: {', '.join(schema_names())}"
        ) from None
    module, cls = target.split(":")
    model = getattr(importlib.import_module(module), cls)
    schema: dict[str, Any] = model.model_json_schema()
    schema.setdefault("title", cls)
    return schema
