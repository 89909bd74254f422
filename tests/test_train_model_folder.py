"""A model folder is checked before anything loads it (issue 9: offline and safe)."""

from __future__ import annotations

import json

import pytest

from ftwizard.base.errors import RunConfigError
from ftwizard.train.model_folder import check_model_folder


def _folder(tmp_path, weights=("model.safetensors",), config=None, tokenizer=True):
    d = tmp_path / "model"
    d.mkdir()
    (d / "config.json").write_text(json.dumps(config or {"model_type": "llama"}))
    if tokenizer:
        (d / "tokenizer.json").write_text("{}")
        (d / "tokenizer_config.json").write_text("{}")
    for w in weights:
        (d / w).write_bytes(b"\0" * 16)
    return d


def test_a_safetensors_folder_passes_and_lists_what_to_hash(tmp_path):
    d = _folder(tmp_path)
    mf = check_model_folder(d)
    assert mf.weights_format == "safetensors" and mf.model_type == "llama"
    assert [p.name for p in mf.files_to_hash()] == ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]


def test_pickle_weights_are_refused_unless_the_user_opts_in(tmp_path):
    d = _folder(tmp_path, weights=("pytorch_model.bin",))
    with pytest.raises(RunConfigError, match=r"pytorch_model\.bin: weights in pickle format can run code"):
        check_model_folder(d)
    assert check_model_folder(d, allow_pickle_weights=True).weights_format == "pickle"


def test_custom_code_is_refused_naming_the_files_that_would_run(tmp_path):
    d = _folder(tmp_path, config={"model_type": "acme", "auto_map": {
        "AutoConfig": "configuration_acme.AcmeConfig", "AutoModelForCausalLM": "modeling_acme.AcmeForCausalLM"}})
    (d / "modeling_acme.py").write_text("import os\n")
    with pytest.raises(RunConfigError) as exc:
        check_model_folder(d)
    msg = str(exc.value)
    assert "config.json" in msg and "configuration_acme.py" in msg and "modeling_acme.py" in msg
    assert "trust_remote_code" in msg
    assert check_model_folder(d, trust_remote_code=True).custom_code == ["configuration_acme.py", "modeling_acme.py"]


def test_missing_pieces_are_named(tmp_path):
    with pytest.raises(RunConfigError, match="model folder not found"):
        check_model_folder(tmp_path / "nowhere")
    d = _folder(tmp_path, tokenizer=False)
    with pytest.raises(RunConfigError, match="no tokenizer files"):
        check_model_folder(d)
    (d / "tokenizer.json").write_text("{}")
    (d / "model.safetensors").unlink()
    with pytest.raises(RunConfigError, match="no weights"):
        check_model_folder(d)


def test_a_sharded_model_needs_every_shard(tmp_path):
    d = _folder(tmp_path, weights=("model-00001-of-00002.safetensors",))
    (d / "model.safetensors.index.json").write_text(json.dumps({"weight_map": {
        "a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}))
    with pytest.raises(RunConfigError, match="model-00002-of-00002.safetensors, which is missing"):
        check_model_folder(d)


def test_a_broken_config_names_the_line(tmp_path):
    d = _folder(tmp_path)
    (d / "config.json").write_text('{"model_type": "llama",\n}')
    with pytest.raises(RunConfigError, match=r"config.json: line 2"):
        check_model_folder(d)
