"""A model folder is untrusted: its Python code never runs and its pickle weights never load
unless the user opts in, and then the run says exactly which files will run; a weight index
cannot point outside the folder; a broken folder is refused with the file named."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftwizard.base.errors import RunConfigError
from ftwizard.catalog.model_folder import check_model_folder
from trust_helpers import fuzz_settings

# "config.json": model_type llama; tokenizer.json; weights: whatever the test writes.
LLAMA = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 64}
REMOTE = {**LLAMA, "auto_map": {"AutoConfig": "configuration_evil.EvilConfig",
                                "AutoModelForCausalLM": "modeling_evil.EvilForCausalLM"}}


def model_folder(root: Path, config: dict | str = LLAMA, weights=("model.safetensors",), **files) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.json").write_text(config if isinstance(config, str) else json.dumps(config), encoding="utf-8")
    (root / "tokenizer.json").write_text("{}", encoding="utf-8")
    header = b'{"__metadata__": {"format": "pt"}}'  # valid safetensors, no tensor: loading stops later
    for name in weights:
        (root / name).write_bytes(len(header).to_bytes(8, "little") + header if name.endswith(".safetensors")
                                  else b"\0" * 16)
    for name, text in files.items():
        (root / name.replace("__", ".")).write_text(text, encoding="utf-8")
    return root


# --- custom code ------------------------------------------------------------------------


def test_a_folder_that_would_run_its_own_code_is_refused_naming_the_files(tmp_path):
    folder = model_folder(tmp_path / "m", REMOTE, modeling_evil__py="import os\n", configuration_evil__py="x = 1\n")
    with pytest.raises(RunConfigError) as caught:
        check_model_folder(folder)
    msg = str(caught.value)
    assert str(folder / "config.json") in msg
    assert "configuration_evil.py" in msg and "modeling_evil.py" in msg and "trust_remote_code" in msg


def test_a_custom_tokenizer_counts_as_code_too(tmp_path):
    folder = model_folder(tmp_path / "m", tokenizer_config__json=json.dumps(
        {"auto_map": {"AutoTokenizer": ["tokenization_evil.EvilTokenizer", None]}}), tokenization_evil__py="")
    with pytest.raises(RunConfigError, match=r"tokenizer_config\.json.*tokenization_evil\.py"):
        check_model_folder(folder)


def test_opting_in_to_remote_code_is_allowed_and_names_what_will_run(tmp_path):
    folder = model_folder(tmp_path / "m", REMOTE, modeling_evil__py="", configuration_evil__py="", helper__py="")
    checked = check_model_folder(folder, trust_remote_code=True)
    assert checked.custom_code == ["configuration_evil.py", "helper.py", "modeling_evil.py"]
    [warning] = checked.opt_in_warnings()
    assert "configuration_evil.py, helper.py, modeling_evil.py" in warning


def test_python_files_without_auto_map_never_run_and_need_no_opt_in(tmp_path):
    folder = model_folder(tmp_path / "m", convert_checkpoint__py="print('never imported')\n")
    checked = check_model_folder(folder)
    assert checked.custom_code == [] and checked.opt_in_warnings() == []


def test_a_null_tokenizer_class_is_not_a_crash(tmp_path):
    folder = model_folder(tmp_path / "m", tokenizer_config__json=json.dumps({"tokenizer_class": None}))
    assert check_model_folder(folder).weights_format == "safetensors"


# --- pickle weights ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["pytorch_model.bin", "model.pt", "weights.pth", "model.ckpt"])
def test_pickle_weights_are_refused_unless_the_user_opts_in(tmp_path, name):
    folder = model_folder(tmp_path / "m", weights=(name,))
    with pytest.raises(RunConfigError, match=rf"{name}: weights in pickle format can run code"):
        check_model_folder(folder)
    checked = check_model_folder(folder, allow_pickle_weights=True)
    assert checked.weights_format == "pickle"
    assert any(name in w for w in checked.opt_in_warnings())


def test_safetensors_win_when_both_are_there(tmp_path):
    folder = model_folder(tmp_path / "m", weights=("model.safetensors", "pytorch_model.bin"))
    checked = check_model_folder(folder)
    assert checked.weights_format == "safetensors"
    assert [p.name for p in checked.weight_files] == ["model.safetensors"]


# --- the weight index cannot leave the folder ------------------------------------------------


@pytest.mark.parametrize("shard", ["../outside.safetensors", "/etc/passwd", "sub/../../outside.safetensors", "..", ""])
def test_a_weight_index_cannot_point_outside_the_folder(tmp_path, shard):
    (tmp_path / "outside.safetensors").write_bytes(b"\0" * 16)
    index = json.dumps({"weight_map": {"model.embed.weight": shard}})
    folder = model_folder(tmp_path / "m", weights=(), model__safetensors__index__json=index)
    with pytest.raises(RunConfigError, match=r"model\.safetensors\.index\.json: \$\.weight_map"):
        check_model_folder(folder)


def test_a_sharded_folder_loads_and_a_missing_shard_is_named(tmp_path):
    index = {"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}
    folder = model_folder(tmp_path / "m", weights=("model-00001-of-00002.safetensors",),
                          model__safetensors__index__json=json.dumps(index))
    with pytest.raises(RunConfigError, match="model-00002-of-00002.safetensors, which is missing"):
        check_model_folder(folder)
    (folder / "model-00002-of-00002.safetensors").write_bytes(b"\0")
    assert len(check_model_folder(folder).weight_files) == 2


# --- fuzz: whatever the JSON files hold, a ModelFolder or one RunConfigError --------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
KEYS = ["model_type", "auto_map", "tokenizer_class", "weight_map", "architectures"]
json_objects = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), json_values, max_size=5)
raw_files = st.one_of(
    json_objects.map(json.dumps), json_values.map(json.dumps), st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
    st.just(""), st.just("\ufeff{}"), st.just("[" * 5000),
)
FUZZ_CASES = 200


@fuzz_settings(FUZZ_CASES)
@given(config=raw_files, tok_cfg=raw_files, index=st.none() | raw_files, trust=st.booleans())
def test_fuzzed_model_folder_files_load_or_fail_with_the_file_named(tmp_path_factory, config, tok_cfg, index, trust):
    folder = tmp_path_factory.mktemp("m")
    model_folder(folder, config, tokenizer_config__json=tok_cfg)
    if index is not None:
        (folder / "model.safetensors.index.json").write_text(index, encoding="utf-8")
    try:
        checked = check_model_folder(folder, trust_remote_code=trust)
    except RunConfigError as exc:
        assert str(folder) in str(exc)
    else:
        assert checked.weight_files and all(p.parent == folder for p in checked.weight_files)


# --- the runner says what will run, before it runs -------------------------------------------


@pytest.mark.slow
@pytest.mark.train
def test_the_runner_warns_which_files_an_opt_in_lets_run(tmp_path):
    pytest.importorskip("torch")
    from ftwizard.runs.config import RunConfig
    from ftwizard.train.events import Emitter
    from ftwizard.train.recipe import run

    def events(folder: Path, **opt_in) -> list[dict]:
        out = io.StringIO()
        cfg = RunConfig(model_dir=folder, data_path=tmp_path / "missing.jsonl", output_dir=tmp_path / f"run-{len(opt_in)}-{folder.name}",
                        optimizer="adamw", **opt_in)
        run(cfg, Emitter(out))
        return [json.loads(line) for line in out.getvalue().splitlines()]

    remote = model_folder(tmp_path / "remote", REMOTE, modeling_evil__py="raise SystemExit('ran')\n", configuration_evil__py="")
    refused = events(remote)
    assert refused[-1]["event"] == "error" and refused[-1]["kind"] == "config"
    assert "modeling_evil.py" in refused[-1]["message"]

    allowed = events(remote, trust_remote_code=True)
    warnings = [e["message"] for e in allowed if e["event"] == "warning"]
    assert any("configuration_evil.py, modeling_evil.py" in w for w in warnings)
    assert allowed[-1]["kind"] == "data"  # stopped at the missing data, before loading any code

    pickled = model_folder(tmp_path / "pickled", weights=("pytorch_model.bin",))
    assert "pickle" in events(pickled)[-1]["message"]
    warnings = [e["message"] for e in events(pickled, allow_pickle_weights=True) if e["event"] == "warning"]
    assert any("pytorch_model.bin" in w for w in warnings)
