"""Uploaded gazette files before they are imported: their size limits, their bytes kept
between the dry run and the confirmation, and the dry run itself with one verdict per file
(new, already imported, all linked to known documents, or refused with the reason).

An upload's bytes wait in GONGBAO_UPLOAD_DIR under their sha256 (never a name a user chose)
until the upload is confirmed or a day old; the session remembers which files each dry run
offered, under a token the confirmation form sends back. UploadLimitMiddleware refuses a
request body too large for its sender before anything reads it.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from django.conf import global_settings, settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from .forms import UNACCEPTED_TYPE, ImportUploadForm
from .importer import ACCEPTED_SUFFIXES, DocumentRecord, GazetteFileError, IssueRecord, split_doc_number
from .models import Document, ImportRecord, Issue
from .services import gazette_file_parse

SESSION_KEY = "gazette_import_pending"
# Dry runs a session may have waiting for confirmation; the oldest go first.
PENDING_PER_SESSION = 5
# Uploads waiting for confirmation are dropped after this long.
PENDING_MAX_AGE_SECONDS = 24 * 3600
# Room in a request for the multipart boundaries and the form's other fields beside the files.
MULTIPART_OVERHEAD_BYTES = 256 * 1024


# Limits.


def request_body_limit(request: HttpRequest) -> int:
    """The largest request body this request's sender may send.

    Someone who may import may send a whole upload (GONGBAO_MAX_UPLOAD_BYTES) to the import
    page; every other request, a signed-in reader's or an anonymous one, Django's default for
    form data (2.5 MB), which is far more than any other form here needs.
    """
    if request.path == reverse("gazette:import") and request.user.has_perm("gazette.add_issue"):
        return settings.GONGBAO_MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES
    return global_settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # Django then reads no body at all


class UploadLimitMiddleware:
    """Refuse a request whose Content-Length is over its sender's limit, without reading the body.

    Must come after AuthenticationMiddleware (it asks who sends the request). It runs before
    any view middleware, so before CsrfViewMiddleware reads a POST body: a visitor who is not
    signed in, or may not import, cannot make the server read or store a large body.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _content_length(request)
        # Cheap test first: most requests are far below every limit and need no user lookup.
        if length > global_settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            limit = request_body_limit(request)
            if length > limit:
                return self.refuse(request, length)
        return self.get_response(request)

    def refuse(self, request: HttpRequest, length: int) -> HttpResponse:
        if request.path == reverse("gazette:import") and request.user.has_perm("gazette.add_issue"):
            error = (
                f"本次上传共 {filesizeformat(length)}，超过每次上传的上限 "
                f"{filesizeformat(settings.GONGBAO_MAX_UPLOAD_BYTES)}（每个文件不超过 "
                f"{filesizeformat(settings.GONGBAO_MAX_FILE_BYTES)}）；请分批上传。"
            )
            response = render(request, "gazette/import.html", {"form": ImportUploadForm(), "error": error}, status=413)
        else:
            response = HttpResponse(
                f"请求内容过大（{filesizeformat(length)}），未予处理。",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return response


# Kept bytes.


def upload_dir() -> Path:
    return Path(getattr(settings, "GONGBAO_UPLOAD_DIR", settings.BASE_DIR / "var" / "uploads"))


def pending_store(data: bytes) -> str:
    """Keep uploaded bytes until confirmation, in a file named by their sha256 (never by the user)."""
    sha = hashlib.sha256(data).hexdigest()
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    _pending_prune(directory)
    target = directory / sha
    if not target.exists():
        fd, temp = tempfile.mkstemp(dir=directory, prefix=".upload-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, target)
    return sha


def pending_read(sha: str) -> bytes | None:
    """The kept bytes with this sha256, or None if they are gone or altered."""
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        return None
    path = upload_dir() / sha
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return data if hashlib.sha256(data).hexdigest() == sha else None


def pending_discard(sha: str) -> None:
    if pending_read(sha) is not None:
        (upload_dir() / sha).unlink(missing_ok=True)


def _pending_prune(directory: Path) -> None:
    cutoff = time.time() - PENDING_MAX_AGE_SECONDS
    for path in directory.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue


# What a session's dry runs offered.


@dataclass
class PendingFile:
    name: str
    sha256: str


@dataclass
class PendingUpload:
    """The files of one dry run, waiting for the user who saw it to confirm."""

    files: list[PendingFile]
    gazette_name: str
    year: int | None


def pending_offer(session: SessionBase, *, files: list[tuple[str, bytes]], gazette_name: str, year: int | None) -> str:
    """Keep these files for confirmation by this session; returns the token the confirmation sends."""
    token = secrets.token_urlsafe(24)
    store = session.get(SESSION_KEY, {})
    while len(store) >= PENDING_PER_SESSION:
        store.pop(next(iter(store)))
    store[token] = {
        "files": [{"name": name, "sha256": pending_store(data)} for name, data in files],
        "gazette_name": gazette_name,
        "year": year,
    }
    session[SESSION_KEY] = store
    return token


def pending_take(session: SessionBase, token: str) -> PendingUpload | None:
    """The dry run this session was offered under this token, forgotten as it is taken; None if there is none."""
    store = session.get(SESSION_KEY, {})
    item = store.pop(token, None)
    if item is None:
        return None
    session[SESSION_KEY] = store
    return PendingUpload(
        files=[PendingFile(name=f["name"], sha256=f["sha256"]) for f in item["files"]],
        gazette_name=item["gazette_name"],
        year=item["year"],
    )


def pending_gone_message(file: PendingFile) -> str:
    """Why a confirmed file's bytes are no longer here: someone imported it meanwhile, or they expired."""
    record = (
        ImportRecord.objects.without_data()
        .of_content(file.sha256)
        .exclude(status=ImportRecord.Status.FAILED)
        .select_related("uploaded_by")
        .order_by("-created_at")
        .first()
    )
    if record is None:
        return f"{file.name}：预览后文件已不在服务器上（超过一天未确认已被清理），请重新上传。"
    who = record.uploaded_by.get_username() if record.uploaded_by else "命令行导入"
    when = f"{timezone.localtime(record.created_at):%Y-%m-%d %H:%M}"
    if record.status in ImportRecord.IMPORTED_STATUSES or record.status == ImportRecord.Status.UNCHANGED:
        return f"{file.name}：此文件已由 {who} 于 {when} 导入（导入记录 #{record.pk}），无需重复导入。"
    return f"{file.name}：此文件已由 {who} 于 {when} 提交导入，正在处理（导入记录 #{record.pk}），无需重复导入。"


# The dry run.


@dataclass
class DocumentPreview:
    record: DocumentRecord
    existing: Document | None = None


# The one verdict a dry run gives each file.
NEW = "new"
IMPORTED_BEFORE = "imported_before"
LINKED = "linked"
REFUSED = "refused"


@dataclass
class FilePreview:
    """What a dry run of one file found, what the knowledge base already holds of it, and its verdict."""

    name: str
    size: int
    sha256: str
    parsed: IssueRecord | None = None
    error: str = ""
    imported_before: ImportRecord | None = None
    existing_issue: Issue | None = None
    documents: list[DocumentPreview] = field(default_factory=list)
    # The ImportRecord that keeps an upload nothing will be imported from (refused, or no change).
    record: ImportRecord | None = None

    @property
    def task_count(self) -> int:
        return sum(len(doc.record.tasks) for doc in self.documents)

    @property
    def new_document_count(self) -> int:
        return sum(1 for doc in self.documents if doc.existing is None)

    @property
    def linked_document_count(self) -> int:
        return len(self.documents) - self.new_document_count

    @property
    def verdict(self) -> str:
        """new, imported_before, linked (every document already known) or refused."""
        if self.error:
            return REFUSED
        if self.imported_before:
            return IMPORTED_BEFORE
        if self.existing_issue:
            return REFUSED
        if not self.new_document_count:
            return LINKED
        return NEW

    @property
    def will_import(self) -> bool:
        """True when confirming would change the knowledge base: the file has documents it lacks."""
        return self.verdict == NEW

    @property
    def reason(self) -> str:
        """Why nothing will be imported from this file, in one sentence for its upload record; '' for a new file."""
        if self.error:
            return f"不能导入：{self.error}"
        if self.imported_before:
            record = self.imported_before
            when = f"{timezone.localtime(record.created_at):%Y-%m-%d %H:%M}"
            return f"{self.name}: 此文件已于 {when} 导入（导入记录 #{record.pk}），不会再次导入，未作任何更改。"
        if self.existing_issue:
            issue = self.existing_issue
            return f"{self.name}: 不能导入：知识库中已有 {issue.gazette.name} {issue.label}（来自另一个文件）。"
        if not self.new_document_count:
            return f"{self.name}: 文件中的 {len(self.documents)} 篇文件均已在知识库中，不会新建任何文件，未作任何更改。"
        return ""


def file_preview(*, name: str, data: bytes, gazette_name: str | None, year: int | None, user=None) -> FilePreview:
    """Dry-run one file and look up what of it the database already holds.

    An upload nothing would be imported from (refused, or already all in the knowledge base)
    is kept at once as an ImportRecord saying why, so every upload shows in the history.
    """
    preview = _file_preview(name=name, data=data, gazette_name=gazette_name, year=year)
    if not preview.will_import:
        preview.record = upload_record_settle(
            preview=preview, data=data, user=user, gazette_name=gazette_name, year=year
        )
    return preview


def upload_record_settle(
    *, preview: FilePreview, data: bytes, user, gazette_name: str | None, year: int | None
) -> ImportRecord:
    """Keep an upload that will not be imported as a finished ImportRecord: failed with its reason, or unchanged."""
    refused = preview.verdict == REFUSED
    return ImportRecord.objects.create(
        file_name=preview.name[:255],
        data=data,
        size=len(data),
        sha256=preview.sha256,
        uploaded_by=user if user is not None and user.is_authenticated else None,
        gazette_name=(gazette_name or "")[:200],
        year=year,
        status=ImportRecord.Status.FAILED if refused else ImportRecord.Status.UNCHANGED,
        error=preview.reason if refused else "",
        messages=[] if refused else [preview.reason],
        finished_at=timezone.now(),
    )


def _file_preview(*, name: str, data: bytes, gazette_name: str | None, year: int | None) -> FilePreview:
    preview = FilePreview(name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest())
    preview.imported_before = (
        ImportRecord.objects.without_data().imported().of_content(preview.sha256).select_related("uploaded_by").first()
    )
    if not PurePath(name).name.lower().endswith(ACCEPTED_SUFFIXES):
        preview.error = f"{name}: {UNACCEPTED_TYPE}"
        return preview
    try:
        parsed = gazette_file_parse(file_name=name, data=data, gazette_name=gazette_name or None, year=year)
    except GazetteFileError as exc:
        preview.error = str(exc)
        return preview
    preview.parsed = parsed
    if parsed.number is not None:
        preview.existing_issue = (
            Issue.objects.select_related("gazette")
            .filter(gazette__name=parsed.gazette, year=parsed.year, number=parsed.number)
            .first()
        )
    numbers = [doc.doc_number for doc in parsed.documents if doc.doc_number]
    known = {
        (d.doc_code, d.doc_year, d.doc_seq): d
        for d in Document.objects.with_doc_numbers(numbers).with_issue().defer("blocks", "body")
    }
    for doc in parsed.documents:
        parts = split_doc_number(doc.doc_number) if doc.doc_number else None
        preview.documents.append(DocumentPreview(record=doc, existing=known.get(parts) if parts else None))
    return preview
