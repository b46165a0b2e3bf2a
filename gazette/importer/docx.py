"""Step 0 for Word files (.docx): paragraphs and real tables as the lines the parser reads.

Reads the bytes of a .docx (python-docx for the package, its XML for the body) and writes
plain text in the parser's line form, in body order:

- each paragraph a line (a line break inside it starts another; a tab, which Word uses to
  set names side by side, becomes a wide gap); text boxes (a 发文机关标志 is often one) are
  read where they are anchored;
- a paragraph Word numbers itself (编号: w:numPr on the paragraph or on its style) opens with
  the label Word shows (gazette.importer.docx_numbering): "一、总体要求", "（一）", "1.", and
  the 序号 of a table row;
- each table row a tab-separated line, on the table's grid: a cell merged across columns
  (gridSpan) is followed by empty cells, as a PDF converter prints it; a cell merged down
  rows (vMerge) is empty below a header cell and repeated below a data cell, so every task
  row keeps the 牵头单位 it shares with its neighbours; a cell's paragraphs are kept apart
  (<br>), so numbered items in one cell stay items.

Headers, footers and page numbers are not in the body and are never read.
"""

from __future__ import annotations

import io
import zipfile

from .docx_numbering import MC_FALLBACK, Numbering, W, list_definitions
from .errors import GazetteFileError

NUMBERING_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering"
STYLES_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"


def docx_text(data: bytes, *, name: str) -> str:
    """The text of a .docx in the parser's line form.

    Raises GazetteFileError for a damaged or password-protected file.
    """
    # Imported here, not with the module: a web process that never reads Word files is spared it.
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise GazetteFileError(
            f"{name}: Word 文件已损坏或不完整，无法读取；请在 Word 中打开后重新保存为 .docx"
        ) from exc
    numbering = Numbering(
        list_definitions(
            related_xml(document.part, NUMBERING_RELATIONSHIP), related_xml(document.part, STYLES_RELATIONSHIP)
        )
    )
    lines: list[str] = []
    body_lines(document.element.body, lines, numbering)
    if not any(line.strip() for line in lines):
        raise GazetteFileError(f"{name}: Word 文件中没有文字")
    return "\n".join(lines) + "\n"


def related_xml(part, relationship: str):
    """The XML root of the part the document relates to by relationship, or None when it has none."""
    for rel in part.rels.values():
        if rel.reltype == relationship and not rel.is_external:
            return getattr(rel.target_part, "element", None)
    return None


def body_lines(container, out: list[str], numbering: Numbering) -> None:
    """Lines of the paragraphs and tables directly in container (the body, or a content control)."""
    for child in container.iterchildren():
        if child.tag == f"{W}p":
            for box in text_boxes(child):
                body_lines(box, out, numbering)
            out.extend(paragraph_text(child, numbering).split("\n"))
        elif child.tag == f"{W}tbl":
            out.extend(table_lines(child, numbering))
        elif child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                body_lines(content, out, numbering)


def text_boxes(paragraph) -> list:
    """The text boxes anchored in a paragraph, each once (Word also keeps a fallback copy)."""
    boxes = []
    for box in paragraph.iter(f"{W}txbxContent"):
        if not any(ancestor.tag == MC_FALLBACK for ancestor in box.iterancestors()):
            boxes.append(box)
    return boxes


def paragraph_text(paragraph, numbering: Numbering) -> str:
    """A paragraph's text: its list label, then runs in order, a tab as a wide gap, a line break as a new line."""
    parts: list[str] = [numbering.label(paragraph)]
    for element in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}txbxContent"):
        if element.tag == f"{W}txbxContent" or any(a.tag == f"{W}txbxContent" for a in element.iterancestors()):
            continue  # a text box's text is read as lines of its own
        if element.tag == f"{W}t":
            parts.append(element.text or "")
        elif element.tag == f"{W}tab":
            if element.getparent().tag == f"{W}tabs":
                continue  # a tab stop of the paragraph's properties, not a tab in its text
            parts.append("\u3000\u3000")
        else:
            parts.append("\n")
    return "".join(parts)


def table_lines(table, numbering: Numbering) -> list[str]:
    """One tab-separated line per row of a Word table, cells placed on the table's grid.

    A row that stops short of the grid (w:gridAfter) ends with its last cell, as a converter prints it.
    """
    lines: list[str] = []
    # Per grid column: (whether it is a header cell, text) of the cell a vertical merge started in.
    merge_origin: dict[int, tuple[bool, str]] = {}
    for row_index, row in enumerate(table.iterchildren(f"{W}tr")):
        cells: list[str] = []
        column = grid_skip(row, "gridBefore")
        cells.extend([""] * column)
        # The first row is the header; a row whose first cell continues a header cell down is too.
        header = row_index == 0
        for cell in row.iterchildren(f"{W}tc"):
            span = cell_property(cell, "gridSpan")
            width = int(span) if span and span.isdigit() else 1
            merge = cell.find(f"{W}tcPr/{W}vMerge")
            text = cell_text(cell, numbering)
            if merge is not None and merge.get(f"{W}val") != "restart":
                origin = merge_origin.get(column)
                if column == 0 and origin and origin[0]:
                    header = True
                text = origin[1] if origin and not origin[0] else ""
            elif merge is not None:
                merge_origin[column] = (header, text)
            else:
                merge_origin.pop(column, None)
            cells.append(text)
            cells.extend([""] * (width - 1))
            column += width
        if any(cells):
            lines.append("\t".join(cells))
    return lines


def grid_skip(row, name: str) -> int:
    """Grid columns a row leaves out before its cells (w:gridBefore)."""
    element = row.find(f"{W}trPr/{W}{name}")
    value = element.get(f"{W}val") if element is not None else None
    return int(value) if value and value.isdigit() else 0


def cell_property(cell, name: str) -> str | None:
    element = cell.find(f"{W}tcPr/{W}{name}")
    return element.get(f"{W}val") if element is not None else None


def cell_text(cell, numbering: Numbering) -> str:
    """A cell's paragraphs (and any table nested in it) as one line, paragraphs kept apart by <br>."""
    parts: list[str] = []
    for child in cell.iterchildren():
        if child.tag == f"{W}p":
            text = paragraph_text(child, numbering).replace("\n", "<br>")
            if text.strip():
                parts.append(text.replace("\t", " ").strip())
        elif child.tag == f"{W}tbl":
            parts.extend(line.replace("\t", " ") for line in table_lines(child, numbering))
        elif child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                parts.append(cell_text(content, numbering))
    return "<br>".join(part for part in parts if part)
