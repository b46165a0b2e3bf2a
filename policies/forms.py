from __future__ import annotations

from django import forms

from gazette.models import Gazette, Issue

from .models import Department, DepartmentQuerySet, TaskAssignment, TaskQuerySet
from .pinyin import name_sort_key


class TaskFilterForm(forms.Form):
    """Filters for a department's task list (GET): gazette, year, role, deadline."""

    gazette = forms.ModelChoiceField(
        label="公报", queryset=Gazette.objects.all(), required=False, empty_label="全部公报"
    )
    year = forms.TypedChoiceField(label="年份", coerce=int, required=False, empty_value=None)
    role = forms.ChoiceField(label="角色", choices=[("", "牵头和配合"), *TaskAssignment.Role.choices], required=False)
    deadline = forms.CharField(label="完成时限包含", max_length=50, required=False)
    has_deadline = forms.BooleanField(label="只看有时限的任务", required=False)

    def __init__(self, *args, department: Department | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        issues = Issue.objects.all()
        if department is not None:
            issues = issues.filter(documents__tasks__assignments__department=department)
        self.fields["year"].choices = [("", "全部年份")] + [(y, f"{y}年") for y in issues.years()]

    def filter(self, tasks: TaskQuerySet) -> TaskQuerySet:
        """The tasks these filters keep; all of them if the form is invalid."""
        if not self.is_valid():
            return tasks
        data = self.cleaned_data
        tasks = tasks.in_gazette(data["gazette"]).in_year(data["year"]).deadline_contains(data["deadline"].strip())
        if data["has_deadline"]:
            tasks = tasks.with_deadline()
        return tasks

    @property
    def chosen_role(self) -> str:
        return self.cleaned_data.get("role", "") if self.is_valid() else ""


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
