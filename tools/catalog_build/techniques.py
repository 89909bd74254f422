"""Technique descriptions."""

from __future__ import annotations

# --------------------------------------------------------------------------------------
# Techniques
# --------------------------------------------------------------------------------------
TECHNIQUES = [
    {
        "id": "full",
        "name": "Full fine-tuning",
        "summary": "Updates every weight of the model. With AdamW in mixed precision it needs memory for the weights, their gradients and two optimizer states per parameter (roughly 16 bytes per parameter before activations), so it is the most expensive option and usually needs several GPUs beyond a few billion parameters.",
        "when_to_use": "A large, high-quality dataset and a big shift in domain or behaviour, enough GPU memory (or several GPUs), and a small enough model; or when adapter methods measurably fall short. Otherwise start with LoRA or QLoRA, which the QLoRA paper shows can match 16-bit full fine-tuning on its benchmarks.",
        "source": "Dettmers et al. 2023, QLoRA: Efficient Finetuning of Quantized LLMs, arXiv 2305.14314 (comparison with 16-bit full fine-tuning); Rajbhandari et al. 2019, ZeRO, arXiv 1910.02054 (16 bytes per parameter for mixed-precision Adam); Hugging Face Transformers Trainer documentation",
    },
    {
        "id": "lora",
        "name": "LoRA (low-rank adaptation)",
        "summary": "Freezes the pretrained weights and trains small low-rank matrices added to selected layers (typically the attention and MLP projections). The paper reports up to 10,000x fewer trainable parameters and 3x less GPU memory than full fine-tuning of GPT-3 175B, with comparable quality; the adapter is a small file that can be merged or swapped.",
        "when_to_use": "The default for most instruction, classification, extraction and style tasks when the model's 16-bit weights fit in GPU memory; also when you want several task adapters on one base model.",
        "source": "Hu et al. 2021, LoRA: Low-Rank Adaptation of Large Language Models, arXiv 2106.09685",
    },
    {
        "id": "qlora",
        "name": "QLoRA (LoRA on a 4-bit base model)",
        "summary": "Loads the frozen base model in 4-bit NormalFloat (NF4) with double quantisation and trains LoRA adapters on top, using paged optimizers to absorb memory spikes. The paper fine-tunes a 65B model on a single 48 GB GPU while preserving 16-bit fine-tuning task performance; steps are slower than LoRA because weights are de-quantised on the fly.",
        "when_to_use": "When the model's 16-bit weights do not fit in GPU memory (for example a 7B-14B model on a 16-24 GB card, or 70B on one 48-80 GB card), or when memory matters more than training speed.",
        "source": "Dettmers et al. 2023, QLoRA: Efficient Finetuning of Quantized LLMs, arXiv 2305.14314",
    },
    {
        "id": "dpo",
        "name": "DPO (direct preference optimisation)",
        "summary": "Trains the model directly on preference pairs (a prompt with a chosen and a rejected answer) with a simple classification-style loss against a frozen reference model, with no separate reward model and no reinforcement-learning loop. The paper finds it matches or beats PPO-based RLHF on sentiment control, summarisation and single-turn dialogue while being simpler and more stable.",
        "when_to_use": "After supervised fine-tuning, when you have (or can collect) pairs of better and worse answers and want to steer tone, helpfulness, safety or format. It does not teach new knowledge; combine it with LoRA or QLoRA to save memory.",
        "source": "Rafailov et al. 2023, Direct Preference Optimization: Your Language Model is Secretly a Reward Model, arXiv 2305.18290",
    },
]


