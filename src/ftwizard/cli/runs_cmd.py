"""`ftwizard runs`: what a finished run changed, and the model to take away.

    ftwizard runs samples RUN [--n 20] [--max-new-tokens 256] [--batch 8] [--json]
    ftwizard runs eval RUN [--metrics auto|classification|extraction|summarisation|translation|qa|chat] [--json]
    ftwizard runs export RUN --format merged|adapter|gguf --out DIR [--llama-cpp PATH] [--json]

RUN is a run folder, or the name of one in the runs folder. `samples` and `export` load
models, so they run in the training runtime (`python -m ftwizard.train.samples` /
`ftwizard.train.export`, the interpreter `ftwizard train` uses; `--python` picks another);
`eval` only reads samples.jsonl: it runs here, or in the training runtime when the metric
libraries (the `eval` extra) are not installed beside this program. Exit codes: 0 done, 2 bad input or a run that
cannot give what was asked (one line on stderr), 1 internal error.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from ftwizard.cli.common import add_json_flag, print_json


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("runs", help="a finished run: base vs tuned answers, task metrics, export the model")
    rs = p.add_subparsers(dest="runs_command", metavar="ACTION", required=True)

    s = rs.add_parser("samples", help="answer N holdout prompts with the base and the tuned model (samples.jsonl)")
    s.add_argument("run", metavar="RUN", help="run folder, or its name in the runs folder")
    s.add_argument("--n", type=int, default=20, help="holdout prompts to answer (default 20)")
    s.add_argument("--max-new-tokens", type=int, default=256, help="token limit of each answer (default 256)")
    s.add_argument("--batch", type=int, default=8, help="prompts generated together (default 8)")
    s.add_argument("--python", metavar="PYTHON", help="the training runtime's interpreter")
    add_json_flag(s)

    e = rs.add_parser("eval", help="task metrics of samples.jsonl, base vs tuned, with bootstrap intervals")
    e.add_argument("run", metavar="RUN")
    e.add_argument("--metrics", default="auto",
                   choices=("auto", "classification", "extraction", "summarisation", "translation", "qa", "chat"),
                   help="the task kind's metrics; auto: the plan's task, else guessed from the reference answers")
    e.add_argument("--python", metavar="PYTHON", help="the training runtime's interpreter (used when the metric "
                   "libraries are not installed beside this program)")
    add_json_flag(e)

    x = rs.add_parser("export", help="the merged model, the adapter alone, or GGUF (with licence and model card)")
    x.add_argument("run", metavar="RUN")
    x.add_argument("--format", required=True, choices=("merged", "adapter", "gguf"))
    x.add_argument("--out", required=True, metavar="DIR", help="a new (or empty) folder")
    x.add_argument("--llama-cpp", metavar="PATH", help="llama.cpp checkout for --format gguf "
                   "(default: $FTWIZARD_LLAMA_CPP)")
    x.add_argument("--python", metavar="PYTHON", help="the training runtime's interpreter")
    add_json_flag(x)
    return p


def resolve_run(name: str) -> Path:
    from ftwizard.base.errors import FtwizardError

    p = Path(name).expanduser()
    if p.is_dir():
        return p.resolve()
    if len(p.parts) == 1:
        from ftwizard.base.paths import default_runs_dir

        q = default_runs_dir() / name
        if q.is_dir():
            return q
    raise FtwizardError(f"{name}: no such run folder (give its path, or a name in the runs folder)")


def _python(args) -> str:
    try:
        from ftwizard.runtime.rule import require_training_python
    except ImportError:  # an older runtime module
        return args.python or sys.executable
    return require_training_python(args.python)


def _metric_libraries_here() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("sacrebleu", "rouge_score", "sklearn", "scipy"))


def _in_runtime(args, module: str, argv: list[str]) -> int:
    """Run `python -m module argv` in the training runtime; its stdout and stderr pass through."""
    python = _python(args)
    if not args.json:
        print(f"training runtime: {python}", file=sys.stderr, flush=True)
    from ftwizard.base.offline import child_env

    done = subprocess.run([python, "-m", module, *argv], check=False, env=child_env())
    return done.returncode


def run(args: argparse.Namespace) -> int:
    run_dir = resolve_run(args.run)
    if args.runs_command == "samples":
        argv = [str(run_dir), "--n", str(args.n), "--max-new-tokens", str(args.max_new_tokens),
                "--batch", str(args.batch)]
        return _in_runtime(args, "ftwizard.train.samples", argv + (["--json"] if args.json else []))
    if args.runs_command == "export":
        argv = [str(run_dir), "--format", args.format, "--out", str(Path(args.out).expanduser().resolve())]
        if args.llama_cpp:
            argv += ["--llama-cpp", args.llama_cpp]
        return _in_runtime(args, "ftwizard.train.export", argv + (["--json"] if args.json else []))
    if not _metric_libraries_here():  # the installed program leaves them to the training runtime
        python = _python(args)
        if Path(python).resolve() != Path(sys.executable).resolve():
            argv = ["runs", "eval", str(run_dir), "--metrics", args.metrics] + (["--json"] if args.json else [])
            from ftwizard.base.offline import child_env

            return subprocess.run([python, "-m", "ftwizard", *argv], check=False, env=child_env()).returncode
    from ftwizard.evaluate.metrics import evaluate_run, table_rows
    from ftwizard.evaluate.samples import EVAL

    report = evaluate_run(run_dir, args.metrics)
    if args.json:
        print_json(report.model_dump(mode="json") | {"eval_path": str(run_dir / EVAL)})
        return 0
    print(f"{report.kind} metrics on {report.n} holdout prompts ({report.kind_reason})")
    rows = [("Metric", "Base", "Tuned", "Change [95% interval]", "Verdict"), *table_rows(report)]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    if report.win_rule:
        print(f"Win rule: {report.win_rule}. Tuned won {report.wins}, tied {report.ties}, lost {report.losses}.")
    print(report.bootstrap + ".")
    print(f"Saved {run_dir / EVAL}")
    return 0
