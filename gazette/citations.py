"""Citations between documents: the 文号 and 《titles》 a body cites, stored as DocumentLink(kind="cites").

`find_citations` is pure: text in, spans out. `CitationIndex` decides which known document a
span means. `document_citations_update` runs after an import: it keeps what each new document
cites as CitationReference rows (so a document imported later finds who cites it by an indexed
lookup, not a scan of every body) and writes the links; `link_citations` renders a text with
those links, escaping everything it does not wrap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connection, transaction
from django.db.models import F, OrderBy, Q, Window
from django.db.models.functions import RowNumber
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

# A title citation means the first document bearing the title other than the citing one: only
# the first two of each title can ever be meant.
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


def resolution_order(path: str = "") -> list[OrderBy]:
    """The order CitationIndex is given documents in (at `path`, e.g. "document__"), the first one meant.

    The newest issue first, as Issue orders them, then by place in the issue; pk settles a tie
    between two issues of the same date and number.
    """
    return [
        F(f"{path}issue__published").desc(),
        F(f"{path}issue__year").desc(),
        F(f"{path}issue__number").desc(),
        F(f"{path}order").asc(),
        F(f"{path}pk").asc(),
    ]


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
    """Known documents by the keys they are cited by; resolves a Citation to one of them."""

    def __init__(self, documents: Iterable[Document]):
        self.by_number: dict[tuple[int, int], list[Document]] = {}
        # Every document a title key names, in the order given: the first one is meant.
        self.by_title: dict[str, list[Document]] = {}
        for document in documents:
            if document.doc_code and document.doc_year and document.doc_seq is not None:
                self.by_number.setdefault((document.doc_year, document.doc_seq), []).append(document)
            for key in title_keys(document.title):
                self.by_title.setdefault(key, []).append(document)

    def __bool__(self) -> bool:
        return bool(self.by_number or self.by_title)

    def resolve(self, citation: Citation, *, citing: int | None = None) -> tuple[Document, int] | None:
        """The document cited and where its citation starts (a 文号's code can follow other words).

        `citing` is the pk of the document the citation is in: a document never cites itself.
        """
        if citation.kind == TITLE:
            for document in self.by_title.get(citation.title, ()):
                if document.pk != citing:
                    return document, citation.start
            return None
        # 现将贺政办发〔2018〕145号: the regex's code may begin with 现将; the real code is a suffix.
        matches = [
            d
            for d in self.by_number.get((citation.year, citation.seq), [])
            if citation.code.endswith(d.doc_code) and d.pk != citing
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


def _known_documents(citations: Iterable[Citation]) -> list[Document]:
    """The documents these citations might mean, in resolution_order(), found by indexed equality.

    A 文号's code as cited may begin with other words (现将贺政办发), so the document's code is
    one of its suffixes; a 《title》 is looked up among the CitationKey rows, keeping only the
    documents it can mean (_first_bearers), however many share the title.
    """
    suffixes: dict[tuple[int, int], set[str]] = {}
    titles: set[str] = set()
    for citation in citations:
        if citation.kind == NUMBER:
            codes = suffixes.setdefault((citation.year, citation.seq), set())
            codes.update(citation.code[i:] for i in range(len(citation.code)))
        else:
            titles.add(citation.title)
    conditions = [
        Q(doc_code__in=sorted(codes), doc_year=year, doc_seq=seq) for (year, seq), codes in sorted(suffixes.items())
    ]
    ids = {pk for bearers in _first_bearers(titles).values() for pk in bearers}
    if ids:
        conditions.append(Q(pk__in=sorted(ids)))
    if not conditions:
        return []
    return list(
        Document.objects.filter(reduce(or_, conditions))
        .order_by(*resolution_order())
        .only("pk", "title", "doc_code", "doc_year", "doc_seq")
    )


def _first_bearers(titles: Iterable[str]) -> dict[str, list[int]]:
    """For each title, the ids of the first MEANT_PER_TITLE documents bearing it as a CitationKey, in resolution_order()."""
    titles = sorted(set(titles))
    if not titles:
        return {}
    rows = (
        CitationKey.objects.filter(title__in=titles)
        .annotate(rank=Window(RowNumber(), partition_by=[F("title")], order_by=resolution_order("document__")))
        .filter(rank__lte=MEANT_PER_TITLE)
        .order_by("title", "rank")
        .values_list("title", "document_id")
    )
    bearers: dict[str, list[int]] = {}
    for title, document_id in rows:
        bearers.setdefault(title, []).append(document_id)
    return bearers


def _cited_ids(citations_by_source: dict[int, list[Citation]]) -> dict[int, set[int]]:
    """For each citing document's id, the ids of the known documents its citations resolve to (itself excluded)."""
    index = CitationIndex(_known_documents(c for citations in citations_by_source.values() for c in citations))
    cited: dict[int, set[int]] = {}
    for source_id, citations in citations_by_source.items():
        resolved = (index.resolve(citation, citing=source_id) for citation in citations)
        cited[source_id] = {r[0].pk for r in resolved if r}
    return cited


def document_cited_ids(document: Document) -> set[int]:
    """Ids of the known documents this document's body cites (itself excluded)."""
    return _cited_ids({document.pk: document_citations(document)})[document.pk]


def _stored_rows_replace(documents: list[Document], citations_by_source: dict[int, list[Citation]]) -> None:
    """Replace these documents' CitationReference rows (what they cite) and CitationKey rows (what they are cited by)."""
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
            )
            for source_id, citations in citations_by_source.items()
            for citation in citations
        ],
        batch_size=500,
    )
    CitationKey.objects.bulk_create(
        [CitationKey(document_id=d.pk, title=title) for d in documents for title in citable_titles(d.title)],
        batch_size=500,
    )


