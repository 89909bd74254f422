"""Paper size: A4 for most of the world, Letter where the locale's territory uses it."""

from __future__ import annotations

import pytest

from ftwizard.report.page import page_size_for_locale, resolve_page_size, territory_of


@pytest.mark.parametrize(
    ("locale_name", "territory"),
    [("en_US.UTF-8", "US"), ("de-AT", "AT"), ("fr_CA", "CA"), ("es_MX.utf8@euro", "MX"),
     ("C", None), ("POSIX", None), ("", None), (None, None), ("English_United States", None)],
)
def test_territory_is_read_from_the_locale_name(locale_name, territory):
    assert territory_of(locale_name) == territory


def test_a_clinic_in_ohio_prints_on_letter_and_one_in_vienna_on_a4():
    assert page_size_for_locale("en_US") == "letter"
    assert page_size_for_locale("en_PH") == "letter"
    assert page_size_for_locale("de_AT") == "a4"
    assert page_size_for_locale("en_GB") == "a4"
    assert page_size_for_locale("C") == "a4"


def test_the_keyword_beats_the_setting_which_beats_the_locale():
    assert resolve_page_size("A4", "letter", "en_US") == "a4"
    assert resolve_page_size(None, "letter", "de_DE") == "letter"
    assert resolve_page_size("auto", "auto", "en_CA") == "letter"
    assert resolve_page_size(None, None, "de_DE") == "a4"


def test_an_unknown_page_size_is_refused_with_the_allowed_values():
    with pytest.raises(ValueError, match="expected one of a4, letter, auto"):
        resolve_page_size("legal")
