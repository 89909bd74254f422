"""Reading dataset files row by row, whatever the container: JSON Lines, a JSON array, CSV/TSV,
Parquet (with pyarrow). Each row comes with its line number and, for JSON Lines, its exact
bytes (the splitter writes them back unchanged).

Only JSON Lines, CSV and Parquet stream; a JSON array is read whole (convert big ones to JSONL).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ftwizard.base.errors import DatasetError
from ftwizard.base.jsonio import MAX_INT_DIGITS, loads, row_decoder
from ftwizard.data.formats import FORMATS, apply_columns, check_format, normalise, vote_format
from ftwizard.data.rows import Example, ProblemKind, RowProblem

Container = Literal["jsonl", "json", "csv", "tsv", "parquet"]

# Rows looked at to decide the format when the user did not say.
DETECT_SAMPLE_ROWS = 200
# csv's default cell limit (128 KiB) is below a long document; 1 GiB keeps a runaway bounded.
CSV_FIELD_LIMIT = 1 << 30

_SUFFIXES: dict[str, Container] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
}

PARQUET_NEEDS = (
    "Parquet files need the pyarrow package, which this installation lacks "
    "(pip install 'ftwizard[parquet]'), or convert the file to JSON Lines or CSV"
)


@dataclass(slots=True)
class Record:
    """One row as read: a parsed value (usually a dict) or the problem that stopped parsing."""

    line: int
    value: Any  # dict/list/... as parsed, or a RowProblem
    raw: bytes | None = None  # the exact line, JSON Lines only (newline stripped)


def _first_byte(path: Path) -> bytes:
    with open(path, "rb") as fh:
        head = fh.read(4096)
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]


def detect_container(path: Path) -> Container:
    """From the suffix; a `.json` file that holds one object per line is JSON Lines."""
    container = _SUFFIXES.get(path.suffix.lower())
    if container == "parquet" or container in ("csv", "tsv"):
        return container
    first = _first_byte(path)
    if container == "jsonl":
        return "jsonl"
    if first == b"[":
        return "json"
    if first == b"{":
        return "jsonl"
    if container == "json":
        raise DatasetError(f"{path}: line 1: expected a JSON array of rows or one JSON object per line")
    if not first:
        raise DatasetError(f"{path}: the file is empty")
    raise DatasetError(
        f"{path}: cannot tell the file type from its name or first byte; "
        "use .jsonl, .json, .csv, .tsv or .parquet"
    )


def _check_readable(path: Path) -> int:
    """The file's size, after refusing what cannot be a text or Parquet dataset: no file, a
    folder, a device or pipe (/dev/zero never ends, a FIFO blocks), UTF-16/UTF-32 text."""
    from ftwizard.base.jsonio import other_encoding, regular_file

    st = regular_file(path, DatasetError)
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read ({exc.strerror})") from None
    if path.suffix.lower() not in (".parquet", ".pq") and not head.startswith(b"PAR1"):
        bom = other_encoding(head)
        if bom:
            raise DatasetError(f"{path}: line 1: the file is {bom} text; save it as UTF-8")
    return st.st_size


try:  # msgspec parses a row 3-4x faster than json (benchmarks/RESULTS.md, 'Dataset inspection')
    from msgspec import json as _msgspec_json

    _fast_decode = _msgspec_json.Decoder().decode
except ImportError:  # not installed: the standard library alone, same verdicts
    _fast_decode = None

_ALL_BUT_DIGITS = bytes(c for c in range(256) if not 48 <= c <= 57)
_LONG_INTEGER = re.compile(rb"\d{%d}" % (MAX_INT_DIGITS + 1))


def may_hold_long_integer(body: bytes) -> bool:
    """Whether `body` has a run of more than MAX_INT_DIGITS digits (msgspec takes such an
    integer, `loads` refuses it)."""
    return len(body.translate(None, _ALL_BUT_DIGITS)) > MAX_INT_DIGITS and bool(_LONG_INTEGER.search(body))


def parse_line(body: bytes, line: int, long_integer: bool | None = None) -> Any:
    """One JSON Lines row (newline stripped) -> its value, or the RowProblem saying where it
    breaks. msgspec parses; a row it refuses is parsed again by the standard library
    (`jsonio.loads`), whose message names the column; a row msgspec takes but `loads` would
    refuse (an integer of more than MAX_INT_DIGITS digits) goes the same way, so the
    verdicts are the standard library's. `long_integer`: whether the caller already knows
    the row has such a run of digits (None: look)."""
    if long_integer is None:
        long_integer = may_hold_long_integer(body)
    if _fast_decode is not None and not long_integer:
        try:
            return _fast_decode(body)
        except Exception:  # noqa: BLE001 (any refusal: the standard library says why below)
            pass
    try:
        return loads(body)  # strict: NaN, Infinity, 1e400, 5,000 digits make a bad row
    except UnicodeDecodeError as exc:
        return RowProblem(line, "$", ProblemKind.BAD_ENCODING, f"not UTF-8 text (byte {exc.start + 1})")
    except json.JSONDecodeError as exc:
        return RowProblem(line, "$", ProblemKind.BAD_JSON, f"invalid JSON at column {exc.colno}: {exc.msg}")
    except RecursionError:
        return RowProblem(line, "$", ProblemKind.BAD_JSON, "JSON nested too deeply")


class DatasetSource:
    """An opened dataset: its container, its row format, and a fresh row iterator per call.

    `bytes_read` follows the iterator, for progress bars; `exhausted` says it reached the end.
    """

    def __init__(
        self,
        path: Path | str,
        fmt: str | None = None,
        columns: Mapping[str, str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.total_bytes = _check_readable(self.path)
        self.container: Container = detect_container(self.path)
        self.columns = dict(columns or {})
        self.bytes_read = 0
        self.exhausted = False  # True once records() has reached the end of the file
        self.format_detected = fmt is None
        self.format: str = check_format(fmt) or self._detect()

    # -- rows --------------------------------------------------------------------------------

    def records(self) -> Iterator[Record]:
        """Rows in file order, with column renames applied. Blank lines are skipped."""
        self.bytes_read = 0
        self.exhausted = False
        raw_iter = {
            "jsonl": self._jsonl,
            "json": self._json,
            "csv": self._csv,
            "tsv": self._csv,
            "parquet": self._parquet,
        }[self.container]()
        for rec in raw_iter:
            if self.columns and isinstance(rec.value, dict):
                rec.value = apply_columns(rec.value, self.columns)
            yield rec
        self.exhausted = True

    def _jsonl(self) -> Iterator[Record]:
        with open(self.path, "rb") as fh:
            for line_no, line in enumerate(fh, 1):
                self.bytes_read += len(line)
                if line_no == 1 and line.startswith(b"\xef\xbb\xbf"):
                    line = line[3:]
                body = line.rstrip(b"\r\n")
                if not body.strip():
                    continue
                value = parse_line(body, line_no)
                yield Record(line_no, value, body)

    def _json(self) -> Iterator[Record]:
        data = self.path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise DatasetError(f"{self.path}: line {line}: not UTF-8 text") from None
        decoder, bad_numbers = row_decoder()
        n = len(text)
        pos = _skip_ws(text, 0)
        if pos >= n or text[pos] != "[":
            raise DatasetError(f"{self.path}: line 1: expected a JSON array of rows")
        line, line_pos = 1, 0
        pos = _skip_ws(text, pos + 1)
        if pos < n and text[pos] == "]":
            self.bytes_read = self.total_bytes
            return
        while True:
            line += text.count("\n", line_pos, pos)
            line_pos = pos
            try:
                value, end = decoder.raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                raise DatasetError(
                    f"{self.path}: line {exc.lineno} column {exc.colno}: invalid JSON ({exc.msg})"
                ) from None
            except RecursionError:
                raise DatasetError(f"{self.path}: line {line}: JSON nested too deeply") from None
            self.bytes_read = int(self.total_bytes * end / n)
            if bad_numbers:
                value = RowProblem(line, "$", ProblemKind.BAD_JSON, f"invalid JSON: {bad_numbers[0]}")
                bad_numbers.clear()
            yield Record(line, value)
            pos = _skip_ws(text, end)
            if pos < n and text[pos] == ",":
                pos = _skip_ws(text, pos + 1)
                continue
            if pos < n and text[pos] == "]":
                break
            at = text.count("\n", 0, pos) + 1
            raise DatasetError(f"{self.path}: line {at}: invalid JSON (expected ',' or ']' between rows)")
        self.bytes_read = self.total_bytes

    def _csv(self) -> Iterator[Record]:
        if csv.field_size_limit() < CSV_FIELD_LIMIT:
            csv.field_size_limit(CSV_FIELD_LIMIT)
        delimiter = "\t" if self.container == "tsv" else ","
        with open(self.path, "rb") as fb:
            text = io.TextIOWrapper(fb, encoding="utf-8-sig", newline="")
            reader = csv.reader(text, delimiter=delimiter)
            try:
                header = next(reader, None)
                if header is None:
                    raise DatasetError(f"{self.path}: the file is empty")
                if len(set(header)) != len(header):
                    raise DatasetError(f"{self.path}: line 1: two columns share a name")
                start = reader.line_num + 1
                for row in reader:
                    line = start
                    start = reader.line_num + 1
                    self.bytes_read = fb.tell()
                    if not row or (len(row) == 1 and not row[0].strip()):
                        continue
                    if len(row) != len(header):
                        yield Record(line, RowProblem(
                            line, "$", ProblemKind.BAD_CSV,
                            f"row has {len(row)} fields, the header has {len(header)}",
                        ))
                        continue
                    yield Record(line, dict(zip(header, row, strict=True)))
            except UnicodeDecodeError:
                raise DatasetError(f"{self.path}: line {reader.line_num + 1}: not UTF-8 text") from None
            except csv.Error as exc:
                raise DatasetError(f"{self.path}: line {reader.line_num}: unreadable CSV ({exc})") from None
        self.bytes_read = self.total_bytes

    def _parquet(self) -> Iterator[Record]:
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise DatasetError(f"{self.path}: {PARQUET_NEEDS}") from None
        try:
            pf = pq.ParquetFile(self.path)
            rows = max(1, pf.metadata.num_rows)
            line = 0
            for batch in pf.iter_batches(batch_size=1024):
                for value in batch.to_pylist():
                    line += 1
                    yield Record(line, value)
                self.bytes_read = int(self.total_bytes * line / rows)
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise DatasetError(f"{self.path}: unreadable Parquet ({type(exc).__name__})") from None
        self.bytes_read = self.total_bytes

    # -- format detection --------------------------------------------------------------------

    def _detect(self) -> str:
        sample: list[Mapping[str, Any]] = []
        first_problem: RowProblem | None = None
        first_line = None
        for rec in self.records():
            if first_line is None:
                first_line = rec.line
            if isinstance(rec.value, RowProblem):
                first_problem = first_problem or rec.value
            elif isinstance(rec.value, dict):
                sample.append(rec.value)
            if len(sample) >= DETECT_SAMPLE_ROWS:
                break
        fmt = vote_format(sample)
        if fmt is not None:
            return fmt
        if first_line is None:
            raise DatasetError(f"{self.path}: the file has no rows")
        if not sample and first_problem is not None:
            raise DatasetError(
                f"{self.path}: line {first_problem.line}: no row could be read ({first_problem.reason})"
            )
        raise DatasetError(
            f"{self.path}: line {first_line}: no known row format; expected keys of one of: "
            "messages, conversations, instruction/output, prompt/completion, "
            f"prompt/chosen/rejected, text (or pass --format {{{','.join(FORMATS)}}} "
            "and --columns canonical=column)"
        )


def _skip_ws(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos] in " \t\r\n":
        pos += 1
    return pos


def open_dataset(
    path: Path | str, fmt: str | None = None, columns: Mapping[str, str] | None = None
) -> DatasetSource:
    """Open a dataset file, detecting its container and (unless `fmt` says) its row format."""
    return DatasetSource(path, fmt=fmt, columns=columns)


def iter_examples(
    path: Path | str,
    fmt: str | None = None,
    columns: Mapping[str, str] | None = None,
) -> Iterator[tuple[int, Example | RowProblem]]:
    """Every row of a dataset file, in order: `(line_no, Example)` or `(line_no, RowProblem)`.

    `fmt` overrides the detected row format; `columns` renames the file's columns or keys to
    canonical field names. Raises DatasetError when the file cannot be read at all or no
    format fits. Duplicates and over-long rows are the validator's business, not this one's.
    """
    source = open_dataset(path, fmt=fmt, columns=columns)
    for rec in source.records():
        if isinstance(rec.value, RowProblem):
            yield rec.line, rec.value
        else:
            yield rec.line, normalise(rec.value, source.format, rec.line)
