"""Learn from every run: a local record of estimated vs measured memory and speed, and the
correction it implies for the next estimate on the same GPU and architecture.

Stored in SQLite (stdlib `sqlite3`) under the user's data folder. The schema version is
SQLite's `PRAGMA user_version`; `_MIGRATIONS[n]` takes a database from version n to n+1.
A database that cannot be read is moved aside with a message and a fresh one is started:
calibration is a refinement and must never block the program.

The correction (documented in the plan and the PDF as "calibrated from N runs"):
  ratio_i   = measured_i / estimated_i for the matching records (same GPU and GPU count, same model
              architecture family and method; falling back to same GPU and method)
  factor    = exp( w * mean(log ratio_i) ),  w = n / (n + PRIOR_RUNS)
  factor is clamped to [MIN_FACTOR, MAX_FACTOR]
  range     = the estimate's own range widened by WIDEN_ONE_RUN / sqrt(n) (few runs -> wider)
Like with like: estimated_i is the UNcalibrated estimate of what torch's allocator holds (the
estimator's peak minus its CUDA-context term, which torch cannot see) and measured_i is
max_memory_reserved where recorded (allocator slack included, as in the estimate), else
max_memory_allocated. A calibrated figure must never be recorded as an estimate: the
correction would then chase its own output.
The shrinkage weight w (a normal-normal posterior mean with the prior "the estimator is
right" worth PRIOR_RUNS runs) keeps one odd run from moving estimates far.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import sqlite3
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ftwizard.base.errors import FtwizardError
from ftwizard.base.jsonio import load_model, write_model
from ftwizard.base.paths import data_dir

log = logging.getLogger(__name__)

DB_NAME = "calibration.sqlite3"
SCHEMA_VERSION = 3
PRIOR_RUNS = 2.0  # the estimator's own prediction counts as this many runs
MIN_FACTOR, MAX_FACTOR = 0.5, 2.0  # a correction beyond 2x means the estimate is wrong, not off
WIDEN_ONE_RUN = 0.15  # +-15% extra range with one run, shrinking as 1/sqrt(n)


class CalibrationError(FtwizardError):
    """A calibration export file cannot be read."""


class CalibrationRecord(BaseModel):
    """One finished run or probe: what the estimator said beside what the GPU measured."""

    model_config = ConfigDict(extra="forbid")

    created_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))
    kind: Literal["run", "probe"] = "run"
    gpu_name: str = Field(description="As the driver reports it.")
    gpu_id: str | None = Field(default=None, description="Catalog GPU id, when matched.")
    driver_version: str | None = None
    cuda_version: str | None = None
    torch_version: str | None = None
    transformers_version: str | None = None
    peft_version: str | None = None
    bitsandbytes_version: str | None = None
    model_type: str = Field(description="config.json model_type, e.g. llama, qwen2.")
    params_b: float = Field(gt=0)
    hidden_size: int = Field(gt=0)
    num_hidden_layers: int = Field(gt=0)
    method: Literal["full", "lora", "qlora"]
    objective: Literal["sft", "dpo"] = "sft"
    gpus: int = Field(default=1, gt=0, description="Processes (GPUs) in the run; corrections are per layout.")
    strategy: Literal["single", "ddp", "fsdp", "zero3"] = "single"
    seq_len: int = Field(gt=0)
    micro_batch: int = Field(gt=0)
    grad_ckpt: bool
    optimizer: str
    estimated_peak_gb: float = Field(
        gt=0,
        description="The UNcalibrated estimate of what torch's allocator holds at the peak, GB: the "
        "estimator's peak minus its CUDA-context term (torch cannot see the context).",
    )
    measured_peak_gb: float = Field(gt=0, description="torch.cuda.max_memory_allocated, GB.")
    measured_reserved_gb: float | None = Field(
        default=None,
        gt=0,
        description="torch.cuda.max_memory_reserved, GB: the allocator's peak with its slack. When "
        "present, this is what the estimate is compared with (the estimate includes allocator slack).",
    )

    @property
    def measured_for_comparison_gb(self) -> float:
        return self.measured_reserved_gb or self.measured_peak_gb
    estimated_tokens_per_s: float | None = Field(default=None, gt=0)
    measured_tokens_per_s: float | None = Field(default=None, gt=0)

    @property
    def arch_key(self) -> str:
        return f"{self.model_type}:{self.hidden_size}x{self.num_hidden_layers}"


class CalibrationExport(BaseModel):
    """The file a team passes around (offline) to share one kind of workstation's records."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    exported_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))
    records: list[CalibrationRecord]


