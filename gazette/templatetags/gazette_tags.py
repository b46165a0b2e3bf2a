"""Markup the reading pages repeat per block, table row, cell or department, built in Python.

A plan's page has hundreds of table rows and tasks and a thousand department links; an
`{% include %}` and a filter call for each took most of the page's time. These tags build
the same markup in one call each. Every text goes through `link_citations` (which escapes
what it does not link) or `escape`/`format_html`; ids are built from positions.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from gazette.citations import CitationIndex, link_citations
from gazette.models import DisplayBlock, Document
from policies.models import Department, TaskRow

register = template.Library()

HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5"})
NO_DEPARTMENT = mark_safe('<span class="muted">—</span>')
# Texts in a table of tasks are cut to these many characters (each links to the full text).
TASK_TEXT_CHARS = 120
DEPARTMENT_TASK_TEXT_CHARS = 160
SOURCE_TITLE_CHARS = 50
LEAD_ROLE = mark_safe('<span class="role role-lead">牵头</span>')
SUPPORT_ROLE = mark_safe('<span class="role role-support">配合</span>')


@register.simple_tag
def document_body(blocks: Iterable[DisplayBlock], citations: CitationIndex | None = None) -> SafeString:
    """The body blocks as HTML, each block and table row with its anchor id, citations linked."""
    html = []
    for block in blocks:
        anchor = escape(block.anchor)
        if block.kind == "heading":
            tag = block.tag if block.tag in HEADING_TAGS else "h5"
            html.append(f'<{tag} id="{anchor}" class="doc-heading">{_cite(block.text, citations)}</{tag}>')
        elif block.kind == "table":
            html.append(_table(anchor, block, citations))
        else:
            html.append(f'<p id="{anchor}" class="doc-para">{_cite(block.text, citations, breaks=True)}</p>')
    return mark_safe("\n".join(html))  # noqa: S308 — tags and ids are ours, every text went through _cite


def _table(anchor: str, block: DisplayBlock, citations: CitationIndex | None) -> str:
    lines = [
        f'<div class="table-scroll" id="{anchor}" role="region" aria-label="表格" tabindex="0">',
        '<table class="doc-table">',
    ]
    if block.header_rows:
        lines.append("<thead>")
        lines.extend(
            _row(anchor, index, cells, '<th scope="col">', "</th>", citations) for index, cells in block.header_rows
        )
        lines.append("</thead>")
    lines.append("<tbody>")
    lines.extend(_row(anchor, index, cells, "<td>", "</td>", citations) for index, cells in block.body_rows)
    lines.extend(["</tbody>", "</table>", "</div>"])
    return "\n".join(lines)


def _row(anchor: str, index: int, cells: list[str], start: str, end: str, citations: CitationIndex | None) -> str:
    inner = "".join(f"{start}{_cite(cell, citations, breaks=True)}{end}" for cell in cells)
    return f'<tr id="{anchor}-r{int(index)}">{inner}</tr>'


def _cite(text, citations: CitationIndex | None, *, breaks: bool = False) -> SafeString:
    text = str(text or "")
    if citations and not may_cite(text):
        citations = None  # escaped alike, without looking for citations
    return link_citations(text, citations, breaks=breaks)


def may_cite(text: str) -> bool:
    """Whether text can hold a citation: a 文号 ends in 号, a title is quoted in 《》.

    Looking for citations costs about 10 µs a text, most of a plan's page for its 800 table
    cells; most cells hold neither character.
    """
    return "号" in text or "《" in text


@register.simple_tag(takes_context=True)
def document_task_rows(context, rows: Iterable[TaskRow]) -> SafeString:
    """A document's task table rows: number and level, the task linked to its paragraph or table row,
    lead and support departments, deadline."""
    # A long body is shown in parts: a task's paragraph may be on another part's page.
    parts = context.get("body_parts")
    html = []
    for row in rows:
        task = row.task
        number = escape(task.number)
        if task.level:
            number = format_html('{}<br><span class="muted">{}</span>', number, task.level)
        text = _truncate(task.text, TASK_TEXT_CHARS)
        if task.anchor:
            href = parts.href(task.anchor) if parts else f"#{task.anchor}"
            text = format_html('<a href="{}">{}</a>', href, text)
        else:
            text = escape(text)
        leads = department_links(context, row.leads)
        supports = department_links(context, row.supports)
        deadline = escape(task.deadline or "—")
        html.append(f"<tr><td>{number}</td><td>{text}</td><td>{leads}</td><td>{supports}</td><td>{deadline}</td></tr>")
    return mark_safe("\n".join(html))  # noqa: S308 — every value above went through escape or format_html


@register.simple_tag(takes_context=True)
def department_task_rows(context, rows: Iterable[TaskRow], department: Department) -> SafeString:
    """A department's task table rows: its roles, the task linked to where it was read, deadline,
    lead and support departments, the source document."""
    html = []
    for row in rows:
        task, leads, supports = row.task, row.leads, row.supports
        roles = "".join(
            label for label, departments in ((LEAD_ROLE, leads), (SUPPORT_ROLE, supports)) if department in departments
        )
        number = format_html('<span class="muted">{}</span> ', task.number) if task.number else ""
        text = format_html('<a href="{}">{}</a>', task.url, _truncate(task.text, DEPARTMENT_TASK_TEXT_CHARS))
        level = format_html('<br><span class="muted">{}</span>', task.level) if task.level else ""
        deadline = escape(task.deadline or "—")
        lead_links, support_links = department_links(context, leads), department_links(context, supports)
        html.append(
            f"<tr><td>{roles}</td><td>{number}{text}{level}</td><td>{deadline}</td>"
            f'<td><span class="muted">牵头：</span>{lead_links}<br><span class="muted">配合：</span>{support_links}</td>'
            f"<td>{_source_document(task.document)}</td></tr>"
        )
    return mark_safe("\n".join(html))  # noqa: S308 — every value above went through escape or format_html


def _source_document(document: Document) -> SafeString:
    title = _truncate(document.title, SOURCE_TITLE_CHARS)
    number = format_html("<br>{}", document.doc_number) if document.doc_number else ""
    issue = document.issue
    return format_html(
        '<a href="{}">{}</a>{}<br><span class="muted">{} {}</span>',
        document.get_absolute_url(),
        title,
        number,
        issue.gazette.name,
        issue.label,
    )


def _truncate(text: str, length: int) -> str:
    """What truncatechars shows, without Truncator's walk over a text too short to cut."""
    text = unicodedata.normalize("NFC", text)
    return text if len(text) <= length else Truncator(text).chars(length)


@register.simple_tag(takes_context=True)
def department_links(context, departments: Iterable[Department]) -> SafeString:
    """Links to these departments joined by 、, or a muted dash when there are none."""
    # Each department's link is built once per page: a plan names the same ones task after task.
    built = context.render_context.setdefault("department_links", {})
    links = []
    for department in departments:
        link = built.get(department.pk)
        if link is None:
            link = built[department.pk] = format_html(
                '<a href="{}">{}</a>', department.get_absolute_url(), department.name
            )
        links.append(link)
    return mark_safe("、".join(links)) if links else NO_DEPARTMENT  # noqa: S308 — joins format_html output
