"""Background jobs: importing an uploaded gazette file, indexing what it brought, checking the index.

Jobs are django-tasks tasks kept in the database (django_tasks_db: PostgreSQL's
SELECT … FOR UPDATE SKIP LOCKED, or SQLite for the quick start) and run by
`manage.py jobs_worker`. An upload confirmed on the web becomes one ImportRecord and one
`record_import` job per file, written in one transaction, so a job never runs without its
record and bytes. A successful import enqueues `record_index`, which workers claim before any
waiting import (INDEX_PRIORITY) and which is retried with backoff (GONGBAO_INDEX_RETRY_SECONDS)
when writing the index fails. `index_check` (check_index --fix)
runs every GONGBAO_INDEX_CHECK_SECONDS and enqueues its own next run; `validity_refresh`
(validity_update) runs every night and when a worker starts, and enqueues its own next run;
the nightly run also merges the search index's segments (merge_index).

A worker killed midway leaves its job RUNNING for ever and its record half-way;
import_jobs_recover (run when a worker starts, by index_check, and by the import pages)
tells dead work from live work by the record's advisory lock: an import that died is marked
failed with the reason (its transaction rolled back, nothing was written), an indexing that
died, or an import job that died before it began, is resumed.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from .models import ImportRecord
from .services import (
    ImportFailed,
    import_record_create,
    import_record_index,
    import_record_index_failed,
    import_record_interrupted_fail,
    import_record_lock,
    import_record_run,
    import_records_index_settled,
    import_records_interrupted_close,
)
from .validity import documents_validity_refresh, validity_summary

logger = logging.getLogger(__name__)

# A job claimed this long ago whose record nobody has locked was claimed by a worker that died
# (a live one locks the record at once).
CLAIM_GRACE = dt.timedelta(seconds=30)
# Advisory lock key serialising index_check_schedule (gazette.services uses 0x6762 for records).
INDEX_CHECK_LOCK = 0x67620001
# Finished job rows are kept this long for the admin, then deleted by index_check.
FINISHED_JOBS_KEPT = dt.timedelta(days=30)
# Statuses change at midnight (施行, 有效期 end): the nightly validity update runs just after.
VALIDITY_REFRESH_AT = dt.time(0, 10)
# Advisory lock key serialising validity_refresh_schedule.
VALIDITY_REFRESH_LOCK = 0x67620002
# Workers claim jobs by priority, highest first: an imported file's indexing goes ahead of the
# imports still waiting, so its documents become searchable within a job or two of their
# import, not after the whole upload's imports (django_tasks' priorities run -100 to 100).
INDEX_PRIORITY = 10


@task()
def record_import(*, record_id: int) -> str:
    """Import the upload kept in this record; enqueue its indexing when it brought new documents."""
    try:
        outcome = import_record_run(record_id=record_id)
    except ImportFailed:
        return str(ImportRecord.Status.FAILED)  # a bad file: the record says why; the job did its work
    if outcome is None:
        return "skipped"
    if outcome.record.status == ImportRecord.Status.INDEX_PENDING:
        record_index_enqueue(record_id=record_id)
    return str(outcome.record.status)


@task(priority=INDEX_PRIORITY)
def record_index(*, record_id: int, attempt: int = 1) -> str:
    """Index the documents this record's import created; on failure retry later, then give up to index_check."""
    try:
        done = import_record_index(record_id=record_id)
    except Exception as exc:
        delays = settings.GONGBAO_INDEX_RETRY_SECONDS
        with transaction.atomic():
            retry_at, job_id = None, ""
            if attempt <= len(delays):
                retry_at = timezone.now() + dt.timedelta(seconds=delays[attempt - 1])
                job_id = record_index_enqueue(record_id=record_id, attempt=attempt + 1, run_after=retry_at)
            import_record_index_failed(
                record_id=record_id, error=exc, attempt=attempt, retry_at=retry_at, job_id=job_id
            )
        raise
    return str(ImportRecord.Status.IMPORTED) if done else "skipped"


