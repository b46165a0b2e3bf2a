"""Step 5 of the importer: turn the body lines of one document into Blocks.

Reads the `Line`s of a document body (title, 文号, 主送 and 落款 already taken off) and
writes `Block`s: headings with their depth, paragraphs whose hard-wrapped pieces are joined
again, and tables with their header row(s) first, repeated page headers dropped and rows
split by a page break put back together.
"""

from __future__ import annotations

import re

from .lines import Line, compact
from .patterns import (
    ARTICLE,
    ATTACHMENT_HEAD,
    ATTACHMENT_LIST,
    DASH_BULLET,
    LEAD_BRACKET,
    NOTE,
    NUMBERED_ITEM,
    ORG_LINE,
    RUNNING_TEXT,
    SENTENCE_END,
    heading_marker,
    is_date_line,
)
from .records import HEADING, PARAGRAPH, TABLE, Block

# A heading names a topic in a few words; longer numbered lines are running text.
HEADING_MAX_CHARS = 28
# A numbered line ending in 。 is a heading only when this short: "（一）组织保障。"
HEADING_MAX_CHARS_WITH_STOP = 15
# …up to this long when the next line starts a new numbered item, so it cannot be a wrap.
HEADING_MAX_CHARS_BEFORE_ITEM = 45
# "林冠同志", "附件1", "贺州市国家第三批增量配电业务改革试点实施方案" — a short line with no
# running-text punctuation stands alone (a name, an attachment or table title).
STANDALONE_MAX_CHARS = 40
# Closing marks that end a paragraph when what they close follows a sentence end:
# "…公开工作。〔牵头单位：市政管办〕", "…落实。”"
CLOSERS = {"〕": "〔", "）": "（", ")": "(", "】": "【", "”": "“", "」": "「", "』": "『"}
# "9", "2. 按照国家部署", "（二）着力优化", "三、进一步优化" — a cell that starts a new item of a table.
CELL_ITEM = re.compile(
    r"^(?:\d{1,3}\s*(?:[.．、]|$)|[（(]\s*[一二三四五六七八九十\d]+\s*[）)]|[一二三四五六七八九十]+、)"
)
# "自治区商务厅" above "自治区市场监管局": two units, one per line.
ORG_END = re.compile(r"(?:局|厅|委|办|府|会|室|中心|院|部|行|关|司|队|站|所|处|团)$")
# "、交通运输局", "）" — a piece that glues onto the text above whatever that ends with.
CELL_GLUE = re.compile(r"^[、，,；;：:）)〕】》”]")
# Header cells are labels: "牵头单位", "2020年".
HEADER_CELL_MAX_CHARS = 12
# A table goes on after at most this many text lines: a section row printed across the
# columns ("一、扩大有效投资"), a note at the foot of a page, or a cell's overflow.
MAX_TABLE_INTERRUPTION = 3
# "注：排在第一位的为牵头单位。", "说明：…" — a note printed under a table, kept after it.
TABLE_NOTE = re.compile(r"^(?:注|备注|说明|※)\s*[0-9１-９]?\s*[：:]")


def lines_to_blocks(lines: list[Line]) -> list[Block]:
    """Blocks of a document body, in order: tables from row lines, headings and paragraphs from text."""
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        if lines[i].is_row:
            rows, notes, i = table_rows(lines, i)
            blocks.append(Block(kind=TABLE, rows=build_table(rows)))
            blocks.extend(text_blocks(notes))
            continue
        j = i
        while j < len(lines) and not lines[j].is_row:
            j += 1
        blocks.extend(text_blocks(lines[i:j]))
        i = j
    return blocks


