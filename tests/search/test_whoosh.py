"""The Whoosh engine's own parts: tokenizers, the fast writer, merge and reader, the version guard."""

import logging

import pytest
from django.core.management import CommandError, call_command
from whoosh.codec.whoosh3 import W3Codec
from whoosh.formats import Positions
from whoosh.writing import NO_MERGE

from gazette.models import Document
from search.analyzers import jieba_word_list, jieba_words
from search.engines import EngineUnavailable, engine
from search.engines.whoosh import codec, internals
from search.engines.whoosh.schema import BigramTokenizer, ExactTokenizer, JiebaTokenizer, TermPositions
from search.indexing import documents_index, indexed_document_ids
from search.query import documents_search, parse_query, search_clause
from tests.factories import DocumentFactory

pytestmark = pytest.mark.engines("whoosh")


def _fixture_texts() -> list[str]:
    from tests.conftest import FIXTURES

    texts = []
    for path in sorted(FIXTURES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        texts += [text[:6000], text[-6000:]]
    return texts + ["", "，。", "2018年ＡＢＣ冷链物流 COVID19 二〇一九年", "冷 链", "㐀丽〇"]


def _token_positions(tokenizer, text: str) -> dict[str, list[int]]:
    positions: dict[str, list[int]] = {}
    for token in tokenizer(text, positions=True):
        positions.setdefault(token.text, []).append(token.pos)
    return positions


@pytest.mark.parametrize("tokenizer", [JiebaTokenizer(), BigramTokenizer()], ids=["jieba", "bigram"])
def test_tokenizer_term_positions_are_its_tokens_positions(tokenizer):
    for text in _fixture_texts():
        assert dict(tokenizer.term_positions(text)) == _token_positions(tokenizer, text)


def test_jieba_word_list_cuts_like_jieba_on_the_whole_text():
    for text in _fixture_texts():
        assert jieba_word_list(text) == [word for word, _, _ in jieba_words(text)]


@pytest.mark.parametrize("analyzer", [JiebaTokenizer(), BigramTokenizer()], ids=["jieba", "bigram"])
def test_term_positions_format_writes_whoosh_positions_postings(analyzer):
    for text in _fixture_texts():
        expected = sorted(Positions(field_boost=1.0).word_values(text, analyzer, mode="index"))
        assert sorted(TermPositions(field_boost=1.0).word_values(text, analyzer, mode="index")) == expected


def _small_index(path, codec, merge):
    """Commits of fixture texts, one with deletions, then one with a document and a merge: the files by name."""
    from whoosh import fields, index

    path.mkdir()
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        text=fields.TEXT(analyzer=JiebaTokenizer()),
        text_bigram=fields.TEXT(analyzer=BigramTokenizer()),
        pk=fields.TEXT(analyzer=ExactTokenizer(), sortable=True),
    )
    for name in ("text", "text_bigram"):
        schema[name].format = TermPositions(field_boost=1.0)
    ix = index.create_in(str(path), schema)
    texts = _fixture_texts()
    for start in range(0, len(texts), 3):
        writer = ix.writer(codec=codec, compound=False)
        for number, text in enumerate(texts[start : start + 3], start):
            writer.add_document(id=str(number), text=text, text_bigram=text, pk=str(number))
        writer.commit(merge=False)
    writer = ix.writer(codec=codec, compound=False)
    writer.delete_by_term("id", "1")
    writer.delete_by_term("id", "4")
    writer.commit(merge=False)
    # The last commit brings a document of its own too, as an import does.
    writer = ix.writer(codec=codec, compound=False)
    writer.add_document(id="last", text=texts[0], text_bigram=texts[0], pk="last")
    writer.commit(mergetype=merge)
    return {
        f.name.split(".", 1)[1]: f.read_bytes() for f in path.iterdir() if f.name.startswith("MAIN_") and "." in f.name
    }


class WhooshWriters(W3Codec):
    """Whoosh's own field writer, with the project's choice of uncompressed small blocks."""

    def postings_writer(self, dbfile, byteids=False):
        return codec._PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids)


def test_segments_are_written_byte_for_byte_as_whoosh_writes_them(tmp_path):
    from whoosh.writing import OPTIMIZE

    def merge_all(writer, segments):
        codec.segments_merge(writer, segments)
        return []

    expected = _small_index(tmp_path / "whoosh", WhooshWriters(), OPTIMIZE)
    written = _small_index(tmp_path / "project", codec.PostingsCodec(), merge_all)

    # One merged segment: its postings, terms, lengths and columns.
    assert {"pst", "trm", "pk.col", "_text_len.col"} <= expected.keys()
    assert written == expected


