"""Task metrics by kind: each judges the base and the tuned answers against the references
and returns its `MetricRow`s (intervals.py), each from an established library (imported only
when used):
- classification: accuracy and macro-F1 (scikit-learn `accuracy_score`, `f1_score`).
- extraction: valid-JSON rate, exact match of the parsed JSON, field-level F1 (leaf
  path=value pairs of the answer against the reference's; the standard's json module parses).
- summarisation: ROUGE-L F-measure (Google's `rouge-score`, Porter stemming).
- translation: chrF and BLEU (`sacrebleu`, corpus-level, its default settings; resampled from
  sentence statistics as sacreBLEU's own paired bootstrap does).
- qa: exact match and token F1 as in the official SQuAD v1.1 evaluation script (Rajpurkar
  et al., 2016): lower case, no punctuation, no articles a/an/the, collapsed spaces.
- chat: win rate of tuned over base by a rule the user can read (WIN_RULE), mean sentence
  chrF, and the runner's holdout loss and perplexity.
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter

from ftwizard.evaluate.intervals import MetricRow, _interval, _need, _row, _verdict, per_item_row

WIN_RULE = ("per prompt, the answer with the higher sentence chrF against the reference wins "
            "(sacreBLEU, character 6-grams); equal scores are a tie and count half")


# -- metrics by kind ------------------------------------------------------------------------------------
def normalise_label(s: str) -> str:
    return s.strip().casefold().rstrip(".!").strip()


def macro_f1_codes(truth, pred, n_labels: int) -> float:
    """Macro-F1 over label codes 0..n_labels-1 (predictions outside are code n_labels), with
    zero_division=0: scikit-learn's f1_score(labels=..., average="macro") by counting, for the
    bootstrap's thousand resamples (tests check it equals scikit-learn's)."""
    np = _need("numpy", "numpy")
    truth, pred = np.asarray(truth), np.asarray(pred)
    k = np.arange(n_labels)[:, None]
    tp = ((pred == k) & (truth == k)).sum(axis=1)
    fp = ((pred == k) & (truth != k)).sum(axis=1)
    fn = ((pred != k) & (truth == k)).sum(axis=1)
    denom = 2 * tp + fp + fn
    return float(np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0).mean())


def _classification(refs, base, tuned) -> list[MetricRow]:
    metrics = _need("sklearn.metrics", "scikit-learn")
    labels = sorted({normalise_label(r) for r in refs})
    code = {lab: i for i, lab in enumerate(labels)}
    r_c = [code[normalise_label(x)] for x in refs]
    b_c = [code.get(normalise_label(x), len(labels)) for x in base]
    t_c = [code.get(normalise_label(x), len(labels)) for x in tuned]
    rule = "answers and references compared after trimming, case folding and a trailing . or !"
    b_ok = [1.0 if x == y else 0.0 for x, y in zip(r_c, b_c, strict=True)]
    t_ok = [1.0 if x == y else 0.0 for x, y in zip(r_c, t_c, strict=True)]
    acc = per_item_row("Accuracy", f"share of answers equal to the reference label; {rule} (scikit-learn "
                       "accuracy_score)", b_ok, t_ok)
    acc.base = float(metrics.accuracy_score(r_c, b_c))
    acc.tuned = float(metrics.accuracy_score(r_c, t_c))

    def f1(r, h):
        return float(metrics.f1_score(r, h, labels=list(range(len(labels))), average="macro", zero_division=0))

    def diff(idx: list[int]) -> float:
        r = [r_c[i] for i in idx]
        return (macro_f1_codes(r, [t_c[i] for i in idx], len(labels))
                - macro_f1_codes(r, [b_c[i] for i in idx], len(labels)))

    macro = _row("Macro-F1", "fraction 0-1", f"F1 per reference label, averaged with equal weight; {rule} "
                 "(scikit-learn f1_score)", f1(r_c, b_c), f1(r_c, t_c), _interval(len(refs), diff, False))
    return [acc, macro]


_FENCE = re.compile(r"^```[a-zA-Z]*\s*(.*?)\s*```$", re.DOTALL)


def parse_json_answer(text: str):
    """The answer as JSON (a ``` fence around it is allowed); raises ValueError if it is not."""
    s = text.strip()
    m = _FENCE.match(s)
    return json.loads(m.group(1) if m else s)


def json_fields(obj, prefix: str = "$") -> set[tuple[str, str]]:
    """Leaf (path, value) pairs: {"a": {"b": 1}, "c": [2]} -> {("$.a.b", "1"), ("$.c[0]", "2")}."""
    if isinstance(obj, dict):
        return set().union(*(json_fields(v, f"{prefix}.{k}") for k, v in obj.items())) if obj else {(prefix, "{}")}
    if isinstance(obj, list):
        return set().union(*(json_fields(v, f"{prefix}[{i}]") for i, v in enumerate(obj))) if obj else {(prefix, "[]")}
    return {(prefix, json.dumps(obj, sort_keys=True))}


def field_f1(answer: set, reference: set) -> float:
    common = len(answer & reference)
    if not answer or not reference or not common:
        return 1.0 if answer == reference else 0.0
    p, r = common / len(answer), common / len(reference)
    return 2 * p * r / (p + r)


def _extraction(refs, base, tuned) -> list[MetricRow]:
    def parsed(s):
        try:
            return True, parse_json_answer(s)
        except ValueError:
            return False, None

    ref_p = [parsed(r) for r in refs]

    def scores(hyps):
        valid, exact, f1 = [], [], []
        for (rok, robj), h in zip(ref_p, hyps, strict=True):
            ok, obj = parsed(h)
            valid.append(1.0 if ok else 0.0)
            exact.append(1.0 if (ok and rok and obj == robj) or (not rok and h.strip() == "") else 0.0)
            f1.append(field_f1(json_fields(obj), json_fields(robj)) if ok and rok else 0.0)
        return valid, exact, f1

    b, t = scores(base), scores(tuned)
    return [per_item_row("Valid JSON", "share of answers that parse as JSON (a ``` fence allowed)", b[0], t[0]),
            per_item_row("Exact match", "share of answers whose parsed JSON equals the reference's", b[1], t[1]),
            per_item_row("Field F1", "F1 of the answer's leaf path=value pairs against the reference's, "
                         "per answer, averaged (invalid JSON scores 0)", b[2], t[2])]


