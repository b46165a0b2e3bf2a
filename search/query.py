"""Reading a reader's query and running it against the index and the database.

The query language is small and never fails: words separated by spaces must all match;
"…" is an exact phrase; -word excludes; OR (or |) between two words accepts either; a
文号 in any bracket or width variant matches that document's 文号 first. Anything else
(field:syntax, *, stray quotes) is plain text; symbols are ignored.

Each word matches where jieba finds it (ranked higher) or where its characters follow
each other in the CJK-bigram fields (recall independent of jieba). A search may be kept
within one field, as policy libraries offer: 全文 (title and text, the default), 标题,
文号 (a whole 文号 or any part of one: 贺政办发, 2018 139) or 发文机关; exclusions then
apply to that field too. The query becomes a
tree of clauses (search.engines.base) with the tokens already analysed and the boosts
below; the engine the settings choose (search.engines.engine()) returns the matching
document ids with their scores. One database query then reads the facet values
(gazette, year, issuer, …, 文种, 规范性文件, 效力, 成文日期, 发布日期) of the matched
documents; filters, facet counts and date order are worked out from those rows, so they
always agree with what the pages show.

An engine that counts facets (OpenSearch, for a province) is handed the filters as
conditions instead and answers the page, the exact total and the facet counts itself, from
the same values (`document_values`, sent with each document when it is indexed): a broad
query at 100,000 documents matches tens of thousands, too many to send to the database.
The ids are then a RankedIds list, read from the engine a slice at a time.
"""

from __future__ import annotations

import collections.abc
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import opencc
from django.db import connection
from django.db.models import Exists, F, IntegerField, Lookup, OuterRef
from django.db.models.functions import Coalesce, ExtractYear
from django.db.models.lookups import In

from gazette.importer import normalise_doc_number
from gazette.importer.text import DOC_NUMBER
from gazette.models import Document, Gazette
from policies.models import Task

from .analyzers import bigram_query_tokens, fold, jieba_words
from .engines import (
    VALUE_FIELDS,
    AllOf,
    AnyOf,
    Clause,
    Condition,
    Excluding,
    Order,
    SearchEngine,
    Sequence,
    engine,
)

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
# More hits than this and the page suggests narrowing the search.
TOO_MANY_HITS = 500
FACET_SIZE = 30
# Ids an engine that counts facets returns with them: the first pages need no other request.
FIRST_IDS = 100

# Relative weights: a jieba word in the title counts most, a bigram-only match least.
BOOST_DOC_NUMBER = 1000.0
BOOST_TITLE_WORDS = 8.0
BOOST_TITLE_BIGRAMS = 4.0
BOOST_TEXT_WORDS = 3.0
BOOST_TEXT_LOOSE = 1.5
BOOST_TEXT_BIGRAMS = 1.0

# Quotes readers type: "…" “…” 「…」 『…』 ＂…＂
QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "『": '"', "』": '"', "＂": '"'})
# Full-width ASCII (Ｏ Ｒ －) to half-width, ideographic space to space; case is kept for OR.
WIDTH = str.maketrans({**{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}, 0x3000: 0x20})
# -"exact phrase" | "exact phrase" | "unclosed phrase to the end | -word | word
QUERY_ITEM = re.compile(r'(?P<neg>-?)"(?P<phrase>[^"]*)(?:"|$)|(?P<negw>-?)(?P<word>[^\s"]+)')
OR_WORDS = {"OR", "|", "||"}
# 贺政办发〔2018〕139 typed without 号
DOC_NUMBER_WITHOUT_SUFFIX = re.compile(r"[〔\[(【［（〖{]\s*(?:19|20)\d\d\s*[〕\])】］）〗}]\s*\d{1,5}\s*$")


class Within:
    """The field a search is kept within (the `field` parameter)."""

    ALL = ""
    TITLE = "title"
    DOC_NUMBER = "doc_number"
    ISSUER = "issuer"
    choices = [(ALL, "全文"), (TITLE, "标题"), (DOC_NUMBER, "文号"), (ISSUER, "发文机关")]


