"""Check a local model folder before anything loads it: the files are there, the weights are
safetensors (pickle files can run code when loaded), and no custom Python code would run.

No torch (stdlib, ftwizard.base and ftwizard.catalog), so the CLI can check a folder without paying for torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ftwizard.base.errors import RunConfigError
from ftwizard.base.jsonio import read_json

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")
# Any one of these lets transformers build the tokenizer.
TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "vocab.json", "vocab.txt", "spiece.model")


@dataclass
class ModelFolder:
    path: Path
    config: dict
    weight_files: list[Path]
    weights_format: str  # "safetensors" or "pickle"
    tokenizer_files: list[Path]
    custom_code: list[str] = field(default_factory=list)  # .py files that trust_remote_code would run

    @property
    def model_type(self) -> str:
        return str(self.config.get("model_type", "unknown"))

    def files_to_hash(self) -> list[Path]:
        """Every file that decides what the run trains: config, tokenizer, weights, code."""
        wanted = {p.name for p in self.weight_files + self.tokenizer_files}
        wanted |= {"config.json", "generation_config.json", "tokenizer_config.json",
                   "special_tokens_map.json", "chat_template.jinja", "chat_template.json",
                   "model.safetensors.index.json"}
        wanted |= set(self.custom_code)
        return sorted(p for p in self.path.iterdir() if p.is_file() and p.name in wanted)

    def opt_in_warnings(self) -> list[str]:
        """What the user's opt-ins allow to run; the runner emits each as a warning event."""
        out = []
        if self.custom_code:
            out.append(f"trust_remote_code: running the model folder's own Python code: {', '.join(self.custom_code)}")
        if self.weights_format == "pickle":
            names = ", ".join(p.name for p in self.weight_files)
            out.append(f"allow_pickle_weights: loading pickle weights, which can run code: {names}")
        return out


def _read_json(path: Path) -> dict:
    data = read_json(path, RunConfigError)  # names the file and line; deep nesting included
    if not isinstance(data, dict):
        raise RunConfigError(f"{path}: expected a JSON object")
    return data


# Sizes transformers builds the model from: when present, each must be a positive integer (a
# string or a float here ends in an internal error deep inside the library).
SIZE_KEYS = ("hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "intermediate_size",
             "vocab_size", "max_position_embeddings", "head_dim", "num_experts", "num_local_experts")
MAX_SIZE = 2**31 - 1


def _check_sizes(cfg_path: Path, config: dict) -> None:
    """Raise RunConfigError naming the file and key of a size that is not a positive integer."""
    sections = [("$", config)]
    if isinstance(config.get("text_config"), dict):
        sections.append(("$.text_config", config["text_config"]))
    for where, section in sections:
        for key in SIZE_KEYS:
            if key not in section or section[key] is None:
                continue
            value = section[key]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_SIZE:
                raise RunConfigError(
                    f"{cfg_path}: {where}.{key}: expected a positive integer up to {MAX_SIZE}, got {value!r:.60}"
                )


def check_weights(folder: ModelFolder) -> None:
    """Read each safetensors file's header (8 bytes of length, then JSON) and check the file is
    as long as the header says: a truncated or garbled file is a RunConfigError naming it, not
    an internal error when the library loads it. Reads headers only."""
    import struct

    from ftwizard.base.jsonio import loads

    if folder.weights_format != "safetensors":
        return
    for path in folder.weight_files:
        try:
            size = path.stat().st_size
            with open(path, "rb") as fh:
                head = fh.read(8)
                n = struct.unpack("<Q", head)[0] if len(head) == 8 else -1
                if not 2 <= n <= min(size - 8, 100 * 2**20):
                    raise RunConfigError(f"{path}: not a safetensors file, or cut short (no valid header); "
                                         "copy the weights again")
                header = loads(fh.read(n))
        except OSError as exc:
            raise RunConfigError(f"{path}: cannot read ({exc.strerror})") from None
        except (ValueError, RecursionError):
            raise RunConfigError(f"{path}: the safetensors header is not valid JSON; copy the weights again") from None
        if not isinstance(header, dict):
            raise RunConfigError(f"{path}: the safetensors header is not a JSON object; copy the weights again")
        ends = [v.get("data_offsets", [0, 0])[1] for k, v in header.items()
                if k != "__metadata__" and isinstance(v, dict) and isinstance(v.get("data_offsets"), list)
                and len(v["data_offsets"]) == 2 and isinstance(v["data_offsets"][1], int)]
        need = 8 + n + max(ends, default=0)
        if size < need:
            raise RunConfigError(f"{path}: cut short: {size:,} bytes, its header describes {need:,}; "
                                 "copy the weights again")


