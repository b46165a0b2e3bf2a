"""Step 0 for PDF files: the text layer of a typeset PDF as the lines the parser reads.

Reads the bytes of a PDF (pdfplumber over pdfminer.six) page by page and writes plain text
in the shape `lines.split_lines` expects from a converter:

- characters grouped into lines by position, in reading order (top to bottom), with a wide
  gap between pieces set side by side kept as an ideographic space (joint signatures);
- running headers, footers and page numbers dropped: lines in a page's top or bottom band
  that repeat over the pages, or that are page numbers ("— 1 —");
- lines a paragraph was wrapped into joined again: a line reaching the right margin
  continues with the next line when that one starts at the left margin (not indented);
- ruled tables (find_tables) as tab-separated rows, a cell's wrapped lines joined and its
  numbered items kept on lines of their own (<br>);
- the 发文机关标志 of several bodies stacked beside one large "文件" made one line:
  "发展改革委办公厅　税务总局办公厅文件".

A PDF with no text layer (a scan) is refused: it needs OCR first.
"""

from __future__ import annotations

import io
import re
import statistics
from dataclasses import dataclass

from .errors import GazetteFileError
from .patterns import PAGE_NUMBER_LINE, is_page_furniture

# A gap wider than this many character sizes separates pieces set side by side.
WIDE_GAP_SIZES = 1.8
# …and a gap wider than this is a space (between Latin words, digits and CJK).
SPACE_GAP_SIZES = 0.4
# Running headers and footers sit in this share of the page height at its top or bottom.
FURNITURE_BAND = 0.12
# A line repeated (digits aside) on this share of the pages, in a band, is a running header.
FURNITURE_REPEAT_SHARE = 0.3
# A scanned PDF has (almost) no characters: fewer than this many a page on average.
SCANNED_CHARS_PER_PAGE = 10
# The 发文机关标志 is printed in characters this many times the body size or more.
MASTHEAD_SIZE_RATIO = 1.4
# "文件" — the word a 发文机关标志 ends in, printed once beside several bodies' names.
MASTHEAD_WORD = "文件"
# "1. 国家和自治区指定…", "（二）着力优化…", "三、进一步…" — a cell line that starts an item of its own.
CELL_ITEM_LINE = re.compile(
    r"^(?:\d{1,3}\s*[.．、]|[（(]\s*[一二三四五六七八九十\d]+\s*[）)]|[一二三四五六七八九十]+、)"
)
# "2018〕142号", "COVID-19" — a Latin word or number a line may open with, never broken inside.
LEAD_WORD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.,:%/\-]*[〕）)\]】》”’，。、；：]?")
# Marks a line must not open with (the character before them is moved down with them).
CLOSING_MARKS = "，。、；：？！）〕】》”’"
# "https://guangdong.chinatax.gov.cn/…/content_52f1….": an address wrapped at the line end goes on without a space.
URL_END = re.compile(r"(?:https?://|www\.)\S*$")
# What a PDF's soft hyphen (U+00AD) is drawn as: "2014­2020" is "2014-2020".
GLYPH_FIXES = str.maketrans({"\u00ad": "-"})


