"""Importer path for a policy compilation (政策汇编): items grouped by region.

Reads the normalised lines of a compilation and writes one `DocumentRecord` per item:

    四、华南                      ← a region of the country (ignored but for the item's place)
    （一）广东                    ← the province: DocumentRecord.region
    1. 广东省财政厅关于进一步加强政府采购需求管理工作的通知 (2023 年 4 月 19 日)
    http://czt.gd.gov.cn/gkmlpt/content/4/4167/mpost_4167088.html#98   ← source_url
    粤财采购函〔2023〕29 号        ← 文号, 主送, body, 落款 read as for any document

Text before the first item (a compilation excerpt often starts mid-document) is kept as a
DocumentRecord with fragment=True.
"""

from __future__ import annotations

import re

from .documents import DocumentSpan
from .lines import Line, tidy_title
from .parts import read_document
from .patterns import issuer_from_title
from .records import DocumentRecord
from .text import DATE_ARABIC, DATE_CHINESE, parse_date

# "1. 广东省财政厅关于…的通知 (2023 年 4 月 19 日)", "6. 广东省人民政府办公厅关于印发…" — an item's first line.
ITEM_START = re.compile(r"^(?P<num>\d{1,3})\s*[.．、]\s*(?!\d)(?P<title>\S.*)$")
# "若干措施的通知（2023 年 1 月 12 日）" — the item title ends with its date in brackets.
TITLE_DATE = re.compile(rf"\s*[（(]\s*(?P<date>{DATE_ARABIC.pattern}|{DATE_CHINESE.pattern})\s*[）)]\s*$")
# "http://www.gd.gov.cn/…", "<http://www.gxzf.gov.cn/zfwj/zxwj/t16611460.shtml>" — the item's source.
URL_LINE = re.compile(r"^<?(?P<url>(?:https?://|www\.)[^\s<>]+)>?$")
# "（一）广东", "(二) 广西壮族自治区" — a province heading.
PROVINCE_HEADING = re.compile(r"^[（(]\s*[一二三四五六七八九十]+\s*[）)]\s*(?P<name>[\u4e00-\u9fff]{2,8})$")
# "四、华南", "五、华中" — a part of the country.
AREA_HEADING = re.compile(r"^[一二三四五六七八九十]+\s*、\s*(?P<name>[\u4e00-\u9fff]{2,6})$")
# Provincial-level names a compilation groups its items by (short and full forms).
PROVINCES = (
    "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 广西 "
    "海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 香港 澳门 台湾"
).split()
AREAS = "华北 东北 华东 华中 华南 西南 西北 中部 东部 西部 国家层面 中央层面".split()
# An item title spans at most this many lines before its date/URL.
MAX_TITLE_LINES = 3
# "政策汇编" — the name of a compilation whose file names none.
DEFAULT_NAME = "政策汇编"
# "2023年营商环境政策汇编", "# 优化营商环境政策汇编" — a compilation's own heading.
COMPILATION_NAME = re.compile(r"^[\u4e00-\u9fff\d（）()\s]{2,40}(?:汇编|选编|摘编)$")


def province_of(name: str) -> str | None:
    """The short province name a heading names (广西壮族自治区 → 广西), or None."""
    for province in PROVINCES:
        if name.startswith(province):
            return province
    return None


def find_items(lines: list[Line]) -> list[tuple[int, int, str | None, str | None]]:
    """(first line, end of title, title text, url) of each compilation item."""
    items = []
    for index, line in enumerate(lines):
        if line.is_row or not ITEM_START.match(line.text):
            continue
        title_parts = [line.text]
        end = index + 1
        while not TITLE_DATE.search("".join(title_parts)) and end < len(lines) and end - index < MAX_TITLE_LINES:
            nxt = lines[end]
            if nxt.is_row or URL_LINE.match(nxt.text) or ITEM_START.match(nxt.text) or len(nxt.text) > 80:
                break
            title_parts.append(nxt.text)
            end += 1
        dated = TITLE_DATE.search("".join(title_parts))
        url_match = URL_LINE.match(lines[end].text) if end < len(lines) and not lines[end].is_row else None
        if not dated and not url_match:
            continue
        if not dated:
            # Undated: only the first line is the title.
            title_parts, end = [line.text], index + 1
            url_match = URL_LINE.match(lines[end].text) if end < len(lines) else None
            if not url_match:
                continue
        url = url_match.group("url") if url_match else None
        items.append((index, end + (1 if url_match else 0), " ".join(title_parts), url))
    return items


def is_compilation(lines: list[Line]) -> bool:
    """True when the file is a compilation: several dated items with source URLs."""
    items = find_items(lines)
    return sum(1 for item in items if item[3]) >= 2


def read_compilation(lines: list[Line]) -> tuple[str, list[DocumentRecord], list[str]]:
    """(name, documents, warnings) of a compilation."""
    items = find_items(lines)
    warnings: list[str] = []
    name = DEFAULT_NAME
    for line in lines[: items[0][0] if items else 0][:5]:
        if COMPILATION_NAME.match(line.text):
            name = line.text.replace(" ", "")
            break
    # Region headings by line index.
    regions: dict[int, str] = {}
    for index, line in enumerate(lines):
        match = PROVINCE_HEADING.match(line.text)
        if match and province_of(match.group("name")):
            regions[index] = province_of(match.group("name"))
    skip = set(regions)
    for index, line in enumerate(lines):
        match = AREA_HEADING.match(line.text)
        if match and match.group("name") in AREAS:
            skip.add(index)
    documents = []
    first_item = items[0][0] if items else len(lines)
    lead = [line for index, line in enumerate(lines[:first_item]) if index not in skip]
    if lead:
        fragment = read_document(DocumentSpan(title_lines=[], lines=lead))
        fragment.title = "（汇编开头的残篇，不属于任何条目）"
        fragment.fragment = True
        fragment.issuer = None
        documents.append(fragment)
    region = None
    region_points = sorted(regions)
    for number, (first, body_start, title_text, url) in enumerate(items):
        stop = items[number + 1][0] if number + 1 < len(items) else len(lines)
        for point in region_points:
            if point < first:
                region = regions[point]
        body = [line for index, line in enumerate(lines[body_start:stop], start=body_start) if index not in skip]
        title = ITEM_START.match(title_text).group("title")
        dated = TITLE_DATE.search(title)
        date = parse_date(dated.group("date")) if dated else None
        if dated:
            title = title[: dated.start()]
        title = tidy_title(title)
        record: DocumentRecord = read_document(DocumentSpan(title_lines=[], lines=body))
        record.title = title
        record.region = region
        record.source_url = url
        record.issuer = issuer_from_title(title)
        record.date = date or record.date
        documents.append(record)
    return name, documents, warnings
