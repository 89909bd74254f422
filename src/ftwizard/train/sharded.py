"""Sharded training with PyTorch's own FSDP2 (`torch.distributed.fsdp.fully_shard`), for a
run whose config says `sharding: fsdp` and that runs as several processes (torchrun).

Each decoder layer (the model's `_no_split_modules` classes) and the root are sharded: every
process keeps 1/W of every parameter, gathers a layer's weights for its forward and backward
and frees them after, and reduce-scatters gradients (averaged over processes, in fp32).
The optimizer is built after sharding, over the local shards.

Loading: for LoRA and full fine-tuning rank 0 reads the weights on the CPU while the others
build the model on the `meta` device (no memory); after sharding the others allocate their
shards and rank 0's full state dict is broadcast into them
(`set_model_state_dict(full_state_dict=True, broadcast_from_rank0=True)`), non-persistent
buffers (rotary `inv_freq`) too, which a state dict leaves out. A 4-bit (QLoRA) base cannot
be built on `meta`: every rank loads it whole (with `bnb_4bit_quant_storage` = the compute
dtype, so the packed weights shard like any tensor), then shards it; the load peak is the
whole 4-bit model per GPU for a moment.

Checkpoints are written by every process with `torch.distributed.checkpoint` (trainable
weights and optimizer state, frozen weights left out) into `checkpoint-N.tmp/dcp/`; rank 0
then writes the state, each rank its random state, and seals the folder. They reload at any
process count, one process included. The final adapter (or full model) is gathered with
`get_model_state_dict(full_state_dict=True, cpu_offload=True)`, which every process must
call, and rank 0 writes it.

bitsandbytes' 8-bit optimizers cannot step DTensors: a sharded run uses torch AdamW and says so.
"""

from __future__ import annotations

from pathlib import Path

DCP_DIR = "dcp"

# The oldest releases the sharded path works with (pyproject.toml's floors say the same):
# torch 2.6 made FSDP2's `fully_shard` public in torch.distributed.fsdp; bitsandbytes 0.45
# stores 4-bit weights in the compute dtype (bnb_4bit_quant_storage), which FSDP needs to
# shard a QLoRA base (accelerate #3983: uint8 storage crashes or trains wrongly).
TORCH_FLOOR = "2.6"
BITSANDBYTES_FLOOR = "0.45"


def check_floors(torch_version: str, bitsandbytes_version: str | None, quantised: bool) -> None:
    """RunConfigError naming the library, its version and the floor when the installed stack
    is too old to shard; called before the model is built."""
    from packaging.version import Version

    from ftwizard.base.errors import RunConfigError

    def older(version: str, floor: str) -> bool:
        return Version(version.split("+")[0]).release < Version(floor).release

    if older(torch_version, TORCH_FLOOR):
        raise RunConfigError(f"$.sharding: torch {torch_version} has no public FSDP2 (fully_shard); sharding needs "
                             f"torch >= {TORCH_FLOOR}: upgrade the training runtime or train with sharding none")
    if quantised and bitsandbytes_version is not None and older(bitsandbytes_version, BITSANDBYTES_FLOOR):
        raise RunConfigError(f"$.sharding: bitsandbytes {bitsandbytes_version} cannot store 4-bit weights in the "
                             f"compute dtype, which sharding QLoRA needs (bitsandbytes >= {BITSANDBYTES_FLOOR}): "
                             "upgrade it, or shard LoRA instead")


def is_sharded_tensor(t) -> bool:
    return hasattr(t, "full_tensor") and hasattr(t, "to_local")


def local_param_fraction(model) -> float:
    """Parameters this process holds / all parameters (1.0 when nothing is sharded)."""
    total = local = 0
    for p in model.parameters():
        total += p.numel()
        local += p.to_local().numel() if is_sharded_tensor(p) else p.numel()
    return local / total if total else 1.0


