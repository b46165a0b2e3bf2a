from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, Value, When
from django.urls import reverse

from .pinyin import UNPLACED_SECTION


class DepartmentQuerySet(models.QuerySet):
    def with_task_counts(self) -> DepartmentQuerySet:
        """Annotate lead_count and support_count: tasks this department leads or supports."""
        return self.annotate(
            lead_count=Count("assignments__task", filter=Q(assignments__role="lead"), distinct=True),
            support_count=Count("assignments__task", filter=Q(assignments__role="support"), distinct=True),
        )

    def in_city(self, city: str | None) -> DepartmentQuerySet:
        return self.filter(city=city) if city else self

    def at_level(self, level: str | None) -> DepartmentQuerySet:
        return self.filter(level=level) if level else self

    def name_contains(self, text: str | None) -> DepartmentQuerySet:
        """Bodies whose name, or one of their aliases, contains text."""
        if not text:
            return self
        return self.filter(
            Q(name__icontains=text)
            | Q(Exists(DepartmentAlias.objects.filter(department=OuterRef("pk"), alias__icontains=text)))
        )

    def placed(self) -> DepartmentQuerySet:
        return self.exclude(place_key=UNPLACED_SECTION)

    def unplaced(self) -> DepartmentQuerySet:
        """Bodies of a city, county or province the documents did not say (市X局 in a province's notice)."""
        return self.filter(place_key=UNPLACED_SECTION)

    def in_review(self) -> DepartmentQuerySet:
        """New names that look like an existing body's, waiting for an admin to merge or accept them."""
        return self.filter(review=True)

    def in_place_of(self, department: Department) -> DepartmentQuerySet:
        """Bodies of the same province, city and county as department, other than itself."""
        return self.filter(province=department.province, city=department.city, county=department.county).exclude(
            pk=department.pk
        )

    def in_registry_order(self) -> DepartmentQuerySet:
        """By place section (cities, provinces, national, unplaced), then level, groups last, then pinyin."""
        rank = Case(
            *(When(level=level, then=Value(position)) for position, level in enumerate(Department.Level.values)),
            output_field=IntegerField(),
        )
        return self.order_by("place_key", "province", "city", "is_group", rank, "sort_key", "name")


class Department(models.Model):
    """A government body or unit, with its level and place (市商务局 of 贺州 is not 市商务局 of 柳州).

    National bodies have no place, a province's bodies only their province, a city's and a
    county's their city (and county); `name` is written as the body's own gazette writes it
    (市市场监管局 for 柳州市市场监管局, which is kept as an alias).
    """

    class Level(models.TextChoices):
        CITY = "city", "市级"
        COUNTY = "county", "县（区）级"
        PROVINCIAL = "provincial", "省级"
        NATIONAL = "national", "国家级"
        OTHER = "other", "其他单位"

    province = models.CharField("省份", max_length=100, blank=True)
    city = models.CharField("城市", max_length=100, blank=True)
    county = models.CharField("县（区）", max_length=100, blank=True)
    name = models.CharField("名称", max_length=200)
    level = models.CharField("层级", max_length=20, choices=Level.choices, default=Level.OTHER)
    is_group = models.BooleanField("泛指", default=False, help_text="如 各县（区）人民政府、市直各有关部门")
    review = models.BooleanField("待审核", default=False, help_text="与已有单位名称相近，等待管理员合并或确认为新单位")
    sort_key = models.CharField("名称拼音", max_length=400, blank=True, editable=False)
    place_key = models.CharField("地区排序", max_length=200, blank=True, editable=False)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["place_key", "sort_key", "name"]
        constraints = [
            models.UniqueConstraint(fields=["province", "city", "county", "name"], name="department_unique_per_place")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.place}）" if self.place else self.name

    def get_absolute_url(self) -> str:
        return reverse("policies:department-detail", args=[self.pk])

    @property
    def place(self) -> str:
        """Where the body belongs, as staff read it: 柳州市, 柳州市城中区, 广西壮族自治区, or ''."""
        return f"{self.city}{self.county}" if self.city else self.province

    @property
    def is_unplaced(self) -> bool:
        return self.place_key == UNPLACED_SECTION

    @property
    def level_heading(self) -> str:
        """The heading the body is listed under within its section: its level, or 泛指 for a group."""
        return "泛指（多个单位）" if self.is_group else self.get_level_display()

    @property
    def section(self) -> str:
        """The registry heading the body is listed under."""
        if self.is_unplaced:
            return "未定位的单位"
        if self.city:
            return self.city
        return self.province or "国家部委及直属机构"


class DepartmentAlias(models.Model):
    """Another name of a body: an abbreviation (市发改委), a former name, or a parenthesised alias.

    Without a department, the row is a spelling rule admins edit (alias → canonical, for one
    city, or for every city with an empty city). With a department, it is a name that body was
    written as (柳州市市场监管局, 市自然资源局和规划局, 市工商局 with a note on the renaming), found
    by the next import in the body's place.
    """

    department = models.ForeignKey(
        "Department", on_delete=models.CASCADE, related_name="aliases", null=True, blank=True, verbose_name="单位"
    )
    city = models.CharField("城市", max_length=100, blank=True, help_text="留空表示适用于所有城市")
    alias = models.CharField("别名", max_length=200)
    canonical = models.CharField("规范名称", max_length=200, help_text="如 市发展改革委")
    note = models.CharField("说明", max_length=200, blank=True, help_text="如 2018年机构改革：工商局并入市场监管局")

    class Meta:
        verbose_name = "单位别名"
        verbose_name_plural = "单位别名"
        ordering = ["city", "alias"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "alias"], condition=Q(department__isnull=True), name="department_alias_unique"
            ),
            models.UniqueConstraint(
                fields=["department", "alias"],
                condition=Q(department__isnull=False),
                name="department_alias_unique_per_body",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alias} → {self.canonical}"


class DocumentIssuer(models.Model):
    """A body that issued a document (its 发文机关; a joint notice has several)."""

    document = models.ForeignKey(
        "gazette.Document", on_delete=models.CASCADE, related_name="issuer_links", verbose_name="文件"
    )
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="issued", verbose_name="单位")
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "发文机关"
        verbose_name_plural = "发文机关"
        ordering = ["document", "order"]
        constraints = [models.UniqueConstraint(fields=["document", "department"], name="document_issuer_unique")]

    def __str__(self) -> str:
        return f"{self.department} · {self.document}"


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
