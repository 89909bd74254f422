"""A scan for likely personal data: e-mail addresses, phone numbers, payment card numbers,
national-ID-like numbers (US SSN, UK NINO) and IBANs. It counts matches and remembers line
numbers; it never keeps or returns the matched text.

Patterns are heuristics tuned against false alarms: card numbers must pass the Luhn check,
IBANs the ISO 13616 mod-97 check, phone numbers need an international '+', a trunk '0' or the
North American 3-3-4 shape.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from ftwizard.core.data.report import MAX_PII_LINES_LISTED, PiiFinding, PiiSummary

PII_KINDS: tuple[str, ...] = ("email", "phone", "card_number", "national_id", "iban")

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_SSN = re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])")
# UK National Insurance number (HMRC NIM39110: excluded prefixes and letters).
_NINO = re.compile(
    r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b"
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_PHONE_INTL = re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,6}(?![\w-])")
_PHONE_NANP = re.compile(r"(?<![\w(.-])(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w-])")
_PHONE_TRUNK = re.compile(r"(?<![\w.-])0[1-9]\d{0,3}(?:[ .-]\d{2,4}){2,4}(?![\w.-])")
_DIGIT = re.compile(r"\d")


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies (ISO/IEC 7812-1)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_ok(candidate: str) -> bool:
    """ISO 13616 check: move the first four characters to the end, letters to 10..35, mod 97 == 1."""
    s = candidate.replace(" ", "")
    if not 15 <= len(s) <= 34:
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _phone_count(text: str) -> int:
    """Phone numbers by any of the three shapes; a number two shapes match counts once."""
    spans: list[tuple[int, int]] = []
    for pattern, lo, hi in ((_PHONE_INTL, 8, 15), (_PHONE_NANP, 10, 10), (_PHONE_TRUNK, 9, 11)):
        for m in pattern.finditer(text):
            a, b = m.span()
            if lo <= len(_digits(m.group())) <= hi and not any(a < y and x < b for x, y in spans):
                spans.append((a, b))
    return len(spans)


def scan_text(text: str) -> Counter[str]:
    """Matches of each kind in one text (kinds with none are absent)."""
    found: Counter[str] = Counter()
    if "@" in text:
        n = len(_EMAIL.findall(text))
        if n:
            found["email"] = n
    if not _DIGIT.search(text):
        return found
    cards = sum(1 for m in _CARD.finditer(text) if 13 <= len(d := _digits(m.group())) <= 19 and luhn_ok(d))
    if cards:
        found["card_number"] = cards
    ids = len(_SSN.findall(text)) + len(_NINO.findall(text))
    if ids:
        found["national_id"] = ids
    ibans = sum(1 for m in _IBAN.finditer(text) if iban_ok(m.group()))
    if ibans:
        found["iban"] = ibans
    phones = _phone_count(text)
    if phones:
        found["phone"] = phones
    return found


class PiiScanner:
    """Accumulates counts and line numbers over a file's rows."""

    def __init__(self, max_lines: int = MAX_PII_LINES_LISTED) -> None:
        self.max_lines = max_lines
        self.scanned_rows = 0
        self.rows_with_any = 0
        self.matches: Counter[str] = Counter()
        self.rows: Counter[str] = Counter()
        self.lines: dict[str, list[int]] = {k: [] for k in PII_KINDS}

    def scan_row(self, line: int, texts: Iterable[str]) -> None:
        self.scanned_rows += 1
        found: Counter[str] = Counter()
        for text in texts:
            found.update(scan_text(text))
        if not found:
            return
        self.rows_with_any += 1
        for kind, n in found.items():
            self.matches[kind] += n
            self.rows[kind] += 1
            if len(self.lines[kind]) < self.max_lines:
                self.lines[kind].append(line)

    def summary(self) -> PiiSummary:
        return PiiSummary(
            scanned_rows=self.scanned_rows,
            rows_with_any=self.rows_with_any,
            findings=[
                PiiFinding(kind=k, matches=self.matches[k], rows=self.rows[k], lines=self.lines[k])
                for k in PII_KINDS
            ],
        )