class Correction(BaseModel):
    """Multiply the estimate by these; `runs` says how many records stand behind them."""

    model_config = ConfigDict(frozen=True)

    memory_factor: float = 1.0
    speed_factor: float = 1.0
    runs: int = 0
    speed_runs: int = 0
    range_widen_fraction: float = 0.0
    matched_on: str = "none"

    @property
    def calibrated(self) -> bool:
        return self.runs > 0

    def describe(self) -> str:
        if not self.runs:
            return "not calibrated (no runs recorded on this GPU)"
        s = "" if self.runs == 1 else "s"
        return (
            f"calibrated from {self.runs} run{s} on this GPU ({self.matched_on}): memory x{self.memory_factor:.2f}"
            + (f", speed x{self.speed_factor:.2f}" if self.speed_runs else "")
        )


_COLUMNS_V1 = """
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    gpu_name TEXT NOT NULL, gpu_id TEXT, driver_version TEXT, cuda_version TEXT,
    torch_version TEXT, transformers_version TEXT, peft_version TEXT, bitsandbytes_version TEXT,
    model_type TEXT NOT NULL, params_b REAL NOT NULL, hidden_size INTEGER NOT NULL,
    num_hidden_layers INTEGER NOT NULL, method TEXT NOT NULL, seq_len INTEGER NOT NULL,
    micro_batch INTEGER NOT NULL, grad_ckpt INTEGER NOT NULL, optimizer TEXT NOT NULL,
    estimated_peak_gb REAL NOT NULL, measured_peak_gb REAL NOT NULL,
    estimated_tokens_per_s REAL, measured_tokens_per_s REAL
"""


def _migrate_0_to_1(con: sqlite3.Connection) -> None:
    con.execute(f"CREATE TABLE IF NOT EXISTS records ({_COLUMNS_V1})")


def _migrate_1_to_2(con: sqlite3.Connection) -> None:
    # v2: probes are recorded too, DPO runs are told apart, and reserved memory is kept.
    con.execute("ALTER TABLE records ADD COLUMN kind TEXT NOT NULL DEFAULT 'run'")
    con.execute("ALTER TABLE records ADD COLUMN objective TEXT NOT NULL DEFAULT 'sft'")
    con.execute("ALTER TABLE records ADD COLUMN measured_reserved_gb REAL")
    con.execute("CREATE INDEX IF NOT EXISTS records_gpu ON records (gpu_id, gpu_name, method)")


def _migrate_2_to_3(con: sqlite3.Connection) -> None:
    # v3: the run's layout (one GPU or several, and how sharded), so a single-GPU correction is
    # never learned from, or applied to, a sharded run;
    # the estimate is compared with the reserved peak where one was recorded.
    con.execute("ALTER TABLE records ADD COLUMN gpus INTEGER NOT NULL DEFAULT 1")
    con.execute("ALTER TABLE records ADD COLUMN strategy TEXT NOT NULL DEFAULT 'single'")


_MIGRATIONS = {0: _migrate_0_to_1, 1: _migrate_1_to_2, 2: _migrate_2_to_3}
_FIELDS = list(CalibrationRecord.model_fields)


