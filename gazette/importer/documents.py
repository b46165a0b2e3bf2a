"""Step 3 of the importer: find where each document starts in the body of an issue.

Reads the body lines (TOC blocks skipped) and the TOC entries, and writes `DocumentSpan`s:
the lines of each document's title and the lines of the rest of the document, up to the
next document or the colophon on the back cover. A title is found even when it is split
over several heading lines or has stray spaces; failing that, by its 文号 line. Documents
the TOC does not list are found by their shape: title line(s), then a 文号 line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .lines import Line, compact
from .patterns import RECIPIENTS_LINE, RUNNING_TEXT, heading_marker, is_date_line, is_doc_number_line
from .text import normalise_doc_number
from .toc import TocEntry

# "主管：广西壮族自治区贺州市人民政府", "印制：贺州市桂东印刷有限公司" — the colophon on the back cover.
COLOPHON = re.compile(
    r"^(?:主\s*管|主\s*办|编\s*辑|编\s*印|出\s*版|地\s*址|网\s*址|电\s*话|联系电话|邮\s*编|印\s*制|印\s*刷|承\s*印"
    r"|内部资料|免费交流|准印证|.{0,12}出版物准印证|国际标准|国内统一)"
)
# A title runs over at most this many lines.
MAX_TITLE_LINES = 4
# A title line is short and carries no running-text punctuation except in 《》 or （）.
TITLE_LINE_MAX_CHARS = 60


@dataclass
class DocumentSpan:
    """Where one document sits in the body."""

    title_lines: list[Line]
    lines: list[Line]
    entry: TocEntry | None = None
    start: int = 0
    warnings: list[str] = field(default_factory=list)


def strip_colophon(lines: list[Line]) -> list[Line]:
    """Lines without the colophon block at the end of the file."""
    end = len(lines)
    index = len(lines) - 1
    tail_start = None
    # Walk back over the last lines; the colophon is a run of field lines near the end.
    while index >= 0 and len(lines) - index <= 15:
        if COLOPHON.match(lines[index].text):
            tail_start = index
        index -= 1
    if tail_start is None:
        return lines
    return lines[:tail_start] if tail_start < end else lines


def find_title(keys: list[str], key: str, start: int) -> tuple[int, int] | None:
    """(first, end) line indexes from start whose joined keys equal key, or None."""
    if not key:
        return None
    for first in range(start, len(keys)):
        if not keys[first] or not key.startswith(keys[first]):
            continue
        joined = keys[first]
        end = first + 1
        while (
            joined != key and end < len(keys) and end - first < MAX_TITLE_LINES and key.startswith(joined + keys[end])
        ):
            joined += keys[end]
            end += 1
        if joined == key:
            return first, end
    return None


def find_by_number(lines: list[Line], doc_number: str, start: int) -> int | None:
    """Index of the 文号 line carrying doc_number from start, or None."""
    for index in range(start, len(lines)):
        text = lines[index].text
        if not lines[index].is_row and is_doc_number_line(text) and normalise_doc_number(text) == doc_number:
            return index
    return None


def title_lines_before(lines: list[Line], index: int, floor: int) -> int:
    """First index of the title lines that end right before index (a 文号 line)."""
    first = index
    while first - 1 >= floor and index - (first - 1) <= MAX_TITLE_LINES and looks_like_title_line(lines[first - 1]):
        first -= 1
    return first


def looks_like_title_line(line: Line) -> bool:
    """True for a line that can be (part of) a document title."""
    text = line.text
    if line.is_row or len(text) > TITLE_LINE_MAX_CHARS or is_date_line(text) or is_doc_number_line(text):
        return False
    if heading_marker(text) or RECIPIENTS_LINE.match(text):
        return False
    outside = re.sub(r"《[^》]*》|（[^）]*）|\([^)]*\)|“[^”]*”", "", text)
    return not RUNNING_TEXT.search(outside)


def locate_documents(lines: list[Line], entries: list[TocEntry]) -> tuple[list[DocumentSpan], list[str]]:
    """Spans of the TOC's documents in lines, plus documents found that the TOC does not list.

    Returns the spans in body order and warnings for entries not found and documents not listed.
    """
    keys = [compact(line.text) if not line.is_row else "" for line in lines]
    warnings: list[str] = []
    starts: list[tuple[int, int, TocEntry | None]] = []  # (title first, title end, entry)
    cursor = 0
    for entry in entries:
        found = find_title(keys, compact(entry.title), cursor)
        if found is None and entry.doc_number:
            number_at = find_by_number(lines, entry.doc_number, cursor)
            if number_at is not None:
                found = (title_lines_before(lines, number_at, cursor), number_at)
        if found is None:
            # A title printed a little differently: try again from the top of the body.
            found = find_title(keys, compact(entry.title), 0)
            if found and any(found[0] == s[0] for s in starts):
                found = None
        if found is None:
            warnings.append(
                f"目录中的《{entry.title}》（{entry.doc_number or '无文号'}）在正文中未找到，未导入该文件。"
            )
            continue
        starts.append((found[0], found[1], entry))
        cursor = found[1]
    starts.sort(key=lambda s: s[0])
    listed_number_lines = {s[1] for s in starts}
    # Documents the TOC does not list: title line(s) followed by a 文号 line and a 主送 or date.
    for index, line in enumerate(lines):
        if index in listed_number_lines or line.is_row or not is_doc_number_line(line.text):
            continue
        if any(first <= index < end + 2 for first, end, _ in starts):
            continue
        first = title_lines_before(lines, index, 0)
        if first == index or not opens_document(lines, index):
            continue
        title = "".join(line.text for line in lines[first:index])
        if entries:
            warnings.append(
                f"正文中的《{title}》（{normalise_doc_number(lines[index].text)}）未列入目录，已作为单独文件导入。"
            )
        starts.append((first, index, None))
    starts.sort(key=lambda s: s[0])
    spans: list[DocumentSpan] = []
    for number, (first, end, entry) in enumerate(starts):
        stop = starts[number + 1][0] if number + 1 < len(starts) else len(lines)
        spans.append(DocumentSpan(title_lines=lines[first:end], lines=lines[end:stop], entry=entry, start=first))
    return spans, warnings


def opens_document(lines: list[Line], number_at: int) -> bool:
    """True when a 文号 line is followed by a 主送 line or the body of a document."""
    for line in lines[number_at + 1 : number_at + 3]:
        if RECIPIENTS_LINE.match(line.text):
            return True
    return False