def test_merge_reader_yields_the_postings_whoosh_reads(tmp_path):
    from whoosh import index
    from whoosh.reading import SegmentReader

    _small_index(tmp_path / "ix", codec.PostingsCodec(), NO_MERGE)
    ix = index.open_dir(str(tmp_path / "ix"))
    segments = ix._segments()
    assert any(segment.has_deletions() for segment in segments)
    for segment in segments:
        expected = list(SegmentReader(ix.storage, ix.schema, segment).iter_postings())
        assert expected
        assert list(codec._MergeReader(ix.storage, ix.schema, segment).iter_postings()) == expected


def test_merge_policy_merges_the_segments_merge_small_merges(monkeypatch):
    import whoosh.reading
    from whoosh.writing import MERGE_SMALL

    class Segment:
        def __init__(self, count):
            self.count = count

        def doc_count_all(self):
            return self.count

    class Reader:
        def __init__(self, storage, schema, segment):
            self.segment = segment

        def close(self):
            pass

    class Writer:
        storage = schema = None

        def __init__(self):
            self.merged = []

        def add_reader(self, reader):
            self.merged.append(reader.segment)

    monkeypatch.setattr(whoosh.reading, "SegmentReader", Reader)
    for counts in ([50] * 5, [50] * 10, [550, *[50] * 9], [3250] * 3 + [50] * 9, [0, 1, 2, 3, 4, 5], [7, 200, 1, 1, 1]):
        segments = [Segment(count) for count in counts]
        whoosh_writer = Writer()
        kept = MERGE_SMALL(whoosh_writer, segments)
        assert codec.small_segments(segments) == (whoosh_writer.merged, kept)


# --- search: Whoosh's own scores, remembered rankings -------------------------------------------


@pytest.mark.django_db
def test_scores_are_whooshs_own(index_documents):
    from search.engines.whoosh import whoosh_query
    from search.engines.whoosh.postings import scored_matches

    DocumentFactory(title="冷链物流实施方案", body="发展冷链物流，冷链物流园区，保障食品安全。")
    DocumentFactory(title="关于货物流通的通知", body="促进货物流通，物流园区建设。")
    DocumentFactory(body="养老服务综合监管，养老服务监管制度。")
    DocumentFactory(body="地方志编修，档案资料。")
    index_documents()

    searcher = engine()._searcher()
    for q in ["冷链物流", "物流 园区", "养老服务监管", '"冷链物流园区"', "地方志 OR 档案", "物流"]:
        query = whoosh_query(search_clause(parse_query(q)))
        expected = dict(searcher.search(query, limit=None, terms=False).items())
        assert scored_matches(searcher, query) == pytest.approx(expected, rel=1e-12), q
    from whoosh import query as wq

    assert scored_matches(searcher, wq.NullQuery) == {}


@pytest.mark.django_db
def test_a_remembered_search_gives_the_ranking_it_gave_the_first_time(index_documents):
    DocumentFactory(body="冷链物流。冷链物流体系。")
    DocumentFactory(body="发展冷链物流。")
    DocumentFactory(title="冷链物流发展规划", body="规划全文。")
    index_documents()
    query = search_clause(parse_query("冷链物流"))

    first = engine().ranked_ids(query)
    again = engine().ranked_ids(query)

    assert len(first.hits) == 3 == first.total
    assert again == first
    assert [score for _, score in first.hits] == sorted((score for _, score in first.hits), reverse=True)


@pytest.mark.django_db
def test_the_index_names_only_whooshs_own_codec(index_documents):
    DocumentFactory(body="发展冷链物流。")
    index_documents()

    segments = engine().whoosh_index()._segments()

    assert segments and {type(segment.codec()) for segment in segments} == {W3Codec}


@pytest.mark.django_db
def test_an_unreadable_index_says_to_rebuild_and_a_rebuild_mends_it(index_documents):
    document = DocumentFactory(body="发展冷链物流。")
    index_documents()
    toc = next(search_index_files(engine().path, "_MAIN_"))
    # A table of contents naming a class this code no longer has (an older layout's index).
    toc.write_bytes(toc.read_bytes().replace(b"search.engines.whoosh.schema", b"search.engines.whoosh.gone00"))
    engine()._ix = None

    with pytest.raises(EngineUnavailable, match="check_index --rebuild"):
        indexed_document_ids()
    assert not engine().healthy()
    with pytest.raises(CommandError, match="check_index --rebuild"):
        call_command("check_index")

    call_command("check_index", "--rebuild")

    assert indexed_document_ids() == {document.pk}
    assert documents_search(q="冷链物流").ids == [document.pk]


def search_index_files(path, prefix):
    return (f for f in sorted(path.iterdir()) if f.name.startswith(prefix))


# --- the version guard: another Whoosh, the public API, the same results --------------------------


@pytest.fixture
def another_whoosh(monkeypatch):
    """Pretend another Whoosh is installed: the fast paths stand down."""
    monkeypatch.setattr(internals, "installed_whoosh", lambda: ("whoosh-reloaded", "2.7.6"))
    internals.fast_paths.cache_clear()
    yield
    internals.fast_paths.cache_clear()


