"""How much the tests' learning figures vary across seeds: the evidence behind the thresholds
in tests/test_train_run.py (SFT loss drop) and tests/test_train_dpo.py (DPO margin, accuracy).

Runs the tests' exact configurations (the tiny local Llama, CPU QLoRA, one torch thread) with
run seeds 0..N-1 and reports each figure's minimum, mean and standard deviation. A threshold
is sound when it sits below the minimum and at least 3 standard deviations below the mean, so
a correct runner passes on any seed and any CPU, while a runner that loses gradients (issue 19:
a 0.38 margin) fails.

    .venv/bin/python benchmarks/learning_spread.py --seeds 6 [--append]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=6)
    ap.add_argument("--append", action="store_true", help="add the figures to benchmarks/RESULTS.md")
    args = ap.parse_args()

    import torch

    from ftwizard.runs import events as ev
    from train_fixtures import (
        build_tiny_model,
        run_in_process,
        tiny_run_config,
        write_chat_jsonl,
        write_preference_jsonl,
    )

    torch.set_num_threads(1)
    tmp = Path(tempfile.mkdtemp(prefix="ftw-spread-"))
    model = build_tiny_model(tmp / "model")
    chat = write_chat_jsonl(tmp / "chat.jsonl", rows=120)
    pairs = write_preference_jsonl(tmp / "pairs.jsonl", rows=120)
    hold = write_preference_jsonl(tmp / "hold.jsonl", 24, seed=1)
    figures: dict[str, list[float]] = {"sft: last-5 minus first-5 step loss": [], "sft: eval loss drop": [],
                                       "dpo: holdout reward margin": [], "dpo: holdout reward accuracy": [],
                                       "dpo: holdout loss drop": []}
    for seed in range(args.seeds):
        cfg = tiny_run_config(model, chat, tmp / f"sft{seed}", seed=seed)
        code, events = run_in_process(cfg)
        assert code == ev.EXIT_OK
        steps = [e for e in events if isinstance(e, ev.StepEvent)]
        done = next(e for e in events if isinstance(e, ev.DoneEvent))
        figures["sft: last-5 minus first-5 step loss"].append(
            sum(s.loss for s in steps[:5]) / 5 - sum(s.loss for s in steps[-5:]) / 5)
        figures["sft: eval loss drop"].append(done.eval_loss_before - done.eval_loss_after)
        cfg = tiny_run_config(model, pairs, tmp / f"dpo{seed}", holdout_path=hold, objective="dpo", max_steps=20,
                              save_every=0, seed=seed)
        code, events = run_in_process(cfg)
        assert code == ev.EXIT_OK
        before, after = (e for e in events if isinstance(e, ev.EvalEvent) and e.phase in ("before", "after"))
        figures["dpo: holdout reward margin"].append(after.reward_margin)
        figures["dpo: holdout reward accuracy"].append(after.reward_accuracy)
        figures["dpo: holdout loss drop"].append(before.dpo_loss - after.dpo_loss)
        print(f"seed {seed}: " + ", ".join(f"{k.split(': ')[1]} {v[-1]:.3f}" for k, v in figures.items()), flush=True)
    rows = [f"{k}: min {min(v):.3f}, mean {statistics.mean(v):.3f}, sd {statistics.pstdev(v):.3f} "
            f"over seeds 0-{args.seeds - 1}" for k, v in figures.items()]
    print("\n".join(rows))
    if args.append:
        from results_md import append_entry

        append_entry("## Learning spread across seeds", "The tests' learning thresholds against the spread of "
                     "the same runs over seeds (tiny CPU QLoRA, one torch thread). A threshold sits below the minimum "
                     "and at least 3 standard deviations below the mean (tests/test_train_run.py, "
                     "tests/test_train_dpo.py).", f"- {dt.date.today()} `benchmarks/learning_spread.py --seeds {args.seeds}` "
                     f"({torch.__version__}, CPU capability {torch.backends.cpu.get_cpu_capability()})", rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
