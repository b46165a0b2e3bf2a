from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.urls import reverse


class DepartmentQuerySet(models.QuerySet):
    def with_task_counts(self) -> DepartmentQuerySet:
        """Annotate lead_count and support_count: tasks this department leads or supports."""
        return self.annotate(
            lead_count=Count("assignments__task", filter=Q(assignments__role="lead"), distinct=True),
            support_count=Count("assignments__task", filter=Q(assignments__role="support"), distinct=True),
        )

    def in_city(self, city: str | None) -> DepartmentQuerySet:
        return self.filter(city=city) if city else self

    def name_contains(self, text: str | None) -> DepartmentQuerySet:
        return self.filter(name__icontains=text) if text else self


class Department(models.Model):
    """A government body of one city (市商务局 of 贺州 is not 市商务局 of 柳州)."""

    city = models.CharField("城市", max_length=100, blank=True)
    name = models.CharField("名称", max_length=200)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["city", "name"]
        constraints = [models.UniqueConstraint(fields=["city", "name"], name="department_unique_per_city")]

    def __str__(self) -> str:
        return f"{self.name}（{self.city}）" if self.city else self.name

    def get_absolute_url(self) -> str:
        return reverse("policies:department-detail", args=[self.pk])


class DepartmentAlias(models.Model):
    """Another name of a body: an abbreviation (市发改委), a former name, or a parenthesised alias.

    Admins edit this table; the importer maps aliases to their department. An alias with
    an empty city applies to every city.
    """

    city = models.CharField("城市", max_length=100, blank=True, help_text="留空表示适用于所有城市")
    alias = models.CharField("别名", max_length=200)
    canonical = models.CharField("规范名称", max_length=200, help_text="如 市发展改革委")

    class Meta:
        verbose_name = "单位别名"
        verbose_name_plural = "单位别名"
        ordering = ["city", "alias"]
        constraints = [models.UniqueConstraint(fields=["city", "alias"], name="department_alias_unique")]

    def __str__(self) -> str:
        return f"{self.alias} → {self.canonical}"


class TaskQuerySet(models.QuerySet):
    def with_departments(self) -> TaskQuerySet:
        return self.prefetch_related(
            Prefetch(
                "assignments", queryset=TaskAssignment.objects.select_related("department").order_by("role", "order")
            )
        )

    def with_document(self) -> TaskQuerySet:
        return self.select_related("document", "document__issue", "document__issue__gazette")

    def for_department(self, department: Department, role: str | None = None) -> TaskQuerySet:
        """Tasks the department is assigned to (in the role, if given), each once.

        EXISTS rather than a join and DISTINCT: a join repeats a task per matching
        assignment, and DISTINCT then compares whole rows, task text included, so counting
        a busy department's tasks for the paginator grew with its number of tasks.
        """
        assignments = TaskAssignment.objects.filter(task=OuterRef("pk"), department=department)
        if role:
            assignments = assignments.filter(role=role)
        return self.filter(Exists(assignments))

    def with_document_summary(self) -> TaskQuerySet:
        """Like with_document, without loading the documents' body text."""
        return self.with_document().defer("document__blocks", "document__body")

    def in_gazette(self, gazette) -> TaskQuerySet:
        return self.filter(document__issue__gazette=gazette) if gazette else self

    def in_year(self, year: int | None) -> TaskQuerySet:
        return self.filter(document__issue__year=year) if year else self

    def deadline_contains(self, text: str | None) -> TaskQuerySet:
        return self.filter(deadline__icontains=text) if text else self

    def with_deadline(self) -> TaskQuerySet:
        return self.exclude(deadline="")

    def in_reading_order(self) -> TaskQuerySet:
        """Newest issue first, then as printed in each document."""
        return self.order_by(
            F("document__issue__published").desc(nulls_last=True), "document__issue_id", "document__order", "order"
        )


class Task(models.Model):
    """A task assignment read from a plan: what, who leads, who supports, by when."""

    document = models.ForeignKey(
        "gazette.Document", on_delete=models.CASCADE, related_name="tasks", verbose_name="文件"
    )
    order = models.PositiveIntegerField("顺序")
    number = models.CharField("序号", max_length=50, blank=True)
    text = models.TextField("任务")
    level = models.CharField("层级", max_length=50, blank=True, help_text="分两组列出时的组名，如 自治区、柳州市")
    deadline = models.CharField("完成时限", max_length=200, blank=True)
    block_index = models.PositiveIntegerField("段落序号", null=True, blank=True)
    row_index = models.PositiveIntegerField("表格行号", null=True, blank=True)
    departments = models.ManyToManyField(Department, through="TaskAssignment", related_name="tasks")

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering = ["document", "order"]

    def __str__(self) -> str:
        return f"{self.number} {self.text[:40]}".strip()

    @property
    def anchor(self) -> str:
        """Fragment id of the paragraph or table row the task was read from."""
        if self.block_index is None:
            return ""
        if self.row_index is not None:
            return f"b{self.block_index}-r{self.row_index}"
        return f"b{self.block_index}"

    @property
    def leads(self) -> list[Department]:
        return [a.department for a in self.assignments.all() if a.role == TaskAssignment.Role.LEAD]

    @property
    def supports(self) -> list[Department]:
        return [a.department for a in self.assignments.all() if a.role == TaskAssignment.Role.SUPPORT]

    @property
    def url(self) -> str:
        """The source document's page, at the paragraph or table row the task was read from."""
        url = self.document.get_absolute_url()
        return f"{url}#{self.anchor}" if self.anchor else url


class TaskAssignment(models.Model):
    """A department's part in a task: lead (牵头) or support (配合/协助)."""

    class Role(models.TextChoices):
        LEAD = "lead", "牵头"
        SUPPORT = "support", "配合"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField("角色", max_length=10, choices=Role.choices)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "任务分工"
        verbose_name_plural = "任务分工"
        constraints = [models.UniqueConstraint(fields=["task", "department", "role"], name="task_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.department} {self.get_role_display()} {self.task}"


@dataclass
class TaskRow:
    """A row of a task table: the task and the departments leading and supporting it."""

    task: Task
    leads: list[Department] = field(default_factory=list)
    supports: list[Department] = field(default_factory=list)


def task_rows(tasks: Iterable[Task]) -> list[TaskRow]:
    """These tasks, in the order given, with their departments, in one more query.

    A page shows hundreds of assignments; reading them as tuples, with one Department per
    department, costs a third of prefetching them as models.
    """
    rows = {task.pk: TaskRow(task) for task in tasks}
    departments: dict[int, Department] = {}
    assignments = (
        TaskAssignment.objects.filter(task_id__in=list(rows))
        .order_by("role", "order", "pk")
        .values_list("task_id", "role", "department_id", "department__city", "department__name")
    )
    for task_id, role, pk, city, name in assignments:
        department = departments.get(pk)
        if department is None:
            department = departments[pk] = Department(pk=pk, city=city, name=name)
        if role == TaskAssignment.Role.LEAD:
            rows[task_id].leads.append(department)
        elif role == TaskAssignment.Role.SUPPORT:
            rows[task_id].supports.append(department)
    return list(rows.values())
