"""The Whoosh engine: the index in files beside the app, for one machine.

Everything Whoosh-specific lives in this package: the schema and tokenizers (.schema,
public Whoosh names only), the fast segment writer and merge (.codec) and the fast
posting reader (.postings), which use Whoosh's internals and run only when
.internals.fast_paths() has found the Whoosh they were written for; otherwise Whoosh's
own writer, merge policy and searcher do the same work, slower.

One writer at a time: the domain holds a file lock around every write
(search.indexing.index_write_lock); inside it the writer also waits for Whoosh's own lock,
which haystack's update_index and rebuild_index commands take too.
"""

from __future__ import annotations

import logging
import threading
import time
from array import array
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from whoosh import query as wq
from whoosh.index import LockError, create_in, exists_in, open_dir
from whoosh.writing import CLEAR

from ..base import (
    FIELDS,
    AllOf,
    AnyOf,
    Clause,
    EngineUnavailable,
    Excluding,
    IndexBusy,
    IndexDocument,
    Merge,
    Ranking,
    SearchEngine,
    Sequence,
)
from .internals import fast_paths
from .schema import ID_FIELD, PK_COLUMN, identifier, schema

logger = logging.getLogger(__name__)

# How long a writer waits for Whoosh's lock before giving up (seconds).
DEFAULT_LOCK_TIMEOUT = 600
# Memory a writer's posting pool may use before spilling sorted runs to disk. Whoosh's
# default (128 MB) spills during a rebuild, and the spill and merge cost about a fifth of
# the build time; an import of one gazette stays far below either.
WRITER_LIMIT_MB = 256
BATCH_WRITER_LIMIT_MB = 32
# Searches remembered per process: at most 16 × 16 bytes per matched document (26 MB if each
# of them matched all of 100,000 documents).
RECENT_SEARCHES = 16


