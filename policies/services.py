"""Writes for task assignments and the department registry: resolving names, merging bodies."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from gazette.importer.bodies import Body, Where, body_bare_key, body_likeness, body_read, former_name_of, where_from
from gazette.importer.deadlines import read_deadline
from gazette.importer.departments import canonical_name, split_departments
from gazette.importer.records import TaskRecord

from .models import Department, DepartmentAlias, DocumentIssuer, FeedToken, Task, TaskAssignment, TaskProgress
from .pinyin import name_sort_key, place_sort_key


def document_place(document) -> Where:
    """The place a document speaks from: its issuer's, else its gazette's city, else its region."""
    return where_from(issuer=document.issuer, city=document.issue.gazette.city, region=document.region)


# Key of the transaction advisory lock an import holds from its first registry read to its
# commit (gazette uses 0x6762 with a record's pk, and 0x67620001/2): two imports creating the
# same body at once would otherwise both insert it (one fails on the unique name, or they
# deadlock), and a registry read once per import must not go stale under another's writes.
REGISTRY_LOCK = 0x67620003


def department_resolve(
    *,
    name: str,
    city: str = "",
    where: Where | None = None,
    aliases: dict[str, str] | None = None,
    registry: DepartmentRegistry | None = None,
) -> Department:
    """The registry's body for a name read in a place (`where`, or the place of `city`).

    Follows, in order: the admins' spelling rules (市发改委 → 市发展改革委), names the body was
    written as before (柳州市市场监管局, a merged typo), the name itself, and a spelling of one
    body (市自然资源局和规划局 is 市自然资源局), which is then kept as its alias. Otherwise a new
    body is created, flagged for review if it looks like one of its place. A bracketed alias
    (市发展改革委（市大数据发展局）) is recorded as the body's alias. `registry` carries the
    places already read (an import's); by default the body's place is read afresh.
    """
    if where is None:
        where = where_from(city=city)
    if aliases is None:
        aliases = department_aliases(city=where.city)
    if registry is None:
        registry = DepartmentRegistry()
    body = body_read(name, where)
    spelled = canonical_name(body.name, aliases)
    if spelled != body.name:
        body = replace(body, name=spelled, written=(*body.written, body.name))
    department = registry.find(body)
    if department is None:
        department = registry.create(body)
    for written in body.written:
        registry.alias_add(department=department, alias=written)
    for alias in body.aliases:
        registry.bracket_alias_add(department=department, alias=alias)
    return department


@dataclass
class _Place:
    """The bodies of one place and the names they were written as, as the database holds them."""

    departments: dict[str, Department]  # by name, unique in a place
    aliases: dict[str, list[DepartmentAlias]]  # by alias; one name may be written for two bodies
    bare_keys: dict[str, str] = field(default_factory=dict)

    def bare_key(self, department: Department) -> str:
        key = self.bare_keys.get(department.name)
        if key is None:
            key = self.bare_keys[department.name] = body_bare_key(department.name)
        return key


class DepartmentRegistry:
    """The registry of the places an import reads: each place read once, then kept in step with
    what the import writes, so resolving a name asks the database only to write.

    An import resolves tens of thousands of names; asking the database each time took most of
    its time. Inside a transaction on PostgreSQL the first read takes REGISTRY_LOCK, held to the
    commit, so no other import writes these places meanwhile and the copy stays true.
    """

    def __init__(self) -> None:
        self._places: dict[tuple[str, str, str], _Place] = {}
        self.aliases_added: list[tuple[str, int]] = []  # (alias, department pk), in creation order

    def _place(self, body: Body) -> _Place:
        key = (body.province, body.city, body.county)
        place = self._places.get(key)
        if place is None:
            if not self._places:
                _registry_lock()
            province, city, county = key
            departments = {
                department.name: department
                for department in Department.objects.filter(province=province, city=city, county=county)
            }
            by_pk = {department.pk: department for department in departments.values()}
            aliases: dict[str, list[DepartmentAlias]] = {}
            rows = DepartmentAlias.objects.filter(
                department__province=province, department__city=city, department__county=county
            ).order_by("pk")
            for row in rows:
                row.department = by_pk[row.department_id]
                aliases.setdefault(row.alias, []).append(row)
            place = self._places[key] = _Place(departments=departments, aliases=aliases)
        return place

    def find(self, body: Body) -> Department | None:
        """The body's department by a recorded alias, by name, or by a spelling of one body."""
        place = self._place(body)
        rows = place.aliases.get(body.name, ())
        if len(rows) == 1:
            return rows[0].department
        if rows:
            # Several bodies written so: the first in the aliases' order, as the database sorts it.
            first = DepartmentAlias.objects.filter(pk__in=[row.pk for row in rows]).values_list("pk", flat=True)[0]
            return next(row.department for row in rows if row.pk == first)
        department = place.departments.get(body.name)
        if department is not None:
            return department
        key = body_bare_key(body.name)
        matches = [
            candidate
            for candidate in place.departments.values()
            if candidate.level == body.level and candidate.is_group == body.group and place.bare_key(candidate) == key
        ]
        if len(matches) > 1:
            # The first in the registry's order, as the database sorts the names.
            first = Department.objects.filter(pk__in=[m.pk for m in matches]).values_list("pk", flat=True)[0]
            matches = [m for m in matches if m.pk == first]
        if matches:
            self.alias_add(department=matches[0], alias=body.name)
            return matches[0]
        return None

    def create(self, body: Body) -> Department:
        """A new body in the registry; waiting for review if a body of its place has a name like it
        (groups such as 各县（区）人民政府 are not reviewed)."""
        place = self._place(body)
        review = not body.group and any(
            body_likeness(body.name, other.name)
            or former_name_of(body.name, other.name)
            or former_name_of(other.name, body.name)
            for other in place.departments.values()
            if not other.is_group
        )
        department = Department.objects.create(
            province=body.province,
            city=body.city,
            county=body.county,
            name=body.name,
            level=body.level,
            is_group=body.group,
            review=review,
            sort_key=name_sort_key(body.name),
            place_key=place_sort_key(province=body.province, city=body.city, unplaced=body.unplaced),
        )
        place.departments[department.name] = department
        return department

    def alias_add(self, *, department: Department, alias: str) -> None:
        """Record another name of a body, as department_alias_add does."""
        if not alias or alias == department.name:
            return
        place = self._places[(department.province, department.city, department.county)]
        rows = place.aliases.setdefault(alias, [])
        if any(row.department_id == department.pk for row in rows):
            return
        row = DepartmentAlias.objects.create(
            department=department, alias=alias, city=department.city, canonical=department.name
        )
        rows.append(row)
        self.aliases_added.append((alias, department.pk))

    def bracket_alias_add(self, *, department: Department, alias: str) -> None:
        """Record a bracketed alias; a body filed under that name in the same place goes to review."""
        self.alias_add(department=department, alias=alias)
        place = self._places[(department.province, department.city, department.county)]
        other = place.departments.get(alias)
        if other is not None and other.pk != department.pk and not other.review:
            Department.objects.filter(pk=other.pk).update(review=True)
            other.review = True


def _registry_lock() -> None:
    """Take REGISTRY_LOCK until the transaction ends (nothing outside one, or off PostgreSQL)."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REGISTRY_LOCK])


def department_alias_add(*, department: Department, alias: str, note: str = "") -> None:
    """Record another name of a body (the next import finds the body by it); its own name is not one."""
    if alias and alias != department.name:
        DepartmentAlias.objects.get_or_create(
            department=department,
            alias=alias,
            defaults={"city": department.city, "canonical": department.name, "note": note},
        )


def department_aliases(*, city: str) -> dict[str, str]:
    """Spelling rules (alias → canonical name) for a city; the city's own override the general ones."""
    rows = (
        DepartmentAlias.objects.filter(department__isnull=True)
        .filter(Q(city="") | Q(city=city))
        .order_by("-city")
        .values_list("alias", "canonical", "city")
    )
    result: dict[str, str] = {}
    for alias, canonical, row_city in rows:
        if row_city == city or alias not in result:
            result[alias] = canonical
    return result


@transaction.atomic
def department_merge(*, department: Department, into: Department, note: str = "") -> Department:
    """Merge a body into another: its tasks and issued documents move, its names become aliases
    (with `note`, e.g. a renaming), and the body kept is no longer waiting for review.

    Raises ValueError when both are the same body.
    """
    if department.pk == into.pk:
        raise ValueError("不能把单位并入它自己")
    _rows_move(TaskAssignment, department, into, ("task", "role"))
    TaskProgress.objects.filter(department=department).update(department=into)  # the history moves whole
    _rows_move(DocumentIssuer, department, into, ("document",))
    taken = list(DepartmentAlias.objects.filter(department=into).values_list("alias", flat=True))
    department.aliases.filter(alias__in=[*taken, into.name]).delete()
    department.aliases.update(department=into, city=into.city, canonical=into.name)
    department_alias_add(department=into, alias=department.name, note=note)
    department.delete()
    # The merged body's reports and assignments are now the kept body's, which may have its own
    # later ones: every row that has a status, or has reports that give it one, is read again.
    reported = TaskProgress.objects.filter(task=OuterRef("task"), department=into)
    stale = TaskAssignment.objects.filter(department=into).filter(Q(Exists(reported)) | ~Q(progress_status=""))
    task_assignments_progress_refresh(assignments=stale)
    into.review = False
    into.save(update_fields=["review"])
    return into


def _rows_move(model, department: Department, into: Department, unique: tuple[str, ...]) -> None:
    """Point a department's rows at another, dropping those the other already has (same task and role)."""
    rows = model.objects.filter(department=department)
    duplicate = model.objects.filter(department=into, **{name: OuterRef(name) for name in unique})
    rows.filter(Exists(duplicate)).delete()
    rows.update(department=into)


@transaction.atomic
def department_accept(*, department: Department) -> Department:
    """Accept a body waiting for review as a body of its own."""
    department.review = False
    department.save(update_fields=["review"])
    return department


@dataclass
class DepartmentNames:
    """A gazette's registry as the documents of one import read it: names resolved once per place.

    An issue of 50 plans names the same few dozen bodies thousands of times. A name resolved for
    an earlier document of the same place is reused until an alias recorded since may send it
    elsewhere; within a document a name is resolved once; the places are read once (`registry`).
    """

    city: str
    where: Where = field(default_factory=Where)
    _aliases: dict[str, dict[str, str]] = field(default_factory=dict)
    _document: dict[str, Department] = field(default_factory=dict)
    _earlier: dict[tuple[Where, str], Department] = field(default_factory=dict)
    _stale: set[str] = field(default_factory=set)
    registry: DepartmentRegistry = field(default_factory=DepartmentRegistry)

    @classmethod
    def load(cls, *, city: str) -> DepartmentNames:
        return cls(city=city, where=where_from(city=city))

    def document_start(self, document=None) -> None:
        """Start reading a document's names, in its own place (a compilation's notices differ)."""
        self._earlier.update(
            {(self.where, name): department for name, department in self._document.items() if name not in self._stale}
        )
        self._stale.clear()
        self._document.clear()
        if document is not None:
            self.where = document_place(document)

    def resolve(self, name: str) -> Department:
        department = self._document.get(name)
        if department is not None:
            return department
        department = self._earlier.get((self.where, name))
        if department is None:
            if self.where.city not in self._aliases:
                self._aliases[self.where.city] = department_aliases(city=self.where.city)
            added = len(self.registry.aliases_added)
            department = department_resolve(
                name=name, where=self.where, aliases=self._aliases[self.where.city], registry=self.registry
            )
            # A new alias sends its name to its body from the next document on, not one read earlier.
            for alias, body in self.registry.aliases_added[added:]:
                if alias in self._document and self._document[alias].pk != body:
                    self._stale.add(alias)
                self._earlier = {
                    key: value for key, value in self._earlier.items() if key[1] != alias or value.pk == body
                }
        self._document[name] = department
        return department


@transaction.atomic
def document_tasks_save(
    *, document, tasks: Iterable[TaskRecord], city: str, departments: DepartmentNames | None = None
) -> list[Task]:
    """Replace a document's tasks with the parsed ones, linking each to registry departments,
    and link the document to the bodies that issued it (its 发文机关).

    Names are read in the document's own place (its issuer's city, else the gazette's `city`);
    `departments` carries resolved names from one document to the next.
    """
    document.tasks.all().delete()
    if departments is None:
        departments = DepartmentNames.load(city=city)
    departments.document_start(document)
    records = list(tasks)
    saved = Task.objects.bulk_create(_task_rows(document, records))
    TaskAssignment.objects.bulk_create(
        [
            row
            for task, record in zip(saved, records, strict=True)
            for row in _assignment_rows(task, record, departments)
        ]
    )
    document_issuers_save(document=document, departments=departments)
    return saved


def imported_documents_tasks_save(*, city: str, documents: list[tuple]) -> None:
    """Save the tasks and 发文机关 links of an import's new documents, resolving names once for the import.

    The documents are new (nothing of theirs to replace), so the rows of all of them are
    written together: three inserts for the import, not five queries a document.
    Registered with gazette.hooks by PoliciesConfig.ready(); runs inside the import's transaction.
    """
    departments = DepartmentNames.load(city=city)
    tasks: list[Task] = []
    assignments: list[TaskAssignment] = []
    issuers: list[DocumentIssuer] = []
    for document, record in documents:
        # Names are resolved in the document's place, in the order document_tasks_save reads them.
        departments.document_start(document)
        rows = _task_rows(document, record.tasks)
        tasks += rows
        for task, task_record in zip(rows, record.tasks, strict=True):
            assignments += _assignment_rows(task, task_record, departments)
        issuers += _issuer_rows(document, departments)
    Task.objects.bulk_create(tasks)  # sets their ids, which the assignments then carry
    TaskAssignment.objects.bulk_create(assignments)
    DocumentIssuer.objects.bulk_create(issuers)


def _task_rows(document, records: list[TaskRecord]) -> list[Task]:
    return [
        Task(
            document=document,
            order=order,
            number=record.number or "",
            text=record.text,
            level=record.level or "",
            deadline=record.deadline or "",
            due=record.due,
            ongoing=record.ongoing,
            block_index=record.block_index,
            row_index=record.row_index,
        )
        for order, record in enumerate(records, start=1)
    ]


def _assignment_rows(task: Task, record: TaskRecord, departments: DepartmentNames) -> list[TaskAssignment]:
    """The task's 牵头 then 配合 departments, each once per role, in the order named."""
    rows: list[TaskAssignment] = []
    seen: set[tuple[int, str]] = set()
    for role, names in ((TaskAssignment.Role.LEAD, record.lead), (TaskAssignment.Role.SUPPORT, record.support)):
        for position, name in enumerate(names):
            department = departments.resolve(name)
            if (department.pk, role) in seen:
                continue
            seen.add((department.pk, role))
            rows.append(TaskAssignment(task=task, department=department, role=role, order=position))
    return rows


def _issuer_rows(document, departments: DepartmentNames) -> list[DocumentIssuer]:
    """The bodies a document's 发文机关 names, each once, in order (深圳市前海…管理局、国家税务总局深圳市税务局: two)."""
    issuers: list[Department] = []
    for name in split_departments(document.issuer or ""):
        department = departments.resolve(name)
        if department not in issuers:
            issuers.append(department)
    return [DocumentIssuer(document=document, department=department, order=n) for n, department in enumerate(issuers)]


@transaction.atomic
def document_issuers_save(*, document, departments: DepartmentNames | None = None) -> list[Department]:
    """Link a document to the bodies its 发文机关 names (深圳市前海…管理局、国家税务总局深圳市税务局: two)."""
    if departments is None:
        departments = DepartmentNames.load(city=document.issue.gazette.city)
        departments.document_start(document)
    DocumentIssuer.objects.filter(document=document).delete()
    rows = DocumentIssuer.objects.bulk_create(_issuer_rows(document, departments))
    return [row.department for row in rows]


@transaction.atomic
def task_progress_record(
    *,
    task: Task,
    department: Department,
    status: str,
    note: str = "",
    reported_on: dt.date | None = None,
    user=None,
) -> TaskProgress:
    """Add a department's progress report on a task (the earlier ones stay as its history).

    Raises ValueError when the department has no part in the task or the status is not one of
    未开始, 推进中, 已完成 (逾期 is never recorded: it follows from the due date).
    """
    if not TaskAssignment.objects.filter(task=task, department=department).exists():
        raise ValueError(f"“{department.name}”不承担这项任务")
    if status not in TaskProgress.Status.values:
        raise ValueError(f"未知的进展：{status}")
    report = TaskProgress.objects.create(
        task=task,
        department=department,
        status=status,
        note=note.strip(),
        reported_on=reported_on or timezone.localdate(),
        recorded_by=user,
    )
    task_assignments_progress_refresh(assignments=TaskAssignment.objects.filter(task=task, department=department))
    return report


def task_assignments_progress_refresh(*, assignments: QuerySet[TaskAssignment]) -> int:
    """Set each assignment's progress_status to its department's latest report on its task ('' when
    none is left), in one UPDATE; how many rows it touched.

    Called in the transaction that adds, changes, deletes or moves reports (here, the admin,
    department_merge), so the status counted for a department is always its latest report's.
    """
    latest = TaskProgress.objects.filter(task=OuterRef("task"), department=OuterRef("department"))
    latest = latest.order_by("-recorded_at", "-pk").values("status")[:1]
    return assignments.update(progress_status=Coalesce(Subquery(latest), Value("")))


@transaction.atomic
def feed_token_create(*, user) -> FeedToken:
    """A new feed token for the user; one made before is revoked, and its addresses stop working."""
    FeedToken.objects.filter(user=user).delete()
    return FeedToken.objects.create(user=user, nonce=secrets.token_hex(32))


@transaction.atomic
def feed_token_revoke(*, user) -> bool:
    """Revoke the user's feed token; False when there was none."""
    deleted, _ = FeedToken.objects.filter(user=user).delete()
    return bool(deleted)


def feed_token_open(*, key: str) -> FeedToken | None:
    """The token a feed address carries, if it is valid and its user active; its last use is noted."""
    pk, _, _ = key.partition("-")
    if not pk.isascii() or not pk.isdigit():
        return None
    token = FeedToken.objects.select_related("user").filter(pk=int(pk), user__is_active=True).first()
    if token is None or not token.opens(key):
        return None
    FeedToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


@transaction.atomic
def task_deadlines_reread(*, tasks=None) -> int:
    """Read every task's deadline text again (after the rules change); how many tasks changed."""
    tasks = Task.objects.all() if tasks is None else tasks
    rows = tasks.values_list(
        "pk", "deadline", "due", "ongoing", "document__date", "document__issue__published", "document__issue__year"
    )
    changed = []
    for pk, text, due, ongoing, written, published, year in rows.iterator(chunk_size=2000):
        when = written or published
        deadline = read_deadline(text, year=when.year if when else year, written=written)
        if (deadline.due, deadline.ongoing) != (due, ongoing):
            changed.append(Task(pk=pk, due=deadline.due, ongoing=deadline.ongoing))
    Task.objects.bulk_update(changed, ["due", "ongoing"], batch_size=1000)
    return len(changed)