def table_rows(lines: list[Line], start: int) -> tuple[list[list[str]], list[Line], int]:
    """Rows of the table at start, the notes printed inside it, and the index after it.

    A table goes on across a few text lines between its rows: a section row becomes a row of
    its own, a note is kept for after the table, and text that finishes a cell the row above
    left open (a row the converter split) is joined to that cell.
    """
    rows: list[list[str]] = []
    notes: list[Line] = []
    width = len(lines[start].cells or [])
    i = start
    while i < len(lines):
        if lines[i].is_row:
            cells = list(lines[i].cells or [])
            if not join_split_row(rows, cells, [], width):
                rows.append(cells)
            i += 1
            continue
        gap = i
        while gap < len(lines) and not lines[gap].is_row and gap - i < MAX_TABLE_INTERRUPTION:
            gap += 1
        if gap >= len(lines) or not lines[gap].is_row or len(lines[gap].cells or []) < 2:
            break
        sections: list[list[str]] = []
        found_notes: list[Line] = []
        overflow: list[str] = []
        for line in lines[i:gap]:
            if TABLE_NOTE.match(line.text):
                found_notes.append(line)
            elif (heading_marker(line.text) or line.md_heading) and not overflow:
                # A section row spans the columns: pad it so it is never taken for a split row.
                sections.append([line.text] + [""] * (width - 1))
            else:
                overflow.append(line.text)
        if not sections and join_split_row(rows, list(lines[gap].cells or []), overflow, width):
            notes.extend(found_notes)
            i = gap + 1
            continue
        if overflow and (sections or not append_to_open_cell(rows, join_pieces(overflow))):
            # Text that finishes no cell: the table really ends here.
            break
        rows.extend(sections)
        notes.extend(found_notes)
        i = gap
    return rows, notes, i


def join_split_row(rows: list[list[str]], cells: list[str], between: list[str], width: int) -> bool:
    """Put back a row the converter broke inside a cell; False (rows unchanged) if cells is a row of its own.

    "6 | 稳定住房消费 | 落实…利率政策，" then "支持刚性和改善性" then "住房需求。 | 市住房城乡建设局 | …":
    the short row's last cell, the lines between and the next row's first cell are one cell.
    """
    if not rows or not cells or not cells[0]:
        return False
    above = rows[-1]
    if len(above) >= width or len(above) + len(cells) - 1 != width or not above[-1] or ends_sentence(above[-1]):
        return False
    above[-1] = join_pieces([above[-1], *between, cells[0]])
    above.extend(cells[1:])
    return True


def append_to_open_cell(rows: list[list[str]], text: str) -> bool:
    """Join text to the cell the last row left unfinished; False if text is not such a tail.

    The tail must end a sentence ("防止资金沉淀" / "闲置。") or open with a mark that glues it on,
    so a table title or an attachment head between two tables is never taken for one.
    """
    if not rows or not text or not (ends_sentence(text) or CELL_GLUE.match(text)) or ATTACHMENT_HEAD.match(text):
        return False
    row = rows[-1]
    open_cells = [k for k, cell in enumerate(row) if cell and not ends_sentence(cell) and not ORG_END.search(cell)]
    if not open_cells:
        return False
    k = max(open_cells, key=lambda k: len(row[k]))
    row[k] = join_pieces([row[k], text])
    return True


def text_blocks(lines: list[Line]) -> list[Block]:
    """Headings and reflowed paragraphs of consecutive text lines."""
    blocks: list[Block] = []
    pieces: list[str] = []
    in_attachment_list = False

    def flush() -> None:
        if pieces:
            blocks.append(Block(kind=PARAGRAPH, text=join_pieces(pieces)))
            pieces.clear()

    for index, line in enumerate(lines):
        text = line.text
        following = lines[index + 1].text if index + 1 < len(lines) else None
        marker = heading_marker(text)
        if line.md_heading:
            flush()
            blocks.append(Block(kind=HEADING, text=text, level=marker[0] if marker else None))
            continue
        if ATTACHMENT_HEAD.match(text):
            flush()
            blocks.append(Block(kind=HEADING, text=text, level=None))
            in_attachment_list = False
            continue
        if in_attachment_list and NUMBERED_ITEM.match(text):
            # "2.贺州市本级…清单" under "附件：1.…": another attachment title, not a heading.
            flush()
            pieces.append(text)
            continue
        in_attachment_list = bool(ATTACHMENT_LIST.match(text))
        if marker or DASH_BULLET.match(text) or ARTICLE.match(text) or NOTE.match(text) or in_attachment_list:
            flush()
            if marker and is_heading(text, marker[1], following):
                blocks.append(Block(kind=HEADING, text=text, level=marker[0]))
            else:
                pieces.append(text)
            continue
        if pieces and continues_paragraph("".join(pieces), text):
            pieces.append(text)
            continue
        flush()
        if is_standalone(text):
            blocks.append(Block(kind=HEADING, text=text, level=None))
        else:
            pieces.append(text)
    flush()
    return blocks