# The bigram field a search within a field matches its words' characters in.
WITHIN_BIGRAM_FIELD = {
    Within.ALL: "text_bigram",
    Within.TITLE: "title_bigram",
    Within.DOC_NUMBER: "doc_number_bigram",
    Within.ISSUER: "issuer_bigram",
}


@dataclass
class Term:
    text: str
    phrase: bool = False


@dataclass
class ParsedQuery:
    """AND of groups, each an OR of terms; minus the excluded terms; maybe a 文号."""

    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    doc_numbers: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def positive_terms(self) -> list[Term]:
        return [term for group in self.groups for term in group]

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.doc_numbers


@dataclass
class Filters:
    gazette: int | None = None
    issue: int | None = None
    year: int | None = None
    issuer: str = ""
    section: str = ""
    kind: str = ""
    region: str = ""
    has_tasks: bool | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    genre: str = ""
    normative: bool | None = None
    validity: str = ""
    published_from: dt.date | None = None
    published_to: dt.date | None = None

    @property
    def any(self) -> bool:
        return any(value not in (None, "") for value in self.__dict__.values())


class RankedIds(collections.abc.Sequence):
    """A search's matching ids in order, read from the engine a slice at a time (the first ones are given).

    A Paginator asks its length, then the page's slice: one request per page after the first.
    """

    def __init__(self, total: int, first: list[int], fetch: Callable[[int, int], list[int]]):
        self._total = total
        self._first = first
        self._fetch = fetch

    def __len__(self) -> int:
        return self._total

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self._total)
            if start >= stop:
                return []
            if stop <= len(self._first):
                return self._first[start:stop:step]
            return self._fetch(start, stop - start)[::step]
        position = index + self._total if index < 0 else index
        if not 0 <= position < self._total:
            raise IndexError("search result index out of range")
        return self[position : position + 1][0]

    def __eq__(self, other: object) -> bool:
        # Equal to a list of the same ids in the same order, as the database path's ids are.
        if isinstance(other, list | tuple | RankedIds):
            return list(self[:]) == list(other)
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return f"RankedIds({self[:]!r})" if self._total <= 20 else f"RankedIds(total={self._total})"


@dataclass
class SearchOutcome:
    parsed: ParsedQuery
    ids: collections.abc.Sequence[int]
    facets: dict[str, list[dict]]
    notices: list[str]
    searched: bool

    @property
    def count(self) -> int:
        return len(self.ids)


# --- parsing ----------------------------------------------------------------------------


def parse_query(raw: str) -> ParsedQuery:
    """Read a reader's query; never raises, whatever the text."""
    parsed = ParsedQuery()
    text = to_simplified((raw or "").translate(QUOTES).translate(WIDTH).strip())
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        parsed.notices.append(f"检索词过长，只按前 {MAX_QUERY_CHARS} 个字检索。")

    # A 文号 anywhere in the query: 贺政办发〔2018〕139号, 贺政办发[2018]139号, 贺政办发 2018 139号.
    candidate = text + "号" if DOC_NUMBER_WITHOUT_SUFFIX.search(text) else text
    match = DOC_NUMBER.search(candidate)
    if match and not _inside_quotes(candidate, match.start()):
        code = match.group("code")
        year = match.group("year") or match.group("year2")
        canonical = normalise_doc_number(match.group())
        if canonical:
            parsed.doc_numbers.append(canonical)
            # The importer's pattern lets the office code swallow words typed before it
            # (关于冷链贺政办发〔2018〕146号); try the shorter codes as well.
            if len(code) > 6:
                parsed.doc_numbers.extend(
                    f"{code[i:]}〔{int(year)}〕{int(match.group('seq'))}号" for i in range(1, len(code) - 1)
                )
            text = (candidate[: match.start()] + " " + candidate[match.end() :]).strip()

    pending_or = False
    for item in QUERY_ITEM.finditer(text):
        if item.group("word") is not None:
            negative, value, phrase = bool(item.group("negw")), item.group("word"), False
        else:
            negative, value, phrase = bool(item.group("neg")), item.group("phrase"), True
        if not phrase and not negative and value in OR_WORDS:
            pending_or = bool(parsed.groups)
            continue
        term = Term(text=value.strip(), phrase=phrase)
        if not bigram_query_tokens(term.text):
            if term.text:
                parsed.notices.append(f"“{term.text}”中没有可检索的文字，已忽略。")
            pending_or = False
            continue
        if len(parsed.positive_terms) + len(parsed.excluded) >= MAX_TERMS:
            parsed.notices.append(f"检索词过多，只用了前 {MAX_TERMS} 个。")
            break
        if negative:
            parsed.excluded.append(term)
        elif pending_or:
            parsed.groups[-1].append(term)
        else:
            parsed.groups.append([term])
        pending_or = False
    return parsed


