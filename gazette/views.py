from __future__ import annotations

import logging
import uuid

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from .body_parts import BodyParts
from .citations import CitationIndex, Reader
from .forms import ImportConfirmForm, ImportUploadForm
from .models import Document, DocumentChanges, DocumentLink, Gazette, ImportRecord, Issue
from .tasks import import_jobs_recover, import_record_enqueue
from .uploads import file_preview, pending_discard, pending_gone_message, pending_offer, pending_read, pending_take

logger = logging.getLogger(__name__)


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
        # Read as the import read it, so each citation links the document its stored link names.
        context["citations"] = CitationIndex(cited, reader=Reader.of(document))
        context["cites"] = cited
        context["related"] = [link for link in links_out if link.kind != DocumentLink.Kind.CITES]
        context["cited_by"] = [link.source for link in document.links_in.all() if link.kind == DocumentLink.Kind.CITES]
        context["linked_from"] = [link for link in document.links_in.all() if link.kind != DocumentLink.Kind.CITES]
        parts = BodyParts.of(document.blocks or [], part=self.request.GET.get("part"))
        context["body_parts"] = parts
        context["blocks"] = document.body_blocks_in(parts.shown)
        context["previous_document"] = document.get_previous_in_issue()
        context["next_document"] = document.get_next_in_issue()
        context["changes"] = DocumentChanges.of(document)
        return context


class IssuerDetailView(ListView):
    """Every document a 发文机关 issued, newest first and grouped by year, with its validity (?year= for one year)."""

    paginate_by = 100
    template_name = "gazette/issuer_detail.html"
    context_object_name = "documents"

    def get_year(self) -> int | None:
        value = self.request.GET.get("year", "")
        return int(value) if value.isascii() and value.isdigit() else None

    def get_queryset(self):
        documents = Document.objects.issued_by(self.kwargs["name"]).exclude(is_fragment=True)
        return documents.in_year(self.get_year()).with_issue().defer("blocks", "body").newest_first()

    def get(self, request, *args, **kwargs):
        if not Document.objects.issued_by(kwargs["name"]).exists():
            raise Http404("知识库中没有这个发文机关的文件。")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        issued = Document.objects.issued_by(self.kwargs["name"]).exclude(is_fragment=True)
        context["issuer"] = self.kwargs["name"]
        context["year"] = self.get_year()
        context["years"] = issued.year_counts()
        context["validity_counts"] = issued.in_year(self.get_year()).validity_counts()
        return context


# Import: upload → dry run → confirm → progress while the worker imports and indexes.


class ImportView(PermissionRequiredMixin, View):
    """Upload gazette files, see the dry run, then confirm to have them imported in the background."""

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
        files = form.cleaned_data["files"]
        previews = [
            file_preview(name=name, data=data, gazette_name=gazette_name, year=year, user=request.user)
            for name, data in files
        ]
        context = {"form": form, "previews": previews}
        # Only files that would change the knowledge base are offered for confirmation.
        parsed = [(name, data) for (name, data), preview in zip(files, previews, strict=True) if preview.will_import]
        if parsed:
            token = pending_offer(request.session, files=parsed, gazette_name=gazette_name, year=year)
            context["confirm_form"] = ImportConfirmForm(initial={"token": token})
        return render(request, "gazette/import_preview.html", context)

    def confirm(self, request):
        form = ImportConfirmForm(request.POST)
        pending = pending_take(request.session, form.cleaned_data["token"]) if form.is_valid() else None
        if pending is None:
            context = {"form": ImportUploadForm(), "error": "此次预览已失效或已导入，请重新上传文件。"}
            return render(request, self.template_name, context, status=400)
        batch = uuid.uuid4()
        refused = []
        for file in pending.files:
            data = pending_read(file.sha256)
            if data is None:
                refused.append(pending_gone_message(file))
                continue
            import_record_enqueue(
                file_name=file.name,
                data=data,
                user=request.user,
                gazette_name=pending.gazette_name,
                year=pending.year,
                batch=batch,
            )
            pending_discard(file.sha256)
        if len(refused) == len(pending.files):
            context = {"form": ImportUploadForm(), "error": " ".join(refused)}
            return render(request, self.template_name, context, status=409)
        for message in refused:
            messages.warning(request, message)
        return redirect("gazette:import-progress", batch=batch)


class ImportProgressView(PermissionRequiredMixin, ListView):
    """The files of one upload as the worker takes them: waiting, parsing, saving, indexing, done or failed.

    Works without JavaScript (a refresh link); static/js/import-progress.js updates it in place
    from ImportProgressStatusView.
    """

    permission_required = "gazette.add_issue"
    raise_exception = True
    template_name = "gazette/import_progress.html"
    context_object_name = "records"

    def get_queryset(self):
        records = ImportRecord.objects.without_data().in_batch(self.kwargs["batch"])
        import_jobs_recover(records=records)
        documents = Document.objects.only("pk", "issue_id", "order", "title", "doc_number").order_by("order")
        return records.select_related("uploaded_by", "issue__gazette").prefetch_related(
            Prefetch("issue__documents", queryset=documents, to_attr="created")
        )

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if not self.object_list:
            raise Http404("没有这次上传。")
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["batch"] = self.kwargs["batch"]
        context["summary"] = progress_summary(self.object_list)
        return context


class ImportProgressStatusView(ImportProgressView):
    """The progress page's rows as JSON, for its script to poll."""

    def render_to_response(self, context, **response_kwargs):
        records = context["records"]
        return JsonResponse(
            {
                "finished": context["summary"]["finished"],
                "summary": context["summary"]["text"],
                "records": [record_progress_json(record) for record in records],
            },
            json_dumps_params={"ensure_ascii": False},
        )


def progress_summary(records) -> dict:
    """How far an upload has got, in one sentence, and whether nothing more will happen to it."""
    records = list(records)
    settled = [record for record in records if record.is_settled]
    failed = [record for record in records if record.status == ImportRecord.Status.FAILED]
    working = len(records) - len(settled)
    text = f"共 {len(records)} 个文件：已完成 {len(settled) - len(failed)} 个，处理中 {working} 个，失败 {len(failed)} 个。"
    return {"finished": not working, "text": text}


def record_progress_json(record: ImportRecord) -> dict:
    issue = getattr(record, "issue", None)
    return {
        "id": record.pk,
        "status": record.status,
        "status_label": record.get_status_display(),
        "step": record.step,
        "settled": record.is_settled,
        "documents_created": record.documents_created,
        "documents_linked": record.documents_linked,
        "tasks_created": record.tasks_created,
        "error": record.error,
        "messages": record.messages,
        "issue": {"url": issue.get_absolute_url(), "label": f"{issue.gazette.name} {issue.label}"} if issue else None,
        "documents": [
            {"url": doc.get_absolute_url(), "title": doc.title, "doc_number": doc.doc_number}
            for doc in (issue.created if issue else [])
        ],
    }


class ImportRecordListView(PermissionRequiredMixin, ListView):
    """Every upload: who, when, status, counts and errors (the bytes are never loaded)."""

    permission_required = "gazette.add_issue"
    raise_exception = True
    paginate_by = 50
    template_name = "gazette/importrecord_list.html"

    def get(self, request, *args, **kwargs):
        # An import whose worker was killed would otherwise show 解析中 for ever.
        import_jobs_recover()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return (
            ImportRecord.objects.without_data().select_related("uploaded_by", "issue__gazette").order_by("-created_at")
        )
