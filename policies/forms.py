from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django import forms
from django.utils import timezone

from gazette.models import Gazette, Issue

from .models import Department, DepartmentQuerySet, FollowUp, Task, TaskAssignment, TaskProgress, TaskQuerySet
from .pinyin import name_sort_key


class TaskFilterForm(forms.Form):
    """Filters for a department's task list (GET): text, when due, status, gazette, year, role, deadline; sort."""

    WHEN_CHOICES = [
        ("", "全部时限"),
        ("overdue", "已逾期"),
        ("30", "30 天内到期"),
        ("90", "90 天内到期"),
        ("ongoing", "持续推进"),
        ("dated", "有到期日期"),
        ("unread", "时限未能识别"),
    ]
    SORT_CHOICES = [("", "按文件（阅读顺序）"), ("due", "按到期日期")]
    MAIN_FIELDS = ("q", "when", "status", "sort")

    q = forms.CharField(label="任务包含", max_length=100, required=False)
    when = forms.ChoiceField(label="时限", choices=WHEN_CHOICES, required=False)
    status = forms.ChoiceField(label="进展", choices=[("", "全部进展"), *FollowUp.CHOICES], required=False)
    due_year = forms.TypedChoiceField(label="到期年份", coerce=int, required=False, empty_value=None)
    gazette = forms.ModelChoiceField(
        label="公报", queryset=Gazette.objects.all(), required=False, empty_label="全部公报"
    )
    year = forms.TypedChoiceField(label="发文年份", coerce=int, required=False, empty_value=None)
    role = forms.ChoiceField(label="角色", choices=[("", "牵头和配合"), *TaskAssignment.Role.choices], required=False)
    deadline = forms.CharField(label="完成时限包含", max_length=50, required=False)
    has_deadline = forms.BooleanField(label="只看有时限的任务", required=False)
    sort = forms.ChoiceField(label="排序", choices=SORT_CHOICES, required=False)

    def __init__(
        self,
        *args,
        department: Department | None = None,
        today: dt.date | None = None,
        years: Iterable[int] | None = None,
        due_years: Iterable[int] | None = None,
        **kwargs,
    ):
        """`years` and `due_years` are the years the tasks were published and fall due in, when the
        caller knows them (a query fewer each)."""
        super().__init__(*args, **kwargs)
        self.department = department
        self.today = today or timezone.localdate()
        if years is None:
            issues = Issue.objects.all()
            if department is not None:
                issues = issues.filter(documents__tasks__assignments__department=department)
            years = issues.years()
        self.fields["year"].choices = [("", "全部年份")] + [(y, f"{y}年") for y in years]
        if due_years is None:
            tasks = Task.objects.for_department(department) if department is not None else Task.objects.all()
            due_years = [day.year for day in tasks.exclude(due=None).dates("due", "year")]
        self.fields["due_year"].choices = [("", "全部年份")] + [(y, f"{y}年") for y in due_years]

    def filter(self, tasks: TaskQuerySet) -> TaskQuerySet:
        """The tasks these filters keep, in the order chosen; all of them if the form is invalid.

        Status and time filters read the latest report: the department's kept status when the
        form has a department, else with_progress's, so `tasks` must then come with_progress.
        """
        if not self.is_valid():
            return tasks
        data = self.cleaned_data
        tasks = tasks.in_gazette(data["gazette"]).in_year(data["year"]).deadline_contains(data["deadline"].strip())
        tasks = tasks.text_contains(data["q"].strip()).due_in_year(data["due_year"])
        tasks = tasks.in_status(data["status"], self.today, self.department)
        if data["has_deadline"]:
            tasks = tasks.with_deadline()
        when = data["when"]
        if when == "overdue":
            tasks = tasks.overdue(self.today, self.department)
        elif when in ("30", "90"):
            tasks = tasks.due_within(int(when), self.today, self.department)
        elif when == "ongoing":
            tasks = tasks.ongoing()
        elif when == "dated":
            tasks = tasks.exclude(due=None)
        elif when == "unread":
            tasks = tasks.with_unread_deadline()
        return tasks

    @property
    def narrows(self) -> bool:
        """Whether a filter in use may leave out some of the tasks (sorting leaves them all)."""
        return self.is_valid() and any(value for name, value in self.cleaned_data.items() if name != "sort")

    @property
    def chosen_role(self) -> str:
        return self.cleaned_data.get("role", "") if self.is_valid() else ""

    @property
    def by_due_date(self) -> bool:
        return self.is_valid() and self.cleaned_data["sort"] == "due"

    @property
    def main_fields(self) -> list[forms.BoundField]:
        """The filters shown first; the others are under 更多筛选."""
        return [self[name] for name in self.MAIN_FIELDS]

    @property
    def more_fields(self) -> list[forms.BoundField]:
        return [field for field in self if field.name not in self.MAIN_FIELDS]

    @property
    def more_shown(self) -> bool:
        """Whether a filter under 更多筛选 is in use (the page opens them)."""
        return self.is_valid() and any(self.cleaned_data[field.name] for field in self.more_fields)


class TaskProgressForm(forms.Form):
    """A progress report on a task for one of its departments (POST from the task's page)."""

    department = forms.ModelChoiceField(label="单位", queryset=Department.objects.none(), empty_label=None)
    status = forms.ChoiceField(label="进展", choices=TaskProgress.Status.choices, widget=forms.RadioSelect)
    reported_on = forms.DateField(
        label="进展日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), initial=timezone.localdate
    )
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False)

    def __init__(self, *args, task: Task, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = (
            Department.objects.filter(assignments__task=task).distinct().order_by("sort_key", "name")
        )

    def clean_reported_on(self):
        day = self.cleaned_data["reported_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("进展日期不能晚于今天。")
        return day


class DepartmentFilterForm(forms.Form):
    city = forms.ChoiceField(label="城市", required=False)
    level = forms.ChoiceField(label="层级", required=False, choices=[("", "全部层级"), *Department.Level.choices])
    q = forms.CharField(label="名称包含", max_length=50, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cities = Department.objects.exclude(city="").values_list("city", flat=True).distinct()
        self.fields["city"].choices = [("", "全部城市")] + [(c, c) for c in sorted(cities, key=name_sort_key)]

    def filter(self, departments: DepartmentQuerySet) -> DepartmentQuerySet:
        """The bodies these filters keep; all of them if the form is invalid."""
        if not self.is_valid():
            return departments
        data = self.cleaned_data
        return departments.in_city(data["city"]).at_level(data["level"]).name_contains(data["q"].strip())


class DepartmentMergeForm(forms.Form):
    """Merge a body into another (POST from the review queue): tasks move, the name becomes an alias."""

    department = forms.ModelChoiceField(queryset=Department.objects.all(), widget=forms.HiddenInput)
    into = forms.ModelChoiceField(queryset=Department.objects.all(), widget=forms.HiddenInput)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("department") and data.get("department") == data.get("into"):
            raise forms.ValidationError("不能把单位并入它自己。")
        return data


class DepartmentAcceptForm(forms.Form):
    """Accept a body waiting for review as a body of its own (POST from the review queue)."""

    department = forms.ModelChoiceField(queryset=Department.objects.in_review(), widget=forms.HiddenInput)
