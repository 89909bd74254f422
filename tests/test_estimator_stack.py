"""Memory facts that depend on the training stack and the optimizer's implementation."""

from __future__ import annotations

import pytest

from ftwizard.catalog.store import load_catalog
from ftwizard.estimate.estimator import estimate
from ftwizard.estimate.request import EstimateRequest


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def req(**kw) -> EstimateRequest:
    base = dict(model_id="llama-2-7b", method="lora", seq_len=1024, precision="bf16-true")
    base.update(kw)
    return EstimateRequest(**base)


def test_litgpt_fsdp_lora_keeps_gradients_for_whole_blocks_hf_only_for_adapters(catalog):
    # Fabric's FSDP (use_orig_params=True, one unit per block) gives the block's frozen weights
    # gradients too; PEFT's wrap policy puts adapters in their own units.
    sharded = dict(gpus=2, strategy="fsdp", grad_accum=2)
    hf = estimate(req(**sharded), catalog)
    lit = estimate(req(stack="litgpt", **sharded), catalog)
    assert hf.breakdown_gb["gradients"] < 0.05
    # 6.5B block parameters in bf16, halved over two GPUs
    assert lit.breakdown_gb["gradients"] == pytest.approx(6.48e9 * 2 / 2 / 1e9, rel=0.02)
    assert lit.peak_vram_gb > hf.peak_vram_gb + 6
    # On one GPU there is no FlatParameter: the stacks agree.
    assert estimate(req(stack="litgpt"), catalog).peak_vram_gb == estimate(req(), catalog).peak_vram_gb


def test_torch_adamw_step_needs_a_state_sized_scratch_that_8bit_adam_does_not(catalog):
    full = dict(method="full", model_id="tinyllama-1.1b", seq_len=128)
    torch_adam = estimate(req(optimizer="adamw", **full), catalog)
    bnb_adam = estimate(req(optimizer="adamw_8bit", **full), catalog)
    params_gb = torch_adam.total_params * 2 / 1e9  # bf16-true: state and its sqrt in bf16
    assert torch_adam.breakdown_gb["optimizer_step_scratch"] == pytest.approx(params_gb, rel=1e-3)
    assert "optimizer_step_scratch" not in bnb_adam.breakdown_gb
    # DeepSpeed steps with its own fused Adam: no foreach scratch under zero3.
    ds = estimate(req(optimizer="adamw", gpus=2, strategy="zero3", **full), catalog)
    assert "optimizer_step_scratch" not in ds.breakdown_gb


def test_breakdown_adds_up_in_every_phase(catalog):
    for kw in (dict(method="full", seq_len=128), dict(method="full", seq_len=128, grad_accum=4),
               dict(method="lora", seq_len=8192, grad_accum=4), dict(stack="litgpt", gpus=4, strategy="fsdp")):
        e = estimate(req(**kw), catalog)
        assert sum(e.breakdown_gb.values()) == pytest.approx(e.peak_vram_gb, abs=0.01)
