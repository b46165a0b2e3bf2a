"""Importer entry points: `parse_file(data, name=...)` reads an upload of any format,
`parse_gazette(text)` parses text; they run the steps in order.

0. `formats.read_source`      bytes → text (PDF, Word .docx, web page, or text/Markdown decoded)
   `unwrap.restore_line_breaks` a document copied without line breaks → its parts on lines
1. `lines.split_lines`        raw text → normalised lines and table rows
2. `toc.read_toc`             lines → TOC entries and the spans the 目录 blocks cover;
   `header.read_header`       lines before the 目录 → gazette name, year, 期号, date, publisher
3. `documents.locate_documents` body lines + entries → one span per document
4. `parts.read_document`      span → DocumentRecord (文号, 主送, 落款, 成文日期, 附件)
5. `blocks.lines_to_blocks`   body lines → headings, paragraphs, tables (called by step 4)

A policy compilation (汇编) takes `compilation.read_compilation` instead of steps 2–3.
6. `tasks.extract_tasks`     each document's blocks → task assignments (牵头/配合, 完成时限);
   `deadlines.read_task_deadlines` each task's 完成时限 → due date and ongoing
7. `validity.read_validity`  each document → 文种, 规范性文件, 施行/有效期, what it repeals or amends
"""

from __future__ import annotations

from .compilation import is_compilation, read_compilation
from .deadlines import read_task_deadlines
from .documents import DocumentSpan, locate_documents, looks_like_title_line, strip_colophon
from .errors import GazetteFileError
from .formats import Source, read_source
from .header import read_header
from .lines import Line, split_lines
from .parts import read_document
from .patterns import is_masthead_line, is_page_furniture
from .records import COMPILATION, GAZETTE, PARAGRAPH, Block, IssueRecord
from .tasks import extract_tasks
from .toc import read_toc
from .unwrap import restore_line_breaks
from .validity import read_validity

# The name an issue gets when its cover names no gazette; `--gazette NAME` overrides it.
UNNAMED_GAZETTE = "未命名公报"
# A lone document's title runs over at most this many lines at the top of the file…
MAX_TITLE_LINES = 3
# …under at most this many masthead lines (发文机关标志, 文号, 签发人, 份号, 密级).
MAX_MASTHEAD_LINES = 5


def parse_file(data: bytes, *, name: str) -> IssueRecord:
    """Parse an uploaded file of any accepted format (step 0, then the text steps).

    Raises GazetteFileError naming the file when it cannot be read or holds no recognisable document.
    """
    source = read_source(data, name=name)
    try:
        issue = parse_gazette(source.text)
    except GazetteFileError as exc:
        raise GazetteFileError(f"{name}: {exc}") from exc
    return with_source_facts(issue, source)


def with_source_facts(issue: IssueRecord, source: Source) -> IssueRecord:
    """What a web page says of its one document: its address, 发布日期 (when no 成文日期) and 索引号.

    The facts are kept as a last paragraph of the body, so they are shown and found by search.
    """
    if len(issue.documents) != 1 or not (source.source_url or source.facts):
        return issue
    document = issue.documents[0]
    document.source_url = document.source_url or source.source_url
    if document.date is None and source.published:
        document.date = source.published
        issue.year = issue.year or source.published.year
    if source.facts:
        facts = "；".join(f"{label}：{value}" for label, value in source.facts)
        document.blocks.append(Block(kind=PARAGRAPH, text=f"（网页信息　{facts}）"))
    return issue


def parse_gazette(text: str) -> IssueRecord:
    """Parse a gazette issue or policy compilation into an IssueRecord.

    Raises GazetteFileError when the text holds no recognisable document.
    """
    lines = split_lines(restore_line_breaks(text))
    if not lines:
        raise GazetteFileError("文件中没有文字")
    if is_compilation(lines):
        return parse_compilation(lines)
    toc = read_toc(lines)
    # Running headers and page numbers are dropped from the body (the cover is read from `lines`).
    body_indexes = [
        index for index in range(len(lines)) if not toc.covers(index) and not is_page_furniture(lines[index].text)
    ]
    body = strip_colophon([lines[index] for index in body_indexes])
    spans, warnings = locate_documents(body, toc.entries)
    if spans:
        header_end = toc.spans[0][0] if toc.spans else body_indexes[spans[0].start] if body_indexes else 0
    else:
        header_end = toc.spans[0][0] if toc.spans else 0
    header = read_header(lines[:header_end])
    issue = IssueRecord(
        gazette=header.gazette or UNNAMED_GAZETTE,
        kind=GAZETTE,
        publisher=header.publisher,
        year=header.year,
        number=header.number,
        total_number=header.total_number,
        published=header.published,
        warnings=warnings,
    )
    if not header.gazette:
        issue.warnings.append("未识别出公报名称，请导入时指定公报名称。")
    if not spans:
        if toc.entries:
            raise GazetteFileError("目录所列文件在正文中均未找到")
        spans = [lone_document(body)]
    for span in spans:
        record = read_document(span)
        if not record.blocks:
            issue.warnings.append(f"《{record.title}》没有正文。")
        issue.documents.append(record)
    if not issue.documents or not any(doc.title for doc in issue.documents):
        raise GazetteFileError("未找到可识别的文件（没有目录，也没有标题和文号）")
    if issue.year is None:
        issue.year = next((doc.date.year for doc in issue.documents if doc.date), None)
    return with_tasks(issue)


def with_tasks(issue: IssueRecord) -> IssueRecord:
    """Fill each document's tasks from its blocks (step 6), and its genre, dates and repeals (step 7)."""
    for document in issue.documents:
        document.tasks = extract_tasks(document.blocks)
        written = document.date or issue.published
        unread = read_task_deadlines(
            document.tasks, year=written.year if written else issue.year, written=document.date
        )
        if unread:
            shown = "；".join(dict.fromkeys(unread))
            issue.warnings.append(f"《{document.title}》有 {len(unread)} 项任务的完成时限未能读成日期：{shown}")
        read_validity(document, published=issue.published)
    return issue


def lone_document(lines: list[Line]) -> DocumentSpan:
    """The whole body as one document whose title is its first heading line(s).

    A 发文机关标志, 文号 or 签发人 printed above the title is read as its masthead.
    Raises GazetteFileError when the file does not open with a title.
    """
    first = 0
    while first < len(lines) and first < MAX_MASTHEAD_LINES and is_masthead_line(lines[first].text):
        first += 1
    end = first
    while end < len(lines) and end - first < MAX_TITLE_LINES and looks_like_title_line(lines[end]):
        if end > first and lines[end].md_heading is None and lines[first].md_heading is not None:
            break
        end += 1
    if end == first:
        raise GazetteFileError("未找到可识别的文件：开头没有标题，也没有目录")
    return DocumentSpan(title_lines=lines[first:end], lines=lines[end:], head_lines=lines[:first])


def parse_compilation(lines: list[Line]) -> IssueRecord:
    """A compilation as an IssueRecord of kind 'compilation'; raises GazetteFileError if it has no item."""
    name, documents, warnings = read_compilation(lines)
    if not any(not doc.fragment for doc in documents):
        raise GazetteFileError("汇编中没有可识别的条目")
    dated = [doc.date for doc in documents if doc.date]
    issue = IssueRecord(
        gazette=name,
        kind=COMPILATION,
        year=max(dated).year if dated else None,
        warnings=warnings,
        documents=documents,
    )
    return with_tasks(issue)
