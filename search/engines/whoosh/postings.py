"""Running the Whoosh engine's queries over whole posting lists, with set operations.

Private Whoosh names (its terms reader, posting file layout): imported only when
search.engines.whoosh.internals.fast_paths() has checked the installed version.

Whoosh's searcher walks a tree of matchers one document at a time, in Python: for every
candidate of every clause it advances each word's postings, and a phrase builds a Span
object per position of every word and compares them pair by pair. A search of 10,000
documents spent nine tenths of its time there. Here each word's postings are read once
per search (a term used by several clauses is read once), documents are matched with set
operations, and positions are checked only where all of a phrase's words occur.

Results are Whoosh's: the same documents (Whoosh's AndNot matcher can miss an excluded
document that comes first; here it never does) and the same scores. A clause scores as
Whoosh scores it: a term by the searcher's weighting (BM25F), a phrase as the sum of its
words' scores, And and Or as the sum of their matching clauses, each times its boost.

Only the query types search.engines.whoosh builds are read: Term, Phrase, And, Or, AndNot
and NullQuery; anything else raises TypeError.
"""

from __future__ import annotations

import io
import mmap
import os
import pickle
import threading
import weakref
from itertools import accumulate

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3TermsReader
from whoosh.formats import Positions
from whoosh.scoring import BM25FScorer, bm25
from whoosh.system import _INT_SIZE

from .codec import _posting_blocks


def scored_matches(searcher, query: wq.Query) -> dict[int, float]:
    """{document number: score} for every document the query matches."""
    scores: dict[int, float] = {}
    for leaf, offset in searcher.leaf_searchers():
        evaluation = _Evaluation(leaf)
        matched = evaluation.match(query)
        if matched:
            for docnum, score in evaluation.score(query, matched).items():
                scores[docnum + offset] = score
    return scores


class _Postings:
    """One term's postings in one segment: document numbers, weights and raw values."""

    def __init__(self, reader, fieldname: str, term: bytes, field_format):
        ids, weights, values = _read(reader, fieldname, term, field_format)
        self.docs = frozenset(ids)
        self._ids, self._weights, self._values = ids, weights, values
        self._index: dict[int, int] | None = None
        self._format = field_format
        # Positions' encoding (a count, then the pickled gaps) decoded in C rather than
        # in decode_positions' Python loop; any other format decodes itself.
        self._plain_positions = type(field_format).decode_positions is Positions.decode_positions

    def _at(self, docnum: int) -> int:
        if self._index is None:
            self._index = dict(zip(self._ids, range(len(self._ids)), strict=True))
        return self._index[docnum]

    def weight(self, docnum: int) -> float:
        return self._weights[self._at(docnum)]

    def positions(self, docnum: int):
        value = self._values[self._at(docnum)]
        if self._plain_positions:
            gaps = value[_INT_SIZE:]
            return accumulate(pickle.loads(gaps if gaps.endswith(b".") else gaps + b"."))
        return self._format.decode_as("positions", value)


def _read(reader, fieldname: str, term: bytes, field_format) -> tuple[list, list, list]:
    """A term's document numbers, weights and values in one segment, deleted documents left out.

    Posting blocks are decoded whole from a memory map of the postings file (as the index
    merge reads them, codec._posting_blocks), not one matcher call per posting:
    a common word has thousands of postings in a segment.
    """
    terms = getattr(reader, "_terms", None)
    if isinstance(terms, W3TermsReader):
        info = terms.term_info(fieldname, term)
        mapped = None if info.is_inlined() else _mapped_postings(terms)
        if mapped is not None:
            deleted = reader.deleted_docs_set
            ids, weights, values = [], [], []
            blocks = _posting_blocks(mapped, info.extent()[0], field_format.fixed_value_size())
            for block_ids, block_weights, block_values in blocks:
                if deleted:
                    for docnum, weight, value in zip(block_ids, block_weights, block_values, strict=True):
                        if docnum not in deleted:
                            ids.append(docnum)
                            weights.append(weight)
                            values.append(value)
                else:
                    ids.extend(block_ids)
                    weights.extend(block_weights)
                    values.extend(block_values)
            return ids, weights, values
    # The matcher's own interface (a FilterMatcher drops deleted documents).
    matcher = reader.postings(fieldname, term)
    ids, weights, values = [], [], []
    is_active, next_posting = matcher.is_active, matcher.next
    current_id, weight, value = matcher.id, matcher.weight, matcher.value
    while is_active():
        ids.append(current_id())
        weights.append(weight())
        values.append(value())
        next_posting()
    return ids, weights, values


