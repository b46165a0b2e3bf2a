from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import NullIf
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

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

    def by_due_date(self) -> TaskQuerySet:
        """Soonest due first, tasks without a date last; ties as printed."""
        return self.order_by(F("due").asc(nulls_last=True), "document__issue_id", "document__order", "order")

    def text_contains(self, text: str | None) -> TaskQuerySet:
        return self.filter(text__icontains=text) if text else self

    def due_in_year(self, year: int | None) -> TaskQuerySet:
        return self.filter(due__year=year) if year else self

    def ongoing(self) -> TaskQuerySet:
        return self.filter(ongoing=True)

    def with_unread_deadline(self) -> TaskQuerySet:
        """Tasks whose deadline text gave neither a date nor ongoing work (counted for the admins)."""
        return self.exclude(deadline="").filter(due__isnull=True, ongoing=False)

    def with_progress(self, department: Department | None = None) -> TaskQuerySet:
        """Annotate the latest progress report (of this department, or of any): progress_status,
        progress_on, progress_note and progress_department (its body's name).

        A department's status is read from its assignment (TaskAssignment.progress_status, kept by
        services.task_assignments_progress_refresh), the one thing filters and counts compare over
        every task the department has: an index probe, not a sort of the task's reports per task.
        The date, note and name are shown for a page of tasks only, so they stay subqueries.
        """
        reports = TaskProgress.objects.filter(task=OuterRef("pk")).order_by("-recorded_at", "-pk")
        if department is not None:
            reports = reports.filter(department=department)
            kept = TaskAssignment.objects.filter(task=OuterRef("pk"), department=department)
            # '' (no report) reads as NULL, as the reports' subquery gives for a task without one.
            status = NullIf(Subquery(kept.values("progress_status")[:1]), Value(""))
        else:
            status = Subquery(reports.values("status")[:1])
        return self.annotate(
            progress_status=status,
            progress_on=Subquery(reports.values("reported_on")[:1]),
            progress_note=Subquery(reports.values("note")[:1]),
            progress_department=Subquery(reports.values("department__name")[:1]),
        )

    def _reported(self, statuses: set[str], department: Department | None) -> Q:
        """Tasks whose latest report's status is one of `statuses` ('' for none yet).

        A department's is its kept status, tested with EXISTS: the planner joins the tasks once
        with the department's assignments in those statuses (task_assignment_progress), where
        comparing with_progress's subquery ran it once per task, seconds for a province body.
        Of any department, it is the annotation with_progress made.
        """
        if department is not None:
            kept = TaskAssignment.objects.filter(task=OuterRef("pk"), department=department)
            return Q(Exists(kept.filter(progress_status__in=statuses)))
        reported = Q(progress_status__in=statuses - {""})
        return reported | Q(progress_status__isnull=True) if "" in statuses else reported

    def not_done(self, department: Department | None = None) -> TaskQuerySet:
        """Tasks whose latest report (of the department, else with_progress's) is not 已完成."""
        done = TaskProgress.Status.DONE
        if department is not None:
            return self.exclude(self._reported({done}, department))
        # No report is not done: NOT (NULL = 'done') would be NULL, and the task left out.
        return self.filter(Q(progress_status__isnull=True) | ~Q(progress_status=done))

    def overdue(self, today: dt.date, department: Department | None = None) -> TaskQuerySet:
        """Past their due date and not reported done (without a department, needs with_progress)."""
        return self.not_done(department).filter(due__lt=today)

    def due_within(self, days: int, today: dt.date, department: Department | None = None) -> TaskQuerySet:
        """Due from today to `days` days on and not reported done (without a department, needs with_progress)."""
        return self.not_done(department).filter(due__gte=today, due__lte=today + dt.timedelta(days=days))

    def in_status(self, status: str | None, today: dt.date, department: Department | None = None) -> TaskQuerySet:
        """Tasks whose follow-up status (FollowUp) is `status`, by the department's reports, or by
        any department's (needs with_progress)."""
        if not status:
            return self
        if status == FollowUp.OVERDUE:
            return self.overdue(today, department)
        if status == FollowUp.DONE:
            return self.filter(self._reported({status}, department))
        not_overdue = Q(due__isnull=True) | Q(due__gte=today)
        if status == FollowUp.NOT_STARTED:
            return self.filter(not_overdue, self._reported({"", status}, department))
        return self.filter(not_overdue, self._reported({status}, department))

    def created_since(self, moment) -> TaskQuerySet:
        return self.filter(created_at__gte=moment) if moment else self


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
    due = models.DateField(
        "到期日期", null=True, blank=True, db_index=True, help_text="由完成时限读出；持续推进的任务可以没有"
    )
    ongoing = models.BooleanField("持续推进", default=False, help_text="持续推进、长期推进、长期坚持、每年…")
    created_at = models.DateTimeField("导入时间", default=timezone.now, db_index=True)
    block_index = models.PositiveIntegerField("段落序号", null=True, blank=True)
    row_index = models.PositiveIntegerField("表格行号", null=True, blank=True)
    departments = models.ManyToManyField(Department, through="TaskAssignment", related_name="tasks")

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering = ["document", "order"]
        # What a department's follow-up counts read of each task, so they never visit the table's
        # rows (wide with the task's text): TaskAssignmentQuerySet.follow_up_counts.
        indexes = [
            models.Index(fields=["id"], include=["due", "ongoing", "deadline", "document"], name="task_follow_up")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.text[:40]}".strip()

    def get_absolute_url(self) -> str:
        """The task's follow-up page: its departments' progress and history."""
        return reverse("policies:task-detail", args=[self.pk])

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

    @property
    def deadline_unread(self) -> bool:
        """A deadline text that gave neither a date nor ongoing work."""
        return bool(self.deadline) and self.due is None and not self.ongoing

    @property
    def follow_up(self) -> FollowUp:
        """The task's status from its latest report (annotated by with_progress), 逾期 when past due."""
        return FollowUp.of(
            status=getattr(self, "progress_status", None),
            due=self.due,
            reported_on=getattr(self, "progress_on", None),
            note=getattr(self, "progress_note", None) or "",
            department=getattr(self, "progress_department", None) or "",
        )


