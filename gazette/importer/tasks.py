"""Task assignments of one document: what must be done, who leads, who supports, by when.

Reads the body blocks of one document (paragraphs, headings and tables as the block parser
leaves them) and writes `TaskRecord`s in body order, from two kinds of source:

- tables whose header names 牵头单位 / 配合单位 / 协助单位 / 责任单位 columns, found by
  keywords rather than position: one record per task row, or per numbered item when several
  items share a cell, and one per column group (自治区 / 柳州市) of a two-level header;
- brackets after a task's text: 〔牵头单位：…；配合单位：…〕, （责任单位：…）, or a list
  without labels such as 〔各县（区）人民政府，市公安局、商务局〕.

Who leads in a list without 牵头/配合 labels is read from the document itself: once it says
"排在第一位的为牵头单位" the first listed body leads and the others support; until then every
listed body is responsible and counted as lead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .departments import carried_prefix, is_department_list, prefix_for_level, split_departments
from .records import HEADING, PARAGRAPH, TABLE, Block, TaskRecord

# Bracket pairs an assignment is written in. Converters mix the square kinds, so any square
# opener closes with any square closer: 〔牵头单位：市商务局；配合单位：…市直各相关部门]
SQUARE_OPEN, SQUARE_CLOSE = "〔［[【", "〕］]】"
ROUND_OPEN, ROUND_CLOSE = "（(", "）)"
# The （ of "市商务局（市口岸办）": the next bracket a span may open at.
BRACKET_OPEN = re.compile(f"[{re.escape(SQUARE_OPEN + ROUND_OPEN)}]")
# Longest bracket read as one assignment; longer ones are prose in brackets.
MAX_BRACKET = 800

# A labelled part of an assignment bracket:
# 〔牵头单位：各县（区）人民政府，市商务局；配合单位：市发展改革委、工商局〕
# 〔牵头单位:各县(区)人民政府,市商务局;配合单位:市农业局、林业局、扶贫办、供销社〕
# （责任单位：各地级以上市人民政府，省市场监管局等按职责分工负责）
# (牵头：市自然资源局；参与：市农业农村局、水利局；完成时限：2024年底前)
LABEL = re.compile(
    r"(?P<label>牵头单位|牵头部门|主责单位|责任单位|责任部门|配合单位|配合部门|协助单位|协助部门|协办单位"
    r"|参与单位|参加单位|支持单位|完成时限|完成时间|完成期限|时间节点|时间安排|时限要求"
    r"|牵头|配合|协助|协办|参与|参加|责任)\s*[:：]"
)
LEAD_LABELS = frozenset({"牵头单位", "牵头部门", "主责单位", "牵头"})
SUPPORT_LABELS = frozenset(
    {
        "配合单位",
        "配合部门",
        "协助单位",
        "协助部门",
        "协办单位",
        "参与单位",
        "参加单位",
        "支持单位",
        "配合",
        "协助",
        "协办",
        "参与",
        "参加",
    }
)
DEADLINE_LABELS = frozenset({"完成时限", "完成时间", "完成期限", "时间节点", "时间安排", "时限要求"})

# The document's rule that the first listed body leads, in its wordings:
# 〔各县（区）人民政府，市工商局、邮政管理局。排在第一位的为牵头单位，下同〕
# （…按职责分工负责，列第一位者为牵头单位，下同）  排在第一位的部门为牵头部门  第一个为牵头单位
# 排名第一的单位为牵头单位  排在首位的是牵头单位
FIRST_LISTED_LEADS = re.compile(
    r"(?:排在|排名|排序|列在|列于|位列|排|列)?(?:第一位?|首位|第一个|第一家|最前面?)(?:的|者)?(?:单位|部门)?"
    r"(?:者)?(?:为|是|作为)牵头(?:单位|部门)?"
)
# "，列第一位者为牵头单位，下同" — the rule written inside an assignment bracket after the names.
FIRST_LISTED_CLAUSE = re.compile(rf"[，,；;。]?\s*(?:{FIRST_LISTED_LEADS.pattern})\s*(?:[，,；;]?\s*下同)?\s*$")
# …为牵头单位，下同 — the rule holds for the rest of the document, not just this bracket.
HOLDS_BELOW = re.compile(r"下同")
# A lead marked inside a list: 市商务局（牵头）、市财政局
LEAD_MARK = re.compile(r"（牵头(?:单位|部门)?）")

# The number a task paragraph starts with: 1.深化“放管服”改革。 / （一）加强组织领导。 /
# (二) 强化人才支撑。 / 一、总体要求
LEADING_NUMBER = re.compile(
    r"^\s*(?:(?P<arabic>\d{1,3})\s*[.．、](?!\d)|[（(]\s*(?P<paren>[一二三四五六七八九十]{1,4}|\d{1,3})\s*[)）]"
    r"|(?P<chinese>[一二三四五六七八九十]{1,3})、)\s*"
)
# Marks after which a bracket without labels may follow its task: …无需办理营业执照。〔各县（区）人民政府，…〕
SENTENCE_END = "。；;！？!?"
# A paragraph ending in one of these is complete; one that does not was cut by a page break:
# "…引导企业健全服务协议、交易规则和信用评价制度，逐步…切实维护" / "公平竞争秩序，…〔…〕"
COMPLETE_END = "。；;！？!?：:”）)〕]】"

# Header keywords by column role, tried in this order: 序号 | 改革事项 | 广西复制推广具体措施 |
# 完成时限 | 自治区 牵头单位 配合单位 | 柳州市 牵头单位 配合单位; 建设项目 | 建设内容 | 时间节点 | 责任单位
HEADER_ROLES = (
    ("number", re.compile(r"序号|编号")),
    # People, not bodies, before 责任 and 牵头 catch them: 责任领导 | 牵头市领导 | 联系人 (not 责任单位及责任人)
    ("person", re.compile(r"^(?!.*(?:单位|部门)).*(?:领导|联系人|负责人|责任人|联络员|经办人)")),
    ("lead", re.compile(r"牵头")),
    ("support", re.compile(r"配合|协助|协办|参与|支持")),
    ("responsible", re.compile(r"责任|实施主体|承办")),
    ("deadline", re.compile(r"时限|时间|节点|期限|进度")),
    ("measure", re.compile(r"措施|内容|举措|做法|要求|目标")),
    ("title", re.compile(r"事项|任务|项目|工作|名称|重点")),
)
DEPARTMENT_ROLES = frozenset({"lead", "support", "responsible"})
# Header cells are short; a longer cell is data even if it contains a keyword.
HEADER_CELL_MAX = 16

# A row that opens a section of a task table: 一、进一步破除区域分割和地方保护等不合理限制
SECTION_ROW = re.compile(r"^[一二三四五六七八九十]{1,3}\s*[、.．]")
# A 序号 that is the task's own number: 1, 12, 3.
ROW_NUMBER = re.compile(r"^(?P<number>\d{1,3})[.．、]?$")
# A 序号 cell that only labels a group of numbered items: (一) 全面实施市场准入负面清单管理。 / (十一)
GROUP_LABEL = re.compile(r"^[（(]\s*(?P<number>[一二三四五六七八九十]{1,4})\s*[)）]")
# A numbered item in a measure cell; several may share the cell, one per line or inline:
# "72. 持续开展强化公平竞争审查制止行政垄断“破壁”专项行动。 73. 开展破除行政垄断…"
ITEM_START = re.compile(r"(?:^|(?<=[。；;！？!?\s]))(?P<number>\d{1,3})\s*[.．、](?!\d)\s*")

# Roles named after the names, the State Council's way:
# （自治区工业和信息化厅牵头，自治区发展改革委、商务厅，北海、防城港、钦州市人民政府配合）
# （省政务服务数据管理局牵头，省有关单位及各地级以上市政府按职责分工负责）
# （省商务厅、发展改革委、国资委，各地级以上市人民政府负责）
TRAILING_ROLE = re.compile(
    r"(?P<names>[^；;]+?)(?:等(?:部门|单位)?)?(?:按照?职责分工|按照?职责|分工|共同)?"
    r"(?P<role>牵头负责|牵头|配合|参与|协助|协同|负责|落实)(?:[，,；;]\s*|$)"
)
TRAILING_LEAD_ROLES = frozenset({"牵头负责", "牵头"})
TRAILING_SUPPORT_ROLES = frozenset({"配合", "参与", "协助", "协同"})
# "市分工方案：" — a caption naming whose breakdown a list is, before a list with trailing roles:
# （市分工方案：市发展改革委、财政局，各区政府，人民银行广州分行负责）
LIST_CAPTION = re.compile(r"^[\u4e00-\u9fff]{1,8}(?:分工方案|分工|责任分工)\s*[：:]\s*")
# A deadline written without its label inside an assignment: "；2024年12月底前完成",
# "2025年6月底前", "持续推进", "长期坚持".
DEADLINE_PHRASE = re.compile(
    r"^(?:(?:19|20)\d\d\s*年(?:\s*\d{1,2}\s*月)?\s*(?:底|末|年底|上半年|下半年)?\s*(?:前|以前)?\s*(?:完成|基本完成)?"
    r"|持续推进|长期坚持|长期推进|持续开展|长期)$"
)

# （以下简称评审委员会） / （简称市联席办） / （含分中心） — a bracket that names or qualifies, not assigns.
NOT_A_LIST = re.compile(r"^(?:以下简称|下称|简称|含|不含|包括|即|如|详见|见)")


@dataclass
class _Reading:
    """What the document has said so far that changes how later assignments read."""

    first_listed_leads: bool = False
    # The last paragraph without an assignment, for a bracket that follows it on its own:
    # (block index, block kind, text)
    pending: tuple[int, str, str] | None = None
    # Column map of the last task table, for a table continued without its header.
    columns: dict[int, _Column] | None = None
    # The heading just read, whose number an unnumbered task paragraph under it takes:
    # （一）进一步完善冷链物流基础设施 / 科学规划，统筹布局，…〔市发展改革委、财政局…〕 (block index, number)
    heading: tuple[int, str | None] | None = None


@dataclass
class _Column:
    role: str
    group: str | None = None


@dataclass
class _Item:
    """One task of a table row: its number and, per measure column, its text and line span."""

    number: str | None
    texts: list[str] = field(default_factory=list)
    lines: tuple[int, int] | None = None


def extract_tasks(blocks: list[Block]) -> list[TaskRecord]:
    """All task assignments in a document's body blocks, in order."""
    reading = _Reading(first_listed_leads=_states_first_listed_rule(blocks))
    tasks: list[TaskRecord] = []
    for index, block in enumerate(blocks):
        if block.kind == TABLE:
            reading.pending = None
            tasks.extend(_table_tasks(block, index, reading))
        elif block.kind in (PARAGRAPH, HEADING):
            tasks.extend(_bracket_tasks(block, index, reading))
        reading.heading = (index, _leading_number(block.text)[0]) if block.kind == HEADING else None
    return tasks


