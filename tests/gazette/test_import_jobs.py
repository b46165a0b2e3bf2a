"""Web imports as background jobs: confirm returns at once with a progress page; the worker
(django_tasks_db's, on PostgreSQL) imports, then indexes, retries a failed indexing, and the
periodic index check repairs what is left."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from gazette.models import Document, ImportRecord, Issue
from gazette.tasks import import_jobs_recover, index_check, index_check_schedule, record_import
from search.indexing import index_status, indexed_document_ids
from search.query import documents_search
from tests.factories import UserFactory
from tests.gazette.worker import jobs_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path, search_index):
    settings.GONGBAO_UPLOAD_DIR = tmp_path / "uploads"
    settings.GONGBAO_INDEX_RETRY_SECONDS = [0, 0]  # retries are due at once, so one batch runs them


@pytest.fixture
def importer(client):
    user = UserFactory(username="importer")
    user.user_permissions.add(Permission.objects.get(codename="add_issue", content_type__app_label="gazette"))
    client.force_login(user)
    return client


def confirm(client, *files):
    """Upload these (name, bytes) files, confirm the dry run; returns the confirmation's response."""
    uploads = [SimpleUploadedFile(name, data, content_type="text/plain") for name, data in files]
    preview = client.post(reverse("gazette:import"), {"files": uploads})
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)
    return client.post(reverse("gazette:import"), {"token": token})


def statuses() -> list[str]:
    return list(ImportRecord.objects.order_by("pk").values_list("status", flat=True))


def test_an_upload_of_several_files_returns_at_once_with_a_progress_page_of_waiting_files(importer, fixture_bytes):
    response = confirm(importer, ("000.txt", fixture_bytes("000")), ("001.txt", fixture_bytes("001")))

    assert response.status_code == 302
    assert re.fullmatch(r"/import/progress/[0-9a-f-]{36}/", response.url)
    assert not Issue.objects.exists()
    records = list(ImportRecord.objects.order_by("pk"))
    assert [r.file_name for r in records] == ["000.txt", "001.txt"]
    assert {r.batch for r in records} == {records[0].batch}
    assert bytes(records[0].data) == fixture_bytes("000")  # the bytes are kept before any job runs
    jobs = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path="gazette.tasks.record_import")
    assert sorted(str(job.pk) for job in jobs) == sorted(r.job_id for r in records)

    page = importer.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-field="status">等待处理<') == 2 and "000.txt" in html and "001.txt" in html
    assert f'href="{response.url}"' in html and "刷新" in html  # works without JavaScript
    assert 'src="/static/js/import-progress.js"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script (CSP allows only 'self')
    state = importer.get(response.url + "status/").json()
    assert state["finished"] is False
    assert [r["status"] for r in state["records"]] == ["pending", "pending"]


def test_the_worker_imports_each_file_then_indexes_it_and_the_record_goes_index_pending_then_imported(
    importer, fixture_bytes
):
    progress = confirm(importer, ("000.txt", fixture_bytes("000")), ("001.txt", fixture_bytes("001"))).url

    assert jobs_run(max_tasks=1) == 1  # the first import

    assert statuses() == ["index_pending", "pending"]
    assert Document.objects.count() == 13
    assert indexed_document_ids() == set()
    state = importer.get(progress + "status/").json()
    assert [r["status_label"] for r in state["records"]] == ["已导入，索引待更新", "等待处理"]
    assert state["records"][0]["documents_created"] == 13
    assert state["records"][0]["tasks_created"] == 71
    assert state["finished"] is False

    assert jobs_run() == 3  # the first indexing, the second import, its indexing

    assert statuses() == ["imported", "imported"]
    assert indexed_document_ids() == set(Document.objects.values_list("pk", flat=True))
    assert documents_search(q="冷链物流").ids
    state = importer.get(progress + "status/").json()
    assert state["finished"] is True
    assert [r["documents_created"] for r in state["records"]] == [13, 9]
    assert state["summary"] == "共 2 个文件：已完成 2 个，处理中 0 个，失败 0 个。"
    first = state["records"][0]
    assert first["issue"]["label"].startswith("贺州市人民政府公报") and len(first["documents"]) == 13
    html = importer.get(progress).content.decode()
    assert "加快发展冷链物流" in html and "data-finished" in html


def test_an_imported_file_is_indexed_before_the_files_still_waiting_are_imported(importer, fixture_bytes):
    confirm(
        importer,
        ("000.txt", fixture_bytes("000")),
        ("001.txt", fixture_bytes("001")),
        ("002.txt", fixture_bytes("002")),
    )

    assert jobs_run(max_tasks=2) == 2  # the first import, then its indexing ahead of the waiting imports

    assert statuses() == ["imported", "pending", "pending"]
    first = ImportRecord.objects.order_by("pk").first()
    assert indexed_document_ids() == set(Document.objects.filter(issue__source=first).values_list("pk", flat=True))
    assert documents_search(q="冷链物流").ids  # searchable while the rest of the upload waits


def test_a_file_refused_by_the_worker_fails_and_the_progress_page_says_why(importer, fixture_bytes):
    from gazette.services import gazette_file_import

    copy = fixture_bytes("000") + "\n附注。\n".encode()
    preview = importer.post(reverse("gazette:import"), {"files": [SimpleUploadedFile("000-copy.txt", copy)]})
    # The same issue imported from another file after the dry run: the import refuses it.
    gazette_file_import(file_name="000.txt", data=fixture_bytes("000"), index=False)
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)
    progress = importer.post(reverse("gazette:import"), {"token": token}).url

    jobs_run()

    record = ImportRecord.objects.get(file_name="000-copy.txt")
    assert record.status == ImportRecord.Status.FAILED
    assert "2019年第1期已存在（来自另一个文件），未导入" in record.error
    html = importer.get(progress).content.decode()
    assert "失败" in html and "已存在（来自另一个文件）" in html
    assert importer.get(progress + "status/").json()["summary"] == "共 1 个文件：已完成 0 个，处理中 0 个，失败 1 个。"


