"""Import workers writing the index at once: side by side on a cluster, one at a time on Whoosh."""

import threading

from django.db import connection

from search.engines import engine
from search.indexing import documents_index
from tests.factories import DocumentFactory


def _in_thread(target, done: threading.Event | None = None) -> threading.Thread:
    def run():
        try:
            target()
            if done is not None:
                done.set()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_second_writer_indexes_while_the_first_writes_only_on_a_cluster(
    transactional_db, search_index, search_engine_name, monkeypatch
):
    first, second = DocumentFactory(title="冷链物流通知"), DocumentFactory(title="食品安全通知")
    documents_index(document_ids=[])  # the index exists: these are incremental writes
    search_engine = engine()
    writing, release = threading.Event(), threading.Event()
    real_index = type(search_engine).index

    def index_holding_the_first(self, documents):
        documents = list(documents)
        if any(document.pk == first.pk for document in documents):
            writing.set()
            release.wait(20)
        return real_index(self, documents)

    monkeypatch.setattr(type(search_engine), "index", index_holding_the_first)
    first_writer = _in_thread(lambda: documents_index(document_ids=[first.pk]))
    assert writing.wait(20)
    second_done = threading.Event()
    second_writer = _in_thread(lambda: documents_index(document_ids=[second.pk]), second_done)
    finished_meanwhile = second_done.wait(5)
    release.set()
    first_writer.join(30)
    second_writer.join(30)

    assert finished_meanwhile is (search_engine_name == "opensearch")
    assert second_done.is_set()
    assert {first.pk, second.pk} <= search_engine.indexed_ids()