# --- Assignments in brackets -------------------------------------------------------------


def _bracket_tasks(block: Block, index: int, reading: _Reading) -> list[TaskRecord]:
    """Tasks of a paragraph whose sentences end in assignment brackets."""
    text = block.text
    found = [
        (start, end, parts)
        for start, end, content in _brackets(text)
        if (parts := _assignment(content, text, start, end))
    ]
    if not found:
        reading.pending = _pending_after(block, index, text, reading.pending)
        return []
    offsets = [(0, index)]
    if reading.pending and _continues_pending(block, text[: found[0][0]], reading.pending):
        pending_index, _kind, pending_text = reading.pending
        offsets = [(0, pending_index), (len(pending_text), index)]
        shift = len(pending_text)
        text = pending_text + text
        found = [(start + shift, end + shift, parts) for start, end, parts in found]
    reading.pending = None
    number, position = _leading_number(text)
    if number is None and reading.heading and reading.heading[0] == offsets[0][1] - 1:
        number = reading.heading[1]
    tasks = []
    for start, end, parts in found:
        lead, support, deadline = _assignment_roles(parts, reading)
        if lead or support:
            block_index = max(i for offset, i in offsets if offset <= position)
            tasks.append(
                TaskRecord(
                    text=text[position:start].strip(),
                    number=number,
                    lead=lead,
                    support=support,
                    deadline=deadline,
                    block_index=block_index,
                )
            )
        position = end
    return tasks


