"""Dataset intake throughput and memory on a generated JSON Lines file (issue 28).

Measured in the same run on the same file, each in a fresh child process (peak RSS is its own;
worker processes are reported apart): the baselines, a bare loop of `json.loads` over the
lines (the least any JSONL reader must do) and of `orjson.loads` and `msgspec` alone; then
`inspect()` (PII scan, estimated tokens) with the default workers and with one process,
without the PII scan, with a model's tokenizer (a byte-level BPE built here from the file's
words: no download), and `split()`. Modes run round-robin `--repeat` times; the median counts.

    .venv/bin/python benchmarks/data_inspect.py --rows 200000 --repeat 3 --append

`--append` adds the figures to benchmarks/RESULTS.md under '## Dataset inspection'.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from results_md import append_entry  # noqa: E402

SECTION = "## Dataset inspection"
INTRO = ("Command: `.venv/bin/python benchmarks/data_inspect.py --rows N --repeat R --append`. "
         "Goals (issue 28): `inspect()` with the PII scan and token counts <= 1.5 x the `json.loads` "
         "loop, peak RSS < 200 MB for 1M lines, `data split` <= 1.5 x.")

WORDS = (
    "account balance transfer loan rate card statement branch customer request please "
    "thank you could would policy review approve decline payment schedule interest"
).split()

MODES = {
    "baseline": "baseline: `json.loads` per line",
    "orjson": "`orjson.loads` per line",
    "msgspec": "`msgspec.json.Decoder().decode` per line",
    "inspect": "`inspect()` (PII scan, estimated tokens, default workers)",
    "inspect_1proc": "`inspect(workers=1)` (PII scan, estimated tokens, this process only)",
    "inspect_no_pii": "`inspect(scan_pii=False)`",
    "inspect_tokenizer": "`inspect(model_dir=...)` (PII scan, byte-level BPE tokenizer counts)",
    "split": "`split()` (train.jsonl + holdout.jsonl written)",
}


def make_file(path: Path, rows: int, seed: int = 0) -> None:
    """Support-desk chats of 20-200 words; 1% broken lines, 1% duplicates, some e-mail addresses."""
    rng = random.Random(seed)
    previous = ""
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(rows):
            r = rng.random()
            if r < 0.01:
                fh.write('{"messages": [{"role": "user", "content": "cut off\n')
                continue
            if r < 0.02 and previous:
                fh.write(previous)  # a duplicate of the row before
                continue
            user = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 60)))
            answer = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 140)))
            if r > 0.97:
                user += f" reach me at client{i}@example.com"
            row = {"messages": [
                {"role": "system", "content": "You are the bank's support assistant."},
                {"role": "user", "content": f"#{i} {user}"},
                {"role": "assistant", "content": answer},
            ]}
            previous = json.dumps(row) + "\n"
            fh.write(previous)


def make_model_dir(folder: Path, data: Path) -> Path:
    """A byte-level BPE tokenizer.json (GPT-2 / Llama 3 style pre-tokenizer), trained on the
    first 2,000 lines, and a config.json with a 4,096-token context."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    with open(data, encoding="utf-8") as fh:
        sample = [next(fh) for _ in range(2000)]
    tok.train_from_iterator(sample, trainers.BpeTrainer(vocab_size=2000, show_progress=False))
    folder.mkdir(parents=True, exist_ok=True)
    tok.save(str(folder / "tokenizer.json"))
    (folder / "config.json").write_text(json.dumps({"max_position_embeddings": 4096}), encoding="utf-8")
    return folder