def test_a_failing_indexing_job_is_retried_and_succeeds(importer, fixture_bytes, monkeypatch):
    import search.indexing

    real, calls = search.indexing.documents_index, []

    def fails_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OSError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(search.indexing, "documents_index", fails_once)
    confirm(importer, ("000.txt", fixture_bytes("000")))

    jobs_run()

    record = ImportRecord.objects.get()
    assert len(calls) == 2
    assert (record.status, record.error, record.index_attempts) == (ImportRecord.Status.IMPORTED, "", 1)
    index_jobs = DBTaskResult.objects.filter(task_path="gazette.tasks.record_index").order_by("enqueued_at")
    assert [job.status for job in index_jobs] == [TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL]
    assert "disk full" in index_jobs[0].traceback
    assert len(indexed_document_ids()) == 13


def test_an_indexing_job_that_keeps_failing_shows_its_error_and_index_check_repairs_it(
    importer, fixture_bytes, monkeypatch
):
    import search.indexing

    def broken(**kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(search.indexing, "documents_index", broken)
    progress = confirm(importer, ("000.txt", fixture_bytes("000"))).url

    jobs_run()

    record = ImportRecord.objects.get()
    assert record.status == ImportRecord.Status.INDEX_PENDING
    assert record.index_attempts == 3  # the first try and two retries
    assert "检索索引更新失败（第 3 次，OSError: disk full）" in record.error and "不再自动重试" in record.error
    assert DBTaskResult.objects.filter(task_path="gazette.tasks.record_index", status="FAILED").count() == 3
    state = importer.get(progress + "status/").json()
    assert state["finished"] is True and "disk full" in state["records"][0]["error"]
    html = importer.get(reverse("gazette:import-history")).content.decode()
    assert "已导入，索引待更新" in html and "disk full" in html and "--fix" not in html

    monkeypatch.undo()
    output = index_check.call(reschedule=False)

    record.refresh_from_db()
    assert (record.status, record.error) == (ImportRecord.Status.IMPORTED, "")
    assert "索引 13 篇" in output and "1 条导入记录的索引已补齐" in output
    assert index_status().healthy


def test_index_check_runs_on_a_schedule_it_keeps_itself(fixture_bytes, settings):
    from gazette.services import gazette_file_import

    gazette_file_import(file_name="000.txt", data=fixture_bytes("000"), index=False)
    assert len(index_status().missing) == 13
    assert index_check_schedule(run_after=timezone.now()) is True
    assert index_check_schedule(run_after=timezone.now()) is False  # one is queued already

    assert jobs_run() == 1

    assert index_status().healthy
    done, queued = DBTaskResult.objects.filter(task_path="gazette.tasks.index_check").order_by("enqueued_at")
    assert done.status == TaskResultStatus.SUCCESSFUL and "索引 13 篇" in done.return_value
    expected = timezone.now() + dt.timedelta(seconds=settings.GONGBAO_INDEX_CHECK_SECONDS)
    assert queued.status == TaskResultStatus.READY and abs(queued.run_after - expected) < dt.timedelta(minutes=1)


def test_a_job_claimed_by_a_worker_that_died_before_starting_it_is_resumed(importer, fixture_bytes):
    confirm(importer, ("000.txt", fixture_bytes("000")))
    job = DBTaskResult.objects.get()
    # What a worker killed right after claiming the job leaves behind.
    job.claim("dead-worker")
    DBTaskResult.objects.filter(pk=job.pk).update(started_at=timezone.now() - dt.timedelta(minutes=5))

    assert import_jobs_recover() == 1

    job.refresh_from_db()
    assert job.status == TaskResultStatus.FAILED and "WorkerDied" in job.exception_class_path
    record = ImportRecord.objects.get()
    assert record.status == ImportRecord.Status.PENDING and record.job_id != str(job.pk)
    jobs_run()
    assert statuses() == ["imported"]


def test_a_job_that_a_live_worker_just_claimed_is_left_alone(importer, fixture_bytes):
    confirm(importer, ("000.txt", fixture_bytes("000")))
    DBTaskResult.objects.get().claim("live-worker")

    assert import_jobs_recover() == 0
    assert statuses() == ["pending"]


def test_an_indexing_interrupted_by_a_dead_worker_is_resumed(importer, fixture_bytes):
    confirm(importer, ("000.txt", fixture_bytes("000")))
    jobs_run(max_tasks=1)
    # The worker claimed the indexing job, marked the record indexing, and was killed.
    index_job = DBTaskResult.objects.get(task_path="gazette.tasks.record_index")
    index_job.claim("dead-worker")
    DBTaskResult.objects.filter(pk=index_job.pk).update(started_at=timezone.now() - dt.timedelta(minutes=5))
    ImportRecord.objects.update(status=ImportRecord.Status.INDEXING)

    assert import_jobs_recover() == 1

    record = ImportRecord.objects.get()
    assert (record.status, record.index_attempts) == (ImportRecord.Status.INDEX_PENDING, 1)
    jobs_run()
    assert statuses() == ["imported"] and len(indexed_document_ids()) == 13


def test_a_job_runs_nothing_twice(importer, fixture_bytes):
    confirm(importer, ("000.txt", fixture_bytes("000")))
    jobs_run()
    record = ImportRecord.objects.get()

    assert record_import.call(record_id=record.pk) == "skipped"
    assert Issue.objects.count() == 1 and statuses() == ["imported"]
