"""Step 2a of the importer: read the issue header (刊头) at the top of a gazette.

Reads the lines before the first 目录 or document and writes a `Header`: gazette name,
year, 第N期, 总第M期, publication date and the 编印 office. Layouts seen:
"2019年2月27日 第1期(总第51期)", "(2023年第14期, 总第149期)" with the date and "总第149期"
on lines of their own, "# 贺州市人民政府公报" in Markdown.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .lines import Line
from .text import parse_date

# "贺州市人民政府公报", "柳 州 市 人 民 政 府 公 报" (spaces already gone) — the gazette's name.
GAZETTE_NAME = re.compile(r"^(?P<name>[\u3400-\u9fff]{2,30}?(?:政府|人大常委会|办公厅)?公报)(?:[（(].*[)）])?$")
# "第1期（总第51期）", "(2023年第14期, 总第149期)", "2023年第14期" — the issue number.
ISSUE_NUMBER = re.compile(r"(?:(?P<year>(?:19|20)\d\d)\s*年\s*)?第\s*(?P<number>\d{1,3})\s*期")
# "总第51期", "总第 149 期" — the running number since the first issue.
TOTAL_NUMBER = re.compile(r"总\s*第\s*(?P<total>\d{1,5})\s*期")
# "2019" — the year alone on a line of the cover.
YEAR_ALONE = re.compile(r"^(?P<year>(?:19|20)\d\d)\s*年?$")
# "主 办：柳州市人民政府办公室" — the office that edits the gazette.
PUBLISHER_FIELD = re.compile(r"^(?:主\s*办|编\s*印|编\s*辑|出版|编印单位)\s*[：:]\s*(?P<org>.+)$")
# "贺州市人民政府办公室" — the 编印 office printed on the cover.
PUBLISHER_LINE = re.compile(r"^(?P<org>[\u3400-\u9fff]{2,30}(?:办公室|办公厅|编辑部|编辑委员会))(?:编印|编)?$")
# Lines of the cover worth reading; the header never runs longer than this.
HEADER_MAX_LINES = 30


@dataclass
class Header:
    """What the cover of an issue says."""

    gazette: str | None = None
    publisher: str | None = None
    year: int | None = None
    number: int | None = None
    total_number: int | None = None
    published: dt.date | None = None


def read_header(lines: list[Line]) -> Header:
    """The issue header from the first lines (up to the first 目录), keeping the first value of each field."""
    header = Header()
    for line in lines[:HEADER_MAX_LINES]:
        text = line.text
        if re.sub(r"\s", "", text) in ("目录", "目次"):
            break
        name = GAZETTE_NAME.match(text.replace(" ", ""))
        if name and not header.gazette:
            header.gazette = name.group("name")
            continue
        total = TOTAL_NUMBER.search(text)
        if total and header.total_number is None:
            header.total_number = int(total.group("total"))
        issue = ISSUE_NUMBER.search(TOTAL_NUMBER.sub("", text))
        if issue and header.number is None:
            header.number = int(issue.group("number"))
            if issue.group("year") and header.year is None:
                header.year = int(issue.group("year"))
        year = YEAR_ALONE.match(text)
        if year and header.year is None:
            header.year = int(year.group("year"))
        date = parse_date(text)
        if date and header.published is None:
            header.published = date
        field = PUBLISHER_FIELD.match(text)
        if field and not header.publisher:
            header.publisher = field.group("org").strip()
        office = PUBLISHER_LINE.match(text)
        if office:
            # The office printed on the cover wins over the 主办 field of the masthead.
            header.publisher = office.group("org")
    if header.year is None and header.published:
        header.year = header.published.year
    return header
