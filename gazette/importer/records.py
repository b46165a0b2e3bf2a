"""Dataclasses the importer produces: an issue, its documents, their body blocks and tasks.

Pure Python, no Django: the parser returns these, `gazette.services` saves them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

HEADING = "heading"
PARAGRAPH = "paragraph"
TABLE = "table"

GAZETTE = "gazette"
COMPILATION = "compilation"


@dataclass
class Block:
    """One unit of a document body: a heading, a reflowed paragraph or a table."""

    kind: str
    text: str = ""
    # Heading depth: 1 for 一、/第一章, 2 for （一）/第一节, 3 for 1., 4 for （1）.
    level: int | None = None
    # Table rows, header row first; each cell is plain text (line breaks inside a cell kept as \n).
    rows: list[list[str]] = field(default_factory=list)

    def plain_text(self) -> str:
        """The block as plain text; table cells joined by tabs, rows by newlines."""
        if self.kind == TABLE:
            return "\n".join("\t".join(cell.replace("\n", " ") for cell in row) for row in self.rows)
        return self.text


@dataclass
class TaskRecord:
    """A task assignment: what must be done, by whom (lead/support), by when."""

    text: str
    number: str | None = None
    lead: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)
    deadline: str | None = None
    # Column group of a two-level table (自治区 / 柳州市), else None.
    level: str | None = None
    # Where in the document body the task was read: index into DocumentRecord.blocks,
    # and the row inside a table block.
    block_index: int | None = None
    row_index: int | None = None
    # The deadline read as a date, and whether the work goes on (持续推进); set by
    # `deadlines.read_task_deadlines`.
    due: dt.date | None = None
    ongoing: bool = False

    def to_json(self) -> dict:
        return {
            "number": self.number,
            "text": self.text,
            "lead": list(self.lead),
            "support": list(self.support),
            "deadline": self.deadline,
            "due": self.due.isoformat() if self.due else None,
            "ongoing": self.ongoing,
            "level": self.level,
        }


@dataclass
class DocumentRef:
    """A document another one names as repealed or amended: its 文号 and/or its title, as cited."""

    doc_number: str | None = None
    title: str | None = None

    def to_json(self) -> dict:
        return {"doc_number": self.doc_number, "title": self.title}


@dataclass
class DocumentRecord:
    """One document of an issue (or one item of a compilation)."""

    title: str
    doc_number: str | None = None
    issuer: str | None = None
    date: dt.date | None = None
    section: str | None = None
    page: int | None = None
    region: str | None = None
    source_url: str | None = None
    # Text that belongs to no listed document (e.g. the tail of a compilation item cut off
    # before the first heading); kept so nothing is dropped.
    fragment: bool = False
    recipients: str | None = None
    signature: str | None = None
    attachments: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    tasks: list[TaskRecord] = field(default_factory=list)
    # What kind of document it is and how long it holds (read by `validity.read_validity`).
    # 文种: 通知, 办法, 方案…; for 关于印发《…办法》的通知 genre is 通知 and transmitted_genre 办法.
    genre: str | None = None
    transmitted_genre: str | None = None
    # 规范性文件: 规 in the 文号's code, a 规范性文件 栏目, or the text says so.
    normative: bool = False
    effective_from: dt.date | None = None
    # Where effective_from came from: validity.DATE_IN_TEXT, DOCUMENT_DATE, ISSUE_DATE, or
    # DOCUMENT_DATE_AFTER / ISSUE_DATE_AFTER (自公布之日起30日后施行: counted from that date).
    effective_basis: str | None = None
    valid_until: dt.date | None = None
    repeals: list[DocumentRef] = field(default_factory=list)
    amends: list[DocumentRef] = field(default_factory=list)

    @property
    def body(self) -> str:
        """Plain text of the body, derived from the blocks."""
        return "\n".join(block.plain_text() for block in self.blocks)

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "doc_number": self.doc_number,
            "issuer": self.issuer,
            "date": self.date.isoformat() if self.date else None,
            "section": self.section,
            "page": self.page,
            "region": self.region,
            "source_url": self.source_url,
            "fragment": self.fragment,
            "body": self.body,
            "tasks": [task.to_json() for task in self.tasks],
            "genre": self.genre,
            "transmitted_genre": self.transmitted_genre,
            "normative": self.normative,
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
            "effective_basis": self.effective_basis,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "repeals": [ref.to_json() for ref in self.repeals],
            "amends": [ref.to_json() for ref in self.amends],
        }


@dataclass
class IssueRecord:
    """A parsed gazette issue or compilation."""

    gazette: str
    kind: str = GAZETTE
    publisher: str | None = None
    year: int | None = None
    number: int | None = None
    total_number: int | None = None
    published: dt.date | None = None
    warnings: list[str] = field(default_factory=list)
    documents: list[DocumentRecord] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "gazette": self.gazette,
            "kind": self.kind,
            "year": self.year,
            "number": self.number,
            "total_number": self.total_number,
            "published": self.published.isoformat() if self.published else None,
            "warnings": list(self.warnings),
            "documents": [doc.to_json() for doc in self.documents],
        }
