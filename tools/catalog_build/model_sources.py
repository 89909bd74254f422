"""Vendor sources that several curated modules cite (read 2026-12-05).

Addresses and the Qwen3 language list shared by the row fixes (row_fixes.py), the
capability rules (capabilities.py) and the new model rows (new_*.py). Everything curated
names where it was read (`ev(...)`: fact, URL, kind, date). Kinds: vendor = the
publisher's own card, config, code, blog or licence; paper = the authors' paper;
third_party = a copy or summary by someone else, used only where no primary text was in
reach and shown as such. Numbers not found in any source stay None.
"""

from __future__ import annotations

from .sources import ev

QWEN3_BLOG = "https://qwenlm.github.io/blog/qwen3/ (github.com/QwenLM/qwenlm.github.io:content/blog/qwen3/index.md)"
# The Qwen3 blog's table of 119 languages and dialects, by family; listed here are those with
# an ISO 639-1 code (dialects of one language collapse to it). Names without a two-letter
# code (Cebuano, Venetian, Silesian, Asturian, Chhattisgarhi, Awadhi, Maithili, Bhojpuri,
# Lombard, Ligurian, Sicilian, Friulian, Magahi, Minangkabau, Balinese, Banjar, Pangasinan,
# Iloko, Waray, Papiamento, Kabuverdianu, Tok Pisin) are in the note, not the list.
QWEN3_LANGS = [
    # Indo-European
    "en", "fr", "pt", "de", "ro", "sv", "da", "bg", "ru", "cs", "el", "uk", "es", "nl", "sk",
    "hr", "pl", "lt", "nb", "nn", "fa", "sl", "gu", "lv", "it", "oc", "ne", "mr", "be", "sr",
    "lb", "as", "cy", "sd", "ga", "fo", "hi", "pa", "bn", "or", "tg", "yi", "sc", "gl", "ca",
    "is", "sq", "li", "af", "mk", "si", "ur", "bs", "hy",
    # Sino-Tibetan, Afro-Asiatic, Austronesian, Dravidian, Turkic, Tai-Kadai, Uralic, Austroasiatic
    "zh", "my", "ar", "he", "mt", "id", "ms", "tl", "jv", "su", "ta", "te", "kn", "ml",
    "tr", "az", "uz", "kk", "ba", "tt", "th", "lo", "fi", "et", "hu", "vi", "km",
    # Other
    "ja", "ko", "ka", "eu", "ht", "sw",
]
QWEN3_NOTE = (
    "119 languages and dialects (Qwen3 blog table, by family); the list holds those with an "
    "ISO 639-1 code. Also in the vendor's table without one: Cebuano, Venetian, Silesian, "
    "Asturian, Chhattisgarhi, Awadhi, Maithili, Bhojpuri, Lombard, Ligurian, Sicilian, "
    "Friulian, Magahi, Minangkabau, Balinese, Banjar, Pangasinan, Iloko, Waray, Papiamento, "
    "Kabuverdianu, Tok Pisin; Arabic and Chinese dialects are counted under ar and zh."
)
QWEN3_LANG_EV = [ev("languages", QWEN3_BLOG, "vendor", "Multilingual Support table")]

PHI4_MINI_CARD = "https://huggingface.co/microsoft/Phi-4-mini-instruct"
SMOLLM3_BLOG = "github.com/huggingface/blog:smollm3.md (https://huggingface.co/blog/smollm3)"
DEEPSEEK_R1 = "github.com/deepseek-ai/DeepSeek-R1:README.md"
GRANITE_README = "github.com/ibm-granite/granite-4.0-language-models:README.md"
GEMMA4_DOCS = "https://ai.google.dev/gemma/docs/core"
