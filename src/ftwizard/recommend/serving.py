"""Monthly serving cost of a tuned model, where serving may happen.

On the user's own cards when they hold the model (power, plus amortisation where the catalog
has a purchase price); else, unless the site is air-gapped, the estimator's cheapest allowed
cloud offer holding it in 16-bit (verified on-demand prices first), or in 4-bit when 16-bit is
over the monthly budget. Memoised per model for re-ranking (`ftwizard.recommend.rank_memo`).
"""

from __future__ import annotations

from ftwizard.catalog.entries import ModelEntry
from ftwizard.catalog.store import Catalog
from ftwizard.estimate import constants as K
from ftwizard.estimate.cost import AMORTISATION_MONTHS, own_serving, serving_weights_bytes
from ftwizard.estimate.estimator import monthly_inference_usd
from ftwizard.estimate.request import InferenceCost
from ftwizard.recommend.answers import Answers
from ftwizard.recommend.hardware_options import GpuOption
from ftwizard.recommend.placement_cache import gpu_key
from ftwizard.recommend.rank_memo import _memo


def _serving_memo(model, answers, priced, options, kwh, budget) -> InferenceCost | None:
    local = tuple((gpu_key(o.gpu), o.max_count) for o in options if o.where == "local")
    key = ("s", id(model), id(priced), local, kwh, budget, answers.compliance.air_gapped)
    return _memo(key, model, lambda: serving_cost(model, answers, priced, options, kwh, budget))


def serving_cost(
    model: ModelEntry,
    answers: Answers,
    priced: Catalog,
    options: list[GpuOption],
    usd_per_kwh: float,
    budget: float | None,
) -> InferenceCost | None:
    """Monthly serving cost where serving may happen: on the user's own cards when they hold the
    model (power, plus amortisation where the catalog has a purchase price); else, unless the
    site is air-gapped, the cheapest allowed cloud offer in 16-bit, or in 4-bit when 16-bit is
    over the monthly budget. None: nowhere allowed holds it."""
    local = [(o.gpu, o.max_count) for o in options if o.where == "local"]
    if local:
        own = own_serving(model.architecture, local, usd_per_kwh)
        if own is not None:
            gpu, n, q4, power, amort = own
            if power is None:
                return None  # served on a card of yours whose board power the catalog lacks: unknown
            if power is not None:
                monthly = power + (amort or 0.0)
                what = "4-bit" if q4 else "16-bit"
                amort_text = (
                    f" plus the cards' price over {AMORTISATION_MONTHS} months" if amort else
                    "; purchase amortisation not included (the catalog has no price for the card)"
                )
                return InferenceCost(
                    provider="your hardware",
                    gpu=gpu.name,
                    gpu_id=gpu.id,
                    count=n,
                    usd_per_gpu_hour=round(monthly / K.HOURS_PER_MONTH / n, 4),
                    hours_per_month=K.HOURS_PER_MONTH,
                    usd_per_month=round(monthly, 2),
                    weights_gb=round(serving_weights_bytes(model.architecture, q4) / K.GB, 2),
                    kv_cache_gb=0.0,
                    pricing="electricity",
                    verified=True,
                    source=f"estimator: {what} on {n} x {gpu.name} you own, board power x "
                    f"{K.POWER_FRACTION_OF_TDP} x ${usd_per_kwh}/kWh x 730 h{amort_text}",
                )
    if answers.compliance.air_gapped:
        return None
    inf = monthly_inference_usd(model.architecture, priced)
    if inf is not None and budget is not None and inf.usd_per_month > budget:
        q4 = monthly_inference_usd(model.architecture, priced, quantized_4bit=True)
        if q4 is not None and q4.usd_per_month < inf.usd_per_month:
            return q4.model_copy(update={"source": f"{q4.source} (served in 4-bit: 16-bit is over the budget)"})
    return inf
