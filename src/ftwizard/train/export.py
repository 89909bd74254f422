"""Take a finished run away: the merged model, the adapter alone, or GGUF.

    export_run(run_dir, fmt, out, *, llama_cpp=None) -> ExportResult
    python -m ftwizard.train.export RUN_DIR --format merged|adapter|gguf --out DIR [--llama-cpp PATH] [--json]

- merged: full weights with the adapter folded in (safetensors, Hugging Face layout: config,
  generation config, tokenizer), loadable with `AutoModelForCausalLM.from_pretrained(DIR)`.
  The base is loaded unquantised for the merge (merging into 4-bit weights would round the
  adapter away), in the run's 16-bit precision (fp32 when the run computed in fp32).
- adapter: the PEFT adapter alone (adapter_config.json + adapter_model.safetensors and the
  tokenizer), for `PeftModel.from_pretrained(base, DIR)` or LoRA serving in vLLM / TGI.
- gguf: the merged model converted by llama.cpp's `convert_hf_to_gguf.py` (f16), only when a
  llama.cpp checkout is configured (`--llama-cpp` or FTWIZARD_LLAMA_CPP); otherwise the error
  says how to get one onto a machine without network.

Every export carries the base model's licence files (LICENSE*, LICENCE*, NOTICE*, USE_POLICY*,
COPYING*) and a model card (README.md) stating the base model, the data's SHA-256, the method
and settings, and the measured metrics. The folder is built beside `out` and renamed into place:
an export is whole or absent.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from ftwizard import __version__
from ftwizard.base.errors import ExportError, FtwizardError
from ftwizard.base.offline import child_env
from ftwizard.runs.manifest import Manifest

Format = Literal["merged", "adapter", "gguf"]
FORMATS: tuple[str, ...] = ("merged", "adapter", "gguf")
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")
LICENCE_PREFIXES = ("license", "licence", "notice", "use_policy", "copying")
LLAMA_CPP_ENV = "FTWIZARD_LLAMA_CPP"
CONVERTER = "convert_hf_to_gguf.py"
GET_LLAMA_CPP = (
    "to get one for a machine without network: on a connected machine run "
    "`git clone --depth 1` the llama.cpp repository (github.com/ggml-org/llama.cpp) and "
    "`pip download -r llama.cpp/requirements/requirements-convert_hf_to_gguf.txt -d llama.cpp/wheels`, "
    "copy the llama.cpp folder over, run `pip install --no-index --find-links llama.cpp/wheels "
    "-r llama.cpp/requirements/requirements-convert_hf_to_gguf.txt` in the training runtime, then pass "
    f"--llama-cpp /path/to/llama.cpp (or set {LLAMA_CPP_ENV})"
)


class ExportResult(BaseModel):
    format: str
    out_dir: str
    files: list[str]
    licence_files: list[str]
    size_mb: float
    note: str = ""


def licence_files(model_dir: Path) -> list[Path]:
    """The base model folder's licence and notice files (the model card names them)."""
    if not Path(model_dir).is_dir():
        return []
    return sorted(p for p in Path(model_dir).iterdir()
                  if p.is_file() and p.name.lower().startswith(LICENCE_PREFIXES))


def _catalog_licences(model_id: str | None) -> list:
    if not model_id:
        return []
    try:
        from ftwizard.catalog.store import load_catalog

        cat = load_catalog()
        return cat.model_licences(cat.model(model_id))
    except FtwizardError:
        return []


