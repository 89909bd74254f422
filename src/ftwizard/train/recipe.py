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

This file is the recipe itself: `main` (inputs, data, model, resume, the loop, outputs), one
training step and the evaluation. Beside it: run_data.py (rows, bins, each step's share of
the data), run_checkpoint.py (save, digests, resume), run_state.py (the small shared types),
sharded.py (FSDP2), dpo.py (the preference loss), faults.py (out-of-memory ladder, test faults).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import math
import random
import time
from pathlib import Path

from ftwizard import __version__
from ftwizard.base.errors import DatasetError, FtwizardError, RunConfigError
from ftwizard.base.locks import exclusive_lock
from ftwizard.catalog.model_folder import check_weights
from ftwizard.runs import events as ev
from ftwizard.runs.config import RunConfig, write_run_config
from ftwizard.runs.manifest import (
    DatasetInfo,
    EstimateVsMeasured,
    HardwareInfo,
    Manifest,
    Outputs,
    RunMetrics,
    Timings,
)
from ftwizard.runs.outdir import check_output_folder
from ftwizard.train import checkpoint as ckpt
from ftwizard.train import data as D
from ftwizard.train import dpo, sharded
from ftwizard.train.calibrate import record_calibration
from ftwizard.train.device import (
    PeakMemory,
    bitsandbytes_available,
    compute_dtype_name,
    hardware_info,
    library_versions,
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
    next_rung,
    parameter_storages,
)
from ftwizard.train.model import (
    build_model,
    build_optimizer,
    enable_grad_ckpt,
    load_tokenizer,
    lr_at,
)
from ftwizard.train.model_folder import check_model_folder
from ftwizard.train.outputs import (
    digests,
    merge_adapter,
    save_adapter,
    save_full_model,
    utc_now,
    write_manifest,
)
from ftwizard.train.run_checkpoint import Checkpointing
from ftwizard.train.run_data import DataSteps
from ftwizard.train.run_state import CancelFlag, Progress, StepResult, Stop

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


