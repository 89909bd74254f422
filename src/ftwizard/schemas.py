"""Every persisted format, by name, for `ftwizard schema NAME`.

Values are "module:Class" so listing names imports nothing heavy; modules are imported
only when a schema is asked for. Each later feature adds its format here.
"""

from __future__ import annotations

import importlib
from typing import Any

from ftwizard.base.errors import FtwizardError

FORMATS: dict[str, str] = {
    "answers": "ftwizard.recommend.answers:Answers",
    "catalog-models": "ftwizard.catalog.entries:ModelsFile",
    "catalog-gpus": "ftwizard.catalog.entries:GpusFile",
    "catalog-prices": "ftwizard.catalog.entries:PricesFile",
    "catalog-licences": "ftwizard.catalog.entries:LicencesFile",
    "catalog-techniques": "ftwizard.catalog.entries:TechniquesFile",
    "user-catalog": "ftwizard.catalog.entries:UserCatalog",
    "calibration-export": "ftwizard.estimate.calibration:CalibrationExport",
    "hardware-profile": "ftwizard.hardware.profile:HardwareProfile",
    "run-config": "ftwizard.runs.config:RunConfig",
    "estimate-request": "ftwizard.estimate.request:EstimateRequest",
    "estimate": "ftwizard.estimate.request:Estimate",
    "manifest": "ftwizard.runs.manifest:Manifest",
    "run-launch": "ftwizard.runs.history:LaunchRecord",
    "samples-header": "ftwizard.evaluate.samples:SamplesHeader",  # samples.jsonl, line 1
    "sample": "ftwizard.evaluate.samples:Sample",  # samples.jsonl, every further line
    "run-eval": "ftwizard.evaluate.metrics:EvalReport",  # eval.json
    "plan": "ftwizard.recommend.plan:Plan",
    "dataset-report": "ftwizard.data.report:DatasetReport",
    "autosave": "ftwizard.recommend.wizard_state:Autosave",
    "settings": "ftwizard.base.settings:Settings",
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