REFERENCE_FIELDS = ("source_id", "kind", "code", "year", "seq", "title")


def _stored(kind: str, code: str, year: int | None, seq: int | None, title: str) -> Citation:
    """A CitationReference row as a Citation (its place in the text is not kept)."""
    return Citation(0, 0, kind, code=code, year=year, seq=seq, title=title)


def _citing_references(documents: list[Document]) -> tuple[dict[int, list[Citation]], dict[str, int]]:
    """Other documents a citation of which now means one of these: (all stored citations of those
    read again, by document id; the titles one of these now bears first, with that document's id).

    A 文号 cited: candidates come from equality on the references' indexed keys, each checked
    with CitationIndex.resolve (code suffix) as a body read at import would be. A 《title》 cited
    means the first document bearing it other than the citing one, so its citations change
    meaning only when one of these is now its first bearer (every document citing it: see
    _title_meaning_moved) or its second (the first bearer's own citation of it, read again;
    _first_bearers). Citations of a title these merely share with documents ahead of them still
    mean what they meant, and are not read.
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
    led: dict[str, int] = {}
    for title, bearers in _first_bearers(set().union(*(title_keys(d.title) for d in documents))).items():
        if bearers[0] in pks:
            led[title] = bearers[0]
        elif len(bearers) > 1 and bearers[1] in pks and bearers[0] not in citing:
            if CitationReference.objects.filter(kind=TITLE, title=title, source_id=bearers[0]).exists():
                citing.add(bearers[0])
    return _references_of(citing), led


def _references_of(sources: Iterable[int]) -> dict[int, list[Citation]]:
    """All stored citations of these documents, by document id."""
    references: dict[int, list[Citation]] = {pk: [] for pk in sorted(sources)}
    if references:
        for source_id, *key in CitationReference.objects.filter(source_id__in=list(references)).values_list(
            *REFERENCE_FIELDS
        ):
            references[source_id].append(_stored(*key))
    return references


def _title_meaning_moved(*, title: str, bearer: int, done: set[int]) -> int:
    """Every document citing this title (but those in `done`, linked already) now means `bearer` by it.

    Links each to `bearer` and drops its links to the title's other bearers, unless another of
    its citations still means that document: what reading its citations again would give, with
    only the rows that could keep such a link read. Returns how many links were created.
    """
    sources = set(
        CitationReference.objects.filter(kind=TITLE, title=title)
        .exclude(source_id__in=done)
        .values_list("source_id", flat=True)
    )
    if not sources:
        return 0
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
    by reading bodies, and only those whose citation now means one of these are touched: read
    again when they cite its 文号, relinked by title otherwise (_title_meaning_moved). Updates
    run one at a time (CITATIONS_LOCK, to the commit), so each sees the documents of the one
    before. Returns the number of 'cites' links created; stale 'cites' links of the documents
    re-read are removed.
    """
    documents = list(documents)
    if not documents:
        return 0
    _citations_lock()
    citations = {document.pk: document_citations(document) for document in documents}
    _stored_rows_replace(documents, citations)
    reread, led = _citing_references(documents)
    citations.update(reread)
    created = _links_replace(_cited_ids(citations))
    for title, bearer in sorted(led.items()):
        created += _title_meaning_moved(title=title, bearer=bearer, done=set(citations))
    return created
