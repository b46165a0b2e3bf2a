import threading
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from whoosh.codec.whoosh3 import W3Codec
from whoosh.formats import Positions
from whoosh.writing import NO_MERGE

from search.analyzers import (
    BigramTokenizer,
    DocNumberTokenizer,
    JiebaTokenizer,
    dictionary_path,
    jieba_word_list,
    jieba_words,
    segmenter,
)
from search.backends import PostingsCodec, TermPositions, _PostingsWriter
from search.indexing import documents_index, index_status, indexed_document_ids, whoosh_index
from search.query import documents_search
from tests.factories import DepartmentFactory, DocumentFactory


@pytest.mark.django_db
def test_first_run_builds_the_dictionary_and_indexes_everything(search_index):
    DepartmentFactory(name="市邮政管理局")
    documents = [DocumentFactory(), DocumentFactory()]

    report = documents_index(document_ids=[documents[0].pk])

    assert report.rebuilt
    assert indexed_document_ids() == {d.pk for d in documents}
    assert "市邮政管理局" in dictionary_path().read_text(encoding="utf-8").split()
    assert [w for w, _, _ in jieba_words("由市邮政管理局牵头")] == ["由", "市邮政管理局", "牵头"]


@pytest.mark.django_db
def test_a_new_department_name_joins_the_dictionary_without_a_rebuild(search_index):
    old = DocumentFactory(body="请市冷链产业促进中心负责。")
    assert documents_index(document_ids=[old.pk]).rebuilt
    assert not documents_index(document_ids=[old.pk]).rebuilt

    DepartmentFactory(name="市冷链产业促进中心")
    new = DocumentFactory(body="由市冷链产业促进中心牵头。")
    report = documents_index(document_ids=[new.pk])

    assert not report.rebuilt and report.indexed == 1
    assert "市冷链产业促进中心" in dictionary_path().read_text(encoding="utf-8").split()
    assert index_status().healthy
    # The new document has the word whole; the old one still matches through its bigrams.
    assert set(documents_search(q="市冷链产业促进中心").ids) == {old.pk, new.pk}


@pytest.mark.django_db
def test_deleted_documents_leave_the_index(search_index):
    keep, gone = DocumentFactory(), DocumentFactory()
    documents_index(document_ids=[keep.pk, gone.pk])
    gone_pk = gone.pk
    gone.delete()

    report = documents_index(document_ids=[gone_pk])

    assert report.removed == 1
    assert indexed_document_ids() == {keep.pk}


@pytest.mark.django_db(transaction=True)
def test_a_second_writer_waits_instead_of_failing(search_index):
    documents = [DocumentFactory(body=f"第{i}份冷链物流文件。") for i in range(6)]
    documents_index(document_ids=[])
    errors = []
    # Hold Whoosh's own lock for a moment, as haystack's update_index would.
    held = whoosh_index().writer()

    def index(batch):
        try:
            documents_index(document_ids=[d.pk for d in batch])
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=index, args=(documents[i::3],)) for i in range(3)]
    for thread in threads:
        thread.start()
    threading.Event().wait(0.5)
    held.cancel()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert indexed_document_ids() == {d.pk for d in documents}


@pytest.mark.django_db
def test_haystack_rebuild_and_update_commands_work(search_index):
    document = DocumentFactory(body="发展冷链物流。")

    call_command("rebuild_index", interactive=False, verbosity=0)
    assert documents_search(q="冷链物流").ids == [document.pk]

    other = DocumentFactory(body="冷链物流第二篇。")
    call_command("update_index", verbosity=0)
    assert set(documents_search(q="冷链物流").ids) == {document.pk, other.pk}


@pytest.mark.django_db
def test_check_index_reports_and_fixes_missing_documents(search_index, capsys):
    indexed = DocumentFactory()
    documents_index(document_ids=[indexed.pk])
    missing = DocumentFactory()
    assert index_status().missing == [missing.pk]

    with pytest.raises(CommandError, match="--fix"):
        call_command("check_index")
    call_command("check_index", "--fix")

    assert index_status().healthy


# --- indexing cost: the same index for less work ---------------------------------------------


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


@pytest.fixture
def lean_index(settings, tmp_path):
    """A fresh index with the project's lean schema (search_index uses haystack's own)."""
    from haystack import connections

    settings.HAYSTACK_CONNECTIONS = {
        "default": {"ENGINE": "search.backends.LeanWhooshEngine", "PATH": str(tmp_path / "w")}
    }
    connections.reload("default")
    yield tmp_path / "w"
    connections.reload("default")


@pytest.mark.django_db
def test_each_block_of_a_document_is_segmented_once_per_field(lean_index, monkeypatch):
    from policies.models import Task

    sentence = "由市商务局牵头推进冷链物流体系建设"
    document = DocumentFactory(title="关于冷链物流的通知", body=f"一、总体要求。{sentence}。\n二、{sentence}。")
    Task.objects.create(document=document, order=1, text=f"{sentence}。")
    documents_index(document_ids=[])  # the first run builds an empty index and the dictionary
    tokenizer = segmenter()
    blocks = Counter()
    real_cut = tokenizer.cut

    def counting_cut(text, *args, **kwargs):
        blocks[text] += 1
        return real_cut(text, *args, **kwargs)

    monkeypatch.setattr(tokenizer, "cut", counting_cut)
    documents_index(document_ids=[document.pk])

    # The sentence is in the body twice and in the task: jieba cuts it once, for `text`.
    assert blocks[sentence] == 1
    # The title is cut for `title` and again as the first line of `text`, nothing else twice.
    assert {block for block, count in blocks.items() if count > 1} == {"关于冷链物流的通知"}
    assert documents_search(q="冷链物流体系").ids == [document.pk]


def _small_index(path, codec, merge):
    """Commits of fixture texts, one with deletions, then one with a document and a merge: the files by name."""
    from whoosh import fields, index

    path.mkdir()
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        text=fields.TEXT(analyzer=JiebaTokenizer()),
        text_bigram=fields.TEXT(analyzer=BigramTokenizer()),
        pk=fields.TEXT(analyzer=DocNumberTokenizer(), sortable=True),
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
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids)


def test_segments_are_written_byte_for_byte_as_whoosh_writes_them(tmp_path):
    from whoosh.writing import OPTIMIZE

    from search import backends

    def merge_all(writer, segments):
        backends.segments_merge(writer, segments)
        return []

    expected = _small_index(tmp_path / "whoosh", WhooshWriters(), OPTIMIZE)
    written = _small_index(tmp_path / "project", PostingsCodec(), merge_all)

    # One merged segment: its postings, terms, lengths and columns.
    assert {"pst", "trm", "pk.col", "_text_len.col"} <= expected.keys()
    assert written == expected


def test_merge_reader_yields_the_postings_whoosh_reads(tmp_path):
    from whoosh import index
    from whoosh.reading import SegmentReader

    from search.backends import _MergeReader

    _small_index(tmp_path / "ix", PostingsCodec(), NO_MERGE)
    ix = index.open_dir(str(tmp_path / "ix"))
    segments = ix._segments()
    assert any(segment.has_deletions() for segment in segments)
    for segment in segments:
        expected = list(SegmentReader(ix.storage, ix.schema, segment).iter_postings())
        assert expected
        assert list(_MergeReader(ix.storage, ix.schema, segment).iter_postings()) == expected


def test_merge_policy_merges_the_segments_merge_small_merges(monkeypatch):
    import whoosh.reading
    from whoosh.writing import MERGE_SMALL

    from search import backends

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
        assert backends.small_segments(segments) == (whoosh_writer.merged, kept)
