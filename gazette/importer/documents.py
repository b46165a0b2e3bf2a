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
from .patterns import (
    DECREE_HEAD,
    ORG_LINE,
    PUBLICITY_LINE,
    RECIPIENTS_LINE,
    RUNNING_TEXT,
    heading_marker,
    is_date_line,
    is_doc_number_line,
    is_masthead_line,
)
from .text import normalise_doc_number
from .toc import TocEntry

# "主管：广西壮族自治区贺州市人民政府", "印制：贺州市桂东印刷有限公司" — the colophon on the back cover.
COLOPHON = re.compile(
    r"^(?:主\s*管|主\s*办|编\s*辑|编\s*印|出\s*版|地\s*址|网\s*址|电\s*话|联系电话|邮\s*编|印\s*制|印\s*刷|承\s*印"
    r"|内部资料|免费交流|准印证|.{0,12}出版物准印证|国际标准|国内统一)"
)
# A title runs over at most this many lines.
MAX_TITLE_LINES = 4
# 发文机关标志, 文号, 签发人, 份号 and 密级 above a title take at most this many lines.
MAX_MASTHEAD_LINES = 5
# "……", "…" — where a TOC shortened a long title: "梧州市人民政府办公室关于同意设立梧州市六堡茶产业……的复函".
TITLE_ELLIPSIS = re.compile(r"…+|\.{3,}")
# Quotes a TOC may leave out of a title the body prints with them: 关于印发《…要点》的通知.
TITLE_QUOTES = re.compile(r"[《》“”\"]")
# A 政府令's 公布令 (preamble, 市长 signature, date) sits between its head and the title of
# the rules it publishes; it takes at most this many lines.
MAX_DECREE_PREAMBLE = 12
# A title line is short and carries no running-text punctuation except in 《》 or （）.
TITLE_LINE_MAX_CHARS = 60


@dataclass
class DocumentSpan:
    """Where one document sits in the body."""

    title_lines: list[Line]
    lines: list[Line]
    entry: TocEntry | None = None
    # 发文机关标志, 文号 and 签发人 printed above the title (empty when the 文号 follows it).
    head_lines: list[Line] = field(default_factory=list)
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


def find_by_number(lines: list[Line], doc_number: str, start: int, stop: int | None = None) -> int | None:
    """Index of the 文号 line carrying doc_number in lines[start:stop], or None."""
    for index in range(start, len(lines) if stop is None else min(stop, len(lines))):
        text = lines[index].text
        if not lines[index].is_row and is_doc_number_line(text) and normalise_doc_number(text) == doc_number:
            return index
    return None


def title_by_number(lines: list[Line], number_at: int, floor: int) -> tuple[int, int]:
    """(first, end) of the title that goes with the 文号 line at number_at.

    Under a masthead (信函格式 too) the title follows the 文号 and 主送 follows the title;
    otherwise the title is the lines right above the 文号 (possibly none).
    """
    after = title_after_number(lines, number_at)
    if after:
        return after
    return title_lines_before(lines, number_at, floor), number_at


def number_belongs_elsewhere(lines: list[Line], number_at: int, title_first: int) -> bool:
    """True when an entry's 文号 line comes before the line its title matched, with text between.

    "梧政办发〔2024〕6号" over "…关于印发…行动方案的通知" while the TOC lists the plan's own
    title: the title matched is the plan inside that notice, so the 文号 locates the entry.
    """
    return number_at < title_first and any(
        not is_masthead_line(line.text) for line in lines[number_at + 1 : title_first]
    )


def title_key_loose(title: str) -> str:
    """A title folded for a looser match: no quotes (《》“”), as a TOC may drop them."""
    return TITLE_QUOTES.sub("", compact(title))


def issuer_before(joined: str, key: str) -> bool:
    """True when joined is key with an issuing body's name before it (崇左市人民政府 + 关于公布…的通知)."""
    return key.startswith("关于") and joined.endswith(key) and bool(ORG_LINE.match(joined[: len(joined) - len(key)]))


def decree_head_above(lines: list[Line], first: int, floor: int) -> int | None:
    """Index of the 政府令 head ("柳州市人民政府令") over the 公布令 above a title at first, or None."""
    for index in range(first - 1, max(floor, first - MAX_DECREE_PREAMBLE) - 1, -1):
        if not lines[index].is_row and DECREE_HEAD.match(lines[index].text):
            return index
    return None


def find_title_loose(
    lines: list[Line], keys: list[str], title: str, start: int, stop: int | None = None
) -> tuple[int, int] | None:
    """(first, end) of title lines that match a TOC title printed differently, or None.

    The TOC may shorten a title with …… (head and tail must match), drop its 《》, drop the
    issuer before 关于, or list only what a notice 印发s (body: …关于印发<title>的通知).
    """
    key = title_key_loose(title)
    if not key:
        return None
    parts = TITLE_ELLIPSIS.split(key)
    head, tail = (parts[0], parts[-1]) if len(parts) > 1 else (None, None)
    for first in range(start, len(lines) if stop is None else stop):
        if not keys[first] or not looks_like_title_line(lines[first]):
            continue
        joined = ""
        for end in range(first, min(len(lines), first + MAX_TITLE_LINES)):
            if end > first and not looks_like_title_line(lines[end]):
                break
            joined += TITLE_QUOTES.sub("", keys[end])
            if head is not None:
                matched = len(joined) >= len(head) + len(tail) and joined.startswith(head) and joined.endswith(tail)
            else:
                matched = (
                    joined == key or issuer_before(joined, key) or issuer_before(joined, "关于印发" + key + "的通知")
                )
            if matched:
                return first, end + 1
    return None


