"""Writes that touch several models: importing a gazette file, linking documents."""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from .citations import document_citations_update
from .hooks import documents_savers, search_index
from .importer import DocumentRecord, GazetteFileError, IssueRecord, parse_file, split_doc_number
from .models import Document, DocumentLink, Gazette, ImportRecord, Issue
from .validity import document_changes_save, validity_fields

logger = logging.getLogger(__name__)

# 贺州市人民政府公报 → 贺州市; 广西壮族自治区人民政府公报 → 广西壮族自治区
CITY_FROM_NAME = re.compile(r"^(.+?(?:自治区|自治州|省|市|州|县|区|盟|旗))(?:人民政府|政府|公报)")
# 《贺州市推进电子商务与快递物流协同发展实施方案》 inside a 关于印发…的通知 title
QUOTED_TITLE = re.compile(r"《([^《》]{4,120})》")
# 关于印发贺州市构建绿色金融体系实施方案的通知 → 贺州市构建绿色金融体系实施方案
PRINTED_TITLE = re.compile(r"(?:印发|转发|公布)(.{4,120}?)的通知$")
# First key of the session advisory lock a running import holds on its ImportRecord (pk is the
# second key); PostgreSQL drops it when the process dies, which tells a dead import from a live one.
RECORD_LOCK_NAMESPACE = 0x6762


class ImportFailed(Exception):
    """An import was refused; the message names the file and the problem. The upload is kept."""

    def __init__(self, message: str, record: ImportRecord):
        super().__init__(message)
        self.record = record


@dataclass
class ImportOutcome:
    record: ImportRecord
    issue: Issue | None = None
    created: list[Document] = field(default_factory=list)
    linked: list[Document] = field(default_factory=list)
    tasks: int = 0
    unchanged: bool = False
    messages: list[str] = field(default_factory=list)


def gazette_file_parse(
    *, file_name: str, data: bytes, gazette_name: str | None = None, year: int | None = None
) -> IssueRecord:
    """Read and parse an uploaded file without touching the database (the dry run).

    Any accepted format (text, Markdown, PDF, Word .docx, a saved web page), told by its
    bytes and then its name's extension. Raises GazetteFileError naming the file and the problem.
    """
    record = parse_file(data, name=file_name)
    if gazette_name:
        record.gazette = gazette_name
    if year and not record.year:
        record.year = year
    return record


def import_record_create(
    *,
    file_name: str,
    data: bytes,
    user: AbstractBaseUser | None = None,
    gazette_name: str | None = None,
    year: int | None = None,
    batch: uuid.UUID | None = None,
) -> ImportRecord:
    """Keep an upload as a pending ImportRecord with its bytes; it is imported by import_record_run."""
    return ImportRecord.objects.create(
        file_name=file_name[:255],
        data=data,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user,
        gazette_name=(gazette_name or "")[:200],
        year=year,
        batch=batch,
    )


def gazette_file_import(
    *,
    file_name: str,
    data: bytes,
    user: AbstractBaseUser | None = None,
    gazette_name: str | None = None,
    year: int | None = None,
    index: bool = True,
) -> ImportOutcome:
    """Keep the upload, parse it, save it in one transaction and index it, all in this process.

    The command line's import; the web enqueues jobs instead (gazette.tasks). The ImportRecord
    is committed first so the file and the outcome survive a failure. With index=False the
    record is marked imported without touching the search index (check_index --fix adds it).
    Raises ImportFailed when the file cannot be imported; nothing else is written then.
    """
    import_records_interrupted_close()
    with transaction.atomic():
        record = import_record_create(file_name=file_name, data=data, user=user, gazette_name=gazette_name, year=year)
        # Taken before the record is visible to others, so no one sees it pending and unlocked.
        _record_lock(record.pk)
    try:
        outcome = _import(record=record, data=data)
        if outcome.record.status == ImportRecord.Status.INDEX_PENDING:
            if index:
                _index_in_process(outcome)
            else:
                _record_indexed(record, status=ImportRecord.Status.IMPORTED, indexed=False)
        return outcome
    finally:
        _record_unlock(record.pk)


