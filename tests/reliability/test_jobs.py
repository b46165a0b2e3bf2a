"""The job worker as a real process (`manage.py jobs_worker`), on real PostgreSQL and a real index:
it imports and indexes what the web queued; killed mid-import, mid-index or mid-claim, it loses
nothing: the upload is kept, a dead import is marked failed with the reason, a dead indexing is
resumed; asked to stop (SIGTERM, Ctrl-C) it finishes the job it is running first."""

from __future__ import annotations

import re
import signal
import subprocess
import textwrap
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from gazette.models import Document, ImportRecord, Issue
from gazette.tasks import import_jobs_recover
from policies.models import Task
from search.indexing import indexed_document_ids
from search.query import documents_search
from tests.gazette.worker import jobs_run

from .conftest import PYTHON, ROOT, kill_when_ready

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# `manage.py jobs_worker` on this test's index; SLOW=import makes the import sleep inside its
# transaction after three documents, SLOW=index makes indexing sleep before it writes; each
# says so first. SLEEP is how long (the test kills or stops the worker meanwhile).
CHILD_WORKER = textwrap.dedent(
    """
    import os, sys, time
    import django
    django.setup()
    from django.conf import settings
    from haystack import connections
    settings.HAYSTACK_CONNECTIONS = {"default": {
        **settings.HAYSTACK_CONNECTIONS["default"], "PATH": os.environ["GONGBAO_CHILD_INDEX"]}}
    connections.reload("default")
    import policies.services, search.indexing
    from django.core.management import call_command
    slow, sleep = os.environ.get("SLOW", ""), float(os.environ.get("SLEEP", "600"))
    real_issuer_rows, real_index, saved = policies.services._issuer_rows, search.indexing.documents_index, []

    def slow_issuer_rows(document, departments):
        # Each new document's 发文机关 is read inside the import's transaction, after its tasks.
        rows = real_issuer_rows(document, departments)
        saved.append(document.pk)
        if len(saved) == 3:
            print("inside the transaction", flush=True)
            time.sleep(sleep)
        return rows

    def slow_index(*, document_ids):
        document_ids = list(document_ids)
        if document_ids:  # an import's documents, not the index check's empty repair
            print("indexing", flush=True)
            time.sleep(sleep)
        return real_index(document_ids=document_ids)

    if slow == "import":
        policies.services._issuer_rows = slow_issuer_rows
    if slow == "index":
        search.indexing.documents_index = slow_index
    call_command("jobs_worker", *sys.argv[1:], verbosity=0)
    """
)


@pytest.fixture
def queue_upload(staff_client, upload_dir, fixture_bytes):
    """Upload fixture 000 on the web and confirm it; returns the progress page's address."""

    def queue() -> str:
        upload = SimpleUploadedFile("000.txt", fixture_bytes("000"), content_type="text/plain")
        preview = staff_client.post(reverse("gazette:import"), {"files": [upload]}).content.decode()
        token = re.search(r'name="token" value="([^"]+)"', preview).group(1)
        return staff_client.post(reverse("gazette:import"), {"token": token}).url

    return queue


def worker(env, *args, slow="", sleep=600):
    return subprocess.Popen(
        [PYTHON, "-c", CHILD_WORKER, *args],
        cwd=ROOT,
        env={**env, "SLOW": slow, "SLEEP": str(sleep)},
        stdout=subprocess.PIPE,
        text=True,
    )


def recover_until_changed(timeout=15.0) -> int:
    """PostgreSQL notices a killed process's connection within moments; sweep until it has."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        changed = import_jobs_recover()
        if changed:
            return changed
        time.sleep(0.2)
    return 0


def test_the_worker_command_imports_and_indexes_what_the_web_queued(queue_upload, subprocess_env, staff_client):
    progress = queue_upload()

    child = worker(subprocess_env, "--batch")
    child.communicate(timeout=180)

    assert child.returncode == 0
    record = ImportRecord.objects.get()
    assert (record.status, record.documents_created, record.tasks_created) == ("imported", 13, 71)
    assert indexed_document_ids() == set(Document.objects.values_list("pk", flat=True))
    assert documents_search(q="冷链物流").ids
    jobs = set(DBTaskResult.objects.values_list("task_path", "status"))
    assert jobs == {
        ("gazette.tasks.record_import", TaskResultStatus.SUCCESSFUL),
        ("gazette.tasks.record_index", TaskResultStatus.SUCCESSFUL),
        ("gazette.tasks.index_check", TaskResultStatus.SUCCESSFUL),  # run as the worker started
        ("gazette.tasks.index_check", TaskResultStatus.READY),  # and its next run, an hour on
        ("gazette.tasks.validity_refresh", TaskResultStatus.SUCCESSFUL),  # run as the worker started
        ("gazette.tasks.validity_refresh", TaskResultStatus.READY),  # and its next run, the next night
    }
    assert "已导入" in staff_client.get(progress).content.decode()


def test_a_worker_killed_inside_an_import_loses_nothing_and_the_record_says_it_failed(
    queue_upload, subprocess_env, staff_client, fixture_bytes
):
    progress = queue_upload()

    kill_when_ready(worker(subprocess_env, slow="import"), "inside the transaction")

    record = ImportRecord.objects.get()
    assert record.status == ImportRecord.Status.SAVING
    assert bytes(record.data) == fixture_bytes("000")  # the upload was committed before the job
    assert not Issue.objects.exists() and not Document.objects.exists() and not Task.objects.exists()

    assert recover_until_changed() == 1

    record.refresh_from_db()
    assert record.status == ImportRecord.Status.FAILED and "导入未完成" in record.error
    job = DBTaskResult.objects.get(task_path="gazette.tasks.record_import")
    assert job.status == TaskResultStatus.FAILED and job.exception_class_path.endswith("WorkerDied")
    state = staff_client.get(progress + "status/").json()
    assert state["finished"] is True and "导入未完成" in state["records"][0]["error"]


def test_a_worker_killed_while_indexing_is_resumed_by_the_next_worker(queue_upload, subprocess_env):
    queue_upload()

    kill_when_ready(worker(subprocess_env, slow="index"), "indexing")

    record = ImportRecord.objects.get()
    assert record.status == ImportRecord.Status.INDEXING and Document.objects.count() == 13
    assert recover_until_changed() == 1
    record.refresh_from_db()
    assert record.status == ImportRecord.Status.INDEX_PENDING
    jobs_run()  # what the next worker does
    record.refresh_from_db()
    assert record.status == ImportRecord.Status.IMPORTED
    assert indexed_document_ids() == set(Document.objects.values_list("pk", flat=True))


def test_a_worker_asked_to_stop_finishes_the_import_it_is_running(queue_upload, subprocess_env):
    queue_upload()
    child = worker(subprocess_env, slow="import", sleep=2)
    assert child.stdout.readline().strip() == "inside the transaction"

    child.send_signal(signal.SIGTERM)
    child.communicate(timeout=60)

    assert child.returncode == 0
    record = ImportRecord.objects.get()
    # The import was finished and committed; its indexing waits for the next worker.
    assert (record.status, record.documents_created) == (ImportRecord.Status.INDEX_PENDING, 13)
    assert DBTaskResult.objects.get(task_path="gazette.tasks.record_index").status == TaskResultStatus.READY
