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

from ftwizard.data.report import MAX_PII_LINES_LISTED, PiiFinding, PiiSummary

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


# The first code point of a decimal digit outside ASCII (ARABIC-INDIC DIGIT ZERO): a text
# holding any character from here up may match `\d` where the byte-level filter below cannot tell.
_FIRST_NON_ASCII_DIGIT = 0x0660
_SEP_REACH = 3  # _CANDIDATE allows up to two separators between digits: index gap <= 3
_RUN = 8  # ... and needs eight digits


# Byte classes for the ASCII filter: digits 1, capitals 2, '@' 3, the rest 0.
_CLASS = bytes(1 if 48 <= i <= 57 else 2 if 65 <= i <= 90 else 3 if i == 64 else 0 for i in range(256))


def _nonzero(cls: bytes):
    """Positions of the non-zero bytes: by 8-byte words first (numpy's byte-wise nonzero is
    the slow part otherwise; most words of prose are all zero)."""
    import numpy as np

    a8 = np.frombuffer(cls + b"\0" * (-len(cls) % 8), dtype=np.uint8)
    words = np.flatnonzero(a8.view(np.uint64))
    r, c = np.nonzero(a8.reshape(-1, 8)[words])
    return words[r] * 8 + c


def _may_match(joined: str, starts) -> list[int]:
    """Indexes of the texts (joined by newlines, starting at `starts`) that could hold a match.

    A superset, by construction: every finding of scan_text begins with an '@' (e-mail) or a
    _CANDIDATE match, which needs eight ASCII digits each at most three characters after the
    last, or two capitals then two digits (a space allowed between); texts with a character at
    or above U+0660 (where other scripts' digits begin) are always included.
    """
    import numpy as np

    flagged = []
    if joined.isascii():
        raw = joined.encode("ascii")
    else:  # one byte per character still: code points above 0xFF become 0xFF (no class)
        cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        flagged.append(np.flatnonzero(cp >= _FIRST_NON_ASCII_DIGIT))
        raw = np.minimum(cp, 0xFF).astype(np.uint8).tobytes()
    raw += b"\0" * 6  # room for the look-ahead below
    chars = np.frombuffer(raw, dtype=np.uint8)
    classes = raw.translate(_CLASS)
    at = _nonzero(classes)
    cls = np.frombuffer(classes, dtype=np.uint8)[at]
    flagged.append(at[cls == 3])  # '@'
    digits = at[cls == 1]
    if len(digits) >= _RUN:
        close = np.diff(digits) <= _SEP_REACH  # consecutive digits near enough to be one number
        run = np.concatenate(([0], np.cumsum(close)))
        window = run[_RUN - 1 :] - run[: -(_RUN - 1)]
        flagged.append(digits[: len(window)][window == _RUN - 1])
    caps = at[cls == 2]
    if len(caps) and len(digits) >= 2:
        is_digit = np.zeros(len(chars), dtype=bool)
        is_digit[digits] = True
        is_cap = np.zeros(len(chars), dtype=bool)
        is_cap[caps] = True
        two = caps[is_cap[caps + 1]]  # capitals at i and i+1
        near = is_digit[two + 3] & (is_digit[two + 2] | ((chars[two + 2] == 32) & is_digit[two + 4]))
        flagged.append(two[near])
    pos = np.concatenate(flagged)
    if not len(pos):
        return []
    rows = np.searchsorted(starts, pos, side="right") - 1
    return np.unique(rows).tolist()


def scan_many(texts: list[str]) -> dict[int, dict[str, int]]:
    """scan_text over many texts at once: {index: findings} for the texts with any.

    The same findings as calling scan_text on each; one vectorised pass over all the texts
    (`_may_match`) picks the few that can hold a match, and only those are scanned.
    """
    import numpy as np

    if not texts:
        return {}
    ends = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1)
    starts = np.concatenate(([0], ends[:-1]))  # where each text begins in the joined string
    out: dict[int, dict[str, int]] = {}
    for i in _may_match("\n".join(texts), starts):
        if found := scan_text(texts[i]):
            out[i] = found
    return out


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
        if found:
            self.add(line, found)

    def scan_rows(self, lines: list[int], texts: list[str]) -> None:
        """Many rows at once (each row's texts joined by newlines): scan_many's batch pass."""
        self.scanned_rows += len(lines)
        for i, found in scan_many(texts).items():
            self.add(lines[i], found)

    def add(self, line: int, found: dict[str, int]) -> None:
        """Count one row's findings (already scanned)."""
        self.rows_with_any += 1
        for kind, n in found.items():
            self.matches[kind] += n
            self.rows[kind] += 1
            if len(self.lines[kind]) < self.max_lines:
                self.lines[kind].append(line)

    def merge(self, other: PiiScanner, line_offset: int = 0) -> None:
        """Add the counts of rows scanned elsewhere (later in the file), their lines shifted."""
        self.scanned_rows += other.scanned_rows
        self.rows_with_any += other.rows_with_any
        self.matches.update(other.matches)
        self.rows.update(other.rows)
        for kind, lines in other.lines.items():
            room = self.max_lines - len(self.lines[kind])
            if room > 0:
                self.lines[kind].extend(x + line_offset for x in lines[:room])

    def summary(self) -> PiiSummary:
        return PiiSummary(
            scanned_rows=self.scanned_rows,
            rows_with_any=self.rows_with_any,
            findings=[
                PiiFinding(kind=k, matches=self.matches[k], rows=self.rows[k], lines=self.lines[k])
                for k in PII_KINDS
            ],
        )
