"""The 'Try it' chat server: a finished run's base and tuned model answering one prompt after
another, streamed as JSON lines. The GUI starts it in the training runtime (never torch in
the GUI process) and talks to it over stdin/stdout:

    python -m ftwizard.train.chat RUN_DIR [--max-new-tokens 256]

stdin, one JSON object a line:   {"prompt": "...", "max_new_tokens": 128}   ask both models
                                  {"cancel": true}                           stop the answer now
                                  (end of input)                             quit
stdout, one JSON object a line:  {"event": "ready", "device": ..., "tuned": ...}
                                  {"event": "token", "side": "base"|"tuned", "text": "..."}
                                  {"event": "end", "side": ..., "tokens": N, "truncated": bool}
                                  {"event": "cancelled"} | {"event": "error", "message": ...}
                                  {"event": "idle"}                          both answers done

Each prompt is a one-turn conversation rendered with the run's chat template; decoding is
greedy, as in samples.jsonl, so the same prompt gives the same answers there and here. The
base answers first, then the tuned model (one model in memory: the adapter switched off).
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
import threading
from pathlib import Path

from ftwizard.base.errors import FtwizardError
from ftwizard.evaluate.samples import DEFAULT_MAX_NEW_TOKENS

MAX_NEW_TOKENS_CAP = 4096


class _Out:
    """Serialised JSON lines on stdout (the reader thread may write too)."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stdout
        self.lock = threading.Lock()

    def __call__(self, **event) -> None:
        with self.lock:
            self.stream.write(json.dumps(event, ensure_ascii=False) + "\n")
            self.stream.flush()


def _read_requests(stdin, requests: queue.Queue, cancel: threading.Event, out: _Out) -> None:
    for raw in stdin:
        if not raw.strip():
            continue
        try:
            req = json.loads(raw)
            if not isinstance(req, dict):
                raise ValueError("expected a JSON object")
        except ValueError as exc:
            out(event="error", message=f"stdin: not a request ({exc})")
            continue
        if req.get("cancel"):
            cancel.set()
        else:
            requests.put(req)
    requests.put(None)  # end of input: quit once the answers asked for are done


def serve(run_dir: Path, stdin=None, stdout=None, max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS) -> int:
    from transformers import StoppingCriteria, StoppingCriteriaList, TextStreamer

    from ftwizard.train.samples import generate, load_models

    out = _Out(stdout)
    try:
        models = load_models(Path(run_dir))
    except FtwizardError as exc:
        out(event="error", message=str(exc).splitlines()[0])
        return exc.exit_code
    requests: queue.Queue = queue.Queue()
    cancel = threading.Event()
    threading.Thread(target=_read_requests, args=(stdin or sys.stdin, requests, cancel, out), daemon=True).start()
    out(event="ready", device=models.device.name, tuned=models.tuned_from,
        template="model" if models.own_template else "fallback")

    class Stop(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs) -> bool:
            return cancel.is_set()

    class Stream(TextStreamer):
        side = "base"

        def on_finalized_text(self, text: str, stream_end: bool = False) -> None:
            if text:
                out(event="token", side=self.side, text=text)

    while (req := requests.get()) is not None:
        cancel.clear()
        prompt = req.get("prompt")
        limit = req.get("max_new_tokens", max_new_tokens)
        if not isinstance(prompt, str) or not prompt.strip():
            out(event="error", message="prompt: give some text")
            continue
        if not isinstance(limit, int) or not 1 <= limit <= MAX_NEW_TOKENS_CAP:
            out(event="error", message=f"max_new_tokens: a whole number from 1 to {MAX_NEW_TOKENS_CAP}")
            continue
        messages = [{"role": "user", "content": prompt}]
        try:
            for side in ("base", "tuned"):
                streamer = Stream(models.tokenizer, skip_prompt=True, skip_special_tokens=True)
                streamer.side = side
                _, n, cut = generate(models, messages, side, limit, streamer=streamer,
                                     stopping_criteria=StoppingCriteriaList([Stop()]))
                if cancel.is_set():
                    break
                out(event="end", side=side, tokens=n, truncated=cut)
        except Exception as exc:  # one failed answer (out of memory, too long a prompt) ends no session
            out(event="error", message=f"{type(exc).__name__}: {str(exc)[:300]}")
            out(event="idle")
            continue
        out(event="cancelled" if cancel.is_set() else "idle")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ftwizard.train.chat")
    p.add_argument("run_dir", type=Path)
    p.add_argument("--max-new-tokens", type=int, default=DEFAULT_MAX_NEW_TOKENS)
    args = p.parse_args(argv)
    return serve(args.run_dir, max_new_tokens=args.max_new_tokens)


if __name__ == "__main__":
    raise SystemExit(main())
