"""Make the files admins upload from a gazette's text: a typeset PDF (reportlab) and a Word file (python-docx).

Each text line is a paragraph, indented two characters as 公文 paragraphs are; consecutive
tab-separated lines are one table, drawn with rules in the PDF and as a real Word table whose
header labels span the columns and rows they head (merged cells). The PDF has a running
header and a page number on every page, which the importer must drop.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

# A label in the first header row heads the empty cells after it when the row under it fills them.
HEADER_LABEL_MAX_CHARS = 12


def blocks_of(text: str) -> list[tuple[str, object]]:
    """("paragraph", line) and ("table", rows) in the order the text has them."""
    blocks: list[tuple[str, object]] = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        if not raw.strip():
            continue
        if "\t" in raw:
            cells = raw.split("\t")
            if blocks and blocks[-1][0] == "table":
                blocks[-1][1].append(cells)
            else:
                blocks.append(("table", [cells]))
        else:
            blocks.append(("paragraph", raw.strip()))
    return blocks


def table_rows(rows: list[list[str]]) -> list[list[str]]:
    """Rows padded to one width."""
    width = max(len(row) for row in rows)
    return [row + [""] * (width - len(row)) for row in rows]


def header_spans(rows: list[list[str]]) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]]]:
    """Merged header cells: (row, first column, last column) across, and (column, rows) down.

    "自治区" over "牵头单位 | 配合单位" spans two columns; "序号" over an empty cell spans two rows.
    """
    across: list[tuple[int, int, int]] = []
    down: list[tuple[int, int]] = []
    if len(rows) < 2:
        return across, down
    top, below = rows[0], rows[1]
    if below[0] or not any(below):
        return across, down
    for column, label in enumerate(top):
        if not label or len(label) > HEADER_LABEL_MAX_CHARS:
            continue
        last = column
        while last + 1 < len(top) and not top[last + 1] and below[last + 1]:
            last += 1
        if last > column and below[column]:
            across.append((0, column, last))
        elif not below[column]:
            down.append((column, 1))
    return across, down


def pdf_bytes(text: str, *, running_header: str = "测试市人民政府公报") -> bytes:
    """The text typeset as an A4 PDF in a CID font (STSong-Light needs no font file)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=11, leading=16, firstLineIndent=22, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName="STSong-Light", fontSize=7, leading=9, wordWrap="CJK")
    width = A4[0] - 40 * mm
    story = []
    for kind, content in blocks_of(text):
        if kind == "paragraph":
            story.append(Paragraph(escape(content), body))
            continue
        rows = table_rows(content)
        if max(len(row) for row in rows) < 3:
            # A two-cell line (a TOC entry and its page) is text with a gap, not a ruled table.
            for row in rows:
                # Leader dots as "." : pdfminer cannot map STSong-Light's "·" back to a character.
                line = "\u3000\u3000".join(cell for cell in row if cell).replace("·", ".")
                story.append(Paragraph(escape(line), body))
            continue
        data = [[Paragraph(escape(value).replace("&lt;br&gt;", "<br/>"), cell) for value in row] for row in rows]
        columns = len(rows[0])
        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        across, down = header_spans(rows)
        style += [("SPAN", (first, row), (last, row)) for row, first, last in across]
        style += [("SPAN", (column, 0), (column, extra)) for column, extra in down]
        story.append(LongTable(data, colWidths=[width / columns] * columns, style=style, splitInRow=1))
        story.append(Spacer(1, 4))

    def furniture(canvas, document):
        canvas.saveState()
        canvas.setFont("STSong-Light", 9)
        canvas.drawCentredString(A4[0] / 2, A4[1] - 12 * mm, running_header)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"— {document.page} —")
        canvas.restoreState()

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=22 * mm, bottomMargin=20 * mm
    )
    document.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return out.getvalue()


def short_row(row, missing: int) -> None:
    """Leave a Word table row `missing` cells short of the grid (w:gridAfter), as the text's row is."""
    if missing <= 0:
        return
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for cell in list(row._tr.tc_lst)[-missing:]:
        row._tr.remove(cell)
    properties = row._tr.get_or_add_trPr()
    after = OxmlElement("w:gridAfter")
    after.set(qn("w:val"), str(missing))
    properties.append(after)


def docx_bytes(text: str) -> bytes:
    """The text as a Word file: paragraphs, and tables as Word tables with merged header cells."""
    import docx
    from docx.shared import Pt

    document = docx.Document()
    for kind, content in blocks_of(text):
        if kind == "paragraph":
            paragraph = document.add_paragraph(content)
            paragraph.paragraph_format.first_line_indent = Pt(22)
            continue
        rows = table_rows(content)
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = "Table Grid"
        for row, cells in zip(rows, table.rows, strict=True):
            for value, cell in zip(row, cells.cells, strict=True):
                parts = value.split("<br>")
                cell.text = parts[0]
                for part in parts[1:]:
                    cell.add_paragraph(part)
        across, down = header_spans(rows)
        for row_index, first, last in across:
            merged = table.cell(row_index, first).merge(table.cell(row_index, last))
            merged.text = rows[row_index][first]
        for column, extra in down:
            merged = table.cell(0, column).merge(table.cell(extra, column))
            merged.text = rows[0][column]
        for row, original in zip(table.rows, content, strict=True):
            short_row(row, len(rows[0]) - len(original))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
