"""The rows of a result list's CSV: one per document, in the order of the results page.

policies.exports.rows_csv writes them as the task lists are written: UTF-8 with a BOM so
Excel shows the Chinese, dates as YYYY-MM-DD, a cell Excel would run as a formula kept as text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from gazette.models import Document

# Rows of one export at most: a larger list is cut, in result order, and the link says so.
EXPORT_LIMIT = 5000
HEADER = ["文号", "标题", "发文机关", "成文日期", "发布日期", "效力", "文种", "规范性文件", "链接"]


def result_rows(ids: list[int], *, absolute: Callable[[str], str]) -> Iterator[list]:
    """The header, then one row for each of the first EXPORT_LIMIT ids, in their order (one query)."""
    ids = ids[:EXPORT_LIMIT]
    documents = Document.objects.filter(pk__in=ids).defer("blocks", "body").with_issue().in_bulk()
    yield HEADER
    for pk in ids:
        document = documents.get(pk)
        if document is None:
            continue
        yield [
            document.doc_number,
            document.title,
            document.issuer,
            document.date,
            document.issue.published,
            document.get_validity_display() if document.shows_validity else "",
            document.genre,
            "是" if document.normative else "否",
            absolute(document.get_absolute_url()),
        ]