@task()
def index_check(*, reschedule: bool = True) -> str:
    """check_index --fix, then mark imported the records it indexed; closes dead jobs first and runs again later."""
    try:
        import_jobs_recover()
        started = timezone.now()
        out = io.StringIO()
        call_command("check_index", fix=True, stdout=out)
        settled = import_records_index_settled(before=started)
        if settled:
            out.write(f"{settled} 条导入记录的索引已补齐。\n")
        DBTaskResult.objects.finished().filter(finished_at__lt=timezone.now() - FINISHED_JOBS_KEPT).delete()
        return out.getvalue()
    finally:
        if reschedule:
            index_check_schedule()


@task()
def validity_refresh(*, reschedule: bool = True, merge_index: bool = False) -> str:
    """Store every document's validity for today (manage.py validity_update); runs again the next night.

    The nightly run (merge_index) then merges the search index's segments (manage.py
    merge_index): the day's imports and the documents this update sent again each added
    some, and every search visits each one.
    """
    try:
        summary = validity_summary(documents_validity_refresh())
        return f"{summary}\n{_index_merge()}" if merge_index else summary
    finally:
        if reschedule:
            validity_refresh_schedule()


def _index_merge() -> str:
    """merge_index's report; a merge that fails is logged and tried again the next night."""
    out = io.StringIO()
    try:
        call_command("merge_index", stdout=out)
    except CommandError as exc:
        logger.warning("nightly merge of the search index failed: %s", exc)
        return f"索引段合并失败：{exc}"
    return out.getvalue().strip()


@transaction.atomic
def import_record_enqueue(
    *,
    file_name: str,
    data: bytes,
    user: AbstractBaseUser | None,
    gazette_name: str | None = None,
    year: int | None = None,
    batch: uuid.UUID | None = None,
) -> ImportRecord:
    """Keep an upload as a pending record and enqueue its import, both in one transaction."""
    record = import_record_create(
        file_name=file_name, data=data, user=user, gazette_name=gazette_name, year=year, batch=batch
    )
    record.job_id = str(record_import.enqueue(record_id=record.pk).id)
    ImportRecord.objects.filter(pk=record.pk).update(job_id=record.job_id)
    return record


def record_index_enqueue(*, record_id: int, attempt: int = 1, run_after: dt.datetime | None = None) -> str:
    """Enqueue the indexing of a record and remember the job on it; returns the job's id."""
    job = record_index.using(run_after=run_after).enqueue(record_id=record_id, attempt=attempt)
    ImportRecord.objects.filter(pk=record_id).update(job_id=str(job.id))
    return str(job.id)


def index_check_schedule(*, run_after: dt.datetime | None = None) -> bool:
    """Make sure one index_check is queued (by default GONGBAO_INDEX_CHECK_SECONDS from now); True if one was added."""
    if not isinstance(index_check.get_backend(), DatabaseBackend):
        return False
    run_after = run_after or timezone.now() + dt.timedelta(seconds=settings.GONGBAO_INDEX_CHECK_SECONDS)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Two workers starting at once would otherwise both see none queued and both add one.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [INDEX_CHECK_LOCK])
        queued = DBTaskResult.objects.filter(task_path=index_check.module_path, status=TaskResultStatus.READY)
        if queued.exists():
            return False
        index_check.using(run_after=run_after).enqueue()
    return True


def validity_refresh_schedule(*, run_after: dt.datetime | None = None) -> bool:
    """Make sure one validity_refresh is queued (by default at the next VALIDITY_REFRESH_AT); True if one was added.

    The nightly run merges the search index too; one run at another time (a worker starting) does not.
    """
    if not isinstance(validity_refresh.get_backend(), DatabaseBackend):
        return False
    nightly = run_after is None
    if nightly:
        now = timezone.localtime()
        run_after = now.replace(
            hour=VALIDITY_REFRESH_AT.hour, minute=VALIDITY_REFRESH_AT.minute, second=0, microsecond=0
        )
        if run_after <= now:
            run_after = timezone.make_aware(dt.datetime.combine(now.date() + dt.timedelta(days=1), VALIDITY_REFRESH_AT))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [VALIDITY_REFRESH_LOCK])
        queued = DBTaskResult.objects.filter(task_path=validity_refresh.module_path, status=TaskResultStatus.READY)
        if queued.exists():
            return False
        validity_refresh.using(run_after=run_after).enqueue(merge_index=nightly)
    return True