def _pending_after(
    block: Block, index: int, text: str, pending: tuple[int, str, str] | None
) -> tuple[int, str, str] | None:
    """The text a later bracket may belong to: this block, joined to a paragraph it continues."""
    if not text.strip():
        return pending
    if pending and _continues_pending(block, text, pending):
        return pending[0], pending[1], pending[2] + text
    return index, block.kind, text


def _continues_pending(block: Block, before: str, pending: tuple[int, str, str]) -> bool:
    """True if a bracket's task text began in the previous block.

    Either the block is the bracket alone (〔各县（区）人民政府，市公安局、交通运输局、邮政管理局〕
    after its paragraph), or the previous paragraph was cut mid-sentence by a page break.
    """
    _index, kind, pending_text = pending
    if not before.strip():
        return True
    return (
        block.kind == PARAGRAPH
        and kind == PARAGRAPH
        and not LEADING_NUMBER.match(before)
        and not pending_text.rstrip().endswith(tuple(COMPLETE_END))
    )


def _brackets(text: str):
    """Top-level bracketed spans of text as (start, end, content); end is past the closer."""
    position = 0
    while (opening := BRACKET_OPEN.search(text, position)) is not None:
        position = opening.start()
        if text[position] in SQUARE_OPEN:
            opens, closes = SQUARE_OPEN, SQUARE_CLOSE
        else:
            opens, closes = ROUND_OPEN, ROUND_CLOSE
        close = _matching_close(text, position, opens, closes)
        if close is None:
            position += 1
            continue
        yield position, close + 1, text[position + 1 : close]
        position = close + 1


