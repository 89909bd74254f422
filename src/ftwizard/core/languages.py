"""Language names as people type them: ISO 639-1 codes, English names, and each language's
name for itself ("Deutsch", "Français", "日本語"), with or without accents. Every entry that
is not a language is named in the error, not only the first.

    parse_language_list("en, Deutsch, Français") -> ['en', 'de', 'fr']

Qt-free; the Languages page and the CLI may share it. Codes and English names come from
`wizard_state.LANGUAGE_NAMES` (ISO 639-1); the own-language names below are the Unicode
CLDR display names of each language in its own locale (cldr-localenames, e.g. de.json
"de": "Deutsch"), plus the common unaccented and romanised spellings.
"""

from __future__ import annotations

import re
import unicodedata

from ftwizard.core.wizard_state import LANGUAGE_NAMES

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
