"""Advice before the ranking: is fine-tuning the right tool, and how to prepare for it.

Rules, in the order a consultant would say them:
- Facts that change often belong in retrieval (RAG): tuning bakes facts into weights that
  go stale; a small adapter tune can still set tone and format on top of RAG.
- Fewer than SMALL_DATA (~300) examples: lead with prompting (few-shot) and, for questions
  over documents, retrieval (RAG); collect up to the START_EXAMPLES_LOW target, and say the
  same target everywhere (summary, note and `examples_to_collect`). The ranked plans are for
  when the data is there.
- No GPU here (CPU only): what this machine can do, and the cheapest way to a GPU.
- Collect 500-2,000 good examples to start (LIMA, Zhou et al. 2023: 1,000 curated examples
  were enough to align a 65B model); quality beats quantity.
- Hold out 10% before training and compare base and tuned model on task metrics.
"""

from __future__ import annotations

from ftwizard.recommend.answers import Answers
from ftwizard.recommend.plan import Advice

MIN_EXAMPLES = 100
SMALL_DATA = 300  # below: adapters on a few hundred examples mostly learn format, not the task
START_EXAMPLES_LOW, START_EXAMPLES_HIGH = 500, 2_000
HOLDOUT_FRACTION = 0.10
LARGE_CORPUS_TOKENS = 50_000_000

# Task kind -> what to measure on the holdout, base vs tuned.
METRICS: dict[str, list[str]] = {
    "chat": ["reviewer rating of tone and correctness (blind, base vs tuned)", "win rate against the base model"],
    "instruction": ["win rate against the base model", "share of answers in the required format"],
    "classification": ["accuracy", "macro-F1"],
    "extraction": ["exact match per field", "field-level F1"],
    "summarization": ["ROUGE-L", "reviewer rating of faithfulness"],
    "qa": ["exact match", "token F1", "reviewer rating of faithfulness to sources"],
    "code": ["pass@1 on unit tests"],
    "translation": ["chrF", "reviewer rating of adequacy and fluency"],
    "reasoning": ["final-answer accuracy"],
}


def holdout_examples(examples: int) -> int:
    return int(examples * HOLDOUT_FRACTION)


DOC_TASKS = ("qa", "chat", "summarization", "extraction")


def advise(answers: Answers, n_recommendations: int, local_only: bool, *, cpu_only: bool = False) -> Advice:
    """The advice block of the plan; `n_recommendations` says whether any plan survived."""
    n = answers.data.examples
    tokens = n * answers.data.avg_tokens
    alternatives: list[str] = []
    notes: list[str] = []

    if answers.knowledge_changes_often:
        fine_tune = False
        summary = (
            "Your facts change often, so put them in a retrieval system (RAG) that the model reads "
            "at answer time; fine-tuning would bake today's facts into the weights and go stale. "
            "If you also need a house tone or format, add a small adapter (LoRA) tune on top."
        )
        alternatives += [
            "Retrieval-augmented generation (RAG) over your documents, with no tuning",
            "RAG plus a small LoRA tune for tone and format (the recommendations below)",
        ]
    elif n == 0:
        fine_tune = False
        summary = (
            "You have no training examples yet: start with prompting (clear instructions and a few "
            "worked examples in the prompt) and collect real examples as you go."
        )
        alternatives.append("Prompting with a few examples (few-shot) on an instruct model")
    elif n < SMALL_DATA:
        fine_tune = False
        to_go = START_EXAMPLES_LOW - n
        rag = (
            " or retrieval (RAG) over your documents, which needs no training examples at all"
            if answers.task.kind in DOC_TASKS else ""
        )
        summary = (
            f"{n:,} examples are too few to tune reliably: start with prompting (a few worked examples "
            f"in the prompt){rag}, and tune once you have {START_EXAMPLES_LOW:,}-{START_EXAMPLES_HIGH:,} "
            f"good examples ({to_go:,} more than you have). The plans below are for that tune."
        )
        alternatives.append("Prompting with a few examples (few-shot) on an instruct model")
        if rag:
            alternatives.append("Retrieval-augmented generation (RAG) over your documents, with no tuning")
    elif n < START_EXAMPLES_LOW:
        fine_tune = True
        summary = (
            f"A first adapter (LoRA) tune can start from your {n:,} examples of {answers.task.kind} work: a few "
            f"hundred teach format and style; aim for {START_EXAMPLES_LOW:,}-{START_EXAMPLES_HIGH:,} "
            f"({START_EXAMPLES_LOW - n:,} more than you have) before judging the task itself."
        )
        alternatives.append("Prompting an instruct model first, as the baseline the tune must beat")
    else:
        fine_tune = True
        summary = (
            f"Fine-tuning suits this project: {n:,} examples of {answers.task.kind} work are "
            "enough to teach a model your task and style."
        )
        alternatives.append("Prompting an instruct model first, as the baseline the tune must beat")

    if cpu_only:
        summary += (
            " This machine has no GPU: it can prepare the data and try prompting or RAG with a small "
            "quantised model, but not fine-tune in useful time; rent a GPU for the run (see the notes)."
        )
        alternatives.append("Rent one cloud GPU for the few hours a LoRA run takes (plan with hardware mode 'cloud')")
    if n_recommendations == 0:
        summary += " No model, technique and hardware combination meets every constraint; see the exclusions."
        alternatives.append("Relax a constraint (budget, hardware, languages or licence) and plan again")

    to_collect = max(0, START_EXAMPLES_LOW - n)
    if n < START_EXAMPLES_LOW:
        notes.append(
            f"Collect {START_EXAMPLES_LOW:,}-{START_EXAMPLES_HIGH:,} good examples to start "
            f"({to_collect:,} more than you have); a thousand carefully chosen examples beat many "
            "noisy ones (LIMA, Zhou et al. 2023)."
        )
    elif n <= START_EXAMPLES_HIGH:
        notes.append(
            f"{n:,} examples is a good start ({START_EXAMPLES_LOW:,}-{START_EXAMPLES_HIGH:,} recommended); "
            "check them for quality before adding more."
        )
    holdout = holdout_examples(n)
    metrics = METRICS[answers.task.kind]
    notes.append(
        (f"Before training, set aside 10% of the examples ({holdout:,}) and never train on them; " if n else
         "Once you have examples, set aside 10% of them and never train on them; ")
        + f"compare the base and the tuned model on them with: {', '.join(metrics)}."
    )
    if answers.data.preference_pairs:
        notes.append(
            "Your preference pairs (a better and a worse answer) suit DPO (Rafailov et al. 2023): "
            "usually tune on the preferred answers first (SFT), then run DPO on the pairs."
        )
    if n >= 20_000 or tokens >= LARGE_CORPUS_TOKENS:
        notes.append(
            f"With {n:,} examples (about {tokens / 1e6:,.0f} M tokens), full fine-tuning, or continued "
            "pre-training on raw domain text, becomes worthwhile when the budget allows."
        )
    if local_only:
        notes.append(
            "The site is air-gapped, so only your own hardware is considered: download the model weights "
            "once on a connected machine, check their checksums, and carry them in."
        )
    elif answers.compliance.regulated_data:
        notes.append(
            "Your data is regulated: it stays on your own hardware, or goes only to cloud offers whose "
            "region lies inside the stated data residency; each plan says where it runs and what your "
            "compliance officer must check (contract, data-processing agreement, location)."
        )
    return Advice(
        fine_tune=fine_tune,
        summary=summary,
        alternatives=alternatives,
        notes=notes,
        examples_to_collect=to_collect,
        holdout_examples=holdout,
        evaluation_metrics=metrics,
    )
