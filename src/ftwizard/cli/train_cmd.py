"""`ftwizard train`: run a local fine-tune in the runner process and show its events.

Builds a RunConfig from flags (or `--config RUN.json`; with `--resume` and only `--output`,
from the run folder's own run_config.json), starts `python -m ftwizard.train` and prints
its events: JSON lines with --json, one readable line each otherwise. Ctrl-C is passed on
once (checkpoint, then exit 3); a second Ctrl-C stops the runner at once.
Exit codes are the runner's: 0 done, 1 internal, 2 bad input, 3 cancelled, 4 out of memory.

`--method dpo` trains preference pairs (prompt/chosen/rejected) with a QLoRA or LoRA adapter
(`--adapter`); `--method qlora|lora|full` is supervised tuning. `--probe` runs a few steps to
measure memory and speed beside the estimate and writes nothing (exit 4 if nothing fits).

The runner runs in the training runtime (ftwizard.runtime.rule.training_runtime: `--python`, else
FTWIZARD_PYTHON or Settings, else the first ready candidate; never the installed program
itself). None ready: exit 2 with a message naming the fix.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections import deque
from pathlib import Path

from ftwizard.cli.common import add_json_flag
from ftwizard.runs.event_text import human

# Flag -> RunConfig field, for flags that only override when given.
OVERRIDES = {
    "model_dir": "model_dir", "data": "data_path", "holdout": "holdout_path", "output": "output_dir",
    "max_steps": "max_steps", "epochs": "epochs", "seq_len": "seq_len",
    "micro_batch": "micro_batch", "grad_accum": "grad_accum", "lr": "learning_rate", "lora_r": "lora_r",
    "save_every": "save_every", "eval_every": "eval_every", "seed": "seed",
    "dpo_beta": "dpo_beta", "dpo_loss": "dpo_loss_type", "sharding": "sharding", "nproc": "processes",
}
SWITCHES = ("resume", "auto_fallback", "merge", "trust_remote_code", "allow_pickle_weights", "probe")


def add_parser(sub) -> argparse.ArgumentParser:
    p = sub.add_parser("train", help="fine-tune a local model on your data (QLoRA by default)")
    p.add_argument("--config", metavar="RUN.json", help="a run configuration (from a plan); flags override it")
    p.add_argument("--model-dir", metavar="DIR", help="local model folder (config.json, tokenizer, *.safetensors)")
    p.add_argument("--data", metavar="FILE", help="training data (JSONL, JSON, CSV, Parquet)")
    p.add_argument("--holdout", metavar="FILE", help="held-out data (default: a seeded share of --data)")
    p.add_argument("--output", metavar="DIR", help="run folder for checkpoints, adapter, manifest")
    p.add_argument("--method", choices=("qlora", "lora", "full", "dpo"),
                   help="supervised qlora (default), lora or full; or dpo on preference pairs")
    p.add_argument("--adapter", choices=("qlora", "lora"), help="the adapter --method dpo trains (default qlora)")
    p.add_argument("--dpo-beta", type=float, metavar="BETA", help="DPO: distance from the base model (default 0.1)")
    p.add_argument("--dpo-loss", choices=("sigmoid", "hinge", "ipo"), help="DPO loss, by TRL's names (default sigmoid)")
    p.add_argument("--max-steps", type=int, metavar="N")
    p.add_argument("--epochs", type=float, metavar="N")
    p.add_argument("--seq-len", type=int, metavar="TOKENS")
    p.add_argument("--micro-batch", type=int, metavar="N")
    p.add_argument("--grad-accum", type=int, metavar="N")
    p.add_argument("--lr", type=float, metavar="RATE", help="learning rate")
    p.add_argument("--lora-r", type=int, metavar="RANK")
    p.add_argument("--save-every", type=int, metavar="STEPS")
    p.add_argument("--eval-every", type=int, metavar="STEPS")
    p.add_argument("--seed", type=int)
    p.add_argument("--resume", action="store_true", help="continue from the last complete checkpoint")
    p.add_argument("--auto-fallback", action="store_true", help="on out-of-memory, take the next cheaper setting and go on")
    p.add_argument("--merge", action="store_true", help="also write full weights with the adapter merged in")
    p.add_argument("--trust-remote-code", action="store_true", help="allow the model folder's own Python code to run")
    p.add_argument("--allow-pickle-weights", action="store_true", help="allow *.bin/*.pt weights (pickle can run code)")
    p.add_argument("--probe", action="store_true",
                   help="run a few steps at the data's longest sequence: measured memory and speed beside the "
                        "estimate, and the largest settings that fit; writes nothing")
    p.add_argument("--sharding", choices=("none", "fsdp"),
                   help="fsdp: each of the --nproc processes holds 1/N of the model (PyTorch FSDP2)")
    p.add_argument("--nproc", type=int, metavar="N",
                   help="training processes on this machine, one per GPU, started with torchrun "
                        "(default: the config's processes, 1 without one)")
    p.add_argument("--python", metavar="PYTHON",
                   help="interpreter (or environment folder) with ftwizard[train] that runs the training "
                        "(default: FTWIZARD_PYTHON, else Settings, else the first ready one `ftwizard runtime "
                        "list` shows)")
    add_json_flag(p)
    return p


def build_config(args: argparse.Namespace):
    """The RunConfig these flags describe; raises RunConfigError naming the missing flag."""
    from ftwizard.base.errors import RunConfigError
    from ftwizard.runs.config import load_run_config, run_config_from_dict

    base: dict = {}
    if args.config:
        base = load_run_config(Path(args.config)).model_dump()
    elif args.resume and args.output and (Path(args.output) / "run_config.json").is_file():
        base = load_run_config(Path(args.output) / "run_config.json").model_dump()
    for flag, fieldname in OVERRIDES.items():
        value = getattr(args, flag)
        if value is not None:
            base[fieldname] = str(Path(value).resolve()) if fieldname.endswith(("_dir", "_path")) else value
    for flag in SWITCHES:
        if getattr(args, flag):
            base[flag] = True
    if args.method == "dpo":
        base["objective"] = "dpo"
        adapter = base.get("method") if base.get("method") in ("qlora", "lora") else "qlora"
        base["method"] = args.adapter or adapter
    elif args.method:
        base["method"], base["objective"] = args.method, "sft"
    if args.adapter and args.method != "dpo":
        raise RunConfigError("--adapter goes with --method dpo (supervised runs name the adapter in --method)")
    missing = [f"--{f.replace('_', '-')}" for f in ("model_dir", "data", "output") if OVERRIDES[f] not in base]
    if missing:
        raise RunConfigError(f"ftwizard train needs {', '.join(missing)} (or --config RUN.json)")
    return run_config_from_dict(base, "flags")


def _interrupt(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    if os.name == "nt":
        proc.send_signal(signal.CTRL_BREAK_EVENT)  # type: ignore[attr-defined]
    else:
        proc.send_signal(signal.SIGINT)


def run(args: argparse.Namespace) -> int:
    from ftwizard.base.errors import RunConfigError
    from ftwizard.base.offline import child_env
    from ftwizard.runs.config import write_run_config
    from ftwizard.runs.events import parse_event
    from ftwizard.runs.launch import runner_argv
    from ftwizard.runs.outdir import check_output_folder
    from ftwizard.runtime.rule import require_training_python

    cfg = build_config(args)
    if cfg.processes > 1 and cfg.probe:
        raise RunConfigError("--probe measures one process; drop --nproc")
    python = require_training_python(getattr(args, "python", None))
    if not args.json:
        print(f"training runtime: {python}", file=sys.stderr, flush=True)
    if cfg.probe:  # a probe writes nothing to the run folder: its config lives in a private temp folder
        scratch: Path | None = Path(tempfile.mkdtemp(prefix="ftwizard-probe-"))  # 0700, removed below
        cfg_path = scratch / "run_config.json"
    else:  # the run folder keeps its config (as a GUI launch does): nothing is left in /tmp
        check_output_folder(cfg.output_dir, cfg.resume)
        scratch, cfg_path = None, Path(cfg.output_dir) / "run_config.json"
        try:
            cfg_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise RunConfigError(f"{cfg_path.parent}: cannot create the run folder ({exc.strerror})") from None
    try:
        write_run_config(cfg_path, cfg)
        popen_kw: dict = {"start_new_session": True} if os.name != "nt" else {
            "creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}  # type: ignore[attr-defined]
        proc = subprocess.Popen(
            runner_argv(python, cfg_path, cfg.processes), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", errors="replace", bufsize=1, env=child_env(), **popen_kw,
        )
        stderr_tail: deque[str] = deque(maxlen=40)
        drain = threading.Thread(target=lambda: stderr_tail.extend(proc.stderr), daemon=True)
        drain.start()
        seen_end = False
        last = None  # the final event: under torchrun it, not the launcher's exit code, says what happened
        interrupts = 0
        while True:
            try:
                for line in proc.stdout:
                    e = parse_event(line)
                    if e is None:
                        continue
                    seen_end = seen_end or e.event in ("done", "error", "probe")
                    last = e if e.event in ("done", "error", "probe") else last
                    if scratch is not None:  # the runner has read its config: remove it now
                        _remove(scratch)
                    if args.json:  # the event stream, errors included, stays on stdout
                        print(line.rstrip("\n"), flush=True)
                    else:  # readable lines: events on stdout, a failure on stderr (a cancel is no failure)
                        failed = e.event == "error" and e.kind != "cancelled"
                        print(human(e), file=sys.stderr if failed else sys.stdout, flush=True)
                break
            except KeyboardInterrupt:
                interrupts += 1
                if interrupts == 1 and not args.json:
                    print("cancelling: finishing this step and saving a checkpoint (Ctrl-C again to stop at once)",
                          file=sys.stderr, flush=True)
                _interrupt(proc)
        code = proc.wait()
        drain.join(timeout=2)
        if not seen_end:  # the runner died before it could say why: show what it printed
            sys.stderr.write("".join(stderr_tail))
            print(f"ftwizard: the training runner exited with code {code} without a result", file=sys.stderr)
            return 1 if code >= 0 else 128 - code
        if cfg.processes > 1 and last is not None:  # torchrun exits 1 for any failed child
            return exit_code_of(last)
        return code
    finally:
        if scratch is not None:
            _remove(scratch)


def exit_code_of(e) -> int:
    """The runner's exit code for its final event (ftwizard.runs.events)."""
    from ftwizard.runs import events as ev
    if e.event != "error":
        return ev.EXIT_OK
    return {"cancelled": ev.EXIT_CANCELLED, "oom": ev.EXIT_OOM, "internal": ev.EXIT_INTERNAL}.get(
        e.kind, ev.EXIT_BAD_INPUT)


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
