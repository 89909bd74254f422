"""The runner's set-up before any data or weights: the run folder (new or resumed, locked,
free of links) and the effective configuration (what this machine and launcher can do: QLoRA
without bitsandbytes becomes LoRA, sharded runs use torch AdamW, and so on), each change
announced as a warning event and kept in the run's notes. Part of the recipe (recipe.py)."""

from __future__ import annotations

from ftwizard.base.errors import RunConfigError
from ftwizard.base.locks import exclusive_lock
from ftwizard.runs import events as ev
from ftwizard.runs.config import write_run_config
from ftwizard.runs.outdir import check_output_folder
from ftwizard.train.faults import is_disk_full


class RunSetup:
    """Mixin of the recipe's run (recipe._Run): the steps before the data."""

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

    def effective_config(self, device, dtype_name: str, have_bnb: bool, why_not: str) -> list[str]:
        """Set self.eff (the configuration this run really trains with), self.sharded and
        self.metering; return the notes that say what changed and why."""
        cfg, dist = self.cfg, self.dist
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
        return notes
