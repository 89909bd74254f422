"""Training speed from FLOPs and bytes moved, over what a GPU can achievably do.

A micro-batch step takes the longer of its compute time (FLOPs over ACHIEVABLE_MFU of the
dense tensor peak) and its weight-streaming time (bytes over the achievable bandwidth): the
roofline model (Williams et al. 2009). 4-bit dequantisation is a separate memory-bound
kernel and adds to it; so does the optimizer step, spread over the accumulated micro-batches,
and the host time eager PyTorch spends launching each operator (short micro-batches are
overhead-bound).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ftwizard.catalog.entries import GpuEntry
from ftwizard.estimate import constants as K
from ftwizard.estimate.arch import Shapes
from ftwizard.estimate.lora_targets import adapted_layers, target_roles

if TYPE_CHECKING:
    from ftwizard.estimate.memory import MemoryModel
    from ftwizard.estimate.request import EstimateRequest


@dataclass(frozen=True)
class Work:
    """GPU-independent work of one micro-batch step on one GPU."""

    tokens: int  # training tokens in one micro-batch (both DPO sequences counted)
    flops: float  # FLOPs of one micro-batch step
    stream_bytes: float  # weight bytes the matmuls read in one micro-batch step
    dequant_bytes: float  # extra bytes moved dequantising 4-bit weights
    optimizer_bytes: float  # bytes the optimizer step reads and writes (once per grad_accum)
    host_s: float  # host time launching the step's operators (adds to GPU time: syncs each step)


def work(req: EstimateRequest, s: Shapes, mem: MemoryModel) -> Work:
    a = s.arch
    seqs = req.micro_batch * (2 if req.objective == "dpo" else 1)
    tokens = seqs * req.seq_len
    n = s.matmul_params_per_token  # MoE: only the active experts multiply a token
    # Attention scores and weighted sum: 2 matmuls x 2 FLOPs x s x (heads*head_dim) per layer;
    # causal kernels (sdpa/flash) skip the masked half, eager computes it all.
    q_dim = a.num_attention_heads * a.head_dim
    attn = 4 * req.seq_len * q_dim * s.layers * (0.5 if req.attention == "sdpa" else 1.0)
    fwd = K.FWD_FLOPS_PER_PARAM * n + attn
    bwd_input = K.BWD_INPUT_FLOPS_PER_PARAM * n + 2 * attn
    if req.method == "full":
        bwd_weight = K.BWD_WEIGHT_FLOPS_PER_PARAM * n
        adapter = 0.0
    else:
        bwd_weight = 0.0  # frozen base: no weight gradients
        adapter = 6.0 * mem.trainable_params  # the adapters themselves train like any weight
    per_token = fwd + bwd_input + bwd_weight + adapter
    if req.grad_ckpt:
        per_token += fwd  # recompute each block's forward during backward
    flops = per_token * tokens
    passes = 3 if req.method == "full" else 2  # forward, input grads (, weight grads)
    if req.grad_ckpt:
        passes += 1
    if req.objective == "dpo":
        flops += fwd * tokens  # reference forward (skipped if log-probs are precomputed)
        passes += 1
    weight_bytes = mem.weights + mem.master_weights
    dequant = 0.0
    if req.method == "qlora":
        dequant = K.DEQUANT_BYTES_PER_PARAM * s.layers * s.block_linear_params * passes
    # AdamW reads weight, gradient and both moments and writes weight and moments.
    trained = mem.adapters if req.method != "full" else mem.weights
    opt = 2 * trained + mem.gradients + 2 * mem.optimizer_state
    # Host overhead: forward ops, backward (x2), recompute (x1 more forward) per block.
    adapters = len(adapted_layers(s, target_roles(s.arch, req.lora_targets))) if req.method != "full" else 0
    fwd_ops = K.OPS_PER_BLOCK_FORWARD + K.OPS_PER_ADAPTER_FORWARD * adapters
    ops = s.layers * fwd_ops * (3 + (1 if req.grad_ckpt else 0) + (1 if req.objective == "dpo" else 0))
    return Work(tokens, flops, passes * weight_bytes, dequant, opt, ops * K.OP_OVERHEAD_S)


def peak_tflops(gpu: GpuEntry, precision: str) -> float | None:
    if precision == "fp32":
        return gpu.fp32_tflops
    if precision == "fp16-mixed":
        return gpu.fp16_dense_tflops or gpu.bf16_dense_tflops
    if gpu.bf16_supported is False:
        return gpu.fp16_dense_tflops  # no bf16 (V100, T4): the runner trains in fp16 there
    return gpu.bf16_dense_tflops


def tokens_per_s(w: Work, gpu: GpuEntry, precision: str, world: int, grad_accum: int) -> float | None:
    """Training tokens per second over all GPUs (ideal data-parallel scaling)."""
    tflops = peak_tflops(gpu, precision)
    if not tflops:
        return None
    compute_s = w.flops / (tflops * 1e12 * K.ACHIEVABLE_MFU)
    step_s = compute_s
    if gpu.bandwidth_gbs:
        bw = gpu.bandwidth_gbs * 1e9 * K.ACHIEVABLE_BANDWIDTH_FRACTION
        step_s = max(compute_s, w.stream_bytes / bw) + w.dequant_bytes / bw + w.optimizer_bytes / bw / grad_accum
    return world * w.tokens / (step_s + w.host_s)
