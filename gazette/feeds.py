"""A gazette's new issues as an Atom feed, newest import first.

Read with the reader's session, like every page (a feed reader in the browser, or the
link on the gazette page); no token opens it.
"""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from .models import Gazette, Issue

# Issues a feed lists, newest import first.
ATOM_ENTRIES = 50


class GazetteIssuesFeed(Feed):
    """The issues of one gazette, in the order they were imported, newest first."""

    feed_type = Atom1Feed

    def get_object(self, request, pk: int) -> Gazette:
        return get_object_or_404(Gazette, pk=pk)

    def title(self, gazette: Gazette) -> str:
        return f"{gazette.name}：新一期"

    def subtitle(self, gazette: Gazette) -> str:
        return f"公报库中{gazette.name}的各期，按导入时间从新到旧。"

    def link(self, gazette: Gazette) -> str:
        return gazette.get_absolute_url()

    def items(self, gazette: Gazette):
        return (
            Issue.objects.in_gazette(gazette)
            .with_counts()
            .select_related("gazette")
            .order_by("-created_at", "-pk")[:ATOM_ENTRIES]
        )

    def item_title(self, issue: Issue) -> str:
        return str(issue)

    def item_description(self, issue: Issue) -> str:
        published = f"出版日期：{issue.published:%Y-%m-%d}；" if issue.published else ""
        return f"{published}收录文件 {issue.document_count} 篇。"

    def item_link(self, issue: Issue) -> str:
        return issue.get_absolute_url()

    def item_pubdate(self, issue: Issue):
        return issue.created_at

    def item_updateddate(self, issue: Issue):
        return issue.created_at
