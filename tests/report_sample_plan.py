"""A hand-built plan for the report tests: a hospital's discharge-letter summariser,
three candidates on one local RTX 4090 or a cloud A100, one model excluded.

Built field by field (not by the ranker) so the tests pin what the PDF prints to the
plan's own numbers, whatever the ranker decides elsewhere.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ftwizard.hardware.profile import CpuInfo, GpuInfo, HardwareProfile
from ftwizard.recommend.answers import Answers
from ftwizard.recommend.plan import (
    Advice,
    Exclusion,
    HardwareChoice,
    Hyperparameters,
    Plan,
    Recommendation,
    ScoreParts,
)
from ftwizard.runs.config import RunConfig

PROJECT = "Discharge letters (St Anne ward 4)"
SECRET_TASK = "Summarise discharge letters for patient Jane Roe, MRN 55501234"


def sample_answers() -> Answers:
    return Answers.model_validate(
        {
            "project_name": PROJECT,
            "task": {"kind": "summarization", "domain": "medical", "description": SECRET_TASK},
            "languages": ["en", "de"],
            "budget": {"training_usd": 400, "monthly_inference_usd": 250},
            "data": {"examples": 2400, "avg_tokens": 900, "p95_tokens": 1800},
            "compliance": {
                "commercial_use": True,
                "regulated_data": True,
                "air_gapped": True,
                "data_residency": "EU",
            },
            "hardware": {"mode": "local", "gpus": [{"name": "rtx-4090", "count": 1}]},
        }
    )


def _hp(r: int | None, lr: float) -> Hyperparameters:
    return Hyperparameters(
        lora_r=r, lora_alpha=None if r is None else 2 * r, learning_rate=lr, epochs=2,
        seq_len=2048, micro_batch=1, grad_accum=16, grad_ckpt=True,
        optimizer="paged_adamw_8bit", precision="bf16-mixed",
    )


def _local_4090() -> HardwareChoice:
    return HardwareChoice(
        where="local", gpu_id="rtx-4090", gpu_name="GeForce RTX 4090", gpu_memory_gb=25.77,  # 24 GiB in decimal GB
        count=1, provider="local", usd_per_gpu_hour=0.135, pricing="electricity",
        price_verified=True, price_as_of=None, price_source="board power 450 W x 0.30 USD/kWh",
    )


def _cloud_a100() -> HardwareChoice:
    return HardwareChoice(
        where="cloud", gpu_id="a100-80gb", gpu_name="A100 80GB SXM", gpu_memory_gb=85.9, count=1,
        provider="Lambda", usd_per_gpu_hour=1.79, pricing="on_demand", price_verified=True,
        price_as_of="2026-11-01", price_source="lambda.ai/pricing",
    )


def _parts(q: float, total: float) -> ScoreParts:
    return ScoreParts(quality=q, data_fit=0.8, time=0.7, cost=0.9, inference_cost=0.8, maturity=0.9, total=total)


def sample_plan(tmp: Path | None = None) -> Plan:
    base = tmp or Path("/tmp/ftwizard-sample")
    recs = [
        Recommendation(
            rank=1, model_id="qwen2.5-7b", model_name="Qwen2.5 7B", hf_repo_id="Qwen/Qwen2.5-7B",
            instruct_repo_id="Qwen/Qwen2.5-7B-Instruct", params_b=7.62, technique="qlora",
            method="qlora", hyperparameters=_hp(16, 2e-4), hardware=_local_4090(),
            peak_vram_gb=13.37, margin_gb=12.40, train_hours=6.25, train_cost_usd=0.84,
            monthly_inference_usd=187.5, monthly_inference_gpu="1 x NVIDIA L4 (GCP)",
            score=0.812, score_parts=_parts(0.74, 0.812), licences=["apache-2.0"],
            reasons=["Fits one RTX 4090 with 11.5 GB to spare.", "Strong German and English."],
            warnings=[],
        ),
        Recommendation(
            rank=2, model_id="llama-3.1-8b", model_name="Llama 3.1 8B", hf_repo_id="meta-llama/Llama-3.1-8B",
            params_b=8.03, technique="lora", method="lora", hyperparameters=_hp(16, 1e-4),
            hardware=_cloud_a100(), peak_vram_gb=21.93, margin_gb=63.97, train_hours=3.4,
            train_cost_usd=6.09, monthly_inference_usd=312.0, score=0.774,
            score_parts=_parts(0.77, 0.774), licences=["llama-3.1"],
            reasons=["Highest expected quality of the candidates."],
            warnings=["Licence: show 'Built with Llama' and start the model name with 'Llama'."],
        ),
        Recommendation(
            rank=3, model_id="gemma-2-9b", model_name="Gemma 2 9B", hf_repo_id="google/gemma-2-9b",
            params_b=9.24, technique="qlora", method="qlora", hyperparameters=_hp(16, 2e-4),
            hardware=_local_4090(), peak_vram_gb=17.8, margin_gb=7.97, train_hours=8.1,
            train_cost_usd=1.09, score=0.70, score_parts=_parts(0.71, 0.70), licences=["gemma"],
            reasons=["Good summarisation scores."], warnings=["Gemma Terms of Use flow down to users."],
        ),
    ]
    return Plan(
        created_at=dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC),
        ftwizard_version="0.1.0",
        catalog_version="2026.11.0",
        catalog_as_of=dt.date(2026, 11, 28),
        answers=sample_answers(),
        hardware=HardwareProfile(
            detected_at=dt.datetime(2026, 11, 28, 9, 29, tzinfo=dt.UTC),
            os="Linux 6.8.0-45-generic x86_64", os_system="Linux",
            cpu=CpuInfo(model="AMD Ryzen 9 7950X", logical_cores=32, physical_cores=16),
            ram_total_gib=125.6, ram_available_gib=110.2, runs_disk_free_gib=812.0,
            gpus=[
                GpuInfo(
                    index=0, vendor="nvidia", name="NVIDIA GeForce RTX 4090", backend="nvml",
                    memory_total_gib=23.99, memory_free_gib=23.5, compute_capability="8.9",
                    bf16_supported=True, driver_version="550.107.02", cuda_version="12.4",
                    catalog_gpu_id="rtx-4090",
                )
            ],
        ),
        advice=Advice(
            fine_tune=True,
            summary="Fine-tune: 2,400 examples of a fixed format are what adapters learn well.",
            alternatives=["Few-shot prompting of the instruct model, as a baseline"],
            notes=["Review 50 outputs by hand before go-live."],
            examples_to_collect=2000, holdout_examples=240,
            evaluation_metrics=["ROUGE-L", "reviewer rating of faithfulness"],
        ),
        recommendations=recs,
        excluded=[
            Exclusion(model_id="llama-3.1-70b", reason="needs 46.2 GB per GPU, more than the 24 GB card",
                      constraint="memory"),
            Exclusion(model_id="phi-3-mini", technique=None, reason="German is not a supported language",
                      constraint="language"),
        ],
        chosen_index=0,
        run_config=RunConfig(
            model_dir=base / "models" / "qwen2.5-7b", data_path=base / "data" / "train.jsonl",
            output_dir=base / "runs" / "discharge-qlora", catalog_model_id="qwen2.5-7b",
            method="qlora", lora_r=16, lora_alpha=32, learning_rate=2e-4, epochs=2, seq_len=2048,
            grad_accum=16,
        ),
        assumptions=[
            "Training FLOPs = 6 x parameters x tokens (Kaplan et al. 2020), plus one forward pass "
            "recomputed with gradient checkpointing.",
            "Achievable throughput is 40% of the GPU's dense BF16 peak.",
        ],
    )


# The estimator's component split for the sample's candidates (rank -> GB), as the
# estimator would report breakdown_gb; sums to each peak_vram_gb.
SAMPLE_BREAKDOWNS: dict[int, dict[str, float]] = {
    1: {"weights": 5.55, "trainable": 0.08, "optimizer": 0.08, "activations": 4.2, "logits": 2.49, "cuda_context": 0.97},
    2: {"weights": 16.06, "trainable": 0.08, "optimizer": 0.17, "activations": 2.1, "logits": 2.55, "cuda_context": 0.97},
    3: {"weights": 6.1, "trainable": 0.1, "optimizer": 0.1, "activations": 5.1, "logits": 5.43, "cuda_context": 0.97},
}
