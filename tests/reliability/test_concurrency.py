"""Imports, searches and index writers at the same time, on real PostgreSQL connections and a real index.

tests/gazette/test_import_concurrency.py covers the database side (same file twice → one issue;
two files → both land); here the search index is followed too.
"""

from __future__ import annotations

import subprocess
import textwrap
import threading
import time

import pytest
from django.db import connection
from django.test import Client

from gazette.models import Document, ImportRecord
from gazette.services import gazette_file_import
from search.indexing import documents_index, index_status, indexed_document_ids
from search.query import documents_search
from tests.factories import UserFactory
from tests.reliability.conftest import kill_when_ready

from .conftest import PYTHON

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _in_threads(*targets, timeout=120):
    """Run each callable in its own thread, started together; return the exceptions raised."""
    barrier = threading.Barrier(len(targets))
    errors: list[BaseException] = []

    def run(target):
        try:
            barrier.wait()
            target()
        except BaseException as exc:  # noqa: BLE001 - reported by the caller's assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
        assert not thread.is_alive(), "a thread did not finish in time"
    return errors


def test_two_imports_of_different_files_at_once_both_land_in_the_database_and_the_index(search_index, fixture_bytes):
    errors = _in_threads(
        lambda: gazette_file_import(file_name="000.txt", data=fixture_bytes("000")),
        lambda: gazette_file_import(file_name="001.txt", data=fixture_bytes("001")),
    )

    assert errors == []
    assert sorted(ImportRecord.objects.values_list("status", flat=True)) == ["imported", "imported"]
    assert Document.objects.filter(issue__gazette__name="贺州市人民政府公报").count() == 13
    assert Document.objects.filter(issue__gazette__name="柳州市人民政府公报").count() == 9
    assert indexed_document_ids() == set(Document.objects.values_list("pk", flat=True))
    assert index_status().healthy
    # A document of each file is found by a word of its own title.
    assert documents_search(q="冷链物流").ids
    assert documents_search(q="柳州").ids


def test_search_keeps_answering_while_a_gazette_is_imported(search_index, fixture_bytes):
    gazette_file_import(file_name="000.txt", data=fixture_bytes("000"))
    user = UserFactory(username="reader")
    importing = threading.Event()
    answers: list[tuple[str, int, bool]] = []

    def do_import():
        importing.set()
        try:
            gazette_file_import(file_name="001.txt", data=fixture_bytes("001"))
        finally:
            importing.clear()

    def search_pages():
        client = Client()
        client.force_login(user)
        importing.wait(10)
        deadline = time.monotonic() + 60
        while (importing.is_set() or len(answers) < 10) and time.monotonic() < deadline:
            for q in ("冷链物流", "贺政办发〔2018〕146号", "柳州 OR 贺州"):
                status = client.get("/search/", {"q": q}).status_code
                answers.append(("page", status, importing.is_set()))
                status = client.get("/api/search/", {"q": q}).status_code
                answers.append(("api", status, importing.is_set()))

    def search_function():
        importing.wait(10)
        deadline = time.monotonic() + 60
        while importing.is_set() and time.monotonic() < deadline:
            assert documents_search(q="冷链物流").ids
            answers.append(("function", 200, importing.is_set()))

    errors = _in_threads(do_import, search_pages, search_function)

    assert errors == []
    assert answers and all(status == 200 for _, status, _ in answers), answers
    # Pages and the API answered while the import was still running, not only after it.
    assert {kind for kind, _, during in answers if during} >= {"page", "api", "function"}
    assert Document.objects.count() == 22
    assert index_status().healthy


CHILD_HOLDS_LOCKS = textwrap.dedent(
    """
    import fcntl, sys, time
    from whoosh.index import open_dir
    index_path = sys.argv[1]
    lock = open(index_path + ".lock", "a+b")
    fcntl.flock(lock.fileno(), fcntl.LOCK_EX)   # the project's index write lock
    writer = open_dir(index_path).writer()       # Whoosh's own MAIN_WRITELOCK
    writer.add_document()                        # a half-written segment, never committed
    print("locked", flush=True)
    time.sleep(600)
    """
)


def test_index_locks_of_a_killed_writer_do_not_block_the_next_import(search_index, fixture_bytes, settings):
    settings.GONGBAO_INDEX_LOCK_TIMEOUT = 20
    documents_index(document_ids=[])  # create the empty index and the dictionary
    child = subprocess.Popen([PYTHON, "-c", CHILD_HOLDS_LOCKS, str(search_index)], stdout=subprocess.PIPE, text=True)
    kill_when_ready(child, "locked")
    # Whoosh leaves its lock file behind; an flock on it died with the process.
    assert (search_index / "MAIN_WRITELOCK").exists()

    started = time.monotonic()
    outcome = gazette_file_import(file_name="000.txt", data=fixture_bytes("000"))
    elapsed = time.monotonic() - started

    assert elapsed < 15, f"the import waited {elapsed:.1f}s for a dead writer's lock"
    assert not [m for m in outcome.messages if "索引更新失败" in m]
    assert indexed_document_ids() == set(Document.objects.values_list("pk", flat=True))
    assert documents_search(q="冷链物流").ids
