"""The sentences of a recommendation: reasons a manager understands, licence duties, and why
a model did not fit. Words only; every figure comes from the estimator or the catalog."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ftwizard.core import scoring
from ftwizard.core.answers import Answers
from ftwizard.core.catalog import Catalog, ModelEntry

if TYPE_CHECKING:
    from ftwizard.core.hardware_options import GpuOption

TECHNIQUE_LABEL = {
    "full": "Full fine-tuning",
    "lora": "LoRA",
    "qlora": "QLoRA",
    "dpo": "DPO",
}


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
    """`c` is a recommend._Candidate: model, technique, method, option, count, est, cost."""
    m: ModelEntry = c.model
    where = "on your own hardware" if c.option.where == "local" else (
        f"rented from {c.cost.provider}" if c.cost else "in the cloud"
    )
    out = [
        f"{m.name} ({m.params_b:.1f} B parameters) tuned with {TECHNIQUE_LABEL[c.technique]} on "
        f"{c.option.label(c.count)}, {where}.",
        _data_fit_sentence(c.technique, c.method, answers),
    ]
    out.extend(c.quality_reasons)
    if m.languages:
        out.append(f"Supports every requested language ({', '.join(answers.languages)}).")
    lic = catalog.model_licences(m)
    if answers.compliance.commercial_use:
        names = " and ".join(x.name for x in lic)
        out.append(f"The {names} allow{'' if len(lic) > 1 else 's'} commercial use.")
    mem = c.option.free_gb if c.option.free_gb is not None else c.option.gpu.memory_gb
    if mem:
        out.append(f"Needs about {c.est.peak_vram_gb:.1f} GB of GPU memory per card, of {mem:.0f} GB.")
    if c.count > 1:
        out.append(f"No single GPU holds it, so it is sharded over {c.count} GPUs (FSDP).")
    if c.est.train_hours is not None:
        cost = ""
        if c.cost is not None:
            kind = "of electricity" if c.option.where == "local" else f"at {c.cost.pricing.replace('_', '-')} prices"
            cost = f" and costs about ${c.cost.usd:,.2f} {kind}"
        out.append(f"Training takes about {hours_text(c.est.train_hours)}{cost}.")
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
    sized = [o for o in options if o.gpu.memory_gb]
    if not sized:
        return f"The catalog has no memory size for the available GPUs, so {model.name} cannot be placed."
    big = max(sized, key=lambda o: o.free_gb if o.free_gb is not None else o.gpu.memory_gb or 0)
    room = big.free_gb if big.free_gb is not None else big.gpu.memory_gb
    tail = ", and no sharded layout over the available GPUs holds it" if any(o.max_count > 1 for o in sized) else ""
    return (
        f"{TECHNIQUE_LABEL[technique]} of {model.name} needs about {peak_gb:.1f} GB per GPU; the largest "
        f"available GPU ({big.gpu.name}) has {room:.0f} GB{tail}."
    )
