"""Markup the reading pages repeat per block, table row or cell, built in Python.

A plan's page has hundreds of table rows and tasks and a thousand department links; an
`{% include %}` and a filter call for each took most of the page's time. These tags build
the same markup in one call each. Every text goes through `link_citations` (which escapes
what it does not link) or `escape`/`format_html`; ids are built from positions.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from django import template
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from gazette.body_parts import BodyParts, block_chars
from gazette.citations import CitationIndex, link_citations
from gazette.models import DisplayBlock

register = template.Library()

HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5"})
# A table row with only its first cell filled, a section of the table: 一、进一步破除区域分割和地方保护等不合理限制
SECTION_ROW_MIN_CHARS = 4
# A table this wide takes the page's width, its columns sized by their cells' mean length in characters.
WIDE_TABLE_COLUMNS = 6
NARROW_COLUMN_CHARS = 4
WIDE_COLUMN_CHARS = 50
# An outline is shown beside a body this long with at least this many headings or table sections.
OUTLINE_MIN_CHARS = 4000
OUTLINE_MIN_ENTRIES = 3
# Headings deeper than this (（一）, 1.) are left out of the outline; table sections are level 1.
OUTLINE_MAX_LEVEL = 2
OUTLINE_TEXT_CHARS = 36


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
    width = block.width
    wide = width >= WIDE_TABLE_COLUMNS
    lines = [
        f'<div class="table-scroll" id="{anchor}" role="region" aria-label="表格" tabindex="0">',
        f'<table class="doc-table{" doc-table-wide" if wide else ""}">',
    ]
    if wide:
        columns = "".join(f'<col class="{name}">' for name in column_classes(block))
        lines.append(f"<colgroup>{columns}</colgroup>")
    if block.header_rows:
        lines.append("<thead>")
        lines.extend(_header_rows(anchor, block.header_rows, citations))
        lines.append("</thead>")
    lines.append("<tbody>")
    for index, cells in block.body_rows:
        if is_section_row(cells):
            text = _cite(cells[0], citations)
            lines.append(
                f'<tr id="{anchor}-r{int(index)}" class="doc-table-section">'
                f'<th colspan="{len(cells)}" scope="colgroup">{text}</th></tr>'
            )
        else:
            lines.append(_row(anchor, index, cells, "<td>", "</td>", citations))
    lines.extend(["</tbody>", "</table>", "</div>"])
    return "\n".join(lines)


def column_classes(block: DisplayBlock) -> list[str]:
    """A class per column of a wide table, from its cells' mean length: a 序号 column stays narrow,
    the columns of long measures get the room (the browser shares the rest)."""
    classes = []
    for column in range(block.width):
        cells = [row[column] for _, row in block.body_rows if column < len(row) and row[column].strip()]
        cells = [cell for cell in cells if not is_section_row([cell, "", ""])] if column == 0 else cells
        mean = sum(len(cell) for cell in cells) / len(cells) if cells else 0
        classes.append(
            "doc-col-narrow"
            if mean <= NARROW_COLUMN_CHARS
            else "doc-col-wide"
            if mean >= WIDE_COLUMN_CHARS
            else "doc-col"
        )
    return classes


def is_section_row(cells: list[str]) -> bool:
    """A row opening a section of a table: text in its first cell only (一、…), not a lone number."""
    return (
        len(cells) > 2
        and len(cells[0]) >= SECTION_ROW_MIN_CHARS
        and not cells[0].strip().isdigit()
        and not any(cell.strip() for cell in cells[1:])
    )


def header_spans(rows: list[list[str]]) -> list[list[tuple[int, str, int, int]]]:
    """The cells of a header, merged as printed: each row's (column, text, rowspan, colspan).

    A label over sub-headings spans their columns (自治区 over 牵头单位 | 配合单位); a label with
    empty cells below it spans those rows (序号, 完成时限). Empty cells a span covers are left out.
    """
    height = len(rows)
    width = max((len(row) for row in rows), default=0)
    grid = [[(row[c] if c < len(row) else "").strip() for c in range(width)] for row in rows]
    covered: set[tuple[int, int]] = set()
    spans: list[list[tuple[int, str, int, int]]] = [[] for _ in rows]
    for r in range(height):
        for c in range(width):
            if (r, c) in covered:
                continue
            colspan = rowspan = 1
            below = r + 1 < height
            if grid[r][c] and below and grid[r + 1][c]:
                while c + colspan < width and not grid[r][c + colspan] and grid[r + 1][c + colspan]:
                    colspan += 1
            if grid[r][c] and colspan == 1:
                while r + rowspan < height and not grid[r + rowspan][c]:
                    rowspan += 1
            for dr in range(rowspan):
                for dc in range(colspan):
                    covered.add((r + dr, c + dc))
            spans[r].append((c, grid[r][c], rowspan, colspan))
    return spans


def _header_rows(anchor: str, rows: list[tuple[int, list[str]]], citations: CitationIndex | None) -> list[str]:
    html = []
    for (index, _), cells in zip(rows, header_spans([cells for _, cells in rows]), strict=True):
        inner = []
        for _, text, rowspan, colspan in cells:
            spans = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
            scope = "colgroup" if colspan > 1 else "col"
            inner.append(f'<th scope="{scope}"{spans}>{_cite(text, citations, breaks=True)}</th>')
        html.append(f'<tr id="{anchor}-r{int(index)}">{"".join(inner)}</tr>')
    return html


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


def truncate_text(text: str, length: int) -> str:
    """What truncatechars shows, without Truncator's walk over a text too short to cut."""
    text = unicodedata.normalize("NFC", text)
    return text if len(text) <= length else Truncator(text).chars(length)


@register.simple_tag(takes_context=True)
def document_outline(context) -> SafeString:
    """Links to a long body's headings (一、 and （一）) and its tables' sections, on whichever part
    each is, and to the task table; empty for a short body or one with few headings."""
    document = context.get("document")
    blocks = (document.blocks or []) if document is not None else []
    if sum(block_chars(block) for block in blocks) < OUTLINE_MIN_CHARS:
        return mark_safe("")
    parts: BodyParts | None = context.get("body_parts")
    entries = []
    for index, block in enumerate(blocks):
        if block.get("kind") == "heading" and (block.get("level") or 1) <= OUTLINE_MAX_LEVEL:
            entries.append((f"b{index}", block.get("text") or "", (block.get("level") or 1)))
        elif block.get("kind") == "table":
            for row_index, cells in enumerate(block.get("rows") or []):
                cells = [str(cell) for cell in cells]
                if row_index and is_section_row(cells):
                    entries.append((f"b{index}-r{row_index}", cells[0], 2))
    if len(entries) < OUTLINE_MIN_ENTRIES:
        return mark_safe("")
    items = format_html_join(
        "\n",
        '<li class="outline-level-{}"><a href="{}">{}</a></li>',
        (
            (level, parts.href(anchor) if parts else f"#{anchor}", truncate_text(text, OUTLINE_TEXT_CHARS))
            for anchor, text, level in entries
        ),
    )
    tasks = context.get("task_rows")
    if tasks:
        items = format_html(
            '{}\n<li class="outline-tasks"><a href="#tasks-title">任务分工（{} 项）</a></li>', items, len(tasks)
        )
    return format_html('<ol class="outline">\n{}\n</ol>', items)