def layer_classes(model) -> tuple[type, ...]:
    """The decoder-layer classes to shard one by one (transformers' `_no_split_modules`)."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    names = set(getattr(base, "_no_split_modules", None) or ())
    classes = {type(m) for m in model.modules() if type(m).__name__ in names}
    if not classes:
        from ftwizard.base.errors import RunConfigError

        raise RunConfigError(f"$.sharding: {type(base).__name__} names no decoder-layer class (_no_split_modules) "
                             "to shard; train it with sharding none")
    return tuple(classes)


def shard(model, compute_dtype, cpu_offload: bool) -> None:
    """fully_shard every decoder layer, then the root (in place)."""
    import torch
    from torch.distributed.fsdp import CPUOffloadPolicy, MixedPrecisionPolicy, fully_shard

    kwargs = {"mp_policy": MixedPrecisionPolicy(param_dtype=compute_dtype, reduce_dtype=torch.float32)}
    if cpu_offload:
        kwargs["offload_policy"] = CPUOffloadPolicy()
    classes = layer_classes(model)
    for m in list(model.modules()):
        if isinstance(m, classes):
            fully_shard(m, **kwargs)
    fully_shard(model, **kwargs)


def materialise_from_rank0(model, full_state: dict | None, device, is_main: bool) -> None:
    """Ranks that built on `meta` allocate their shards; rank 0's weights and buffers are
    broadcast into every rank."""
    import torch
    import torch.distributed as dist
    from torch.distributed.checkpoint.state_dict import StateDictOptions, set_model_state_dict

    if not is_main:
        model.to_empty(device=device)
    set_model_state_dict(model, full_state if is_main else {},
                         options=StateDictOptions(full_state_dict=True, broadcast_from_rank0=True))
    with torch.no_grad():
        for _, buf in model.named_buffers():  # non-persistent ones (rotary inv_freq) are in no state dict
            dist.broadcast(buf, src=0)


def _options(**kw):
    from torch.distributed.checkpoint.state_dict import StateDictOptions

    return StateDictOptions(ignore_frozen_params=True, **kw)


def _trainable_only(model, state: dict) -> dict:
    """Only the weights the optimizer updates: a 4-bit layer's state dict also carries its
    quantisation constants (absmax, quant_map...), frozen, which FSDP's own state dict leaves
    out; keeping them would make one- and several-process checkpoints disagree."""
    names = {n for n, p in model.named_parameters() if p.requires_grad}
    return {k: v for k, v in state.items() if k in names}


def save_state(model, optimizer, folder: Path) -> None:
    """Every process: trainable weights and optimizer state into folder/dcp (collective
    when a process group is up; alone otherwise)."""
    import torch.distributed.checkpoint as dcp
    from torch.distributed.checkpoint.state_dict import get_state_dict

    msd, osd = get_state_dict(model, optimizer, options=_options())
    dcp.save({"model": _trainable_only(model, msd), "optim": osd}, checkpoint_id=str(folder / DCP_DIR))


def load_state(model, optimizer, folder: Path, with_optimizer: bool) -> None:
    """Every process: the checkpoint's trainable weights (and optimizer state) into this
    process's model, whatever the number of processes that wrote it."""
    import torch.distributed.checkpoint as dcp
    from torch.distributed.checkpoint.state_dict import get_state_dict, set_state_dict

    msd, osd = get_state_dict(model, optimizer, options=_options())
    msd = _trainable_only(model, msd)
    state = {"model": msd, "optim": osd} if with_optimizer else {"model": msd}
    dcp.load(state, checkpoint_id=str(folder / DCP_DIR))
    set_state_dict(model, optimizer, model_state_dict=state["model"], optim_state_dict=state.get("optim", {}),
                   options=_options(strict=False))


def full_trainable_state(model) -> dict:
    """The trainable weights whole, on the CPU, in rank 0 (empty elsewhere). Collective."""
    from torch.distributed.checkpoint.state_dict import get_model_state_dict

    return _trainable_only(model, get_model_state_dict(model, options=_options(full_state_dict=True, cpu_offload=True)))


def full_model_state(model) -> dict:
    """Every weight whole, on the CPU, in rank 0 (a full fine-tune's output). Collective."""
    from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict

    return get_model_state_dict(model, options=StateDictOptions(full_state_dict=True, cpu_offload=True))


def full_optimizer_state(model, optimizer) -> dict:
    """The optimizer state whole, on the CPU, in rank 0. Collective."""
    from torch.distributed.checkpoint.state_dict import get_optimizer_state_dict

    return get_optimizer_state_dict(model, optimizer, options=_options(full_state_dict=True, cpu_offload=True))
