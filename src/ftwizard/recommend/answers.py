"""What the user told the wizard. The one input of the recommendation engine.

`schema_version` 1 is a contract: new fields get defaults, so older files still load.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from ftwizard.base.errors import AnswersError
from ftwizard.base.jsonio import load_model, validate_model
from ftwizard.catalog.entries import TaskKind

LangCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$", to_lower=True)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Task(_Section):
    kind: TaskKind = Field(description="What the tuned model must do.")
    domain: str = Field(default="", max_length=200, description="e.g. support, legal, medical.")
    description: str = Field(
        default="",
        max_length=5000,
        description="Free text; never written to logs (it may describe regulated work).",
    )


class Budget(_Section):
    training_usd: float = Field(ge=0, le=1e12, allow_inf_nan=False, description="Most the team will spend on training runs.")
    monthly_inference_usd: float | None = Field(
        default=None, ge=0, le=1e12, allow_inf_nan=False, description="Most the team will spend a month to serve the model."
    )


class DataAnswers(_Section):
    examples: int = Field(ge=0, le=10**12, description="Training examples the team has (or will have).")
    avg_tokens: int = Field(default=512, gt=0, le=1_000_000, description="Mean tokens per example.")
    p95_tokens: int | None = Field(
        default=None, gt=0, le=1_000_000, description="95th percentile length, from the dataset inspector."
    )
    preference_pairs: bool = Field(default=False, description="Pairs of better/worse answers (DPO).")


class Compliance(_Section):
    commercial_use: bool = Field(description="The tuned model will be used in a commercial product.")
    regulated_data: bool = Field(default=False, description="Training data is regulated (health, finance, personal).")
    air_gapped: bool = Field(default=False, description="The run must happen on local hardware, offline.")
    open_training_data_required: bool = Field(
        default=False, description="Only models whose training data is published."
    )
    data_residency: str | None = Field(
        default=None, max_length=100, description="Where data must stay, e.g. 'EU' (informs cloud choice)."
    )


class GpuCount(_Section):
    name: str = Field(min_length=1, description="Catalog id or the name the driver reports.")
    count: int = Field(default=1, ge=1, le=1024)
    memory_gb: float | None = Field(
        default=None,
        gt=0,
        le=2048,
        description="Tells apart cards that share a name; for a card the catalog does not list, the memory it is planned with.",
    )


class HardwareAnswers(_Section):
    mode: Literal["detect", "local", "cloud"] = Field(
        default="detect", description="detect: use the detector; local: the listed GPUs; cloud: any priced option."
    )
    gpus: list[GpuCount] = Field(
        default_factory=list,
        description="Local GPUs; with mode 'local' an empty list means this machine has no GPU (CPU-only advice).",
    )


class Answers(_Section):
    schema_version: Literal[1] = 1
    project_name: str = Field(default="", max_length=200)
    task: Task
    languages: list[LangCode] = Field(min_length=1, description="ISO 639-1 codes the model must handle.")
    budget: Budget
    data: DataAnswers
    compliance: Compliance
    hardware: HardwareAnswers = Field(default_factory=HardwareAnswers)
    knowledge_changes_often: bool = Field(
        default=False, description="Facts change often (prices, policies): retrieval beats tuning."
    )

    @field_validator("languages")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(v))


def load_answers(path: Path) -> Answers:
    return load_model(Answers, path, AnswersError)


def parse_answers(data: object, source: str = "answers") -> Answers:
    return validate_model(Answers, data, source, AnswersError)


def default_answers() -> Answers:
    """Sensible defaults so a user can click through the wizard."""
    return Answers(
        task=Task(kind="chat", domain="", description=""),
        languages=["en"],
        budget=Budget(training_usd=500, monthly_inference_usd=300),
        data=DataAnswers(examples=1000, avg_tokens=512),
        compliance=Compliance(commercial_use=True),
    )
