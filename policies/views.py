from __future__ import annotations

import csv

from django.http import HttpResponse
from django.views.generic import ListView
from django.views.generic.detail import SingleObjectMixin

from .forms import DepartmentFilterForm, TaskFilterForm
from .models import Department, Task, TaskAssignment, task_rows

# Excel runs a cell starting with these as a formula; a leading apostrophe keeps it text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class DepartmentListView(ListView):
    """Departments grouped by city, with how many tasks each leads and supports."""

    paginate_by = 200

    def get_queryset(self):
        self.form = DepartmentFilterForm(self.request.GET or None)
        departments = Department.objects.with_task_counts().order_by("city", "name")
        if self.form.is_valid():
            departments = departments.in_city(self.form.cleaned_data["city"]).name_contains(
                self.form.cleaned_data["q"].strip()
            )
        return departments

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, **kwargs)


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
