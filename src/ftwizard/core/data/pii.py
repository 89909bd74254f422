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

# The domain after an '@' (the local part is checked by hand: scanning for it is slow).
_EMAIL_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_EMAIL_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
# Where a number could be: 8+ digits joined by separators (8: the shortest international
# phone number), or two capitals then two digits (a NINO or an IBAN). One pass finds both;
# the precise patterns below run only there, so ordinary prose costs one regex scan.
_CANDIDATE = re.compile(r"[\dA-Z](?:(?<=\d)(?:[ ().-]{0,2}\d){7,}|(?<=[A-Z])(?=[A-Z] ?\d\d))")
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


def _phone_count(text: str, pos: int = 0, endpos: int | None = None) -> int:
    """Phone numbers by any of the three shapes; a number two shapes match counts once."""
    spans: list[tuple[int, int]] = []
    for pattern, lo, hi in ((_PHONE_INTL, 8, 15), (_PHONE_NANP, 10, 10), (_PHONE_TRUNK, 9, 11)):
        for m in pattern.finditer(text, pos, len(text) if endpos is None else endpos):
            a, b = m.span()
            if lo <= len(_digits(m.group())) <= hi and not any(a < y and x < b for x, y in spans):
                spans.append((a, b))
    return len(spans)


def _email_count(text: str) -> int:
    n, at = 0, text.find("@")
    while at >= 0:
        if at > 0 and text[at - 1] in _EMAIL_LOCAL and _EMAIL_DOMAIN.match(text, at + 1):
            n += 1
        at = text.find("@", at + 1)
    return n


def _card_ok(candidate: str) -> bool:
    d = _digits(candidate)
    return 13 <= len(d) <= 19 and luhn_ok(d)


def scan_text(text: str) -> dict[str, int]:
    """Matches of each kind in one text (kinds with none are absent)."""
    found: dict[str, int] = {}
    if "@" in text and (n := _email_count(text)):
        found["email"] = n
    covered = 0  # end of the last IBAN: its digits are not also a card or a phone
    for cand in _CANDIDATE.finditer(text):
        a = cand.start()
        if a < covered:
            continue
        if not text[a].isdigit():
            if _NINO.match(text, a):
                found["national_id"] = found.get("national_id", 0) + 1
            elif (m := _IBAN.match(text, a)) and iban_ok(m.group()):
                found["iban"] = found.get("iban", 0) + 1
                covered = m.end()
            continue
        if a and text[a - 1] in "+(":
            a -= 1
        b = min(len(text), cand.end() + 1)  # one more char for the lookaheads
        for kind, n in (
            ("card_number", sum(1 for m in _CARD.finditer(text, a, b) if _card_ok(m.group()))),
            ("national_id", len(_SSN.findall(text, a, b))),
            ("phone", _phone_count(text, a, b)),
        ):
            if n:
                found[kind] = found.get(kind, 0) + n
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
        # One scan over the row; a newline joins no number or address across two texts.
        found = scan_text("\n".join(texts))
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
