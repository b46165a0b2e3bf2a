"""Writes for task assignments and the department registry."""

from __future__ import annotations

from collections.abc import Iterable

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
    rows = DepartmentAlias.objects.filter(Q(city="") | Q(city=city)).order_by("-city").values_list("alias", "canonical", "city")
    result: dict[str, str] = {}
    for alias, canonical, row_city in rows:
        if row_city == city or alias not in result:
            result[alias] = canonical
    return result


@transaction.atomic
def document_tasks_save(*, document, tasks: Iterable[TaskRecord], city: str) -> list[Task]:
    """Replace a document's tasks with the parsed ones, linking each to registry departments."""
    document.tasks.all().delete()
    aliases = department_aliases(city=city)
    cache: dict[str, Department] = {}

    def resolve(name: str) -> Department:
        if name not in cache:
            cache[name] = department_resolve(name=name, city=city, aliases=aliases)
        return cache[name]

    saved: list[Task] = []
    assignments: list[TaskAssignment] = []
    for order, record in enumerate(tasks, start=1):
        task = Task.objects.create(
            document=document,
            order=order,
            number=record.number or "",
            text=record.text,
            level=record.level or "",
            deadline=record.deadline or "",
            block_index=record.block_index,
            row_index=record.row_index,
        )
        seen: set[tuple[int, str]] = set()
        for role, names in ((TaskAssignment.Role.LEAD, record.lead), (TaskAssignment.Role.SUPPORT, record.support)):
            for position, name in enumerate(names):
                department = resolve(name)
                if (department.pk, role) in seen:
                    continue
                seen.add((department.pk, role))
                assignments.append(TaskAssignment(task=task, department=department, role=role, order=position))
        saved.append(task)
    TaskAssignment.objects.bulk_create(assignments)
    return saved
