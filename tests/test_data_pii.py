"""A hospital's data officer sees where likely personal data sits (counts and line numbers),
without the report repeating any of it."""

from __future__ import annotations

from data_helpers import chat, write_jsonl
from ftwizard.data.inspection import inspect
from ftwizard.data.pii import iban_ok, luhn_ok, scan_text


def test_each_kind_is_recognised():
    assert scan_text("write to jane.doe+ward@clinic.example.org today") == {"email": 1}
    assert scan_text("call +44 20 7946 0958 or (555) 123-4567 or 555.123.4567") == {"phone": 3}
    assert scan_text("ring 06 12 34 56 78 after six") == {"phone": 1}
    assert scan_text("card 4111 1111 1111 1111 exp 12/29") == {"card_number": 1}
    assert scan_text("card 5500-0000-0000-0004") == {"card_number": 1}
    assert scan_text("SSN 123-45-6789") == {"national_id": 1}
    assert scan_text("NI number AB 12 34 56 C") == {"national_id": 1}
    assert scan_text("pay to GB82 WEST 1234 5698 7654 32 please") == {"iban": 1}
    assert scan_text("two: a@b.io, c@d.io") == {"email": 2}


def test_ordinary_numbers_are_not_flagged():
    quiet = [
        "Dose 500 mg twice daily for 14 days.",
        "Meeting on 2024-01-15 at 10:30, room 204.",
        "Order 1234567890123 shipped.",  # 13 digits, fails the Luhn check
        "Version 3.11.7 released; 1,000,000 users.",
        "Invoice 4111 1111 1111 1112",  # one digit off a test card: fails Luhn
        "Reference GB82 WEST 1234 5698 7654 33",  # IBAN with a wrong check digit
        "SSN-like 000-12-3456 is never issued",
        "price: 12.50 - 13.75 - 14.00",
    ]
    for text in quiet:
        assert scan_text(text) == {}, text


def test_checksums():
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert luhn_ok("79927398713")
    assert iban_ok("DE89 3704 0044 0532 0130 00") and not iban_ok("DE89 3704 0044 0532 0130 01")


def test_report_counts_rows_and_lines_per_kind(tmp_path):
    f = write_jsonl(tmp_path / "tickets.jsonl", [
        chat("My email is ann@example.com", "Thanks, noted."),  # 1
        chat("Nothing personal here.", "Fine."),  # 2
        chat("Call me on +1 415 555 0100", "Will do; or mail ops@example.com or help@example.com."),  # 3
        chat("Card 4111 1111 1111 1111 was charged twice", "Refunded."),  # 4
        '{"messages": [{"role": "user", "content": "bob@example.com"}',  # 5: broken JSON, still scanned
        {"messages": [{"role": "user", "content": "SSN 123-45-6789"}]},  # 6: no answer, still scanned
    ])
    r = inspect(f)
    found = {x.kind: (x.matches, x.rows, x.lines) for x in r.pii.findings}
    assert found["email"] == (4, 3, [1, 3, 5])
    assert found["phone"] == (1, 1, [3])
    assert found["card_number"] == (1, 1, [4])
    assert found["national_id"] == (1, 1, [6])
    assert found["iban"] == (0, 0, [])
    assert (r.pii.scanned_rows, r.pii.rows_with_any) == (6, 5)
    dumped = r.model_dump_json()
    for secret in ("ann@example.com", "415 555 0100", "4111", "123-45-6789", "bob@"):
        assert secret not in dumped


def test_the_scan_can_be_turned_off(tmp_path):
    f = write_jsonl(tmp_path / "d.jsonl", [chat("ann@example.com", "ok")])
    assert inspect(f, scan_pii=False).pii is None
