"""The search page, its read-only JSON twin and its CSV export; all take the same GET parameters."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import render, resolve_url
from django.utils import timezone
from django.views.decorators.http import require_GET

from policies.exports import rows_csv
from policies.models import FeedToken
from policies.services import feed_token_open

from .exports import EXPORT_LIMIT, result_rows
from .feeds import SearchResultsFeed
from .forms import SearchForm
from .hits import hits_for
from .query import SearchOutcome, documents_search


def _outcome(request: HttpRequest) -> tuple[SearchForm, SearchOutcome]:
    form = SearchForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    return form, documents_search(
        q=form.query_text(), filters=form.filters(), sort=form.ordering(), within=form.within()
    )


def _run(request: HttpRequest) -> tuple[SearchForm, SearchOutcome, object]:
    form, outcome = _outcome(request)
    per_page = getattr(settings, "HAYSTACK_SEARCH_RESULTS_PER_PAGE", 20)
    page = Paginator(outcome.ids, per_page).get_page(request.GET.get("page"))
    return form, outcome, page


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form, outcome, page = _run(request)
    context = {
        "form": form,
        "outcome": outcome,
        "facets": _facet_groups(request, outcome),
        "page_obj": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "hits": hits_for(list(page.object_list), outcome.parsed, form.within()) if outcome.searched else [],
        "scope": _scope(form),
        "kept_filters": _kept_filters(form),
        "clear_filters_url": _clear_filters_url(request),
        "export_url": _same_search(request),
        "export_limit": EXPORT_LIMIT,
        "feed_token": FeedToken.objects.filter(user=request.user).first() if outcome.searched else None,
    }
    return render(request, "search/search.html", context)


@require_GET
def search_export(request: HttpRequest) -> HttpResponse:
    """Every match of the search (up to EXPORT_LIMIT), in the page's order, as CSV."""
    _, outcome = _outcome(request)
    rows = result_rows(outcome.ids, absolute=request.build_absolute_uri)
    return rows_csv(rows, filename=f"gongbao-search-{timezone.localdate():%Y%m%d}")


@login_not_required
@require_GET
def search_token_feed(request: HttpRequest, key: str) -> HttpResponse:
    """A saved search as Atom, for a feed reader without a session, opened with the user's feed token."""
    if feed_token_open(key=key) is None:
        return HttpResponseForbidden("订阅地址无效或已撤销。", content_type="text/plain; charset=utf-8")
    return SearchResultsFeed()(request)


@login_not_required
@require_GET
def search_api(request: HttpRequest) -> JsonResponse:
    # An API client wants a JSON 401, not the login page's HTML; the login is still required.
    if not request.user.is_authenticated:
        login = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}"
        return JsonResponse({"error": "authentication required", "login": login}, status=401)
    form, outcome, page = _run(request)
    hits = hits_for(list(page.object_list), outcome.parsed, form.within()) if outcome.searched else []
    return JsonResponse(
        {
            "count": outcome.count,
            "page": page.number,
            "num_pages": page.paginator.num_pages,
            "results": [hit.to_json() for hit in hits],
            "facets": {group["name"]: group["entries"] for group in _facet_groups(request, outcome)},
            "notices": outcome.notices,
            "errors": {name: [str(e) for e in errors] for name, errors in form.errors.items()},
        },
        json_dumps_params={"ensure_ascii": False},
    )


FACET_LABELS = {
    "gazette": "公报",
    "year": "年份",
    "kind": "类型",
    "section": "栏目",
    "issuer": "发文机关",
    "region": "地区",
    "validity": "效力",
    "genre": "文种",
    "normative": "规范性文件",
    "has_tasks": "任务分工",
}


def _facet_groups(request: HttpRequest, outcome: SearchOutcome) -> list[dict]:
    """Facets in display order, each value with the link that selects it (or clears it when selected)."""
    # The query string's pairs, cut once per facet around its own (copying the QueryDict for
    # each of a broad search's few hundred values took milliseconds); urlencode encodes as
    # QueryDict.urlencode does, and a replaced value keeps its place.
    kept = [(key, value) for key, values in request.GET.lists() if key != "page" for value in values]
    groups = []
    for name, label in FACET_LABELS.items():
        found = outcome.facets.get(name, [])
        if not found:
            continue
        place = next((i for i, (key, _) in enumerate(kept) if key == name), len(kept))
        before = [pair for pair in kept[:place] if pair[0] != name]
        after = [pair for pair in kept[place:] if pair[0] != name]
        entries = []
        for entry in found:
            params = before + after if entry["selected"] else [*before, (name, entry["value"]), *after]
            entries.append({**entry, "url": "?" + urlencode(params)})
        groups.append({"name": name, "label": label, "entries": entries})
    return groups


# What "清除筛选" drops; the query, the scope (gazette, issue) and the order stay.
CLEARABLE = (
    *(name for name in FACET_LABELS if name != "gazette"),
    "date_from",
    "date_to",
    "published_from",
    "published_to",
)


def _kept_filters(form: SearchForm) -> list[tuple[str, str]]:
    """(name, value) of each valid facet filter, for the search box to carry when the query is edited."""
    if not form.is_bound:
        return []
    return [
        (name, form.data[name])
        for name in FACET_LABELS
        if name != "gazette" and form.data.get(name) and name not in form.errors
    ]


def _clear_filters_url(request: HttpRequest) -> str:
    """The same search without its filters, or '' when none is set."""
    if not any(request.GET.get(name) for name in CLEARABLE):
        return ""
    params = request.GET.copy()
    for name in (*CLEARABLE, "page"):
        params.pop(name, None)
    return "?" + params.urlencode()


def _same_search(request: HttpRequest) -> str:
    """The query string of this search without its page number."""
    params = request.GET.copy()
    params.pop("page", None)
    return "?" + params.urlencode()


def _scope(form: SearchForm):
    """The issue or gazette a search is limited to, for the page heading."""
    from gazette.models import Gazette, Issue

    filters = form.filters()
    if filters.issue:
        return Issue.objects.select_related("gazette").filter(pk=filters.issue).first()
    if filters.gazette:
        return Gazette.objects.filter(pk=filters.gazette).first()
    return None
