"""A team with no examples yet (issue 26: "learns the task from 0 examples", "set aside 10% of
the examples (0)"): the advice leads with prompting and collecting, a budget of 0 excludes
every paid plan, and the plans are sized for the first examples to collect, said so."""

from __future__ import annotations

from pathlib import Path

from ftwizard.catalog.store import load_catalog
from ftwizard.recommend.advice import START_EXAMPLES_LOW
from ftwizard.recommend.answers import load_answers
from ftwizard.recommend.ranking import recommend

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def no_data(training_usd: float):
    a = load_answers(EXAMPLES / "answers-support-bot.json")
    return a.model_copy(update={
        "data": a.data.model_copy(update={"examples": 0}),
        "budget": a.budget.model_copy(update={"training_usd": training_usd}),
    })


def test_no_examples_are_planned_for_the_first_ones_to_collect():
    plan = recommend(no_data(50), load_catalog())
    text = plan.model_dump_json()  # advice, reasons, warnings: everything the user reads
    assert "(0)" not in text and "from 0 examples" not in text
    top = plan.recommendations[0]
    assert any(f"shown for the first {START_EXAMPLES_LOW}" in r for r in top.reasons)
    assert top.train_hours and top.train_hours > 0 and top.train_cost_usd and top.train_cost_usd > 0


def test_a_budget_of_nothing_buys_no_paid_run():
    plan = recommend(no_data(0), load_catalog())
    assert all((r.train_cost_usd or 0) == 0 for r in plan.recommendations if r.tier == "fits")