def is_heading(text: str, marker_end: int, following: str | None) -> bool:
    """True for a numbered line that names a topic: '（一）基本原则', not '（一）指导思想。全面贯彻…'."""
    rest = text[marker_end:].strip()
    if not rest:
        return False
    body = rest[:-1] if rest[-1] in "。." else rest
    if re.search(r"[。；;！？!?：:]", body) or body[-1:] in "，,、":
        return False
    if body != rest:
        # "1．落实电价优惠政策。" names a topic; "2. 本预案适用的…为桔柑类、茶叶类产品。" is a sentence.
        return len(body) <= HEADING_MAX_CHARS_WITH_STOP and not re.search(r"[，,、]", body)
    if len(rest) <= HEADING_MAX_CHARS:
        return True
    next_is_item = following is None or heading_marker(following) is not None
    return next_is_item and len(rest) <= HEADING_MAX_CHARS_BEFORE_ITEM


def is_standalone(text: str) -> bool:
    """True for a short unnumbered line that is a title or name, not a piece of running text."""
    if len(text) > STANDALONE_MAX_CHARS or RUNNING_TEXT.search(text):
        return False
    if is_date_line(text) or ORG_LINE.match(text):
        return False
    return not text.startswith(("http", "www", "（", "(", "《", "“")) and not text[-1:].isdigit()


def continues_paragraph(paragraph: str, line: str) -> bool:
    """True when line is the next hard-wrapped piece of paragraph, not a new paragraph."""
    if LEAD_BRACKET.match(line):
        return True
    if unbalanced(paragraph):
        return True
    return not ends_sentence(paragraph)


def ends_sentence(text: str) -> bool:
    """True when text ends a sentence: '…通知如下：', '…公开工作。〔牵头单位：市政管办〕'."""
    text = text.rstrip()
    if not text:
        return True
    last = text[-1]
    if last in SENTENCE_END:
        return True
    opener = CLOSERS.get(last)
    if opener is None:
        return False
    start = text.rfind(opener)
    if last == "”":
        return len(text) >= 2 and text[-2] in SENTENCE_END
    if start <= 0:
        return start == 0
    return text[start - 1] in SENTENCE_END


def unbalanced(text: str) -> bool:
    """True when a 〔…〕 or （…） opened in text is not closed yet (a bracket broken over lines)."""
    return text.count("〔") > text.count("〕") or (text.count("（") + text.count("(")) > (
        text.count("）") + text.count(")")
    )


def join_pieces(pieces: list[str]) -> str:
    """One paragraph from its hard-wrapped pieces: no space between Chinese, one between Latin words."""
    out = ""
    for piece in pieces:
        piece = piece.strip()
        if out and re.match(r"[A-Za-z0-9]", piece[:1]) and re.search(r"[A-Za-z0-9.,;:]$", out):
            out += " " + piece
        else:
            out += piece
    return out


def join_cell(above: str, below: str) -> str:
    """Text of a cell continued on the next page: a new line after a sentence end or before a new item."""
    if not below or below == above:
        return above
    if not above:
        return below
    if ends_sentence(above) or CELL_ITEM.match(below) or (ORG_END.search(above) and not CELL_GLUE.match(below)):
        return above + "\n" + below
    return join_pieces([above, below])


def build_table(rows: list[list[str]]) -> list[list[str]]:
    """Rows of one table: header row(s) first, page-header repeats dropped, split rows merged."""
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    header = [rows[0]]
    k = 1
    while k < len(rows) and len(header) < 3 and is_header_continuation(rows[k]):
        header.append(rows[k])
        k += 1
    width = len(header[0])
    header = [fit(row, width) for row in header]
    numbered_first = first_column_numbered(rows[k:], header)
    numbered_second = second_column_numbered(rows[k:], header)
    mapping: list[int] | None = None
    body: list[list[str]] = []
    after_break = False
    carry = ""
    while k < len(rows):
        row = rows[k]
        if repeats_header(row, header[0]):
            mapping = column_mapping(row, header[0])
            k += 1
            while k < len(rows) and len(header) > 1 and repeats_lower_header(rows[k], header[1:]):
                k += 1
            after_break = True
            continue
        row = remap(row, mapping, width) if mapping else fit(row, width)
        if carry and not row[0]:
            row[0] = carry
        carry = ""
        if body and is_continuation(row, after_break, numbered_first, numbered_second):
            if row[0] and numbered_second:
                # The label of the next group, printed on the continued row: keep it for the next row.
                carry = row[0]
            body[-1] = [join_cell(a, b) for a, b in zip(body[-1], [""] + row[1:] if row[0] else row, strict=True)]
        else:
            body.append(row)
        after_break = False
        k += 1
    return header + body


