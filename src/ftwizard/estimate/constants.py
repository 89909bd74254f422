"""Every constant the estimator uses, each with why and where it comes from.

Byte sizes and quantisation layouts are facts of the formats. Only four are judgement
calls (marked GLOBAL): they apply to every configuration alike, never to one row.
"""

from __future__ import annotations

from ftwizard.base.units import GB, GIB  # noqa: F401  (defined with the display units; re-exported as K.GB, K.GIB)

# --- storage formats -----------------------------------------------------------------------
BYTES = {"fp32": 4.0, "bf16": 2.0, "fp16": 2.0, "int8": 1.0}

# NF4: 4-bit codes + one fp32 absmax per block of 64 weights (QLoRA paper, Dettmers et al. 2023, §3).
NF4_BITS = 4.0
NF4_BLOCK = 64
# Double quantisation: absmax stored as 8-bit, one fp32 constant per 256 absmax (QLoRA §3:
# "reduces the memory footprint from 32/64 = 0.5 bits to 8/64 + 32/(64*256) = 0.127 bits").
NF4_DQ_BLOCK2 = 256
# LLM.int8 (bitsandbytes): one byte per weight plus one fp32 scale per output row.
INT8_BITS = 8.0

# --- optimizer state bytes per trainable parameter ----------------------------------------------
# AdamW keeps two moments (Loshchilov & Hutter 2019). torch.optim.AdamW stores them in the
# parameter's dtype; bitsandbytes 32-bit (paged) optimizers always in fp32; 8-bit ones in one
# byte each with block-wise fp32 absmax per 256 values (Dettmers et al. 2022, "8-bit optimizers").
ADAM_MOMENTS = 2
BNB_8BIT_BLOCK = 256
# torch.optim.AdamW on CUDA defaults to the foreach implementation, whose step allocates one
# state-sized temporary (sqrt of the second moment) for all parameters at once; bitsandbytes'
# optimizers and fused=True update in place.
ADAMW_FOREACH_TEMP_COPIES = 1

# --- activations and loss (saved-tensor accounting, derived in estimator_memory) ----------------
# Cross-entropy over the full vocabulary, as Hugging Face computes it (logits upcast to fp32):
# at the start of backward the fp32 log-probabilities (saved), their incoming gradient and the
# logits' gradient are alive at once: 3 x 4 bytes per (token x vocabulary entry).
LOSS_BYTES_PER_LOGIT = 12.0
# Chunked / fused cross-entropy (Liger, torchtune, LitGPT) keeps only one 16-bit copy of the
# logits and a 16-bit gradient; the fp32 work is done a chunk at a time.
CHUNKED_LOSS_BYTES_PER_LOGIT = 4.0
# RMSNorm in Hugging Face models upcasts its input to fp32 and saves it for backward.
RMSNORM_SAVED_BYTES = 4.0
# Dropout saves a one-byte mask per element (torch.native_dropout).
DROPOUT_MASK_BYTES = 1.0

# --- GLOBAL judgement calls (the only tunables; each applies to every configuration) ------------
# CUDA context, cuBLAS workspace and lazily loaded kernels, outside PyTorch's allocator.
# PyTorch's CUDA-semantics notes: the context takes "several hundred MB"; with lazy loading
# (CUDA >= 11.7, PyTorch >= 2.0 default) 0.3-0.6 GB is typical in nvidia-smi.
CUDA_CONTEXT_GB = 0.5  # GLOBAL
# Caching-allocator slack: reserved minus allocated, as a share of the tensors that come and go
# each step (activations, loss, gradients). The data notes see a 1-2 GB gap on 10-40 GB runs.
ALLOCATOR_OVERHEAD_FRACTION = 0.10  # GLOBAL
# Achievable share of the dense tensor-core peak once per-op host overhead is counted apart
# (model FLOPs utilisation). Llama 3 paper (2024, Table 4): 38-43% MFU in bf16 pre-training on
# 16k H100s, communication included; on one GPU at long sequences the public rows reach 48-63%
# (torchtune's Llama 3.2 3B ablation on an A100, Qwen-14B LoRA at 8k tokens), so 0.5.
ACHIEVABLE_MFU = 0.5  # GLOBAL
# Eager PyTorch pays host time for every operator it launches (Python, dispatcher, launch):
# ~10 us each (H. He, "Making Deep Learning Go Brrrr From First Principles", 2022: the
# overhead-bound regime). Short micro-batches are bound by it, not by FLOPs.
OP_OVERHEAD_S = 10e-6  # GLOBAL
# Operators one transformer block launches: ~40 in forward, twice that in backward; each LoRA
# adapter adds ~6 forward (dropout, cast, A, B, scale, add) and twice that backward.
OPS_PER_BLOCK_FORWARD = 40
OPS_PER_ADAPTER_FORWARD = 6
# Achievable share of peak memory bandwidth in streaming kernels (STREAM-like copies reach
# 80-90% of HBM/GDDR peak on NVIDIA data-centre cards).
ACHIEVABLE_BANDWIDTH_FRACTION = 0.8

# Relative spread of the activation and loss terms for the low/high range: the spread of
# saved-tensor counts across frameworks (compiled vs eager, fused vs unfused kernels).
ACTIVATION_SPREAD = 0.30  # GLOBAL
# Spread of the fixed terms (weights, states): padding, buffers, framework extras.
STATIC_SPREAD = 0.05

# --- time ------------------------------------------------------------------------------------
# FLOPs per parameter per token: forward 2, backward 4 (2 for input grads, 2 for weight grads);
# Kaplan et al. 2020, §2.1 ("C ~ 6N"). Frozen weights skip the weight-gradient half.
FWD_FLOPS_PER_PARAM = 2.0
BWD_INPUT_FLOPS_PER_PARAM = 2.0
BWD_WEIGHT_FLOPS_PER_PARAM = 2.0
# bitsandbytes dequantises each 4-bit matrix to 16-bit before every matmul (forward, and again
# for the input gradient): it reads the packed weight and writes and re-reads a 16-bit copy.
DEQUANT_BYTES_PER_PARAM = 0.5 + 2.0 + 2.0

# --- cost ------------------------------------------------------------------------------------
HOURS_PER_MONTH = 730.0  # 8760 h / 12
# Board power a training run draws on average, as a share of the card's TDP (training keeps
# tensor cores busy; nvidia-smi shows 80-100% of the limit on long runs).
POWER_FRACTION_OF_TDP = 0.9