class WhooshEngine(SearchEngine):
    name = "whoosh"

    def __init__(self, path: Path):
        self.path = Path(path)
        self._ix = None
        self._threads = threading.local()
        self._recent: OrderedDict[tuple, tuple[array, array]] = OrderedDict()
        self._recent_lock = threading.Lock()

    # --- the index on disk -------------------------------------------------------------------

    def whoosh_index(self):
        """The Whoosh index at its latest commit, created empty if there is none."""
        ix = self._open(create=True)
        assert ix is not None
        return ix

    def _open(self, create: bool = False):
        """The index at its latest commit; None if there is none and create is False.

        Raises EngineUnavailable when the index cannot be read (e.g. written by an older
        layout of this code, whose classes its table of contents names).
        """
        if self._ix is None or not self.path.is_dir():
            # Someone removed the folder (clear_index): start again.
            self._ix = None
            try:
                if exists_in(str(self.path)):
                    self._ix = open_dir(str(self.path))
            except Exception as exc:
                raise EngineUnavailable(
                    f"the Whoosh index at {self.path} cannot be read ({type(exc).__name__}: {exc}); "
                    "rebuild it with `manage.py check_index --rebuild`"
                ) from exc
            if self._ix is None:
                if not create:
                    return None
                self.path.mkdir(parents=True, exist_ok=True)
                self._ix = create_in(str(self.path), schema())
        self._ix = self._ix.refresh()
        return self._ix

    def exists(self) -> bool:
        return self._open() is not None

    def missing_fields(self) -> set[str]:
        ix = self._open()
        return set() if ix is None else set(FIELDS) - set(ix.schema.names())

    def healthy(self) -> bool:
        try:
            self._searcher()
        except EngineUnavailable:
            return False
        return True

    # --- writing -----------------------------------------------------------------------------

    def index(self, documents: Iterable[IndexDocument]) -> int:
        writer = self._writer(self.whoosh_index(), limit_mb=BATCH_WRITER_LIMIT_MB)
        try:
            pks = list(self._add(writer, documents))
            if not pks:
                writer.cancel()
                return 0
            # Old versions of these documents, in the committed segments (the writer's reader
            # does not see the segment it is writing): looked up once, not per document.
            reader = writer.reader()
            try:
                old = [pk for pk in pks if reader.doc_frequency(ID_FIELD, identifier(pk))]
            finally:
                reader.close()
            for pk in old:
                writer.delete_by_term(ID_FIELD, identifier(pk))
        except BaseException:
            writer.cancel()
            raise
        self._commit(writer)
        return len(pks)

    def delete(self, ids: Iterable[int]) -> int:
        ix = self._open()
        if ix is None:
            return 0
        writer = self._writer(ix)
        try:
            reader = writer.reader()
            try:
                present = [pk for pk in ids if reader.doc_frequency(ID_FIELD, identifier(pk))]
            finally:
                reader.close()
            for pk in present:
                writer.delete_by_term(ID_FIELD, identifier(pk))
        except BaseException:
            writer.cancel()
            raise
        if present:
            self._commit(writer)
        else:
            writer.cancel()
        return len(present)

    def rebuild(self, documents: Iterable[IndexDocument]) -> int:
        try:
            ix = self.whoosh_index()
        except EngineUnavailable as exc:
            logger.warning("search: %s; writing a new index", exc)
            self.path.mkdir(parents=True, exist_ok=True)
            self._ix = ix = create_in(str(self.path), schema())
        writer = self._writer(ix)
        try:
            # An index written before a field existed gets it in this commit (its schema is
            # in the table of contents), so readers keep the old index until then.
            current = schema()
            for name in sorted(set(FIELDS) - set(ix.schema.names())):
                writer.add_field(name, current[name])
            count = sum(1 for _ in self._add(writer, documents))
        except BaseException:
            writer.cancel()
            raise
        # CLEAR drops every older segment in the same commit: readers never see a half index.
        writer.commit(mergetype=CLEAR)
        return count

    def merge_segments(self) -> Merge:
        ix = self._open()
        if ix is None:
            return Merge(0, 0)
        before = _segment_count(ix)
        if before > 1:
            writer = self._writer(ix)
            if fast_paths():
                from .codec import merge_all_segments

                writer.commit(mergetype=merge_all_segments)
            else:
                writer.commit(optimize=True)
        return Merge(before, _segment_count(self.whoosh_index()))

    def _add(self, writer, documents: Iterable[IndexDocument]):
        for document in documents:
            writer.add_document(
                **{
                    ID_FIELD: identifier(document.pk),
                    "title": document.title,
                    "title_bigram": document.title,
                    "text": document.text,
                    "text_bigram": document.text,
                    "doc_number": document.doc_number,
                    "issuer_bigram": document.issuer,
                    "doc_number_bigram": document.doc_number,
                    PK_COLUMN: str(document.pk),
                }
            )
            yield document.pk

    def _writer(self, ix, limit_mb: int = WRITER_LIMIT_MB):
        """A Whoosh writer; waits while another process (haystack's commands) holds Whoosh's lock."""
        timeout = getattr(settings, "GONGBAO_INDEX_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT)
        deadline = time.monotonic() + timeout
        # Segments as separate files, not one compound file: a reader opening a compound
        # segment copies the whole terms file into memory (whoosh BufferFile), on every search.
        options = {"limitmb": limit_mb, "compound": False}
        if fast_paths():
            # Imported only now: the module names Whoosh's internals (see .internals).
            from .codec import PostingsCodec

            options["codec"] = PostingsCodec()
        while True:
            try:
                return ix.writer(timeout=5.0, delay=0.1, **options)
            except LockError:
                if time.monotonic() > deadline:
                    raise IndexBusy(f"the Whoosh index stayed locked for {timeout}s") from None

    def _commit(self, writer) -> None:
        if fast_paths():
            from .codec import merge_small_segments

            # Whoosh's default policy (MERGE_SMALL), with a faster reader for the merged segments.
            writer.commit(mergetype=merge_small_segments)
        else:
            writer.commit()

    # --- reading -----------------------------------------------------------------------------

    def _searcher(self):
        """This thread's searcher (None without an index), replaced after a writer has committed.

        Opening a searcher opens every segment's files; a search reuses the open one and only
        checks the index's generation (a directory listing). After a commit the old searcher
        is closed and a new one opened: Whoosh's `refresh()` reuses the old reader's segment
        readers, and in whoosh-reloaded 2.7.5 that keeps segments a merge removed (IndexError
        at `column[docnum]`, deleted files held open).
        """
        ix = self._open()
        if ix is None:
            return None
        threads = self._threads
        searcher = getattr(threads, "searcher", None)
        if searcher is not None and getattr(threads, "index", None) is ix and searcher.up_to_date():
            return searcher
        if searcher is not None:
            searcher.close()
        searcher = ix.searcher()
        threads.searcher, threads.index = searcher, ix
        return searcher

    def ranked_ids(self, query: Clause) -> Ranking:
        """Every match, best first.

        The last few searches are remembered for the index generation they ran on: the next
        page, or a facet chosen, runs the same query again (filters apply in the database).
        """
        searcher = self._searcher()
        if searcher is None:
            return Ranking([], 0)
        reader = searcher.reader()
        if not reader.doc_count() or not reader.has_column(PK_COLUMN):
            return Ranking([], 0)
        key = (reader.generation(), query)
        with self._recent_lock:
            if key in self._recent:
                self._recent.move_to_end(key)
                pks, scores = self._recent[key]
                return Ranking(list(zip(pks, scores, strict=True)), len(pks))
        column = reader.column_reader(PK_COLUMN)
        ranked = []
        for docnum, score in _scored_matches(searcher, query).items():
            value = column[docnum]
            if value:
                ranked.append((int(value), score))
        ranked.sort(key=lambda item: -item[1])
        with self._recent_lock:
            # Two flat arrays: 16 bytes a match, where a tuple of boxed numbers takes about 100.
            self._recent[key] = (array("q", (pk for pk, _ in ranked)), array("d", (score for _, score in ranked)))
            while len(self._recent) > RECENT_SEARCHES:
                self._recent.popitem(last=False)
        return Ranking(ranked, len(ranked))

    def indexed_ids(self) -> set[int]:
        searcher = self._searcher()
        if searcher is None:
            return set()
        reader = searcher.reader()
        if not reader.has_column(PK_COLUMN):
            return set()
        column = reader.column_reader(PK_COLUMN)
        return {int(column[docnum]) for docnum in reader.all_doc_ids() if column[docnum]}


def _segment_count(ix) -> int:
    with ix.reader() as reader:
        return len(list(reader.leaf_readers())) if reader.doc_count_all() else 0


def whoosh_query(clause: Clause) -> wq.Query:
    """The Whoosh query for a clause tree."""
    if isinstance(clause, Sequence):
        if len(clause.tokens) == 1:
            return wq.Term(clause.field, clause.tokens[0], boost=clause.boost)
        return wq.Phrase(clause.field, list(clause.tokens), boost=clause.boost)
    if isinstance(clause, AllOf):
        return wq.And([whoosh_query(c) for c in clause.clauses], boost=clause.boost)
    if isinstance(clause, AnyOf):
        return wq.Or([whoosh_query(c) for c in clause.clauses], boost=clause.boost)
    if isinstance(clause, Excluding):
        return wq.AndNot(whoosh_query(clause.positive), whoosh_query(clause.excluded))
    raise TypeError(f"not a clause: {clause!r}")


def _scored_matches(searcher, clause: Clause) -> dict[int, float]:
    """{document number: score} of every match, by the fast reader or Whoosh's own searcher."""
    if fast_paths():
        from .postings import scored_matches

        return scored_matches(searcher, whoosh_query(clause))
    excluded: set[int] = set()
    if isinstance(clause, Excluding):
        # Whoosh's AndNot matcher can keep an excluded document that comes first: subtract instead.
        excluded = set(searcher.docs_for_query(whoosh_query(clause.excluded)))
        clause = clause.positive
    results = searcher.search(whoosh_query(clause), limit=None, terms=False)
    return {docnum: score for docnum, score in results.items() if docnum not in excluded}