def _auto_map_files(auto_map: object) -> set[str]:
    """auto_map values look like 'modeling_foo.FooForCausalLM' or 'repo--modeling_foo.Foo'."""
    names: set[str] = set()
    values = auto_map.values() if isinstance(auto_map, dict) else []
    for value in values:
        for ref in value if isinstance(value, list) else [value]:
            if isinstance(ref, str) and "." in ref:
                names.add(ref.split("--")[-1].rsplit(".", 1)[0] + ".py")
    return names


def _shard_names(index: Path) -> list[str]:
    """The weight files an index names: plain file names in the folder, never a path out of it."""
    weight_map = _read_json(index).get("weight_map")
    if not isinstance(weight_map, dict) or not all(isinstance(v, str) for v in weight_map.values()):
        raise RunConfigError(f"{index}: $.weight_map: expected an object of tensor name -> file name")
    shards = sorted(set(weight_map.values()))
    for s in shards:
        if not s or Path(s).name != s or s in (".", "..") or "\\" in s:
            raise RunConfigError(f"{index}: $.weight_map: '{s}' is not a file name in the model folder")
    return shards


def check_model_folder(
    path: Path, trust_remote_code: bool = False, allow_pickle_weights: bool = False
) -> ModelFolder:
    """Return what the folder holds, or raise RunConfigError naming the file and the fix."""
    path = Path(path)
    if not path.is_dir():
        raise RunConfigError(f"{path}: model folder not found")
    cfg_path = path / "config.json"
    if not cfg_path.is_file():
        raise RunConfigError(f"{path}: no config.json (expected a Hugging Face model folder)")
    config = _read_json(cfg_path)
    _check_sizes(cfg_path, config)
    tok_cfg = _read_json(path / "tokenizer_config.json") if (path / "tokenizer_config.json").is_file() else {}

    code = _auto_map_files(config.get("auto_map")) | _auto_map_files(tok_cfg.get("auto_map"))
    if code or str(tok_cfg.get("tokenizer_class") or "").endswith("CustomTokenizer"):
        code |= {p.name for p in path.glob("*.py")}
    if code and not trust_remote_code:
        where = "config.json" if config.get("auto_map") else "tokenizer_config.json"
        raise RunConfigError(
            f"{path / where}: auto_map asks to run the folder's own code ({', '.join(sorted(code))}); "
            "set trust_remote_code only if you trust its author"
        )

    tokenizer_files = [path / n for n in TOKENIZER_FILES if (path / n).is_file()]
    if not tokenizer_files:
        raise RunConfigError(
            f"{path}: no tokenizer files (one of {', '.join(TOKENIZER_FILES)}); copy them from the model's repository"
        )

    index = path / "model.safetensors.index.json"
    if index.is_file():
        shards = _shard_names(index)
        missing = [s for s in shards if not (path / s).is_file()]
        if missing:
            raise RunConfigError(f"{index}: names {missing[0]}, which is missing from the folder")
        weights = [path / s for s in shards]
    else:
        weights = sorted(path.glob("*.safetensors"))
    if weights:
        return ModelFolder(path, config, weights, "safetensors", tokenizer_files, sorted(code))

    pickles = sorted(p for p in path.iterdir() if p.suffix in PICKLE_SUFFIXES and p.is_file())
    if not pickles:
        raise RunConfigError(f"{path}: no weights (*.safetensors) in the model folder")
    if not allow_pickle_weights:
        raise RunConfigError(
            f"{pickles[0]}: weights in pickle format can run code when loaded; convert them to "
            "safetensors, or set allow_pickle_weights if you trust the file"
        )
    return ModelFolder(path, config, pickles, "pickle", tokenizer_files, sorted(code))