def _summarisation(refs, base, tuned) -> list[MetricRow]:
    rs = _need("rouge_score.rouge_scorer", "rouge-score")
    scorer = rs.RougeScorer(["rougeL"], use_stemmer=True)
    b = [scorer.score(r, h)["rougeL"].fmeasure for r, h in zip(refs, base, strict=True)]
    t = [scorer.score(r, h)["rougeL"].fmeasure for r, h in zip(refs, tuned, strict=True)]
    return [per_item_row("ROUGE-L", "F-measure of the longest common word subsequence with the reference, per "
                         "answer, averaged (rouge-score, Porter stemmer; it keeps only a-z and 0-9)", b, t)]


def sacrebleu_row(name: str, definition: str, metric, refs: list[str], base: list[str],
                  tuned: list[str]) -> MetricRow:
    """A sacreBLEU corpus metric with its interval the way sacreBLEU's own paired bootstrap
    (sacrebleu.significance) resamples: sentence statistics extracted once, summed per
    resample, scored by the metric (thousands of resamples in a second, not minutes)."""
    np = _need("numpy", "numpy")
    st_b = np.asarray(metric._extract_corpus_statistics(base, [refs]))
    st_t = np.asarray(metric._extract_corpus_statistics(tuned, [refs]))

    def score(st) -> float:
        return float(metric._compute_score_from_stats(st.sum(axis=0).tolist()).score)

    def diff(idx: list[int]) -> float:
        return score(st_t[idx]) - score(st_b[idx])

    return _row(name, "0-100", definition, float(metric.corpus_score(base, [refs]).score),
                float(metric.corpus_score(tuned, [refs]).score), _interval(len(refs), diff, False))


