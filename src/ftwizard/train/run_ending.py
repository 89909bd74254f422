"""The end of a run: save the adapter or the full weights (and the merge when asked), write
the manifest (what ran, on what, with which data and libraries, the figures beside the
estimate), the samples of base vs tuned answers, the calibration record, and the `done`
event. Part of the recipe (recipe.py); only rank 0 gets here."""

from __future__ import annotations

import time

from ftwizard import __version__
from ftwizard.runs import events as ev
from ftwizard.runs.manifest import (
    DatasetInfo,
    EstimateVsMeasured,
    HardwareInfo,
    Manifest,
    Outputs,
    RunMetrics,
    Timings,
)
from ftwizard.train import checkpoint as ckpt
from ftwizard.train.calibrate import record_calibration
from ftwizard.train.device import hardware_info, library_versions, torch_dtype
from ftwizard.train.outputs import (
    digests,
    merge_adapter,
    save_adapter,
    save_full_model,
    utc_now,
    write_manifest,
)


class RunEnding:
    """Mixin of the recipe's run (recipe._Run): what a finished or cancelled run leaves."""

    def finish(self, status: str, after: dict | None, mem, tokens_here: int, compute_s: float, whole) -> int:
        import torch

        cfg, dist, p, tm = self.cfg, self.dist, self.progress, self.timing
        model, tokenizer, built, dtype_name = self.model, self.tokenizer, self.built, self.dtype_name
        train_ex, hold_ex, skipped = self.train_ex, self.hold_ex, self.skipped
        device, folder, data_digests = self.device, self.folder, self.data_digests
        started_at, t0, load_s, eval_s, train_s = tm.started_at, tm.t0, tm.load_s, tm.eval_s, tm.train_s
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
