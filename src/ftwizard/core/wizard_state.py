"""What the wizard keeps between sessions and the small rules its pages check.

Qt-free on purpose: every rule a page shows (a language code, an amount, a count) is a
plain function here, testable without a QApplication. The persisted formats are the
autosave (answers + where the user was) and the settings.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ftwizard.core.answers import Answers
from ftwizard.core.catalog import Catalog, ModelEntry
from ftwizard.core.estimator import EstimateRequest

# The wizard's pages in order (gui.wizard.PAGE_ORDER); stable: the autosave stores them.
PageId = Literal[
    "welcome", "task", "languages", "budget", "data", "compliance", "hardware", "results"
]


class Autosave(BaseModel):
    """answers autosaved after each page; `clean_exit` false at start-up means a crash."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    schema_version: Literal[1] = 1
    saved_at: dt.datetime = Field(description="Local time of the last save.")
    page: PageId = Field(description="The page the user was on.")
    clean_exit: bool = Field(default=False, description="Set when the program closed normally.")
    answers: Answers


# One source of truth for the default tariff: the estimator's documented default.
DEFAULT_ELECTRICITY_USD_PER_KWH: float = EstimateRequest.model_fields["electricity_usd_per_kwh"].default


class Settings(BaseModel):
    """The Settings dialog; kept in the config folder."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    schema_version: Literal[1] = 1
    electricity_usd_per_kwh: float = Field(
        default=DEFAULT_ELECTRICITY_USD_PER_KWH,
        ge=0,
        le=10,
        description="Local training cost = board power x hours x this tariff.",
    )
    currency: str = Field(
        default="USD",
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 code costs are shown in; the catalog's prices are USD.",
    )
    usd_to_currency_rate: float = Field(
        default=1.0,
        gt=0,
        le=100_000,
        description="Units of `currency` per US dollar, typed by the user (no network).",
    )
    usd_to_currency_rate_as_of: str | None = Field(
        default=None, pattern=r"^\d{4}-\d{2}-\d{2}$",
        description="The day the currency or rate was last set (ISO date); the plan's assumptions quote it.",
    )
    runs_dir: str | None = Field(default=None, description="Training run folders; None: the default.")
    train_python: str | None = Field(
        default=None, max_length=4096,
        description="Interpreter or environment folder that trains (ftwizard.runtime); None: the first "
        "ready one found.",
    )
    window_geometry_b64: str | None = Field(
        default=None, max_length=10_000, description="Qt window geometry, base64."
    )


def format_money(usd: float | None, settings: Settings | None = None) -> str:
    """A USD amount in the display currency: amount_usd x usd_to_currency_rate."""
    if usd is None:
        return "—"
    s = settings or Settings()
    value = usd * s.usd_to_currency_rate
    code = s.currency
    symbol = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CHF": "CHF "}.get(code)
    digits = 0 if abs(value) >= 100 or code == "JPY" else 2
    text = f"{value:,.{digits}f}"
    return f"{symbol}{text}" if symbol else f"{text} {code}"


# ISO 639-1 two-letter codes with their English names (Library of Congress ISO 639-2
# registration authority list, the 639-1 column).
_ISO_639_1 = (
    "aa Afar|ab Abkhazian|ae Avestan|af Afrikaans|ak Akan|am Amharic|an Aragonese|ar Arabic|"
    "as Assamese|av Avaric|ay Aymara|az Azerbaijani|ba Bashkir|be Belarusian|bg Bulgarian|"
    "bi Bislama|bm Bambara|bn Bengali|bo Tibetan|br Breton|bs Bosnian|ca Catalan|ce Chechen|"
    "ch Chamorro|co Corsican|cr Cree|cs Czech|cu Church Slavic|cv Chuvash|cy Welsh|da Danish|"
    "de German|dv Divehi|dz Dzongkha|ee Ewe|el Greek|en English|eo Esperanto|es Spanish|"
    "et Estonian|eu Basque|fa Persian|ff Fulah|fi Finnish|fj Fijian|fo Faroese|fr French|"
    "fy Western Frisian|ga Irish|gd Scottish Gaelic|gl Galician|gn Guarani|gu Gujarati|gv Manx|"
    "ha Hausa|he Hebrew|hi Hindi|ho Hiri Motu|hr Croatian|ht Haitian|hu Hungarian|hy Armenian|"
    "hz Herero|ia Interlingua|id Indonesian|ie Interlingue|ig Igbo|ii Sichuan Yi|ik Inupiaq|"
    "io Ido|is Icelandic|it Italian|iu Inuktitut|ja Japanese|jv Javanese|ka Georgian|kg Kongo|"
    "ki Kikuyu|kj Kuanyama|kk Kazakh|kl Kalaallisut|km Khmer|kn Kannada|ko Korean|kr Kanuri|"
    "ks Kashmiri|ku Kurdish|kv Komi|kw Cornish|ky Kyrgyz|la Latin|lb Luxembourgish|lg Ganda|"
    "li Limburgish|ln Lingala|lo Lao|lt Lithuanian|lu Luba-Katanga|lv Latvian|mg Malagasy|"
    "mh Marshallese|mi Maori|mk Macedonian|ml Malayalam|mn Mongolian|mr Marathi|ms Malay|"
    "mt Maltese|my Burmese|na Nauru|nb Norwegian Bokmål|nd North Ndebele|ne Nepali|ng Ndonga|"
    "nl Dutch|nn Norwegian Nynorsk|no Norwegian|nr South Ndebele|nv Navajo|ny Chichewa|"
    "oc Occitan|oj Ojibwa|om Oromo|or Oriya|os Ossetian|pa Punjabi|pi Pali|pl Polish|ps Pashto|"
    "pt Portuguese|qu Quechua|rm Romansh|rn Rundi|ro Romanian|ru Russian|rw Kinyarwanda|"
    "sa Sanskrit|sc Sardinian|sd Sindhi|se Northern Sami|sg Sango|si Sinhala|sk Slovak|"
    "sl Slovenian|sm Samoan|sn Shona|so Somali|sq Albanian|sr Serbian|ss Swati|st Southern Sotho|"
    "su Sundanese|sv Swedish|sw Swahili|ta Tamil|te Telugu|tg Tajik|th Thai|ti Tigrinya|"
    "tk Turkmen|tl Tagalog|tn Tswana|to Tonga|tr Turkish|ts Tsonga|tt Tatar|tw Twi|ty Tahitian|"
    "ug Uyghur|uk Ukrainian|ur Urdu|uz Uzbek|ve Venda|vi Vietnamese|vo Volapük|wa Walloon|"
    "wo Wolof|xh Xhosa|yi Yiddish|yo Yoruba|za Zhuang|zh Chinese|zu Zulu"
)
LANGUAGE_NAMES: dict[str, str] = dict(item.split(" ", 1) for item in _ISO_639_1.split("|"))
_CODE_BY_NAME = {name.lower(): code for code, name in LANGUAGE_NAMES.items()}


def parse_languages(text: str) -> list[str]:
    """'en, German fr' -> ['en', 'de', 'fr']. ValueError names the first unknown entry."""
    out: list[str] = []
    for raw in re.split(r"[,;\n]+", text):
        for word in _split_names(raw.strip()):
            key = word.lower()
            code = key if key in LANGUAGE_NAMES else _CODE_BY_NAME.get(key)
            if code is None:
                raise ValueError(
                    f"'{word}' is not an ISO 639-1 language code or name (e.g. en, de, French)"
                )
            if code not in out:
                out.append(code)
    if not out:
        raise ValueError("name at least one language, e.g. en")
    return out


def _split_names(chunk: str) -> list[str]:
    """Split on spaces unless the whole chunk is a multi-word name ('Scottish Gaelic')."""
    if not chunk:
        return []
    if chunk.lower() in _CODE_BY_NAME:
        return [chunk]
    return chunk.split()


def language_summary(codes: list[str]) -> str:
    return ", ".join(f"{LANGUAGE_NAMES.get(c, c)} ({c})" for c in codes)


def language_coverage(catalog: Catalog, codes: list[str]) -> tuple[list[ModelEntry], list[ModelEntry]]:
    """(models listing every one of `codes`, models listing no languages at all).

    The ranker keeps the second group with a warning (core.recommend), so both count.
    """
    want = set(codes)
    listed = [m for m in catalog.models if m.languages and want <= set(m.languages)]
    unlisted = [m for m in catalog.models if not m.languages]
    return listed, unlisted


_AMOUNT = re.compile(r"^(?P<num>\d+(?:\.\d*)?|\.\d+)\s*(?P<k>[kKmM]?)$")


def parse_amount(text: str, *, optional: bool = False) -> float | None:
    """A money amount in USD: '500', '1,200', '$2.5k', '1 000'. Blank -> None if optional."""
    cleaned = text.strip().replace(",", "").replace(" ", "").replace("\u00a0", "").lstrip("$")
    if not cleaned:
        if optional:
            return None
        raise ValueError("enter an amount in US dollars, e.g. 500")
    if cleaned.startswith("-"):
        raise ValueError("an amount cannot be negative")
    m = _AMOUNT.match(cleaned)
    if not m:
        raise ValueError(f"'{text.strip()}' is not an amount; write digits, e.g. 500 or 2.5k")
    scale = {"": 1, "k": 1e3, "m": 1e6}[m["k"].lower()]
    value = float(m["num"]) * scale
    if value > 1e9:
        raise ValueError("that amount is over a billion dollars; check the digits")
    return value


def parse_count(text: str, *, minimum: int = 0, maximum: int = 10**10, what: str = "a number") -> int:
    """A whole number such as '12,000' or '12k'; ValueError says what is wrong."""
    cleaned = text.strip().replace(",", "").replace(" ", "").replace("_", "")
    if not cleaned:
        raise ValueError(f"enter {what}")
    m = _AMOUNT.match(cleaned)
    if not m:
        raise ValueError(f"'{text.strip()}' is not a whole number")
    value = float(m["num"]) * {"": 1, "k": 1e3, "m": 1e6}[m["k"].lower()]
    if value != int(value):
        raise ValueError(f"'{text.strip()}' is not a whole number")
    if not minimum <= value <= maximum:
        raise ValueError(f"enter {what} between {minimum:,} and {maximum:,}")
    return int(value)


def section_errors(model: type[BaseModel], data: dict) -> dict[str, str]:
    """Validate one Answers section; field name -> the first reason, for inline messages."""
    try:
        model.model_validate(data)
    except ValidationError as exc:
        out: dict[str, str] = {}
        for err in exc.errors(include_url=False):
            field = str(err["loc"][0]) if err["loc"] else ""
            out.setdefault(field, err["msg"].removeprefix("Value error, "))
        return out
    return {}

