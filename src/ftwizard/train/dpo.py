"""Direct preference optimisation (Rafailov et al. 2023, "Direct Preference Optimization") in
the runner's own loop: the same data order, checkpoints, cancel and resume as supervised
tuning; only the batch and the loss differ.

A pair is the prompt rendered with the chat template plus the chosen answer, and the same
prompt plus the rejected answer, as two sequences whose labels cover only the answer (the
supervised tokenizer's assistant mask). The reference model is the base model with the LoRA
adapter switched off, as TRL's DPOTrainer does for a PEFT model with `ref_model=None`: no
second copy of the weights. Rewards, margins and accuracy are TRL's metrics, except that a
tie counts half, so the untrained adapter (policy = reference) scores 0.5, not 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from ftwizard.data import Example, Turn
from ftwizard.train import data as D


@dataclass
class PreferencePair:
    chosen: D.TokenizedExample  # prompt + chosen answer; labels on the answer only
    rejected: D.TokenizedExample
    line: int

    @property
    def ids(self) -> list[int]:
        """Both sequences' tokens: what the recipe groups by length and counts."""
        return self.chosen.ids + self.rejected.ids


def tokenize_pair(tokenizer, template: str, ex: Example, line: int, seq_len: int) -> PreferencePair | None:
    """A preference row as two answer-masked sequences cut to `seq_len`; None if either
    answer has no token left (or the row is not a preference pair)."""
    if ex.kind != "preference":
        return None
    sides = []
    for answer in (ex.chosen, ex.rejected):
        chat = Example("chat", turns=tuple(ex.turns) + (Turn("assistant", answer),))
        t = D.tokenize(tokenizer, template, chat, line, seq_len)
        if t is None:
            return None
        sides.append(t)
    return PreferencePair(sides[0], sides[1], line)


def collate_pairs(pairs: list[PreferencePair], bins: list[list[int]], pad_id: int) -> tuple[D.Batch, int]:
    """The pairs of `bins` as one batch, chosen rows first then rejected rows (as TRL)."""
    idx = [i for b in bins for i in b]
    seqs = [pairs[i].chosen for i in idx] + [pairs[i].rejected for i in idx]
    return D.collate(seqs, [[k] for k in range(len(seqs))], pad_id), len(idx)


def sequence_logps(model, batch: D.Batch, device):
    """(summed log-probability of each row's label tokens, label tokens per row)."""
    import torch
    import torch.nn.functional as F

    out = model(input_ids=batch.input_ids.to(device), position_ids=batch.position_ids.to(device), use_cache=False)
    labels = batch.labels[:, 1:].to(device)
    # cross_entropy gives -log p(label) and 0 where the label is ignored (prompt, padding).
    nll = F.cross_entropy(out.logits[:, :-1].float().transpose(1, 2), labels, ignore_index=D.IGNORE, reduction="none")
    return -nll.sum(dim=1), (labels != D.IGNORE).sum(dim=1).to(torch.float32)


def reference_logps(peft_model, batch: D.Batch, device):
    """The base model's log-probabilities: the same weights with the adapter switched off."""
    import torch

    with torch.no_grad(), peft_model.disable_adapter():
        logps, _ = sequence_logps(peft_model, batch, device)
    return logps


def pair_losses(logps, ref_logps, tokens, beta: float, loss_type: str):
    """Per-pair loss and rewards from [chosen..., rejected...] log-probabilities."""
    import torch
    import torch.nn.functional as F

    pol_c, pol_r = logps.chunk(2)
    ref_c, ref_r = ref_logps.chunk(2)
    ratio_c, ratio_r = pol_c - ref_c, pol_r - ref_r
    delta = ratio_c - ratio_r
    if loss_type == "sigmoid":  # DPO paper, eq. 7
        loss = -F.logsigmoid(beta * delta)
    elif loss_type == "hinge":  # SLiC-HF (Zhao et al. 2023), as TRL's "hinge"
        loss = torch.relu(1 - beta * delta)
    elif loss_type == "ipo":  # IPO paper (Azar et al. 2023) eq. 17, per-token log-ratios as TRL
        n_c, n_r = tokens.chunk(2)
        loss = (ratio_c / n_c.clamp(min=1) - ratio_r / n_r.clamp(min=1) - 1 / (2 * beta)) ** 2
    else:
        raise ValueError(f"unknown DPO loss type {loss_type!r}")
    return loss, (beta * ratio_c).detach(), (beta * ratio_r).detach()


@dataclass
class PairStats:
    """Sums over pairs (and chosen tokens), so micro-batches and processes add up exactly."""

    pairs: float = 0.0
    loss: float = 0.0
    rewards_chosen: float = 0.0
    rewards_rejected: float = 0.0
    correct: float = 0.0  # pairs with chosen above rejected; ties count half
    chosen_nll: float = 0.0  # -log p of the chosen answers' tokens
    chosen_tokens: float = 0.0

    NAMES = ("pairs", "loss", "rewards_chosen", "rewards_rejected", "correct", "chosen_nll", "chosen_tokens")

    def add(self, loss, rewards_c, rewards_r, logps, tokens) -> None:
        self.pairs += rewards_c.numel()
        self.loss += float(loss.detach().sum())
        self.rewards_chosen += float(rewards_c.sum())
        self.rewards_rejected += float(rewards_r.sum())
        self.correct += float((rewards_c > rewards_r).sum() + 0.5 * (rewards_c == rewards_r).sum())
        pol_c, _ = logps.detach().chunk(2)
        n_c, _ = tokens.chunk(2)
        self.chosen_nll += float(-pol_c.sum())
        self.chosen_tokens += float(n_c.sum())

    def as_list(self) -> list[float]:
        return [getattr(self, n) for n in self.NAMES]

    @classmethod
    def from_list(cls, values: list[float]) -> PairStats:
        return cls(**dict(zip(cls.NAMES, values, strict=True)))

    def means(self) -> dict[str, float]:
        n = max(self.pairs, 1.0)
        return {
            "dpo_loss": self.loss / n,
            "rewards_chosen": self.rewards_chosen / n,
            "rewards_rejected": self.rewards_rejected / n,
            "reward_margin": (self.rewards_chosen - self.rewards_rejected) / n,
            "reward_accuracy": self.correct / n,
            "chosen_loss": self.chosen_nll / max(self.chosen_tokens, 1.0),
        }