# Each segment's postings file, mapped once while its reader lives (segments never change).
_maps: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_maps_lock = threading.Lock()


def _mapped_postings(terms: W3TermsReader) -> mmap.mmap | None:
    """The segment's postings file as a read-only memory map.

    None for an empty file, or a segment inside a compound file (haystack's own
    rebuild_index writes those): its postings are read through Whoosh's matchers.
    """
    with _maps_lock:
        if terms not in _maps:
            raw = getattr(terms._postfile, "file", None)
            # Only a file of its own: a compound segment's part starts inside a larger file.
            if isinstance(raw, io.BufferedReader) and os.fstat(raw.fileno()).st_size:
                _maps[terms] = mmap.mmap(raw.fileno(), 0, access=mmap.ACCESS_READ)
            else:
                _maps[terms] = None
        return _maps[terms]


class _Evaluation:
    """One query on one segment: postings read once, phrase checks remembered."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.reader = searcher.reader()
        self._postings: dict[tuple[str, str], _Postings | None] = {}
        self._phrase_checks: dict[wq.Phrase, dict[int, bool]] = {}
        self._lengths: dict[tuple[int, str], int] = {}

    def postings(self, fieldname: str, text: str) -> _Postings | None:
        """The term's postings, or None when the segment does not have it."""
        key = (fieldname, text)
        if key not in self._postings:
            self._postings[key] = None
            if fieldname in self.reader.schema:
                field = self.reader.schema[fieldname]
                try:
                    term = field.to_bytes(text)
                except ValueError:
                    term = None
                if term is not None and (fieldname, term) in self.reader:
                    self._postings[key] = _Postings(self.reader, fieldname, term, field.format)
        return self._postings[key]

    # --- which documents match --------------------------------------------------------

    def match(self, query: wq.Query, within: frozenset[int] | set[int] | None = None) -> set[int]:
        """The documents (of `within`, if given) that match the query."""
        if isinstance(query, wq.Term):
            postings = self.postings(query.fieldname, query.text)
            if postings is None:
                return set()
            return set(postings.docs) if within is None else postings.docs & within
        if isinstance(query, wq.Phrase):
            return self._match_phrase(query, within)
        if isinstance(query, wq.AndNot):
            positive = self.match(query.a, within)
            return positive - self.match(query.b, positive) if positive else positive
        if isinstance(query, wq.And):
            if not query.subqueries:
                return set()
            matched = within
            # The rarest clause first: the others are checked on its documents only.
            for subquery in sorted(query.subqueries, key=self._size):
                matched = self.match(subquery, matched)
                if not matched:
                    return set()
            return set(matched)
        if isinstance(query, wq.Or):
            matched: set[int] = set()
            for subquery in query.subqueries:
                matched |= self.match(subquery, within)
            return matched
        if query is wq.NullQuery:
            return set()
        raise TypeError(f"search.engines.whoosh.postings cannot run {type(query).__name__} queries")

    def _match_phrase(self, phrase: wq.Phrase, within) -> set[int]:
        if not phrase.words or not all(self._frequency(phrase.fieldname, word) for word in phrase.words):
            return set()
        # The rarest word first; the common ones are read only if documents remain.
        candidates = within
        for word in sorted(phrase.words, key=lambda word: self._frequency(phrase.fieldname, word)):
            docs = self.postings(phrase.fieldname, word).docs
            candidates = set(docs) if candidates is None else docs & candidates
            if not candidates:
                return set()
        if len(phrase.words) == 1:
            return candidates
        words = [self.postings(phrase.fieldname, word) for word in phrase.words]
        checks = self._phrase_checks.setdefault(phrase, {})
        matched = set()
        for docnum in candidates:
            found = checks.get(docnum)
            if found is None:
                found = checks[docnum] = _in_sequence(words, docnum)
            if found:
                matched.add(docnum)
        return matched

    def _size(self, query: wq.Query) -> int:
        """At most how many documents the query can match (from the term index, no postings read)."""
        if isinstance(query, wq.Term):
            return self._frequency(query.fieldname, query.text)
        if isinstance(query, wq.Phrase):
            return min((self._frequency(query.fieldname, word) for word in query.words), default=0)
        if isinstance(query, wq.AndNot):
            return self._size(query.a)
        if isinstance(query, wq.And):
            return min((self._size(subquery) for subquery in query.subqueries), default=0)
        if isinstance(query, wq.Or):
            return sum(self._size(subquery) for subquery in query.subqueries)
        return 0

    def _frequency(self, fieldname: str, text: str) -> int:
        """How many documents of the segment have the term (0 for an unknown field or term)."""
        if fieldname not in self.reader.schema:
            return 0
        try:
            term = self.reader.schema[fieldname].to_bytes(text)
        except ValueError:
            return 0
        return self.reader.doc_frequency(fieldname, term)

    # --- how well they match ---------------------------------------------------------------

    def score(self, query: wq.Query, docs: set[int]) -> dict[int, float]:
        """{document: score} for the documents of `docs` that match the query."""
        matched = self.match(query, docs)
        if not matched:
            return {}
        if isinstance(query, wq.Term):
            scores = self._term_scores(query.fieldname, query.text, matched)
        elif isinstance(query, wq.Phrase):
            scores = dict.fromkeys(matched, 0.0)
            for word in query.words:
                for docnum, score in self._term_scores(query.fieldname, word, matched).items():
                    scores[docnum] += score
        elif isinstance(query, wq.AndNot):
            # Whoosh scores AndNot by its positive side alone.
            return self.score(query.a, matched)
        else:
            scores = dict.fromkeys(matched, 0.0)
            for subquery in query.subqueries:
                for docnum, score in self.score(subquery, matched).items():
                    scores[docnum] += score
        if query.boost != 1.0:
            return {docnum: score * query.boost for docnum, score in scores.items()}
        return scores

    def _term_scores(self, fieldname: str, text: str, docs: set[int]) -> dict[int, float]:
        postings = self.postings(fieldname, text)
        term = self.reader.schema[fieldname].to_bytes(text)
        scorer = self.searcher.weighting.scorer(self.searcher, fieldname, term)
        if isinstance(scorer, BM25FScorer):
            # BM25FScorer.score(matcher), without a matcher: the same formula and figures.
            idf, average, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
            return {
                docnum: bm25(idf, postings.weight(docnum), self._length(docnum, fieldname), average, b, k1)
                for docnum in docs
            }
        return {docnum: scorer.score(_Posting(docnum, postings.weight(docnum))) for docnum in docs}

    def _length(self, docnum: int, fieldname: str) -> int:
        key = (docnum, fieldname)
        length = self._lengths.get(key)
        if length is None:
            length = self._lengths[key] = self.reader.doc_field_length(docnum, fieldname, 1)
        return length


def _in_sequence(words: list[_Postings], docnum: int) -> bool:
    """Whether the words occur at consecutive positions, in order, in this document."""
    starts: set[int] | None = None
    # The word with the fewest occurrences first: a miss usually shows before the common ones are read.
    for offset in sorted(range(len(words)), key=lambda i: words[i].weight(docnum)):
        shifted = {position - offset for position in words[offset].positions(docnum)}
        starts = shifted if starts is None else starts & shifted
        if not starts:
            return False
    return True


class _Posting:
    """What a Whoosh scorer reads of a matcher: the current document and its weight."""

    __slots__ = ("_docnum", "_weight")

    def __init__(self, docnum: int, weight: float):
        self._docnum, self._weight = docnum, weight

    def id(self) -> int:
        return self._docnum

    def weight(self) -> float:
        return self._weight
