"""Peak GPU memory of one training step, term by term.

Activations are counted the way autograd keeps them: each tensor a layer saves for its
backward pass, for the Hugging Face + PEFT modules ftwizard's runner uses (checked against
torch's saved-tensor hooks on a small Llama; tests/test_estimator_saved_tensors.py).
Korthikanti et al. 2022 ("Reducing Activation Recomputation in Large Transformer Models",
§4) do the same count for GPT-3-style blocks (34·s·b·h bytes per layer with dropout).

The peak is at the start of backward: weights, optimizer state, every saved activation and
the loss's working set at once; gradients join them when micro-batches accumulate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ftwizard.estimate import constants as K
from ftwizard.estimate.arch import Shapes
from ftwizard.estimate.lora_targets import adapted_layers, lora_param_count, target_roles

if TYPE_CHECKING:
    from ftwizard.estimate.request import EstimateRequest

MIXED = ("bf16-mixed", "fp16-mixed")


@dataclass
class MemoryModel:
    """Bytes of each term for one GPU-independent configuration; `per_gpu` shards them."""

    # Shardable state (divided by the world size under fsdp/zero3; on CPU with offload).
    weights: float
    reference_weights: float
    adapters: float
    master_weights: float  # full fine-tuning under autocast: the 16-bit copies of fp32 weights
    gradients: float
    optimizer_state: float
    optimizer_paged: bool
    # Per-GPU, never sharded.
    activations: float
    loss: float
    transient: float  # dequantisation buffer and similar one-matrix scratch
    # Sharding: bytes of the largest unit gathered at once, and the FSDP root (embeddings, head).
    unit_bytes: float
    unit_grad_bytes: float
    root_bytes: float
    trainable_params: int
    total_params: int
    grad_accum: int
    # Scratch the optimizer step allocates on top of weights, gradients and state (torch AdamW's
    # foreach path); the step comes after backward, when activations are gone.
    optimizer_step_scratch: float = 0.0
    # Gradients FSDP allocates when sharded, where they differ from `gradients` (whole flat
    # parameters when frozen and trainable weights share one unit); None: same as `gradients`.
    sharded_gradients: float | None = None
    # Bytes one GPU holds while loading, before sharding: a 4-bit base cannot be built on the
    # meta device, so under ftwizard's FSDP2 runner every rank loads it whole (train/sharded.py).
    whole_load: float = 0.0
    notes: list[str] = field(default_factory=list)

    def _load_peak(self, world: int, strategy: str) -> float:
        if strategy == "fsdp" and world > 1 and self.whole_load:
            return self.whole_load + K.CUDA_CONTEXT_GB * K.GB
        return 0.0

    def _grads(self, shard: int) -> float:
        if shard > 1 and self.sharded_gradients is not None:
            return self.sharded_gradients
        return self.gradients

    def per_gpu_total(self, world: int, strategy: str, cpu_offload: bool) -> float:
        """Sum of `per_gpu` without building the breakdown (the ranker calls this a lot)."""
        shard = world if strategy in ("fsdp", "zero3") else 1
        on_gpu = 0.0 if cpu_offload else 1.0 / shard
        total = (self.weights + self.reference_weights + self.adapters + self.optimizer_state) * on_gpu
        if self.master_weights and shard == 1 and not cpu_offload:
            total += self.master_weights
        grads = self._grads(shard) * on_gpu
        step = grads + self.optimizer_step_scratch * on_gpu
        buffers = 0.0
        if strategy in ("fsdp", "zero3") and world > 1 or cpu_offload:
            buffers = 2 * self.unit_bytes + self.unit_grad_bytes + (self.root_bytes if strategy == "fsdp" else 0.0)
        if strategy == "ddp" and world > 1:
            total += self.gradients
        in_flight = self.activations + self.loss
        if self.grad_accum > 1:
            moving = grads + max(in_flight, step - grads)
        else:
            moving = max(step, in_flight)
        churn = moving + buffers
        steady = total + churn + self.transient + K.ALLOCATOR_OVERHEAD_FRACTION * churn + K.CUDA_CONTEXT_GB * K.GB
        return max(steady, self._load_peak(world, strategy))

    def per_gpu(self, world: int, strategy: str, cpu_offload: bool) -> dict[str, float]:
        """Breakdown in bytes for one GPU; the keys are what users read in the plan."""
        shard = world if strategy in ("fsdp", "zero3") else 1
        on_gpu = 0.0 if cpu_offload else 1.0 / shard
        out: dict[str, float] = {
            "weights": self.weights * on_gpu,
        }
        if self.reference_weights:
            out["reference_weights"] = self.reference_weights * on_gpu
        if self.master_weights and shard == 1 and not cpu_offload:
            # Sharded runs cast only the gathered block (FSDP MixedPrecision): in sharding_buffers.
            out["autocast_weight_copies"] = self.master_weights
        if self.adapters:
            out["adapters"] = self.adapters * on_gpu
        key = "optimizer_state_paged" if self.optimizer_paged else "optimizer_state"
        out[key] = self.optimizer_state * on_gpu
        grads = self._grads(shard) * on_gpu
        scratch = self.optimizer_step_scratch * on_gpu
        if strategy in ("fsdp", "zero3") and world > 1 or cpu_offload:
            # One block gathered for compute while the next is prefetched (FSDP BACKWARD_PRE,
            # ZeRO-3 prefetch), plus that block's unsharded gradients before reduce-scatter.
            gathered = 2 * self.unit_bytes + self.unit_grad_bytes
            if strategy == "fsdp":
                gathered += self.root_bytes  # root unit (embeddings, head) stays gathered
            out["sharding_buffers"] = gathered
        if strategy == "ddp" and world > 1:
            out["ddp_grad_buckets"] = self.gradients  # DDP's flat copy of gradients for all-reduce
        in_flight = self.activations + self.loss
        if self.grad_accum > 1:
            # Gradients persist across micro-batches; the last one's activations are freed before
            # the optimizer step, so only the step's scratch beyond them raises the peak.
            out["gradients"] = grads
            out["activations"] = self.activations
            out["logits_and_loss"] = self.loss
            out["optimizer_step_scratch"] = max(0.0, scratch - in_flight)
        elif grads + scratch >= in_flight:
            # Optimizer step: all gradients and the step's scratch, activations freed.
            out["gradients"] = grads
            out["optimizer_step_scratch"] = scratch
            out["activations"] = 0.0
            out["logits_and_loss"] = 0.0
        else:
            out["gradients"] = 0.0
            out["activations"] = self.activations
            out["logits_and_loss"] = self.loss
        out["quantization_scratch"] = self.transient
        churn = (out["activations"] + out["logits_and_loss"] + out["gradients"] + out.get("optimizer_step_scratch", 0.0)
                 + out.get("sharding_buffers", 0.0))
        out["allocator_overhead"] = K.ALLOCATOR_OVERHEAD_FRACTION * churn
        out["cuda_context"] = K.CUDA_CONTEXT_GB * K.GB
        excess = self._load_peak(world, strategy) - sum(out.values())
        if excess > 0:  # the whole 4-bit base, for a moment, is the peak
            out["load_before_sharding"] = excess
        return out


def compute_bytes(precision: str) -> float:
    return K.BYTES["fp32"] if precision == "fp32" else K.BYTES["bf16"]


def _quantized_bytes_per_param(bits: int, double_quant: bool) -> float:
    if bits == 8:
        return K.INT8_BITS / 8
    scale_bits = 32 / K.NF4_BLOCK
    if double_quant:
        scale_bits = 8 / K.NF4_BLOCK + 32 / (K.NF4_BLOCK * K.NF4_DQ_BLOCK2)
    return (K.NF4_BITS + scale_bits) / 8


def optimizer_bytes_per_param(optimizer: str, master_bytes: float) -> float:
    if optimizer == "sgd":
        return 0.0  # plain SGD (no momentum) keeps no state
    if optimizer in ("adamw_8bit", "paged_adamw_8bit"):
        return K.ADAM_MOMENTS * (1 + 4 / K.BNB_8BIT_BLOCK)
    if optimizer == "paged_adamw":
        return K.ADAM_MOMENTS * K.BYTES["fp32"]  # bitsandbytes 32-bit states whatever the param dtype
    return K.ADAM_MOMENTS * master_bytes  # torch AdamW: moments in the parameter's dtype


def layer_activation_bytes_per_token(s: Shapes, req: EstimateRequest, roles: frozenset[str]) -> float:
    """Bytes one block saves for backward, per token (see module docstring)."""
    a = s.arch
    c = compute_bytes(req.precision)
    h, q, kv = a.hidden_size, a.num_attention_heads * a.head_dim, a.num_key_value_heads * a.head_dim
    inter = s.linears["up"][1]
    k_exp = s.active_experts
    full = req.method == "full"
    norm = (K.RMSNORM_SAVED_BYTES if not s.layernorm else c) * h
    total = 2 * norm
    # Attention: q, k, v and the output are saved by the fused (sdpa/flash) kernel.
    if req.attention == "sdpa":
        total += c * (q + 2 * kv) + c * q + 4 * a.num_attention_heads  # + fp32 logsumexp per head
    else:
        # Eager: q, k and v expanded to every head, fp32 softmax plus its 16-bit copy. In a
        # hybrid model only the full-attention blocks keep a seq_len-long softmax row; the
        # Mamba-2 / delta-net blocks keep a fixed-size state (averaged over the blocks).
        attn_share = 1.0 if a.attention_layers is None else a.attention_layers / a.num_hidden_layers
        total += c * 3 * q + attn_share * a.num_attention_heads * req.seq_len * (4 + c)
        if full or "o" in roles:
            total += c * q  # o_proj's input is not kept by the matmul chain in eager mode
    # MLP: activation input and (gated) both branches, per active expert.
    if s.gated:
        total += k_exp * 3 * c * inter
    else:
        total += k_exp * c * inter
    if full:
        total += 2 * c * h  # normed inputs of the attention and MLP projections
        total += 2 * c * h  # each norm's 16-bit input, kept for its own weight's gradient
        total += k_exp * c * inter  # down/fc2 input
    else:
        if req.method == "qlora" and req.quant_saves_inputs:
            # The 4-bit matmul keeps its input like a trainable layer would (shared by q/k/v
            # and gate/up; the attention output is already kept by the attention kernel).
            total += 2 * c * h + k_exp * c * inter
        if roles:
            total += _lora_inputs(s, req, roles, c)
    return total


def _lora_inputs(s: Shapes, req: EstimateRequest, roles: frozenset[str], c: float) -> float:
    """What the LoRA branches keep: each adapted layer's input (PEFT casts it for lora_A,
    under autocast a separate 16-bit copy per layer) and a dropout mask when dropout > 0."""
    separate = req.lora_dropout > 0 or req.precision in MIXED
    mask = K.DROPOUT_MASK_BYTES if req.lora_dropout > 0 else 0.0
    total = 0.0
    if separate:
        for n_in, _out, copies in adapted_layers(s, roles):
            total += (c + mask) * n_in * (s.active_experts if copies > 1 else 1)
        return total
    # Same dtype, no dropout: lora_A reads the very tensor the base layer reads.
    h = s.arch.hidden_size
    if roles & {"q", "k", "v"}:
        total += c * h
    if roles & {"gate", "up"}:
        total += c * h * s.active_experts
    if "down" in roles:
        total += c * s.linears["down"][0] * s.active_experts
    if "o" in roles and req.attention == "sdpa":
        pass  # the attention output is already saved by the sdpa kernel
    return total


def build(req: EstimateRequest, s: Shapes) -> MemoryModel:
    """All terms for this request, before sharding."""
    a = s.arch
    c = compute_bytes(req.precision)
    total = s.total_params
    notes: list[str] = []
    linear_all = s.layers * s.block_linear_params
    non_linear = total - linear_all
    roles: frozenset[str] = frozenset()
    if req.method == "full":
        trainable = total
        master = K.BYTES["bf16"] if req.precision == "bf16-true" else K.BYTES["fp32"]
        weights = total * master
        # Autocast keeps a 16-bit copy of each fp32 weight for the matmuls (saved for backward).
        master_weights = total * K.BYTES["bf16"] if req.precision in MIXED else 0.0
        adapters = 0.0
        ref = total * (K.BYTES["fp32"] if req.precision == "fp32" else K.BYTES["bf16"])
    else:
        roles = target_roles(a, req.lora_targets)
        trainable = lora_param_count(a, req.lora_r, req.lora_targets)
        # PEFT keeps adapters in fp32 unless everything is 16-bit (bf16-true).
        master = K.BYTES["bf16"] if req.precision == "bf16-true" else K.BYTES["fp32"]
        base16 = c
        if req.method == "qlora":
            qb = _quantized_bytes_per_param(req.qlora_bits, req.double_quant)
            weights = linear_all * qb + non_linear * base16
        else:
            weights = total * base16
        master_weights = 0.0
        adapters = trainable * master
        ref = 0.0  # DPO with adapters: the reference is the base with adapters switched off
    reference = ref if req.objective == "dpo" and req.method == "full" else 0.0
    gradients = trainable * master
    optimizer = trainable * optimizer_bytes_per_param(req.optimizer, master)
    # torch.optim.AdamW's default (foreach) step builds sqrt(v) for every parameter at once
    # (torch/optim/adamw.py, _multi_tensor_adamw: exp_avg_sq_sqrt = torch._foreach_sqrt(...)).
    # DeepSpeed (zero3) steps with its own fused Adam instead.
    foreach = req.optimizer == "adamw" and req.strategy != "zero3"
    step_scratch = trainable * master * K.ADAMW_FOREACH_TEMP_COPIES if foreach else 0.0
    sharded_gradients = None
    if req.stack == "litgpt" and req.method == "lora":
        # Lightning Fabric's FSDP sets use_orig_params=True and LitGPT wraps whole blocks, so frozen
        # and LoRA weights share one FlatParameter, whose gradient covers all of it: "gradient
        # memory ... equivalent to not freezing those parameters" (torch.distributed.fsdp docs).
        sharded_gradients = s.layers * s.block_params * master

    # Activations: sequences in flight per micro-batch (DPO forwards chosen and rejected).
    seqs = req.micro_batch * (2 if req.objective == "dpo" else 1)
    tokens = seqs * req.seq_len
    per_layer = layer_activation_bytes_per_token(s, req, roles) * tokens
    resid = K.BYTES["fp32"] if (req.method == "full" and req.precision in MIXED) or c == 4 else c
    top = (K.RMSNORM_SAVED_BYTES if not s.layernorm else c) * a.hidden_size * tokens
    if req.method == "full" or "head" in roles:
        top += c * a.hidden_size * tokens  # the LM head's input, for its weight gradient
    if req.grad_ckpt:
        # Only each block's input is kept; backward recomputes one block and holds its gradients.
        activations = s.layers * resid * a.hidden_size * tokens + 2 * per_layer + top
    else:
        # Every block's saved tensors, plus the gradients of the block being differentiated.
        activations = (s.layers + 1) * per_layer + top
    loss_rate = K.CHUNKED_LOSS_BYTES_PER_LOGIT if req.chunked_loss else K.LOSS_BYTES_PER_LOGIT
    loss = loss_rate * a.vocab_size * tokens
    transient = 0.0
    if req.method == "qlora":
        biggest = max(i * o for i, o in s.linears.values())
        transient = biggest * c  # one dequantised 16-bit weight at a time

    # Sharding units: one block in its storage dtype (4-bit packed for QLoRA, sharded as bf16
    # storage per Answer.AI's FSDP-QLoRA), and the root (embeddings, LM head).
    if req.method == "qlora":
        unit = s.block_linear_params * _quantized_bytes_per_param(req.qlora_bits, req.double_quant)
        unit += (s.block_params - s.block_linear_params) * c
    elif req.method == "full":
        unit = s.block_params * (c if req.precision != "fp32" else 4.0)
    else:
        unit = s.block_params * c
    unit_grads = (s.block_params if req.method == "full" else trainable / max(1, s.layers)) * master
    if sharded_gradients is not None:
        unit_grads = s.block_params * master  # the whole block's flat gradient, before reduce-scatter
    root = (s.embed_params + s.head_params) * (c if req.method != "full" or req.precision != "fp32" else 4.0)
    if req.strategy == "zero3":
        root = 0.0  # ZeRO-3 gathers embeddings and head per module, like any other unit
        unit = max(unit, s.embed_params * c)
    return MemoryModel(
        weights=weights,
        reference_weights=reference,
        adapters=adapters,
        master_weights=master_weights,
        gradients=gradients,
        optimizer_state=optimizer,
        optimizer_paged=req.optimizer.startswith("paged"),
        activations=activations,
        loss=loss,
        transient=transient,
        unit_bytes=unit,
        unit_grad_bytes=unit_grads,
        root_bytes=root,
        trainable_params=trainable,
        total_params=total,
        grad_accum=req.grad_accum,
        optimizer_step_scratch=step_scratch,
        sharded_gradients=sharded_gradients,
        whole_load=weights if req.method == "qlora" and req.strategy == "fsdp" else 0.0,
        notes=notes,
    )
