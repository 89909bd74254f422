"""Language names as people type them: ISO 639-1 codes, English names, and each language's
name for itself ("Deutsch", "Français", "日本語"), with or without accents. Every entry that
is not a language is named in the error, not only the first.

    parse_language_list("en, Deutsch, Français") -> ['en', 'de', 'fr']

Qt-free; the Languages page and the CLI may share it. Codes and English names come from
`LANGUAGE_NAMES` below (ISO 639-1); the own-language names below are the Unicode
CLDR display names of each language in its own locale (cldr-localenames, e.g. de.json
"de": "Deutsch"), plus the common unaccented and romanised spellings.
"""

from __future__ import annotations

import re
import unicodedata

from ftwizard.catalog.entries import ModelEntry
from ftwizard.catalog.store import Catalog

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

    The ranker keeps the second group with a warning (recommend.constraints), so both count.
    """
    want = set(codes)
    listed = [m for m in catalog.models if m.languages and want <= set(m.languages)]
    unlisted = [m for m in catalog.models if not m.languages]
    return listed, unlisted

ENDONYMS: dict[str, tuple[str, ...]] = {
    "af": ("Afrikaans",), "ar": ("العربية", "Arabiya"), "az": ("Azərbaycan", "Azərbaycanca"),
    "be": ("Беларуская",), "bg": ("Български",), "bn": ("বাংলা", "Bangla"), "bs": ("Bosanski",),
    "ca": ("Català",), "cs": ("Čeština", "Česky"), "cy": ("Cymraeg",), "da": ("Dansk",),
    "de": ("Deutsch",), "el": ("Ελληνικά", "Ellinika"), "es": ("Español", "Castellano"),
    "et": ("Eesti", "Eesti keel"), "eu": ("Euskara",), "fa": ("فارسی", "Farsi"), "fi": ("Suomi",),
    "fr": ("Français",), "ga": ("Gaeilge",), "gl": ("Galego",), "gu": ("ગુજરાતી",),
    "he": ("עברית", "Ivrit"), "hi": ("हिन्दी", "Hindī"), "hr": ("Hrvatski",), "hu": ("Magyar",),
    "hy": ("Հայերեն",), "id": ("Bahasa Indonesia", "Indonesia"), "is": ("Íslenska",),
    "it": ("Italiano",), "ja": ("日本語", "Nihongo"), "ka": ("ქართული",), "kk": ("Қазақ тілі", "Қазақ"),
    "km": ("ខ្មែរ",), "kn": ("ಕನ್ನಡ",), "ko": ("한국어", "Hangugeo"), "lb": ("Lëtzebuergesch",),
    "lt": ("Lietuvių",), "lv": ("Latviešu",), "mk": ("Македонски",), "ml": ("മലയാളം",),
    "mn": ("Монгол",), "mr": ("मराठी",), "ms": ("Bahasa Melayu", "Melayu"), "mt": ("Malti",),
    "nb": ("Norsk bokmål",), "ne": ("नेपाली",), "nl": ("Nederlands", "Vlaams"), "nn": ("Norsk nynorsk", "Nynorsk"),
    "no": ("Norsk",), "pa": ("ਪੰਜਾਬੀ",), "pl": ("Polski",), "pt": ("Português",), "ro": ("Română",),
    "ru": ("Русский", "Russkiy"), "sk": ("Slovenčina",), "sl": ("Slovenščina",), "sq": ("Shqip",),
    "sr": ("Српски", "Srpski"), "sv": ("Svenska",), "sw": ("Kiswahili",), "ta": ("தமிழ்",),
    "te": ("తెలుగు",), "th": ("ไทย", "Phasa Thai"), "tl": ("Filipino", "Wikang Tagalog"),
    "tr": ("Türkçe",), "uk": ("Українська",), "ur": ("اردو",), "uz": ("Oʻzbek", "O'zbek"),
    "vi": ("Tiếng Việt",), "zh": ("中文", "汉语", "漢語", "普通话", "Zhongwen", "Putonghua"),
}


def fold(text: str) -> str:
    """Case- and accent-insensitive key: 'Français' and 'francais' match."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _index() -> dict[str, str]:
    out: dict[str, str] = {}
    for code, name in LANGUAGE_NAMES.items():
        out[fold(code)] = code
        out[fold(name)] = code
    for code, names in ENDONYMS.items():
        for name in names:
            out.setdefault(fold(name), code)
    return out


_BY_NAME = _index()


def code_for(entry: str) -> str | None:
    """'de', 'German', 'Deutsch', 'deutsch' -> 'de'; None when it is no language we know."""
    return _BY_NAME.get(fold(entry))


def parse_language_list(text: str) -> list[str]:
    """Codes in the order given, each once. ValueError names every entry that is not a
    language (comma- or space-separated; multi-word names such as 'Norsk bokmål' stay whole)."""
    out: list[str] = []
    bad: list[str] = []
    for chunk in re.split(r"[,;\n]+", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        words = [chunk] if code_for(chunk) else chunk.split()
        for word in words:
            code = code_for(word)
            if code is None:
                bad.append(word)
            elif code not in out:
                out.append(code)
    if bad:
        quoted = ", ".join(f"'{b}'" for b in bad)
        noun = "is not a language" if len(bad) == 1 else "are not languages"
        raise ValueError(f"{quoted} {noun} we know: write ISO 639-1 codes or names in English or "
                         "in the language itself (e.g. de, German, Deutsch)")
    if not out:
        raise ValueError("name at least one language, e.g. en")
    return out