def _matching_close(text: str, start: int, opens: str, closes: str) -> int | None:
    """Index of the bracket closing the one at start, counting nested brackets of its kind."""
    depth = 0
    for position in range(start, min(len(text), start + MAX_BRACKET)):
        if text[position] in opens:
            depth += 1
        elif text[position] in closes:
            depth -= 1
            if depth == 0:
                return position
    return None


@dataclass
class _Parts:
    """An assignment bracket read into labelled lists (label None for a list without labels)."""

    lists: list[tuple[str | None, str]]
    first_listed_here: bool = False
    holds_below: bool = False


def _assignment(content: str, text: str, start: int, end: int) -> _Parts | None:
    """The parts of a bracket that assigns a task, or None for any other bracket."""
    listing, _, note = content.partition("。")
    listing = listing.strip()
    clause = FIRST_LISTED_CLAUSE.search(listing)
    if clause and clause.start() > 0:
        # "科技部、发展改革委等按职责分工负责，列第一位者为牵头单位，下同": the rule is a note, not names.
        listing, note = listing[: clause.start()].strip(), clause.group() + note
    first_listed = bool(FIRST_LISTED_LEADS.search(note))
    holds_below = first_listed and bool(HOLDS_BELOW.search(note))
    labels = list(LABEL.finditer(listing))
    if labels and labels[0].start() == 0:
        lists = []
        for label, following in zip(labels, labels[1:] + [None], strict=True):
            value = listing[label.end() : following.start() if following else len(listing)]
            lists.extend(_with_deadline(label.group("label"), value.strip(" ；;，,、")))
        return _Parts(lists, first_listed, holds_below)
    if not _at_sentence_boundary(text, start, end) or NOT_A_LIST.match(listing):
        return None
    trailing = _trailing_roles(LIST_CAPTION.sub("", listing))
    if trailing:
        return _Parts(trailing, first_listed, holds_below)
    if is_department_list(listing):
        return _Parts([(None, listing)], first_listed, holds_below)
    return None


def _with_deadline(label: str, value: str) -> list[tuple[str | None, str]]:
    """A labelled value, with a deadline written after its names split off: 市公安局、北海海关；2024年12月底前完成."""
    names, _, tail = value.rpartition("；") if "；" in value else value.rpartition(";")
    if names and DEADLINE_PHRASE.match(tail.strip()):
        return [(label, names.strip(" ，,、")), ("完成时限", tail.strip())]
    return [(label, value)]


