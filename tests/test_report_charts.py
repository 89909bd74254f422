"""The plan's charts: the numbers they draw are the plan's, and they render crisply."""

from __future__ import annotations

import gc
import sys

import pytest

from ftwizard.report import chart_data as cd
from report_sample_plan import SAMPLE_BREAKDOWNS, sample_plan


def test_vram_bars_stack_the_estimators_components_up_to_each_peak():
    plan = sample_plan()
    series = cd.vram_series(plan, breakdowns=SAMPLE_BREAKDOWNS)
    assert [b.peak_vram_gb for b in series.bars] == [r.peak_vram_gb for r in plan.recommendations]
    for bar in series.bars:
        assert sum(bar.components_gb.values()) == pytest.approx(bar.peak_vram_gb, abs=0.01)
    # Parts under 3% of the tallest bar (trainable, optimizer) are one grey "other" segment.
    assert series.components == ["weights", "activations", "logits", "cuda_context", cd.OTHER_COMPONENT]
    # The limit is what each plan may use: peak + margin, in decimal GB as the plan keeps it.
    assert [b.gpu_memory_gb for b in series.bars] == pytest.approx([25.77, 85.9, 25.77])
    assert [b.chosen for b in series.bars] == [True, False, False]
    assert [b.recommended for b in series.bars] == [True, False, False]


def test_a_row_picked_in_the_window_is_selected_and_rank_one_stays_the_recommendation():
    plan = sample_plan().model_copy(update={"chosen_index": 1})
    series = cd.vram_series(plan)
    assert [(b.chosen, b.recommended) for b in series.bars] == [(False, True), (True, False), (False, False)]


def test_front_labels_name_the_models_and_share_one_label_per_position():
    p = cd.QualityCostPoint
    front = [p("1", 0.07, 0.84, 1, True, "Phi-4 LoRA", True), p("2", 0.07, 0.84, 2, False, "Phi-4 QLoRA"),
             p("3", 0.5, 0.9, 3, False, "Qwen3 14B LoRA")]
    assert [t for _, t in cd.front_labels(front)] == ["recommended: Phi-4 LoRA / QLoRA", "Qwen3 14B LoRA"]


def test_labels_are_placed_without_overlapping_each_other_or_any_point():
    spots = [(100.0, 100.0), (140.0, 110.0), (180.0, 95.0), (300.0, 50.0)]  # labels wider than the gaps
    sizes = [(120.0, 14.0)] * 4
    anchors = cd.place_labels(spots, sizes, (500.0, 200.0), marks=spots)
    boxes = []
    for (x, y), (w, h), a in zip(spots, sizes, anchors, strict=True):
        assert a is not None
        box = cd.Box(x - a[0] * w, y - a[1] * h, w, h)
        assert 0 <= box.x and box.x + w <= 500 and 0 <= box.y and box.y + h <= 200
        assert not any(box.overlaps(cd.Box(mx - 6, my - 6, 12, 12)) for mx, my in spots)
        boxes.append(box)
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_a_label_with_no_free_place_is_left_off_not_drawn_over_another():
    anchors = cd.place_labels([(10.0, 10.0), (10.0, 10.0)], [(15.0, 10.0)] * 2, (35.0, 12.0))
    assert anchors[0] is not None and anchors[1] is None


def test_without_a_breakdown_the_bar_is_the_peak_alone_never_an_invented_split():
    series = cd.vram_series(sample_plan())
    assert series.components == [cd.TOTAL_COMPONENT]
    assert series.bars[0].components_gb == {cd.TOTAL_COMPONENT: 13.37}


def test_a_chosen_candidate_below_the_top_n_still_gets_a_bar():
    plan = sample_plan().model_copy(update={"chosen_index": 2})
    labels = [b.label for b in cd.vram_series(plan, top=2).bars]
    assert labels[0].startswith("1. Qwen2.5 7B") and labels[1].startswith("3. Gemma 2 9B")


