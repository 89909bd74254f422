"""Token counts come from the model's own tokenizer when there is one, from a stated estimate
otherwise, and the estimator gets the real distribution: p95 for memory, mean for time."""

from __future__ import annotations

import threading
from array import array
from collections import Counter

import pytest

from data_helpers import chat, make_model_dir, write_jsonl
from ftwizard.base.errors import DatasetError, RunConfigError
from ftwizard.data.inspection import inspect
from ftwizard.data.rows import Example, Turn
from ftwizard.data.stats import (
    TURN_OVERHEAD_TOKENS,
    EstimateCounter,
    estimate_text_tokens,
    histogram,
    length_summary,
    model_context_tokens,
    percentile,
)


def test_estimate_uses_characters_per_token_by_script():
    assert estimate_text_tokens("a" * 400) == 100  # English: 4 chars/token
    assert estimate_text_tokens("日本語のテキスト") == 8  # CJK: 1 token per character
    assert estimate_text_tokens("привет") == 3  # Cyrillic: 2 chars/token
    assert estimate_text_tokens("abcd日本") == 1 + 2


def test_estimated_example_adds_the_chat_template_cost_per_turn():
    ex = Example("chat", turns=(Turn("user", "a" * 40), Turn("assistant", "b" * 80)))
    assert EstimateCounter().count([ex]) == [10 + 20 + 2 * TURN_OVERHEAD_TOKENS]
    pref = Example("preference", turns=(Turn("user", "a" * 40),), chosen="b" * 80, rejected="c" * 400)
    # DPO's longest sequence: the prompt plus the longer of the two answers.
    assert EstimateCounter().count([pref]) == [10 + TURN_OVERHEAD_TOKENS + 100 + TURN_OVERHEAD_TOKENS]
    assert EstimateCounter().count([Example("text", text="x" * 10)]) == [3]


def test_nearest_rank_percentiles():
    counts = Counter(range(1, 101))  # lengths 1..100, once each
    assert percentile(counts, 100, 50) == 50
    assert percentile(counts, 100, 95) == 95
    assert percentile(counts, 100, 100) == 100
    assert percentile(Counter({7: 1}), 1, 95) == 7


def test_summary_of_a_skewed_distribution():
    lengths = array("I", [100] * 90 + [1000] * 9 + [5000])
    s = length_summary(lengths)
    assert (s["p50_tokens"], s["p95_tokens"], s["max_tokens"]) == (100, 1000, 5000)
    assert s["mean_tokens"] == pytest.approx((9000 + 9000 + 5000) / 100)
    assert s["total_tokens"] == 23000
    assert length_summary(array("I")) is None


def test_histogram_bins_have_round_widths_and_hold_every_example():
    counts = Counter({0: 1, 199: 2, 200: 3, 2899: 4})
    edges, bins = histogram(counts, 2899)
    assert edges[1] - edges[0] == 100  # 2900 / 30 bins -> width 100
    assert len(edges) == len(bins) + 1 and sum(bins) == 10
    assert bins[1] == 2 and bins[2] == 3 and bins[-1] == 4 and edges[-1] > 2899


def test_model_tokenizer_counts_real_tokens(tmp_path):
    model = make_model_dir(tmp_path / "tiny-model", ["reset", "my", "password", "use", "the", "link"], 4096)
    f = write_jsonl(tmp_path / "d.jsonl", [
        chat("reset my password", "use the link"),  # 3 + 3 + 10
        chat("reset", "link"),  # 1 + 1 + 10
        chat("reset my password please", "use the link now"),  # unknown words are one [UNK] each: 4 + 4 + 10
    ])
    r = inspect(f, model_dir=model, seq_len=13)
    t = r.tokens
    assert (t.method, t.source) == ("tokenizer", "tiny-model")
    assert (t.min_tokens, t.p50_tokens, t.max_tokens, t.total_tokens) == (12, 16, 18, 46)
    assert t.mean_tokens == pytest.approx(46 / 3)
    assert r.seq_len == 13 and r.examples_over_seq_len == 2
    assert {o.seq_len: o.examples_over for o in r.over_length}[512] == 0
    assert sum(r.histogram.counts) == 3


def test_without_a_model_the_report_says_it_is_an_estimate(tmp_path):
    f = write_jsonl(tmp_path / "d.jsonl", [chat("a" * 400, "b" * 400)])
    t = inspect(f).tokens
    assert t.method == "estimate" and "4 chars/token" in t.source
    assert t.max_tokens == 100 + 100 + 2 * TURN_OVERHEAD_TOKENS


def test_model_folder_problems_are_named(tmp_path):
    f = write_jsonl(tmp_path / "d.jsonl", [chat("q", "a")])
    (tmp_path / "empty-model").mkdir()
    with pytest.raises(RunConfigError, match="empty-model: no tokenizer.json"):
        inspect(f, model_dir=tmp_path / "empty-model")
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "tokenizer.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(RunConfigError, match=r"broken-model/tokenizer\.json: cannot load the tokenizer"):
        inspect(f, model_dir=broken)
    with pytest.raises(DatasetError, match="sequence length must be positive"):
        inspect(f, seq_len=0)


def test_context_window_is_read_from_config_json(tmp_path):
    import json

    m = tmp_path / "m"
    m.mkdir()
    assert model_context_tokens(m) is None
    (m / "config.json").write_text(json.dumps({"text_config": {"max_position_embeddings": 131072}}))
    assert model_context_tokens(m) == 131072
    (m / "config.json").write_text("{oops")
    with pytest.raises(RunConfigError, match=r"m/config\.json: cannot read the model config"):
        model_context_tokens(m)


def test_progress_reaches_the_whole_file_and_is_rate_limited(tmp_path):
    f = write_jsonl(tmp_path / "d.jsonl", [chat(f"question {i}", f"answer {i}") for i in range(3000)])
    calls: list[tuple[int, int]] = []
    r = inspect(f, progress=lambda done, total: calls.append((done, total)))
    size = f.stat().st_size
    assert calls[-1] == (size, size)
    assert all(total == size for _, total in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    # At most ~10 calls a second plus the final one.
    assert len(calls) <= 10 * r.seconds + 2
    assert not r.cancelled and r.rows_good == 3000


def test_cancel_returns_a_partial_report_marked_cancelled(tmp_path):
    f = write_jsonl(tmp_path / "d.jsonl", [chat(f"question {i}", f"answer {i}") for i in range(5000)])
    stop = threading.Event()
    seen = []

    def progress(done, total):
        seen.append(done)
        stop.set()  # the user presses Cancel as soon as the bar moves

    r = inspect(f, progress=progress, cancel=stop)
    assert r.cancelled and r.file_sha256 == ""
    assert 0 < r.rows_read < 5000
    assert r.bytes_read < f.stat().st_size
    # A plain callable works too.
    r2 = inspect(f, cancel=lambda: True)
    assert r2.cancelled and r2.rows_read < 5000