def _trailing_roles(listing: str) -> list[tuple[str | None, str]] | None:
    """Lists whose role follows the names (…牵头，…配合 / …负责), or None if listing is not all such lists."""
    lists: list[tuple[str | None, str]] = []
    position = 0
    while position < len(listing):
        match = TRAILING_ROLE.match(listing, position)
        if not match:
            return None
        names = match.group("names").strip(" ，,、").replace("及", "、")
        if not is_department_list(names):
            return None
        role = match.group("role")
        label = "牵头" if role in TRAILING_LEAD_ROLES else "配合" if role in TRAILING_SUPPORT_ROLES else None
        lists.append((label, names))
        position = match.end()
    return lists or None


def _at_sentence_boundary(text: str, start: int, end: int) -> bool:
    """True if a bracket closes a sentence: after 。 or at the start, or before 。 or the end."""
    before = text[:start].rstrip()
    before = before[LEADING_NUMBER.match(before).end() :] if LEADING_NUMBER.match(before) else before
    after = text[end:].lstrip()
    return not before or before[-1] in SENTENCE_END or not after or after[0] in SENTENCE_END


def _assignment_roles(parts: _Parts, reading: _Reading) -> tuple[list[str], list[str], str | None]:
    """Lead and support names and the deadline of an assignment bracket."""
    first_listed = reading.first_listed_leads or parts.first_listed_here
    if parts.holds_below:
        reading.first_listed_leads = True
    has_lead_label = any(label in LEAD_LABELS for label, _value in parts.lists)
    lead: list[str] = []
    support: list[str] = []
    responsible: list[str] = []
    deadline = None
    prefix = None
    for label, value in parts.lists:
        if label in DEADLINE_LABELS:
            deadline = value or None
            continue
        names = split_departments(value, prefix)
        prefix = carried_prefix(names, prefix)
        if label in LEAD_LABELS:
            lead += names
        elif label in SUPPORT_LABELS:
            support += names
        else:
            responsible += names
    if responsible:
        if has_lead_label:
            support += responsible
        else:
            first, rest = _responsible_roles(responsible, first_listed)
            lead += first
            support += rest
    return _roles(lead, support) + (deadline,)


def _responsible_roles(names: list[str], first_listed_leads: bool) -> tuple[list[str], list[str]]:
    """Split 责任单位 into lead and support: marked 牵头, else first listed, else all lead."""
    marked = [name for name in names if LEAD_MARK.search(name)]
    if marked:
        return marked, [name for name in names if name not in marked]
    if first_listed_leads:
        return names[:1], names[1:]
    return names, []


def _roles(lead: list[str], support: list[str]) -> tuple[list[str], list[str]]:
    """Lead and support without 牵头 marks or repeats; a body that leads is not also support."""
    lead = _unique(LEAD_MARK.sub("", name) for name in lead)
    support = [name for name in _unique(LEAD_MARK.sub("", name) for name in support) if name not in lead]
    return lead, support


def _unique(names) -> list[str]:
    result: list[str] = []
    for name in names:
        if name and name not in result:
            result.append(name)
    return result


def _leading_number(text: str) -> tuple[str | None, int]:
    """A paragraph's own number (1 / （三） / 一) and where its text starts."""
    match = LEADING_NUMBER.match(text)
    if not match:
        return None, 0
    if match.group("arabic"):
        return match.group("arabic"), match.end()
    if match.group("paren"):
        return f"（{match.group('paren')}）", match.end()
    return match.group("chinese"), match.end()


def _states_first_listed_rule(blocks: list[Block]) -> bool:
    """True if the document states the first-listed rule outside any assignment bracket.

    E.g. a note under a table or a sentence before the tasks; such a rule covers the whole
    document. A rule inside an assignment bracket is read in order instead.
    """
    for block in blocks:
        text = block.plain_text()
        if not FIRST_LISTED_LEADS.search(text):
            continue
        masked = text
        for start, end, content in _brackets(text):
            if _assignment(content, text, start, end):
                masked = masked[:start] + " " * (end - start) + masked[end:]
        if FIRST_LISTED_LEADS.search(masked):
            return True
    return False


