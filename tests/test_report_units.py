"""One memory unit and one currency wherever a person reads them; language names as typed."""

from __future__ import annotations

import datetime as dt

import pytest

from ftwizard.base.settings import Settings
from ftwizard.base.units import (
    MEMORY_NOTE,
    Money,
    gpu_memory_text,
    mem,
    mem_of,
    nameplate,
    parse_money,
)
from ftwizard.catalog.languages import parse_language_list


def test_memory_reads_in_the_vendors_gb_whatever_unit_the_figure_was_computed_in():
    # An RTX 4090 is sold as "24 GB": 24 x 2^30 bytes = 25.77 decimal GB in the estimator.
    assert mem(24 * 2**30 / 1e9) == "24 GB" == nameplate(24)
    assert mem(13.37) == "12.5 GB"  # a decimal-GB peak from the plan
    assert mem(43.0) == "40 GB"  # an A100 40GB's usable memory, no longer "43.0 GB"
    assert gpu_memory_text(23.99, 23.5) == "24 GB, 23.5 GB free"  # detection reports GiB
    assert mem(None) == "—"
    assert "2^30 bytes" in MEMORY_NOTE and "1.074" in MEMORY_NOTE


def test_peak_against_room_says_whether_the_room_is_usable_or_free_memory():
    assert mem_of(13.37, 25.77) == "12.5 of 24 GB usable"
    assert mem_of(13.37, 23.5 * 2**30 / 1e9, free=True) == "12.5 of 23.5 GB free"
    assert mem_of(13.37, None) == "12.5 GB"


def test_one_currency_with_its_rate_and_date():
    eur = Money.from_settings(Settings(currency="EUR", usd_to_currency_rate=0.92), today=dt.date(2026, 12, 5))
    assert eur(0.84) == "€0.77" and eur(2000) == "€1,840" and eur(None) == "—"
    assert eur.note() == ("Money is in euros (EUR): the catalog's US-dollar prices converted at 0.92 EUR "
                          "per USD, the rate set in Settings, as used on 2026-12-05 (Settings do not record "
                          "when the rate was entered: check it is current).")
    dated = Money(code="EUR", rate=0.92, as_of="2026-12-01")  # a rate that carries its own date
    assert dated.note().endswith("the rate set in Settings, as of 2026-12-01.")
    usd = Money.from_settings(Settings())
    assert usd(0.07) == "$0.07" and usd(584.2) == "$584" and "US dollars" in usd.note()
    sek = Money(code="SEK", rate=10.5)
    assert sek(100) == "1,050 SEK"
    assert Money(code="JPY", rate=150)(0.84) == "¥126"  # yen have no cents


def test_amounts_are_typed_in_the_display_currency_and_kept_in_dollars():
    eur = Money(code="EUR", rate=0.9)
    assert parse_money("€450", eur) == pytest.approx(500)
    assert parse_money("1,800 EUR", eur) == pytest.approx(2000)
    assert parse_money("", eur, optional=True) is None
    with pytest.raises(ValueError, match="budget of 0"):
        parse_money("0", eur, positive=True)
    with pytest.raises(ValueError, match="euros"):
        parse_money("", eur)


def test_language_names_in_english_or_in_their_own_language():
    assert parse_language_list("Deutsch, Français, 日本語") == ["de", "fr", "ja"]
    assert parse_language_list("francais; espanol, Norsk bokmål") == ["fr", "es", "nb"]  # accents optional
    assert parse_language_list("en de German") == ["en", "de"]  # each once, in order
    assert parse_language_list("Scottish Gaelic") == ["gd"]


def test_every_unknown_language_is_named():
    with pytest.raises(ValueError) as err:
        parse_language_list("en, Deutch, Elvish")
    assert "'Deutch', 'Elvish' are not languages" in str(err.value)
    with pytest.raises(ValueError, match="at least one"):
        parse_language_list(" , ")


def test_dollar_amounts_inside_the_rankers_sentences_follow_the_display_currency():
    eur = Money(code="EUR", rate=0.9)
    text = "Training costs about $0.27 of electricity; over the $2.5k budget by $1,234.50."
    assert eur.in_text(text) == "Training costs about €0.24 of electricity; over the €2,250 budget by €1,111."
    assert Money().in_text(text) == text  # dollars stay as written
    assert eur.in_text("US$ and $ alone stay") == "US$ and $ alone stay"


def test_detected_hardware_reads_in_the_same_gb_as_the_catalogs_cards():
    from ftwizard.base.units import profile_summary
    from gui_support import rtx4090_workstation

    profile = rtx4090_workstation()
    assert profile_summary(profile) == "1 x NVIDIA GeForce RTX 4090 (24 GB, 23.5 GB free)."
    assert "GiB" in profile.summary  # the profile's own text (logs, JSON) is unchanged
