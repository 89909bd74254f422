"""`ftwizard data inspect FILE` and `ftwizard data split FILE --out DIR`.

Output names lines, fields and counts, never a row's text.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ftwizard.cli.common import add_json_flag, print_json

EXIT_CODES = (
    "exit status: 0 when the file was read (even if some rows have problems: they are "
    "reported); 2 when it cannot be read at all or no row format fits (the message names "
    "file and line)"
)
FORMAT_CHOICES = ("messages", "sharegpt", "alpaca", "prompt_completion", "text", "preference")
PROBLEMS_SHOWN = 20
PII_LINES_SHOWN = 10


def _add_input_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, help="dataset: .jsonl, .json, .csv, .tsv or .parquet")
    p.add_argument(
        "--format", dest="fmt", choices=FORMAT_CHOICES,
        help="row format (default: detected from the first rows)",
    )
    p.add_argument(
        "--columns", metavar="FIELD=COLUMN[,...]",
        help="map the file's columns or keys to the format's fields, e.g. prompt=question,completion=answer",
    )
    p.add_argument(
        "--workers", type=int, metavar="N",
        help="processes to read a JSON Lines file with (default: one per core, up to 4, for a "
        "file of 64 MiB or more on Linux; 1 reads in this process); the results are the same",
    )


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("data", help="inspect a training dataset or split off a holdout set")
    dsub = p.add_subparsers(dest="data_command", metavar="ACTION", required=True)

    ip = dsub.add_parser(
        "inspect", help="check every row, count tokens, scan for personal data",
        description="Check every row of a dataset, count tokens and scan for likely personal "
        "data. Prints line numbers, fields and counts, never the rows' text.",
        epilog=EXIT_CODES,
    )
    _add_input_args(ip)
    ip.add_argument("--model-dir", type=Path, metavar="DIR",
                    help="local model folder: its tokenizer.json counts tokens, its config.json gives the context")
    ip.add_argument("--seq-len", type=int, metavar="N", help="training sequence length to count over-long examples for")
    ip.add_argument("--context-tokens", type=int, metavar="N",
                    help="treat rows longer than N tokens as errors (default: the model's context)")
    ip.add_argument("--no-pii", action="store_true", help="skip the personal-data scan")
    ip.add_argument("--report", type=Path, metavar="FILE", help="also write the report as JSON to FILE")
    add_json_flag(ip)

    sp = dsub.add_parser(
        "split", help="write train.jsonl and holdout.jsonl (good rows only, reproducible)",
        description="Split the good rows into OUT/train.jsonl and OUT/holdout.jsonl. The same "
        "file and seed always give the same split. Files are written 0600.",
        epilog=EXIT_CODES,
    )
    _add_input_args(sp)
    sp.add_argument("--holdout", type=float, default=0.1, metavar="FRACTION", help="share held out (default 0.1)")
    sp.add_argument("--seed", type=int, default=0, help="seed of the split (default 0)")
    sp.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the two files")
    add_json_flag(sp)
    return p


def parse_columns(text: str | None) -> dict[str, str]:
    from ftwizard.base.errors import DatasetError
    from ftwizard.data.formats import FORMAT_FIELDS

    if not text:
        return {}
    known = sorted({f for fields in FORMAT_FIELDS.values() for f in fields})
    out: dict[str, str] = {}
    for part in text.split(","):
        field, sep, column = part.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not field or not column:
            raise DatasetError(f"--columns: '{part}' is not FIELD=COLUMN")
        if field not in known:
            raise DatasetError(f"--columns: unknown field '{field}'; fields: {', '.join(known)}")
        out[field] = column
    return out


PLAIN_PROGRESS_EVERY_S = 5.0  # piped or --json: a line at most this often (none for a quick file)
BAR_WIDTH = 30


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(seconds + 0.5)
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


class ProgressPrinter:
    """Progress of a read on stderr: a bar redrawn in place on a terminal, else (piped, or
    --json) a plain line every PLAIN_PROGRESS_EVERY_S seconds. Rate: bytes read / seconds
    since the start (1 MB = 10^6 bytes); ETA: bytes left / that rate."""

    def __init__(self, label: str, stream=None, bar: bool | None = None, clock=time.monotonic) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.bar = self.stream.isatty() if bar is None else bar
        self.clock = clock
        self.started = clock()
        self.last_line = self.started
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        elapsed = now - self.started
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else None
        pct = 100 * done / total if total else 100.0
        figures = f"{pct:5.1f}%  {rate / 1e6:,.1f} MB/s  ETA {format_eta(eta)}"
        if self.bar:
            filled = int(BAR_WIDTH * min(done, total) / total) if total else BAR_WIDTH
            self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {figures}\033[K")
            self.drawn = True
        elif now - self.last_line >= PLAIN_PROGRESS_EVERY_S and done < total:
            self.last_line = now
            self.stream.write(f"{self.label}: {figures} ({done / 1e6:,.0f} of {total / 1e6:,.0f} MB)\n")
        self.stream.flush()

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _progress_printer(args: argparse.Namespace, label: str) -> ProgressPrinter:
    return ProgressPrinter(label, bar=sys.stderr.isatty() and not args.json)


def _workers(args: argparse.Namespace) -> int | None:
    from ftwizard.base.errors import DatasetError

    if args.workers is not None and args.workers < 1:
        raise DatasetError(f"--workers must be 1 or more, got {args.workers}")
    return args.workers


def run(args: argparse.Namespace) -> int:
    if args.data_command == "inspect":
        return _inspect(args)
    return _split(args)


def _inspect(args: argparse.Namespace) -> int:
    from ftwizard.base.jsonio import write_model
    from ftwizard.data.inspection import inspect

    show = _progress_printer(args, "inspecting")
    try:
        report = inspect(
            args.file, fmt=args.fmt, model_dir=args.model_dir, seq_len=args.seq_len,
            progress=show, columns=parse_columns(args.columns),
            context_tokens=args.context_tokens, scan_pii=not args.no_pii, workers=_workers(args),
        )
    finally:
        show.close()
    if args.report is not None:
        write_model(args.report, report, private=True)  # line numbers of personal data: the user's only
    if args.json:
        print_json(report)
    else:
        print_report(report)
    return 0


def _n(x: int | float) -> str:
    return f"{x:,.0f}"


def print_report(r) -> None:
    how = "detected" if r.format_detected else "given"
    print(f"{r.file}: {_n(r.rows_read)} rows ({r.container}, format {r.format}, {how})")
    print(f"  good rows: {_n(r.rows_good)}   rows with problems: {_n(r.rows_bad)}")
    if r.problems_by_kind:
        kinds = ", ".join(f"{k} {_n(v)}" for k, v in sorted(r.problems_by_kind.items(), key=lambda kv: -kv[1]))
        print(f"  problems: {kinds}")
        for p in r.problems[:PROBLEMS_SHOWN]:
            print(f"    line {p.line}: {p.field}: {p.kind}: {p.reason}")
        if r.rows_bad > PROBLEMS_SHOWN:
            print(f"    ... {_n(r.rows_bad - PROBLEMS_SHOWN)} more (--json lists the first {len(r.problems)})")
    t = r.tokens
    if t is not None:
        print(
            f"  tokens per example ({t.method}: {t.source}): mean {_n(t.mean_tokens)}, "
            f"p50 {_n(t.p50_tokens)}, p95 {_n(t.p95_tokens)}, max {_n(t.max_tokens)}; "
            f"total {_n(t.total_tokens)}"
        )
        over = ", ".join(f"{_n(o.examples_over)} over {o.seq_len}" for o in r.over_length)
        print(f"  over-long examples: {over}")
    if r.context_tokens:
        print(f"  context window checked: {_n(r.context_tokens)} tokens")
    if r.pii is not None:
        found = [f for f in r.pii.findings if f.rows]
        if not found:
            print(f"  personal data scan: nothing likely found in {_n(r.pii.scanned_rows)} rows")
        else:
            print(f"  personal data (likely) in {_n(r.pii.rows_with_any)} of {_n(r.pii.scanned_rows)} rows:")
            for f in found:
                lines = ", ".join(str(x) for x in f.lines[:PII_LINES_SHOWN])
                more = ", ..." if f.rows > PII_LINES_SHOWN else ""
                print(f"    {f.kind}: {_n(f.matches)} matches in {_n(f.rows)} rows (lines {lines}{more})")
    if r.cancelled:
        print("  cancelled: figures cover the rows read so far")
    else:
        print(f"  sha256 {r.file_sha256}")


def _split(args: argparse.Namespace) -> int:
    from ftwizard.data.split import split

    show = _progress_printer(args, "splitting")
    try:
        summary = split(
            args.file, holdout=args.holdout, seed=args.seed, out_dir=args.out,
            fmt=args.fmt, columns=parse_columns(args.columns), progress=show, workers=_workers(args),
        )
    finally:
        show.close()
    if args.json:
        print_json(summary)
    else:
        print(
            f"{summary.train_file}: {_n(summary.rows_train)} rows\n"
            f"{summary.holdout_file}: {_n(summary.rows_holdout)} rows\n"
            f"left out (rows with problems or duplicates): {_n(summary.rows_skipped)}; "
            f"seed {summary.seed}; input sha256 {summary.input_sha256}"
        )
    return 0