# --- Assignments in tables ---------------------------------------------------------------


def _table_tasks(block: Block, index: int, reading: _Reading) -> list[TaskRecord]:
    """Tasks of a 任务分工表: one per row item and column group."""
    rows = block.rows
    header = _read_header(rows)
    if header:
        columns, first_row = header
        reading.columns = columns
    elif reading.columns and rows and max(reading.columns) < len(rows[0]):
        # A table continued on the next page without its header.
        columns, first_row = reading.columns, 0
    else:
        return []
    table = _Table(columns)
    tasks: list[TaskRecord] = []
    previous: list[TaskRecord] = []
    for row_index in range(first_row, len(rows)):
        row = rows[row_index]
        if _is_header_row(row) or _is_subheader_row(row):
            continue
        records = table.read_row(row, index, row_index, previous, reading.first_listed_leads)
        tasks.extend(records)
        if records:
            # A continuation row carries on the last item of the row before.
            previous = [record for record in records if record.number == records[-1].number]
    return tasks


def _read_header(rows: list[list[str]]) -> tuple[dict[int, _Column], int] | None:
    """Column roles and groups from a table's header row(s), and the number of header rows."""
    if not rows or not _is_header_row(rows[0]):
        return None
    top = rows[0]
    sub = rows[1] if len(rows) > 1 and _is_subheader_row(rows[1]) else None
    columns: dict[int, _Column] = {}
    for i in range(max(len(top), len(sub or []))):
        sub_role = _header_role(_cell(sub, i)) if sub else None
        role = sub_role or _header_role(_cell(top, i))
        if role is None:
            continue
        group = _group_name(top, i) if sub_role in DEPARTMENT_ROLES else None
        columns[i] = _Column(role, group)
    groups = _unique(column.group for column in columns.values())
    if len(groups) < 2:
        for column in columns.values():
            column.group = None
    if not any(column.role in DEPARTMENT_ROLES for column in columns.values()):
        return None
    return columns, 2 if sub else 1


def _header_role(cell: str) -> str | None:
    """The role a header cell names (lead, support, deadline …), or None."""
    cell = _squash(cell)
    if not cell or len(cell) > HEADER_CELL_MAX:
        return None
    for role, pattern in HEADER_ROLES:
        if pattern.search(cell):
            return role
    return None


def _is_header_row(row: list[str]) -> bool:
    """True for a header row: short cells, no row number, most of them naming a column role.

    A short data row (40 | 对个人存量房交易开放电子发票功能 | 按税务总局工作部署推进相关工作 | …)
    has a keyword here and there but not in most cells.
    """
    cells = [_squash(cell) for cell in row if _squash(cell)]
    if not cells or any(len(cell) > HEADER_CELL_MAX or ROW_NUMBER.match(cell) for cell in cells):
        return False
    named = sum(_header_role(cell) is not None for cell in cells)
    return named >= 2 and named * 2 >= len(cells)


def _is_subheader_row(row: list[str]) -> bool:
    """True for the second header row of a two-level table: 牵头单位 | 配合单位 | 牵头单位 | 配合单位."""
    roles = [_header_role(cell) for cell in row if _squash(cell)]
    return bool(roles) and all(roles) and any(role in DEPARTMENT_ROLES for role in roles)


def _group_name(top: list[str], index: int) -> str | None:
    """The group a sub-header column falls under: the nearest top cell at or left of it."""
    for i in range(min(index, len(top) - 1), -1, -1):
        cell = _squash(top[i])
        if cell:
            return None if _header_role(cell) else cell
    return None


