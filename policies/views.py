from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import FormView, ListView
from django.views.generic.detail import SingleObjectMixin

from gazette.models import Document

from .forms import DepartmentAcceptForm, DepartmentFilterForm, DepartmentMergeForm, TaskFilterForm
from .models import Department, Task, TaskAssignment, task_rows
from .review import review_entries
from .services import department_accept, department_merge

# Who sees the unplaced bodies and the review queue, and may merge or accept bodies.
REVIEW_PERMISSION = "policies.change_department"
# Documents a body issued, listed on its page (the newest; the count says how many in all).
ISSUED_SHOWN = 20

# Excel runs a cell starting with these as a formula; a leading apostrophe keeps it text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
    """A department's tasks as lead and support across all gazettes, filtered; ?format=csv exports them."""

    paginate_by = 50
    template_name = "policies/department_detail.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object(queryset=Department.objects.all())
        self.form = TaskFilterForm(request.GET or None, department=self.object)
        if request.GET.get("format") == "csv":
            return self.render_csv()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        tasks = Task.objects.for_department(self.object, self.form.chosen_role or None)
        return self.form.filter(tasks).with_document_summary().in_reading_order()

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
        return context

    def render_csv(self) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"tasks-department-{self.object.pk}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        # A BOM so Excel reads the file as UTF-8 and shows the Chinese.
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(
            [
                "单位",
                "角色",
                "序号",
                "任务",
                "牵头单位",
                "配合单位",
                "完成时限",
                "层级",
                "文件",
                "文号",
                "公报",
                "期",
                "链接",
            ]
        )
        for task in self.get_queryset().with_departments().iterator(chunk_size=500):
            leads, supports = task.leads, task.supports
            roles = [
                label
                for role, label in TaskAssignment.Role.choices
                if self.object in (leads if role == "lead" else supports)
            ]
            issue = task.document.issue
            writer.writerow(
                [
                    _cell(value)
                    for value in (
                        self.object.name,
                        "、".join(roles),
                        task.number,
                        task.text,
                        "、".join(d.name for d in leads),
                        "、".join(d.name for d in supports),
                        task.deadline,
                        task.level,
                        task.document.title,
                        task.document.doc_number,
                        issue.gazette.name,
                        issue.label,
                        self.request.build_absolute_uri(task.url),
                    )
                ]
            )
        return response


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


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
