"""Build what the recipe trains: tokenizer, base model (4-bit NF4 for QLoRA), LoRA adapter,
optimizer and learning-rate schedule. Every load is local and offline."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ftwizard.base.errors import RunConfigError
from ftwizard.runs.config import RunConfig
from ftwizard.train.device import Device, torch_dtype
from ftwizard.train.model_folder import ModelFolder


@dataclass
class BuiltModel:
    model: object
    quantisation: str
    total_params: int
    trainable_params: int
    notes: list[str] = field(default_factory=list)


def load_tokenizer(folder: ModelFolder, cfg: RunConfig):
    from transformers import AutoTokenizer

    try:
        tok = AutoTokenizer.from_pretrained(
            folder.path, local_files_only=True, trust_remote_code=cfg.trust_remote_code
        )
    except (OSError, ValueError) as exc:
        raise RunConfigError(f"{folder.path}: the tokenizer cannot be loaded ({type(exc).__name__}: {str(exc)[:200]})") from None
    if tok.pad_token_id is None:
        # Padding never reaches the loss (labels are masked), so any id will do.
        tok.pad_token = tok.eos_token if tok.eos_token is not None else tok.convert_ids_to_tokens(0)
    return tok


def _lora_targets(cfg: RunConfig):
    return "all-linear" if cfg.lora_targets == ["all-linear"] else list(cfg.lora_targets)


def build_model(cfg: RunConfig, folder: ModelFolder, device: Device, dtype_name: str, quantise: bool,
                on_meta: bool = False) -> BuiltModel:
    """The model to train. `on_meta`: build it without weights (a sharded run's other ranks,
    which receive theirs from rank 0: train/sharded.py)."""
    import torch
    from transformers import AutoModelForCausalLM

    dtype = torch_dtype(dtype_name)
    kwargs: dict = {
        "local_files_only": True,
        "trust_remote_code": cfg.trust_remote_code,
        "use_safetensors": folder.weights_format == "safetensors",
    }
    if quantise:
        from transformers import BitsAndBytesConfig

        # QLoRA paper §3: NF4 storage, double quantisation of the constants, 16-bit compute.
        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=dtype,
            # Sharded: packed weights stored as the compute dtype shard like any tensor (uint8
            # storage breaks FSDP's flat gradients: accelerate #3983).
            **({"bnb_4bit_quant_storage": dtype} if cfg.sharding == "fsdp" else {}),
        )
        # One whole copy per process: under DDP each rank's 4-bit base sits on its own GPU.
        kwargs["device_map"] = {"": device.index if device.kind == "cuda" else device.kind}
        kwargs["dtype"] = dtype
    else:
        # A full fine-tune keeps fp32 master weights (16-bit compute comes from autocast).
        kwargs["dtype"] = torch.float32 if cfg.method == "full" else dtype
    try:
        if on_meta and not quantise:
            from transformers import AutoConfig

            config = AutoConfig.from_pretrained(folder.path, local_files_only=True,
                                                trust_remote_code=cfg.trust_remote_code)
            with torch.device("meta"):
                model = AutoModelForCausalLM.from_config(config, dtype=kwargs["dtype"],
                                                         trust_remote_code=cfg.trust_remote_code)
        else:
            model = AutoModelForCausalLM.from_pretrained(folder.path, **kwargs)
    except (OSError, ValueError, KeyError) as exc:
        raise RunConfigError(f"{folder.path}: the model cannot be loaded ({type(exc).__name__}: {str(exc)[:300]})") from None
    model.config.use_cache = False  # the KV cache only helps generation
    if quantise:
        pin_4bit_layout(model)
    elif not on_meta:
        model.to(device.torch_device)

    ckpt_kwargs = {"use_reentrant": False}
    if quantise:
        from peft import prepare_model_for_kbit_training

        # Casts norms and embeddings to fp32 for stable training (the QLoRA reference recipe).
        model = prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=cfg.grad_ckpt, gradient_checkpointing_kwargs=ckpt_kwargs
        )
    elif cfg.grad_ckpt:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=ckpt_kwargs)

    if cfg.method in ("qlora", "lora"):
        from peft import LoraConfig, get_peft_model

        lora = LoraConfig(
            r=cfg.lora_r,
            lora_alpha=cfg.lora_alpha,
            lora_dropout=cfg.lora_dropout,
            target_modules=_lora_targets(cfg),
            task_type="CAUSAL_LM",
            bias="none",
        )
        try:
            model = get_peft_model(model, lora)
        except ValueError as exc:
            linear = sorted({n.rsplit(".", 1)[-1] for n, m in model.named_modules()
                             if isinstance(m, torch.nn.Linear) or "Linear" in type(m).__name__})
            raise RunConfigError(
                f"$.lora_targets: {', '.join(cfg.lora_targets)} not found in this model "
                f"(its linear layers: {', '.join(linear)}) [{str(exc)[:120]}]"
            ) from None
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    quant = "nf4 (double quantisation)" if quantise else "none"
    return BuiltModel(model, quant, total, trainable)


def pin_4bit_layout(model) -> int:
    """Keep every bitsandbytes 4-bit layer in the one layout that training uses.

    On a CPU with AVX-512-BF16, bitsandbytes' `Linear4bit.forward` repacks the layer's weight
    in place the first time it runs in eval mode without gradients (a holdout evaluation):
    the NF4 data is reordered, the double-quantised constants become bf16 and
    `quant_state.packing_format_for_cpu` turns on. From then on every forward of that layer,
    in training too, goes through `gemv_4bit`, which has no autograd kernel: the gradient
    through the frozen base layer is silently lost, and a run evaluated at other moments (a
    resumed run skips the first evaluation) computes something else. Other CPUs and CUDA
    never take that path. Turning the repack off keeps one layout and exact gradients on
    every machine; it costs the inference-only speed-up, which a training run does not need.
    Returns how many layers were pinned.
    """
    n = 0
    for m in model.modules():
        if hasattr(m, "support_avx512bf16_for_cpu"):
            m.support_avx512bf16_for_cpu = False
            n += 1
    return n


def repacked_4bit_layers(model) -> list[str]:
    """Names of 4-bit layers whose weight is in bitsandbytes' CPU inference layout (should be none)."""
    out = []
    for name, m in model.named_modules():
        qs = getattr(getattr(m, "weight", None), "quant_state", None)
        if qs is not None and getattr(qs, "packing_format_for_cpu", False):
            out.append(name)
    return out