@dataclass(frozen=True)
class FollowUp:
    """A task's follow-up status as staff read it: 未开始, 推进中, 已完成, or 逾期 (past due, not done),
    with the latest report's date, note and department when there is one."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    OVERDUE = "overdue"
    LABELS = {NOT_STARTED: "未开始", IN_PROGRESS: "推进中", DONE: "已完成", OVERDUE: "逾期"}
    CHOICES = tuple(LABELS.items())

    status: str
    reported: str = ""
    reported_on: dt.date | None = None
    note: str = ""
    department: str = ""

    @classmethod
    def of(cls, *, status: str | None, due: dt.date | None, today: dt.date | None = None, **report) -> FollowUp:
        today = today or timezone.localdate()
        reported = status or ""
        if status != cls.DONE and due is not None and due < today:
            status = cls.OVERDUE
        return cls(status=status or cls.NOT_STARTED, reported=reported, **report)

    @property
    def label(self) -> str:
        return self.LABELS[self.status]

    @property
    def reported_label(self) -> str:
        """What was last reported (推进中 for a task now 逾期), or ''."""
        return self.LABELS.get(self.reported, "")


class TaskProgress(models.Model):
    """One report of a department's progress on a task: its status on a day, and a note.

    Reports are never edited: each is kept, with who recorded it and when, and the latest one
    is the task's status for that department.
    """

    class Status(models.TextChoices):
        NOT_STARTED = FollowUp.NOT_STARTED, "未开始"
        IN_PROGRESS = FollowUp.IN_PROGRESS, "推进中"
        DONE = FollowUp.DONE, "已完成"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="progress", verbose_name="任务")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="progress", verbose_name="单位")
    status = models.CharField("进展", max_length=20, choices=Status.choices)
    reported_on = models.DateField("进展日期", default=timezone.localdate)
    note = models.TextField("说明", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = "任务进展"
        verbose_name_plural = "任务进展"
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["task", "department", "-recorded_at"], name="task_progress_latest")]

    def __str__(self) -> str:
        return f"{self.department.name} {self.get_status_display()} {self.reported_on:%Y-%m-%d}"


# Feed addresses are signed with SECRET_KEY under this salt; rotating either revokes every address.
FEED_TOKEN_SALT = "policies.FeedToken"


class FeedToken(models.Model):
    """A user's key to the calendar and Atom feeds, which calendars and readers fetch without a session.

    The key is a signature of a random nonce, so the database holds nothing that opens a feed;
    revoking deletes the row, and every address made with it stops working.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_token", verbose_name="用户"
    )
    nonce = models.CharField("随机数", max_length=64, editable=False)
    created_at = models.DateTimeField("生成时间", default=timezone.now)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "订阅令牌"
        verbose_name_plural = "订阅令牌"

    def __str__(self) -> str:
        return f"{self.user} 的订阅令牌"

    @property
    def key(self) -> str:
        """What feed addresses carry: the row's id and a signature of its nonce."""
        digest = salted_hmac(FEED_TOKEN_SALT, self.nonce, algorithm="sha256").hexdigest()[:40]
        return f"{self.pk}-{digest}"

    @property
    def fingerprint(self) -> str:
        """A short, harmless name for the key, shown on the user's page."""
        return hashlib.sha256(self.key.encode()).hexdigest()[:8]

    def opens(self, key: str) -> bool:
        return constant_time_compare(self.key, key)