def import_record_run(*, record_id: int) -> ImportOutcome | None:
    """Import a kept upload that waits as a pending ImportRecord (a background job's work).

    Returns None when the record is no longer pending (another job did it, or it was closed).
    Raises ImportFailed when the file cannot be imported; the record then says why.
    """
    with import_record_lock(record_id):
        record = ImportRecord.objects.filter(pk=record_id, status=ImportRecord.Status.PENDING).first()
        if record is None:
            return None
        return _import(record=record, data=bytes(record.data))


def _import(*, record: ImportRecord, data: bytes) -> ImportOutcome:
    """Parse and save a kept upload in one transaction; the record ends index_pending, unchanged or failed.

    Each step is committed to the record before it starts, so a progress page can follow it.
    """
    file_name, sha = record.file_name, record.sha256
    outcome = ImportOutcome(record=record)
    try:
        _record_step(record, ImportRecord.Status.PARSING)
        parsed = gazette_file_parse(
            file_name=file_name, data=data, gazette_name=record.gazette_name or None, year=record.year
        )
        _record_step(record, ImportRecord.Status.SAVING)
        with transaction.atomic():
            _lock_file(sha)
            previous = ImportRecord.objects.imported().of_content(sha).exclude(pk=record.pk).first()
            if previous:
                outcome.unchanged = True
                outcome.messages.append(
                    f"{file_name}: 此文件已于 {timezone.localtime(previous.created_at):%Y-%m-%d %H:%M} 导入"
                    f"（导入记录 #{previous.pk}），未作任何更改。"
                )
                _record_finish(record, ImportRecord.Status.UNCHANGED, outcome.messages)
                return outcome
            issue_save(parsed=parsed, record=record, outcome=outcome)
            record.documents_created = len(outcome.created)
            record.documents_linked = len(outcome.linked)
            record.tasks_created = outcome.tasks
            status = ImportRecord.Status.INDEX_PENDING if outcome.created else ImportRecord.Status.IMPORTED
            _record_finish(record, status, parsed.warnings + outcome.messages)
    except GazetteFileError as exc:
        _record_fail(record, str(exc))
        raise ImportFailed(str(exc), record) from exc
    except IntegrityError as exc:
        message = f"{file_name}: 与已有数据冲突，未导入（{_integrity_reason(exc)}）"
        _record_fail(record, message)
        raise ImportFailed(message, record) from exc
    except Exception as exc:
        # A bug or an outage: the transaction rolled back; keep the upload and say why.
        _record_fail(record, f"{file_name}: 导入时出现内部错误（{type(exc).__name__}: {exc}），未写入任何数据")
        raise
    return outcome


def import_record_index(*, record_id: int) -> bool:
    """Index the documents a record's import created, then mark the record imported.

    Returns False when the record is not waiting for its index (already indexed, or never
    imported). Raises whatever writing the index raised; the record then stays index_pending
    (import_record_index_failed says why).
    """
    with import_record_lock(record_id):
        waiting = ImportRecord.objects.filter(
            pk=record_id, status__in=[ImportRecord.Status.INDEX_PENDING, ImportRecord.Status.INDEXING]
        )
        if not waiting.update(status=ImportRecord.Status.INDEXING):
            return False
        try:
            search_index().documents_index(
                document_ids=Document.objects.filter(issue__source=record_id).values_list("pk", flat=True)
            )
        except BaseException:
            ImportRecord.objects.filter(pk=record_id).update(status=ImportRecord.Status.INDEX_PENDING)
            raise
        record = ImportRecord.objects.without_data().get(pk=record_id)
        _record_indexed(record, status=ImportRecord.Status.IMPORTED, indexed=True)
        return True


