"""Writing and merging Whoosh segments faster, in Whoosh's own file format.

Private Whoosh names throughout (as whoosh-reloaded 2.7.5 has them): imported only when
search.engines.whoosh.internals.fast_paths() has checked the installed version.

Segments are written with `PostingsCodec`, Whoosh's W3 codec with two changes that keep
its file format (readers are Whoosh's own):
- a block of few postings is stored uncompressed (COMPRESS_FROM_BYTES): zlib's fixed cost
  per call was a sixth of an import's commit, for blocks it barely shortens;
- `_FieldWriter` writes each term's postings in one step; Whoosh's writer made four
  method calls, asserts and bookkeeping per posting, most of the commit's time.
Merging segments (`merge_small_segments`, Whoosh's MERGE_SMALL choice of segments) reads
each posting block once instead of through a matcher per term, and streams the merged
segments' postings, already sorted, into the new segment instead of sorting them again in
Whoosh's pool (`segments_merge`): a merge cost as much as indexing its documents again,
and an index grown by imports of 50 documents merges each document about twice.
tests/search/test_whoosh.py checks that the files are byte for byte what Whoosh's own
writer and merge produce. The segments this codec writes name Whoosh's own W3Codec in the
index's table of contents, so any Whoosh reads the index without this module.
"""

from __future__ import annotations

import heapq
import io
import mmap
import os
import pickle
import zlib
from array import array
from itertools import accumulate

from whoosh.codec.base import OutOfOrderError
from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3PostingsWriter,
    W3Segment,
    W3TermInfo,
    W3TermsReader,
)
from whoosh.compat import dumps, loads
from whoosh.reading import SegmentReader
from whoosh.system import _INT_SIZE, pack_int, pack_ushort, unpack_int
from whoosh.util import fib
from whoosh.util.numeric import length_to_byte

# Posting values (positions) of fewer bytes than this are stored uncompressed: one to about
# four postings of a term, most blocks of an import's segment.
COMPRESS_FROM_BYTES = 64


class _PostingsWriter(W3PostingsWriter):
    """W3PostingsWriter storing small blocks uncompressed (term vectors; postings go through _FieldWriter)."""

    def __init__(self, postfile, blocklimit, byteids=False, compression=3, inlinelimit=1):
        super().__init__(postfile, blocklimit, byteids=byteids, compression=compression, inlinelimit=inlinelimit)
        self._level = compression

    def _write_block(self, last=False):
        # Each block records its own compression level, so the reader needs nothing new.
        # (Whoosh meant to skip compressing pickles under 20 bytes, but overwrites that choice.)
        small = sum(map(len, self._values)) < COMPRESS_FROM_BYTES
        self._compression = 0 if small else self._level
        super()._write_block(last)