class _Run(DataSteps, Checkpointing):
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
        notes: list[str] = []
        eff = cfg
        if cfg.method == "qlora" and not have_bnb:
            eff = eff.model_copy(update={"method": "lora"})
            notes.append(f"{why_not}: training LoRA on {dtype_name} weights without 4-bit quantisation, which needs more memory")
        if cfg.optimizer != "adamw" and not have_bnb:
            eff = eff.model_copy(update={"optimizer": "adamw"})
            notes.append(f"{why_not}: using PyTorch AdamW (32-bit state) instead of {cfg.optimizer}")
        if cfg.precision == "bf16" and dtype_name == "fp16":
            notes.append(f"{device.name} has no bf16: computing in fp16")
        for n in notes:
            self.emit.emit(ev.WarningEvent(kind="quantisation", message=n))
        if cfg.objective == "dpo" and eff.packing:
            eff = eff.model_copy(update={"packing": False})  # a pair's log-probabilities are per sequence
        if dist.sharding_asked == "DeepSpeed":
            raise RunConfigError("ACCELERATE_USE_DEEPSPEED: this runner does not train under DeepSpeed (a QLoRA base "
                                 "under ZeRO-3 loads whole on every GPU, and adapters save empty unless gathered); "
                                 "launch it with torchrun and sharding fsdp, or use the exported TRL recipe")
        if dist.enabled and dist.sharding_asked == "FSDP" and eff.sharding != "fsdp":
            eff = eff.model_copy(update={"sharding": "fsdp"})
            notes.append("the launcher asked for FSDP: the model is sharded with PyTorch FSDP2 (sharding fsdp)")
            self.emit.emit(ev.WarningEvent(kind="config", message=notes[-1]))
        if eff.sharding == "fsdp" and eff.optimizer != "adamw":
            notes.append(f"sharding fsdp: bitsandbytes' {eff.optimizer} cannot step sharded tensors; "
                         "using PyTorch AdamW (32-bit state, 1/N of it per process)")
            eff = eff.model_copy(update={"optimizer": "adamw"})
            self.emit.emit(ev.WarningEvent(kind="config", message=notes[-1]))
        self.sharded = eff.sharding == "fsdp" and dist.enabled
        dist.sharded = self.sharded
        if dist.enabled and eff.auto_fallback:
            eff = eff.model_copy(update={"auto_fallback": False})
            notes.append("auto_fallback is off with several processes (one process cannot step down alone): "
                         "an out-of-memory stops the run and names the setting to resume with")
            self.emit.emit(ev.WarningEvent(kind="config", message=notes[-1]))
        self.eff = eff
        self.metering = cfg.probe or self.faults.memory_cap_gb is not None

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
        load_s = time.time() - t0

        # ---- 3. model ---------------------------------------------------------------------------
        random.seed(cfg.seed)
        torch.manual_seed(cfg.seed)
        quantise = eff.method == "qlora"
        built = build_model(eff, folder, device, dtype_name, quantise=quantise,
                            on_meta=self.sharded and not dist.is_main and not quantise)
        model = self.model = self.train_model = built.model
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
        adapter_dir = model_out = None
        if status == "done":
            if self.eff.method == "full":
                model_out = self.run_dir / "model"
                save_full_model(model, tokenizer, model_out, state_dict=whole)
            else:
                adapter_dir = self.run_dir / "adapter"
                save_adapter(model, tokenizer, adapter_dir, state_dict=whole)
                if cfg.merge:
                    model_out = self.run_dir / "merged"
                    merge_adapter(cfg, adapter_dir, tokenizer, model_out,
                                  torch.float32 if dtype_name == "fp32" else torch_dtype(dtype_name))
        tokens_per_s = tokens_here / max(compute_s, 1e-9)
        before, after_ = p.eval_before or {}, after or {}
        est = cfg.estimate
        manifest = Manifest(
            status=status, ftwizard_version=__version__, started_at=started_at, finished_at=utc_now(),
            run_config=self.eff, quantisation=built.quantisation, precision=dtype_name, notes=p.notes,
            model_files=digests(folder.files_to_hash()),
            dataset=DatasetInfo(files=data_digests, train_examples=len(train_ex), holdout_examples=len(hold_ex),
                                skipped_rows=skipped, train_tokens=sum(len(e.ids) for e in train_ex),
                                holdout_source="file" if cfg.holdout_path else "split"),
            libraries=library_versions(), hardware=HardwareInfo(**hardware_info(device), processes=dist.world_size),
            timings=Timings(load_s=load_s, eval_s=eval_s, train_s=train_s, total_s=time.time() - t0),
            metrics=RunMetrics(
                steps=p.step, tokens_trained=tokens_here, tokens_per_s=tokens_per_s, peak_mem_gb=mem.peak_gb(),
                mem_kind=mem.kind, first_loss=p.first_loss, last_loss=p.last_loss,
                eval_loss_before=before.get("loss"), perplexity_before=before.get("perplexity"),
                eval_loss_after=after["loss"] if after else None, perplexity_after=after["perplexity"] if after else None,
                reward_margin_before=before.get("reward_margin"), reward_accuracy_before=before.get("reward_accuracy"),
                reward_margin_after=after_.get("reward_margin"), reward_accuracy_after=after_.get("reward_accuracy"),
            ),
            estimate_vs_measured=EstimateVsMeasured(
                predicted_peak_vram_gb=est.peak_vram_gb if est else None, measured_peak_mem_gb=mem.peak_gb(),
                predicted_tokens_per_s=est.tokens_per_s if est else None, measured_tokens_per_s=tokens_per_s,
                source=est.source if est else None,
            ),
            outputs=Outputs(adapter_dir=str(adapter_dir) if adapter_dir else None,
                            model_out_dir=str(model_out) if model_out else None,
                            metrics_path=str(self.run_dir / "metrics.jsonl"),
                            checkpoints=[str(c) for _, c in ckpt.checkpoints(self.run_dir)]),
        )
        manifest_path = write_manifest(self.run_dir, manifest)
        if status == "done" and hold_ex and self.cfg.samples_after_run and not self.sharded:
            from ftwizard.train.samples import samples_after_run

            # Base and tuned answers to holdout prompts (samples.jsonl); never fails the run.
            samples_after_run(self.run_dir, model=self.model, tokenizer=tokenizer)
        if status == "done":
            record_calibration(self, "run", mem, tokens_per_s, self.widest(range(len(self.bins))))
        dist.sum([0.0])  # the other processes wait for these writes
        if status == "cancelled":
            raise self.cancelled()
        self.emit.emit(ev.DoneEvent(
            step=p.step, eval_loss_before=before.get("loss"), perplexity_before=before.get("perplexity"),
            eval_loss_after=after["loss"] if after else None, perplexity_after=after["perplexity"] if after else None,
            adapter_dir=str(adapter_dir) if adapter_dir else None, model_out_dir=str(model_out) if model_out else None,
            manifest_path=str(manifest_path), train_time_s=train_s, tokens_per_s=tokens_per_s,
            peak_mem_gb=mem.peak_gb(), predicted_peak_vram_gb=est.peak_vram_gb if est else None,
            predicted_tokens_per_s=est.tokens_per_s if est else None,
            reward_margin_before=before.get("reward_margin"), reward_accuracy_before=before.get("reward_accuracy"),
            reward_margin_after=after_.get("reward_margin"), reward_accuracy_after=after_.get("reward_accuracy"),
        ))
        return ev.EXIT_OK

    def cancelled(self) -> Stop:
        return Stop("cancelled", f"cancelled at step {self.progress.step} of {self.total_steps}",
                    "resume continues from this checkpoint with the same data order", ev.EXIT_CANCELLED)

    # ---- helpers, in the order the recipe uses them -------------------------------------------------
    def prepare_run_folder(self) -> None:
        """Rank 0: a new (or resumed) folder, locked for the whole run, with no links in it."""
        cfg = self.cfg
        # Someone's manifest, adapter or metrics, or a finished run: refused, naming --resume or a new folder.
        check_output_folder(self.run_dir, cfg.resume)
        try:
            # 0700: adapters and checkpoints carry what the data taught the model.
            self.run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            if is_disk_full(exc):
                raise
            raise RunConfigError(f"{self.run_dir}: cannot create the run folder ({exc.strerror})") from None
        # One process per run folder: a second runner (or a resume) on it stops with LockedError.
        self.held.enter_context(exclusive_lock(self.run_dir, timeout_s=0))
        for entry in self.run_dir.iterdir():  # a planted link would send our writes out of the folder
            if entry.is_symlink():
                raise RunConfigError(f"{entry}: a symbolic link in the run folder; outputs must stay in {self.run_dir}")
        self.emit.attach_metrics(self.run_dir / "metrics.jsonl")
        write_run_config(self.run_dir / "run_config.json", cfg)

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












