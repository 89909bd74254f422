"""The merge of the reading engine (engine.py): parts of the file (batches.Part) added in file
order, deciding duplicates and too-long rows and gathering lengths, problems and personal data.

Duplicates are found against sorted arrays of 64-bit keys (Example.run_key for inspect,
Example.fingerprint for split): 8 bytes a distinct row, exact up to DEDUP_CAP distinct rows;
past the cap the later rows are checked against the first DEDUP_CAP only, and the report says
so (`duplicates_exact`).
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Mapping

from ftwizard.data.batches import Part
from ftwizard.data.pii import PiiScanner
from ftwizard.data.report import MAX_PROBLEMS_LISTED, ProblemEntry
from ftwizard.data.rows import ProblemKind, RowProblem

DEDUP_CAP = 1 << 23  # 8,388,608 distinct rows: 64 MiB of hashes
DUPLICATE_REASON = "same content as an earlier row"


def too_long_reason(tokens: int, context_tokens: int) -> str:
    return f"{tokens} tokens, longer than the model's context of {context_tokens}"


class SeenHashes:
    """Content hashes seen so far, sorted in numpy arrays: 8 bytes a distinct row.

    New hashes are inserted into a smaller sorted array, itself merged into the large one when
    it reaches a quarter of its size: each insertion moves at most that quarter. At `cap` distinct hashes no more are
    kept (`full` turns true): later rows are still checked against the ones kept.
    """

    def __init__(self, cap: int = DEDUP_CAP) -> None:
        import numpy as np

        self._np = np
        self.cap = cap
        self.main = np.empty(0, dtype=np.uint64)
        self.recent = np.empty(0, dtype=np.uint64)
        self.full = False

    def __len__(self) -> int:
        return len(self.main) + len(self.recent)

    def _known(self, values):
        np = self._np
        known = np.zeros(len(values), dtype=bool)
        for arr in (self.main, self.recent):
            if len(arr):
                pos = np.minimum(np.searchsorted(arr, values), len(arr) - 1)
                known |= arr[pos] == values
        return known

    def check_add(self, fps):
        """True for each hash seen before it (earlier in `fps` or in an earlier call)."""
        np = self._np
        dup = np.ones(len(fps), dtype=bool)
        if not len(fps):
            return dup
        uniq, first, inverse = np.unique(fps, return_index=True, return_inverse=True)
        dup[first] = False
        known = self._known(uniq)
        dup |= known[np.ravel(inverse)]
        new, new_first = uniq[~known], first[~known]
        room = self.cap - len(self)
        if len(new) > room:  # keep the first ones in file order
            self.full = True
            new = np.sort(new[np.argsort(new_first, kind="stable")[: max(room, 0)]])
        if len(new):  # `new` is sorted (np.unique)
            self.recent = np.insert(self.recent, np.searchsorted(self.recent, new), new)
            if len(self.recent) > max(1 << 16, len(self.main) // 4):
                self.main = np.insert(self.main, np.searchsorted(self.main, self.recent), self.recent)
                self.recent = self.recent[:0]
        return dup


class ProblemLog:
    """Counts by kind and the first problems in file order (the report's problem list)."""

    def __init__(self, limit: int = MAX_PROBLEMS_LISTED) -> None:
        self.limit = limit
        self.by_kind: Counter[str] = Counter()
        self.entries: list[ProblemEntry] = []
        self.total = 0

    def add(self, p: RowProblem) -> None:
        self.total += 1
        self.by_kind[p.kind.value] += 1
        if len(self.entries) < self.limit:
            self.entries.append(ProblemEntry(line=p.line, field=p.field, kind=p.kind.value, reason=p.reason))

    def add_sorted(self, problems: list[RowProblem], counts: Mapping[str, int]) -> None:
        """Problems of the next part of the file: `counts` counts them all, `problems` lists
        (in line order) at least the first ones the log still has room for."""
        for kind, n in counts.items():
            self.by_kind[kind] += n
            self.total += n
        for p in problems[: self.limit - len(self.entries)]:
            self.entries.append(ProblemEntry(line=p.line, field=p.field, kind=p.kind.value, reason=p.reason))

    @property
    def complete(self) -> bool:
        return self.total <= self.limit


class Merger:
    """Adds parts in file order: duplicates, too-long rows, lengths, problems, personal data.

    keep_rows: also keep each good row's line and hash (what `split` needs)."""

    def __init__(self, context_tokens: int | None, scan_pii: bool, keep_rows: bool = False,
                 dedup_cap: int = DEDUP_CAP) -> None:
        import numpy as np

        self._np = np
        self.context_tokens = context_tokens
        self.seen = SeenHashes(dedup_cap)
        self.problems = ProblemLog()
        self.pii = PiiScanner() if scan_pii else None
        self.lengths = array("I")
        self.rows_read = self.rows_good = self.turns_total = 0
        self.keep_rows = keep_rows
        self.good_lines = array("Q")
        self.good_fps = array("Q")

    def add(self, part: Part, line_offset: int = 0) -> None:
        np = self._np
        self.rows_read += part.rows_read
        lines = np.frombuffer(part.lines, dtype=np.uint64) + np.uint64(line_offset)
        fps = np.frombuffer(part.fps, dtype=np.uint64)
        tokens = np.frombuffer(part.tokens, dtype=np.uint64)
        dup = self.seen.check_add(fps)
        too_long = ~dup & (tokens > self.context_tokens) if self.context_tokens is not None else np.zeros_like(dup)
        good = ~(dup | too_long)
        self.rows_good += int(good.sum())
        self.lengths.frombytes(tokens[good].astype(np.uint32).tobytes())
        self.turns_total += int(np.frombuffer(part.turns, dtype=np.uint64)[good].sum())
        if self.keep_rows:
            self.good_lines.frombytes(lines[good].tobytes())
            self.good_fps.frombytes(fps[good].tobytes())
        counts = Counter(part.problem_counts)
        counts[ProblemKind.DUPLICATE.value] += int(dup.sum())
        counts[ProblemKind.TOO_LONG.value] += int(too_long.sum())
        room = self.problems.limit - len(self.problems.entries)
        listed: list[RowProblem] = []
        context = self.context_tokens or 0  # too_long is empty without a context
        if room > 0:
            listed = [RowProblem(p.line + line_offset, p.field, p.kind, p.reason) for p in part.problems]
            listed += [RowProblem(int(x), "$", ProblemKind.DUPLICATE, DUPLICATE_REASON) for x in lines[dup][:room]]
            for x, n in zip(lines[too_long][:room].tolist(), tokens[too_long][:room].tolist(), strict=True):
                listed.append(RowProblem(x, "$", ProblemKind.TOO_LONG, too_long_reason(n, context)))
            listed.sort(key=lambda p: p.line)
        self.problems.add_sorted(listed, {k: n for k, n in counts.items() if n})
        if self.pii is not None and part.pii is not None:
            self.pii.merge(part.pii, line_offset)
