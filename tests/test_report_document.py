"""The page machinery under the plan PDF: headings stay with their text, user text is
never markup, every page gets its footer."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from ftwizard.report.document import Html, PdfMeta, render_pdf


def _pages(data: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", p.extract_text()) for p in PdfReader(io.BytesIO(data)).pages]


def _filler(h: Html, lines: int) -> None:
    for i in range(lines):
        h.p(f"Filler line {i}.")


def _first_page_lines(qapp) -> int:
    """How many one-line paragraphs fill page 1."""
    h = Html()
    _filler(h, 120)
    first = _pages(render_pdf(h, PdfMeta("t", "test", "footer")))[0]
    return max(int(n) for n in re.findall(r"Filler line (\d+)\.", first)) + 1


def test_a_heading_that_would_end_a_page_moves_to_the_next_with_its_text(qapp):
    per_page = _first_page_lines(qapp)
    h = Html()
    _filler(h, per_page - 2)  # the heading would land on the last lines of page 1
    h.h2("Licence obligations")
    h.p("The text that belongs under the heading.")
    pages = _pages(render_pdf(h, PdfMeta("t", "test", "footer")))
    assert "Licence obligations" not in pages[0]
    assert pages[1].startswith("Licence obligations The text that belongs under the heading.")


def test_user_text_is_shown_as_typed_never_as_markup(qapp):
    h = Html()
    h.p("<b>Ward 4</b> & <script>x</script>")
    h.table(["Name <i>"], [["a < b"]])
    text = _pages(render_pdf(h, PdfMeta("t", "test", "footer")))[0]
    assert "<b>Ward 4</b> & <script>x</script>" in text
    assert "Name <i>" in text and "a < b" in text


def test_each_page_carries_the_footer_and_page_n_of_m(qapp):
    h = Html()
    _filler(h, 150)
    pages = _pages(render_pdf(h, PdfMeta("t", "test", "Ward 4 plan", page_size="letter")))
    assert len(pages) >= 2
    for i, page in enumerate(pages, 1):
        assert "Ward 4 plan" in page and f"Page {i} of {len(pages)}" in page
