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
    NUMBERED_ITEM,
    ORG_LINE,
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
    body = read_head(span.lines, record)
    body = read_signature(body, record)
    record.attachments = read_attachments(body)
    record.blocks = lines_to_blocks(body)
    if not record.issuer:
        record.issuer = issuer_from_title(title)
    return record


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
        if index > 0 and not lines[index - 1].is_row and ORG_LINE.match(lines[index - 1].text):
            record.signature = lines[index - 1].text
            record.issuer = record.signature
            record.date = date or record.date
            return lines[: index - 1] + lines[index + 1 :]
        if record.date is None and date:
            record.date = date
            return lines[:index] + lines[index + 1 :]
        break
    return lines


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
