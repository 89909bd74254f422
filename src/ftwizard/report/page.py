"""Paper size for printed reports: A4, or US Letter where the locale's territory uses it.

Qt-free so the rule is testable without a display; the PDF maps the name to a QPageSize.
"""

from __future__ import annotations

import locale
import os
from typing import Literal

PageSizeName = Literal["a4", "letter"]
PAGE_SIZES: tuple[str, ...] = ("a4", "letter")

# Territories whose default paper is US Letter: Unicode CLDR supplementalData.xml,
# <paperSize type="US-Letter" territories="BZ CA CL CO CR GT MX NI PA PH PR SV US VE"/>.
LETTER_TERRITORIES: frozenset[str] = frozenset(
    {"BZ", "CA", "CL", "CO", "CR", "GT", "MX", "NI", "PA", "PH", "PR", "SV", "US", "VE"}
)


def territory_of(locale_name: str | None) -> str | None:
    """'en_US.UTF-8' -> 'US'; 'de-AT' -> 'AT'; 'C', 'POSIX' or '' -> None."""
    if not locale_name:
        return None
    base = locale_name.split(".")[0].split("@")[0].replace("-", "_")
    parts = base.split("_")
    if len(parts) < 2:
        return None
    region = parts[-1]
    return region.upper() if len(region) == 2 and region.isalpha() else None


def system_locale_name() -> str | None:
    """The user's locale as the C library sees it (LC_PAPER first: it names the paper)."""
    for var in ("LC_ALL", "LC_PAPER", "LANG"):
        value = os.environ.get(var)
        if value:
            return value
    try:
        return locale.getlocale()[0]
    except ValueError:
        return None


def page_size_for_locale(locale_name: str | None) -> PageSizeName:
    return "letter" if territory_of(locale_name) in LETTER_TERRITORIES else "a4"


def resolve_page_size(
    requested: str | None = None, setting: str | None = None, locale_name: str | None = None
) -> PageSizeName:
    """The keyword argument wins, then the user's setting, then the locale ('en_US' style;
    the PDF passes QLocale.system().name(), which works on every OS); 'auto' defers.

    Raises ValueError naming the allowed values for anything else.
    """
    for choice in (requested, setting):
        if choice is None or choice == "auto":
            continue
        name = choice.strip().lower()
        if name not in PAGE_SIZES:
            raise ValueError(f"page size '{choice}': expected one of a4, letter, auto")
        return name  # type: ignore[return-value]
    return page_size_for_locale(locale_name if locale_name is not None else system_locale_name())
