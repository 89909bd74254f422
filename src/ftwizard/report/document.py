"""A paginated PDF from simple blocks: headings, paragraphs, lists, tables, drawings.

`Html` builds the body (Qt's rich-text subset of HTML, every text escaped here);
`render_pdf` lays it out with QTextDocument on the page body, paints page by page with a
footer and "Page N of M", draws each chart as vectors where its placeholder landed, and
returns the PDF's bytes. Qt's PDF writer embeds the fonts it uses (TrueType subsets), so
the text is selectable and prints the same anywhere.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)

from ftwizard.base.errors import ExportError

# Device units of the PDF: 96 per inch, the unit charts are laid out in on screen, so their
# cosmetic pens, pixel-sized markers and cached axis text keep their size. The output is
# vectors and text, so this is no limit on sharpness; layout uses design metrics.
DPI = 96
# QTextDocument sizes images, margins and paddings in CSS pixels (96 per inch).
CSS_DPI = 96
MARGINS_MM = QMarginsF(18, 16, 18, 14)
FOOTER_MM = 8.0
BODY_PT = 9.5
FOOTER_PT = 7.5
# First installed family wins; all are free TrueType families with wide Unicode coverage.
FONT_FAMILIES = ["DejaVu Sans", "Noto Sans", "Liberation Sans", "Arial", "Helvetica"]
QT_PAGE_SIZES = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
PLACEHOLDER = "drawing:"

Progress = Callable[[float, str], None]
Drawing = Callable[[QPainter, QRectF], None]



def px(points: float) -> int:
    """Rich-text margins and paddings take CSS pixels (96 per inch), not points."""
    return round(points * CSS_DPI / 72)


STYLE = f"""
body {{ color: #1a1a1a; }}
h1 {{ font-size: 20pt; font-weight: 600; margin-top: 0px; margin-bottom: {px(6)}px; }}
h2 {{ font-size: 13.5pt; font-weight: 600; color: #0b3d66; margin-top: {px(16)}px; margin-bottom: {px(5)}px; }}
h3 {{ font-size: 10.5pt; font-weight: 600; margin-top: {px(9)}px; margin-bottom: {px(3)}px; }}
p {{ margin-top: {px(2)}px; margin-bottom: {px(4)}px; }}
ul, ol {{ margin-top: {px(1)}px; margin-bottom: {px(4)}px; }}
li {{ margin-bottom: {px(1)}px; }}
table {{ margin-top: {px(3)}px; margin-bottom: {px(5)}px; }}
td, th {{ font-size: 8.5pt; }}
.muted {{ color: #555555; }}
.small {{ font-size: 8pt; }}
.lead {{ font-size: 10.5pt; }}
.title {{ font-size: 28pt; font-weight: 600; color: #0b3d66; margin-top: {px(60)}px; margin-bottom: {px(4)}px; }}
.subtitle {{ font-size: 15pt; color: #333333; margin-bottom: {px(24)}px; }}
.warn {{ color: #a04000; font-weight: 600; }}
table.grid {{ border-collapse: collapse; border-color: #b8c2cc; border-style: solid; }}
table.grid th {{ background-color: #e8eef4; font-weight: 600; }}
table.kv td.key {{ color: #444444; font-weight: 600; }}
"""


def esc(text: object) -> str:
    """User and catalog text is data, never markup."""
    return html.escape(str(text), quote=True)


@dataclass
class Html:
    """An HTML body assembled block by block; `drawings` are painted where `drawing` put
    their placeholders."""

    parts: list[str] = field(default_factory=list)
    drawings: dict[str, Drawing] = field(default_factory=dict)

    def raw(self, markup: str) -> Html:
        self.parts.append(markup)
        return self

    def h1(self, text: str) -> Html:
        return self.raw(f"<h1>{esc(text)}</h1>")

    def h2(self, text: str, new_page: bool = False) -> Html:
        style = ' style="page-break-before: always; margin-top: 0px;"' if new_page else ""
        return self.raw(f"<h2{style}>{esc(text)}</h2>")

    def h3(self, text: str) -> Html:
        return self.raw(f"<h3>{esc(text)}</h3>")

    def p(self, text: str, cls: str | None = None) -> Html:
        klass = f' class="{cls}"' if cls else ""
        return self.raw(f"<p{klass}>{esc(text)}</p>")

    def p_html(self, markup: str, cls: str | None = None) -> Html:
        """A paragraph whose markup the caller built from esc()'d pieces."""
        klass = f' class="{cls}"' if cls else ""
        return self.raw(f"<p{klass}>{markup}</p>")

    def bullets(self, items: Iterable[str]) -> Html:
        lis = "".join(f"<li>{esc(i)}</li>" for i in items)
        return self.raw(f"<ul>{lis}</ul>") if lis else self

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        widths: Sequence[int] | None = None,
        align: str | None = None,
    ) -> Html:
        """A grid table whose header row repeats on every page it spans.

        `widths` are percentages; `align` has one letter per column (l, r, c).
        """
        aligns = {"l": "left", "r": "right", "c": "center"}
        cols = len(headers)
        al = [aligns[c] for c in (align or "l" * cols)]
        w = [f' width="{x}%"' for x in widths] if widths else [""] * cols
        head = "".join(
            f'<th{w[i]} align="{al[i]}">{esc(h)}</th>' for i, h in enumerate(headers)
        )
        body = []
        for row in rows:
            cells = "".join(f'<td align="{al[i]}">{esc(v)}</td>' for i, v in enumerate(row))
            body.append(f"<tr>{cells}</tr>")
        return self.raw(
            '<table class="grid" width="100%" border="1" cellspacing="0" '
            f'cellpadding="{px(2.5)}"><thead><tr>{head}</tr></thead>{"".join(body)}</table>'
        )

    def key_values(self, rows: Iterable[tuple[str, object]], key_width: int = 32) -> Html:
        body = "".join(
            f'<tr><td class="key" width="{key_width}%">{esc(k)}</td><td>{esc(v)}</td></tr>'
            for k, v in rows
        )
        return self.raw(
            f'<table class="kv" width="100%" cellspacing="0" cellpadding="{px(1.5)}">{body}</table>'
        )

    def drawing(self, name: str, draw: Drawing, width_css_px: int, height_css_px: int) -> Html:
        """Reserve width x height CSS pixels (96 per inch), centred; `draw(painter, rect)`
        paints there (vectors) once the page it landed on is known."""
        self.drawings[name] = draw
        return self.raw(
            f'<p align="center"><img src="{PLACEHOLDER}{esc(name)}" width="{width_css_px}" '
            f'height="{height_css_px}"></p>'
        )

    def body(self) -> str:
        return "<html><body>" + "".join(self.parts) + "</body></html>"


def _body_font() -> QFont:
    font = QFont()
    available = set(QFontDatabase.families())
    if not available:
        raise ExportError(
            "no fonts are available to Qt, so the PDF would have no text: install a TrueType "
            "font package (for example fonts-dejavu-core)"
        )
    font.setFamilies([f for f in FONT_FAMILIES if f in available] + [font.defaultFamily()])
    font.setPointSizeF(BODY_PT)
    # No "fi"/"fl" ligatures: copied or searched text must read "figure", not "\ufb01gure".
    for tag in ("liga", "clig"):
        font.setFeature(QFont.Tag(tag), 0)
    return font


@dataclass(frozen=True)
class PdfMeta:
    title: str
    creator: str
    footer_left: str
    page_size: str = "a4"


def render_pdf(doc_html: Html, meta: PdfMeta, progress: Progress | None = None) -> bytes:
    """Lay out `doc_html` and paint it page by page; the PDF file's bytes."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(DPI)
    writer.setPageSize(QPageSize(QT_PAGE_SIZES[meta.page_size]))
    writer.setPageMargins(MARGINS_MM, QPageLayout.Unit.Millimeter)
    writer.setTitle(meta.title)
    writer.setCreator(meta.creator)

    rect = writer.pageLayout().paintRectPixels(DPI)
    footer_h = FOOTER_MM / 25.4 * DPI
    body = QSizeF(rect.width(), rect.height() - footer_h)

    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)
    doc.setUseDesignMetrics(True)  # fractional advances: no hinting artefacts at 96 dpi
    font = _body_font()
    doc.setDefaultFont(font)
    doc.setDefaultStyleSheet(STYLE)
    doc.setDocumentMargin(0)
    blank = QImage(1, 1, QImage.Format.Format_ARGB32)
    blank.fill(QColor(0, 0, 0, 0))
    for name in doc_html.drawings:
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(PLACEHOLDER + name), blank)
    doc.setHtml(doc_html.body())
    doc.setPageSize(body)
    keep_headings_with_next(doc, body.height())
    pages = doc.pageCount()
    spots = placeholder_rects(doc)
    if progress:
        progress(0.8, f"laid out {pages} pages")

    footer_font = QFont(font)
    footer_font.setPointSizeF(FOOTER_PT)
    painter = QPainter()
    if not painter.begin(writer):
        raise ExportError("the PDF writer could not start a page")
    try:
        for i in range(pages):
            if i:
                writer.newPage()
            painter.save()
            painter.translate(0, -i * body.height())
            doc.drawContents(painter, QRectF(0, i * body.height(), body.width(), body.height()))
            painter.restore()
            for name, rect in spots.items():
                if page_of(rect.top(), body.height()) == i:
                    painter.save()
                    painter.translate(rect.left(), rect.top() - i * body.height())
                    painter.setClipRect(QRectF(0, 0, rect.width(), rect.height()))
                    doc_html.drawings[name](painter, QRectF(0, 0, rect.width(), rect.height()))
                    painter.restore()
            _footer(painter, footer_font, body, footer_h, meta.footer_left, i + 1, pages)
    finally:
        painter.end()
    buffer.close()
    data = bytes(buffer.data().data()) if isinstance(buffer.data(), QByteArray) else bytes(buffer.data())
    if progress:
        progress(0.95, "PDF ready")
    return data


def page_of(y: float, page_h: float) -> int:
    """The page a document y lands on; a line Qt moved to a page's top can sit a hair
    above the boundary in floating point, so round to the half pixel."""
    return int((y + 0.5) // page_h)


def placeholder_rects(doc: QTextDocument) -> dict[str, QRectF]:
    """Where each drawing's placeholder image was laid out, in document coordinates."""
    layout = doc.documentLayout()
    out: dict[str, QRectF] = {}
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            fmt = frag.charFormat()
            if fmt.isImageFormat() and fmt.toImageFormat().name().startswith(PLACEHOLDER):
                img = fmt.toImageFormat()
                pos = frag.position() - block.position()
                line = block.layout().lineForTextPosition(pos)
                x = line.cursorToX(pos)
                x = x[0] if isinstance(x, tuple) else x
                top = layout.blockBoundingRect(block).top() + line.y() + line.ascent() - img.height()
                left = layout.blockBoundingRect(block).left() + x
                out[img.name()[len(PLACEHOLDER):]] = QRectF(left, top, img.width(), img.height())
            it += 1
        block = block.next()
    return out


def keep_headings_with_next(doc: QTextDocument, page_h: float, follow_lines: float = 4.0) -> int:
    """Page breaks Qt's rich text does not make itself: a heading that would end a page
    with less than `follow_lines` lines under it (or, above a table, less than the table's
    header and first row), and a drawing that would straddle two pages, move to the next
    page. Each move shifts everything after it, so the layout is redone after each one and
    the scan goes on from the block that moved. Returns how many blocks moved."""
    layout = doc.documentLayout()
    line_h = QFontMetricsF(doc.defaultFont(), layout.paintDevice()).lineSpacing()
    moved = 0
    block = doc.begin()
    while block.isValid():
        fmt = block.blockFormat()
        if not fmt.pageBreakPolicy() & QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore:
            rect = layout.blockBoundingRect(block)
            top_in_page = rect.top() - page_of(rect.top(), page_h) * page_h
            need = rect.height()
            if fmt.headingLevel():
                need = max(need + follow_lines * line_h, _through_first_table_row(doc, block) - rect.top())
            elif not _holds_drawing(block):
                need = 0.0
            if top_in_page > 0 and top_in_page + need > page_h:
                fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                QTextCursor(block).setBlockFormat(fmt)
                moved += 1
                # Lay out again now: the blocks below moved, and they are checked next.
                doc.markContentsDirty(0, doc.characterCount())
                doc.pageCount()
        block = block.next()
    return moved


def _through_first_table_row(doc: QTextDocument, heading) -> float:
    """The bottom of the first body row of a table right under `heading` (its header row
    repeats on each page, so header plus one row is the least that may follow); 0 if none."""
    nxt = heading.next()
    if not nxt.isValid():
        return 0.0
    table = QTextCursor(nxt).currentTable()
    if table is None:
        return 0.0
    row = min(1, table.rows() - 1)
    cell_block = table.cellAt(row, 0).firstCursorPosition().block()
    return doc.documentLayout().blockBoundingRect(cell_block).bottom() + 2 * px(2.5)


def _holds_drawing(block) -> bool:
    it = block.begin()
    while not it.atEnd():
        fmt = it.fragment().charFormat()
        if fmt.isImageFormat() and fmt.toImageFormat().name().startswith(PLACEHOLDER):
            return True
        it += 1
    return False


def _footer(
    painter: QPainter, font: QFont, body: QSizeF, footer_h: float, left: str, page: int, pages: int
) -> None:
    top = body.height() + footer_h * 0.25
    painter.save()
    painter.setPen(QPen(QColor("#9aa5b1"), 0.75))
    painter.drawLine(0, round(top), round(body.width()), round(top))
    painter.setPen(QColor("#555555"))
    painter.setFont(font)
    band = QRectF(0, top, body.width(), footer_h * 0.75)
    painter.drawText(band, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), left)
    painter.drawText(
        band, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), f"Page {page} of {pages}"
    )
    painter.restore()
