"""Citations between documents: the 文号 and 《titles》 a body cites, stored as DocumentLink(kind="cites").

`find_citations` is pure: text in, spans out. `CitationIndex` decides which known document a
span means: a 文号 the one document bearing it; a 《title》 the newest document bearing it
that was issued by the day the citing document was (`Reader`, `resolution_order`), so a 2018
document citing 《X办法》 means the X办法 of 2018, not a later revision (with no day known,
the newest). `document_citations_update` runs after an import: it keeps what each new
document cites as CitationReference rows and what it can be cited by as CitationKey rows, each
with its document's day (so a document imported later finds who cites it, and a citation the
bearers it can mean, by an index range, not a scan) and writes the links; `link_citations`
renders a text with those links, escaping everything it does not wrap.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connection, transaction
from django.db.models import F, Min, OrderBy, Q
from django.db.models.functions import Coalesce
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from .importer.text import DOC_NUMBER
from .models import CitationKey, CitationReference, Document, DocumentLink

# The longest title a citation can quote; longer titles are not kept as citation keys.
CITED_TITLE_MAX = 120
# 《贺州市推进电子商务与快递物流协同发展实施方案》 cited in a body or a title
QUOTED_TITLE = re.compile(rf"《([^《》\n]{{2,{CITED_TITLE_MAX}}})》")
# 关于印发贺州市构建绿色金融体系实施方案的通知 → 贺州市构建绿色金融体系实施方案
PRINTED_TITLE = re.compile(r"(?:印发|转发|公布)([^《》]{4,120}?)的通知$")

NUMBER = "number"
TITLE = "title"

# A title citation means the first document bearing the title, in resolution_order(), that the
# citing one may mean: of those issued by a day, only the first two can be meant (the first may
# be the citing document itself).
MEANT_PER_TITLE = 2
# Transaction advisory lock key serialising citation updates (gazette.services uses 0x6762 for
# records, policies.services 0x67620003 for the registry). Two imports reading the links at once
# would each miss the other's new documents and both relink the same citations, leaving a
# citation linked to two documents.
CITATIONS_LOCK = 0x67620004


@dataclass(frozen=True)
class Citation:
    """A span of text citing a document: by 文号 (code may carry words before it) or by 《title》."""

    start: int
    end: int
    kind: str
    code: str = ""
    year: int | None = None
    seq: int | None = None
    title: str = ""


def issued_on(path: str = "") -> Coalesce:
    """The day a document (at `path`, e.g. "document__") was issued: its 成文日期, else its issue's publication date."""
    return Coalesce(F(f"{path}date"), F(f"{path}issue__published"))


def document_issued_on(document: Document) -> dt.date | None:
    """issued_on() of a loaded document (reads document.issue when it has no 成文日期)."""
    return document.date or document.issue.published


def resolution_order(path: str = "") -> list[OrderBy]:
    """The order of the documents bearing a title (at `path`, e.g. "document__"), the newest first.

    The newest issued first (issued_on, as Document.objects.newest_first() lists them), then the
    newest issue, then by place in the issue; pk settles the rest. Undated documents come last.
    resolution_key is the same order in Python: the two must agree, or a page would link a
    citation to another document than the one stored.
    """
    return [
        issued_on(path).desc(nulls_last=True),
        F(f"{path}issue__published").desc(nulls_last=True),
        F(f"{path}issue__year").desc(nulls_last=True),
        F(f"{path}issue__number").desc(nulls_last=True),
        F(f"{path}order").asc(),
        F(f"{path}pk").asc(),
    ]


def _newest_first(value) -> tuple:
    """A sort key putting larger values first and None last (DESC NULLS LAST)."""
    if value is None:
        return (1, 0)
    return (0, -value.toordinal() if isinstance(value, dt.date) else -value)


def resolution_key(document: Document) -> tuple:
    """resolution_order() of a loaded document (its issue too), as a sort key."""
    issue = document.issue
    return (
        _newest_first(document_issued_on(document)),
        _newest_first(issue.published),
        _newest_first(issue.year),
        _newest_first(issue.number),
        document.order,
        document.pk,
    )


