"""The dataset report: what `ftwizard data inspect` prints and the Data page shows.

It holds line numbers, field paths, counts and figures, never a row's text, so it can be
saved, mailed to a reviewer or attached to an audit without leaking the data.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ProblemKindName = Literal[
    "bad_json",
    "bad_encoding",
    "bad_csv",
    "wrong_type",
    "missing_field",
    "missing_role",
    "unknown_role",
    "empty_turn",
    "empty_field",
    "no_assistant_turn",
    "duplicate",
    "too_long",
]

PiiKindName = Literal["email", "phone", "card_number", "national_id", "iban"]

# Reports keep the first problems in file order; totals count them all.
MAX_PROBLEMS_LISTED = 1000
MAX_PII_LINES_LISTED = 1000


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProblemEntry(_Model):
    line: int = Field(ge=1, description="1-based line where the row starts (row number for Parquet).")
    field: str = Field(description="JSON path inside the row, '$' for the row itself.")
    kind: ProblemKindName
    reason: str = Field(description="Why, in fixed words; never the row's content.")


class TokenStats(_Model):
    method: Literal["tokenizer", "estimate"] = Field(
        description="tokenizer: the model's tokenizer.json; estimate: characters per token by script."
    )
    source: str = Field(description="Tokenizer folder name, or the estimate's rule.")
    turn_overhead_tokens: int = Field(description="Chat-template tokens added per turn.")
    examples: int = Field(ge=0, description="Examples counted (the good rows).")
    total_tokens: int = Field(ge=0)
    mean_tokens: float = Field(ge=0, description="Use for time: tokens per epoch = mean x examples.")
    min_tokens: int = Field(ge=0)
    p50_tokens: int = Field(ge=0)
    p95_tokens: int = Field(ge=0, description="Use for memory: the sequence length to size for.")
    max_tokens: int = Field(ge=0)


class OverLength(_Model):
    seq_len: int = Field(gt=0, description="Training sequence length in tokens.")
    examples_over: int = Field(ge=0, description="Examples longer than seq_len (truncated in training).")


class Histogram(_Model):
    edges_tokens: list[int] = Field(description="Bin edges; bin i holds lengths in [edges[i], edges[i+1]).")
    counts: list[int]


class PiiFinding(_Model):
    kind: PiiKindName
    matches: int = Field(ge=0, description="Matches found (a row may hold several).")
    rows: int = Field(ge=0, description="Rows with at least one match.")
    lines: list[int] = Field(description=f"Lines of those rows, the first {MAX_PII_LINES_LISTED}.")


class PiiSummary(_Model):
    scanned_rows: int = Field(ge=0)
    rows_with_any: int = Field(ge=0)
    findings: list[PiiFinding] = Field(description="One entry per kind, in a fixed order.")
    note: str = Field(
        default="Pattern matches are likely personal data, not proof; the scan reports where, never what.",
    )


class DatasetReport(_Model):
    schema_version: Literal[1] = 1
    file: str = Field(description="The file inspected, as given.")
    file_size_bytes: int = Field(ge=0)
    file_sha256: str = Field(description="Hex SHA-256 of the file's bytes (empty when cancelled).")
    container: Literal["jsonl", "json", "csv", "tsv", "parquet"]
    format: Literal["messages", "sharegpt", "alpaca", "prompt_completion", "text", "preference"]
    format_detected: bool = Field(description="True when detected, False when given by the user.")
    columns: dict[str, str] = Field(default_factory=dict, description="Canonical field -> file column.")
    rows_read: int = Field(ge=0, description="Rows seen (blank lines are not rows).")
    rows_good: int = Field(ge=0, description="Rows a training run can use.")
    rows_bad: int = Field(ge=0, description="Rows with a problem (one problem counted per row).")
    problems_by_kind: dict[ProblemKindName, int] = Field(default_factory=dict)
    problems: list[ProblemEntry] = Field(
        default_factory=list, description=f"The first {MAX_PROBLEMS_LISTED} problems in file order."
    )
    problems_listed_all: bool = Field(description="False when problems were left off the list.")
    turns_total: int = Field(ge=0, description="Turns across good rows (preference: prompt turns + 2; text rows: 0).")
    context_tokens: int | None = Field(
        default=None, description="Rows longer than this are 'too_long' (the model's context window)."
    )
    seq_len: int | None = Field(default=None, description="The training sequence length asked about.")
    tokens: TokenStats | None = Field(default=None, description="None when no row is good.")
    over_length: list[OverLength] = Field(default_factory=list)
    histogram: Histogram | None = None
    pii: PiiSummary | None = Field(default=None, description="None when the scan was turned off.")
    duplicates_exact: bool = Field(
        default=True,
        description="False when the file holds more distinct rows than the duplicate check keeps "
        "(8,388,608): rows after that were checked against the first ones only.",
    )
    cancelled: bool = Field(default=False, description="True: the user stopped; figures cover rows_read only.")
    bytes_read: int = Field(ge=0)
    seconds: float = Field(ge=0, description="Wall time of the inspection.")

    @property
    def examples_over_seq_len(self) -> int | None:
        if self.seq_len is None:
            return None
        return next((o.examples_over for o in self.over_length if o.seq_len == self.seq_len), None)
