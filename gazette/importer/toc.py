"""Step 2b of the importer: read the table of contents (目录) of an issue.

Reads the normalised lines and writes `TocEntry`s (title, 文号, page, section) plus the span
of lines each 目录 block covers, so later steps can skip them. Entry forms seen:

    - ◆贺州市人民政府关于市长副市长工作分工调整的通知(贺政发〔2019〕1号) 1
    柳州市人民政府办公室关于印发《柳州市服 务业发展“十四五”规划》的通知·····<TAB>柳政办〔2022〕9号（3）
    南宁市人民政府关于印发南宁市…的通知
    (南府发〔2020〕12号) ........ (5)

with section headings (市人民政府文件, 人事任免) between entries. A 目录 whose lines carry no
page number or 文号 (the chapter list of a plan printed inside a document) is not a TOC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lines import Line, compact, tidy_title
from .patterns import DOC_NUMBER_BARE, RECIPIENTS_LINE, is_date_line, is_doc_number_line
from .text import DECREE_NUMBER, find_decree_number, find_doc_number

# "目 录", "目录", "目　次" — the head of a TOC block (spaces already normalised).
TOC_HEAD = re.compile(r"^\s*目\s*[录錄次]\s*$")
# "- ◆", "◆", "● ", "* " — list bullets in front of an entry.
ENTRY_BULLET = re.compile(r"^(?:[-*+]\s+)?[◆◇●○■□★☆·•▪]*\s*")
# "……（3）", "(贺政发〔2019〕1号) 1", "..... (35)", "柳政办〔2023〕12号（96" — the page at the end.
PAGE_TAIL = re.compile(r"(?:[.·…\s_—-]*[（(]\s*(?P<page>\d{1,4})\s*[）)]?|[.·…\s_]+(?P<bare>\d{1,4}))\s*$")
# "6  桂林市人民政府关于公布…的通知  市政发（2024）6号" — the page printed before the title.
PAGE_HEAD = re.compile(r"^(?P<page>\d{1,4})\s+(?=[^\d\s年月日.．、])")
# "(贺政办发〔2018〕139号)", "柳政办〔2022〕9号", "【南府发〔2024〕3号】", "桂政办发 [ 2024 ] 5 号" — the
# 文号 at the end of an entry.
DOC_NUMBER_TAIL = re.compile(rf"[（(\[【〔]?\s*(?P<number>{DOC_NUMBER_BARE})\s*[）)\]】〕]?\s*$")
# "柳州市城市绿化管理办法（柳州市人民政府令第12号）" — a 政府令 number at the end of an entry.
DECREE_TAIL = re.compile(rf"[（(]\s*(?P<number>{DECREE_NUMBER.pattern})\s*[）)]\s*$")
# "【市人民政府文件】", "**省人民政府办公厅文件**", "〔人事任免〕" — brackets around a section heading.
SECTION_BRACKETS = "【】[]〔〕［］<>《》*"
# "广西壮族自治区人民政府办公厅主办　2024年3月10日出版", "2024年第5期" — cover lines that
# never belong to the first entry of a TOC printed without a 目录 head.
COVER_LINE = re.compile(r"公报|第\s*\d+\s*期|主\s*办|编\s*印|出\s*版|\d{4}\s*年\s*\d{1,2}\s*月")
# A TOC without a 目录 head starts within this many lines of the top of the file.
HEADLESS_TOC_WITHIN = 150
# "·····", "……", "......" — leader dots between title and page.
LEADER = re.compile(r"[.·…_\s—-]+$")
# A section heading between entries is a few words: "市人民政府文件", "人事任免".
SECTION_MAX_CHARS = 20
# Words that make a short line a document title rather than a section heading.
TITLE_WORDS = re.compile(r"关于|《|通知$|决定$|意见$|办法$|规定$|方案$|批复$|公告$|通告$|报告$|函$|令$|规划$|细则$")
# "| 文件名称 | 文号 | 页码 |" — a cell of the header row of a TOC printed as a table.
TOC_COLUMN_LABEL = re.compile(
    r"^(?:序号|文件名称|文件标题|标题|名称|题目|文号|发文字号|发文机关|页码|页次|页|类别|栏目)$"
)
# A title wraps over at most this many TOC lines before its 文号/page line.
MAX_PENDING_LINES = 3


@dataclass
class TocEntry:
    """One document listed in the 目录."""

    title: str
    doc_number: str | None = None
    page: int | None = None
    section: str | None = None


@dataclass
class Toc:
    entries: list[TocEntry]
    # (first, last) line indexes of each 目录 block, inclusive.
    spans: list[tuple[int, int]]

    def covers(self, index: int) -> bool:
        return any(first <= index <= last for first, last in self.spans)


def read_toc(lines: list[Line]) -> Toc:
    """All 目录 blocks of the file and their entries, in order."""
    entries: list[TocEntry] = []
    spans: list[tuple[int, int]] = []
    section: str | None = None
    index = 0
    if not any(not line.is_row and TOC_HEAD.match(line.text) for line in lines):
        headless = read_headless_toc(lines)
        if headless:
            return headless
    while index < len(lines):
        if lines[index].is_row or not TOC_HEAD.match(lines[index].text):
            index += 1
            continue
        found, last, section = read_toc_block(lines, index + 1, section)
        if found:
            entries.extend(found)
            spans.append((index, last))
            index = last + 1
        else:
            index += 1
    return Toc(entries=entries, spans=spans)


def read_headless_toc(lines: list[Line]) -> Toc | None:
    """A TOC printed without a 目录 line (a converter dropped it): entries with page numbers near the top.

    Starts at the first line that reads as an entry with a page, backed up over the section
    heading and title lines above it; needs at least two entries.
    """
    for index, line in enumerate(lines[:HEADLESS_TOC_WITHIN]):
        text = entry_text(line)
        if line.is_row or is_doc_number_line(text) or RECIPIENTS_LINE.match(text):
            # A document has begun before any entry: this file has no TOC.
            if not split_entry(text)[2]:
                return None
        title, _number, page = split_entry(text)
        if page is None:
            continue
        start = index
        while start > 0 and index - start < MAX_PENDING_LINES + 1:
            above = lines[start - 1]
            if above.is_row or COVER_LINE.search(above.text) or split_entry(entry_text(above))[2] is not None:
                break
            start -= 1
        entries, last, _section = read_toc_block(lines, start, None)
        if len(entries) >= 2:
            return Toc(entries=entries, spans=[(start, last)])
        return None
    return None


def entry_text(line: Line) -> str:
    """A TOC line as text: cells of a tab-split entry joined by a space, bullets removed."""
    text = " ".join(cell for cell in line.cells if cell) if line.cells else line.text
    return ENTRY_BULLET.sub("", text, count=1).strip()


def read_toc_block(lines: list[Line], start: int, section: str | None) -> tuple[list[TocEntry], int, str | None]:
    """Entries of one 目录 block from line start; returns them, the block's last line index, the section."""
    entries: list[TocEntry] = []
    pending: list[str] = []
    last = start - 1
    section_line: int | None = None
    previous_section = section
    for index in range(start, len(lines)):
        text = entry_text(lines[index])
        if is_toc_column_labels(lines[index]):
            if not entries:
                last = index
            continue
        if TOC_HEAD.match(text):
            # A second 目录 head continues the same TOC.
            last = index if not pending else last
            continue
        title_part, doc_number, page = split_entry(text)
        if page is None and is_doc_number_line(text):
            # "贺政发〔2019〕1号" under a title: the first document of the body, not an entry.
            break
        if doc_number or page is not None:
            parts = pending + ([title_part] if title_part else [])
            if not parts and section_line == index - 1:
                # "市人民政府工作规则" taken for a section was the title of this entry.
                parts, section = [lines[section_line].text], previous_section
            if not parts:
                break
            entries.append(
                TocEntry(title=tidy_title("".join(parts)), doc_number=doc_number, page=page, section=section)
            )
            pending = []
            last = index
            continue
        if is_doc_number_line(text) or is_date_line(text) or RECIPIENTS_LINE.match(text) or "。" in text:
            break
        if not pending and len(text) <= SECTION_MAX_CHARS and not TITLE_WORDS.search(text):
            previous_section, section, section_line = section, text.strip(SECTION_BRACKETS).strip(), index
            if not entries:
                last = index
            continue
        pending.append(text)
        if len(pending) > MAX_PENDING_LINES:
            break
    return entries, last, section