def import_record_index_failed(*, record_id: int, error: BaseException, attempt: int, retry_at=None, job_id="") -> None:
    """Say on the record that indexing failed, and whether and when it is tried again."""
    reason = f"{type(error).__name__}: {error}"
    if retry_at:
        when = f"将于 {timezone.localtime(retry_at):%H:%M:%S} 重试"
    else:
        when = "不再自动重试；定期索引检查会补上这些文件"
    message = f"已导入，但检索索引更新失败（第 {attempt} 次，{reason}），{when}。检索暂时找不到这些文件。"
    logger.warning("indexing import #%s failed (attempt %s): %s", record_id, attempt, reason)
    ImportRecord.objects.filter(pk=record_id).update(
        status=ImportRecord.Status.INDEX_PENDING, error=message, index_attempts=attempt, job_id=job_id
    )


def import_records_index_settled(*, before) -> int:
    """Mark imported the records still waiting for their index that a full index check made before `before` covers.

    The check (check_index --fix) indexed every document in the database, theirs too.
    """
    waiting = ImportRecord.objects.filter(status=ImportRecord.Status.INDEX_PENDING, finished_at__lt=before)
    return waiting.update(
        status=ImportRecord.Status.IMPORTED,
        error="",
        indexed_at=timezone.now(),
        job_id="",
    )


def _index_in_process(outcome: ImportOutcome) -> None:
    """Index the new documents now; a failure leaves the import standing, index pending, and says so."""
    record = outcome.record
    try:
        _record_step(record, ImportRecord.Status.INDEXING)
        search_index().documents_index(document_ids=[doc.pk for doc in outcome.created])
    except Exception as exc:
        logger.exception("search index update failed after import #%s", record.pk)
        import_record_index_failed(record_id=record.pk, error=exc, attempt=1)
        record.refresh_from_db(fields=["status", "error", "index_attempts"])
        outcome.messages.append(record.error)
        return
    _record_indexed(record, status=ImportRecord.Status.IMPORTED, indexed=True)


def issue_save(*, parsed: IssueRecord, record: ImportRecord, outcome: ImportOutcome) -> None:
    """Save a parsed issue: its gazette, issue, new documents, tasks and links to known documents.

    Raises GazetteFileError if the gazette already has this issue from another file.
    """
    _lock_documents(parsed.documents)
    gazette = Gazette.objects.filter(name=parsed.gazette).first()
    if gazette and parsed.number is not None and gazette.issues.filter(year=parsed.year, number=parsed.number).exists():
        raise GazetteFileError(
            f"{record.file_name}: {gazette.name} {parsed.year}年第{parsed.number}期已存在（来自另一个文件），未导入"
        )
    to_create: list[DocumentRecord] = []
    known = _known_by_number(parsed.documents)
    for doc in parsed.documents:
        existing = _existing_document(doc, known)
        if existing:
            outcome.linked.append(existing)
            outcome.messages.append(f"《{doc.title}》已在知识库中（{existing.issue}），已关联，未重复导入。")
        else:
            to_create.append(doc)
    if not to_create:
        return
    gazette = gazette or _gazette_create(parsed)
    issue = Issue.objects.create(
        gazette=gazette,
        year=parsed.year,
        number=parsed.number,
        total_number=parsed.total_number,
        published=parsed.published,
        source=record,
    )
    outcome.issue = issue
    for order, doc in enumerate(to_create, start=1):
        document = Document.objects.create(issue=issue, order=order, **_document_fields(doc))
        outcome.created.append(document)
        outcome.tasks += len(doc.tasks)
    document_links_update(documents=outcome.created)
    document_citations_update(documents=outcome.created)
    # After the citations: a repealed document named by title is found among their keys.
    document_changes_save(documents=outcome.created, records=to_create)
    # The policies app saves their tasks (gazette.hooks), in this same transaction; last, since
    # filing their departments locks the registry until the commit (one import at a time).
    for save in documents_savers():
        save(city=gazette.city, documents=list(zip(outcome.created, to_create, strict=True)))


def document_links_update(*, documents: list[Document]) -> None:
    """Link new documents to documents already known: the attachment a standalone file is, and 文号 cited."""
    for document in documents:
        for attachment in document.attachments:
            for standalone in Document.objects.filter(title=attachment, doc_number="").exclude(pk=document.pk):
                DocumentLink.objects.get_or_create(
                    source=document, target=standalone, kind=DocumentLink.Kind.ATTACHMENT
                )


