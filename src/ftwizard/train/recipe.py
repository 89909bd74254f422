"""The fine-tuning recipe, top to bottom: check the inputs, prepare the data, build the model,
resume, evaluate the base, loop (with checkpoints, cancel and the out-of-memory ladder),
evaluate the tuned model, save the adapter and the manifest.

Supervised tuning (objective sft) and preference tuning (objective dpo, train/dpo.py)
share every step but the batch and the loss. Under torchrun or accelerate launch the same
recipe runs in every process (train/distributed.py) and only rank 0 writes. A probe
(RunConfig.probe, train/probe.py) stops once the model is built and measures a few steps.

A plain PyTorch loop rather than TRL's SFTTrainer and DPOTrainer: the same Hugging Face
pieces (peft, bitsandbytes, the model's chat template) with cancel, resume, data order and
out-of-memory handling in plain sight, once for both objectives; benchmarks/train_throughput.py
and benchmarks/dpo_throughput.py measure it against the two trainers.
Every ending emits `done` or one `error` event and returns the process exit code.

This file is the recipe itself: `main` (inputs, data, model, resume, the loop), one training
step and the evaluation. Beside it, each a mixin of the same run: run_setup.py (the run folder,
the effective configuration), run_data.py (rows, bins, each step's share of the data),
run_checkpoint.py (save, digests, resume), run_ladder.py (the out-of-memory ladder) and
run_ending.py (weights, manifest, samples, the done event); run_state.py holds the small shared
types, sharded.py FSDP2, dpo.py the preference loss, faults.py the ladder's rungs and test faults.
"""

from __future__ import annotations

import contextlib
import logging
import math
import random
import time
from pathlib import Path

from ftwizard.base.errors import DatasetError, FtwizardError, RunConfigError
from ftwizard.catalog.model_folder import check_weights
from ftwizard.runs import events as ev
from ftwizard.runs.config import RunConfig
from ftwizard.train import data as D
from ftwizard.train import dpo, sharded
from ftwizard.train.device import (
    PeakMemory,
    bitsandbytes_available,
    compute_dtype_name,
    pick_device,
    torch_dtype,
)
from ftwizard.train.distributed import Dist, dump_rank_adapter
from ftwizard.train.events import Emitter
from ftwizard.train.faults import (
    Faults,
    SavedTensorMeter,
    is_disk_full,
    is_oom,
    parameter_storages,
)
from ftwizard.train.model import (
    build_model,
    build_optimizer,
    load_tokenizer,
    lr_at,
)
from ftwizard.train.model_folder import check_model_folder
from ftwizard.train.outputs import (
    digests,
    utc_now,
)
from ftwizard.train.run_checkpoint import Checkpointing
from ftwizard.train.run_data import DataSteps
from ftwizard.train.run_ending import RunEnding
from ftwizard.train.run_ladder import OutOfMemoryLadder
from ftwizard.train.run_setup import RunSetup
from ftwizard.train.run_state import CancelFlag, Progress, StepResult, Stop, Timing

log = logging.getLogger("ftwizard.train")


def run(cfg: RunConfig, emit: Emitter, faults: Faults | None = None, cancel: CancelFlag | None = None) -> int:
    r = _Run(cfg, emit, faults or Faults.from_env(), cancel or CancelFlag())
    try:
        with r.held:  # the run folder's lock, released however the run ends
            return r.main()
    except Stop as s:
        emit.emit(ev.ErrorEvent(kind=s.kind, message=s.message, suggestion=s.suggestion,
                                step=r.progress.step, checkpoint=r.last_ckpt))
        return s.code
    except KeyboardInterrupt:  # a second Ctrl-C: stop now; the last complete checkpoint stands
        emit.emit(ev.ErrorEvent(kind="cancelled", message="stopped at once (second interrupt)",
                                suggestion="resume continues from the last complete checkpoint",
                                step=r.progress.step, checkpoint=r.last_ckpt))
        return ev.EXIT_CANCELLED
    except DatasetError as exc:
        emit.emit(ev.ErrorEvent(kind="data", message=str(exc).splitlines()[0], checkpoint=r.last_ckpt))
        return ev.EXIT_BAD_INPUT
    except FtwizardError as exc:
        emit.emit(ev.ErrorEvent(kind="config", message=str(exc).splitlines()[0], checkpoint=r.last_ckpt))
        return ev.EXIT_BAD_INPUT
    except OSError as exc:
        if is_disk_full(exc):
            emit.emit(r.disk_full_event(str(getattr(exc, "filename", "") or cfg.output_dir)))
            return ev.EXIT_BAD_INPUT
        log.exception("runner stopped on an OS error")
        emit.emit(ev.ErrorEvent(kind="internal", message=f"{type(exc).__name__}: {exc}", checkpoint=r.last_ckpt))
        return ev.EXIT_INTERNAL
    except Exception as exc:
        if is_disk_full(exc):  # safetensors and torch report a full disk in their own words
            emit.emit(r.disk_full_event(str(cfg.output_dir)))
            return ev.EXIT_BAD_INPUT
        log.exception("runner stopped on an internal error")  # never dataset text: we never format it
        emit.emit(ev.ErrorEvent(kind="internal", message=f"{type(exc).__name__}: {str(exc)[:300]}",
                                suggestion="please report this with runner.log", checkpoint=r.last_ckpt))
        return ev.EXIT_INTERNAL
    finally:
        emit.close()
        r.dist.stop()