class _FieldWriter(W3FieldWriter):
    """W3FieldWriter writing a term's postings in one step instead of four calls per posting.

    The same bytes as W3FieldWriter with _PostingsWriter (tests/search/test_whoosh.py
    compares the files): the flush of a segment spent most of its time in the calls, asserts
    and per-posting bookkeeping of the general writer.
    """

    _offset = None  # where the next term's postings start in the postings file, once known

    def add_postings(self, schema, lengths, items):
        field_length = lengths.doc_field_length if lengths else None
        last_field = None
        last_text = None
        ids: list[int] = []
        weights: list[float] = []
        values: list[bytes] = []
        doc_lengths: list[int | None] = []
        known_lengths: dict[int, int | None] = {}
        for fieldname, btext, docnum, weight, value in items:
            if fieldname != last_field:
                if last_field is not None and fieldname < last_field:
                    raise OutOfOrderError(f"Field {last_field!r} .. {fieldname!r}")
                if last_text is not None:
                    self._write_term(last_text, ids, weights, values, doc_lengths)
                    ids, weights, values, doc_lengths = [], [], [], []
                if last_field is not None:
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                last_field, last_text = fieldname, None
                known_lengths = {}
            if docnum == -1:
                continue  # a spelling word (Whoosh's own writer skips them too)
            if btext != last_text:
                if last_text is not None:
                    if btext < last_text:
                        raise OutOfOrderError(f"Term {fieldname}:{last_text!r} .. {fieldname}:{btext!r}")
                    self._write_term(last_text, ids, weights, values, doc_lengths)
                    ids, weights, values, doc_lengths = [], [], [], []
                last_text = btext
            if field_length is None:
                length = 0
            else:
                length = known_lengths.get(docnum, -1)
                if length == -1:
                    length = known_lengths[docnum] = field_length(docnum, fieldname)
            ids.append(docnum)
            weights.append(weight)
            values.append(b"" if value is None else value)
            doc_lengths.append(length)
        if last_text is not None:
            self._write_term(last_text, ids, weights, values, doc_lengths)
        if last_field is not None:
            self.finish_field()

    def _write_term(self, btext, ids, weights, values, doc_lengths):
        codec = self._codec
        limit = codec._blocklimit
        fixed_size = self._format.fixed_value_size()
        terminfo = W3TermInfo()
        # The blocks of a term are written at once, at an offset this writer counts.
        parts = [WHOOSH3_HEADER_MAGIC]
        for at in range(0, len(ids), limit):
            block_ids = ids[at : at + limit]
            block_weights = array("f", weights[at : at + limit])
            block_values = [value for value in values[at : at + limit] if value]
            max_weight = 0
            for weight in weights[at : at + limit]:
                if weight > max_weight:
                    max_weight = weight
            min_length, max_length = None, 0
            for length in doc_lengths[at : at + limit]:
                if length:
                    if min_length is None or length < min_length:
                        min_length = length
                    if length > max_length:
                        max_length = length

            # W3TermInfo.add_block
            terminfo._weight += sum(block_weights)
            terminfo._df += len(block_ids)
            if terminfo._minlength is None:
                terminfo._minlength = min_length
            else:
                terminfo._minlength = min(terminfo._minlength, min_length)
            terminfo._maxlength = max(terminfo._maxlength, max_length)
            terminfo._maxweight = max(terminfo._maxweight, max_weight)
            if terminfo._minid is None:
                terminfo._minid = block_ids[0]
            terminfo._maxid = block_ids[-1]

            # W3PostingsWriter._write_block, _mini_ids, _mini_weights, _mini_values
            deltas = [docnum - previous for previous, docnum in zip([0, *block_ids], block_ids, strict=False)]
            if all(weight == 1.0 for weight in block_weights):
                mini_weights = None
            elif all(weight == block_weights[0] for weight in block_weights):
                mini_weights = block_weights[0]
            else:
                mini_weights = tuple(block_weights)
            if fixed_size is None or fixed_size < 0:
                mini_values = tuple(block_values)
            elif fixed_size == 0:
                mini_values = None
            else:
                mini_values = b"".join(block_values)
            data = dumps((tuple(deltas), mini_weights, mini_values), 2)
            compression = 0 if sum(map(len, block_values)) < COMPRESS_FROM_BYTES else codec._compression
            if compression:
                data = zlib.compress(data, compression)
            info = dumps(
                (
                    len(block_ids),
                    block_ids[-1],
                    max_weight,
                    compression,
                    length_to_byte(min_length),
                    length_to_byte(max_length),
                ),
                2,
            )
            size = len(info) + len(data)
            parts += (pack_int(-size if at + limit >= len(ids) else size), info, data)
        written = b"".join(parts)
        if self._offset is None:
            self._offset = self._postfile.tell()
        self._postfile.write(written)
        terminfo.set_extent(self._offset, len(written))
        self._offset += len(written)
        self._tindex.add(pack_ushort(self._fieldid) + btext, terminfo.to_bytes())


class PostingsCodec(W3Codec):
    """Whoosh's W3 codec, writing small posting blocks uncompressed (COMPRESS_FROM_BYTES)."""

    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def new_segment(self, storage, indexname):
        # The segment (pickled into the table of contents) reads with Whoosh's own codec:
        # the files are W3's, and an index must not need this module to be opened.
        reader_codec = W3Codec(
            blocklimit=self._blocklimit, compression=self._compression, inlinelimit=self._inlinelimit
        )
        return W3Segment(reader_codec, indexname)


class _MergeReader(SegmentReader):
    """A segment reader whose iter_postings (what a merge reads) decodes each posting block once.

    Whoosh's own iter_postings opens a matcher per term and asks it for every posting's id,
    weight and value; this yields the same tuples, in the same order, from the decoded block.
    """

    def iter_postings(self):
        terms = self._terms
        if not isinstance(terms, W3TermsReader):
            yield from super().iter_postings()
            return
        schema = self.schema
        deleted = self.deleted_docs_set
        # The postings file mapped into memory: a block is sliced, not sought and read.
        postfile = terms._postfile
        if os.fstat(postfile.file.fileno()).st_size == 0:  # mmap cannot map an empty file
            yield from self._iter_postings(terms, b"", schema, deleted)
            return
        with mmap.mmap(postfile.file.fileno(), 0, access=mmap.ACCESS_READ) as postings:
            yield from self._iter_postings(terms, postings, schema, deleted)

    def _iter_postings(self, terms, postings, schema, deleted):
        fixed_sizes = {}
        for (fieldname, btext), terminfo in terms.items():
            if fieldname not in schema:
                continue
            if terminfo.is_inlined():
                matcher = self.postings(fieldname, btext)
                while matcher.is_active():
                    yield fieldname, btext, matcher.id(), matcher.weight(), matcher.value()
                    matcher.next()
                continue
            fixed_size = fixed_sizes.get(fieldname, -2)
            if fixed_size == -2:
                fixed_size = fixed_sizes[fieldname] = schema[fieldname].format.fixed_value_size()
            for ids, weights, values in _posting_blocks(postings, terminfo.extent()[0], fixed_size):
                for docnum, weight, value in zip(ids, weights, values, strict=True):
                    if docnum not in deleted:
                        yield fieldname, btext, docnum, weight, value


