"""`python -m ftwizard.train RUN.json [--resume]`: the training runner process.

stdout carries only the event stream (one JSON object per line, see ftwizard.runs.events):
everything else a library prints is sent to stderr, and logs go to `runner.log` in the run
folder. SIGINT (Ctrl-C, the GUI's Cancel; CTRL_BREAK on Windows) finishes the current step,
saves a checkpoint and exits with code 3; a second SIGINT stops at once.

Under `torchrun` / `accelerate launch` (RANK set) only rank 0 prints events and writes
runner.log; torchrun passes one SIGINT on to every process. `--probe` measures a few steps
and writes nothing (ftwizard.train.probe).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

from ftwizard.base.offline import go_offline  # noqa: E402 (stdlib only)

# Offline before any Hugging Face import: nothing may reach the network (hub, telemetry,
# bitsandbytes' kernel loader).
go_offline()
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _events_stream():
    """Keep the real stdout for events; point fd 1 (and sys.stdout) at stderr."""
    sys.stdout.flush()
    events = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return events


def _logging(run_dir) -> None:
    """stderr, and runner.log in `run_dir` (None: stderr only)."""
    import logging

    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if run_dir is not None:
        log_file = run_dir / "runner.log"
        try:
            run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # user data: see recipe.py
            if not log_file.is_symlink():  # the recipe refuses a run folder with links in it
                os.close(os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))  # 0600 before the first line
                handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
        except OSError:
            pass  # the recipe reports an unusable run folder itself
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        handlers=handlers, force=True)
    logging.captureWarnings(True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ftwizard.train", description=__doc__.splitlines()[0])
    parser.add_argument("config", help="run configuration (RunConfig JSON)")
    parser.add_argument("--resume", action="store_true", help="continue from the newest complete checkpoint")
    parser.add_argument("--probe", action="store_true", help="measure a few steps' memory and speed, write nothing")
    args = parser.parse_args(argv)

    from ftwizard.base.errors import FtwizardError
    from ftwizard.runs import events as ev
    from ftwizard.runs.config import load_run_config
    from ftwizard.train.events import Emitter

    main_rank = os.environ.get("RANK", "0").strip() in ("", "0")
    events = _events_stream()  # every process: library chatter must not reach torchrun's stdout
    if not main_rank:
        events.close()
    emitter = Emitter(events) if main_rank else Emitter(log_only=True)
    try:
        cfg = load_run_config(args.config)
    except FtwizardError as exc:
        emitter.emit(ev.ErrorEvent(kind="config", message=str(exc).splitlines()[0],
                                   suggestion="check the run configuration (ftwizard schema run-config)"))
        return ev.EXIT_BAD_INPUT
    if args.resume or args.probe:
        cfg = cfg.model_copy(update={"resume": args.resume or cfg.resume, "probe": args.probe or cfg.probe})
    _logging(cfg.output_dir if main_rank and not cfg.probe else None)

    from ftwizard.train.recipe import CancelFlag, run

    cancel = CancelFlag()

    def on_interrupt(signum, frame):
        if cancel.requested:
            raise KeyboardInterrupt
        cancel.requested = True

    signal.signal(signal.SIGINT, on_interrupt)
    if hasattr(signal, "SIGBREAK"):  # Windows: CTRL_BREAK_EVENT from the GUI or the CLI
        signal.signal(signal.SIGBREAK, on_interrupt)
    return run(cfg, emitter, cancel=cancel)


if __name__ == "__main__":
    sys.exit(main())
