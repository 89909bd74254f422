"""The ranking's memo of weight-independent answers (quality, serving cost, a plan's sentences)."""

from __future__ import annotations

from collections.abc import Callable

# Re-ranking with other weights (the GUI's sliders) asks the same questions again: pure
# functions of frozen catalog entries and the answers, memoised (the entry is kept with each
# result so an id is never reused).
_MEMO: dict[tuple, tuple[object, object]] = {}
MEMO_SIZE = 8192


def _memo(key: tuple, owner: object, make: Callable[[], object]):
    hit = _MEMO.get(key)
    if hit is not None and hit[0] is owner:
        return hit[1]
    value = make()
    if len(_MEMO) >= MEMO_SIZE:
        _MEMO.clear()
    _MEMO[key] = (owner, value)
    return value