class _Table:
    """A task table's columns, and how to read its rows into TaskRecords."""

    def __init__(self, columns: dict[int, _Column]):
        self.columns = columns
        self.number_column = self._first("number")
        self.title_column = self._first("title")
        self.deadline_column = self._first("deadline")
        self.measure_columns = [i for i, column in sorted(columns.items()) if column.role == "measure"]
        self.groups = _unique(column.group for _i, column in sorted(columns.items())) or [None]
        self.numbered_items = False

    def _first(self, role: str) -> int | None:
        return next((i for i, column in sorted(self.columns.items()) if column.role == role), None)

    def read_row(
        self, row: list[str], block_index: int, row_index: int, previous: list[TaskRecord], first_listed: bool
    ) -> list[TaskRecord]:
        """Records for one data row; a continuation row extends the previous records instead."""
        filled = [cell.strip() for cell in row if cell.strip()]
        has_departments = any(_cell(row, i) for i, column in self.columns.items() if column.role in DEPARTMENT_ROLES)
        if not filled or (not has_departments and (SECTION_ROW.match(filled[0]) or len(filled) == 1)):
            return []
        continuation, items = self._items(row, previous)
        if continuation is not None:
            self._continue(row, previous, continuation)
        records = []
        for item in items:
            records.extend(self._records(row, item, block_index, row_index, first_listed))
        return records

    def _items(self, row: list[str], previous: list[TaskRecord]) -> tuple[_Item | None, list[_Item]]:
        """The part of a row that continues the previous row (page break), and the tasks it holds."""
        sequence = _squash(_cell(row, self.number_column))
        measures = [_cell(row, i) for i in self.measure_columns]
        own = ROW_NUMBER.match(sequence)
        if own:
            return None, [_Item(own.group("number"), measures)]
        split = [_split_items(text) for text in measures]
        primary = next((items for _lead_in, items in split if items), None)
        if primary:
            self.numbered_items = True
            lead_ins = [lead_in for lead_in, _items in split]
            continuation = None
            if any(lead_in.strip() for lead_in in lead_ins):
                first_line = primary[0][2][0] if primary[0][2] else None
                continuation = _Item(None, lead_ins, (0, first_line) if first_line else None)
                if not previous:
                    continuation = None
                    primary = [(primary[0][0], lead_ins[0] + primary[0][1], primary[0][2])] + primary[1:]
            items = [
                _Item(
                    number,
                    [own_items[k][1] if len(own_items) == len(primary) else text for _l, own_items in split],
                    lines,
                )
                for k, (number, text, lines) in enumerate(primary)
            ]
            return continuation, items
        title = _cell(row, self.title_column)
        if self.number_column is not None and previous and not title and (not sequence or self.numbered_items):
            return _Item(None, measures), []
        label = GROUP_LABEL.match(sequence)
        return None, [_Item(f"（{label.group('number')}）" if label else (sequence or None), measures)]

    def _continue(self, row: list[str], previous: list[TaskRecord], part: _Item) -> None:
        """Append a continuation's text, and fill roles the previous records lack."""
        for record in previous:
            text = self._measure_text(row, record.level, part.texts)
            if text:
                record.text += text
            lead, support = self._departments(row, record.level, part.lines, first_listed=False)
            if not record.lead:
                record.lead = lead
            if not record.support:
                record.support = [name for name in support if name not in record.lead]

    def _records(
        self, row: list[str], item: _Item, block_index: int, row_index: int, first_listed: bool
    ) -> list[TaskRecord]:
        """One record per column group that names a department (one record if none does)."""
        title = _squash_lines(_cell(row, self.title_column))
        deadline = _squash_lines(_lines_of(_cell(row, self.deadline_column), item.lines, _line_count(row, self)))
        records = []
        for group in self.groups:
            lead, support = self._departments(row, group, item.lines, first_listed)
            if group is not None and not lead and not support:
                continue
            measure = self._measure_text(row, group, item.texts)
            records.append(
                TaskRecord(
                    text=_join_title(title, measure),
                    number=item.number,
                    lead=lead,
                    support=support,
                    deadline=deadline or None,
                    level=group,
                    block_index=block_index,
                    row_index=row_index,
                )
            )
        if not records:
            measure = self._measure_text(row, None, item.texts)
            records.append(
                TaskRecord(
                    text=_join_title(title, measure),
                    number=item.number,
                    deadline=deadline or None,
                    block_index=block_index,
                    row_index=row_index,
                )
            )
        return records

    def _measure_text(self, row: list[str], group: str | None, texts: list[str]) -> str:
        """The measure text for a group: its own measure column when each group has one."""
        if not self.measure_columns:
            return ""
        position = len(self.measure_columns) - 1
        if group is not None and len(self.measure_columns) == len(self.groups):
            position = self.groups.index(group)
        elif group is None and len(self.measure_columns) > 1:
            position = 0
        text = texts[position] if texts else _cell(row, self.measure_columns[position])
        return _squash_lines(text)

    def _departments(
        self, row: list[str], group: str | None, lines: tuple[int, int] | None, first_listed: bool
    ) -> tuple[list[str], list[str]]:
        """Lead and support names of a group in a row, limited to an item's lines if known."""
        prefix = prefix_for_level(group)
        total = _line_count(row, self)
        found: dict[str, list[str]] = {"lead": [], "support": [], "responsible": []}
        for i, column in sorted(self.columns.items()):
            if column.role in DEPARTMENT_ROLES and column.group == group:
                found[column.role] += split_departments(_lines_of(_cell(row, i), lines, total), prefix)
        lead, support = found["lead"], found["support"]
        if found["responsible"]:
            if any(column.role == "lead" and column.group == group for column in self.columns.values()):
                support = support + found["responsible"]
            else:
                first, rest = _responsible_roles(found["responsible"], first_listed)
                lead, support = lead + first, support + rest
        return _roles(lead, support)