def model_card(manifest: Manifest, fmt: str, licences: list[str], eval_report=None) -> str:
    """README.md of an export: base, data digest, method, settings, metrics, licence."""
    cfg, m, ds = manifest.run_config, manifest.metrics, manifest.dataset
    cat_lic = _catalog_licences(cfg.catalog_model_id)
    base_name = cfg.catalog_model_id or Path(cfg.model_dir).name
    spdx = next((lic.spdx for lic in cat_lic if lic.spdx), None)
    adapter = cfg.method != "full" and fmt == "adapter"
    front = ["---", f"base_model: {base_name}", f"library_name: {'peft' if adapter else 'transformers'}",
             f"license: {(spdx or 'other').lower()}",
             f"tags: [ftwizard, {cfg.method}, {cfg.objective}]", "---", ""]
    what = {"merged": "full weights with the adapter merged in", "adapter": "the LoRA adapter alone",
            "gguf": "GGUF (llama.cpp), converted from the merged weights"}[fmt]
    lines = front + [
        f"# {base_name}, fine-tuned ({cfg.method}, {cfg.objective})", "",
        f"This folder holds {what}. Made by ftwizard {__version__} from the run that finished at "
        f"{manifest.finished_at}.", "",
        "## Base model", "",
        f"- Model: {base_name}" + (f" (catalog id {cfg.catalog_model_id})" if cfg.catalog_model_id else ""),
        "- Weights SHA-256: " + (", ".join(f"{Path(f.path).name} {f.sha256}" for f in manifest.model_files
                                           if Path(f.path).suffix in WEIGHT_SUFFIXES) or "not recorded"),
        "",
        "## Training data", "",
    ]
    for f in ds.files:
        lines.append(f"- {Path(f.path).name}: SHA-256 {f.sha256}, {f.size_bytes:,} bytes")
    lines += [
        f"- {ds.train_examples:,} training examples, {ds.holdout_examples:,} held out "
        f"({'a separate file' if ds.holdout_source == 'file' else 'a seeded split'}), {ds.train_tokens:,} tokens",
        "",
        "## Method", "",
        f"- {cfg.method} ({manifest.quantisation} base), objective {cfg.objective}, precision {manifest.precision}",
        f"- {m.steps} steps, learning rate {cfg.learning_rate:g} ({cfg.lr_schedule}), sequence length {cfg.seq_len}, "
        f"micro-batch {cfg.micro_batch} x {cfg.grad_accum} accumulation, seed {cfg.seed}",
    ]
    if cfg.method != "full":
        lines.append(f"- LoRA rank {cfg.lora_r}, alpha {cfg.lora_alpha:g}, dropout {cfg.lora_dropout:g}, "
                     f"targets {', '.join(cfg.lora_targets)}")
    lines += ["", "## Results on the holdout", "", "| Metric | Base | Tuned |", "| --- | --- | --- |"]
    if m.eval_loss_before is not None:
        lines.append(f"| Eval loss (mean cross-entropy of answer tokens) | {m.eval_loss_before:.4f} | "
                     f"{m.eval_loss_after:.4f} |" if m.eval_loss_after is not None else
                     f"| Eval loss | {m.eval_loss_before:.4f} | — |")
    if m.perplexity_before is not None and m.perplexity_after is not None:
        lines.append(f"| Perplexity | {m.perplexity_before:.4g} | {m.perplexity_after:.4g} |")
    if eval_report is not None:
        from ftwizard.evaluate.metrics import table_rows

        lines += ["", f"Task metrics ({eval_report.kind}, {eval_report.n} holdout prompts, greedy decoding; "
                  f"{eval_report.bootstrap}):", "", "| Metric | Base | Tuned | Change [95% interval] | Verdict |",
                  "| --- | --- | --- | --- | --- |"]
        lines += [f"| {' | '.join(r)} |" for r in table_rows(eval_report)]
    lines += ["", "## Licence", ""]
    if licences:
        lines.append("The base model's licence files are included unchanged: " + ", ".join(licences) +
                     ". This derivative is bound by them.")
    else:
        lines.append("The base model folder held no licence file; check the base model's licence before "
                     "sharing this model.")
    for lic in cat_lic:
        lines.append(f"- {lic.name}: {lic.summary} (source: {lic.source})")
        if lic.attribution:
            lines.append(f"  - Required notice: {lic.attribution}")
        if lic.naming:
            lines.append(f"  - Naming: {lic.naming}")
    lines += ["", "## Use", "", "```python"]
    if fmt == "adapter":
        lines += ["from peft import PeftModel", "from transformers import AutoModelForCausalLM, AutoTokenizer",
                  f"base = AutoModelForCausalLM.from_pretrained('{base_name}')",
                  "model = PeftModel.from_pretrained(base, 'THIS_FOLDER')",
                  "tokenizer = AutoTokenizer.from_pretrained('THIS_FOLDER')"]
    elif fmt == "merged":
        lines += ["from transformers import AutoModelForCausalLM, AutoTokenizer",
                  "model = AutoModelForCausalLM.from_pretrained('THIS_FOLDER')",
                  "tokenizer = AutoTokenizer.from_pretrained('THIS_FOLDER')"]
    else:
        lines += ["# llama.cpp: llama-cli -m THIS_FOLDER/model-f16.gguf"]
    lines += ["```", ""]
    if fmt == "adapter":
        lines += ["vLLM: `vllm serve BASE --enable-lora --lora-modules tuned=THIS_FOLDER`; TGI: "
                  "`--lora-adapters tuned=THIS_FOLDER`. The adapter must be served on the same base model.", ""]
    return "\n".join(lines)


def _size_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6, 3)


def find_converter(llama_cpp: str | Path | None) -> Path | None:
    """convert_hf_to_gguf.py from --llama-cpp (the checkout or the script), else FTWIZARD_LLAMA_CPP."""
    given = llama_cpp or os.environ.get(LLAMA_CPP_ENV)
    if not given:
        return None
    p = Path(given).expanduser()
    script = p / CONVERTER if p.is_dir() else p
    if not script.is_file():
        raise ExportError(f"{p}: no {CONVERTER} there; {GET_LLAMA_CPP}")
    return script