@dataclass(frozen=True)
class Reader:
    """The document a citation is read in: its pk and the day it was issued (None: not known).

    A 《title》 it cites means the first document bearing the title in resolution_order() that
    was issued on or before that day, other than itself: the same day included, and in its own
    issue only a document issued by then (a notice dated 3月1日 cannot mean a plan dated 3月5日
    printed beside it). With no day known, every bearer but itself may be meant: the newest one is.
    """

    pk: int | None = None
    day: dt.date | None = None

    @classmethod
    def of(cls, document: Document) -> Reader:
        return cls(document.pk, document_issued_on(document))

    def may_mean(self, document: Document) -> bool:
        """Whether a title citation read here can mean this document (a loaded one, its issue too)."""
        if document.pk == self.pk:
            return False
        if self.day is None:
            return True
        issued = document_issued_on(document)
        return issued is not None and issued <= self.day


def first_meant(documents: Iterable[Document], reader: Reader) -> Document | None:
    """The document a title citation read by `reader` means among these bearers of the title, or None."""
    return next((d for d in sorted(documents, key=resolution_key) if reader.may_mean(d)), None)


def find_citations(text: str) -> list[Citation]:
    """Every 文号 and 《title》 in text, in order, without overlaps."""
    found: list[Citation] = []
    for match in DOC_NUMBER.finditer(text):
        year = match.group("year") or match.group("year2")
        found.append(
            Citation(
                match.start("code"),
                match.end(),
                NUMBER,
                code=match.group("code"),
                year=int(year),
                seq=int(match.group("seq")),
            )
        )
    for match in QUOTED_TITLE.finditer(text):
        found.append(Citation(match.start(), match.end(), TITLE, title=unnest_quotes(match.group(1).strip())))
    found.sort(key=lambda c: (c.start, -c.end))
    result: list[Citation] = []
    for citation in found:
        if result and citation.start < result[-1].end:
            continue
        result.append(citation)
    return result


def unnest_quotes(title: str) -> str:
    """A title quoted inside a quotation writes its own 《》 as 〈〉; give them back (〈X〉 → 《X》)."""
    return title.replace("〈", "《").replace("〉", "》")


def title_keys(title: str) -> set[str]:
    """Titles a document can be cited by: its own, and the plan it prints (关于印发《X》的通知 → X)."""
    keys = {title.strip()}
    keys.update(m.group(1).strip() for m in QUOTED_TITLE.finditer(title))
    printed = PRINTED_TITLE.search(title)
    if printed:
        keys.add(printed.group(1).strip())
    return {key for key in keys if key}


def citable_titles(title: str) -> list[str]:
    """The title keys a citation could match (no citation quotes more than CITED_TITLE_MAX characters)."""
    return sorted(key for key in title_keys(title) if len(key) <= CITED_TITLE_MAX)


def document_texts(document: Document) -> Iterable[str]:
    """The body texts to search: each paragraph and heading, each table cell."""
    if not document.blocks:
        if document.body:
            yield document.body
        return
    for block in document.blocks:
        if block.get("text"):
            yield block["text"]
        for row in block.get("rows") or []:
            for cell in row:
                if cell:
                    yield str(cell)


class CitationIndex:
    """Known documents by the keys they are cited by; resolves a Citation to one of them.

    `reader` is the document the citations are read in when resolve() is not told (a page's).
    """

    def __init__(self, documents: Iterable[Document], *, reader: Reader | None = None):
        self.reader = reader or Reader()
        self.by_number: dict[tuple[int, int], list[Document]] = {}
        # Every document a title key names; put in resolution_order() when first resolved.
        self.by_title: dict[str, list[Document]] = {}
        self._ordered: set[str] = set()
        for document in documents:
            if document.doc_code and document.doc_year and document.doc_seq is not None:
                self.by_number.setdefault((document.doc_year, document.doc_seq), []).append(document)
            for key in title_keys(document.title):
                self.by_title.setdefault(key, []).append(document)

    def __bool__(self) -> bool:
        return bool(self.by_number or self.by_title)

    def resolve(self, citation: Citation, *, reader: Reader | None = None) -> tuple[Document, int] | None:
        """The document cited and where its citation starts (a 文号's code can follow other words).

        A document never cites itself; a 《title》 means the bearer the reader may mean (Reader).
        """
        reader = reader or self.reader
        if citation.kind == TITLE:
            bearers = self.by_title.get(citation.title)
            if not bearers:
                return None
            if citation.title not in self._ordered:
                bearers.sort(key=resolution_key)
                self._ordered.add(citation.title)
            document = next((d for d in bearers if reader.may_mean(d)), None)
            return (document, citation.start) if document else None
        # 现将贺政办发〔2018〕145号: the regex's code may begin with 现将; the real code is a suffix.
        matches = [
            d
            for d in self.by_number.get((citation.year, citation.seq), [])
            if citation.code.endswith(d.doc_code) and d.pk != reader.pk
        ]
        if not matches:
            return None
        document = max(matches, key=lambda d: len(d.doc_code))
        return document, citation.start + len(citation.code) - len(document.doc_code)