@cache
def _traditional_to_simplified() -> opencc.OpenCC:
    # Loaded once per process: the dictionaries ship inside the package (no network).
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """The text in Simplified characters (營商環境 → 营商环境); Simplified text is left as it is."""
    return _traditional_to_simplified().convert(text) if text else text


def _inside_quotes(text: str, position: int) -> bool:
    return text[:position].count('"') % 2 == 1


# --- clauses for the engine ------------------------------------------------------------------


def _sequence(field: str, tokens: list[str], boost: float) -> Sequence:
    return Sequence(field, tuple(tokens), boost)


def term_clause(term: Term, within: str = Within.ALL) -> Clause:
    """Where a term matches: jieba words in title and text, or its characters in sequence.

    Within the title: its words or characters there; within the 文号 or the 发文机关: its
    characters (and Latin words and numbers) in sequence there.
    """
    bigrams = bigram_query_tokens(term.text)
    if within in (Within.DOC_NUMBER, Within.ISSUER):
        return _sequence(WITHIN_BIGRAM_FIELD[within], bigrams, 1.0)
    words = [word for word, _, _ in jieba_words(term.text)]
    if within == Within.TITLE:
        clauses = [_sequence("title_bigram", bigrams, BOOST_TITLE_BIGRAMS)]
        if words:
            clauses.append(_sequence("title", words, BOOST_TITLE_WORDS))
        return AnyOf(tuple(clauses))
    clauses = [
        _sequence("title_bigram", bigrams, BOOST_TITLE_BIGRAMS),
        _sequence("text_bigram", bigrams, BOOST_TEXT_BIGRAMS),
    ]
    if words:
        clauses += [
            _sequence("title", words, BOOST_TITLE_WORDS),
            _sequence("text", words, BOOST_TEXT_WORDS),
        ]
    content = [word for word in words if len(word) > 1]
    if not term.phrase and len(content) > 1:
        # The words of 养老服务监管 apart from each other (养老服务综合监管) still count, lower.
        clauses.append(AllOf(tuple(Sequence("text", (word,)) for word in content), boost=BOOST_TEXT_LOOSE))
    return AnyOf(tuple(clauses))


def doc_number_clause(canonical_numbers: list[str], within: str = Within.ALL) -> Clause:
    """The document with this 文号 (any written variant), then documents that cite it.

    Within the 文号: that document alone; within the title or the 发文机关: the number's
    characters there (a 转发 title names the 文号 it forwards).
    """
    clauses: list[Clause] = []
    for number in canonical_numbers:
        if within in (Within.ALL, Within.DOC_NUMBER):
            # Folded and without spaces, as the engines index the 文号.
            clauses.append(Sequence("doc_number", ("".join(fold(number).split()),), BOOST_DOC_NUMBER))
        if within != Within.DOC_NUMBER:
            clauses.append(_sequence(WITHIN_BIGRAM_FIELD[within], bigram_query_tokens(number), BOOST_TEXT_BIGRAMS))
    return AnyOf(tuple(clauses))


def search_clause(parsed: ParsedQuery, within: str = Within.ALL) -> Clause | None:
    """The clause tree the engine runs for a parsed query, or None when nothing positive is asked."""
    required: list[Clause] = [AnyOf(tuple(term_clause(term, within) for term in group)) for group in parsed.groups]
    if parsed.doc_numbers:
        required.append(doc_number_clause(parsed.doc_numbers, within))
    if not required:
        return None
    positive = required[0] if len(required) == 1 else AllOf(tuple(required))
    if parsed.excluded:
        field = WITHIN_BIGRAM_FIELD[within]
        excluded = AnyOf(tuple(_sequence(field, bigram_query_tokens(t.text), 1.0) for t in parsed.excluded))
        return Excluding(positive, excluded)
    return positive


