"""The Whoosh schema: jieba and bigram tokenizers, and a lean field layout.

Public Whoosh names only: the schema is pickled into the index, so these classes are what
an index written by this engine names. Fields are neither stored nor sortable except
`document_pk`, whose column maps a hit to its document: nothing reads text back from the
index (titles and snippets come from the database).

Text fields whose analyzer can list its terms' positions (the jieba and bigram
tokenizers) write their postings from that list (`TermPositions`): the same bytes as
Whoosh's `Positions`, without a Token object and a generator step per word and character.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, TEXT, Schema
from whoosh.formats import Positions

from search.analyzers import bigram_positions, bigram_units, fold, jieba_positions, jieba_words

from .internals import fast_paths

# haystack's unique id of a document (gazette.document.<pk>), kept from the haystack days.
ID_FIELD = "id"
PK_COLUMN = "document_pk"


def identifier(pk: int) -> str:
    return f"gazette.document.{pk}"


class TermPositions(Positions):
    """Whoosh's Positions postings, built from the analyzer's `term_positions(value)` if it has one.

    Posting values, weights and field lengths are the same as Positions writes (as
    whoosh-reloaded 2.7.5 writes them: with another Whoosh this defers to Positions).
    """

    def word_values(self, value, analyzer, **kwargs):
        term_positions = getattr(analyzer, "term_positions", None)
        if term_positions is None or not fast_paths():
            yield from super().word_values(value, analyzer, **kwargs)
            return
        boost = self.field_boost
        encode = self.encode
        for term, positions in term_positions(value).items():
            # Positions sums a boost of 1.0 per token: a float, whatever the field boost's type.
            yield term, len(positions), float(len(positions)) * boost, encode(positions)


class _Base(Tokenizer):
    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __hash__(self):
        return hash(self.__class__.__name__)

    def _whole(self, value: str, positions, chars, start_pos, start_char, keeporiginal, **kwargs):
        token = Token(positions, chars, removestops=False, **kwargs)
        token.original = token.text = fold(value)
        token.boost = 1.0
        token.stopped = False
        if positions:
            token.pos = start_pos
        if chars:
            token.startchar = start_char
            token.endchar = start_char + len(value)
        return token


class JiebaTokenizer(_Base):
    """jieba words (precise mode, no HMM) at consecutive positions; punctuation and spaces dropped."""

    def term_positions(self, value: str) -> dict[str, list[int]]:
        return jieba_positions(value)

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ) -> Iterator[Token]:
        if not tokenize:
            yield self._whole(value, positions, chars, start_pos, start_char, keeporiginal, mode=mode, **kwargs)
            return
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, (word, start, end) in enumerate(jieba_words(value), start=start_pos):
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


class BigramTokenizer(_Base):
    """Each Chinese character and each pair of neighbours at the same position; Latin words whole."""

    def term_positions(self, value: str) -> dict[str, list[int]]:
        return bigram_positions(value)

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ) -> Iterator[Token]:
        if not tokenize:
            yield self._whole(value, positions, chars, start_pos, start_char, keeporiginal, mode=mode, **kwargs)
            return
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, (single, bigram, start) in enumerate(bigram_units(value), start=start_pos):
            for text in (single, bigram) if bigram else (single,):
                token.text = text
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = text
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar = start_char + start
                    token.endchar = start_char + start + len(text)
                yield token


class ExactTokenizer(_Base):
    """The whole value as one token, folded and without spaces (the canonical 文号), or nothing."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ) -> Iterator[Token]:
        value = "".join(fold(value).split())
        if value:
            yield self._whole(value, positions, chars, start_pos, start_char, keeporiginal, mode=mode, **kwargs)


def _text(analyzer, sortable: bool = False) -> TEXT:
    field = TEXT(analyzer=analyzer, sortable=sortable)
    if fast_paths():
        field.format = TermPositions(field_boost=field.format.field_boost)
    return field


def schema() -> Schema:
    """The schema of a new index: the field pairs of search.engines.base, and the pk column."""
    return Schema(
        **{
            ID_FIELD: ID(unique=True),
            "title": _text(JiebaTokenizer()),
            "text": _text(JiebaTokenizer()),
            "title_bigram": _text(BigramTokenizer()),
            "text_bigram": _text(BigramTokenizer()),
            "issuer_bigram": _text(BigramTokenizer()),
            "doc_number_bigram": _text(BigramTokenizer()),
            "doc_number": _text(ExactTokenizer()),
            PK_COLUMN: _text(ExactTokenizer(), sortable=True),
        }
    )
