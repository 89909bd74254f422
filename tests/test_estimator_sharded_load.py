"""The sharded runner's load peak (issue 23): a 4-bit base cannot be built on the meta device,
so under FSDP every GPU holds the whole 4-bit model for a moment before it is sharded; the
estimate's peak must count it (train/sharded.py), and LoRA/full, loaded by rank 0 alone, not."""

from __future__ import annotations

import pytest

from ftwizard.catalog.store import load_catalog
from ftwizard.estimate.estimator import estimate
from ftwizard.estimate.request import EstimateRequest


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_sharded_qlora_peaks_at_the_whole_4bit_base_while_loading(catalog):
    one = estimate(EstimateRequest(model_id="llama-3.1-70b", method="qlora", seq_len=512), catalog)
    four = estimate(EstimateRequest(model_id="llama-3.1-70b", method="qlora", seq_len=512, gpus=4,
                                    strategy="fsdp"), catalog)
    whole = one.breakdown_gb["weights"]
    assert four.breakdown_gb["weights"] == pytest.approx(whole / 4, rel=1e-3)
    # The peak is the load: the whole 4-bit base plus the CUDA context, not the steady state.
    assert four.peak_vram_gb == pytest.approx(whole + four.breakdown_gb["cuda_context"], rel=1e-2)
    assert four.breakdown_gb["load_before_sharding"] > 0


@pytest.mark.parametrize("method", ["lora", "full"])
def test_rank_0_loads_alone_for_16bit_bases(catalog, method):
    est = estimate(EstimateRequest(model_id="llama-3.1-8b", method=method, seq_len=512, gpus=4,
                                   strategy="fsdp"), catalog)
    assert "load_before_sharding" not in est.breakdown_gb