def _split_items(text: str) -> tuple[str, list[tuple[str, str, tuple[int, int] | None]]]:
    """Numbered items of a measure cell as (number, text, line span), after any lead-in text.

    The lead-in is text before the first item, carried over from the previous row by a page
    break. Items are numbered consecutively, so 降至1.5%以下 or 2022年 never starts one. Line
    spans are set only when every item starts its own line (rows the block parser merged).
    """
    starts: list[re.Match] = []
    for match in ITEM_START.finditer(text):
        if not starts:
            if match.start() == 0 or text[match.start() - 1] == "\n":
                starts.append(match)
        elif int(match.group("number")) == int(starts[-1].group("number")) + 1:
            starts.append(match)
    if not starts:
        return text, []
    own_lines = all(match.start() == 0 or text[match.start() - 1] == "\n" for match in starts)
    items = []
    for k, match in enumerate(starts):
        end = starts[k + 1].start() if k + 1 < len(starts) else len(text)
        lines = None
        if own_lines:
            first = text.count("\n", 0, match.start())
            last = text.count("\n", 0, end) if k + 1 < len(starts) else text.count("\n") + 1
            lines = (first, max(last, first + 1))
        items.append((match.group("number"), text[match.end() : end].strip(), lines))
    return text[: starts[0].start()], items


def _line_count(row: list[str], table: _Table) -> int:
    """Lines in the row's first numbered measure cell: one per row the block parser merged."""
    for i in table.measure_columns:
        text = _cell(row, i)
        if _split_items(text)[1]:
            return text.count("\n") + 1
    return 1


def _lines_of(cell: str, lines: tuple[int, int] | None, total: int) -> str:
    """The part of a merged cell on an item's lines, or the whole cell if lines do not align."""
    if lines is None:
        return cell
    parts = cell.split("\n")
    if len(parts) != total:
        return cell
    return "\n".join(parts[lines[0] : lines[1]])


def _join_title(title: str, measure: str) -> str:
    """改革事项 and 具体措施 as one text: 开展“一照多址”改革：全市推行企业住所…"""
    if title and measure and title != measure:
        return title + ("" if title.endswith(tuple("。；：:")) else "：") + measure
    return title or measure


def _cell(row: list[str] | None, index: int | None) -> str:
    if row is None or index is None or index >= len(row):
        return ""
    return row[index] or ""


def _squash(cell: str) -> str:
    """A cell without whitespace, for matching header keywords and numbers."""
    return re.sub(r"\s+", "", cell or "")


def _squash_lines(text: str) -> str:
    """Cell text on one line: line breaks inside a cell come from wrapping or merged rows."""
    return "".join(part.strip() for part in (text or "").split("\n"))