class CalibrationStore:
    """The local SQLite store. Cheap to open; every call is its own transaction."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else data_dir() / DB_NAME
        self.notice: str | None = None  # set when a corrupt database was moved aside
        self._open_checked()

    # -- opening, migrating, recovering -------------------------------------------------
    def _open_checked(self) -> None:
        try:
            with self._connect() as con:
                self._migrate(con)
                con.execute("SELECT count(*) FROM records").fetchone()
        except sqlite3.DatabaseError as exc:
            moved = self.path.with_name(
                f"{self.path.name}.corrupt-{dt.datetime.now():%Y%m%d-%H%M%S}"
            )
            self.path.replace(moved)
            self.notice = (
                f"The calibration database {self.path} could not be read ({exc}); it was moved "
                f"to {moved.name} and a fresh one started. Estimates are uncalibrated until new runs finish."
            )
            log.warning("calibration database moved aside: %s", moved)
            with self._connect() as con:
                self._migrate(con)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        new = not self.path.exists()
        con = sqlite3.connect(self.path, timeout=10)
        try:
            if new:
                try:
                    self.path.chmod(0o600)
                except OSError:
                    pass
            with con:
                yield con
        finally:
            con.close()

    @staticmethod
    def _migrate(con: sqlite3.Connection) -> None:
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"schema version {version} is newer than this ftwizard understands ({SCHEMA_VERSION})"
            )
        while version < SCHEMA_VERSION:
            _MIGRATIONS[version](con)
            version += 1
            con.execute(f"PRAGMA user_version = {version}")

    def schema_version(self) -> int:
        with self._connect() as con:
            return int(con.execute("PRAGMA user_version").fetchone()[0])

    # -- records ------------------------------------------------------------------------
    def add(self, record: CalibrationRecord) -> None:
        row = record.model_dump(mode="json")
        cols = ", ".join(_FIELDS)
        marks = ", ".join("?" for _ in _FIELDS)
        with self._connect() as con:
            con.execute(f"INSERT INTO records ({cols}) VALUES ({marks})", [row[f] for f in _FIELDS])

    def records(self) -> list[CalibrationRecord]:
        with self._connect() as con:
            con.row_factory = sqlite3.Row
            rows = con.execute(f"SELECT {', '.join(_FIELDS)} FROM records ORDER BY id").fetchall()
        return [CalibrationRecord.model_validate(dict(r)) for r in rows]

    def clear(self) -> int:
        with self._connect() as con:
            return con.execute("DELETE FROM records").rowcount

    def export(self, path: Path) -> int:
        recs = self.records()
        write_model(path, CalibrationExport(records=recs), private=True)
        return len(recs)

    def import_file(self, path: Path) -> int:
        """Add the records of an export file, skipping ones already present."""
        data = load_model(CalibrationExport, path, CalibrationError)
        have = {_identity(r) for r in self.records()}
        added = 0
        for r in data.records:
            if _identity(r) not in have:
                self.add(r)
                have.add(_identity(r))
                added += 1
        return added

    def correction(
        self,
        gpu_id: str | None,
        gpu_name: str | None,
        model_type: str,
        hidden_size: int,
        num_hidden_layers: int,
        method: str,
        gpus: int = 1,
    ) -> Correction:
        return correction_from(
            self.records(), gpu_id, gpu_name, model_type, hidden_size, num_hidden_layers, method, gpus
        )


def _identity(r: CalibrationRecord) -> tuple:
    return (r.created_at.isoformat(), r.gpu_name, r.arch_key, r.method, r.seq_len, r.measured_peak_gb)


def _shrunk_factor(ratios: list[float]) -> float:
    n = len(ratios)
    w = n / (n + PRIOR_RUNS)
    f = math.exp(w * statistics.fmean(math.log(x) for x in ratios))
    return min(MAX_FACTOR, max(MIN_FACTOR, f))


def correction_from(
    records: list[CalibrationRecord],
    gpu_id: str | None,
    gpu_name: str | None,
    model_type: str,
    hidden_size: int,
    num_hidden_layers: int,
    method: str,
    gpus: int = 1,
) -> Correction:
    """The correction for one estimate, from the records that match it (pure function).
    Only records of the same number of GPUs count: sharding changes what dominates memory."""

    def same_gpu(r: CalibrationRecord) -> bool:
        if gpu_id and r.gpu_id:
            return r.gpu_id == gpu_id
        return bool(gpu_name) and r.gpu_name.lower() == (gpu_name or "").lower()

    on_gpu = [r for r in records if same_gpu(r) and r.method == method and r.gpus == gpus]
    key = f"{model_type}:{hidden_size}x{num_hidden_layers}"
    exact = [r for r in on_gpu if r.arch_key == key]
    family = [r for r in on_gpu if r.model_type == model_type]
    tiers = ((exact, "same model"), (family, f"same family '{model_type}'"), (on_gpu, "same GPU and method"))
    matched, label = next(((m, lab) for m, lab in tiers if m), ([], "none"))
    if not matched:
        return Correction()
    mem = _shrunk_factor([r.measured_for_comparison_gb / r.estimated_peak_gb for r in matched])
    speed_pairs = [
        r.measured_tokens_per_s / r.estimated_tokens_per_s
        for r in matched
        if r.measured_tokens_per_s and r.estimated_tokens_per_s
    ]
    speed = _shrunk_factor(speed_pairs) if speed_pairs else 1.0
    n = len(matched)
    return Correction(
        memory_factor=round(mem, 4),
        speed_factor=round(speed, 4),
        runs=n,
        speed_runs=len(speed_pairs),
        range_widen_fraction=round(WIDEN_ONE_RUN / math.sqrt(n), 4),
        matched_on=label,
    )