def _gazette_create(parsed: IssueRecord) -> Gazette:
    name = parsed.gazette
    city_match = CITY_FROM_NAME.match(name)
    gazette, _ = Gazette.objects.get_or_create(
        name=name,
        defaults={
            "kind": parsed.kind,
            "publisher": parsed.publisher or "",
            "city": city_match.group(1) if city_match else "",
        },
    )
    return gazette


def _known_by_number(documents: list[DocumentRecord]) -> dict[tuple[str, int, int], Document]:
    """The documents already in the knowledge base bearing these parsed documents' 文号, by its parts, in one query.

    Where several bear one 文号, the first in Document's order (as by_doc_number().first() gives).
    """
    numbers = [doc.doc_number for doc in documents if doc.doc_number and not doc.fragment]
    known: dict[tuple[str, int, int], Document] = {}
    if numbers:
        for document in Document.objects.with_doc_numbers(numbers).with_issue():
            known.setdefault((document.doc_code, document.doc_year, document.doc_seq), document)
    return known


def _existing_document(doc: DocumentRecord, known: dict[tuple[str, int, int], Document]) -> Document | None:
    """The document already in the knowledge base that this parsed document is, if any.

    known: _known_by_number of the import's documents.
    """
    if doc.fragment:
        return None
    if doc.doc_number:
        parts = split_doc_number(doc.doc_number)
        return known.get(parts) if parts else None
    if doc.source_url:
        return Document.objects.filter(source_url=doc.source_url, title=doc.title).with_issue().first()
    # A file holding one plan that was published as another document's attachment.
    candidates = (
        Document.objects.filter(
            Q(attachments__contains=[doc.title])
            | Q(title__contains=f"《{doc.title}》")
            | Q(title__contains=f"印发{doc.title}的通知")
        )
        if connection.vendor == "postgresql"
        else Document.objects.filter(
            Q(title__contains=f"《{doc.title}》") | Q(title__contains=f"印发{doc.title}的通知")
        )
    )
    return candidates.with_issue().first()


def _document_fields(doc: DocumentRecord) -> dict:
    parts = split_doc_number(doc.doc_number) if doc.doc_number else None
    return {
        "section": doc.section or "",
        "title": doc.title,
        "doc_number": doc.doc_number or "",
        "doc_code": parts[0] if parts else "",
        "doc_year": parts[1] if parts else None,
        "doc_seq": parts[2] if parts else None,
        "issuer": doc.issuer or "",
        "date": doc.date,
        "page": doc.page,
        "recipients": doc.recipients or "",
        "signature": doc.signature or "",
        "attachments": list(doc.attachments),
        "region": doc.region or "",
        "source_url": doc.source_url or "",
        "is_fragment": doc.fragment,
        "blocks": [{"kind": b.kind, "text": b.text, "level": b.level, "rows": b.rows} for b in doc.blocks],
        "body": doc.body,
        **validity_fields(doc),
    }


def _lock_documents(documents: list[DocumentRecord]) -> None:
    """Serialise imports that bring the same document (its 文号, or its address), so the second
    links to the first's instead of both creating it; the locks are taken in one order, so two
    imports never wait for each other."""
    if connection.vendor != "postgresql":
        return
    keys = set()
    for doc in documents:
        parts = split_doc_number(doc.doc_number) if doc.doc_number and not doc.fragment else None
        if parts:
            keys.add(_lock_key("文号", *parts))
        elif doc.source_url and not doc.fragment:
            keys.add(_lock_key("url", doc.source_url, doc.title))
    with connection.cursor() as cursor:
        for key in sorted(keys):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _lock_key(*parts) -> int:
    """A signed 64-bit advisory lock key for these values."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _lock_file(sha: str) -> None:
    """Serialise imports of the same file content: the second waits, then sees the first's result."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(sha[:15], 16)])


