"""Task metrics (issue 27) on hand-made samples: each kind against its library computed
directly, the bootstrap's verdicts, the kind guess, the samples file and the word diff, and
`ftwizard runs eval`. No model is loaded here (see test_eval_run.py for the tiny run)."""

from __future__ import annotations

import json
import random

import pytest

from ftwizard.cli.main import main
from ftwizard.evaluate import intervals, kinds
from ftwizard.evaluate import metrics as tm
from ftwizard.evaluate.samples import (
    Sample,
    SamplesError,
    SamplesHeader,
    pick_for_report,
    read_samples,
    word_diff,
    write_samples,
)


def sample(i: int, reference: str, base: str, tuned: str, prompt: str = "q") -> Sample:
    return Sample(index=i, line=i + 1, prompt=[{"role": "user", "content": f"{prompt} {i}"}], reference=reference,
                  base=base, tuned=tuned, base_tokens=len(base.split()), tuned_tokens=len(tuned.split()))


def header(**kw) -> SamplesHeader:
    base = dict(created_at="2026-12-05T00:00:00+00:00", max_new_tokens=32, chat_template="model",
                holdout_source="split", holdout_rows=10, base_model="/m", tuned="/run/adapter", device="cpu",
                seconds=1.0)
    return SamplesHeader(**(base | kw))


def test_classification_matches_scikit_learn():
    from sklearn.metrics import accuracy_score, f1_score

    refs = ["spam", "ham", "spam", "ham", "spam", "other"] * 3
    base = ["spam", "spam", "spam", "spam", "ham", "nonsense"] * 3
    tuned = ["Spam.", "ham", "spam", "HAM", "spam", "ham"] * 3
    got = {m.name: m for m in tm.evaluate_samples(
        [sample(i, r, b, t) for i, (r, b, t) in enumerate(zip(refs, base, tuned, strict=True))], "classification").metrics}
    norm = [kinds.normalise_label(x) for x in tuned]
    assert got["Accuracy"].tuned == pytest.approx(accuracy_score(refs, norm)) == pytest.approx(15 / 18)
    assert got["Macro-F1"].tuned == pytest.approx(f1_score(refs, norm, labels=sorted(set(refs)), average="macro",
                                                           zero_division=0))
    assert got["Macro-F1"].base == pytest.approx(f1_score(refs, base, labels=sorted(set(refs)), average="macro",
                                                          zero_division=0))
    assert got["Accuracy"].verdict == "better" and got["Accuracy"].ci_low > 0


def test_macro_f1_by_counting_equals_scikit_learn():
    from sklearn.metrics import f1_score

    rng = random.Random(3)
    for _ in range(50):
        k = rng.randint(1, 5)
        truth = [rng.randrange(k) for _ in range(rng.randint(1, 30))]
        pred = [rng.randrange(k + 1) for _ in truth]  # code k: a label outside the references
        assert kinds.macro_f1_codes(truth, pred, k) == pytest.approx(
            f1_score(truth, pred, labels=list(range(k)), average="macro", zero_division=0))


def test_extraction_json_fields():
    refs = ['{"name": "Ada", "year": 1815}', '{"name": "Alan", "tags": ["a", "b"]}']
    base = ["Ada, 1815", '{"name": "Alan"}']
    tuned = ['```json\n{"year": 1815, "name": "Ada"}\n```', '{"name": "Alan", "tags": ["a", "c"]}']
    got = {m.name: m for m in tm.evaluate_samples(
        [sample(i, *x) for i, x in enumerate(zip(refs, base, tuned, strict=True))], "extraction").metrics}
    assert (got["Valid JSON"].base, got["Valid JSON"].tuned) == (0.5, 1.0)
    assert (got["Exact match"].base, got["Exact match"].tuned) == (0.0, 0.5)
    # base row 2: 1 of its 1 fields right, 1 of the reference's 3: F1 = 2*1*(1/3)/(4/3) = 0.5; row 1 invalid: 0
    assert got["Field F1"].base == pytest.approx(0.25)
    # tuned: row 1 exact (1.0); row 2: 2 of 3 pairs common both ways: 2/3
    assert got["Field F1"].tuned == pytest.approx((1 + 2 / 3) / 2)
    assert kinds.json_fields({"a": {"b": 1}, "c": [2]}) == {("$.a.b", "1"), ("$.c[0]", "2")}


