"""The rules the wizard's pages show and the files it keeps, tested without a QApplication."""

from __future__ import annotations

import json
import os
import stat
import typing

import pytest

from ftwizard.base.settings import Settings
from ftwizard.base.units import format_money, parse_amount, parse_count
from ftwizard.catalog.languages import language_coverage, parse_languages
from ftwizard.catalog.store import load_catalog
from ftwizard.estimate.estimator import estimate
from ftwizard.gui import autosave
from ftwizard.gui.settings import load_settings, peek_geometry, save_settings, settings_path
from ftwizard.gui.wizard import PAGE_ORDER
from ftwizard.recommend.answers import Answers, Budget, DataAnswers, default_answers
from ftwizard.recommend.plan_figures import priced_runs, request_for, vram_breakdowns
from ftwizard.recommend.ranking import recommend
from ftwizard.recommend.wizard_state import Autosave, PageId, section_errors
from ftwizard.schemas import json_schema


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_languages_accept_codes_and_english_names_and_name_the_bad_one():
    assert parse_languages("en, German fr") == ["en", "de", "fr"]
    assert parse_languages("Scottish Gaelic; EN\nen") == ["gd", "en"]
    with pytest.raises(ValueError, match="'xx' is not an ISO 639-1"):
        parse_languages("en, xx")
    with pytest.raises(ValueError, match="at least one language"):
        parse_languages(" , ")


def test_amounts_read_as_people_write_them():
    assert parse_amount("1,500") == 1500
    assert parse_amount("$2.5k") == 2500
    assert parse_amount(" 1 000 ") == 1000
    assert parse_amount("", optional=True) is None
    for text, reason in (("", "enter an amount"), ("-5", "negative"), ("ten", "not an amount"),
                         ("5e99", "not an amount"), ("2000m", "over a billion")):
        with pytest.raises(ValueError, match=reason):
            parse_amount(text)


def test_counts_are_whole_numbers_in_range():
    assert parse_count("12k") == 12_000
    assert parse_count("1,200", minimum=1) == 1200
    with pytest.raises(ValueError, match="not a whole number"):
        parse_count("1.5")
    with pytest.raises(ValueError, match="between 1 and"):
        parse_count("0", minimum=1)


def test_section_errors_come_from_the_answers_model():
    assert section_errors(Budget, {"training_usd": 10, "monthly_inference_usd": None}) == {}
    errors = section_errors(DataAnswers, {"examples": 10, "avg_tokens": 2_000_000})
    assert set(errors) == {"avg_tokens"} and "1000000" in errors["avg_tokens"]


def test_money_is_shown_in_the_users_currency_at_their_rate():
    assert format_money(1234.5) == "$1,234"  # whole units from 100 up
    assert format_money(0.126) == "$0.13"
    assert format_money(100, Settings(currency="EUR", usd_to_currency_rate=0.9)) == "€90.00"
    assert format_money(1000, Settings(currency="SEK", usd_to_currency_rate=10.5)) == "10,500 SEK"
    assert format_money(None) == "—"


def test_language_coverage_counts_models_listing_all_and_those_listing_none(catalog):
    listed, unlisted = language_coverage(catalog, ["en", "de"])
    assert listed and all({"en", "de"} <= set(m.languages) for m in listed)
    assert all(not m.languages for m in unlisted)
    assert len(language_coverage(catalog, ["en"])[0]) >= len(listed)


def test_page_ids_in_the_autosave_match_the_wizard_pages():
    assert typing.get_args(PageId) == PAGE_ORDER


def test_autosave_round_trip_is_private_and_a_crash_is_visible(tmp_path):
    path = tmp_path / "autosave.json"
    answers = default_answers().model_copy(update={"languages": ["sv"]})
    autosave.save(answers, "budget", path=path)
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    peek = autosave.peek(path)
    assert peek.exists and peek.crashed and peek.page == "budget"
    loaded, notice = autosave.load(path)
    assert notice is None and loaded.answers == answers and loaded.page == "budget"
    autosave.save(answers, "budget", clean_exit=True, path=path)
    assert not autosave.peek(path).crashed