def import_records_interrupted_close() -> int:
    """Mark as failed every import whose process is gone (killed or crashed while parsing or saving).

    Its transaction was rolled back with its connection, so nothing of it is in the database;
    the record would otherwise show 解析中/保存中 for ever. A record waiting for a background
    job is not touched here (gazette.tasks.import_jobs_recover looks after those), nor one
    whose process is alive: that process holds the record's advisory lock.
    Returns how many records were closed. Does nothing on databases without advisory locks (SQLite).
    """
    if connection.vendor != "postgresql":
        return 0
    started = Q(status__in=[ImportRecord.Status.PARSING, ImportRecord.Status.SAVING])
    # A command-line import is pending, without a job, only between its record and parsing.
    unowned = Q(status=ImportRecord.Status.PENDING, job_id="")
    closed = 0
    for pk in ImportRecord.objects.filter(started | unowned).values_list("pk", flat=True):
        with import_record_lock(pk, wait=False) as held:
            if held:
                closed += import_record_interrupted_fail(record_id=pk, still=started | unowned)
    return closed


def import_record_interrupted_fail(*, record_id: int, still: Q | None = None) -> int:
    """Close a record whose import process died as failed, with the reason; returns 1 if it was closed."""
    records = ImportRecord.objects.filter(pk=record_id)
    if still is not None:
        records = records.filter(still)
    record = records.only("file_name").first()
    if record is None:
        return 0
    return records.update(
        status=ImportRecord.Status.FAILED,
        error=f"{record.file_name}: 导入未完成（导入进程中途退出），未写入任何数据；可重新导入此文件。",
        finished_at=timezone.now(),
    )


@contextmanager
def import_record_lock(record_id: int, *, wait: bool = True) -> Iterator[bool]:
    """Hold the session advisory lock that says a process is working on this record.

    PostgreSQL drops it when the process dies, which tells a dead import from a live one. With
    wait=False, yields False at once if another process holds it. Yields True on SQLite.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [RECORD_LOCK_NAMESPACE, record_id])
        else:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [RECORD_LOCK_NAMESPACE, record_id])
            if not cursor.fetchone()[0]:
                yield False
                return
    try:
        yield True
    finally:
        _record_unlock(record_id)


def _record_lock(pk: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [RECORD_LOCK_NAMESPACE, pk])


def _record_unlock(pk: int) -> None:
    if connection.vendor != "postgresql":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RECORD_LOCK_NAMESPACE, pk])
    except DatabaseError:
        # The connection is gone (an outage); the lock went with it.
        logger.warning("could not release the lock of import #%s", pk, exc_info=True)


def _record_step(record: ImportRecord, status: str) -> None:
    """Commit the step an import is at, outside its transaction, for the progress page."""
    record.status = status
    ImportRecord.objects.filter(pk=record.pk).update(status=status)


def _record_finish(record: ImportRecord, status: str, messages: list[str]) -> None:
    record.status = status
    record.messages = list(messages)
    record.finished_at = timezone.now()
    record.save(
        update_fields=[
            "status",
            "messages",
            "finished_at",
            "documents_created",
            "documents_linked",
            "tasks_created",
        ]
    )


def _record_indexed(record: ImportRecord, *, status: str, indexed: bool) -> None:
    record.status = status
    record.error = ""
    record.indexed_at = timezone.now() if indexed else None
    ImportRecord.objects.filter(pk=record.pk).update(status=status, error="", indexed_at=record.indexed_at)


def _record_fail(record: ImportRecord, message: str) -> None:
    logger.warning("import failed: %s", message)
    ImportRecord.objects.filter(pk=record.pk).update(
        status=ImportRecord.Status.FAILED, error=message, finished_at=timezone.now()
    )
    record.refresh_from_db(fields=["status", "error", "finished_at"])


def _integrity_reason(exc: IntegrityError) -> str:
    text = str(exc)
    if "import_unique_imported_file" in text:
        return "同一文件正被另一次导入处理"
    if "issue_unique_number_per_year" in text:
        return "该期已存在"
    return text.splitlines()[0][:200]
