"""Writes for task assignments and the department registry."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from gazette.importer.departments import canonical_name, parse_department
from gazette.importer.records import TaskRecord

from .models import Department, DepartmentAlias, Task, TaskAssignment


def department_resolve(*, name: str, city: str, aliases: dict[str, str] | None = None) -> Department:
    """The registry's department for a normalised name in a city, following the alias table.

    A bracketed alias (市发展改革委（市大数据发展局）) is recorded in the alias table of the city,
    and `aliases` (if given) is updated with it.
    """
    if aliases is None:
        aliases = department_aliases(city=city)
    parsed = parse_department(name)
    canonical = canonical_name(parsed.name, aliases)
    department, _ = Department.objects.get_or_create(city=city, name=canonical)
    for alias in parsed.aliases:
        if alias != canonical and alias not in aliases:
            DepartmentAlias.objects.get_or_create(city=city, alias=alias, defaults={"canonical": canonical})
            aliases[alias] = canonical
    return department


def department_aliases(*, city: str) -> dict[str, str]:
    """Alias → canonical name for a city; city-specific entries override the general ones."""
    rows = (
        DepartmentAlias.objects.filter(Q(city="") | Q(city=city))
        .order_by("-city")
        .values_list("alias", "canonical", "city")
    )
    result: dict[str, str] = {}
    for alias, canonical, row_city in rows:
        if row_city == city or alias not in result:
            result[alias] = canonical
    return result


@dataclass
class DepartmentNames:
    """A city's registry as the documents of one import read it: aliases read once, names resolved once.

    An issue of 50 plans names the same few dozen bodies thousands of times, and resolving
    a name asks the database (get_or_create) each time. A name resolved for an earlier
    document is reused while the alias table still maps it to the same body (an alias
    added since may not); within a document a name is resolved once, as before.
    """

    city: str
    aliases: dict[str, str]
    _document: dict[str, Department] = field(default_factory=dict)
    _earlier: dict[str, Department] = field(default_factory=dict)

    @classmethod
    def load(cls, *, city: str) -> DepartmentNames:
        return cls(city=city, aliases=department_aliases(city=city))

    def document_start(self) -> None:
        self._earlier.update(self._document)
        self._document.clear()

    def resolve(self, name: str) -> Department:
        department = self._document.get(name)
        if department is not None:
            return department
        department = self._earlier.get(name)
        # Its aliases were recorded when it was first resolved: only the mapping can change.
        if department is None or department.name != canonical_name(parse_department(name).name, self.aliases):
            department = department_resolve(name=name, city=self.city, aliases=self.aliases)
        self._document[name] = department
        return department


@transaction.atomic
def document_tasks_save(
    *, document, tasks: Iterable[TaskRecord], city: str, departments: DepartmentNames | None = None
) -> list[Task]:
    """Replace a document's tasks with the parsed ones, linking each to registry departments.

    `departments` (of the same city) carries resolved names from one document to the next.
    """
    document.tasks.all().delete()
    if departments is None:
        departments = DepartmentNames.load(city=city)
    departments.document_start()
    records = list(tasks)
    saved = Task.objects.bulk_create(
        [
            Task(
                document=document,
                order=order,
                number=record.number or "",
                text=record.text,
                level=record.level or "",
                deadline=record.deadline or "",
                block_index=record.block_index,
                row_index=record.row_index,
            )
            for order, record in enumerate(records, start=1)
        ]
    )
    assignments: list[TaskAssignment] = []
    for task, record in zip(saved, records, strict=True):
        seen: set[tuple[int, str]] = set()
        for role, names in ((TaskAssignment.Role.LEAD, record.lead), (TaskAssignment.Role.SUPPORT, record.support)):
            for position, name in enumerate(names):
                department = departments.resolve(name)
                if (department.pk, role) in seen:
                    continue
                seen.add((department.pk, role))
                assignments.append(TaskAssignment(task=task, department=department, role=role, order=position))
    TaskAssignment.objects.bulk_create(assignments)
    return saved