def test_translation_is_sacrebleu_corpus_scores():
    import sacrebleu

    refs = ["the cat sat on the mat", "it is raining today", "good morning to you"]
    base = ["a cat on mat", "rain today", "hello"]
    tuned = ["the cat sat on the mat", "it is raining", "good morning to you all"]
    got = {m.name: m for m in tm.evaluate_samples(
        [sample(i, *x) for i, x in enumerate(zip(refs, base, tuned, strict=True))], "translation").metrics}
    assert got["BLEU"].tuned == pytest.approx(sacrebleu.corpus_bleu(tuned, [refs]).score)
    assert got["chrF"].base == pytest.approx(sacrebleu.corpus_chrf(base, [refs]).score)
    assert got["chrF"].scale == "0-100"


def test_summarisation_rouge_and_qa_squad():
    from rouge_score import rouge_scorer

    refs = ["The Eiffel Tower is in Paris.", "Water boils at 100 degrees."]
    base = ["Paris", "It boils."]
    tuned = ["the eiffel tower is in paris", "water boils at 100 degrees celsius"]
    s = [sample(i, *x) for i, x in enumerate(zip(refs, base, tuned, strict=True))]
    rl = tm.evaluate_samples(s, "summarisation").metrics[0]
    sc = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    assert rl.tuned == pytest.approx(sum(sc.score(r, t)["rougeL"].fmeasure for r, t in zip(refs, tuned, strict=True)) / 2)
    qa = {m.name: m for m in tm.evaluate_samples(s, "qa").metrics}
    assert qa["Exact match"].tuned == 0.5  # "the" and "." are normalised away; "celsius" is one word too many
    # SQuAD F1 of row 2: 5 common tokens, precision 5/6, recall 5/5
    assert qa["F1"].tuned == pytest.approx((1 + 2 * (5 / 6) / (5 / 6 + 1)) / 2)
    assert kinds.squad_normalise("The  Answer, an apple!") == "answer apple"


def test_a_change_within_noise_is_called_so():
    rng = random.Random(0)
    refs = [f"answer number {i}" for i in range(30)]
    # each model right on a coin flip: no real difference
    base = [r if rng.random() < 0.5 else "wrong" for r in refs]
    tuned = [r if rng.random() < 0.5 else "wrong" for r in refs]
    s = [sample(i, *x) for i, x in enumerate(zip(refs, base, tuned, strict=True))]
    em = tm.evaluate_samples(s, "qa").metrics[0]
    assert em.ci_low < 0 < em.ci_high and em.verdict == "within noise"
    same = tm.evaluate_samples([sample(i, r, r, r) for i, r in enumerate(refs)], "chat")
    assert same.metrics[0].tuned == 0.5 and same.metrics[0].verdict == "within noise" and same.ties == 30
    worse = tm.evaluate_samples([sample(i, r, r, "nothing like it") for i, r in enumerate(refs)], "chat")
    assert worse.metrics[0].verdict == "worse" and worse.losses == 30
    one = tm.evaluate_samples([sample(0, "a", "b", "a")], "qa")
    assert one.metrics[0].verdict == "no interval"


def test_the_bootstrap_is_reproducible():
    s = [sample(i, f"r{i} x", "x", f"r{i}" if i % 3 else "y") for i in range(12)]
    a, b = tm.evaluate_samples(s, "qa"), tm.evaluate_samples(s, "qa")
    assert [(m.ci_low, m.ci_high) for m in a.metrics] == [(m.ci_low, m.ci_high) for m in b.metrics]


def test_guess_kind():
    assert tm.guess_kind(["x"], "summarization")[0] == "summarisation"
    assert tm.guess_kind(['{"a": 1}', "[1, 2]"])[0] == "extraction"
    assert tm.guess_kind(["yes", "no", "yes", "no", "yes", "no"])[0] == "classification"
    kind, why = tm.guess_kind(["the cat sat on the mat", "a long free answer here", "x y z w", "q r s t"])
    assert kind == "chat" and "summarisation" in why


def test_unknown_kind_and_no_samples():
    with pytest.raises(intervals.EvalError, match="not one of"):
        tm.evaluate_samples([sample(0, "a", "b", "c")], "poetry")
    with pytest.raises(intervals.EvalError, match="no samples"):
        tm.evaluate_samples([], "chat")


