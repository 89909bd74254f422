"""The answers format of issue 4: the documented example loads; bad answers name the field."""

from __future__ import annotations

import json

import pytest

from ftwizard.base.errors import AnswersError
from ftwizard.recommend.answers import Answers, default_answers, load_answers, parse_answers

ISSUE_EXAMPLE = {
    "schema_version": 1,
    "task": {"kind": "chat", "domain": "support", "description": "answer customer tickets in our tone"},
    "languages": ["en", "es"],
    "budget": {"training_usd": 500, "monthly_inference_usd": 300},
    "data": {"examples": 2000, "avg_tokens": 600, "preference_pairs": False},
    "compliance": {"commercial_use": True, "regulated_data": True, "air_gapped": False,
                   "open_training_data_required": False},
    "hardware": {"mode": "local", "gpus": [{"name": "NVIDIA GeForce RTX 4090", "count": 1}]},
    "knowledge_changes_often": False,
}


def test_issue_example_loads_unchanged(tmp_path):
    p = tmp_path / "answers.json"
    p.write_text(json.dumps(ISSUE_EXAMPLE))
    a = load_answers(p)
    assert a.task.kind == "chat" and a.languages == ["en", "es"]
    assert a.hardware.gpus[0].count == 1
    # round trip keeps everything the user said
    again = Answers.model_validate_json(a.model_dump_json())
    assert again == a


@pytest.mark.parametrize(
    "patch, path",
    [
        ({"task": {"kind": "poetry"}}, "$.task.kind"),
        ({"languages": ["english"]}, "$.languages[0]"),
        ({"languages": []}, "$.languages"),
        ({"budget": {"training_usd": -5}}, "$.budget.training_usd"),
        ({"data": {"examples": "many"}}, "$.data.examples"),
        ({"hardware": {"mode": "local", "gpus": [{"name": "x", "memory_gb": 0}]}}, "$.hardware.gpus[0].memory_gb"),
        ({"hardware": {"mode": "moon"}}, "$.hardware.mode"),
        ({"schema_version": 2}, "$.schema_version"),
        ({"surprise": 1}, "$.surprise"),
    ],
)
def test_bad_answers_name_the_field(patch, path):
    data = json.loads(json.dumps(ISSUE_EXAMPLE))
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(data.get(k), dict) and k != "hardware":
            data[k].update(v)
        else:
            data[k] = v
    with pytest.raises(AnswersError) as err:
        parse_answers(data, "a.json")
    assert f"a.json: {path}" in str(err.value)


def test_defaults_let_a_user_click_through():
    a = default_answers()
    assert a.languages == ["en"] and a.budget.training_usd > 0 and a.data.examples > 0


def test_local_with_no_gpus_loads_as_a_cpu_only_machine():
    """A machine without a GPU is an answer, not an error (issue 20): the plan gives CPU advice."""
    data = json.loads(json.dumps(ISSUE_EXAMPLE))
    data["hardware"] = {"mode": "local", "gpus": []}
    a = parse_answers(data, "a.json")
    assert a.hardware.mode == "local" and a.hardware.gpus == []
