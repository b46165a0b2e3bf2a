"""Step 4 of the importer: read the parts of one document (公文格式).

Reads a `DocumentSpan` and writes a `DocumentRecord`: title, 发文字号 (with a 成文日期
printed on the same line), 主送机关, 正文 as blocks, 附件说明, 落款 (signature) and
成文日期. The signature and date close the covering notice; what follows them (the plan a
notice 印发s, the attachments) stays in the body.
"""

from __future__ import annotations

from .blocks import lines_to_blocks
from .documents import DocumentSpan
from .lines import Line, tidy_title
from .patterns import (
    ATTACHMENT_LIST,
    COLOPHON_COPY_TO,
    DECREE_HEAD,
    DECREE_SEQ_LINE,
    DECREE_SIGNER,
    NUMBERED_ITEM,
    ORG_LINE,
    PRINTED_LINE,
    PUBLICITY_LINE,
    RECIPIENT_HINT,
    RECIPIENTS_LINE,
    is_date_line,
    is_doc_number_line,
    issuer_from_title,
)
from .records import DocumentRecord
from .text import normalise_doc_number, parse_date

# 文号 and 主送 sit within the first lines after the title.
HEAD_LINES = 4
# "（略）1. 政府采购项目…" — the note that attachments are left out.
OMITTED = ("（略）", "(略)")
# A 抄送 list wraps over at most this many lines before the 印发 line.
MAX_COPY_TO_LINES = 4
# Joint issuers sign one per line, or two side by side: 19 departments took ten lines.
MAX_SIGNATURE_LINES = 20


def read_document(span: DocumentSpan) -> DocumentRecord:
    """The DocumentRecord of one span: its parts read, its body turned into blocks."""
    title = tidy_title("".join(line.text for line in span.title_lines))
    if span.entry and not title:
        title = span.entry.title
    record = DocumentRecord(title=title)
    if span.entry:
        record.doc_number = span.entry.doc_number
        record.page = span.entry.page
        record.section = span.entry.section
    preamble = read_decree_head(span.head_lines, record)
    read_masthead(span.head_lines, record)
    lines = preamble + span.title_lines + span.lines if preamble else span.lines
    body = strip_distribution(lines)
    body = read_head(body, record)
    body = read_signature(body, record)
    record.attachments = read_attachments(body)
    record.blocks = lines_to_blocks(body)
    if not record.issuer:
        record.issuer = issuer_from_title(title)
    return record


def read_decree_head(lines: list[Line], record: DocumentRecord) -> list[Line]:
    """The 公布令 of a 政府令 printed above its title; sets its number and issuer.

    "柳州市人民政府令" / "第12号" / "《…办法》已经…审议通过，现予公布…" / "市长　张某某" / date:
    the lines after the head and number are returned, to open the body before the title.
    """
    for index, line in enumerate(lines):
        match = DECREE_HEAD.match(line.text)
        if not match:
            continue
        rest = index + 1
        seq = match.group("seq")
        if seq is None and rest < len(lines) and DECREE_SEQ_LINE.match(lines[rest].text):
            seq = DECREE_SEQ_LINE.match(lines[rest].text).group("seq")
            rest += 1
        if seq is not None:
            record.doc_number = record.doc_number or f"{match.group('issuer')}令第{int(seq)}号"
        record.issuer = match.group("issuer")
        preamble = []
        for following in lines[rest:]:
            if DECREE_SIGNER.match(following.text) and not record.signature:
                record.signature = following.text if not following.pieces else "　".join(following.pieces)
                continue
            preamble.append(following)
        return preamble
    return []


def read_masthead(lines: list[Line], record: DocumentRecord) -> None:
    """The 文号 printed under the 发文机关标志, above the title (the TOC's 文号 wins if it has one)."""
    for line in lines:
        if is_doc_number_line(line.text):
            record.doc_number = record.doc_number or normalise_doc_number(line.text)
            record.date = parse_date(line.text) or record.date
            return