class TaskAssignmentQuerySet(models.QuerySet):
    def follow_up_counts(self, today: dt.date) -> dict[str, int]:
        """How many of these assignments' tasks there are, and how many are overdue, due within 30
        and 90 days, ongoing, or have an unread deadline; their first and last due dates and issue
        years. Done is each assignment's kept status (its department's latest report).

        Counted from the assignments, not from tasks with a subquery each: a province body has
        hundreds of thousands, read here from two covering indexes (task_assignment_progress,
        task_follow_up) merged on the task's id. A task counts once when its department both leads
        and supports it; both rows carry the same status.
        """
        not_done = ~Q(progress_status=TaskProgress.Status.DONE)
        soon = Q(task__due__gte=today) & not_done
        tasks = {
            "tasks": Q(),
            "overdue": Q(task__due__lt=today) & not_done,
            "due_30": soon & Q(task__due__lte=today + dt.timedelta(days=30)),
            "due_90": soon & Q(task__due__lte=today + dt.timedelta(days=90)),
            "ongoing": Q(task__ongoing=True),
            "unread": ~Q(task__deadline="") & Q(task__due__isnull=True, task__ongoing=False),
        }
        # Named apart from the fields, which an aggregate may not shadow.
        counts = self.order_by().aggregate(
            **{f"n_{name}": Count("task", filter=when, distinct=True) for name, when in tasks.items()},
            n_first_due=Min("task__due"),
            n_last_due=Max("task__due"),
            n_first_year=Min("task__document__issue__year"),
            n_last_year=Max("task__document__issue__year"),
        )
        return {name.removeprefix("n_"): value for name, value in counts.items()}


class TaskAssignment(models.Model):
    """A department's part in a task: lead (牵头) or support (配合/协助), with the status of the
    department's latest report on it (kept here so a department's tasks are counted by status
    without reading their reports; services.task_assignments_progress_refresh keeps it)."""

    class Role(models.TextChoices):
        LEAD = "lead", "牵头"
        SUPPORT = "support", "配合"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField("角色", max_length=10, choices=Role.choices)
    order = models.PositiveIntegerField("排序", default=0)
    progress_status = models.CharField(
        "最新进展", max_length=20, choices=TaskProgress.Status.choices, blank=True, default="", editable=False
    )

    objects = TaskAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "任务分工"
        verbose_name_plural = "任务分工"
        constraints = [models.UniqueConstraint(fields=["task", "department", "role"], name="task_assignment_unique")]
        # A department's tasks and their kept status, without reading the table (follow_up_counts).
        indexes = [
            models.Index(fields=["department", "task"], include=["progress_status"], name="task_assignment_progress")
        ]

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


def task_follow_ups(task: Task, today: dt.date | None = None) -> list[tuple[TaskAssignment, FollowUp]]:
    """Each of the task's assignments (with_departments: leads first) with that department's status."""
    latest: dict[int, TaskProgress] = {}
    for report in task.progress.order_by("recorded_at", "pk"):
        latest[report.department_id] = report
    rows = []
    for assignment in task.assignments.all():
        report = latest.get(assignment.department_id)
        follow_up = FollowUp.of(
            status=report.status if report else None,
            due=task.due,
            today=today,
            reported_on=report.reported_on if report else None,
            note=report.note if report else "",
            department=assignment.department.name,
        )
        rows.append((assignment, follow_up))
    return rows


@dataclass
class TaskSummary:
    """What a document's tasks come to, for the top of its page: how many, who leads how many,
    the range of due dates, and how many are ongoing, overdue, done or have an unread deadline."""

    # Lead departments listed by name; the rest are counted.
    LEADS_SHOWN = 8

    count: int
    leads: list[tuple[Department, int]]
    more_leads: int
    first_due: dt.date | None
    last_due: dt.date | None
    ongoing: int
    overdue: int
    done: int
    unread: int

    @classmethod
    def of(cls, rows: Iterable[TaskRow], today: dt.date | None = None) -> TaskSummary | None:
        """The summary of these task rows (tasks with_progress), or None when there are none."""
        rows = list(rows)
        if not rows:
            return None
        counts: dict[int, int] = {}
        departments: dict[int, Department] = {}
        for row in rows:
            for department in row.leads:
                departments[department.pk] = department
                counts[department.pk] = counts.get(department.pk, 0) + 1
        ranked = sorted(counts, key=lambda pk: (-counts[pk], departments[pk].name))
        dues = [row.task.due for row in rows if row.task.due]
        statuses = [
            FollowUp.of(status=getattr(row.task, "progress_status", None), due=row.task.due, today=today)
            for row in rows
        ]
        return cls(
            count=len(rows),
            leads=[(departments[pk], counts[pk]) for pk in ranked[: cls.LEADS_SHOWN]],
            more_leads=max(len(ranked) - cls.LEADS_SHOWN, 0),
            first_due=min(dues, default=None),
            last_due=max(dues, default=None),
            ongoing=sum(row.task.ongoing for row in rows),
            overdue=sum(status.status == FollowUp.OVERDUE for status in statuses),
            done=sum(status.status == FollowUp.DONE for status in statuses),
            unread=sum(row.task.deadline_unread for row in rows),
        )
