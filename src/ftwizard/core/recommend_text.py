"""The sentences of a recommendation: reasons a manager understands, licence duties, and why
a model did not fit. Words only; every figure comes from the estimator or the catalog."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ftwizard.core import scoring
from ftwizard.core.answers import Answers
from ftwizard.core.catalog import Catalog, ModelEntry
from ftwizard.core.estimator import InferenceCost
from ftwizard.core.estimator_cost import usable_memory_gb
from ftwizard.core.hyperparams import seq_len_for

if TYPE_CHECKING:
    from ftwizard.core.hardware_options import GpuOption

TIGHT_MARGIN_SHARE = 0.10  # under 10% of the card left: warn

TECHNIQUE_LABEL = {
    "full": "Full fine-tuning",
    "lora": "LoRA",
    "qlora": "QLoRA",
    "dpo": "DPO",
}


def usd_text(usd: float) -> str:
    return f"${usd:,.0f}" if usd >= 100 or usd == int(usd) else f"${usd:,.2f}"


def hours_text(hours: float) -> str:
    if hours < 1:
        return f"{max(1, round(hours * 60))} minutes"
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"


def _data_fit_sentence(technique: str, method: str, answers: Answers) -> str:
    n = answers.data.examples
    if technique == "dpo":
        return (
            f"DPO on a {TECHNIQUE_LABEL[method]} adapter uses your {n:,} preference pairs to teach which "
            "answers are better; run it after a supervised tune."
        )
    band = scoring.data_size_band(n, answers.data.avg_tokens)
    if method == "full":
        if band == "large":
            return f"With {n:,} examples, full fine-tuning can use all of the data's signal."
        return f"Full fine-tuning on {n:,} examples risks overfitting; adapters usually do as well here."
    if band == "large":
        return f"A {TECHNIQUE_LABEL[method]} adapter is a cheaper alternative to full tuning on {n:,} examples."
    extra = " with the base model held in 4 bits to save memory" if method == "qlora" else ""
    return (
        f"A {TECHNIQUE_LABEL[method]} adapter{extra} learns the task from {n:,} examples without "
        "overwriting what the model already knows."
    )


def describe_reasons(c, answers: Answers, catalog: Catalog) -> list[str]:
    """`c` is a recommend_candidates.Candidate (not imported: that module imports this one)."""
    m: ModelEntry = c.model
    where = "on your own hardware" if c.option.where == "local" else (
        f"rented from {c.cost.provider}" if c.cost else "in the cloud"
    )
    how = TECHNIQUE_LABEL[c.technique] if c.technique != "full" else "full fine-tuning"
    if c.technique == "dpo":
        how += f" on a {TECHNIQUE_LABEL[c.method]} adapter"
    out = [
        f"{m.name}, {m.params_b:.1f} B parameters, tuned with {how} on {c.option.label(c.count)}, {where}.",
        _data_fit_sentence(c.technique, c.method, answers),
    ]
    out.extend(c.quality_reasons)
    if m.languages:
        out.append(f"Supports every requested language ({', '.join(answers.languages)}).")
    lic = catalog.model_licences(m)
    if answers.compliance.commercial_use:
        names = " and ".join(x.name for x in lic)
        out.append(f"The {names} allow{'' if len(lic) > 1 else 's'} commercial use.")
    room = c.room_gb
    if room:
        out.append(f"Needs about {c.peak_vram_gb:.1f} GB of GPU memory per card, of {room:.1f} GB usable.")
    if c.count > 1 and c.too_big_for_one:
        out.append(f"No single GPU holds it, so it is sharded over {c.count} GPUs (FSDP).")
    elif c.count > 1:
        out.append(f"The offer rents {c.count} GPUs together; the run is sharded over all of them (FSDP).")
    if c.hours is not None:
        cost = ""
        if c.cost is not None:
            kind = "of electricity" if c.option.where == "local" else f"at {c.cost.pricing.replace('_', '-')} prices"
            cost = f" and costs about ${c.cost.usd:,.2f} {kind}"
        out.append(f"Training takes about {hours_text(c.hours)}{cost}.")
    if answers.compliance.regulated_data or answers.compliance.air_gapped:
        out.append("Runs on your own hardware, so the regulated data never leaves the site.")
    return out


def licence_warnings(model: ModelEntry, catalog: Catalog, commercial: bool) -> list[str]:
    out = []
    for lic in catalog.model_licences(model):
        if not lic.commercial_use:
            out.append(f"{lic.name}: not for commercial use; acceptable for this non-commercial project only.")
        if lic.user_threshold_mau:
            out.append(
                f"{lic.name}: products with more than {lic.user_threshold_mau / 1e6:,.0f} million monthly "
                "active users need a separate licence from the vendor."
            )
        if lic.attribution:
            out.append(f"{lic.name}: attribution required ({lic.attribution}).")
        if lic.naming:
            out.append(f"{lic.name}: {lic.naming}.")
        if lic.output_use_restrictions:
            out.append(f"{lic.name}: {lic.output_use_restrictions}")
        if lic.acceptable_use_policy:
            out.append(f"{lic.name}: an acceptable-use policy applies and passes on to your users.")
        if not lic.terms_read_in_full:
            out.append(f"{lic.name}: the catalog authors did not read the full terms; have them reviewed.")
    return out


def memory_reason(model: ModelEntry, technique: str, peak_gb: float, options: list[GpuOption]) -> str:
    rooms = [(o, o.free_gb if o.free_gb is not None else usable_memory_gb(o.gpu)) for o in options]
    rooms = [(o, r) for o, r in rooms if r]
    if not rooms:
        return f"The catalog has no memory size for the available GPUs, so {model.name} cannot be placed."
    big, room = max(rooms, key=lambda x: x[1])
    shard = any(o.max_count > 1 for o, _ in rooms)
    tail = ", and no sharded layout over the available GPUs holds it" if shard else ""
    return (
        f"{TECHNIQUE_LABEL[technique]} of {model.name} needs about {peak_gb:.1f} GB per GPU; the largest "
        f"available GPU ({big.gpu.name}) holds {room:.1f} GB{tail}."
    )


def warnings_for(c, inf: InferenceCost | None, answers: Answers, catalog: Catalog) -> list[str]:
    """Licence duties, unlisted languages, tight memory, unverified prices, budgets."""
    out = licence_warnings(c.model, catalog, answers.compliance.commercial_use)
    if not c.model.languages:
        note = f" ('{c.model.languages_note}')" if c.model.languages_note else ""
        out.append(
            f"The catalog lists no per-language support for {c.model.name}{note}; test "
            f"{', '.join(answers.languages)} on your holdout before relying on it."
        )
    room = c.room_gb
    if room:
        left = room - c.peak_vram_gb
        if left < TIGHT_MARGIN_SHARE * room:
            out.append(
                f"Tight memory: about {c.peak_vram_gb:.1f} GB of {room:.1f} GB per GPU; close other "
                "programs, and lower the sequence length if it runs out of memory."
            )
    if c.option.free_gb is not None:
        out.append(f"The GPU is shared: planned against its {c.option.free_gb:.1f} GB free at detection.")
    _, cut = seq_len_for(answers, c.model)
    if cut:
        out.append(f"Examples longer than the model's {c.hp.seq_len:,}-token context will be cut.")
    if c.hours is None:
        out.append(f"The catalog has no tensor speed for {c.option.gpu.name}, so time and cost are unknown.")
    cost = c.cost
    if cost is not None and c.option.where == "cloud":
        if not cost.verified:
            out.append(f"The {cost.provider} price could not be traced to a price list; check it before booking.")
        if cost.pricing == "spot":
            out.append("Spot price: the instance can be interrupted; keep checkpoints on.")
        if answers.compliance.data_residency:
            out.append(f"Check that {cost.provider} can keep the data in {answers.compliance.data_residency}.")
    monthly_budget = answers.budget.monthly_inference_usd
    if inf is not None and monthly_budget is not None and inf.usd_per_month > monthly_budget:
        out.append(
            f"Over the monthly serving budget: self-hosting costs about ${inf.usd_per_month:,.0f} a month "
            f"(budget ${monthly_budget:,.0f})."
        )
    if inf is None:
        out.append("No priced GPU in the catalog holds this model for serving; monthly cost unknown.")
    if c.option.gpu.vendor != "nvidia" and c.method == "qlora":
        out.append("QLoRA's 4-bit kernels (bitsandbytes) are best supported on NVIDIA; check ROCm support.")
    return out