def _prepare_out(out: Path) -> Path:
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"{out}: exists and is not an empty folder; choose a new folder")
    if not out.parent.is_dir():
        raise ExportError(f"{out}: folder {out.parent} does not exist")
    try:
        return Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    except OSError as exc:
        raise ExportError(f"{out}: cannot write in {out.parent} ({exc.strerror})") from None


def _write_merged(manifest: Manifest, dest: Path) -> None:
    import torch

    from ftwizard.catalog.model_folder import check_model_folder
    from ftwizard.train.device import torch_dtype
    from ftwizard.train.model import load_tokenizer
    from ftwizard.train.outputs import merge_adapter

    cfg, outs = manifest.run_config, manifest.outputs
    if cfg.method == "full" or (outs.model_out_dir and Path(outs.model_out_dir).is_dir()):
        src = Path(outs.model_out_dir or "")
        if not src.is_dir():
            raise ExportError(f"{src}: the tuned model folder named in the manifest is missing")
        shutil.copytree(src, dest, dirs_exist_ok=True)
        return
    if not outs.adapter_dir or not Path(outs.adapter_dir).is_dir():
        raise ExportError(f"{outs.adapter_dir}: the adapter folder named in the manifest is missing")
    folder = check_model_folder(cfg.model_dir, cfg.trust_remote_code, cfg.allow_pickle_weights)
    tokenizer = load_tokenizer(folder, cfg)
    dtype = torch.float32 if manifest.precision == "fp32" else torch_dtype(manifest.precision)
    merge_adapter(cfg, Path(outs.adapter_dir), tokenizer, dest, dtype)


def export_run(run_dir: Path, fmt: str, out: Path, *, llama_cpp: str | Path | None = None) -> ExportResult:
    from ftwizard.evaluate.metrics import read_eval
    from ftwizard.train.samples import load_manifest

    if fmt not in FORMATS:
        raise ExportError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    run_dir, out = Path(run_dir), Path(out)
    try:
        manifest = load_manifest(run_dir)
    except FtwizardError as exc:
        raise ExportError(str(exc)) from None
    cfg = manifest.run_config
    converter = find_converter(llama_cpp) if fmt == "gguf" else None
    if fmt == "gguf" and converter is None:
        raise ExportError(f"GGUF needs llama.cpp's {CONVERTER}, and none is configured; {GET_LLAMA_CPP}")
    if fmt == "adapter" and cfg.method == "full":
        raise ExportError(f"{run_dir}: a full fine-tune has no adapter; export --format merged")
    tmp = _prepare_out(out)
    note = ""
    try:
        if fmt == "adapter":
            src = Path(manifest.outputs.adapter_dir or "")
            if not src.is_dir():
                raise ExportError(f"{src}: the adapter folder named in the manifest is missing")
            shutil.copytree(src, tmp, dirs_exist_ok=True)
        elif fmt == "merged":
            _write_merged(manifest, tmp)
        else:
            merged = Path(tempfile.mkdtemp(prefix=".merged-for-gguf.", dir=out.parent))
            try:
                _write_merged(manifest, merged)
                cmd = [sys.executable, str(converter), str(merged), "--outfile", str(tmp / "model-f16.gguf"),
                       "--outtype", "f16"]
                done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=child_env())
                if done.returncode != 0 or not (tmp / "model-f16.gguf").is_file():
                    tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
                    raise ExportError(f"{converter}: the conversion failed (exit {done.returncode}): "
                                      + " | ".join(tail))
                for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
                    if (merged / name).is_file():
                        shutil.copy2(merged / name, tmp / name)
            finally:
                shutil.rmtree(merged, ignore_errors=True)
            note = "f16 GGUF; quantise it with llama.cpp's llama-quantize if you need a smaller file"
        lic = licence_files(Path(cfg.model_dir))
        for p in lic:
            shutil.copy2(p, tmp / p.name)
        try:
            report = read_eval(run_dir)
        except FtwizardError:
            report = None  # a damaged eval.json is left out of the card, not fatal
        (tmp / "README.md").write_text(model_card(manifest, fmt, [p.name for p in lic], report), encoding="utf-8")
        if out.exists():
            out.rmdir()
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp made it 0700; an export is meant to be shared
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ExportResult(format=fmt, out_dir=str(out), files=sorted(p.name for p in out.iterdir()),
                        licence_files=[p.name for p in lic], size_mb=_size_mb(out), note=note)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ftwizard.train.export")
    p.add_argument("run_dir", type=Path)
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--llama-cpp", metavar="PATH")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    try:
        res = export_run(args.run_dir, args.format, args.out, llama_cpp=args.llama_cpp)
    except FtwizardError as exc:
        print(f"ftwizard: error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return exc.exit_code
    if args.json:
        print(json.dumps(res.model_dump()))
    else:
        print(f"Exported {res.format} to {res.out_dir} ({res.size_mb:,.1f} MB: {', '.join(res.files)})")
        if res.note:
            print(res.note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