def test_pareto_front_keeps_only_candidates_nobody_beats_on_both_cost_and_quality():
    p = cd.QualityCostPoint
    points = [
        p("cheap", 1.0, 0.70, 1, False),
        p("dear-better", 6.0, 0.77, 2, False),
        p("dominated", 2.0, 0.69, 3, False),
        p("same-cost-better", 1.0, 0.72, 4, True),
    ]
    assert [q.label for q in cd.pareto_front(points)] == ["same-cost-better", "dear-better"]


def test_quality_cost_points_are_the_plans_costs_and_quality_scores():
    plan = sample_plan()
    pts = cd.quality_cost_points(plan)
    assert [(x.train_cost_usd, x.quality) for x in pts] == [
        (r.train_cost_usd, r.score_parts.quality) for r in plan.recommendations
    ]
    assert [x.chosen for x in pts] == [True, False, False]


def test_gpu_options_default_to_each_candidates_own_hardware():
    opts = cd.gpu_options(sample_plan())
    assert [(o.train_hours, o.train_cost_usd) for o in opts] == [(6.25, 0.84), (3.4, 6.09), (8.1, 1.09)]
    assert opts[1].label == "2. A100 80GB SXM\nLambda, 80 GB"  # 85.9 decimal GB read as vendors count


def _ink_fraction(image) -> float:
    """Share of sampled pixels that are not white: a blank chart scores 0."""
    w, h = image.width(), image.height()
    samples = [(x, y) for x in range(0, w, 7) for y in range(0, h, 7)]
    return sum(1 for x, y in samples if image.pixelColor(x, y).lightness() < 250) / len(samples)


@pytest.mark.parametrize("name", ["vram_chart", "quality_cost_chart", "gpu_options_chart"])
def test_each_chart_renders_at_print_resolution_with_something_drawn(qapp, name):
    from ftwizard.report import charts

    widget = getattr(charts, name)(sample_plan())
    image = charts.render_chart_image(widget, 640, 320, device_pixel_ratio=300 / 96)
    assert (image.width(), image.height()) == (2000, 1000)
    assert 0.02 < _ink_fraction(image) < 0.6
    widget.deleteLater()


def test_an_empty_plan_gives_a_chart_that_says_so_instead_of_failing(qapp):
    from ftwizard.report import charts

    plan = sample_plan().model_copy(update={"recommendations": [], "chosen_index": None})
    for make in (charts.vram_chart, charts.quality_cost_chart, charts.gpu_options_chart):
        image = charts.render_chart_image(make(plan), 400, 200)
        assert _ink_fraction(image) > 0.001


def test_rendering_charts_repeatedly_does_not_eat_references_to_none(qapp):
    """PySide6 6.12 on Python 3.11 dropped a reference to None on each null return; the
    process then aborted at exit. Guard the pinned binding."""
    from ftwizard.report import charts

    plan = sample_plan()
    gc.collect()
    before = sys.getrefcount(None)
    for _ in range(3):
        w = charts.vram_chart(plan)
        charts.render_chart_image(w, 300, 200)
        w.deleteLater()
        del w
    qapp.processEvents()
    gc.collect()
    assert sys.getrefcount(None) >= before - 50


def test_quality_cost_points_can_keep_the_top_plans_and_the_chosen_one():
    plan = sample_plan().model_copy(update={"chosen_index": 2})
    assert [p.rank for p in cd.quality_cost_points(plan, top=2)] == [1, 3]


def test_a_label_keeps_off_the_front_line_where_it_can():
    # A front rising to the right through the point: right-above would cross it, so another place wins.
    spot, size = (100.0, 100.0), (60.0, 12.0)
    line = [(40.0, 160.0), (100.0, 100.0), (200.0, 60.0)]
    (anchor,) = cd.place_labels([spot], [size], (400.0, 300.0), line=line)
    box = cd.Box(spot[0] - anchor[0] * size[0], spot[1] - anchor[1] * size[1], *size)
    assert not any(cd._crosses(box, a, b) for a, b in zip(line, line[1:], strict=False))
