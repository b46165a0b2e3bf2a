from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import DetailView, FormView, ListView, TemplateView
from django.views.generic.detail import SingleObjectMixin
from django.views.generic.edit import FormMixin

from gazette.models import Document

from .exports import rows_csv, task_export_rows, tasks_xlsx
from .feeds import DepartmentTasksFeed, department_calendar
from .forms import DepartmentAcceptForm, DepartmentFilterForm, DepartmentMergeForm, TaskFilterForm, TaskProgressForm
from .models import Department, FeedToken, Task, TaskAssignment, task_follow_ups, task_rows
from .review import review_entries
from .services import (
    department_accept,
    department_merge,
    feed_token_create,
    feed_token_open,
    feed_token_revoke,
    task_progress_record,
)

# Who sees the unplaced bodies and the review queue, and may merge or accept bodies.
REVIEW_PERMISSION = "policies.change_department"
# Who records progress on tasks.
PROGRESS_PERMISSION = "policies.add_taskprogress"
# Documents a body issued, listed on its page (the newest; the count says how many in all).
ISSUED_SHOWN = 20
EXPORT_FORMATS = ("csv", "xlsx")
# A department page lists this many tasks or more by their ids first (DepartmentDetailView.paginate_queryset).
IDS_FIRST_TASKS = 10_000


class DepartmentListView(ListView):
    """The registry: bodies by city (then provinces, national bodies), by level, in pinyin order,
    with how many tasks each leads and supports; admins also see the unplaced and the queue size."""

    paginate_by = 200

    def get_queryset(self):
        self.form = DepartmentFilterForm(self.request.GET or None)
        departments = self.form.filter(Department.objects.with_task_counts().in_registry_order())
        if not self.request.user.has_perm(REVIEW_PERMISSION):
            departments = departments.placed()
        return departments

    def get_context_data(self, **kwargs):
        context = super().get_context_data(form=self.form, **kwargs)
        if self.request.user.has_perm(REVIEW_PERMISSION):
            context["review_count"] = Department.objects.in_review().count()
        return context


