"""What a run leaves behind: the PEFT adapter with its tokenizer, optionally merged full
weights, and `manifest.json` (digests, versions, hardware, timings, metrics)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from ftwizard.base.jsonio import write_model
from ftwizard.runs.config import RunConfig
from ftwizard.runs.manifest import FileDigest, Manifest


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def digests(paths: list[Path]) -> list[FileDigest]:
    return [FileDigest(path=str(p.resolve()), sha256=sha256_file(p), size_bytes=p.stat().st_size) for p in paths]


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def save_adapter(model, tokenizer, folder: Path, state_dict: dict | None = None) -> None:
    """PEFT adapter as safetensors (adapter_model.safetensors + adapter_config.json) and the
    tokenizer, so the folder loads with PeftModel.from_pretrained on the base model.
    `state_dict`: the weights gathered whole from a sharded model (train/sharded.py)."""
    save_full_model(model, tokenizer, folder, state_dict)


def save_full_model(model, tokenizer, folder: Path, state_dict: dict | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    extra = {} if state_dict is None else {"state_dict": state_dict}
    model.save_pretrained(folder, safe_serialization=True, **extra)
    tokenizer.save_pretrained(folder)


def merge_adapter(cfg: RunConfig, adapter_dir: Path, tokenizer, folder: Path, dtype) -> None:
    """Full weights with the adapter folded in. The base is reloaded unquantised: merging into
    4-bit weights would round the adapter away."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(
        cfg.model_dir, dtype=dtype, local_files_only=True, trust_remote_code=cfg.trust_remote_code,
        # safetensors whenever the folder has them, even where pickle weights were allowed
        use_safetensors=any(Path(cfg.model_dir).glob("*.safetensors")) or not cfg.allow_pickle_weights,
    )
    merged = PeftModel.from_pretrained(base, adapter_dir, local_files_only=True).merge_and_unload()
    save_full_model(merged, tokenizer, folder)


def write_manifest(run_dir: Path, manifest: Manifest) -> Path:
    path = run_dir / "manifest.json"
    write_model(path, manifest, private=True)  # names the data files and their digests
    return path