def is_toc_column_labels(line: Line) -> bool:
    """True for the header row of a TOC table: | 文件名称 | 文号 | 页码 |."""
    cells = [cell for cell in line.cells or [] if cell]
    return bool(cells) and all(TOC_COLUMN_LABEL.match(cell.replace(" ", "")) for cell in cells)


def split_entry(text: str) -> tuple[str, str | None, int | None]:
    """(title part, 文号, page) of one TOC line; 文号 and page are None when the line has none."""
    page = None
    match = PAGE_TAIL.search(text)
    if match and match.start() > 0 or (match and DOC_NUMBER_TAIL.search(text[: match.start()] or "")):
        page = int(match.group("page") or match.group("bare"))
        text = text[: match.start()]
    else:
        head = PAGE_HEAD.match(text)
        if head and (DOC_NUMBER_TAIL.search(text) or TITLE_WORDS.search(LEADER.sub("", text))):
            page = int(head.group("page"))
            text = text[head.end() :]
    doc_number = None
    number = DOC_NUMBER_TAIL.search(text)
    found = find_doc_number(number.group("number")) if number else None
    if number and found:
        offset, _end, (code, year, seq) = found
        doc_number = f"{code}〔{year}〕{seq}号"
        text = text[: number.start("number") + offset].rstrip("（(【[〔 ")
    else:
        decree = DECREE_TAIL.search(text)
        if decree and decree.start() > 0:
            doc_number = find_decree_number(decree.group("number"))[2]
            text = text[: decree.start()]
    title = LEADER.sub("", text).strip()
    return title, doc_number, page


def title_key(title: str) -> str:
    """A title folded for matching against body lines."""
    return compact(title)