# --- database: filters, facets and order --------------------------------------------------


def documents_search(
    *, q: str = "", filters: Filters | None = None, sort: str = "relevance", within: str = Within.ALL
) -> SearchOutcome:
    """Run a reader's search (within one field, or all): matching document ids in order, facet counts and notices.

    One SQL query, whatever the number of hits: over the matched documents (every document
    when only filters are given) it returns the id and date of each document passing the
    filters, and each facet's counts per value, grouped in the database; the counts always
    agree with the hits.
    """
    filters = filters or Filters()
    parsed = parse_query(q)
    notices = list(parsed.notices)
    query = search_clause(parsed, within)
    if query is None and not filters.any:
        if (q or "").strip() and parsed.excluded:
            notices.append("只有排除词无法检索，请至少输入一个要查找的词。")
        return SearchOutcome(parsed=parsed, ids=[], facets={}, notices=notices, searched=False)

    search_engine = engine()
    if search_engine.counts_facets:
        ids, facets = _engine_answer(search_engine, query, filters, sort)
        if len(ids) > TOO_MANY_HITS and query is not None:
            notices.append(f"找到 {len(ids)} 篇，结果较多：可以再加一个词（用空格隔开），或用左侧的筛选缩小范围。")
        return SearchOutcome(parsed=parsed, ids=ids, facets=facets, notices=notices, searched=True)

    scores: dict[int, float] = {}
    if query is None:
        dated, counts = _filtered_and_counted(None, filters)
    else:
        ranking = search_engine.ranked_ids(query)
        scores = dict(ranking.hits)
        dated, counts = _filtered_and_counted(list(scores), filters) if scores else ([], {})
        if ranking.total > len(ranking.hits):
            notices.append(
                f"找到 {ranking.total} 篇，只列出相关度最高的 {len(ranking.hits)} 篇：请再加一个词或用筛选缩小范围。"
            )
    facets = _facets(counts, filters)
    if query is None or sort == "date":
        dated.sort(key=lambda row: (row[1] or dt.date.min, scores.get(row[0], 0.0), -row[0]), reverse=True)
    else:
        dated.sort(key=lambda row: (-scores.get(row[0], 0.0), -(row[1] or dt.date.min).toordinal(), row[0]))
    ids = [pk for pk, _ in dated]
    if len(ids) > TOO_MANY_HITS and query is not None:
        notices.append(f"找到 {len(ids)} 篇，结果较多：可以再加一个词（用空格隔开），或用左侧的筛选缩小范围。")
    return SearchOutcome(parsed=parsed, ids=ids, facets=facets, notices=notices, searched=True)


def _engine_answer(
    search_engine: SearchEngine, query: Clause | None, filters: Filters, sort: str
) -> tuple[RankedIds, dict[str, list[dict]]]:
    """The ids in order and the facets, from an engine that counts facets (one request for the first pages)."""
    conditions = _conditions(filters)
    order = Order.DATE if query is None or sort == "date" else Order.RELEVANCE

    def fetch(offset: int, limit: int) -> list[int]:
        return search_engine.page(query, conditions, order=order, offset=offset, limit=limit).ids

    page = search_engine.page(
        query, conditions, order=order, offset=0, limit=FIRST_IDS, facets=FACETS, facet_size=FACET_SIZE
    )
    gazettes = [value for value, _ in page.counts.get("gazette", [])]
    names = dict(Gazette.objects.filter(pk__in=gazettes).values_list("pk", "name")) if gazettes else {}
    counts = {
        name: [(value, names.get(value, str(value)) if name == "gazette" else None, count) for value, count in found]
        for name, found in page.counts.items()
    }
    return RankedIds(page.total, page.ids, fetch), _facets(counts, filters)


