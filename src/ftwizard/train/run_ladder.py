"""The out-of-memory ladder inside a run: on an out-of-memory step, take the next cheaper
setting (faults.next_rung: gradient checkpointing, a smaller micro-batch with more
accumulation, an 8-bit optimizer, a shorter seq_len) when auto_fallback is on, or save and
stop naming it. The run keeps its length and data order. Part of the recipe (recipe.py)."""

from __future__ import annotations

import gc

from ftwizard.runs import events as ev
from ftwizard.train import data as D
from ftwizard.train.faults import next_rung
from ftwizard.train.model import build_optimizer, enable_grad_ckpt
from ftwizard.train.run_state import Stop


class OutOfMemoryLadder:
    """Mixin of the recipe's run (recipe._Run)."""

    def out_of_memory(self, last_saved: int) -> int:
        """The next step down the ladder: taken (auto_fallback) or suggested; returns last_saved."""
        import torch

        gc.collect()
        if self.device.kind == "cuda":
            torch.cuda.empty_cache()
        step = self.progress.step + 1
        rung = next_rung(self.eff, self.have_bnb)
        if rung is None:
            raise Stop("oom", f"out of memory at step {step} with every cheaper setting already in use",
                       "use a smaller model, a shorter seq_len, or a GPU with more memory", ev.EXIT_OOM)
        update, what = rung
        if not self.eff.auto_fallback:
            if self.progress.step > 0 and self.progress.step > last_saved:
                self.save()
                last_saved = self.progress.step
            raise Stop("oom", f"out of memory at step {step} on {self.device.name}",
                       f"next step down: {what}; resume with that setting, or turn on auto_fallback", ev.EXIT_OOM)
        what = self.step_down(update, what)
        message = f"out of memory at step {step}: {what}; continuing"
        self.progress.notes.append(message)
        self.emit.emit(ev.WarningEvent(kind="fallback", message=message))
        return last_saved

    def step_down(self, update: dict, what: str) -> str:
        """Take one rung of the ladder (faults.next_rung) in place; the run keeps its length."""
        old = self.eff
        self.eff = self.eff.model_copy(update=update)
        if update.get("grad_ckpt"):
            enable_grad_ckpt(self.model)
        if "optimizer" in update:
            self.optimizer = build_optimizer(self.model, self.eff, self.have_bnb)
            what += " (optimizer state restarts)"
        if "seq_len" in update:
            self.train_ex, self.hold_ex, _ = self.examples(D.chat_template(self.tokenizer)[0])
        if update.keys() & {"seq_len"} or old.micro_batch * old.grad_accum != self.eff.micro_batch * self.eff.grad_accum:
            total = self.total_steps
            self.layout(self.eff)
            self.total_steps = total
        return what