def title_lines_before(lines: list[Line], index: int, floor: int) -> int:
    """First index of the title lines that end right before index (a 文号 line)."""
    first = index
    while first - 1 >= floor and index - (first - 1) <= MAX_TITLE_LINES and looks_like_title_line(lines[first - 1]):
        above = lines[first - 1].text
        if is_masthead_line(above) or PUBLICITY_LINE.match(above):
            break
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


def masthead_start(lines: list[Line], first: int, floor: int) -> int:
    """First index of the masthead lines (发文机关标志, 文号, 签发人) right above a title at first."""
    start = first
    while start - 1 >= floor and first - (start - 1) <= MAX_MASTHEAD_LINES:
        line = lines[start - 1]
        if line.is_row:
            break
        if not is_masthead_line(line.text):
            # 信函格式: the issuer's name alone over the 文号 ("梧州市人民政府办公室" / "梧政办函〔2024〕12号").
            if ORG_LINE.match(line.text) and start < first and is_doc_number_line(lines[start].text):
                start -= 1
            break
        start -= 1
    return start


def locate_documents(lines: list[Line], entries: list[TocEntry]) -> tuple[list[DocumentSpan], list[str]]:
    """Spans of the TOC's documents in lines, plus documents found that the TOC does not list.

    Returns the spans in body order and warnings for entries not found and documents not listed.
    """
    keys = [compact(line.text) if not line.is_row else "" for line in lines]
    warnings: list[str] = []
    # (masthead first, title first, title end, entry)
    starts: list[tuple[int, int, int, TocEntry | None]] = []
    cursor = 0
    for entry in entries:
        found = find_title(keys, compact(entry.title), cursor)
        if entry.doc_number:
            number_at = find_by_number(lines, entry.doc_number, cursor, found[0] if found else None)
            if number_at is not None and (found is None or number_belongs_elsewhere(lines, number_at, found[0])):
                found = title_by_number(lines, number_at, cursor)
        if found is None:
            found = find_title_loose(lines, keys, entry.title, cursor)
        elif not entry.doc_number and found[0] > cursor:
            # "崇左市2024年政务公开工作要点" listed without 文号: the notice that 印发s it comes first.
            found = find_title_loose(lines, keys, entry.title, cursor, found[0]) or found
        if found is None:
            # A title printed a little differently: try again from the top of the body.
            found = find_title(keys, compact(entry.title), 0)
            if found and any(found[0] == s[1] for s in starts):
                found = None
        if found is None:
            warnings.append(
                f"目录中的《{entry.title}》（{entry.doc_number or '无文号'}）在正文中未找到，未导入该文件。"
            )
            continue
        head = masthead_start(lines, found[0], cursor)
        if entry.doc_number is None or "令第" in entry.doc_number:
            decree = decree_head_above(lines, head, cursor)
            head = decree if decree is not None else head
        starts.append((head, found[0], found[1], entry))
        cursor = found[1]
    starts.sort(key=lambda s: s[1])
    taken = [(head, end + 2) for head, _first, end, _entry in starts]
    # Documents the TOC does not list, by their shape: title line(s) then a 文号 line and a
    # 主送 line, or (under a 发文机关标志) a 文号 line, then the title, then 主送.
    for index, line in enumerate(lines):
        if line.is_row or not is_doc_number_line(line.text):
            continue
        if any(head <= index < stop for head, stop in taken):
            continue
        first = title_lines_before(lines, index, 0)
        if first < index and opens_document(lines, index):
            head, title_first, title_end = masthead_start(lines, first, 0), first, index
        else:
            found = title_after_number(lines, index)
            if found is None:
                continue
            title_first, title_end = found
            head = masthead_start(lines, index + 1, 0)
        title = "".join(line.text for line in lines[title_first:title_end])
        if entries:
            warnings.append(
                f"正文中的《{title}》（{normalise_doc_number(lines[index].text)}）未列入目录，已作为单独文件导入。"
            )
        starts.append((head, title_first, title_end, None))
        taken.append((head, title_end + 2))
    starts.sort(key=lambda s: s[1])
    spans: list[DocumentSpan] = []
    for number, (head, first, end, entry) in enumerate(starts):
        stop = starts[number + 1][0] if number + 1 < len(starts) else len(lines)
        spans.append(
            DocumentSpan(
                title_lines=lines[first:end],
                lines=lines[end:stop],
                entry=entry,
                start=head,
                head_lines=lines[head:first],
            )
        )
    return spans, warnings


def title_after_number(lines: list[Line], number_at: int) -> tuple[int, int] | None:
    """(first, end) of the title under a masthead's 文号 line, when 主送 follows it; else None."""
    first = number_at + 1
    while first < len(lines) and first - number_at <= MAX_MASTHEAD_LINES and is_masthead_line(lines[first].text):
        if is_doc_number_line(lines[first].text):
            return None
        first += 1
    end = first
    while end < len(lines) and end - first < MAX_TITLE_LINES and looks_like_title_line(lines[end]):
        end += 1
    if end == first or end >= len(lines) or lines[end].is_row:
        return None
    match = RECIPIENTS_LINE.match(lines[end].text)
    return (first, end) if match else None


def opens_document(lines: list[Line], number_at: int) -> bool:
    """True when a 文号 line is followed by a 主送 line or the body of a document."""
    for line in lines[number_at + 1 : number_at + 3]:
        if RECIPIENTS_LINE.match(line.text):
            return True
    return False
