"""A local model folder as a candidate: architecture from its config.json, licence from its
LICENSE or card, unknown licence shown as unknown and kept out of commercial plans until
the user confirms it, and `ftwizard plan --model-dir DIR` ranking it beside the catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ftwizard.base.errors import CatalogError
from ftwizard.catalog.store import load_catalog
from ftwizard.cli.main import main
from ftwizard.estimate.arch import shapes
from ftwizard.recommend.local_models import detect_licence, model_from_folder, with_local_models

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SUPPORT_BOT = str(EXAMPLES / "answers-support-bot.json")  # commercial use, en+es, one RTX 4090

# Qwen2.5-0.5B's published shape: small enough to fit the example's single 24 GB card.
QWEN_SMALL = {
    "model_type": "qwen2", "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
    "num_attention_heads": 14, "num_key_value_heads": 2, "vocab_size": 151936,
    "max_position_embeddings": 32768, "tie_word_embeddings": True,
}
APACHE = "                                 Apache License\n                           Version 2.0, January 2004\n"


def make_folder(root: Path, name: str, licence: str | None = None, card: str | None = None) -> Path:
    d = root / name
    d.mkdir()
    (d / "config.json").write_text(json.dumps(QWEN_SMALL))
    (d / "tokenizer.json").write_text("{}")
    (d / "tokenizer_config.json").write_text(json.dumps({"chat_template": "{{ messages }}"}))
    (d / "model.safetensors").write_bytes(b"\0" * 16)
    if licence is not None:
        (d / "LICENSE").write_text(licence)
    if card is not None:
        (d / "README.md").write_text(card)
    return d


def test_architecture_and_licence_come_from_the_folder(tmp_path):
    d = make_folder(tmp_path, "my-support-model", licence=APACHE)
    m = model_from_folder(d)
    assert m.id == "local-my-support-model" and m.local_path == str(d.resolve())
    assert m.licences == ["apache-2.0"]
    assert m.params_b == pytest.approx(shapes(m.architecture).total_params / 1e9, abs=0.001)
    assert 0.45 < m.params_b < 0.55  # Qwen2.5-0.5B: 0.49B
    assert m.task_strengths == ["chat", "instruction"]  # the tokenizer has a chat template


def test_card_front_matter_gives_licence_and_languages(tmp_path):
    card = "---\nlicense: llama3.1\nlanguage:\n  - en\n  - de\n---\n# My model\n"
    d = make_folder(tmp_path, "m", card=card)
    m = model_from_folder(d)
    assert m.licences == ["llama-3.1"] and m.languages == ["en", "de"]
    assert detect_licence(d)[0] == "llama-3.1"


def test_unknown_licence_is_shown_unknown_and_needs_confirmation_for_commercial_use(tmp_path):
    d = make_folder(tmp_path, "mystery", licence="All rights reserved by Example Corp.\n")
    cat = with_local_models(load_catalog(), [str(d)])
    m = cat.model("local-mystery")
    (lic,) = cat.model_licences(m)
    assert lic.id == "unknown-local" and not lic.commercial_use and m.confidence == "unconfirmed"
    confirmed = with_local_models(load_catalog(), [str(d)], {"mystery": "apache-2.0"})
    assert confirmed.model("local-mystery").licences == ["apache-2.0"]


def test_bad_folder_and_bad_confirmation_name_the_problem(tmp_path):
    with pytest.raises(CatalogError, match="no config.json"):
        model_from_folder(tmp_path)
    d = make_folder(tmp_path, "m", licence=APACHE)
    with pytest.raises(CatalogError, match="unknown licence 'wtfpl-9'"):
        with_local_models(load_catalog(), [str(d)], {"m": "wtfpl-9"})
    with pytest.raises(CatalogError, match="no --model-dir folder named 'other'"):
        with_local_models(load_catalog(), [str(d)], {"other": "mit"})


def _plan(capsys, *extra: str) -> dict:
    assert main(["plan", "--answers", SUPPORT_BOT, "--top", "100", "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_plan_ranks_a_model_dir_like_the_catalogs_models(tmp_path, capsys):
    d = make_folder(tmp_path, "ours", licence=APACHE)
    out = _plan(capsys, "--model-dir", str(d))
    ids = [r["model_id"] for r in out["recommendations"]] + [e["model_id"] for e in out["excluded"]]
    assert "local-ours" in ids
    assert not any(e["model_id"] == "local-ours" and e.get("constraint") == "licence" for e in out["excluded"])


def test_plan_excludes_an_unlabelled_folder_from_commercial_use_until_confirmed(tmp_path, capsys):
    d = make_folder(tmp_path, "unlabelled")
    out = _plan(capsys, "--model-dir", str(d))
    (ex,) = [e for e in out["excluded"] if e["model_id"] == "local-unlabelled"]
    assert ex["constraint"] == "licence" and "Unknown licence" in ex["reason"]
    out = _plan(capsys, "--model-dir", str(d), "--confirm-licence", "unlabelled=mit")
    assert not any(e["model_id"] == "local-unlabelled" and e.get("constraint") == "licence" for e in out["excluded"])


def test_plan_model_dir_error_exits_2(tmp_path, capsys):
    assert main(["plan", "--answers", SUPPORT_BOT, "--model-dir", str(tmp_path / "nope")]) == 2
    assert "model folder not found" in capsys.readouterr().err


def test_wizard_add_model_folder_ranks_it_beside_the_catalog(qtbot, tmp_path):
    from ftwizard.gui import workers
    from ftwizard.gui.wizard import WizardWindow
    from ftwizard.recommend.answers import default_answers
    from gui_support import rtx4090_workstation, wait_for_plan

    w = WizardWindow(detector=rtx4090_workstation, catalog=load_catalog())
    qtbot.addWidget(w)
    w.show()
    w.finish_setup()
    qtbot.waitUntil(lambda: not w.pages["hardware"].detecting(), timeout=20_000)
    w.answers = default_answers()
    d = make_folder(tmp_path, "ours", licence=APACHE)
    try:
        assert w.pages["results"].add_model_folder(path=d)
        plan = wait_for_plan(qtbot, w)
        ids = [r.model_id for r in plan.recommendations] + [e.model_id for e in plan.excluded]
        assert "local-ours" in ids and w.catalog.model("local-ours").licences == ["apache-2.0"]
        assert not w.pages["results"].add_model_folder(path=tmp_path / "missing")
        assert "cannot be added" in w.pages["results"].advice.text()
    finally:
        workers.wait_all(20_000)


HUNYUAN = (
    "TENCENT HUNYUAN COMMUNITY LICENSE AGREEMENT\nTHIS LICENSE AGREEMENT DOES NOT APPLY IN THE EUROPEAN UNION, "
    "UNITED KINGDOM AND SOUTH KOREA AND IS EXPRESSLY LIMITED TO THE TERRITORY, AS DEFINED BELOW.\n"
)


def _eu_answers(tmp_path) -> str:
    from recommend_helpers import ISSUE_EXAMPLE, merged, write_answers

    data = merged(ISSUE_EXAMPLE, compliance={**ISSUE_EXAMPLE["compliance"], "data_residency": "EU"})
    return str(write_answers(tmp_path, data))


def test_eu_residency_excludes_llama4_scout_quoting_the_clause(tmp_path, capsys):
    answers = _eu_answers(tmp_path)
    assert main(["plan", "--answers", answers, "--top", "100", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    (ex,) = [e for e in out["excluded"] if e["model_id"] == "llama-4-scout-17b-16e"]
    assert ex["constraint"] == "licence" and "multimodal" in ex["reason"]
    assert "principal place of business in, the European Union" in ex["reason"]


def test_a_hunyuan_licensed_folder_is_excluded_for_eu_data(tmp_path, capsys):
    d = make_folder(tmp_path, "hy", licence=HUNYUAN)
    m = model_from_folder(d)
    assert m.licences == ["tencent-hunyuan"]
    (lic,) = load_catalog().model_licences(m)
    assert set(lic.excluded_regions) == {"eu", "uk", "kr"}
    answers = _eu_answers(tmp_path)
    assert main(["plan", "--answers", answers, "--top", "100", "--json", "--model-dir", str(d)]) == 0
    out = json.loads(capsys.readouterr().out)
    (ex,) = [e for e in out["excluded"] if e["model_id"] == "local-hy"]
    assert ex["constraint"] == "licence" and "grants no rights in EU" in ex["reason"]