def link_citations(text: str, index: CitationIndex | None, *, breaks: bool = False) -> SafeString:
    """Text as HTML: escaped, with each citation of a known document wrapped in a link.

    With breaks=True, line breaks become <br>. Only escaped text and format_html output are joined.
    """
    pieces: list[str] = []
    position = 0
    if index:
        for citation in find_citations(text):
            resolved = index.resolve(citation)
            if not resolved:
                continue
            document, start = resolved
            pieces.append(escape(text[position:start]))
            pieces.append(
                format_html(
                    '<a class="cite" href="{}" title="{}">{}</a>',
                    document.get_absolute_url(),
                    document.title,
                    text[start : citation.end],
                )
            )
            position = citation.end
    pieces.append(escape(text[position:]))
    html = "".join(pieces)
    if breaks:
        html = html.replace("\r\n", "\n").replace("\n", "<br>")
    return mark_safe(html)  # noqa: S308 — every piece above is escaped or built by format_html


def document_citations(document: Document) -> list[Citation]:
    """Every citation in a document's body, each key once: what its CitationReference rows keep."""
    seen: dict[tuple, Citation] = {}
    for text in document_texts(document):
        for citation in find_citations(text):
            seen.setdefault((citation.kind, citation.code, citation.year, citation.seq, citation.title), citation)
    return list(seen.values())


def _issued_days(pks: Iterable[int]) -> dict[int, dt.date | None]:
    """The day each of these documents was issued (issued_on), by id: who reads their citations (Reader)."""
    pks = sorted(set(pks))
    if not pks:
        return {}
    return dict(Document.objects.filter(pk__in=pks).annotate(day=issued_on()).values_list("pk", "day"))


def _known_documents(citations_by_source: dict[int, list[Citation]], days: dict[int, dt.date | None]) -> list[Document]:
    """The documents these citations might mean, with their issues, found by indexed equality.

    A 文号's code as cited may begin with other words (现将贺政办发), so the document's code is
    one of its suffixes; a 《title》 is looked up among the CitationKey rows, keeping only the
    documents it can mean on the citing documents' days (_bearers_meant), however many share
    the title.
    """
    suffixes: dict[tuple[int, int], set[str]] = {}
    titles: set[str] = set()
    for citation in (c for citations in citations_by_source.values() for c in citations):
        if citation.kind == NUMBER:
            codes = suffixes.setdefault((citation.year, citation.seq), set())
            codes.update(citation.code[i:] for i in range(len(citation.code)))
        else:
            titles.add(citation.title)
    conditions = [
        Q(doc_code__in=sorted(codes), doc_year=year, doc_seq=seq) for (year, seq), codes in sorted(suffixes.items())
    ]
    ids = _bearers_meant(titles, days={days.get(source_id) for source_id in citations_by_source})
    if ids:
        conditions.append(Q(pk__in=sorted(ids)))
    if not conditions:
        return []
    return list(
        Document.objects.filter(reduce(or_, conditions))
        .select_related("issue")
        .only(
            "pk",
            "title",
            "doc_code",
            "doc_year",
            "doc_seq",
            "date",
            "order",
            "issue__published",
            "issue__year",
            "issue__number",
        )
    )


def _bearers_meant(titles: Iterable[str], *, days: set[dt.date | None]) -> set[int]:
    """Ids of the documents bearing one of these titles (CitationKey) that a citation of it read on
    one of these days (None: no day known) can mean.

    Read on day d, one of the first MEANT_PER_TITLE bearers in resolution_order() issued by d: for
    days d0 to d1, those issued from the MEANT_PER_TITLE-th newest day by d0 up to d1, every one
    on a day of a tie (a handful, the days of one import being close together). Read with no day,
    the newest ones, and the undated, which come last. Each bound is an index range on
    (title, issued): how many documents bear the title does not matter.
    """
    titles = sorted(set(titles))
    dated = sorted(day for day in days if day is not None)
    conditions = []
    if titles and dated:
        conditions += _bearers_between(titles, first=dated[0], last=dated[-1])
    if titles and None in days:
        conditions += _bearers_between(titles, first=None, last=None)
        conditions.append(Q(title__in=titles, issued__isnull=True))
    if not conditions:
        return set()
    return set(CitationKey.objects.filter(reduce(or_, conditions)).values_list("document_id", flat=True))