def import_jobs_recover(*, records=None) -> int:
    """Close or resume the work of jobs whose worker died; returns how many records it changed.

    records: a queryset to look at (a batch on its progress page); all unfinished records by default.
    """
    changed = import_records_interrupted_close()
    if changed:
        _jobs_of_closed_imports_died()
    waiting = (
        (records if records is not None else ImportRecord.objects.all())
        .filter(
            status__in=[ImportRecord.Status.PENDING, ImportRecord.Status.INDEX_PENDING, ImportRecord.Status.INDEXING]
        )
        .exclude(job_id="")
    )
    candidates = list(waiting.values_list("pk", "status", "job_id", "index_attempts"))
    if not candidates:
        return changed
    jobs = {
        str(job.pk): job
        for job in DBTaskResult.objects.filter(pk__in=[job_id for _, _, job_id, _ in candidates]).only(
            "status", "started_at"
        )
    }
    for pk, status, job_id, attempts in candidates:
        job = jobs.get(job_id)
        if job is not None and job.status == TaskResultStatus.READY:
            continue  # waiting in the queue
        if (
            status != ImportRecord.Status.INDEXING  # set by a job holding the lock: the lock tells
            and job is not None
            and job.status == TaskResultStatus.RUNNING
            and job.started_at > timezone.now() - CLAIM_GRACE
        ):
            continue  # just claimed; its worker is about to lock the record
        with import_record_lock(pk, wait=False) as held:
            if held:
                changed += _recover(pk=pk, status=status, job=job, attempts=attempts)
    return changed


def _recover(*, pk: int, status: str, job: DBTaskResult | None, attempts: int) -> int:
    """One record whose job is neither queued nor alive (the caller holds the record's lock)."""
    current = ImportRecord.objects.filter(pk=pk).values_list("status", "job_id").first()
    if current is None or current[0] != status or (job is not None and current[1] != str(job.pk)):
        return 0  # it moved on meanwhile
    died = job is not None and job.status == TaskResultStatus.RUNNING
    if died:
        _job_died(job)
    if status == ImportRecord.Status.PENDING:
        if job is not None and not died:
            # The job ended (it failed to start, say) without taking the record: say so.
            return import_record_interrupted_fail(record_id=pk)
        logger.warning("import #%s: its job's worker died before starting it; enqueued again", pk)
        ImportRecord.objects.filter(pk=pk).update(job_id=str(record_import.enqueue(record_id=pk).id))
        return 1
    # Imported; its indexing died with its worker, or was never enqueued (the import job died
    # between its commit and the enqueue). Indexing twice is harmless.
    if status == ImportRecord.Status.INDEXING or died:
        attempts += 1
        ImportRecord.objects.filter(pk=pk).update(status=ImportRecord.Status.INDEX_PENDING, index_attempts=attempts)
    if attempts > len(settings.GONGBAO_INDEX_RETRY_SECONDS):
        ImportRecord.objects.filter(pk=pk).update(job_id="")  # left to index_check
        return 1
    logger.warning("import #%s: indexing interrupted; enqueued again", pk)
    record_index_enqueue(record_id=pk, attempt=attempts + 1)
    return 1


class WorkerDied(Exception):
    """Put on a job row left RUNNING by a worker that was killed."""


def _jobs_of_closed_imports_died() -> None:
    """Mark failed the job rows of the imports import_records_interrupted_close just closed."""
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, task_path=record_import.module_path)
    closed = set(
        ImportRecord.objects.filter(
            status=ImportRecord.Status.FAILED, job_id__in=[str(pk) for pk in running.values_list("pk", flat=True)]
        ).values_list("job_id", flat=True)
    )
    for job in running.filter(pk__in=closed):
        _job_died(job)


def _job_died(job: DBTaskResult) -> None:
    job.set_failed(WorkerDied("后台任务进程中途退出（被终止或崩溃），此任务未完成。"))
