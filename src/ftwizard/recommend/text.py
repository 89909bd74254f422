"""The sentences of a recommendation: reasons a manager understands, licence duties, and why
a model did not fit. Words only; every figure comes from the estimator or the catalog."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ftwizard.base.units import mem  # memory as a person reads it: the vendors' GB (2^30 bytes)
from ftwizard.catalog.entries import ModelEntry, price_traced
from ftwizard.catalog.store import Catalog
from ftwizard.estimate.cost import usable_memory_gb
from ftwizard.estimate.request import InferenceCost
from ftwizard.recommend import scoring
from ftwizard.recommend.answers import Answers
from ftwizard.recommend.cloud import overhead_hours
from ftwizard.recommend.hardware_options import price_allowed_text
from ftwizard.recommend.hyperparams import seq_len_for

if TYPE_CHECKING:
    from ftwizard.recommend.hardware_options import GpuOption

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


def _data_fit_sentence(technique: str, method: str, answers: Answers, model: ModelEntry | None = None) -> str:
    n = answers.data.examples
    if n == 0:  # nothing to train on yet: the plan is sized for the first examples to collect
        from ftwizard.recommend.advice import START_EXAMPLES_LOW

        label = TECHNIQUE_LABEL[method] + (" DPO" if technique == "dpo" else "")
        return (f"You have no examples yet: a {label} tune would learn from the ones you collect; its time and "
                f"cost are shown for the first {START_EXAMPLES_LOW:,}.")
    if technique == "dpo":
        start = (
            f"It starts from the vendor's instruct checkpoint ({model.instruct_repo_id}), which is already "
            "supervised-tuned, so no separate SFT step is needed."
            if model is not None and model.instruct_repo_id else
            f"The catalog has no instruct checkpoint for {model.name if model else 'this model'}, so the plan has "
            f"two steps: first an SFT {TECHNIQUE_LABEL[method]} tune on the preferred answers, then DPO on the "
            "pairs; the time and cost shown cover both steps."
        )
        return (
            f"DPO on a {TECHNIQUE_LABEL[method]} adapter uses your {n:,} preference pairs to teach which "
            f"answers are better. {start}"
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
    """`c` is a Candidate (ftwizard.recommend.candidate_types)."""
    m: ModelEntry = c.model
    where = "on your own hardware" if c.option.where == "local" else (
        f"rented from {c.cost.provider}" if c.cost else "in the cloud"
    )
    how = TECHNIQUE_LABEL[c.technique] if c.technique != "full" else "full fine-tuning"
    if c.technique == "dpo":
        how += f" on a {TECHNIQUE_LABEL[c.method]} adapter"
    out = [
        f"{m.name}, {m.params_b:.1f} B parameters, tuned with {how} on {c.option.label(c.count)}, {where}.",
        _data_fit_sentence(c.technique, c.method, answers, m),
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
        out.append(f"Needs about {mem(c.peak_vram_gb)} of GPU memory per card, of {mem(room)} "
                   f"{'free' if c.option.free_gb is not None else 'usable'}.")
    if c.count > 1 and c.too_big_for_one:
        out.append(f"No single GPU holds it, so it is sharded over {c.count} GPUs (FSDP).")
    elif c.count > 1:
        out.append(f"The offer rents {c.count} GPUs together; the run is sharded over all of them (FSDP).")
    if c.hours is not None:
        cost = ""
        if c.cost is not None:
            kind = "of electricity" if c.option.where == "local" else f"at {c.cost.pricing.replace('_', '-')} prices"
            cost = f" and costs about ${c.cost.usd:,.2f} {kind}"
        step = "The DPO step takes" if c.sft is not None else "Training takes"
        out.append(f"{step} about {hours_text(c.hours)}{cost}.")
        sft = c.sft
        if sft is not None and sft.hours is not None and sft.train_cost_usd is not None:
            out.append(
                f"The SFT step before it ({TECHNIQUE_LABEL[sft.method]} on {sft.option.label(sft.count)}) takes about "
                f"{hours_text(sft.hours)} and costs about ${sft.train_cost_usd:,.2f}; both steps together: "
                f"{hours_text(c.total_hours or 0.0)}, ${c.train_cost_usd or 0.0:,.2f}."
            )
    comp = answers.compliance
    if c.option.where == "local" and (comp.regulated_data or comp.air_gapped):
        out.append(
            "Runs on your own hardware, so the data never leaves the site; your compliance officer "
            "checks who can read the data and the checkpoints on this machine, and that both are deleted or "
            "archived as your policy says."
        )
    elif c.option.where == "cloud" and c.cost is not None and (comp.regulated_data or comp.data_residency):
        entry = _price_entry(catalog, c.cost)
        text = price_allowed_text(entry, answers) if entry is not None else None
        if text:
            out.append(text)
    return out


def _price_entry(catalog: Catalog, cost):
    for p in catalog.prices:
        if (p.provider, p.gpu_id, p.usd_per_gpu_hour, p.pricing) == (
            cost.provider, cost.gpu_id, cost.usd_per_gpu_hour, cost.pricing
        ):
            return p
    return None


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
        f"{TECHNIQUE_LABEL[technique]} of {model.name} needs about {mem(peak_gb)} per GPU; the largest "
        f"available GPU ({big.gpu.name}) holds {mem(room)}{tail}."
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
        if not scoring.fits_with_headroom(c.peak_vram_gb, room):
            out.append(
                f"Tight memory (warning tier): about {mem(c.peak_vram_gb)} of {mem(room)} per GPU leaves "
                f"{mem(left)}, under the {mem(scoring.headroom_gb(room))} headroom a plan needs to count as "
                "fitting (10% of the card or 1.5 GB, whichever is more); it may run out of memory: close other "
                "programs and lower the sequence length if it does."
            )
    if c.option.free_gb is not None:
        out.append(f"The GPU is shared: planned against its {mem(c.option.free_gb)} free at detection.")
    _, cut = seq_len_for(answers, c.model)
    if cut:
        out.append(f"Examples longer than the model's {c.hp.seq_len:,}-token context will be cut.")
    if c.hours is None:
        out.append(
            f"Not checked: the catalog has no tensor speed for {c.option.gpu.name}, so training time and cost "
            "are unknown and the training budget could not be checked."
        )
    cost = c.cost
    if cost is not None and c.option.where == "cloud":
        if not price_traced(cost):
            out.append(
                f"Untraced price (warning tier): the {cost.provider} price could not be traced to a price list, "
                "so it is not used to rank this plan above traced offers; check it before booking."
            )
        if cost.pricing == "spot":
            out.append("Spot price: the instance can be interrupted; keep checkpoints on.")
        cloud_overhead = overhead_hours(c.model)
        out.append(
            f"The cloud cost includes about {cloud_overhead * 60:.0f} minutes of start-up and weight download "
            f"per GPU{' and the 24-hour minimum of a capacity block' if cost.pricing == 'capacity_block' else ''}."
        )
    monthly_budget = answers.budget.monthly_inference_usd
    if inf is not None:
        where = (
            f"on {inf.count} x {inf.gpu} you own ({inf.source.split(', ', 1)[-1]})" if inf.provider == "your hardware"
            else f"on {inf.count} x {inf.gpu} from {inf.provider}"
        )
        if monthly_budget is not None and inf.usd_per_month > monthly_budget:
            out.append(
                f"Over the monthly serving budget: serving {where} costs about ${inf.usd_per_month:,.0f} a month "
                f"(budget ${monthly_budget:,.0f})."
            )
        elif inf.provider == "your hardware":
            out.append(f"Serving {where}: about ${inf.usd_per_month:,.0f} a month.")
    else:
        why = (
            "no card you own holds it and the site is air-gapped" if answers.compliance.air_gapped
            else "no allowed priced GPU holds it, or your card's board power is unknown"
        )
        checked = "; the serving budget is not checked" if monthly_budget is not None else ""
        out.append(f"Monthly serving cost unknown: {why}{checked}.")
    if c.option.gpu.vendor != "nvidia" and c.method == "qlora":
        out.append("QLoRA's 4-bit kernels (bitsandbytes) are best supported on NVIDIA; check ROCm support.")
    return out
