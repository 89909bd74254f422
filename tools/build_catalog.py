"""Build the shipped catalog (resources/catalog/*.json) from the sourced reference data.

The code is split by section under tools/catalog_build/: licences.py (licence terms),
row_tables.py and parsing.py (per-row choices and cell parsers for models_reference.csv),
csv_models.py (the CSV rows), gpus.py, prices.py, techniques.py. This script is the one entry
point; it writes every file.

Usage (from the repository root):

    python3 tools/build_catalog.py [--reference ../shared/data/reference] [--check]

Inputs: models_reference.csv, gpus_reference.csv and catalog_notes.md (the research notes;
licence terms and prices below are transcribed from its sections 1, 3 and 6 and from the
CSVs' `license_commercial_terms` and `cloud_prices` columns). Outputs: licences.json,
models.json, gpus.json, prices.json and techniques.json, 2-space indented, in a stable order
(models and GPUs in CSV order, i.e. grouped by family). The script is deterministic: no
clock, no network, no randomness; running it twice gives byte-identical files. `--check`
validates the output with the pydantic schema in src/ftwizard/catalog/entries.py.

Rules applied (so a reviewer can check any value against the CSV):

* Blank stays blank: an empty or "n/a" cell, or one the CSV marks as not read from a source,
  becomes null. A cell like "2000 (ml-engineering) / 2048 (gpu-specs)" keeps the first
  number; the rest goes to `notes`.
* A model whose required architecture cells are blank or unparseable is dropped (printed).
* `params_b` = params_b_computed. `attention_bias` is true for model_type qwen2 (QKV bias,
  catalog_notes section 2) and for GPT-2 (biased c_attn). Context "128K" = 131072 tokens.
* hf_repo_id is the base checkpoint; instruct_repo_id the instruct/chat/-it checkpoint the
  CSV names. For instruct-only releases (the CSV says so, or the only repo is an Instruct
  one) both fields hold the same repo and benchmarks default to variant "instruct".
* languages: only ISO 639-1 codes the row names (a language named in words, e.g. "English",
  counts); vendor counts without a list ("119 languages") go to languages_note.
* release_date: a full ISO date at the start of the cell; month-only cells give null; any
  qualifier is kept in notes.
* Benchmarks: "NAME [n-shot] [CoT] [maj@k|pass@1]=SCORE", segments split on " | ",
  "Context:" prefixes set the variant (Instruct/chat/-it => instruct; Base/PT/(base) =>
  base) and the evaluator ("Qwen eval", "Microsoft eval", "Ai2 eval", "Mistral paper",
  "BigCode leaderboard"); the evaluator is dropped where it is the model's own vendor.
  Segments listed in SKIP_SEGMENTS are left out (reason in the model's notes).

task_strengths rule (every tag is traceable to the CSV row):

* code: Code Llama and Qwen2.5-Coder models, or any HumanEval score >= 60 (any variant).
* reasoning: DeepSeek-R1 distills, or any GSM8K score >= 80 (any variant).
* translation: >= 8 languages listed in `languages`, or a vendor claim of >= 8 languages
  stated as a number in the languages cell ("29+ languages", "119 languages"), unless the
  CSV marks that claim "not verified" (Gemma 3's "140+ ... per-size coverage not verified").
* chat and instruction: an instruct/chat variant is evidenced in the row (an instruct or
  chat repo id, benchmarks labelled Instruct/chat/-it, an instruct-only release, or the
  context/licence cell naming an Instruct variant). Not for the R1 distills (reasoning
  checkpoints; the row names no instruct variant).
* classification, extraction, summarization and qa are never set: no source gives them
  (except where a curated row's vendor card lists them, see catalog_build/new_*.py).

On top of the CSV (catalog_build/assemble.py):

* catalog_build/new_models.py adds the 2025-2026 models (one new_*.py module per vendor
  family) and catalog_build/row_fixes.py fixes CSV rows (vendor language lists,
  superseded_by, re-sourced licences), each with `ev(fact, url, kind, note)` evidence read on
  2026-12-05; numbers not found stay null. catalog_build/vendor_shapes.py holds the vendor
  statements of CSV rows' shapes the builder checks.
* catalog_build/sources.py classifies every CSV source string per fact: vendor (the
  publisher's own org or host, per family), paper (arXiv), or third_party (litgpt, Docker
  cards, mirrors). `ftwizard catalog validate` fails a row with no primary source.
* params_b / active_params_b of curated rows come from the estimator's own counter
  (ftwizard.estimate.arch), so catalog and estimator agree; capabilities and
  benchmark task kinds follow the rules in catalog_build/capabilities.py.
* Every entry is validated and written by the pydantic schema (schema field order).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "resources" / "catalog"
DEFAULT_REFERENCE = ROOT.parent / "shared" / "data" / "reference"

HEADER = {"schema_version": 1, "version": "2026.12.0", "as_of": "2026-12-05"}

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))  # the schema and the estimator

from catalog_build.assemble import assemble_models  # noqa: E402
from catalog_build.csv_models import build_models  # noqa: E402
from catalog_build.gpus import build_gpus  # noqa: E402
from catalog_build.licences import LICENCES  # noqa: E402
from catalog_build.prices import PRICES  # noqa: E402
from catalog_build.techniques import TECHNIQUES  # noqa: E402


# --------------------------------------------------------------------------------------
def write(section: str, items: list[dict]) -> None:
    data = dict(HEADER)
    data[section] = items
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    (OUT_DIR / f"{section}.json").write_text(text, encoding="utf-8")


def check() -> None:
    from ftwizard.catalog.entries import SECTIONS

    for section, model in SECTIONS.items():
        parsed = model.model_validate(
            json.loads((OUT_DIR / f"{section}.json").read_text(encoding="utf-8"))
        )
        print(f"{section}: {len(getattr(parsed, section))} entries valid")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    ap.add_argument(
        "--check", action="store_true", help="validate the output with the pydantic schema"
    )
    args = ap.parse_args()
    with open(args.reference / "models_reference.csv", newline="", encoding="utf-8") as f:
        model_rows = list(csv.DictReader(f))
    with open(args.reference / "gpus_reference.csv", newline="", encoding="utf-8") as f:
        gpu_rows = list(csv.DictReader(f))
    models, dropped = build_models(model_rows)
    n_csv = len(models)
    models = assemble_models(models)
    gpus = build_gpus(gpu_rows)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    write("licences", LICENCES)
    write("models", models)
    write("gpus", gpus)
    write("prices", PRICES)
    write("techniques", TECHNIQUES)
    print(
        f"models: {n_csv} of {len(model_rows)} CSV rows + {len(models) - n_csv} curated; gpus: {len(gpus)}; prices: {len(PRICES)}; licences: {len(LICENCES)}"
    )
    for d in dropped:
        print(f"dropped {d}")
    if args.check:
        check()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

