"""The run record is tied to the plan: a folder that is not the plan's model is said, and the
run records the folder's truth, not the plan's catalog id."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftwizard.base.errors import EstimateError
from ftwizard.catalog.store import load_catalog
from ftwizard.runs.config import RunConfig
from ftwizard.runs.model_match import check_model_against_plan, safe_check, truthful_config
from run_folder_helpers import LLAMA_8B_CONFIG, model_folder


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _config(folder: Path, model_id: str) -> RunConfig:
    return RunConfig(model_dir=folder, data_path=folder / "train.jsonl", output_dir=folder / "run",
                     catalog_model_id=model_id)


def test_a_llama_folder_under_a_qwen3_plan_is_named_and_recorded_as_what_it_is(tmp_path, catalog):
    folder = model_folder(tmp_path)
    match = check_model_against_plan(folder, "qwen3-4b", catalog)
    assert not match.ok
    text = match.message()
    assert "the plan chose Qwen3 4B (qwen3, 4.02 B parameters)" in text
    assert "architecture 'llama', the plan's is 'qwen3'" in text
    assert "32 layers x 4096 wide, the plan's model has 36 x 2560" in text
    assert "8.03 B parameters" in text
    recorded = truthful_config(_config(folder, "qwen3-4b"), match)
    assert recorded.catalog_model_id is None  # history and manifest name the folder instead


def test_the_plans_own_model_passes_and_keeps_its_catalog_id(tmp_path, catalog):
    folder = model_folder(tmp_path)
    match = check_model_against_plan(folder, "llama-3.1-8b", catalog)
    assert match.ok and match.checklist_line() == (True, "The folder holds the plan's model: Llama 3.1 8B "
                                                          "(llama, 8.03 B parameters).")
    assert truthful_config(_config(folder, "llama-3.1-8b"), match).catalog_model_id == "llama-3.1-8b"


def test_same_family_other_size_is_a_difference(tmp_path, catalog):
    small = dict(LLAMA_8B_CONFIG, hidden_size=2048, intermediate_size=8192, num_hidden_layers=16,
                 num_attention_heads=32, num_key_value_heads=8)
    folder = model_folder(tmp_path, config=small)
    match = check_model_against_plan(folder, "llama-3.1-8b", catalog)
    assert not match.ok and "architecture" not in match.message()
    assert "16 layers x 2048 wide" in match.message()


def test_a_folder_without_config_is_left_to_the_folder_checklist(tmp_path, catalog):
    (tmp_path / "empty").mkdir()
    with pytest.raises(EstimateError, match="config.json"):
        check_model_against_plan(tmp_path / "empty", "qwen3-4b", catalog)
    assert safe_check(tmp_path / "empty", "qwen3-4b", catalog) is None


def test_the_run_page_names_the_plans_model_and_records_the_folders_truth(qtbot, tmp_path, catalog):
    from ftwizard.gui.run_setup import RunSetup

    folder = model_folder(tmp_path)  # a Llama 3.1 8B folder
    data = tmp_path / "train.jsonl"
    data.write_text('{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "ho"}]}\n')
    setup = RunSetup(_config(tmp_path / "plan-model", "qwen3-4b"), tmp_path / "runs", catalog=catalog)
    qtbot.addWidget(setup)
    assert setup.settings_label.text().startswith("the plan's model, Qwen3 4B: ")
    setup.set_paths(folder, data)
    cfg = setup.config()
    assert cfg.model_dir == folder.resolve() and cfg.catalog_model_id is None  # recorded as the folder
    same = RunSetup(_config(tmp_path / "plan-model", "llama-3.1-8b"), tmp_path / "runs", catalog=catalog)
    qtbot.addWidget(same)
    same.set_paths(folder, data)
    assert same.config().catalog_model_id == "llama-3.1-8b"  # the plan's model: its id is kept
