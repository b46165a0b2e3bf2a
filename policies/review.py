"""The review queue: bodies whose new name looks like an existing body's, with their best matches."""

from __future__ import annotations

from dataclasses import dataclass, field

from gazette.importer.bodies import body_likeness, former_name_of

from .models import Department, DepartmentAlias, Task

# How many matches and tasks a queue entry shows.
MATCHES_SHOWN = 3
TASKS_SHOWN = 5


@dataclass
class Match:
    """An existing body a reviewed one may be: how alike, why, and which way a merge goes.

    `former` is True when the match is a former name of the reviewed body (市工商局 of a new
    市市场监管局): merging then moves the match into the reviewed body, not the other way.
    """

    department: Department
    likeness: float
    reason: str
    former: bool = False
    # Kept with the alias a merge records: the renaming, for a former name.
    note: str = ""


@dataclass
class ReviewEntry:
    department: Department
    matches: list[Match] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)


def review_matches(department: Department, limit: int = MATCHES_SHOWN) -> list[Match]:
    """The bodies of its place a reviewed body most likely is, best first."""
    neighbours = list(Department.objects.in_place_of(department).filter(is_group=False).with_task_counts())
    alias_of = set(
        DepartmentAlias.objects.filter(alias=department.name, department__in=neighbours).values_list(
            "department_id", flat=True
        )
    )
    matches = []
    for other in neighbours:
        if other.pk in alias_of:
            matches.append(Match(other, 1.0, f"“{department.name}”已记为它的别名"))
        elif note := former_name_of(department.name, other.name):
            matches.append(Match(other, 0.95, note, note=note))
        elif note := former_name_of(other.name, department.name):
            matches.append(Match(other, 0.95, note, former=True, note=note))
        elif likeness := body_likeness(department.name, other.name):
            matches.append(Match(other, likeness, f"名称相近（相似度 {likeness:.0%}）"))
    matches.sort(key=lambda match: (-match.likeness, match.department.sort_key))
    return matches[:limit]


def review_entries(departments: list[Department]) -> list[ReviewEntry]:
    """Queue entries for these reviewed bodies: each with its best matches and first tasks."""
    entries = []
    for department in departments:
        tasks = list(Task.objects.for_department(department).with_document_summary().in_reading_order()[:TASKS_SHOWN])
        entries.append(ReviewEntry(department, review_matches(department), tasks))
    return entries