GRAD_CHECK_RTOL = {"fp32": 1e-4, "bf16": 3e-2, "fp16": 1e-2}


def check_4bit_gradients(model) -> tuple[float, float] | None:
    """(forward, input-gradient) relative error of one 4-bit layer against the same layer
    dequantised to fp32 and multiplied by hand; None when the model has no 4-bit layer.

    The gradient of a LoRA adapter below a frozen 4-bit layer flows through that layer's
    backward; a kernel that drops or bends it trains the wrong thing silently. The inputs
    come from a private generator, so the run's random state is untouched.
    """
    import bitsandbytes as bnb
    import bitsandbytes.functional as bnbf
    import torch

    # bitsandbytes' own layer, not PEFT's wrapper around it (whose output adds the adapter).
    layer = next((m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)), None)
    if layer is None:
        return None

    w = layer.weight
    ref_w = bnbf.dequantize_4bit(w.data, w.quant_state).to(torch.float32)
    dtype = layer.compute_dtype or torch.float32
    gen = torch.Generator().manual_seed(1234)
    x = torch.randn(4, ref_w.shape[1], generator=gen)
    gy = torch.randn(4, ref_w.shape[0], generator=gen)
    x_q = x.to(w.device, dtype).requires_grad_(True)
    y_q = layer(x_q)
    y_q.backward(gy.to(y_q.device, y_q.dtype))
    x_r = x_q.detach().to(torch.float32).requires_grad_(True)
    y_r = x_r @ ref_w.t()
    if layer.bias is not None:
        y_r = y_r + layer.bias.detach().to(torch.float32)
    y_r.backward(gy.to(y_r.device))

    def rel(a, b) -> float:
        a, b = a.detach().float(), b.detach().float()
        return float((a - b).abs().max() / b.abs().max().clamp(min=1e-12))

    return rel(y_q, y_r), rel(x_q.grad, x_r.grad)


def enable_grad_ckpt(model) -> None:
    """Turned on mid-run by the out-of-memory ladder."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    base.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    if hasattr(base, "enable_input_require_grads"):
        base.enable_input_require_grads()


def build_optimizer(model, cfg: RunConfig, have_bnb: bool):
    import torch

    params = [p for p in model.parameters() if p.requires_grad]
    kwargs = {"lr": cfg.learning_rate, "weight_decay": cfg.weight_decay, "betas": (0.9, 0.999)}
    if cfg.optimizer == "adamw" or not have_bnb:
        return torch.optim.AdamW(params, **kwargs)
    import bitsandbytes as bnb

    cls = {
        "paged_adamw_8bit": bnb.optim.PagedAdamW8bit,
        "adamw_8bit": bnb.optim.AdamW8bit,
        "paged_adamw_32bit": bnb.optim.PagedAdamW32bit,
    }[cfg.optimizer]
    return cls(params, **kwargs)


def lr_at(step: int, total_steps: int, cfg: RunConfig) -> float:
    """Learning rate for 0-based `step`: linear warm-up, then cosine (Loshchilov & Hutter,
    SGDR, 2017) or linear decay to zero, as transformers' get_*_schedule_with_warmup."""
    warm = math.ceil(cfg.warmup_fraction * total_steps)
    if step < warm:
        return cfg.learning_rate * (step + 1) / warm
    if cfg.lr_schedule == "constant":
        return cfg.learning_rate
    progress = (step - warm) / max(1, total_steps - warm)
    if cfg.lr_schedule == "linear":
        return cfg.learning_rate * max(0.0, 1.0 - progress)
    return cfg.learning_rate * 0.5 * (1.0 + math.cos(math.pi * progress))
