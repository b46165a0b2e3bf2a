"""An import killed midway leaves the database as before; check_index repairs index/database drift."""

from __future__ import annotations

import subprocess
import textwrap
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from haystack.constants import ID

from gazette.models import Document, ImportRecord, Issue
from gazette.services import gazette_file_import, import_records_interrupted_close
from policies.models import Task
from search.indexing import documents_index, index_status, indexed_document_ids, whoosh_index
from search.query import documents_search
from tests.reliability.conftest import kill_when_ready

from .conftest import PYTHON, ROOT

# manage.py import_gazette with a slow step inside the transaction: after three documents
# are saved the child says so and sleeps until it is killed.
CHILD_IMPORT = textwrap.dedent(
    """
    import os, sys, time
    import django
    django.setup()
    from django.conf import settings
    from haystack import connections
    settings.HAYSTACK_CONNECTIONS = {"default": {
        **settings.HAYSTACK_CONNECTIONS["default"], "PATH": os.environ["GONGBAO_CHILD_INDEX"]}}
    connections.reload("default")
    import policies.services
    from django.core.management import call_command
    # Each new document's 发文机关 is read inside the import's transaction, after its tasks.
    real, saved = policies.services._issuer_rows, []

    def slow_issuer_rows(document, departments):
        rows = real(document, departments)
        saved.append(document.pk)
        if len(saved) == 3:
            print("inside the transaction", flush=True)
            time.sleep(600)
        return rows

    policies.services._issuer_rows = slow_issuer_rows
    call_command("import_gazette", sys.argv[1])
    """
)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_import_killed_inside_its_transaction_leaves_the_database_as_before(
    subprocess_env, fixture_bytes, tmp_path, staff_client
):
    path = tmp_path / "000.txt"
    path.write_bytes(fixture_bytes("000"))
    child = subprocess.Popen(
        [PYTHON, "-c", CHILD_IMPORT, str(path)], cwd=ROOT, env=subprocess_env, stdout=subprocess.PIPE, text=True
    )
    kill_when_ready(child, "inside the transaction")

    # The upload was kept before the transaction began; nothing of the transaction was.
    record = ImportRecord.objects.get()
    assert bytes(record.data) == fixture_bytes("000")
    assert record.status == ImportRecord.Status.SAVING
    assert not Issue.objects.exists() and not Document.objects.exists() and not Task.objects.exists()

    # PostgreSQL notices the dead connection within moments; then the record is closed as failed.
    deadline = time.monotonic() + 15
    while not import_records_interrupted_close() and time.monotonic() < deadline:
        time.sleep(0.2)
    record.refresh_from_db()
    assert record.status == ImportRecord.Status.FAILED
    assert "导入未完成" in record.error
    html = staff_client.get(reverse("gazette:import-history")).content.decode()
    assert "导入未完成" in html and "处理中" not in html

    # The next import of the same file is not blocked by the dead one.
    outcome = gazette_file_import(file_name="000.txt", data=fixture_bytes("000"), index=False)
    assert outcome.record.status == ImportRecord.Status.IMPORTED
    assert Document.objects.count() == 13


@pytest.mark.django_db(transaction=True)
def test_a_running_import_is_not_mistaken_for_a_dead_one(fixture_bytes, monkeypatch):
    import policies.services

    seen = []
    issuer_rows = policies.services._issuer_rows

    def issuer_rows_and_sweep(document, departments):
        # Another request sweeps while this import is inside its transaction.
        if not seen:
            from threading import Thread

            from django.db import connection

            def sweep():
                seen.append(import_records_interrupted_close())
                connection.close()

            thread = Thread(target=sweep)
            thread.start()
            thread.join()
        return issuer_rows(document, departments)

    monkeypatch.setattr(policies.services, "_issuer_rows", issuer_rows_and_sweep)

    outcome = gazette_file_import(file_name="000.txt", data=fixture_bytes("000"), index=False)

    assert seen == [0]
    assert outcome.record.status == ImportRecord.Status.IMPORTED


@pytest.mark.django_db
def test_check_index_reports_and_repairs_a_deleted_row_and_a_lost_index_entry(search_index, fixture_bytes, capsys):
    gazette_file_import(file_name="000.txt", data=fixture_bytes("000"))
    assert index_status().healthy
    deleted = Document.objects.get(doc_number="贺政办发〔2018〕146号")  # the 冷链物流 plan
    deleted_pk = deleted.pk
    deleted.delete()
    lost = Document.objects.get(doc_number="贺政发〔2019〕1号")
    writer = whoosh_index().writer()
    writer.delete_by_term(ID, f"gazette.document.{lost.pk}")
    writer.commit()

    with pytest.raises(CommandError, match="--fix"):
        call_command("check_index")
    report = capsys.readouterr().out
    assert f"索引缺少 1 篇：[{lost.pk}]" in report
    assert f"索引多出 1 篇：[{deleted_pk}]" in report

    call_command("check_index", "--fix")

    assert index_status().healthy
    assert indexed_document_ids() == set(Document.objects.values_list("pk", flat=True))
    assert deleted_pk not in documents_search(q="冷链物流").ids
    assert lost.pk in documents_search(q="市长副市长工作分工").ids
    call_command("check_index")  # now exits cleanly
    assert "索引正常" in capsys.readouterr().out


@pytest.mark.django_db
def test_documents_index_after_an_import_whose_indexing_failed_is_repaired_by_check_index(
    search_index, fixture_bytes, monkeypatch
):
    import search.indexing

    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(search.indexing, "documents_index", broken)
    outcome = gazette_file_import(file_name="000.txt", data=fixture_bytes("000"))
    monkeypatch.undo()

    assert any("检索索引更新失败" in m and "--" not in m for m in outcome.messages)
    outcome.record.refresh_from_db()
    assert outcome.record.status == ImportRecord.Status.INDEX_PENDING and "disk full" in outcome.record.error
    assert len(index_status().missing) == 13
    call_command("check_index", "--fix")
    assert index_status().healthy
    assert documents_search(q="冷链物流").ids
    documents_index(document_ids=[])  # and a later batch still works
