"""Several training processes under `torchrun` or `accelerate launch` (both set WORLD_SIZE,
RANK and LOCAL_RANK): one process per GPU, data-parallel (PyTorch DDP).

Every process reads the data and builds the model; each step's sequences are dealt out
across processes like torch's DistributedSampler (padded to equal shares, rank r takes
every W-th), gradients are averaged by DDP, and small per-step figures (loss sums, token
counts, the cancel flag) are summed with one all_reduce so that every process logs,
stops and evaluates alike. Only rank 0 writes: events on stdout, metrics.jsonl, the run
folder's lock, checkpoints, the adapter and the manifest. Resume reads the checkpoint in
every process, so on several machines the run folder must be on a shared file system.
With `sharding: fsdp` the model is sharded instead (train/sharded.py: PyTorch FSDP2, each
process holds 1/W of it); DeepSpeed is refused with a config error.

`FTWIZARD_TEST_DUMP_RANK_ADAPTER=DIR` is for tests only: at the end of a run every
process writes DIR/rank-R.json with a SHA-256 of its adapter weights and the training
examples it was dealt, so a test can check the ranks agree and shared the data.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ftwizard.base.errors import RunConfigError

DUMP_ENV = "FTWIZARD_TEST_DUMP_RANK_ADAPTER"
# What `accelerate launch` sets for a sharded config (accelerate/utils/launch.py).
SHARDING_ENV = {"ACCELERATE_USE_FSDP": "FSDP", "ACCELERATE_USE_DEEPSPEED": "DeepSpeed"}


@dataclass
class Dist:
    world_size: int = 1
    rank: int = 0
    local_rank: int = 0
    comm_device: object = None
    sharding_asked: str | None = None  # FSDP or DeepSpeed, when the launcher asked for it
    dealt: list[list[int]] | None = None  # bins this rank trained, per step (only for the test dump)
    sharded: bool = False  # the model is FSDP2-sharded (set by the recipe)

    @classmethod
    def from_env(cls, env: dict | None = None) -> Dist:
        env = os.environ if env is None else env
        try:
            world = int(env.get("WORLD_SIZE", "1"))
            rank = int(env.get("RANK", "0"))
            local = int(env.get("LOCAL_RANK", str(rank)))
        except ValueError:
            raise RunConfigError("WORLD_SIZE, RANK and LOCAL_RANK must be whole numbers (set by torchrun)") from None
        if world < 1 or not 0 <= rank < world or local < 0:
            raise RunConfigError(f"RANK {rank} / LOCAL_RANK {local} do not fit WORLD_SIZE {world}")
        asked = next((name for var, name in SHARDING_ENV.items() if env.get(var, "").lower() == "true"), None)
        return cls(world, rank, local, sharding_asked=asked, dealt=[] if env.get(DUMP_ENV) else None)

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def start(self, device_kind: str) -> None:
        """Join the process group: NCCL between GPUs, gloo on CPU."""
        if not self.enabled:
            return
        import torch
        import torch.distributed as dist

        if device_kind == "cuda":
            self.comm_device = torch.device("cuda", self.local_rank)
            if not dist.is_initialized():
                dist.init_process_group("nccl", device_id=self.comm_device)
        else:
            self.comm_device = torch.device("cpu")
            if not dist.is_initialized():
                dist.init_process_group("gloo")

    def stop(self) -> None:
        if self.enabled:
            import torch.distributed as dist

            if dist.is_initialized():
                dist.destroy_process_group()

    def sum(self, values: list[float]) -> list[float]:
        """Element-wise sum over all processes (the values themselves when alone)."""
        if not self.enabled:
            return list(values)
        import torch
        import torch.distributed as dist

        t = torch.tensor(values, dtype=torch.float64, device=self.comm_device)
        dist.all_reduce(t, op=dist.ReduceOp.SUM)
        return t.tolist()

    def any(self, flag: bool) -> bool:
        """True in every process when it is true in one (a cancel seen by any rank)."""
        return self.sum([1.0 if flag else 0.0])[0] > 0 if self.enabled else flag

    def deal(self, chunk: list[int], order: list[int]) -> list[int]:
        """This rank's share of one step's bins: padded from the start of the epoch's order to
        a multiple of the world size (as DistributedSampler pads), then every W-th."""
        if not self.enabled:
            return chunk
        short = -len(chunk) % self.world_size
        padded = chunk + [order[i % len(order)] for i in range(short)]
        return padded[self.rank :: self.world_size]

    def wrap(self, model):
        """DDP over the trainable parameters only: frozen base weights (4-bit or 16-bit) are
        identical in every process already, so they are neither broadcast nor reduced."""
        if not self.enabled:
            return model
        from torch.nn.parallel import DistributedDataParallel as DDP

        frozen = [n for n, p in model.named_parameters() if not p.requires_grad]
        frozen += [n for n, _ in model.named_buffers()]
        DDP._set_params_and_buffers_to_ignore_for_model(model, frozen)
        ids = [self.local_rank] if self.comm_device is not None and self.comm_device.type == "cuda" else None
        return DDP(model, device_ids=ids, find_unused_parameters=False, broadcast_buffers=False)

    def no_sync(self, ddp_model, last: bool):
        """Skip the gradient all_reduce (FSDP: reduce-scatter) on all but the last micro-batch
        of a step."""
        import contextlib

        if self.sharded:
            ddp_model.set_requires_gradient_sync(last)
            return contextlib.nullcontext()
        if not self.enabled or last:
            return contextlib.nullcontext()
        return ddp_model.no_sync()


def adapter_digest(weights: dict) -> str:
    """SHA-256 over an adapter's tensors by name (as saved: adapter_model.safetensors keys)."""
    h = hashlib.sha256()
    for name, t in sorted(weights.items()):
        if hasattr(t, "full_tensor"):  # a shard: gathered whole (every process calls this in the same order)
            t = t.full_tensor()
        h.update(name.encode())
        h.update(t.detach().float().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def dump_rank_adapter(dist: Dist, model, examples_of_bins) -> None:
    """Test-only (DUMP_ENV): this rank's adapter digest and the examples it trained on."""
    folder = os.environ.get(DUMP_ENV)
    if not folder or dist.dealt is None:
        return
    from peft import get_peft_model_state_dict

    record = {"rank": dist.rank, "world_size": dist.world_size,
              "adapter_sha256": adapter_digest(get_peft_model_state_dict(model)),
              "examples_per_step": [examples_of_bins(step) for step in dist.dealt]}
    Path(folder).mkdir(parents=True, exist_ok=True)
    (Path(folder) / f"rank-{dist.rank}.json").write_text(json.dumps(record), encoding="utf-8")