class DepartmentDetailView(SingleObjectMixin, ListView):
    """A department's follow-up: its tasks as lead and support across all gazettes, filtered by text,
    due date, status, gazette, year and role, grouped by source document or sorted by due date, with
    each task's latest progress; ?format=csv or xlsx exports the filtered list."""

    paginate_by = 50
    template_name = "policies/department_detail.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object(queryset=Department.objects.all())
        self.today = timezone.localdate()
        self.counts = TaskAssignment.objects.filter(department=self.object).follow_up_counts(self.today)
        self.form = TaskFilterForm(
            request.GET or None, department=self.object, today=self.today, **years_between(self.counts)
        )
        if request.GET.get("format") in EXPORT_FORMATS:
            return self.render_export(request.GET["format"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        tasks = Task.objects.for_department(self.object, self.form.chosen_role or None).with_progress(self.object)
        tasks = self.form.filter(tasks).with_document_summary()
        return tasks.by_due_date() if self.form.by_due_date else tasks.in_reading_order()

    def paginate_queryset(self, queryset, page_size):
        """For a body with many tasks, page the tasks' ids, then load that page's tasks whole.

        Sorted with their documents' columns, a province body's 200,000 tasks spill the sort to
        disk; their ids alone sort in memory. Only for the whole list of a large body: for a small
        one, or a filter, the planner overestimates the matches, and with ids alone to sort it
        then walks every document in order waiting for fifty (seconds for a body with one task).
        """
        if self.form.narrows or self.counts["tasks"] < IDS_FIRST_TASKS:
            return super().paginate_queryset(queryset, page_size)
        paginator, page, ids, is_paginated = super().paginate_queryset(queryset.values_list("pk", flat=True), page_size)
        ids = list(ids)
        loaded = {task.pk: task for task in queryset.order_by().filter(pk__in=ids)}
        page.object_list = [loaded[pk] for pk in ids]
        return paginator, page, page.object_list, is_paginated

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        if not self.form.narrows:
            # The list is all the department's tasks, which follow_up_counts has counted already:
            # counting them again for the paginator would be the page's second-dearest query.
            paginator.count = self.counts["tasks"]
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(department=self.object, form=self.form, **kwargs)
        context["role_choices"] = TaskAssignment.Role
        context["task_rows"] = task_rows(context["object_list"])  # the page's tasks only
        context["aliases"] = self.object.aliases.order_by("alias")
        issued = Document.objects.filter(issuer_links__department=self.object)
        shown = list(issued.with_issue().defer("blocks", "body").order_by("-date", "-pk")[: ISSUED_SHOWN + 1])
        context["issued"] = shown[:ISSUED_SHOWN]
        # Counted only when there are more than the page shows.
        context["issued_count"] = issued.count() if len(shown) > ISSUED_SHOWN else len(context["issued"])
        context["follow_up_counts"] = self.counts
        # Costs no query: the page's navigation has loaded the user's permissions already.
        context["can_record"] = self.request.user.has_perm(PROGRESS_PERMISSION)
        return context

    def render_export(self, kind: str) -> HttpResponse:
        tasks = self.get_queryset().with_departments().select_related("document__issue__gazette")
        rows = task_export_rows(
            tasks.iterator(chunk_size=500), department=self.object, absolute=self.request.build_absolute_uri
        )
        filename = f"tasks-department-{self.object.pk}"
        if kind == "xlsx":
            return tasks_xlsx(rows, filename=filename, title=self.object.name)
        return rows_csv(rows, filename=filename)


def years_between(counts: dict) -> dict[str, list[int]]:
    """The filter form's year choices from follow_up_counts: newest issue year first, due years in order."""
    first, last = counts["first_year"], counts["last_year"]
    years = list(range(last, first - 1, -1)) if first and last else []
    first, last = counts["first_due"], counts["last_due"]
    due_years = list(range(first.year, last.year + 1)) if first and last else []
    return {"years": years, "due_years": due_years}


class DocumentTasksExportView(DetailView):
    """A document's task list as CSV or Excel (?format=xlsx), with each task's latest progress."""

    model = Document

    def get_queryset(self):
        return Document.objects.with_issue().defer("blocks", "body")

    def render_to_response(self, context, **response_kwargs):
        document = self.object
        tasks = Task.objects.filter(document=document).with_progress().with_departments().order_by("order")
        for task in tasks:
            task.document = document  # one document for every row, not one query each
        rows = task_export_rows(tasks, department=None, absolute=self.request.build_absolute_uri)
        filename = f"tasks-document-{document.pk}"
        if self.request.GET.get("format") == "xlsx":
            return tasks_xlsx(rows, filename=filename, title=document.doc_number or "任务分工")
        return rows_csv(rows, filename=filename)


class TaskDetailView(FormMixin, DetailView):
    """One task for follow-up: where it comes from, each department's latest status, the history of
    reports; with the permission, a form (POST here) that adds a report."""

    form_class = TaskProgressForm

    def get_queryset(self):
        return Task.objects.with_document_summary().with_departments()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "task": self.object}

    def get_initial(self):
        chosen = self.request.GET.get("department", "")
        return {"department": int(chosen) if chosen.isascii() and chosen.isdigit() else None}

    def get_context_data(self, **kwargs):
        if not self.can_record:
            kwargs.setdefault("form", None)  # nothing to offer a reader
        context = super().get_context_data(**kwargs)
        task = self.object
        context["row"] = task_rows([task])[0]
        context["statuses"] = task_follow_ups(task)
        context["history"] = task.progress.select_related("department", "recorded_by")
        context["can_record"] = self.can_record
        context["next"] = _safe_next(self.request, self.request.GET.get("next") or self.request.POST.get("next"))
        return context

    @property
    def can_record(self) -> bool:
        return self.request.user.has_perm(PROGRESS_PERMISSION)

    def post(self, request, *args, **kwargs):
        if not self.can_record:
            raise PermissionDenied("没有登记任务进展的权限。")
        self.object = self.get_object()
        form = self.get_form()
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        data = form.cleaned_data
        report = task_progress_record(
            task=self.object,
            department=data["department"],
            status=data["status"],
            note=data["note"],
            reported_on=data["reported_on"],
            user=request.user,
        )
        messages.success(request, f"已登记：{report.department.name} {report.get_status_display()}。")
        return HttpResponseRedirect(_safe_next(request, request.POST.get("next")) or self.object.get_absolute_url())


def _safe_next(request, url: str | None) -> str:
    """A same-site address to go back to, or ''."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


class FeedTokenView(TemplateView):
    """The user's feed token: whether there is one, when it was made and last used; make a new one or revoke it.

    With ?department=, the page shows that department's calendar and Atom addresses.
    """

    template_name = "policies/feed_token.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["token"] = FeedToken.objects.filter(user=self.request.user).first()
        chosen = self.request.GET.get("department", "")
        if chosen.isascii() and chosen.isdigit():
            context["department"] = Department.objects.filter(pk=int(chosen)).first()
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "revoke":
            if feed_token_revoke(user=request.user):
                messages.success(request, "订阅令牌已撤销：用它订阅的日历和阅读器将无法再获取任务。")
        else:
            feed_token_create(user=request.user)
            messages.success(request, "已生成新的订阅令牌；以前的订阅地址已失效。")
        return redirect(
            f"{reverse('policies:feed-token')}?{request.GET.urlencode()}" if request.GET else "policies:feed-token"
        )


def _feed_forbidden() -> HttpResponse:
    return HttpResponseForbidden("订阅地址无效或已撤销。", content_type="text/plain; charset=utf-8")


@login_not_required
def department_calendar_feed(request, pk: int, key: str) -> HttpResponse:
    """The department's due dates as iCalendar, for a calendar to subscribe to with the user's token."""
    if feed_token_open(key=key) is None:
        return _feed_forbidden()
    department = get_object_or_404(Department, pk=pk)
    tasks = Task.objects.for_department(department).exclude(due=None).with_progress(department)
    tasks = tasks.with_document_summary().order_by("due", "pk")
    roles: dict[int, set[str]] = {}
    for task_id, role in TaskAssignment.objects.filter(department=department).values_list("task_id", "role"):
        roles.setdefault(task_id, set()).add(role)
    body = department_calendar(department, tasks, absolute=request.build_absolute_uri, roles=roles)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="department-{department.pk}.ics"'
    return response


@login_not_required
def department_atom_feed(request, pk: int, key: str) -> HttpResponse:
    """The department's new tasks as Atom, for a feed reader with the user's token."""
    if feed_token_open(key=key) is None:
        return _feed_forbidden()
    return DepartmentTasksFeed()(request, department=get_object_or_404(Department, pk=pk))


class ReviewQueueView(PermissionRequiredMixin, ListView):
    """New names that look like existing bodies: each with its best matches and tasks, to merge or accept."""

    permission_required = REVIEW_PERMISSION
    paginate_by = 20
    template_name = "policies/department_review.html"

    def get_queryset(self):
        return Department.objects.in_review().with_task_counts().in_registry_order()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = review_entries(list(context["object_list"]))
        return context


class ReviewDecisionView(PermissionRequiredMixin, FormView):
    """A POST from the review queue: validate, decide, say what was done, back to the queue."""

    permission_required = REVIEW_PERMISSION
    http_method_names = ["post"]

    def get_success_url(self) -> str:
        return reverse("policies:department-review")

    def form_invalid(self, form):
        messages.error(self.request, "；".join(error for errors in form.errors.values() for error in errors))
        return HttpResponseRedirect(self.get_success_url())


class DepartmentMergeView(ReviewDecisionView):
    form_class = DepartmentMergeForm

    def form_valid(self, form):
        department, into = form.cleaned_data["department"], form.cleaned_data["into"]
        department_merge(department=department, into=into, note=form.cleaned_data["note"])
        messages.success(self.request, f"已将“{department.name}”并入“{into.name}”，其任务已转入，名称保留为别名。")
        return super().form_valid(form)


class DepartmentAcceptView(ReviewDecisionView):
    form_class = DepartmentAcceptForm

    def form_valid(self, form):
        department = department_accept(department=form.cleaned_data["department"])
        messages.success(self.request, f"已确认“{department.name}”为新单位。")
        return super().form_valid(form)