@dataclass
class PdfLine:
    """One line of a page, or one row of a ruled table (cells set)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int
    cells: list[str] | None = None
    # Width of what opens the line and could not have been broken: a Latin word or number
    # ("2018〕142号" moved down whole), or a closing mark with the character before it.
    lead_width: float = 0.0

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


def pdf_text(data: bytes, *, name: str) -> str:
    """The text of a PDF in the parser's line form.

    Raises GazetteFileError for a damaged or encrypted PDF, or a scan without a text layer.
    """
    # Imported here, not with the module: a web process that never reads a PDF is spared them.
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    pages: list[list[PdfLine]] = []
    heights: list[float] = []
    chars = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages):
                lines, count = page_lines(page, number)
                pages.append(lines)
                heights.append(float(page.height))
                chars += count
                # pdfplumber keeps each page's objects until closed: one page in memory at a time.
                page.close()
    except (PdfminerException, PDFSyntaxError) as exc:
        if "password" in repr(exc).lower() or "encrypt" in repr(exc).lower():
            raise GazetteFileError(f"{name}: PDF 文件设有密码或加密，无法读取；请另存为不加密的 PDF 再上传") from exc
        raise GazetteFileError(f"{name}: PDF 文件已损坏或不完整，无法读取") from exc
    if chars < SCANNED_CHARS_PER_PAGE * max(len(pages), 1):
        raise GazetteFileError(
            f"{name}: 这是扫描件（图片）PDF，没有可提取的文字层，无法导入；"
            "请先用文字识别（OCR）软件转成带文字的 PDF 或 Word 文件，再上传"
        )
    lines = drop_running_lines(pages, heights)
    lines = join_masthead(lines)
    return "\n".join(reflow(lines)) + "\n"


def page_lines(page, number: int) -> tuple[list[PdfLine], int]:
    """The lines and table rows of one page in reading order, and how many characters it has."""
    chars = [
        char
        for char in page.chars
        if char["upright"] and 0 <= char["x0"] <= page.width and 0 <= char["top"] <= page.height
    ]
    tables = page.find_tables(table_settings(page)) if (page.rects or page.lines) else []
    tables = [table for table in tables if len(table.rows) >= 2 and max(len(row.cells) for row in table.rows) >= 2]
    rows: list[PdfLine] = []
    free = chars
    for table in tables:
        x0, top, x1, bottom = table.bbox
        inside = [char for char in free if _inside(char, (x0, top, x1, bottom))]
        free = [char for char in free if not _inside(char, (x0, top, x1, bottom))]
        rows.extend(table_rows(table, inside, number))
    lines = group_lines(free, number) + rows
    lines.sort(key=lambda line: line.top)
    return lines, sum(1 for char in chars if char["text"].strip())


def table_settings(page) -> dict:
    """pdfplumber's table settings for a page, with the rule a page break left out put back.

    A row broken by a page break may be drawn without its bottom (or top) rule: the column
    rules then end where no row rule does, and a rule is assumed there so the row is found.
    """
    edges = page.edges
    rows = [edge["top"] for edge in edges if edge["orientation"] == "h"]
    ends = {round(y, 1) for edge in edges if edge["orientation"] == "v" for y in (edge["top"], edge["bottom"])}
    missing = sorted(y for y in ends if not any(abs(y - row) <= 2 for row in rows))
    return {"explicit_horizontal_lines": missing} if missing and rows else {}


def _inside(char: dict, box: tuple[float, float, float, float]) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def group_lines(chars: list[dict], page: int) -> list[PdfLine]:
    """Characters grouped into lines by their vertical middle, each line's text read left to right."""
    lines: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: (c["top"] + c["bottom"]) / 2):
        if not char["text"].strip():
            # A space glyph: kept in the line it stands in (it marks a word space), never starts one.
            if lines and abs(_middle(char) - _middle(lines[-1][0])) <= 0.45 * char["size"]:
                lines[-1].append(char)
            continue
        middle = (char["top"] + char["bottom"]) / 2
        if lines:
            first = lines[-1][0]
            if abs(middle - (first["top"] + first["bottom"]) / 2) <= 0.45 * max(char["size"], first["size"]):
                lines[-1].append(char)
                continue
        lines.append([char])
    return [_line(group, page) for group in lines]


def _middle(char: dict) -> float:
    return (char["top"] + char["bottom"]) / 2


def _line(chars: list[dict], page: int) -> PdfLine:
    chars = sorted(chars, key=lambda c: c["x0"])
    glyphs = [char for char in chars if char["text"].strip()]
    size = statistics.median(char["size"] for char in glyphs)
    parts: list[str] = []
    previous = None
    space = False
    for char in chars:
        if not char["text"].strip():
            space = previous is not None
            continue
        if previous is not None:
            gap = char["x0"] - previous["x1"]
            if gap > WIDE_GAP_SIZES * size:
                parts.append("\u3000")
            elif gap > SPACE_GAP_SIZES * size or space:
                parts.append(" ")
        parts.append(char["text"])
        previous = char
        space = False
    chars = glyphs
    return PdfLine(
        text="".join(parts).translate(GLYPH_FIXES),
        x0=chars[0]["x0"],
        x1=max(char["x1"] for char in chars),
        top=min(char["top"] for char in chars),
        bottom=max(char["bottom"] for char in chars),
        size=size,
        page=page,
        lead_width=lead_width(chars),
    )


def lead_width(chars: list[dict]) -> float:
    """Width of the unbreakable start of a line: a Latin word or number, or a closing mark and the character before."""
    text = "".join(char["text"] for char in chars[:40])
    word = LEAD_WORD.match(text)
    count = len(word.group()) if word else (2 if text[:1] in CLOSING_MARKS else 1)
    return chars[min(count, len(chars)) - 1]["x1"] - chars[0]["x0"]


def table_rows(table, chars: list[dict], page: int) -> list[PdfLine]:
    """The rows of a ruled table, each cell's text read from the characters inside it."""
    out: list[PdfLine] = []
    for row in table.rows:
        cells = []
        for box in row.cells:
            if box is None:
                # Covered by a cell spanning from the left or above: empty, as converters print it.
                cells.append("")
                continue
            inside = [char for char in chars if _inside(char, box)]
            cells.append(cell_text(group_lines(inside, page)))
        if not any(cells):
            continue
        x0, top, x1, bottom = row.bbox
        out.append(PdfLine("\t".join(cells), x0, x1, top, bottom, 0.0, page, cells=cells))
    return out


