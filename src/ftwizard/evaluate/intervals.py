"""The rows of an evaluation report (`MetricRow`) and the bootstrap interval and verdict on
each change, for the per-kind metrics (kinds.py) and the report (metrics.py).

Confidence intervals: `scipy.stats.bootstrap` over the samples (paired: one resample of
prompts scores both models), percentile method, RESAMPLES resamples, CONFIDENCE level, a
fixed seed. The interval is on the difference tuned - base (on win rate - 0.5 for the win
rate); when it contains 0 the verdict is "within noise". Also here: `EvalError` and `_need`,
which imports an optional metric library or says which one is missing.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Literal

from pydantic import BaseModel, Field

from ftwizard.base.errors import FtwizardError

RESAMPLES = 1000
CONFIDENCE = 0.95
SEED = 0
MIN_FOR_INTERVAL = 2
Verdict = Literal["better", "worse", "within noise", "no interval"]


class EvalError(FtwizardError):
    """Metrics that cannot be computed: no samples, an unknown kind, a missing library."""


class MetricRow(BaseModel):
    name: str
    scale: str = Field(description="fraction 0-1, or sacreBLEU's 0-100.")
    base: float | None = None
    tuned: float | None = None
    difference: float | None = Field(default=None, description="tuned - base (win rate: tuned's rate - 0.5).")
    ci_low: float | None = Field(default=None, description="Bootstrap interval of the difference.")
    ci_high: float | None = None
    verdict: Verdict = "no interval"
    higher_is_better: bool = True
    definition: str = ""


def _need(module: str, package: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise EvalError(f"the task metrics need {package} (pip install 'ftwizard[eval]' into the "
                        "environment that runs this command)") from None


# -- the bootstrap ----------------------------------------------------------------------------------
def _interval(n: int, stat: Callable, per_item: bool) -> tuple[float | None, float | None]:
    """Percentile bootstrap of `stat` (a function of resampled item indices, or for per_item
    the mean of a per-item array given as `stat`)."""
    if n < MIN_FOR_INTERVAL:
        return None, None
    np = _need("numpy", "numpy")
    stats = _need("scipy.stats", "scipy")
    rng = np.random.default_rng(SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # identical values: a zero-width interval is the honest answer
        if per_item:
            res = stats.bootstrap((np.asarray(stat, dtype=float),), np.mean, n_resamples=RESAMPLES,
                                  confidence_level=CONFIDENCE, method="percentile", vectorized=True, rng=rng)
        else:
            res = stats.bootstrap((np.arange(n),), lambda idx: stat([int(i) for i in idx]), n_resamples=RESAMPLES,
                                  confidence_level=CONFIDENCE, method="percentile", vectorized=False, rng=rng)
    lo, hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
    return (lo, hi) if lo == lo and hi == hi else (None, None)  # NaN: no interval


def _verdict(lo: float | None, hi: float | None, higher_is_better: bool) -> Verdict:
    if lo is None or hi is None:
        return "no interval"
    if lo <= 0 <= hi:
        return "within noise"
    return "better" if (lo > 0) == higher_is_better else "worse"


def _row(name: str, scale: str, definition: str, base: float, tuned: float, ci: tuple) -> MetricRow:
    return MetricRow(name=name, scale=scale, definition=definition, base=base, tuned=tuned, difference=tuned - base,
                     ci_low=ci[0], ci_high=ci[1], verdict=_verdict(*ci, True))


def per_item_row(name: str, definition: str, base: Sequence[float], tuned: Sequence[float],
                 scale: str = "fraction 0-1") -> MetricRow:
    """A metric that is the mean of per-answer scores."""
    n = len(base)
    diff = [t - b for b, t in zip(base, tuned, strict=True)]
    return _row(name, scale, definition, sum(base) / n, sum(tuned) / n, _interval(n, diff, per_item=True))