class _Run(RunSetup, DataSteps, Checkpointing, OutOfMemoryLadder, RunEnding):
    def __init__(self, cfg: RunConfig, emit: Emitter, faults: Faults, cancel: CancelFlag):
        self.cfg, self.emit, self.faults, self.cancel = cfg, emit, faults, cancel
        self.progress = Progress()
        self.last_ckpt: str | None = None
        self.run_dir = Path(cfg.output_dir)
        self.held = contextlib.ExitStack()
        self.dist = Dist()
        self.metering = False  # measure what each forward saves for backward (probe, memory cap)
        self.saved_gb = 0.0  # the most one micro-batch saved, when metering
        self.resume_check: dict | None = None  # what resume restored against what the checkpoint saved
        self.sharded = False  # FSDP2 over several processes (train/sharded.py)

    # ---- 1. inputs --------------------------------------------------------------------------
    def main(self) -> int:
        cfg, t0 = self.cfg, time.time()
        started_at = utc_now()
        if cfg.objective == "dpo" and cfg.method == "full":
            raise RunConfigError("$.method: DPO runs with an adapter (qlora or lora); a full fine-tune would need "
                                 "a second copy of the model as its reference")
        self.dist = dist = Dist.from_env()
        if cfg.probe and dist.enabled:
            raise RunConfigError("$.probe: a probe runs in one process; start it without torchrun or accelerate")
        folder = check_model_folder(cfg.model_dir, cfg.trust_remote_code, cfg.allow_pickle_weights)
        check_weights(folder)  # a truncated safetensors file is named now, not deep in the load
        for risk in folder.opt_in_warnings():  # the user opted in: say exactly what will run
            self.emit.emit(ev.WarningEvent(kind="config", message=risk))
        if dist.is_main and not cfg.probe:  # a probe writes nothing; other ranks never write
            self.prepare_run_folder()

        import torch  # after the cheap checks: a typo in a path is reported at once

        device = pick_device(dist.local_rank)
        dist.start(device.kind)
        dtype_name = compute_dtype_name(cfg.precision, device)
        have_bnb, why_not = bitsandbytes_available(device)
        notes = self.effective_config(device, dtype_name, have_bnb, why_not)
        eff = self.eff
        if self.sharded:  # before any weights load: a too-old torch or bitsandbytes is named now
            from importlib.metadata import version

            sharded.check_floors(torch.__version__, version("bitsandbytes") if have_bnb else None,
                                 eff.method == "qlora")

        # ---- 2. data ----------------------------------------------------------------------------
        data_files = [cfg.data_path] + ([cfg.holdout_path] if cfg.holdout_path else [])
        for p in data_files:
            if not Path(p).is_file():
                raise DatasetError(f"{p}: data file not found")
        data_digests = digests([Path(p) for p in data_files])
        self.progress.data_sha256 = [d.sha256 for d in data_digests]
        tokenizer = load_tokenizer(folder, cfg)
        self.tokenizer = tokenizer
        template, own = D.chat_template(tokenizer)
        if not own:
            notes.append("the tokenizer has no chat template: conversations are rendered as '### User:' / '### Assistant:' text")
        train_ex, hold_ex, skipped = self.examples(template)
        if not train_ex:
            need = " (objective dpo needs preference pairs: prompt, chosen, rejected)" if eff.objective == "dpo" else ""
            raise DatasetError(f"{cfg.data_path}: no usable training rows{need}")
        self.train_ex, self.hold_ex = train_ex, hold_ex
        self.pad_id = tokenizer.pad_token_id
        self.layout(eff)
        self.folder, self.data_digests, self.skipped = folder, data_digests, skipped
        self.timing = Timing(started_at=started_at, t0=t0, load_s=time.time() - t0)

        # ---- 3. model ---------------------------------------------------------------------------
        random.seed(cfg.seed)
        torch.manual_seed(cfg.seed)
        quantise = eff.method == "qlora"
        built = build_model(eff, folder, device, dtype_name, quantise=quantise,
                            on_meta=self.sharded and not dist.is_main and not quantise)
        model = self.model = self.train_model = built.model
        self.built, self.dtype_name = built, dtype_name
        if built.quantisation != "none":
            self.check_4bit(model, dtype_name)
        if self.sharded:
            full = model.state_dict() if dist.is_main and not quantise else None  # rank 0's weights, whole
            sharded.shard(model, torch_dtype(dtype_name), eff.cpu_offload)
            if not quantise:
                sharded.materialise_from_rank0(model, full, device.torch_device, dist.is_main)
            del full
        self.device, self.have_bnb = device, have_bnb
        self.optimizer = build_optimizer(model, eff, have_bnb)
        self.autocast = (torch.autocast(device.kind, dtype=torch_dtype(dtype_name))
                         if device.kind != "cpu" and dtype_name != "fp32" else contextlib.nullcontext())
        self.scaler = torch.amp.GradScaler(device.kind) if dtype_name == "fp16" else None
        self.param_storages = parameter_storages(model) if self.metering else set()
        mem = PeakMemory(device)
        mem.reset()
        if cfg.probe:
            from ftwizard.train.probe import run_probe

            self.progress.notes = notes
            return run_probe(self, built, mem, dtype_name, skipped)

        # ---- 4. resume --------------------------------------------------------------------------
        resumed_from = self.resume() if cfg.resume else None
        # Sharded: the FSDP2 model itself; else DDP (several processes) over the trainable weights.
        self.train_model = model if self.sharded else dist.wrap(model)
        self.progress.notes = list(dict.fromkeys(self.progress.notes + notes))
        self.emit.emit(ev.StartEvent(
            run_dir=str(self.run_dir), model_dir=str(cfg.model_dir), method=eff.method, objective=eff.objective,
            processes=dist.world_size, quantisation=built.quantisation, device=device.kind, device_name=device.name,
            precision=dtype_name, mem_kind=mem.kind, max_steps=self.total_steps, seq_len=eff.seq_len,
            micro_batch=eff.micro_batch, grad_accum=eff.grad_accum, train_examples=len(train_ex),
            holdout_examples=len(hold_ex), skipped_rows=skipped, total_params=built.total_params,
            trainable_params=built.trainable_params, resumed_from_step=resumed_from, notes=self.progress.notes,
            resume_check=self.resume_check, sharding="fsdp" if self.sharded else "none", world_size=dist.world_size,
            local_param_fraction=sharded.local_param_fraction(model),
        ))

        # ---- 5. evaluate the base model -----------------------------------------------------------
        t_eval = time.time()
        if hold_ex and self.progress.eval_before is None:
            self.progress.eval_before = self.evaluate("before")
        eval_s = time.time() - t_eval

        # ---- 6. the loop ------------------------------------------------------------------------
        p = self.progress
        steps_here, tokens_here, compute_s = 0, 0, 0.0
        recent: list[float] = []
        last_saved = p.step if resumed_from is not None else -1
        stop = dist.any(self.cancel.requested)  # several processes decide together, through all_reduce
        t_loop = time.time()
        while p.step < self.total_steps and not stop:
            bins = self.bins_for_step(p.step)
            t_step = time.time()
            try:
                res = self.train_step(bins, p.step + 1)
                oom = False
            except Exception as exc:
                if not is_oom(exc):
                    raise
                oom = True
            if oom:  # outside the except block: its traceback holds the step's tensors
                last_saved = self.out_of_memory(last_saved)
                stop = self.cancel.requested  # one process: the ladder is off with several
                continue
            dt_step = time.time() - t_step
            loss, tokens = res.loss, res.tokens
            p.step += 1
            p.tokens += tokens
            p.first_loss = loss if p.first_loss is None else p.first_loss
            p.last_loss = loss
            steps_here, tokens_here, compute_s = steps_here + 1, tokens_here + tokens, compute_s + dt_step
            p.train_s += dt_step
            recent = (recent + [dt_step])[-20:]
            if p.step % eff.log_every == 0 or p.step == self.total_steps:
                rewards = {k: v for k, v in (res.rewards or {}).items() if k in ev.StepEvent.model_fields}
                self.emit.emit(ev.StepEvent(
                    step=p.step, max_steps=self.total_steps, epoch=round(p.step / self.steps_per_epoch, 4),
                    loss=loss, lr=lr_at(p.step - 1, self.total_steps, self.eff),
                    tokens_per_s=tokens_here / max(compute_s, 1e-9), peak_mem_gb=mem.peak_gb(),
                    eta_s=(self.total_steps - p.step) * sum(recent) / len(recent), grad_norm=res.grad_norm,
                    **rewards,
                ))
            if self.eff.eval_every and p.step % self.eff.eval_every == 0 and p.step < self.total_steps and hold_ex:
                t_eval = time.time()
                self.evaluate("during")
                eval_s += time.time() - t_eval
            if self.eff.save_every and p.step % self.eff.save_every == 0:
                self.save()
                last_saved = p.step
            faulted = self.faults.after_step(p.step)  # test-only cancel: every process at the same step
            if faulted:
                self.cancel.requested = True
            stop = (res.stop or faulted) if dist.enabled else self.cancel.requested
        train_s = time.time() - t_loop
        if p.step > last_saved and p.step > 0:
            self.save()

        # ---- 7. evaluate the tuned model, save the outputs ------------------------------------------
        status = "cancelled" if stop and p.step < self.total_steps else "done"
        after = None
        if status == "done" and hold_ex:
            t_eval = time.time()
            after = self.evaluate("after")
            eval_s += time.time() - t_eval
        if self.eff.method != "full":
            dump_rank_adapter(dist, model, self.examples_of_bins)
        whole = None  # sharded: the weights to save, gathered (every process takes part)
        if self.sharded and status == "done":
            whole = sharded.full_model_state(model) if self.eff.method == "full" else sharded.full_trainable_state(model)
        if not dist.is_main:  # rank 0 writes; the others wait so that torchrun stops no one mid-write
            dist.sum([0.0])
            if status == "cancelled":
                raise self.cancelled()
            return ev.EXIT_OK
        self.timing.train_s, self.timing.eval_s = train_s, eval_s
        return self.finish(status, after, mem, tokens_here, compute_s, whole)

    def cancelled(self) -> Stop:
        return Stop("cancelled", f"cancelled at step {self.progress.step} of {self.total_steps}",
                    "resume continues from this checkpoint with the same data order", ev.EXIT_CANCELLED)

    # ---- helpers, in the order the recipe uses them -------------------------------------------------
    def train_step(self, bins: list[list[int]], step_no: int) -> StepResult:
        import torch

        model, mb, prefer = self.train_model, self.eff.micro_batch, self.eff.objective == "dpo"
        model.train()
        for g in self.optimizer.param_groups:
            g["lr"] = lr_at(step_no - 1, self.total_steps, self.eff)
        groups = [bins[i : i + mb] for i in range(0, len(bins), mb)]
        if prefer:
            batches = [dpo.collate_pairs(self.train_ex, g, self.pad_id)[0] for g in groups]
            norm = max(1, len(bins))  # pairs in this process's step: the loss is their mean
        else:
            batches = [D.collate(self.train_ex, g, self.pad_id) for g in groups]
            labels = sum(b.label_tokens for b in batches)
            # Each micro-batch's loss is its token sum over the step's tokens (all processes; DDP
            # averages gradients over processes, hence / world size), so accumulating gives the
            # exact token mean, whatever the split.
            norm = max(1, self.dist.sum([labels])[0]) / self.dist.world_size if self.dist.enabled else max(1, labels)
        stats = dpo.PairStats()
        loss_sum, tokens = 0.0, 0
        dev = self.device.torch_device
        try:
            for k, b in enumerate(batches):
                self.faults.in_step(step_no, mb)
                with self.dist.no_sync(model, last=k == len(batches) - 1):
                    meter = SavedTensorMeter(self.param_storages) if self.metering else contextlib.nullcontext()
                    with self.autocast, meter:
                        if prefer:
                            ref = dpo.reference_logps(self.model, b, dev)
                            logps, answer_tokens = dpo.sequence_logps(model, b, dev)
                            losses, rc, rr = dpo.pair_losses(logps, ref, answer_tokens, self.eff.dpo_beta,
                                                             self.eff.dpo_loss_type)
                            stats.add(losses, rc, rr, logps, answer_tokens)
                            loss = losses.sum() / norm
                        else:
                            loss = model(input_ids=b.input_ids.to(dev), position_ids=b.position_ids.to(dev),
                                         labels=b.labels.to(dev), num_items_in_batch=norm, use_cache=False).loss
                    if self.metering:
                        self.saved_gb = max(self.saved_gb, meter.gb)
                        self.faults.check_memory(meter.gb, step_no)
                    (self.scaler.scale(loss) if self.scaler else loss).backward()
                loss_sum += float(loss.detach())
                tokens += b.tokens
            if self.scaler:
                self.scaler.unscale_(self.optimizer)
            params = [p for p in model.parameters() if p.requires_grad]
            grad_norm = torch.nn.utils.clip_grad_norm_(params, self.eff.max_grad_norm)
            grad_norm = float(grad_norm.full_tensor() if sharded.is_sharded_tensor(grad_norm) else grad_norm)
            if self.scaler:
                self.scaler.step(self.optimizer)
                self.scaler.update()
            else:
                self.optimizer.step()
        finally:
            self.optimizer.zero_grad(set_to_none=True)
        # One all_reduce for the step's figures and the cancel flag (nothing to add when alone).
        totals = self.dist.sum([loss_sum, tokens, float(self.cancel.requested)] + stats.as_list())
        rewards = dpo.PairStats.from_list(totals[3:]).means() if prefer else None
        return StepResult(
            loss=rewards["dpo_loss"] if rewards else totals[0] / self.dist.world_size, tokens=int(totals[1]),
            grad_norm=grad_norm if math.isfinite(grad_norm) else None, stop=totals[2] > 0, rewards=rewards,
        )

    def evaluate(self, phase: str) -> dict:
        """Holdout loss (and, for DPO, rewards); each process takes every W-th batch, summed."""
        import torch

        model, mb, dev = self.model, self.eff.micro_batch, self.device.torch_device
        model.eval()
        mine = self.hold_bins[self.dist.rank :: self.dist.world_size]
        batches = [mine[i : i + mb] for i in range(0, len(mine), mb)]
        if self.sharded:  # every forward is collective: each process runs as many, the extra ones discarded
            most = math.ceil(math.ceil(len(self.hold_bins) / self.dist.world_size) / mb)
            batches += [None] * (most - len(batches))
        loss_sum, labels, stats = 0.0, 0, dpo.PairStats()
        with torch.no_grad():
            for bins in batches:
                counted = bins is not None
                bins = bins if counted else self.hold_bins[:1]
                with self.autocast:
                    if self.eff.objective == "dpo":
                        b, _ = dpo.collate_pairs(self.hold_ex, bins, self.pad_id)
                        ref = dpo.reference_logps(model, b, dev)
                        logps, answer_tokens = dpo.sequence_logps(model, b, dev)
                        losses, rc, rr = dpo.pair_losses(logps, ref, answer_tokens, self.eff.dpo_beta,
                                                         self.eff.dpo_loss_type)
                        if counted:
                            stats.add(losses, rc, rr, logps, answer_tokens)
                    else:
                        b = D.collate(self.hold_ex, bins, self.pad_id)
                        out = model(input_ids=b.input_ids.to(dev), position_ids=b.position_ids.to(dev),
                                    labels=b.labels.to(dev), num_items_in_batch=1, use_cache=False)
                        if counted:
                            loss_sum += float(out.loss)  # with num_items_in_batch=1 this is the sum
                            labels += b.label_tokens
        model.train()
        self.check_layout()
        totals = self.dist.sum([loss_sum, labels] + stats.as_list())
        extra: dict = {}
        if self.eff.objective == "dpo":
            extra = dpo.PairStats.from_list(totals[2:]).means()
            loss, labels = extra.pop("chosen_loss"), int(totals[2 + dpo.PairStats.NAMES.index("chosen_tokens")])
        else:
            loss, labels = totals[0] / max(1, totals[1]), int(totals[1])
        result = {"loss": loss, "perplexity": math.exp(min(loss, 700.0)), "tokens": labels} | extra
        self.emit.emit(ev.EvalEvent(step=self.progress.step, phase=phase, eval_loss=loss,
                                    perplexity=result["perplexity"], eval_tokens=labels, **extra))
        return result
