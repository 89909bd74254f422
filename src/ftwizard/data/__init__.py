"""ftwizard.data: dataset intake. Read the user's training file locally, check every row,
measure it, and never reveal its content (reports carry line numbers, fields and counts only).

Canonical rows (rows), row formats (formats), containers and readers (readers), validation
(validate), statistics (stats), the personal-data scan (pii), the streaming engine (engine,
with batches and merge), inspection and its report (inspection, report), and the
reproducible split (split).
May import: ftwizard.base. Qt-free and torch-free.

The training runner consumes `iter_examples(path, fmt=None, columns=None)` (every row, good or
not) or `iter_usable(...)` (good rows only, duplicates dropped).
"""

from ftwizard.data.formats import FORMATS
from ftwizard.data.readers import iter_examples
from ftwizard.data.rows import Example, ProblemKind, RowProblem, Turn
from ftwizard.data.validate import iter_usable

__all__ = ["FORMATS", "Example", "ProblemKind", "RowProblem", "Turn", "iter_examples", "iter_usable"]
