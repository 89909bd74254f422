"""The recipe's data steps (a part of train/recipe.py's _Run): rows read and tokenised
(sft examples or dpo pairs), the holdout, bins (packed sequences or single examples), the
number of steps, and each step's share of the epoch's order."""

from __future__ import annotations

import math
from pathlib import Path

from ftwizard.runs import events as ev
from ftwizard.runs.config import RunConfig
from ftwizard.train import data as D
from ftwizard.train import dpo


class DataSteps:
    def examples(self, template: str) -> tuple[list, list, int]:
        """(training, holdout, rows skipped): the holdout file, or a seeded share of the data."""
        cfg = self.cfg
        train_ex, skipped = self.tokenized(cfg.data_path, template, "training")
        if cfg.holdout_path:
            hold_ex, skipped_h = self.tokenized(cfg.holdout_path, template, "holdout")
            return train_ex, hold_ex, skipped + skipped_h
        tr, ho = D.split_holdout(len(train_ex), cfg.holdout_fraction, cfg.seed)
        return [train_ex[i] for i in tr], [train_ex[i] for i in ho], skipped

    def tokenized(self, path: Path, template: str, which: str) -> tuple[list, int]:
        """Token ids of every usable row: examples (sft) or preference pairs (dpo)."""
        rows = D.read_rows(path)
        out, too_long, not_pairs = [], [], []
        prefer = self.eff.objective == "dpo"
        for line, ex in rows.examples:
            if prefer and ex.kind != "preference":
                not_pairs.append(line)
                continue
            tokenize = dpo.tokenize_pair if prefer else D.tokenize
            t = tokenize(self.tokenizer, template, ex, line, self.eff.seq_len)
            if t is None:
                too_long.append(line)
            else:
                out.append(t)
        if rows.problems:
            kinds: dict[str, int] = {}
            for pr in rows.problems:
                kinds[str(pr.kind)] = kinds.get(str(pr.kind), 0) + 1
            summary = ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items()))
            self.emit.emit(ev.WarningEvent(
                kind="data", count=len(rows.problems), line_numbers=[pr.line for pr in rows.problems][:50],
                message=f"{path.name}: {len(rows.problems)} {which} rows skipped ({summary})",
            ))
        if too_long:
            self.emit.emit(ev.WarningEvent(
                kind="data", count=len(too_long), line_numbers=too_long[:50],
                message=f"{path.name}: {len(too_long)} {which} rows skipped: no answer token fits in seq_len {self.eff.seq_len}",
            ))
        if not_pairs:
            self.emit.emit(ev.WarningEvent(
                kind="data", count=len(not_pairs), line_numbers=not_pairs[:50],
                message=f"{path.name}: {len(not_pairs)} {which} rows skipped: not preference pairs (objective dpo "
                        "needs prompt, chosen and rejected)",
            ))
        if rows.preference_as_sft and not prefer:
            self.emit.emit(ev.WarningEvent(
                kind="data", count=rows.preference_as_sft,
                message=f"{path.name}: {rows.preference_as_sft} preference rows trained on their chosen answer (objective sft)",
            ))
        return out, len(rows.problems) + len(too_long) + len(not_pairs)

    def layout(self, eff: RunConfig) -> None:
        """Bins (packed sequences or single examples) and the number of steps."""
        lengths = [len(e.ids) for e in self.train_ex]
        self.bins = D.make_bins(lengths, eff.seq_len, eff.packing)
        self.bin_lengths = [sum(lengths[i] for i in b) for b in self.bins]
        self.hold_bins = D.make_bins([len(e.ids) for e in self.hold_ex], eff.seq_len, eff.objective == "sft")
        self.per_step = eff.micro_batch * eff.grad_accum  # per process
        self.steps_per_epoch = math.ceil(len(self.bins) / (self.per_step * self.dist.world_size))
        self.total_steps = eff.max_steps or math.ceil(eff.epochs * self.steps_per_epoch)
        self.order_epoch, self.order = -1, []

    def bins_for_step(self, step: int) -> list[list[int]]:
        """Step s of epoch e takes the next micro_batch x grad_accum bins of epoch e's order
        (times the number of processes, each dealt its share)."""
        epoch, idx = divmod(step, self.steps_per_epoch)
        every = self.per_step * self.dist.world_size
        if epoch != self.order_epoch:
            self.order = D.epoch_order(self.bin_lengths, every, self.cfg.seed, epoch, not self.eff.packing)
            self.order_epoch = epoch
        mine = self.dist.deal(self.order[idx * every : (idx + 1) * every], self.order)
        if self.dist.dealt is not None:
            self.dist.dealt.append(mine)
        return [self.bins[i] for i in mine]

    def widest(self, bin_ids) -> int:
        """The longest single sequence in these bins (of a DPO pair, its longer side)."""
        if self.eff.objective == "dpo":
            return max((max(len(self.train_ex[i].chosen.ids), len(self.train_ex[i].rejected.ids))
                        for b in bin_ids for i in self.bins[b]), default=0)
        return max((self.bin_lengths[b] for b in bin_ids), default=0)

    def examples_of_bins(self, bin_ids: list[int]) -> list[int]:
        return sorted(self.train_ex[i].line for b in bin_ids for i in self.bins[b])
