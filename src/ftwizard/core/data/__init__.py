"""Dataset intake: read the user's training file locally, check every row, measure it, and
never reveal its content (reports carry line numbers, fields and counts only).

The training runner consumes `iter_examples(path, fmt=None, columns=None)` (every row, good or
not) or `iter_usable(...)` (good rows only, duplicates dropped).
"""

from ftwizard.core.data.formats import (
    FORMATS,
    Example,
    ProblemKind,
    RowProblem,
    Turn,
    iter_examples,
)
from ftwizard.core.data.validate import iter_usable

__all__ = ["FORMATS", "Example", "ProblemKind", "RowProblem", "Turn", "iter_examples", "iter_usable"]