def _bearers_between(titles: list[str], *, first: dt.date | None, last: dt.date | None) -> list[Q]:
    """For each title, its CitationKey rows issued from the MEANT_PER_TITLE-th newest day by `first`
    up to `last` (None: from the MEANT_PER_TITLE-th newest day on).

    Those days are read by one short index range per title, all in one statement where the
    database allows (a UNION of them; one query per title on SQLite).
    """
    dated = CitationKey.objects.filter(issued__isnull=False)
    if first:
        dated = dated.filter(issued__lte=first)
    newest = [
        dated.filter(title=title).order_by("-issued").values_list("title", "issued")[:MEANT_PER_TITLE]
        for title in titles
    ]
    if len(newest) > 1 and connection.features.supports_slicing_ordering_in_compound:
        rows = list(newest[0].union(*newest[1:], all=True))
    else:
        rows = [row for query in newest for row in query]
    lowest: dict[str, dt.date] = {}
    for title, day in rows:
        lowest[title] = min(day, lowest.get(title, day))
    conditions = []
    for title in titles:
        condition = Q(title=title, issued__isnull=False)
        if title in lowest:
            condition &= Q(issued__gte=lowest[title])
        if last:
            condition &= Q(issued__lte=last)
        conditions.append(condition)
    return conditions


def _meanings(citations_by_source: dict[int, list[Citation]]) -> dict[int, dict[Citation, int]]:
    """For each citing document's id, the id of the known document each of its citations resolves to (if any)."""
    days = _issued_days(citations_by_source)
    index = CitationIndex(_known_documents(citations_by_source, days))
    meant: dict[int, dict[Citation, int]] = {}
    for source_id, citations in citations_by_source.items():
        reader = Reader(source_id, days.get(source_id))
        resolved = ((citation, index.resolve(citation, reader=reader)) for citation in citations)
        meant[source_id] = {citation: r[0].pk for citation, r in resolved if r}
    return meant


def _cited_ids(citations_by_source: dict[int, list[Citation]]) -> dict[int, set[int]]:
    """For each citing document's id, the ids of the known documents its citations resolve to (itself excluded)."""
    return {source_id: set(meant.values()) for source_id, meant in _meanings(citations_by_source).items()}


def _stored_rows_replace(
    documents: list[Document], citations_by_source: dict[int, list[Citation]], days: dict[int, dt.date | None]
) -> None:
    """Replace these documents' CitationReference rows (what they cite) and CitationKey rows (what they are
    cited by), each with its document's day."""
    pks = [document.pk for document in documents]
    CitationReference.objects.filter(source_id__in=pks).delete()
    CitationKey.objects.filter(document_id__in=pks).delete()
    CitationReference.objects.bulk_create(
        [
            CitationReference(
                source_id=source_id,
                kind=citation.kind,
                code=citation.code,
                year=citation.year,
                seq=citation.seq,
                title=citation.title,
                issued=days.get(source_id),
            )
            for source_id, citations in citations_by_source.items()
            for citation in citations
        ],
        batch_size=500,
    )
    CitationKey.objects.bulk_create(
        [
            CitationKey(document_id=d.pk, title=title, issued=days.get(d.pk))
            for d in documents
            for title in citable_titles(d.title)
        ],
        batch_size=500,
    )


REFERENCE_FIELDS = ("source_id", "kind", "code", "year", "seq", "title")


def _stored(kind: str, code: str, year: int | None, seq: int | None, title: str) -> Citation:
    """A CitationReference row as a Citation (its place in the text is not kept)."""
    return Citation(0, 0, kind, code=code, year=year, seq=seq, title=title)


