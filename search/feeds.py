"""A saved search as an Atom feed: its newest matches by date, for a feed reader.

The feed takes the search page's GET parameters (q and any filters); its order is always
by date, newest first. Read with the reader's session, like every page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from gazette.models import Document

from .forms import SearchForm
from .query import Within, documents_search

# Matches a feed lists, newest first.
ATOM_ENTRIES = 50


@dataclass
class SavedSearch:
    q: str
    within: str  # the field's label (标题, 文号, 发文机关), or '' for 全文
    params: str  # the search page's query string for the same search, by date
    ids: list[int]


class SearchResultsFeed(Feed):
    """The newest documents matching a search (query and filters), by 成文日期."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest) -> SavedSearch:
        form = SearchForm(request.GET or None)
        if form.is_bound:
            form.is_valid()
        outcome = documents_search(q=form.query_text(), filters=form.filters(), sort="date", within=form.within())
        params = request.GET.copy()
        params.pop("page", None)
        params["sort"] = "date"
        within = dict(Within.choices).get(form.within(), "") if form.within() != Within.ALL else ""
        return SavedSearch(
            q=form.query_text(), within=within, params=params.urlencode(), ids=outcome.ids[:ATOM_ENTRIES]
        )

    def title(self, search: SavedSearch) -> str:
        if not search.q:
            return "公报库检索"
        return f"公报库检索（{search.within}）：{search.q}" if search.within else f"公报库检索：{search.q}"

    def subtitle(self, search: SavedSearch) -> str:
        return "符合此检索及筛选条件的文件，按成文日期从新到旧。"

    def link(self, search: SavedSearch) -> str:
        return f"{reverse('search:search')}?{search.params}"

    def items(self, search: SavedSearch) -> list[Document]:
        documents = Document.objects.filter(pk__in=search.ids).defer("blocks", "body").with_issue().in_bulk()
        return [documents[pk] for pk in search.ids if pk in documents]

    def item_title(self, document: Document) -> str:
        return str(document)

    def item_description(self, document: Document) -> str:
        parts = [
            f"发文机关：{document.issuer}" if document.issuer else "",
            f"成文日期：{document.date:%Y-%m-%d}" if document.date else "",
            f"效力：{document.get_validity_display()}" if document.shows_validity else "",
            f"刊于：{document.issue}",
        ]
        return "；".join(part for part in parts if part)

    def item_link(self, document: Document) -> str:
        return document.get_absolute_url()

    def item_pubdate(self, document: Document) -> dt.datetime:
        if document.date:
            return dt.datetime.combine(document.date, dt.time.min, tzinfo=timezone.get_current_timezone())
        return document.issue.created_at

    def item_updateddate(self, document: Document) -> dt.datetime:
        return self.item_pubdate(document)