def _posting_blocks(postings, offset, fixed_size):
    """(ids, weights, values) of each block of one term's postings, as W3LeafMatcher reads them.

    `postings` is the postings file's bytes (a memory map): a block is its length (an int,
    negative for the term's last block), a pickled header, then its data.
    """
    start = offset + len(WHOOSH3_HEADER_MAGIC)
    if postings[offset:start] != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"no posting list at offset {offset}")
    position = start
    last = False
    while not last:
        (length,) = unpack_int(postings[position : position + _INT_SIZE])
        last = length < 0
        end = position + _INT_SIZE + abs(length)
        block = io.BytesIO(postings[position + _INT_SIZE : end])
        count, _, _, compression, _, _ = pickle.load(block)
        data = block.read()
        position = end
        if compression:
            data = zlib.decompress(data)
        ids, weights, values = loads(data)
        if weights is None:
            weights = array("f", [1.0]) * count
        elif isinstance(weights, float):
            weights = array("f", [weights]) * count
        if fixed_size is None or fixed_size < 0:
            pass
        elif fixed_size == 0:
            values = (None,) * count
        else:
            values = tuple(values[i : i + fixed_size] for i in range(0, len(values), fixed_size))
        yield tuple(accumulate(ids)), weights, values


def small_segments(segments) -> tuple[list, list]:
    """Whoosh's MERGE_SMALL choice: (segments to merge, segments to keep)."""
    ordered = sorted(segments, key=lambda segment: segment.doc_count_all())
    total = 0
    for i, segment in enumerate(ordered):
        total += max(segment.doc_count_all(), 0)
        if i > 3 and total < fib(i + 5):
            return ordered[: i + 1], ordered[i + 1 :]
    return [], segments


def merge_small_segments(writer, segments):
    """Whoosh's MERGE_SMALL policy (the same segments merged), merged by segments_merge."""
    merged, kept = small_segments(segments)
    if merged:
        segments_merge(writer, merged)
    return kept


def merge_all_segments(writer, segments):
    """Whoosh's OPTIMIZE policy (every segment merged into the new one), merged by segments_merge."""
    if segments:
        segments_merge(writer, segments)
    return []


def segments_merge(writer, segments) -> None:
    """Add these segments to the writer's new segment, as Whoosh's add_reader does for each.

    add_reader puts every posting of a merged segment into the writer's sorting pool, which
    sorts them all again and, past its memory limit, pickles them to temporary files and back
    (most of an import's time once segments hold thousands of documents). A segment's
    postings are already in order, and each segment's documents get consecutive new
    numbers, so the pool's own postings and each segment's are merged as sorted streams
    instead (_MergedPool), each read once, when the segment is written.
    """
    schema = writer.schema
    streams = []
    readers = []
    for segment in segments:
        reader = _MergeReader(writer.storage, schema, segment)
        readers.append(reader)
        names = set(schema.names()) | {name for name in reader.indexed_field_names() if name in schema}
        basedoc = writer.docnum
        docmap = writer.write_per_doc(names, reader)  # stored fields, lengths, columns
        streams.append(writer._process_posts(reader.iter_postings(), basedoc, docmap))
    writer._added = True
    writer.pool = _MergedPool(writer.pool, streams, readers)


class _MergedPool:
    """A writer's posting pool whose sorted postings include the merged segments' streams."""

    def __init__(self, pool, streams, readers):
        self._pool = pool
        self._streams = streams
        self._readers = readers

    def __getattr__(self, name):
        return getattr(self._pool, name)

    def add(self, item):
        self._pool.add(item)

    def iter_postings(self):
        # (field, term, new document number, …): document numbers never tie between streams.
        return heapq.merge(self._pool.iter_postings(), *self._streams)

    def cleanup(self):
        for reader in self._readers:
            reader.close()
        self._readers = []
        self._pool.cleanup()
