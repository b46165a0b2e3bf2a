from __future__ import annotations

import hashlib
import logging
import os
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from policies.models import Department, Task, task_rows

from .body_parts import BodyParts
from .citations import CitationIndex
from .forms import ImportConfirmForm, ImportUploadForm
from .importer import DocumentRecord, GazetteFileError, IssueRecord, split_doc_number
from .models import Document, DocumentLink, Gazette, ImportRecord, Issue
from .services import (
    ImportFailed,
    ImportOutcome,
    gazette_file_import,
    gazette_file_parse,
    import_records_interrupted_close,
)

logger = logging.getLogger(__name__)

SESSION_KEY = "gazette_import_pending"
# Uploads waiting for confirmation are dropped after this long.
PENDING_MAX_AGE_SECONDS = 24 * 3600


class HomeView(TemplateView):
    template_name = "gazette/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # with_counts() would join and count every issue's documents before the window keeps
        # the newest three of each gazette (30 ms at 10,000 documents); a subquery counts
        # only those of the issues shown.
        documents = Document.objects.filter(issue=OuterRef("pk")).order_by().values("issue").annotate(n=Count("pk"))
        context["latest_issues"] = Issue.objects.latest_per_gazette(3).annotate(
            document_count=Coalesce(Subquery(documents.values("n")), 0)
        )
        context["counts"] = {
            "gazettes": Gazette.objects.count(),
            "issues": Issue.objects.count(),
            "documents": Document.objects.filter(is_fragment=False).count(),
            "tasks": Task.objects.count(),
            "departments": Department.objects.count(),
        }
        context["recent_issues"] = Issue.objects.select_related("gazette").order_by("-created_at")[:5]
        if self.request.user.has_perm("gazette.add_issue"):
            context["recent_imports"] = (
                ImportRecord.objects.defer("data").select_related("uploaded_by").order_by("-created_at")[:5]
            )
        return context


class GazetteListView(ListView):
    paginate_by = 50

    def get_queryset(self):
        return Gazette.objects.with_counts().order_by("name")


class GazetteDetailView(SingleObjectMixin, ListView):
    """A gazette and its issues, newest first, filtered by year (?year=)."""

    paginate_by = 60
    template_name = "gazette/gazette_detail.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object(queryset=Gazette.objects.all())
        return super().get(request, *args, **kwargs)

    def get_year(self) -> int | None:
        value = self.request.GET.get("year", "")
        # isdigit() alone accepts ² and ٣, which int() refuses.
        return int(value) if value.isascii() and value.isdigit() else None

    def get_queryset(self):
        return Issue.objects.in_gazette(self.object).in_year(self.get_year()).with_counts().latest_first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(gazette=self.object, **kwargs)
        context["years"] = Issue.objects.in_gazette(self.object).years()
        context["year"] = self.get_year()
        return context