@pytest.mark.parametrize("text, reason", [
    ('{"page": "task"', "invalid JSON"),
    ('{"schema_version": 1, "saved_at": "2026-01-01T00:00:00", "page": "nowhere", "answers": {}}', "$.page"),
    ('[1, 2]', "$"),
])
def test_a_broken_autosave_is_moved_aside_with_the_reason(tmp_path, text, reason):
    path = tmp_path / "autosave.json"
    path.write_text(text)
    assert autosave.peek(path).exists
    loaded, notice = autosave.load(path)
    assert loaded is None and not path.exists()
    aside = next(tmp_path.glob("autosave.corrupt-*.json"))
    assert aside.read_text() == text  # kept byte for byte
    assert reason in notice and str(aside) in notice


def test_settings_round_trip_and_a_broken_file_gives_defaults(tmp_path):
    path = tmp_path / "settings.json"
    assert load_settings(path) == (Settings(), None)
    mine = Settings(electricity_usd_per_kwh=0.12, currency="CHF", usd_to_currency_rate=0.88,
                    window_geometry_b64="AdnQywADAAA=")
    save_settings(mine, path)
    assert load_settings(path) == (mine, None)
    assert peek_geometry(path) == b"\x01\xd9\xd0\xcb\x00\x03\x00\x00"
    path.write_text(json.dumps({"schema_version": 1, "currency": "euro"}))
    settings, notice = load_settings(path)
    assert settings == Settings() and "$.currency" in notice
    assert peek_geometry(path) is None
    assert settings_path().name == "settings.json"


def test_the_default_tariff_is_the_estimators_documented_one():
    from ftwizard.estimate.request import EstimateRequest

    assert Settings().electricity_usd_per_kwh == EstimateRequest.model_fields["electricity_usd_per_kwh"].default


def test_autosave_and_settings_formats_are_exported_as_schemas():
    assert "answers" in json_schema("autosave")["properties"]
    assert "electricity_usd_per_kwh" in json_schema("settings")["properties"]
    Autosave.model_json_schema()


def _support_bot(**sections) -> Answers:
    """A chat bot with 5,000 examples and a $200 budget; `sections` replace answers' parts."""
    base = default_answers().model_copy(update={
        "budget": Budget(training_usd=200, monthly_inference_usd=None),
        "data": DataAnswers(examples=5000, avg_tokens=600),
    })
    return Answers.model_validate(base.model_dump() | sections)


def test_chart_figures_repeat_the_estimate_behind_each_ranked_row(catalog):
    """The breakdown drawn for a row sums to the peak the table shows for it."""
    answers = _support_bot(hardware={"mode": "cloud"})
    plan = recommend(answers, catalog)
    breakdowns = vram_breakdowns(plan, catalog, top=3)
    assert sorted(breakdowns) == [1, 2, 3]
    for rec in plan.recommendations[:3]:
        assert sum(breakdowns[rec.rank].values()) == pytest.approx(rec.peak_vram_gb, abs=0.02)
        assert estimate(request_for(rec, answers), catalog).train_hours == pytest.approx(rec.train_hours, rel=1e-3)


def test_priced_runs_price_each_gpu_at_its_own_rate(catalog):
    """Each option's cost is that GPU's price x hours, not another card's cheaper price."""
    answers = _support_bot(hardware={"mode": "cloud"})
    plan = recommend(answers, catalog)
    rec = plan.recommendations[0]
    runs = priced_runs(plan, rec, catalog)
    assert len({r.gpu_id for r in runs}) == len(runs) > 2
    assert [r.train_cost_usd for r in runs] == sorted(r.train_cost_usd for r in runs)
    for run in runs:
        prices = [p.usd_per_gpu_hour for p in catalog.prices_for(run.gpu_id)]
        per_hour = run.train_cost_usd / (run.train_hours * run.count)
        assert min(prices) * 0.95 <= per_hour <= max(prices) * 1.05, run


def test_a_local_only_plan_compares_no_cloud_gpu(catalog):
    answers = _support_bot(
        compliance={"commercial_use": True, "air_gapped": True},
        hardware={"mode": "local", "gpus": [{"name": "rtx-4090", "count": 1}]},
    )
    plan = recommend(answers, catalog)
    runs = priced_runs(plan, plan.recommendations[0], catalog)
    assert [(r.gpu_id, r.where, r.chosen) for r in runs] == [("rtx-4090", "local", True)]
