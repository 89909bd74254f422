"""Hard constraints on a model, before any estimate: the first one it breaks, with its reason.

Licence against commercial use (research-only licences out), licences that grant nothing in
the user's territory (read from the data residency), training data openness when required,
every requested language (a model whose catalog entry lists none is kept, with a warning),
and a context window that holds the examples. Hardware, memory and budget come later, per
placement (`ftwizard.recommend.candidates`).
"""

from __future__ import annotations

from ftwizard.catalog.entries import ModelEntry
from ftwizard.catalog.store import Catalog
from ftwizard.recommend.answers import Answers
from ftwizard.recommend.candidate_types import Failure
from ftwizard.recommend.hardware_options import EU_COUNTRIES, residency_regions

# Families whose pre-training data is published (the catalog has no field for it yet).
OPEN_TRAINING_DATA: dict[str, str] = {
    "OLMo 2": "Ai2 OLMo 2 card: OLMo-mix-1124 and Dolmino-mix-1124 are published",
    "TinyLlama": "TinyLlama README: trained on SlimPajama and StarCoderData, both public",
}


def _hard_constraint(model: ModelEntry, answers: Answers, catalog: Catalog) -> Failure | None:
    comp = answers.compliance
    if comp.commercial_use:
        for lic in catalog.model_licences(model):
            if not lic.commercial_use:
                return Failure("licence", f"{lic.name} does not allow commercial use.")
    territory = _licence_territory(model, answers, catalog)
    if territory is not None:
        return territory
    if comp.open_training_data_required and model.family not in OPEN_TRAINING_DATA:
        return Failure(
            "open_training_data",
            f"The training data of {model.name} is not published (as far as the catalog records).",
        )
    if model.languages:
        missing = [lang for lang in answers.languages if lang not in model.languages]
        if missing:
            return Failure(
                "language",
                f"{model.name} does not list support for {', '.join(missing)} "
                f"(it lists {', '.join(model.languages)}).",
            )
    context = model.context_tokens or model.architecture.max_position_embeddings
    p95 = answers.data.p95_tokens
    longest = p95 or answers.data.avg_tokens
    if context and longest > context:
        what = f"95% of your examples are up to {p95:,} tokens" if p95 else (
            f"your examples average {answers.data.avg_tokens:,} tokens"
        )
        return Failure(
            "context",
            f"{model.name} reads at most {context:,} tokens and {what}: training would cut the rest of "
            "each long example. Choose a longer-context model, or split the examples into chunks that "
            "fit and plan again with their new length.",
        )
    return None


def _licence_territory(model: ModelEntry, answers: Answers, catalog: Catalog) -> Failure | None:
    """Licences that grant nothing in the user's territory (read from the data residency)."""
    regions = residency_regions(answers.compliance.data_residency)
    if not regions:
        return None
    eu = "eu" in regions or bool(regions & EU_COUNTRIES)
    for lic in catalog.model_licences(model):
        clause = getattr(lic, "restriction_clause", None)
        quoted = f' The licence says: "{clause}"' if clause else ""
        excluded = set(getattr(lic, "excluded_regions", None) or ())
        hit = sorted((regions & excluded) | ({"eu"} if eu and "eu" in excluded else set()))
        if hit:
            return Failure(
                "licence",
                f"The {lic.name} grants no rights in {', '.join(h.upper() for h in hit)}, where your data must "
                f"stay ({answers.compliance.data_residency}).{quoted}",
            )
        if eu and getattr(lic, "eu_multimodal_restriction", False) and getattr(model, "multimodal", False):
            return Failure(
                "licence",
                f"{model.name} is multimodal and the {lic.name} grants no rights to its multimodal models "
                f"to people or companies in the EU (your residency: {answers.compliance.data_residency}).{quoted}",
            )
    return None