def _translation(refs, base, tuned) -> list[MetricRow]:
    sb = _need("sacrebleu", "sacrebleu")
    return [sacrebleu_row("chrF", "character n-gram F-score over the set (sacreBLEU CHRF, defaults)",
                          sb.CHRF(), refs, base, tuned),
            sacrebleu_row("BLEU", "word n-gram precision with brevity penalty over the set (sacreBLEU BLEU, "
                          "13a tokenizer)", sb.BLEU(), refs, base, tuned)]


def squad_normalise(s: str) -> str:
    """SQuAD v1.1 evaluate script's normalize_answer."""
    s = s.lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation))
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def squad_f1(prediction: str, truth: str) -> float:
    """SQuAD v1.1 evaluate script's f1_score: bag-of-tokens overlap of the normalised texts."""
    p, g = squad_normalise(prediction).split(), squad_normalise(truth).split()
    common = sum((Counter(p) & Counter(g)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def _qa(refs, base, tuned) -> list[MetricRow]:
    def em(hyps):
        return [1.0 if squad_normalise(h) == squad_normalise(r) else 0.0 for r, h in zip(refs, hyps, strict=True)]

    def f1(hyps):
        return [squad_f1(h, r) for r, h in zip(refs, hyps, strict=True)]

    rule = "after SQuAD v1.1 normalisation (lower case, no punctuation or articles)"
    return [per_item_row("Exact match", f"share of answers equal to the reference {rule}", em(base), em(tuned)),
            per_item_row("F1", f"token overlap F1 with the reference {rule}, averaged", f1(base), f1(tuned))]


def win_scores(refs, base, tuned) -> tuple[list[float], list[float], list[float]]:
    """(per-prompt outcome for tuned: 1 win, 0.5 tie, 0 loss; base chrF; tuned chrF)."""
    sb = _need("sacrebleu", "sacrebleu")
    b = [float(sb.sentence_chrf(h, [r]).score) for r, h in zip(refs, base, strict=True)]
    t = [float(sb.sentence_chrf(h, [r]).score) for r, h in zip(refs, tuned, strict=True)]
    return [1.0 if y > x else 0.5 if y == x else 0.0 for x, y in zip(b, t, strict=True)], b, t


def _chat(refs, base, tuned) -> tuple[list[MetricRow], list[float]]:
    outcome, b, t = win_scores(refs, base, tuned)
    n = len(outcome)
    rate = sum(outcome) / n
    lo, hi = _interval(n, [o - 0.5 for o in outcome], per_item=True)
    win = MetricRow(name="Win rate (tuned vs base)", scale="fraction 0-1", tuned=rate, difference=rate - 0.5,
                    ci_low=lo, ci_high=hi, verdict=_verdict(lo, hi, True), definition=WIN_RULE + "; 0.5 is a draw")
    chrf = per_item_row("chrF (per answer)", "sentence chrF against the reference, averaged (sacreBLEU)", b, t, "0-100")
    return [win, chrf], outcome


def loss_rows(metrics) -> list[MetricRow]:
    """The runner's holdout loss and perplexity (manifest), one figure each: no interval."""
    if metrics is None or metrics.eval_loss_before is None or metrics.eval_loss_after is None:
        return []
    rows = []
    for name, b, t, d in (("Eval loss", metrics.eval_loss_before, metrics.eval_loss_after,
                           "mean cross-entropy over the holdout's answer tokens (the runner's)"),
                          ("Perplexity", metrics.perplexity_before, metrics.perplexity_after, "exp(eval loss)")):
        rows.append(MetricRow(name=name, scale="nats" if name == "Eval loss" else "ratio", base=b, tuned=t,
                              difference=(t - b) if b is not None and t is not None else None,
                              higher_is_better=False, definition=d + "; one figure over all holdout tokens, "
                              "no per-example values kept, so no interval"))
    return rows