def _citing_references(
    documents: list[Document], days: dict[int, dt.date | None]
) -> tuple[dict[int, list[Citation]], list[tuple[int, str]]]:
    """Other documents a citation of which may now mean one of these: (all stored citations of those
    citing one's 文号, to read again, by document id; the (document id, title) of each citation of a
    title one of these bears that it may now mean, _title_citations_reached).

    A 文号 cited: candidates come from equality on the references' indexed keys, each checked
    with CitationIndex.resolve (code suffix) as a body read at import would be.
    """
    pks = {d.pk for d in documents}
    numbers = [
        Q(year=d.doc_year, seq=d.doc_seq) for d in documents if d.doc_code and d.doc_year and d.doc_seq is not None
    ]
    index = CitationIndex(documents)
    citing: set[int] = set()
    if numbers:
        rows = (
            CitationReference.objects.filter(Q(kind=NUMBER) & reduce(or_, numbers))
            .exclude(source_id__in=pks)
            .values_list(*REFERENCE_FIELDS)
        )
        citing.update(source_id for source_id, *key in rows if index.resolve(_stored(*key)))
    return _references_of(citing), _title_citations_reached(documents, days)


def _title_citations_reached(documents: list[Document], days: dict[int, dt.date | None]) -> list[tuple[int, str]]:
    """(document id, title) of the stored citations of a title these bear that one of these may now mean.

    A citation means the newest bearer issued by the citing document's day, so a bearer issued on
    day b reaches only citations issued on or after b, and none issued after the first day another
    known bearer was issued after these: from then on that one, newer, is meant. With gazettes
    imported in date order that is the citations of the last few days, however many cite the
    title. A citation with no day may mean any bearer: each is read again.
    """
    pks = {d.pk for d in documents}
    first_day: dict[str, dt.date] = {}
    undated: set[str] = set()
    for document in documents:
        day = days.get(document.pk)
        for title in citable_titles(document.title):
            if day is None:
                undated.add(title)
            elif first_day.get(title) is None or day < first_day[title]:
                first_day[title] = day
    if not undated and not first_day:
        return []
    conditions = [Q(title__in=sorted(undated | set(first_day)), issued__isnull=True)]
    if first_day:
        last = max(day for day in days.values() if day is not None)
        until = dict(
            CitationKey.objects.filter(title__in=sorted(first_day), issued__gt=last)
            .exclude(document_id__in=pks)
            .values("title")
            .annotate(next=Min("issued"))
            .values_list("title", "next")
        )
        spans: dict[tuple, list[str]] = {}
        for title, day in first_day.items():
            spans.setdefault((day, until.get(title)), []).append(title)
        for (day, end), titles in sorted(spans.items(), key=lambda item: (item[0][0], item[0][1] or dt.date.max)):
            reached = Q(title__in=sorted(titles), issued__gte=day)
            conditions.append(reached & Q(issued__lte=end) if end else reached)
    return list(
        CitationReference.objects.filter(kind=TITLE)
        .filter(reduce(or_, conditions))
        .exclude(source_id__in=pks)
        .order_by("source_id", "title")
        .values_list("source_id", "title")
    )


def _references_of(sources: Iterable[int]) -> dict[int, list[Citation]]:
    """All stored citations of these documents, by document id."""
    references: dict[int, list[Citation]] = {pk: [] for pk in sorted(sources)}
    if references:
        for source_id, *key in CitationReference.objects.filter(source_id__in=list(references)).values_list(
            *REFERENCE_FIELDS
        ):
            references[source_id].append(_stored(*key))
    return references


def _title_meanings_moved(reached: list[tuple[int, str]], *, bearers: set[int]) -> dict[tuple[str, int], set[int]]:
    """Of these (document id, title) citations, those that now mean one of `bearers`: ids by (title, bearer)."""
    citations: dict[int, list[Citation]] = {}
    for source_id, title in reached:
        citations.setdefault(source_id, []).append(_stored(TITLE, "", None, None, title))
    moved: dict[tuple[str, int], set[int]] = {}
    for source_id, meant in _meanings(citations).items():
        for citation, target in meant.items():
            if target in bearers:
                moved.setdefault((citation.title, target), set()).add(source_id)
    return moved


def _title_meaning_moved(*, title: str, bearer: int, sources: set[int]) -> int:
    """These documents citing this title now mean `bearer` by it.

    Links each to `bearer` and drops its links to the title's other bearers, unless another of
    its citations still means that document: what reading its citations again would give, with
    only the rows that could keep such a link read. Returns how many links were created.
    """
    others = DocumentLink.objects.filter(
        kind=DocumentLink.Kind.CITES,
        source_id__in=sorted(sources),
        target_id__in=CitationKey.objects.filter(title=title).values("document_id"),
    ).exclude(target_id=bearer)
    candidates = list(others.values_list("pk", "source_id", "target_id"))
    kept = _links_still_meant(candidates, title=title)
    DocumentLink.objects.filter(
        pk__in=[pk for pk, source, target in candidates if (source, target) not in kept]
    ).delete()
    linked = set(
        DocumentLink.objects.filter(
            kind=DocumentLink.Kind.CITES, target_id=bearer, source_id__in=sorted(sources)
        ).values_list("source_id", flat=True)
    )
    new = [
        DocumentLink(source_id=source, target_id=bearer, kind=DocumentLink.Kind.CITES)
        for source in sorted(sources - linked - {bearer})
    ]
    DocumentLink.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    return len(new)