def _conditions(filters: Filters) -> tuple[Condition, ...]:
    """The filters as an engine's conditions: as _filter_conditions puts them to the database."""
    conditions = [
        Condition(name, name, value=getattr(filters, name))
        for name in (*FACETS, "issue")
        if getattr(filters, name) not in (None, "")
    ]
    for name, value_field, bound in (
        ("date_from", "date", "low"),
        ("date_to", "date", "high"),
        ("published_from", "published", "low"),
        ("published_to", "published", "high"),
    ):
        if getattr(filters, name):
            conditions.append(Condition(name, value_field, **{bound: getattr(filters, name)}))
    return tuple(conditions)


def document_values(ids: list[int] | None) -> dict[int, dict[str, object]]:
    """Each of these documents' (all for None) VALUE_FIELDS, read as the facets read them (an engine that counts facets keeps them)."""
    sql, params = _matched(ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {row[COLUMN["pk"]]: {name: _stored(name, row[COLUMN[name]]) for name in VALUE_FIELDS} for row in rows}


def _stored(name: str, value: object) -> object:
    """A value as the database gave it, typed as VALUE_FIELDS says (SQLite gives dates as text, yes/no as 0/1)."""
    if value is None or value == "":
        return None
    kind = VALUE_FIELDS[name]
    if kind == "date":
        return dt.date.fromisoformat(value) if isinstance(value, str) else value
    if kind == "integer":
        return int(value)
    if kind == "boolean":
        return bool(value)
    return value


class InArray(Lookup):
    """`pk = ANY(%s)`: the matched ids as one array parameter, not one placeholder per id."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        # Databases without arrays (SQLite in development) get the usual IN (…).
        return In(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, list(self.rhs))


# Filters that are facets too: each facet counts over the other filters, not its own, so
# the reader can switch from one value to another.
FACETS = ("gazette", "year", "issuer", "section", "kind", "region", "has_tasks", "genre", "normative", "validity")
# Facets whose values are numbers or yes/no in the database (the others are text).
INTEGER_FACETS = ("gazette", "year")
BOOLEAN_FACETS = ("has_tasks", "normative")
# The column of the matched rows (search.query._matched) holding each value; `v_` keeps
# the names apart from the model's fields.
COLUMN = {name: f"v_{name}" for name in (*FACETS, "pk", "date", "issue", "published", "gazette_name")}


def _matched(ids: list[int] | None) -> tuple[str, tuple]:
    """SQL and parameters of one row per document with these ids (all for None): its date and facet values."""
    documents = Document.objects.all() if ids is None else Document.objects.filter(InArray(F("pk"), ids))
    values = documents.values(
        **{
            COLUMN["pk"]: F("pk"),
            COLUMN["date"]: F("date"),
            COLUMN["issue"]: F("issue_id"),
            COLUMN["published"]: F("issue__published"),
            COLUMN["gazette"]: F("issue__gazette_id"),
            COLUMN["gazette_name"]: F("issue__gazette__name"),
            COLUMN["kind"]: F("issue__gazette__kind"),
            COLUMN["year"]: Coalesce(ExtractYear("date"), "issue__year", output_field=IntegerField()),
            COLUMN["issuer"]: F("issuer"),
            COLUMN["section"]: F("section"),
            COLUMN["region"]: F("region"),
            COLUMN["has_tasks"]: Exists(Task.objects.filter(document=OuterRef("pk"))),
            COLUMN["genre"]: F("genre"),
            COLUMN["normative"]: F("normative"),
            COLUMN["validity"]: F("validity"),
        }
    ).order_by()
    return values.query.sql_with_params()


def _filter_conditions(filters: Filters) -> list[tuple[str, str, list]]:
    """(filter name, SQL condition on the matched rows, parameters) for each active filter.

    A document without a date is outside any date range (NULL compares false); 发布日期 is
    the date of the issue that carried the document.
    """
    conditions: list[tuple[str, str, list]] = []
    for name in (*FACETS, "issue"):
        wanted = getattr(filters, name)
        if wanted not in (None, ""):
            conditions.append((name, f"{COLUMN[name]} = %s", [wanted]))
    for name, column, operator in (
        ("date_from", "date", ">="),
        ("date_to", "date", "<="),
        ("published_from", "published", ">="),
        ("published_to", "published", "<="),
    ):
        wanted = getattr(filters, name)
        if wanted:
            conditions.append((name, f"{COLUMN[column]} {operator} %s", [wanted]))
    return conditions


def _passing(conditions: list[tuple[str, str, list]], leave_out: str = "") -> tuple[str, list]:
    """A condition that the row passes every filter but `leave_out`, and its parameters."""
    kept = [(sql, params) for name, sql, params in conditions if name != leave_out]
    if not kept:
        return "1 = 1", []
    return " AND ".join(f"({sql})" for sql, _ in kept), [param for _, params in kept for param in params]


def _filtered_and_counted(
    ids: list[int] | None, filters: Filters
) -> tuple[list[tuple[int, dt.date | None]], dict[str, list[tuple[object, str, int]]]]:
    """(pk, date) of the documents passing every filter, and each facet's (value, label, count).

    One query: the matched rows once (a CTE), then the passing rows and, for each facet, its
    values counted over the rows that pass every filter except its own, grouped in the
    database so only distinct values travel (10,000 hits are a few hundred rows, not 10,000).
    """
    matched_sql, matched_params = _matched(ids)
    conditions = _filter_conditions(filters)
    selects: list[str] = []
    params: list = list(matched_params)
    for name in FACETS:
        column = COLUMN[name]
        passing, passing_params = _passing(conditions, leave_out=name)
        value = f"CASE WHEN {column} THEN '1' ELSE '0' END" if name in BOOLEAN_FACETS else f"CAST({column} AS TEXT)"
        label = f"MAX({COLUMN['gazette_name']})" if name == "gazette" else "CAST(NULL AS TEXT)"
        selects.append(
            f"SELECT %s AS facet, {value} AS value, {label} AS label,"
            f" SUM(CASE WHEN {passing} THEN 1 ELSE 0 END) AS n, CAST(NULL AS DATE) AS day"
            f" FROM matched GROUP BY {column}"
        )
        params += [name, *passing_params]
    passing, passing_params = _passing(conditions)
    selects.append(
        f"SELECT '' AS facet, CAST({COLUMN['pk']} AS TEXT), CAST(NULL AS TEXT), NULL, {COLUMN['date']}"
        f" FROM matched WHERE {passing}"
    )
    params += passing_params
    sql = f"WITH matched AS ({matched_sql}) " + " UNION ALL ".join(selects)
    dated: list[tuple[int, dt.date | None]] = []
    counts: dict[str, list[tuple[object, str, int]]] = {name: [] for name in FACETS}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for facet, value, label, count, day in cursor.fetchall():
            if not facet:
                # SQLite hands dates back as text.
                dated.append((int(value), dt.date.fromisoformat(day) if isinstance(day, str) else day))
            elif count and value not in (None, ""):
                counts[facet].append((_typed(facet, value), label, int(count)))
    return dated, counts


def _typed(facet: str, value: str) -> object:
    """A facet value as the filters hold it: a number, a yes/no or text."""
    if facet in INTEGER_FACETS:
        return int(float(value))  # PostgreSQL's EXTRACT gives a numeric: 2018 or 2018.0
    if facet in BOOLEAN_FACETS:
        return value == "1"
    return value


def _facets(counts: dict[str, list[tuple[object, str, int]]], filters: Filters) -> dict[str, list[dict]]:
    """Each facet's values with counts, most frequent first, as the pages and the JSON API show them."""
    kinds = dict(Gazette.Kind.choices)
    validities = dict(Document.Validity.choices)
    facets: dict[str, list[dict]] = {}
    for name in FACETS:
        present = sorted(counts.get(name, []), key=lambda item: (-item[2], item[0]))
        selected = getattr(filters, name)
        entries = []
        for value, gazette_name, count in present[:FACET_SIZE]:
            if name == "has_tasks":
                label, param = ("有任务分工" if value else "无任务分工"), ("1" if value else "0")
            elif name == "normative":
                label, param = ("规范性文件" if value else "非规范性文件"), ("1" if value else "0")
            elif name == "validity":
                label, param = validities.get(value, value), value
            elif name == "kind":
                label, param = kinds.get(value, value), value
            elif name == "gazette":
                label, param = gazette_name, str(value)
            else:
                label, param = str(value), str(value)
            entries.append({"value": param, "label": label, "count": count, "selected": value == selected})
        facets[name] = entries
    return facets
