"""The recipe's checkpoints (a part of train/recipe.py's _Run): save (files, or sharded with
torch.distributed.checkpoint), the state digests and the DPO reference probe that resume
verifies, the 4-bit layout checks, and resume itself (the newest checkpoint whose files match
their SHA-256, restored in full and compared part by part before the next step)."""

from __future__ import annotations

import json
import random
from dataclasses import asdict
from pathlib import Path

from ftwizard.base.errors import DatasetError, RunConfigError
from ftwizard.runs import events as ev
from ftwizard.train import checkpoint as ckpt
from ftwizard.train import dpo, sharded
from ftwizard.train.faults import is_disk_full
from ftwizard.train.model import GRAD_CHECK_RTOL, check_4bit_gradients, repacked_4bit_layers
from ftwizard.train.run_state import Stop, saved_global_batch
from ftwizard.train.state_digest import (
    differing,
    digest_tree,
    reference_differs,
    rng_state,
    state_digests,
)


class Checkpointing:
    # ---- checkpoints ------------------------------------------------------------------------------
    def save(self) -> None:
        """Rank 0 writes the checkpoint (every process holds the same weights and optimizer);
        sharding fsdp: every process writes its shards (save_sharded)."""
        import torch

        dcp_format = self.eff.sharding == "fsdp"
        if not self.dist.is_main and not dcp_format:
            return
        p = self.progress
        state = asdict(p) | {
            "micro_batch": self.eff.micro_batch, "grad_accum": self.eff.grad_accum, "seq_len": self.eff.seq_len,
            "packing": self.eff.packing, "optimizer": self.eff.optimizer, "grad_ckpt": self.eff.grad_ckpt,
            "method": self.eff.method, "data_order_epoch": self.order_epoch, "data_order": self.order,
            "objective": self.eff.objective, "processes": self.dist.world_size,
            "digests": self.digests(), "reference_logps": self.reference_probe(),
            "format": "dcp" if dcp_format else "files",
        }
        if dcp_format:
            self.save_sharded(state)
            return

        def write(folder: Path) -> None:
            import safetensors.torch as st

            if self.eff.method == "full":
                st.save_model(self.model, str(folder / "model.safetensors"))
            else:
                from peft import get_peft_model_state_dict

                weights = {k: v.detach().contiguous().cpu() for k, v in get_peft_model_state_dict(self.model).items()}
                st.save_file(weights, str(folder / "adapter.safetensors"))
            torch.save(self.optimizer.state_dict(), folder / "optimizer.pt")
            torch.save(rng_state(self.device.kind), folder / "rng.pt")
            (folder / "state.json").write_text(json.dumps(state), encoding="utf-8")

        self.seal(write)

    def seal(self, write, prewritten: bool = False) -> None:
        """Rank 0: finish checkpoint-N (write, seal, rename), prune, tell."""
        p = self.progress
        try:
            final = ckpt.save_checkpoint(self.run_dir, p.step, write, before_seal=self.faults.before_seal,
                                         prewritten=prewritten)
        except Exception as exc:
            if is_disk_full(exc):
                raise Stop(**self.disk_full_args(f"checkpoint-{p.step}")) from None
            raise
        self.last_ckpt = str(final)
        ckpt.prune(self.run_dir, self.eff.keep_checkpoints)
        self.emit.emit(ev.CheckpointEvent(step=p.step, path=str(final), size_mb=round(ckpt.folder_size_mb(final), 3)))
        if not Path(self.cfg.data_path).is_file():
            raise DatasetError(f"{self.cfg.data_path}: the data file vanished during the run; "
                               f"checkpoint-{p.step} is complete, put the file back and resume")

    def save_sharded(self, state: dict) -> None:
        """Every process writes its shards with torch.distributed.checkpoint and its random
        state into checkpoint-N.tmp; rank 0 then writes state.json and seals the folder."""
        import torch

        step, main = self.progress.step, self.dist.is_main
        tmp = self.run_dir / f"checkpoint-{step}.tmp"
        try:
            if main:
                ckpt.fresh_folder(tmp)
            self.dist.sum([0.0])  # the folder exists for everyone
            sharded.save_state(self.model, self.optimizer, tmp)
            torch.save(rng_state(self.device.kind), tmp / f"rng-{self.dist.rank}.pt")
        except Exception as exc:
            if is_disk_full(exc):
                raise Stop(**self.disk_full_args(f"checkpoint-{step}")) from None
            raise
        self.dist.sum([0.0])  # every shard is written
        if not main:
            return

        def write(folder: Path) -> None:
            (folder / "state.json").write_text(json.dumps(state), encoding="utf-8")

        self.seal(write, prewritten=True)

    def digests(self) -> dict[str, str]:
        """What decides the run's future, as one SHA-256 per part (train/state_digest.py).
        Sharding fsdp: the trainable weights and optimizer state are gathered whole (every
        process takes part), so the digests do not depend on the number of processes; the
        frozen base is not digested there."""
        eff, p = self.eff, self.progress
        schedule = {"step": p.step, "total_steps": self.total_steps, "learning_rate": eff.learning_rate,
                    "warmup_fraction": eff.warmup_fraction, "lr_schedule": eff.lr_schedule,
                    "global_batch": self.per_step * self.dist.world_size, "max_grad_norm": eff.max_grad_norm}
        data = {"step": p.step, "order_epoch": self.order_epoch, "order": self.order, "data_sha256": p.data_sha256,
                "seq_len": eff.seq_len, "packing": eff.packing}
        if eff.sharding == "fsdp":
            weights = sharded.full_trainable_state(self.model)
            moments = sharded.full_optimizer_state(self.model, self.optimizer)
            return {"trainable": digest_tree(weights), "optimizer": digest_tree(moments),
                    "schedule": digest_tree(schedule), "rng": digest_tree(rng_state(self.device.kind)),
                    "data": digest_tree(data)}
        return state_digests(model=self.model, optimizer=self.optimizer, schedule=schedule, data=data,
                             device_kind=self.device.kind)

    def reference_probe(self) -> list[float] | None:
        """DPO: the reference (base, adapter off) log-probabilities of the first pairs, in eval
        mode, the random state left as it was; None for supervised runs."""
        import torch

        if self.eff.objective != "dpo" or not self.train_ex:
            return None
        rng = torch.get_rng_state()
        was_training = self.model.training
        self.model.eval()
        try:
            b, _ = dpo.collate_pairs(self.train_ex, [[i] for i in range(min(2, len(self.train_ex)))], self.pad_id)
            with self.autocast:
                ref = dpo.reference_logps(self.model, b, self.device.torch_device)
        finally:
            self.model.train(was_training)
            torch.set_rng_state(rng)
        self.check_layout()
        return [float(x) for x in ref]

    def check_4bit(self, model, dtype_name: str) -> None:
        """Refuse to train through 4-bit layers whose gradients this machine computes wrongly."""
        errors = check_4bit_gradients(model)
        tol = GRAD_CHECK_RTOL[dtype_name]
        if errors is not None and max(errors) > tol:
            raise RunConfigError(
                f"$.method: the 4-bit (QLoRA) layers on this {self.device.name} give outputs and gradients that differ "
                f"from the dequantised reference (relative error {errors[0]:.2g} forward, {errors[1]:.2g} gradient; "
                f"allowed {tol:g}): training would silently learn the wrong thing; use method lora, or another "
                "bitsandbytes build (`ftwizard doctor` lists the installed one)")

    def check_layout(self) -> None:
        """Stop before training on weights bitsandbytes has repacked for CPU inference."""
        moved = repacked_4bit_layers(self.model)
        if moved:
            raise Stop("internal", f"bitsandbytes switched {len(moved)} 4-bit layers (first: {moved[0]}) to its CPU "
                       "inference layout; training on it would lose gradients",
                       "report this with `ftwizard doctor --json`; training LoRA without 4-bit (method lora) avoids it",
                       ev.EXIT_INTERNAL)

    def disk_full_args(self, what: str) -> dict:
        latest = ckpt.latest_checkpoint(self.run_dir)
        keep = f"the last complete checkpoint is {latest.name}" if latest else "no checkpoint was completed"
        return {"kind": "disk", "message": f"no space left on the disk of {self.run_dir} while writing {what}",
                "suggestion": f"free some space and resume; {keep}"}

    def disk_full_event(self, what: str) -> ev.ErrorEvent:
        return ev.ErrorEvent(step=self.progress.step, checkpoint=self.last_ckpt, **self.disk_full_args(what))

    def resume(self) -> int | None:
        for gone in ckpt.remove_incomplete(self.run_dir) if self.dist.is_main else []:
            self.emit.emit(ev.WarningEvent(kind="resume", message=f"removed half-written {gone.name}"))
        for bad in ckpt.incomplete_checkpoints(self.run_dir):
            self.emit.emit(ev.WarningEvent(kind="resume", message=f"skipped damaged {bad.name}"))
        found = self.read_checkpoint()
        if found is None:
            self.emit.emit(ev.WarningEvent(kind="resume", message="no complete checkpoint yet: starting from step 0"))
            return None
        folder, state, files = found
        if state["data_sha256"] != self.progress.data_sha256:
            raise DatasetError(f"{self.cfg.data_path}: the data changed since {folder.name} (SHA-256 differs); "
                               "resume needs the same data, or start a new run folder")
        if state["method"] != self.eff.method:
            raise RunConfigError(f"{folder}: was trained with method {state['method']}, not {self.eff.method}")
        if state.get("objective", "sft") != self.eff.objective:
            raise RunConfigError(f"{folder}: was trained with objective {state.get('objective', 'sft')}, "
                                 f"not {self.eff.objective}")
        forget = self.faults.forget  # test-only: leave a part out to prove the digests catch it
        same_optimizer = state["optimizer"] == self.eff.optimizer
        if "trainable" in forget:
            pass
        elif state.get("format") == "dcp":  # every process reads its shards, at any process count
            sharded.load_state(self.model, self.optimizer, folder, with_optimizer=same_optimizer and "optimizer" not in forget)
        elif self.eff.method == "full":
            self.model.load_state_dict(files["weights"], strict=False)
        else:
            from peft import set_peft_model_state_dict

            set_peft_model_state_dict(self.model, files["weights"])
        if state["optimizer"] != self.eff.optimizer:
            self.emit.emit(ev.WarningEvent(kind="resume", message=f"optimizer changed from {state['optimizer']}: its state restarts"))
        elif "optimizer" not in forget and "optimizer" in files:
            self.optimizer.load_state_dict(files["optimizer"])
        import torch

        rng = files["rng"]
        if "rng" not in forget:
            random.setstate(rng["python"])
            torch.set_rng_state(rng["torch"])
            if "cuda" in rng and self.device.kind == "cuda":
                torch.cuda.set_rng_state_all(rng["cuda"])
        if "base" in forget:
            with torch.no_grad():
                next(p for p in self.model.parameters() if not p.requires_grad and p.is_floating_point()).mul_(1.001)
        for k in ("step", "tokens", "train_s", "first_loss", "last_loss", "eval_before", "notes"):
            setattr(self.progress, k, state[k])
        # The same data per step (sequence settings and global batch; the number of processes
        # may differ): the epoch's order and position carry on.
        if (state["seq_len"], state["packing"]) == (self.eff.seq_len, self.eff.packing) and \
                saved_global_batch(state) == self.per_step * self.dist.world_size and \
                state["data_order_epoch"] >= 0 and "data" not in forget:
            self.order_epoch, self.order = state["data_order_epoch"], state["data_order"]
        else:
            self.emit.emit(ev.WarningEvent(kind="resume", message="sequence or batch settings changed: the rest of this epoch follows a new order"))
        if not self.eff.grad_ckpt and state["grad_ckpt"]:
            self.emit.emit(ev.WarningEvent(kind="resume", message="gradient checkpointing was on in the checkpoint and is off now"))
        self.last_ckpt = str(folder)
        self.verify_restored(folder, state)
        return self.progress.step

    def read_checkpoint(self) -> tuple[Path, dict, dict] | None:
        """The newest checkpoint whose files all match their SHA-256 and load, read into memory
        (state, weights, optimizer, random state); a damaged one is named and the one before
        it is tried."""
        import safetensors.torch as st

        weights = "model.safetensors" if self.eff.method == "full" else "adapter.safetensors"
        for _, folder in reversed(ckpt.checkpoints(self.run_dir)):
            bad = ckpt.damaged_file(folder)
            try:
                if bad is not None:
                    raise ckpt.DamagedCheckpoint(folder / bad, "its content no longer matches the SHA-256 recorded when it was saved")
                state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
                written = state.get("format", "files")
                wanted = "dcp" if self.eff.sharding == "fsdp" else "files"
                if written != wanted:
                    raise RunConfigError(
                        f"{folder}: was written {'with' if written == 'dcp' else 'without'} sharding; resume it with "
                        f"sharding {'fsdp' if written == 'dcp' else 'none'} (any number of processes)")
                if written == "dcp":  # the shards are read by sharded.load_state, after this choice
                    mine = folder / f"rng-{self.dist.rank}.pt"
                    files = {"rng": ckpt.load_torch_file(mine if mine.exists() else folder / "rng-0.pt")}
                    return folder, state, files
                try:
                    tensors = st.load_file(str(folder / weights), device=str(self.device.torch_device))
                except Exception as exc:  # safetensors raises its own error type
                    raise ckpt.DamagedCheckpoint(folder / weights, f"{type(exc).__name__}: {str(exc)[:120]}") from None
                files = {"weights": tensors, "rng": ckpt.load_torch_file(folder / "rng.pt")}
                if state["optimizer"] == self.eff.optimizer:
                    files["optimizer"] = ckpt.load_torch_file(folder / "optimizer.pt")
            except (ckpt.DamagedCheckpoint, OSError, ValueError, KeyError) as exc:
                what = str(exc) if isinstance(exc, ckpt.DamagedCheckpoint) else f"{folder / 'state.json'}: {exc}"
                self.emit.emit(ev.WarningEvent(kind="resume", message=f"skipped {folder.name}: {what}"))
                continue
            return folder, state, files
        return None

    def verify_restored(self, folder: Path, state: dict) -> None:
        """Compare what resume restored with what the checkpoint saved, before any step."""
        saved = state.get("digests")
        if not saved:
            self.resume_check = None  # a checkpoint from before digests were recorded
            return
        restored = self.digests()
        skip = set()
        if state["optimizer"] != self.eff.optimizer:
            skip.add("optimizer")  # restarted on purpose, said above
        if (saved_global_batch(state), state["seq_len"]) != (self.per_step * self.dist.world_size, self.eff.seq_len):
            skip |= {"schedule", "data"}  # the user resumed with other settings, said above
        differ = differing(saved, restored, skip)
        if reference_differs(state.get("reference_logps"), self.reference_probe()):
            differ.append("reference")
        self.resume_check = {"checkpoint": folder.name, "digests": restored, "differ": differ}
        if differ:
            self.emit.emit(ev.WarningEvent(
                kind="resume", message=f"{folder.name}: the restored {', '.join(differ)} state differs from what was "
                "saved; the run continues, but not exactly as it would have without the interruption"))