class IssueDetailView(DetailView):
    """Cover facts and the table of contents, grouped by section (or region for compilations)."""

    def get_queryset(self):
        return Issue.objects.select_related("gazette").prefetch_related(
            # Prefetching from the issue caches document.issue, so toc_group costs no query.
            Prefetch("documents", queryset=Document.objects.for_toc(), to_attr="toc")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        issue = self.object
        context["previous_issue"] = issue.get_previous_in_gazette()
        context["next_issue"] = issue.get_next_in_gazette()
        context["task_total"] = sum(doc.task_count for doc in issue.toc)
        return context


class DocumentDetailView(DetailView):
    """A document's body with anchors, its tasks, citations both ways, and its neighbours."""

    def get_queryset(self):
        return Document.objects.with_issue().with_links()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.object
        links_out = list(document.links_out.all())
        cited = [link.target for link in links_out if link.kind == DocumentLink.Kind.CITES]
        context["citations"] = CitationIndex(cited)
        context["cites"] = cited
        context["related"] = [link for link in links_out if link.kind != DocumentLink.Kind.CITES]
        context["cited_by"] = [link.source for link in document.links_in.all() if link.kind == DocumentLink.Kind.CITES]
        context["linked_from"] = [link for link in document.links_in.all() if link.kind != DocumentLink.Kind.CITES]
        parts = BodyParts.of(document.blocks or [], part=self.request.GET.get("part"))
        context["body_parts"] = parts
        context["blocks"] = document.body_blocks_in(parts.shown)
        context["task_rows"] = task_rows(document.tasks.order_by("order"))
        context["previous_document"] = document.get_previous_in_issue()
        context["next_document"] = document.get_next_in_issue()
        return context


# Import: upload → dry run → confirm → outcome.


@dataclass
class DocumentPreview:
    record: DocumentRecord
    existing: Document | None = None


@dataclass
class FilePreview:
    """What a dry run of one file found, and what the knowledge base already holds of it."""

    name: str
    size: int
    sha256: str
    parsed: IssueRecord | None = None
    error: str = ""
    imported_before: ImportRecord | None = None
    existing_issue: Issue | None = None
    documents: list[DocumentPreview] = field(default_factory=list)

    @property
    def task_count(self) -> int:
        return sum(len(doc.record.tasks) for doc in self.documents)

    @property
    def new_document_count(self) -> int:
        return sum(1 for doc in self.documents if doc.existing is None)


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


def file_preview(*, name: str, data: bytes, gazette_name: str | None, year: int | None) -> FilePreview:
    """Dry-run one file and look up what of it the database already holds."""
    preview = FilePreview(name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest())
    preview.imported_before = (
        ImportRecord.objects.defer("data")
        .filter(sha256=preview.sha256, status=ImportRecord.Status.IMPORTED)
        .select_related("uploaded_by")
        .first()
    )
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


class ImportView(PermissionRequiredMixin, View):
    """Upload gazette files, see the dry run, then confirm to import them."""

    permission_required = "gazette.add_issue"
    raise_exception = True
    template_name = "gazette/import.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ImportUploadForm()})

    def post(self, request):
        if "token" in request.POST:
            return self.confirm(request)
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        gazette_name = form.cleaned_data["gazette_name"].strip()
        year = form.cleaned_data["year"]
        previews = []
        pending = []
        for name, data in form.cleaned_data["files"]:
            preview = file_preview(name=name, data=data, gazette_name=gazette_name, year=year)
            previews.append(preview)
            if not preview.error:
                pending.append({"name": name, "sha256": pending_store(data)})
        context = {"form": form, "previews": previews}
        if pending:
            token = secrets.token_urlsafe(24)
            store = request.session.get(SESSION_KEY, {})
            # Keep a few dry runs per user at most; the oldest go first.
            while len(store) >= 5:
                store.pop(next(iter(store)))
            store[token] = {"files": pending, "gazette_name": gazette_name, "year": year}
            request.session[SESSION_KEY] = store
            context["confirm_form"] = ImportConfirmForm(initial={"token": token})
        return render(request, "gazette/import_preview.html", context)

    def confirm(self, request):
        form = ImportConfirmForm(request.POST)
        store = request.session.get(SESSION_KEY, {})
        pending = store.pop(form.data.get("token", ""), None) if form.is_valid() else None
        if pending is None:
            context = {"form": ImportUploadForm(), "error": "此次预览已失效或已导入，请重新上传文件。"}
            return render(request, self.template_name, context, status=400)
        request.session[SESSION_KEY] = store
        results = []
        for item in pending["files"]:
            results.append(self.import_one(request, item, pending))
        return render(request, "gazette/import_result.html", {"results": results})

    def import_one(self, request, item: dict, pending: dict) -> dict:
        name, sha = item["name"], item["sha256"]
        data = pending_read(sha)
        if data is None:
            return {"name": name, "error": "预览后文件已不在服务器上（可能已被导入或清理），请重新上传。"}
        try:
            outcome: ImportOutcome = gazette_file_import(
                file_name=name,
                data=data,
                user=request.user,
                gazette_name=pending["gazette_name"] or None,
                year=pending["year"],
            )
        except ImportFailed as exc:
            return {"name": name, "error": str(exc), "record": exc.record}
        except Exception:
            logger.exception("import of %s failed", name)
            return {
                "name": name,
                "error": f"{name}：导入时出现内部错误，未写入任何数据；上传的文件已保存在导入记录中。",
            }
        finally:
            pending_discard(sha)
        return {"name": name, "outcome": outcome, "record": outcome.record}


class ImportRecordListView(PermissionRequiredMixin, ListView):
    """Every upload: who, when, status, counts and errors (the bytes are never loaded)."""

    permission_required = "gazette.add_issue"
    raise_exception = True
    paginate_by = 50
    template_name = "gazette/importrecord_list.html"

    def get(self, request, *args, **kwargs):
        # An import whose process was killed would otherwise show 处理中 for ever.
        import_records_interrupted_close()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return (
            ImportRecord.objects.defer("data").select_related("uploaded_by", "issue__gazette").order_by("-created_at")
        )