def _links_still_meant(links: list[tuple[int, int, int]], *, title: str) -> set[tuple[int, int]]:
    """The (source, target) pairs of these links that a citation of the source other than of `title` means.

    Only the citations that could mean a target are read: of its other title keys, or of its 文号.
    """
    targets = {target for _, _, target in links}
    if not targets:
        return set()
    other_titles = set(
        CitationKey.objects.filter(document_id__in=sorted(targets)).exclude(title=title).values_list("title", flat=True)
    )
    conditions = [Q(kind=TITLE, title__in=sorted(other_titles))] if other_titles else []
    conditions += [
        Q(kind=NUMBER, year=year, seq=seq)
        for year, seq in Document.objects.filter(pk__in=sorted(targets), doc_year__isnull=False, doc_seq__isnull=False)
        .exclude(doc_code="")
        .values_list("doc_year", "doc_seq")
    ]
    if not conditions:
        return set()
    citations: dict[int, list[Citation]] = {}
    for source_id, *key in (
        CitationReference.objects.filter(source_id__in=sorted({source for _, source, _ in links}))
        .filter(reduce(or_, conditions))
        .values_list(*REFERENCE_FIELDS)
    ):
        citations.setdefault(source_id, []).append(_stored(*key))
    cited = _cited_ids(citations)
    return {(source, target) for _, source, target in links if target in cited.get(source, ())}


def _links_replace(cited: dict[int, set[int]]) -> int:
    """Make each source's 'cites' links exactly its cited ids; returns how many links were created."""
    existing: dict[int, set[int]] = {source_id: set() for source_id in cited}
    stale = []
    for pk, source_id, target_id in DocumentLink.objects.filter(
        kind=DocumentLink.Kind.CITES, source_id__in=list(cited)
    ).values_list("pk", "source_id", "target_id"):
        existing[source_id].add(target_id)
        if target_id not in cited[source_id]:
            stale.append(pk)
    if stale:
        DocumentLink.objects.filter(pk__in=stale).delete()
    new = [
        DocumentLink(source_id=source_id, target_id=target_id, kind=DocumentLink.Kind.CITES)
        for source_id, targets in cited.items()
        for target_id in sorted(targets - existing[source_id])
    ]
    DocumentLink.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    return len(new)


def _citations_lock() -> None:
    """Take CITATIONS_LOCK until the transaction ends (nothing off PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CITATIONS_LOCK])


@transaction.atomic
def document_citations_update(*, documents: Iterable[Document]) -> int:
    """Store what these documents cite and are cited by; link them and the known documents citing them.

    Older documents citing these are found through their stored CitationReference rows, never
    by reading bodies, and only those whose citation may now mean one of these are touched:
    read again when they cite its 文号; by a 《title》, only the citations issued on or after one
    of these (_title_citations_reached), relinked by title when they now mean it
    (_title_meaning_moved). Updates run one at a time (CITATIONS_LOCK, to the commit), so each
    sees the documents of the one before. Returns the number of 'cites' links created; stale
    'cites' links of the documents re-read are removed.
    """
    documents = list(documents)
    if not documents:
        return 0
    # Reading the bodies depends on nothing another import writes: done before waiting for the lock.
    citations = {document.pk: document_citations(document) for document in documents}
    _citations_lock()
    days = _issued_days(citations)
    _stored_rows_replace(documents, citations, days)
    reread, reached = _citing_references(documents, days)
    citations.update(reread)
    created = _links_replace(_cited_ids(citations))
    reached = [(source_id, title) for source_id, title in reached if source_id not in citations]
    moved = _title_meanings_moved(reached, bearers={document.pk for document in documents})
    for (title, bearer), sources in sorted(moved.items()):
        created += _title_meaning_moved(title=title, bearer=bearer, sources=sources)
    return created