def child(mode: str, path: str, model_dir: str) -> None:
    """Runs in a fresh process; prints one JSON line of figures."""
    extra: dict = {}
    t0 = time.perf_counter()
    # Imports are timed apart: a fixed cost (~0.3-1 s here), not a per-row one.
    from ftwizard.data.inspection import inspect
    from ftwizard.data.split import split

    t1 = time.perf_counter()
    extra["import_s"] = round(t1 - t0, 2)
    t0 = t1
    cpu0 = _cpu_seconds()
    if mode in ("baseline", "orjson", "msgspec"):
        if mode == "baseline":
            loads = json.loads
        elif mode == "orjson":
            import orjson

            loads = orjson.loads
        else:
            import msgspec

            loads = msgspec.json.Decoder().decode
        rows = 0
        with open(path, "rb") as fh:
            for line in fh:
                try:
                    loads(line)
                except ValueError:  # json, orjson and msgspec errors are all ValueErrors
                    pass
                rows += 1
    elif mode == "split":
        with tempfile.TemporaryDirectory() as out:
            s = split(path, out_dir=out)
        rows = s.rows_train + s.rows_holdout + s.rows_skipped
        extra |= {"rows_train": s.rows_train, "rows_holdout": s.rows_holdout}
    else:
        report = inspect(
            path, scan_pii=(mode != "inspect_no_pii"), workers=1 if mode == "inspect_1proc" else None,
            model_dir=model_dir if mode == "inspect_tokenizer" else None,
        )
        rows = report.rows_read
        extra |= {"rows_good": report.rows_good, "rows_bad": report.rows_bad,
                 "p95_tokens": report.tokens.p95_tokens, "mean_tokens": round(report.tokens.mean_tokens, 1),
                 "pii_rows": report.pii.rows_with_any if report.pii else None}
    seconds = time.perf_counter() - t0
    extra["cpu_s"] = _cpu_seconds() - cpu0
    kib = 1024  # ru_maxrss is in KiB on Linux
    print(json.dumps({
        "mode": mode, "rows": rows, "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / kib,
        "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / kib,
        **extra,
    }))


def _cpu_seconds() -> float:
    """User + system CPU of this process and its finished children (the worker processes)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_child(mode: str, path: Path, model_dir: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, str(path), str(model_dir)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3, help="rounds over all modes; the median counts")
    ap.add_argument("--modes", default=",".join(MODES), help="comma-separated subset of: " + ", ".join(MODES))
    ap.add_argument("--append", action="store_true", help="add the figures to benchmarks/RESULTS.md")
    ap.add_argument("--child", nargs=3, metavar=("MODE", "FILE", "MODEL"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return 0
    modes = [m for m in args.modes.split(",") if m]
    if "baseline" not in modes:
        modes.insert(0, "baseline")

    runs: dict[str, list[dict]] = {m: [] for m in modes}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.jsonl"
        make_file(path, args.rows)
        model_dir = make_model_dir(Path(tmp) / "model", path)
        size_mb = path.stat().st_size / 1e6
        load_before = os.getloadavg()[0]
        for _ in range(args.repeat):
            for m in modes:
                runs[m].append(run_child(m, path, model_dir))
                print(json.dumps(runs[m][-1]), file=sys.stderr)
        load_after = os.getloadavg()[0]

    def med(m: str, key: str = "seconds") -> float:
        return statistics.median(r[key] for r in runs[m])

    base = med("baseline")
    base_cpu = med("baseline", "cpu_s")
    head = (
        f"- {datetime.date.today()}, `python benchmarks/data_inspect.py --rows {args.rows} --repeat {args.repeat}`, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores shared with other work, "
        f"Python {platform.python_version()}; file {args.rows:,} lines, {size_mb:.0f} MB; load average "
        f"before/after {load_before:.1f}/{load_after:.1f}; medians of {args.repeat} round-robin runs, each a "
        "fresh process, imports not timed; CPU = user + system seconds of the process and its workers, the steadier figure when others load the cores (a shared machine: compare the ratios, measured in the same run, not the times)"
    )
    rows = []
    for m in modes:
        r = runs[m][0]
        secs = med(m)
        each = ", ".join(f"{x['seconds']:.1f}" for x in runs[m])
        spread = f" (runs {each} s)" if args.repeat > 1 else ""
        workers = med(m, "worker_peak_rss_mb")
        rss = f"peak RSS {med(m, 'peak_rss_mb'):.0f} MB" + (f", each worker <= {workers:.0f} MB" if workers else "")
        cpu = med(m, "cpu_s")
        rows.append(
            f"{MODES[m]}: {secs:.2f} s{spread}, {r['rows'] / secs:,.0f} rows/s, {size_mb / secs:.0f} MB/s, "
            f"{rss}; **{secs / base:.2f} x baseline** wall time; CPU {cpu:.2f} s = {cpu / base_cpu:.2f} x baseline CPU"
        )
    for m in ("inspect", "inspect_tokenizer"):
        if m in runs and runs[m]:
            r = runs[m][0]
            rows.append(f"{m} found {r['rows_good']:,} good / {r['rows_bad']:,} bad rows, {r['pii_rows']:,} with "
                        f"likely personal data; tokens p95 {r['p95_tokens']}, mean {r['mean_tokens']}")
    print(head)
    print("\n".join(f"  - {r}" for r in rows))
    if args.append:
        append_entry(SECTION, INTRO, head, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