def strip_distribution(lines: list[Line]) -> list[Line]:
    """Lines without the 版记 (抄送, 印发机关和印发日期) and 附注 (此件公开发布, 公开方式).

    They close a document but are not its text; left in, they would read as a paragraph.
    """
    out: list[Line] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.is_row:
            out.append(line)
        elif COLOPHON_COPY_TO.match(line.text):
            index = copy_to_end(lines, index)
        elif PRINTED_LINE.match(line.text):
            if is_date_line(line.text) and out and not out[-1].is_row and ORG_LINE.match(out[-1].text):
                # "广州市人民政府办公厅秘书处" above "2023 年 5 月 18 日印发": the 印发机关 on a line of its own.
                out.pop()
        elif not PUBLICITY_LINE.match(line.text):
            out.append(line)
        index += 1
    return out


def copy_to_end(lines: list[Line], start: int) -> int:
    """Index of the last line of the 抄送 list at start: the 印发 line under it, or its last wrapped line."""
    for stop in range(start + 1, min(len(lines), start + 1 + MAX_COPY_TO_LINES)):
        if lines[stop].is_row:
            break
        if PRINTED_LINE.match(lines[stop].text):
            return stop
    end = start
    # "抄送：…自治区高级人民法院，" / "自治区人民检察院，各人民团体。" — a list broken after a comma.
    while end + 1 < len(lines) and end - start < MAX_COPY_TO_LINES and lines[end].text.endswith(("，", "、", ",")):
        if lines[end + 1].is_row:
            break
        end += 1
    return end


def read_head(lines: list[Line], record: DocumentRecord) -> list[Line]:
    """Take the 文号 line (with its date) and the 主送 line off the top; return the rest."""
    rest = list(lines)
    for index, line in enumerate(rest[:HEAD_LINES]):
        if line.is_row:
            break
        if is_doc_number_line(line.text):
            number = normalise_doc_number(line.text)
            if record.doc_number and number != record.doc_number:
                continue
            record.doc_number = number
            record.date = parse_date(line.text) or record.date
            del rest[index]
            break
    for index, line in enumerate(rest[:2]):
        if line.is_row:
            break
        match = RECIPIENTS_LINE.match(line.text)
        if match and RECIPIENT_HINT.search(match.group("to")):
            record.recipients = match.group("to")
            del rest[index]
            break
    return rest


def read_signature(lines: list[Line], record: DocumentRecord) -> list[Line]:
    """Take the first 落款 (organisation line, then a date line) off the body; return the rest.

    With no organisation line, a date standing alone after the text still gives the 成文日期.
    """
    for index, line in enumerate(lines):
        if line.is_row or not is_date_line(line.text):
            continue
        date = parse_date(line.text)
        names: list[str] = []
        first = index
        while first > 0 and index - first < MAX_SIGNATURE_LINES:
            above = signature_names(lines[first - 1])
            if not above:
                break
            names = above + names
            first -= 1
        if names:
            record.signature = "\n".join(names)
            record.issuer = "、".join(names)
            record.date = date or record.date
            return lines[:first] + lines[index + 1 :]
        if record.date is None and date:
            record.date = date
            return lines[:index] + lines[index + 1 :]
        break
    return lines


def signature_names(line: Line) -> list[str]:
    """The organisations a 落款 line names: one, or several set side by side; [] for any other line."""
    if line.is_row:
        return []
    if line.pieces and all(ORG_LINE.match(piece) for piece in line.pieces):
        return list(line.pieces)
    if ORG_LINE.match(line.text):
        return [line.text]
    return []


def read_attachments(lines: list[Line]) -> list[str]:
    """Titles listed in the 附件说明 ('附件：1.…' and the numbered lines under it)."""
    for index, line in enumerate(lines):
        if line.is_row:
            continue
        match = ATTACHMENT_LIST.match(line.text)
        if not match:
            continue
        rest = match.group("rest").strip()
        for mark in OMITTED:
            rest = rest.replace(mark, "")
        rest = rest.strip()
        titles: list[str] = []
        first = NUMBERED_ITEM.match(rest)
        if rest:
            titles.append(first.group("text").strip() if first else rest)
        if first or not rest:
            for following in lines[index + 1 :]:
                item = NUMBERED_ITEM.match(following.text)
                if following.is_row or not item:
                    break
                titles.append(item.group("text").strip())
        return [title for title in titles if title]
    return []