def _fixture_documents():
    """The fixture gazettes' documents, parsed and saved with the ORM (no import service)."""
    from gazette.importer import decode_bytes, parse_gazette
    from tests.conftest import FIXTURES

    for path in sorted(FIXTURES.glob("*.txt")):
        for doc in parse_gazette(decode_bytes(path.read_bytes())).documents:
            DocumentFactory(title=doc.title, doc_number=doc.doc_number or "", body=doc.body)


def _eval_rankings() -> dict[str, list[tuple[int, float]]]:
    import json
    from pathlib import Path

    queries = json.loads((Path(__file__).parents[2] / "search" / "eval" / "queries.json").read_text("utf-8"))
    rankings = {}
    for item in queries:
        clause = search_clause(parse_query(item["query"]))
        hits = engine().ranked_ids(clause).hits if clause else []
        rankings[item["query"]] = sorted(((pk, round(score, 9)) for pk, score in hits), key=lambda h: (-h[1], h[0]))
    return rankings


@pytest.mark.django_db
def test_another_whoosh_reads_a_fast_index_with_the_public_searcher_and_ranks_alike(
    index_documents, monkeypatch, caplog
):
    _fixture_documents()
    index_documents()
    fast = _eval_rankings()
    assert sum(map(len, fast.values())) > 100

    monkeypatch.setattr(internals, "installed_whoosh", lambda: ("whoosh-reloaded", "2.7.6"))
    internals.fast_paths.cache_clear()
    engine()._recent.clear()
    try:
        # The project's logging config does not propagate to the root logger caplog listens on.
        logger = logging.getLogger("search.engines.whoosh")
        logger.addHandler(caplog.handler)
        try:
            public = _eval_rankings()
        finally:
            logger.removeHandler(caplog.handler)
        assert public == fast
        warnings = [r for r in caplog.records if "fast paths were written for" in r.getMessage()]
        assert len(warnings) == 1  # said once, however many searches
    finally:
        internals.fast_paths.cache_clear()


@pytest.mark.django_db
def test_another_whoosh_writes_with_the_public_writer_and_merge_and_ranks_alike(index_documents, request):
    import shutil

    _fixture_documents()
    index_documents()
    fast = _eval_rankings()
    shutil.rmtree(engine().path)

    request.getfixturevalue("another_whoosh")
    # A new index from the public writer: the same documents, the same scores.
    documents_index(document_ids=[])
    assert {type(segment.codec()) for segment in engine().whoosh_index()._segments()} == {W3Codec}
    assert not isinstance(engine().whoosh_index().schema["text"].format, TermPositions)
    assert _eval_rankings() == fast

    # Imports of a few documents each: Whoosh's own merge runs. Scores move a little (BM25F
    # counts deleted documents until a merge drops them); the documents found do not.
    pks = sorted(indexed_document_ids())
    for start in range(0, 60, 6):
        documents_index(document_ids=pks[start : start + 6])
    public = _eval_rankings()
    assert {q: {pk for pk, _ in hits} for q, hits in public.items()} == {
        q: {pk for pk, _ in hits} for q, hits in fast.items()
    }


def test_the_guard_accepts_only_the_whoosh_it_was_written_for(monkeypatch):
    for found, expected in [
        (("whoosh-reloaded", "2.7.5"), True),
        (("whoosh-reloaded", "2.7.6"), False),
        (("whoosh", "2.7.4"), False),
    ]:
        monkeypatch.setattr(internals, "installed_whoosh", lambda found=found: found)
        internals.fast_paths.cache_clear()
        assert internals.fast_paths() is expected
    monkeypatch.undo()
    internals.fast_paths.cache_clear()
    assert internals.installed_whoosh() == internals.WRITTEN_FOR


@pytest.mark.django_db
@pytest.mark.parametrize("whoosh", ["2.7.5", "another"])
def test_merging_every_segment_ranks_alike_with_either_writer(index_documents, request, whoosh):
    if whoosh == "another":
        request.getfixturevalue("another_whoosh")
    documents_index(document_ids=[])  # the index, empty: each batch below is new to it
    _fixture_documents()
    ids = list(Document.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 8):
        documents_index(document_ids=ids[start : start + 8])  # a segment an import
    rankings = _eval_rankings()
    engine()._recent.clear()

    merge = engine().merge_segments()

    assert merge.before > 1 and merge.after == 1
    merged = _eval_rankings()
    # The same documents, the same first. Scores move a little: a merged segment's field
    # lengths total the per-document lengths as Whoosh stores them (one byte, rounded), so
    # the average length BM25F divides by changes, as Whoosh's own merge does it (near ties
    # may swap).
    for query, hits in merged.items():
        before = dict(rankings[query])
        assert set(dict(hits)) == set(before), query
        assert hits[:1] == [] or hits[0][0] == rankings[query][0][0], query
        for pk, score in hits:
            assert score == pytest.approx(before[pk], rel=0.01), query