def cell_text(lines: list[PdfLine]) -> str:
    """A cell's lines as its text: wrapped lines joined, a numbered item on a line of its own (<br>)."""
    paragraphs: list[list[str]] = []
    for line in lines:
        text = line.text.replace("\t", " ")
        if not paragraphs or CELL_ITEM_LINE.match(text.strip()):
            paragraphs.append([text])
        else:
            paragraphs[-1].append(text)
    return "<br>".join(join_pieces(parts) for parts in paragraphs)


def drop_running_lines(pages: list[list[PdfLine]], heights: list[float]) -> list[PdfLine]:
    """All pages' lines without running headers, footers and page numbers."""
    counts: dict[str, int] = {}
    for page, height in zip(pages, heights, strict=True):
        for key in {_furniture_key(line) for line in page if _in_band(line, height)}:
            counts[key] = counts.get(key, 0) + 1
    repeated = {key for key, count in counts.items() if count >= 2 and count >= FURNITURE_REPEAT_SHARE * len(pages)}
    kept: list[PdfLine] = []
    for page, height in zip(pages, heights, strict=True):
        for line in page:
            if line.cells is None and _in_band(line, height):
                text = re.sub(r"\s", "", line.text)
                if _furniture_key(line) in repeated or PAGE_NUMBER_LINE.match(text) or text.isdigit():
                    continue
                if is_page_furniture(text):
                    continue
            kept.append(line)
    return kept


def _in_band(line: PdfLine, height: float) -> bool:
    return line.bottom <= height * FURNITURE_BAND or line.top >= height * (1 - FURNITURE_BAND)


def _furniture_key(line: PdfLine) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s", "", line.text))


def join_masthead(lines: list[PdfLine]) -> list[PdfLine]:
    """Stacked bodies' names beside one large 文件 made one 发文机关标志 line: 'A　B文件'."""
    out = list(lines)
    for index, line in enumerate(lines):
        if line.cells is not None or re.sub(r"\s", "", line.text) != MASTHEAD_WORD:
            continue
        names = [
            other
            for other in lines[max(0, index - 4) : index + 5]
            if other is not line
            and other.cells is None
            and other.page == line.page
            and other.size >= 0.9 * line.size
            and other.x1 <= line.x0 + line.size / 2
            and other.bottom >= line.top - 1.5 * line.size
            and other.top <= line.bottom + 1.5 * line.size
        ]
        if not names:
            continue
        joined = "\u3000".join(re.sub(r"\s", "", other.text) for other in names) + MASTHEAD_WORD
        first = min(names, key=lambda other: other.top)
        merged = PdfLine(joined, first.x0, line.x1, first.top, line.bottom, line.size, line.page)
        out = [other for other in out if other is not line and not any(other is name for name in names)]
        position = next(
            (k for k, other in enumerate(out) if other.page == line.page and other.top > first.top), len(out)
        )
        out.insert(position, merged)
        return out
    return out


def reflow(lines: list[PdfLine]) -> list[str]:
    """Text lines with the wrapped lines of a paragraph joined, table rows as they are."""
    text_lines = [line for line in lines if line.cells is None]
    if not text_lines:
        return [line.text for line in lines]
    body_size = statistics.median(line.size for line in text_lines)
    left = statistics.median_low(round(line.x0) for line in text_lines if abs(line.size - body_size) < 1)
    widths = sorted(line.x1 for line in text_lines if abs(line.size - body_size) < 1)
    right = widths[int(len(widths) * 0.9)] if widths else max(line.x1 for line in text_lines)
    out: list[str] = []
    pieces: list[str] = []
    previous: PdfLine | None = None
    for line in lines:
        if line.cells is not None:
            if pieces:
                out.append(join_pieces(pieces))
                pieces = []
            out.append(line.text)
            previous = None
            continue
        if previous is not None and pieces and _continues(previous, line, left, right):
            pieces.append(line.text)
        else:
            if pieces:
                out.append(join_pieces(pieces))
            pieces = [line.text]
        previous = line
    if pieces:
        out.append(join_pieces(pieces))
    return out


def join_pieces(pieces: list[str]) -> str:
    """One paragraph from its wrapped lines: no space between Chinese, one between Latin words.

    The text is not normalised here: the parser does that, and needs the wide gaps first.
    """
    out = pieces[0].strip()
    for piece in pieces[1:]:
        piece = piece.strip()
        if re.match(r"[A-Za-z0-9]", piece[:1]) and re.search(r"[A-Za-z0-9.,;:]$", out) and not URL_END.search(out):
            out += " "
        out += piece
    return out


def _continues(above: PdfLine, line: PdfLine, left: float, right: float) -> bool:
    """True when line is the next wrapped line of the paragraph above: that one is full, this one not indented."""
    if abs(above.size - line.size) > 1.5:
        return False
    # Full: no room left for what the line below opens with (a ragged right edge keeps a word whole).
    room = right - above.x1
    if room > max(1.2 * above.size, line.lead_width + 0.3 * above.size) or line.x0 > left + 0.6 * line.size:
        return False
    if line.page == above.page:
        return line.top - above.bottom < 1.2 * line.size
    return line.page == above.page + 1