def test_samples_file_round_trip_private_and_errors(tmp_path):
    s = [sample(i, "ref", "base", "tuned") for i in range(3)]
    path = write_samples(tmp_path, header(), s)
    assert path.stat().st_mode & 0o777 == 0o600  # the user's prompts and answers
    got = read_samples(tmp_path)
    assert got.samples == s and got.header.max_new_tokens == 32
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:2] + ['{"kind": "sample", "index": 0}']) + "\n")
    with pytest.raises(SamplesError, match=r"samples.jsonl: line 3: \$.line: Field required"):
        read_samples(tmp_path)
    path.write_text("\n".join(lines[1:]) + "\n")
    with pytest.raises(SamplesError, match="line 1: field kind: expected header"):
        read_samples(tmp_path)
    with pytest.raises(SamplesError, match="no samples yet"):
        read_samples(tmp_path / "nowhere")


def test_word_diff_and_the_few_for_the_report():
    assert word_diff("the sky is blue", "the sky is green") == [("same", "the sky is "), ("removed", "blue"),
                                                                 ("added", "green")]
    assert "".join(t for k, t in word_diff("a b c", "a x c") if k != "removed") == "a x c"
    s = [sample(0, "r", "same", "same"), sample(1, "r", "one two", "three four"), sample(2, "r", "a b c", "a b d")]
    assert [x.index for x in pick_for_report(s, 2)] == [1, 2]


def test_cli_runs_eval(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    write_samples(run, header(), [sample(i, "yes" if i % 2 else "no", "maybe", "yes" if i % 2 else "no")
                                  for i in range(8)])
    assert main(["runs", "eval", str(run), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "classification" and "distinct short labels" in out["kind_reason"]
    assert out["metrics"][0]["name"] == "Accuracy" and out["metrics"][0]["tuned"] == 1.0
    assert out["eval_path"] == str(run / "eval.json") and tm.read_eval(run).kind == "classification"
    assert main(["runs", "eval", str(run), "--metrics", "qa"]) == 0
    text = capsys.readouterr().out
    assert "qa metrics on 8 holdout prompts (asked for)" in text and "Exact match" in text and "better" in text
    assert main(["runs", "eval", str(tmp_path / "nope")]) == 2
    assert "no such run folder" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["runs", "eval", str(empty)]) == 2
    assert "no samples yet" in capsys.readouterr().err


def test_cli_runs_eval_in_the_training_runtime_when_the_libraries_are_not_here(tmp_path, capfd, monkeypatch):
    import sys

    from ftwizard.cli import runs_cmd

    run = tmp_path / "run"
    run.mkdir()
    write_samples(run, header(), [sample(i, "yes", "no", "yes") for i in range(4)])
    runtime = tmp_path / "runtime-python"  # another interpreter, as the installed program sees it
    runtime.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    runtime.chmod(0o755)
    monkeypatch.setattr(runs_cmd, "_metric_libraries_here", lambda: False)
    assert main(["runs", "eval", str(run), "--metrics", "qa", "--python", str(runtime), "--json"]) == 0
    out = json.loads(capfd.readouterr().out)
    assert out["kind"] == "qa" and out["metrics"][0]["tuned"] == 1.0 and (run / "eval.json").is_file()


def test_resampled_sacrebleu_scores_equal_corpus_scores_of_the_resample():
    """The translation intervals sum sentence statistics per resample (as sacrebleu.significance):
    each resample's score is the corpus score of those sentences."""
    import sacrebleu

    rng = random.Random(1)
    words = "the a cat dog sat ran on under mat rug".split()
    refs = [" ".join(rng.choices(words, k=8)) for _ in range(15)]
    hyps = [" ".join(rng.choices(words, k=7)) for _ in range(15)]
    import numpy as np

    for metric, corpus in ((sacrebleu.BLEU(), sacrebleu.corpus_bleu), (sacrebleu.CHRF(), sacrebleu.corpus_chrf)):
        st = np.asarray(metric._extract_corpus_statistics(hyps, [refs]))
        for _ in range(5):
            idx = [rng.randrange(15) for _ in range(15)]
            got = metric._compute_score_from_stats(st[idx].sum(axis=0).tolist()).score
            assert got == pytest.approx(corpus([hyps[i] for i in idx], [[refs[i] for i in idx]]).score)
