"""`samples.jsonl` in a run folder: answers of the base and the tuned model to holdout prompts,
beside the reference answer, and the word diff the results view and the report show.

The file is written by the training runtime (`ftwizard.train.samples`); everything here is
torch-free so the GUI, the report and the CLI read it. Line 1 is a header (how the answers
were made), every further line one sample. The file holds dataset text: it is written 0600.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ftwizard.base.errors import FtwizardError
from ftwizard.base.jsonio import atomic_write_text, describe_validation_error

SAMPLES = "samples.jsonl"
EVAL = "eval.json"
DEFAULT_N = 20
DEFAULT_MAX_NEW_TOKENS = 256


class SamplesError(FtwizardError):
    """A samples file that cannot be read, or samples that cannot be made."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SamplesHeader(_Strict):
    kind: Literal["header"] = "header"
    schema_version: Literal[1] = 1
    created_at: str = Field(description="ISO 8601, UTC.")
    decoding: Literal["greedy"] = Field(default="greedy", description="Deterministic: the most likely token each step.")
    max_new_tokens: int = Field(ge=1, description="Token limit of each answer.")
    chat_template: Literal["model", "fallback"] = Field(
        description="The tokenizer's own chat template, or ftwizard's '### User:' text template.")
    holdout_source: Literal["file", "split"]
    holdout_rows: int = Field(ge=0, description="Usable holdout rows; the first n are answered.")
    skipped_rows: int = Field(default=0, ge=0, description="Holdout rows with no prompt/answer split (plain text).")
    base_model: str
    tuned: str = Field(description="The adapter folder, or the tuned full model's folder.")
    device: str
    weights: str = Field(default="", description="How the models were loaded, e.g. 'nf4 base + adapter'.")
    seconds: float = Field(ge=0, description="Time to generate every answer, both models.")


class Sample(_Strict):
    kind: Literal["sample"] = "sample"
    index: int = Field(ge=0, description="Position in the holdout.")
    line: int = Field(ge=1, description="Line of the row in its data file.")
    prompt: list[dict[str, str]] = Field(description="The conversation up to the answer (role, content).")
    reference: str = Field(description="The holdout's own answer.")
    base: str
    tuned: str
    base_tokens: int = Field(ge=0)
    tuned_tokens: int = Field(ge=0)
    base_truncated: bool = Field(default=False, description="Stopped at the token limit, not at its end token.")
    tuned_truncated: bool = False

    def prompt_text(self) -> str:
        """The last user turn (what a person asked), or the whole prompt if there is none."""
        users = [m["content"] for m in self.prompt if m.get("role") == "user"]
        return users[-1] if users else "\n".join(m.get("content", "") for m in self.prompt)


class SamplesFile(BaseModel):
    header: SamplesHeader
    samples: list[Sample]


def write_samples(run_dir: Path, header: SamplesHeader, samples: list[Sample]) -> Path:
    """Atomic and private (the prompts and answers are the user's data)."""
    lines = [header.model_dump_json()] + [s.model_dump_json() for s in samples]
    path = Path(run_dir) / SAMPLES
    atomic_write_text(path, "\n".join(lines) + "\n", private=True)
    return path


def read_samples(run_dir_or_file: Path) -> SamplesFile:
    """SamplesError names the file, the line and the field of anything wrong."""
    path = Path(run_dir_or_file)
    if path.is_dir():
        path = path / SAMPLES
    if not path.is_file():
        raise SamplesError(f"{path}: no samples yet (ftwizard runs samples RUN makes them)")
    header: SamplesHeader | None = None
    samples: list[Sample] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SamplesError(f"{path}: cannot be read ({exc})") from None
    for no, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise SamplesError(f"{path}: line {no}: not JSON ({exc.msg})") from None
        kind = obj.get("kind") if isinstance(obj, dict) else None
        try:
            want = "header" if header is None else "sample"
            if kind != want:
                raise SamplesError(f"{path}: line {no}: field kind: expected {want}, got {kind!r}")
            if header is None:
                header = SamplesHeader.model_validate(obj)
            else:
                samples.append(Sample.model_validate(obj))
        except ValidationError as exc:
            raise SamplesError(describe_validation_error(f"{path}: line {no}", exc)) from None
    if header is None:
        raise SamplesError(f"{path}: line 1: field kind: the header line is missing")
    return SamplesFile(header=header, samples=samples)


# -- the diff view ---------------------------------------------------------------------------------
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(a: str, b: str) -> list[tuple[Literal["same", "removed", "added"], str]]:
    """Pieces of the change from `a` to `b` by words (difflib.SequenceMatcher over word,
    space and punctuation tokens): kept, removed from a, added in b."""
    ta, tb = _TOKEN.findall(a), _TOKEN.findall(b)
    out: list[tuple[Literal["same", "removed", "added"], str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=ta, b=tb, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", "".join(ta[i1:i2])))
            continue
        if i2 > i1:
            out.append(("removed", "".join(ta[i1:i2])))
        if j2 > j1:
            out.append(("added", "".join(tb[j1:j2])))
    return out


def pick_for_report(samples: list[Sample], k: int = 3) -> list[Sample]:
    """A chosen few for the PDF: the samples where base and tuned differ most (lowest
    difflib ratio), in holdout order; identical answers only if nothing differs."""
    scored = sorted(samples, key=lambda s: (difflib.SequenceMatcher(a=s.base, b=s.tuned, autojunk=False).ratio(),
                                            s.index))
    return sorted(scored[:k], key=lambda s: s.index)