def is_header_continuation(row: list[str]) -> bool:
    """True for a second header row: '', '', '牵头单位', '配合单位' under a spanning label."""
    filled = [cell for cell in row if cell]
    return (
        bool(filled)
        and not row[0]
        and len(filled) < len(row)
        and all(len(cell) <= HEADER_CELL_MAX_CHARS and "\n" not in cell for cell in filled)
    )


def repeats_header(row: list[str], first_header: list[str]) -> bool:
    """True for the header printed again at the top of a page (possibly with shifted columns)."""
    return [compact(c) for c in row if c] == [compact(c) for c in first_header if c]


def repeats_lower_header(row: list[str], lower: list[list[str]]) -> bool:
    labels = {compact(c) for r in lower for c in r if c}
    filled = [compact(c) for c in row if c]
    return bool(filled) and not row[0] and all(c in labels for c in filled)


def first_column_numbered(rows: list[list[str]], header: list[list[str]]) -> bool:
    """True when nearly every data row fills its first cell (so an empty one means a continuation)."""
    data = [row for row in rows if not repeats_header(row, header[0]) and any(row[1:])]
    if not data:
        return True
    empty = sum(1 for row in data if not row[0])
    return empty * 5 <= len(data)


def second_column_numbered(rows: list[list[str]], header: list[list[str]]) -> bool:
    """True when rows with an empty first cell number their items in the second ('2. 按照…')."""
    data = [row for row in rows if len(row) > 1 and not row[0] and row[1]]
    if len(data) < 3:
        return False
    return sum(1 for row in data if CELL_ITEM.match(row[1])) * 2 > len(data)


def is_continuation(row: list[str], after_break: bool, numbered_first: bool, numbered_second: bool) -> bool:
    """True when row carries on the row above instead of starting a new one."""
    rest = [cell for cell in row[1:] if cell]
    if not rest:
        return False
    starts_item = bool(CELL_ITEM.match(rest[0]))
    if row[0]:
        # A group label on a row whose item text does not start a new item, right after a page break.
        return after_break and numbered_second and not starts_item
    if starts_item:
        return False
    return after_break or numbered_first


def fit(row: list[str], width: int) -> list[str]:
    """Row padded or cut to width; extra cells are joined into the last one."""
    row = list(row)
    if len(row) < width:
        return row + [""] * (width - len(row))
    if len(row) > width:
        last = row[width - 1]
        for extra in row[width:]:
            last = join_cell(last, extra)
        return row[: width - 1] + [last]
    return row


def column_mapping(header_row: list[str], canonical: list[str]) -> list[int] | None:
    """For a repeated header laid out differently, the canonical column of each of its columns."""
    if len(header_row) == len(canonical) and [bool(c) for c in header_row] == [bool(c) for c in canonical]:
        return None
    starts = [i for i, cell in enumerate(header_row) if cell]
    canon_starts = [i for i, cell in enumerate(canonical) if cell]
    if len(starts) != len(canon_starts):
        return None
    mapping: list[int] = []
    for group, start in enumerate(starts):
        end = starts[group + 1] if group + 1 < len(starts) else len(header_row)
        canon_start = canon_starts[group]
        canon_end = canon_starts[group + 1] if group + 1 < len(canon_starts) else len(canonical)
        for offset in range(start, end):
            mapping.append(min(canon_start + (offset - start), canon_end - 1))
    # Columns before the first label keep their place.
    return [*range(starts[0]), *mapping] if starts[0] else mapping


def remap(row: list[str], mapping: list[int], width: int) -> list[str]:
    out = [""] * width
    for index, cell in enumerate(row):
        target = mapping[index] if index < len(mapping) else width - 1
        out[target] = join_cell(out[target], cell)
    return out
