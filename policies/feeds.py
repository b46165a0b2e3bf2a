"""A department's feeds: an iCalendar of its tasks' due dates, and an Atom feed of its new tasks.

Calendars and feed readers fetch them without a session; the views open them with the
user's feed token. The calendar is written by hand to RFC 5545 (all-day events, escaped
text, lines folded at 75 octets, CRLF), which is all it needs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator

from .models import Department, Task, TaskAssignment

# Longest line of a calendar file, in octets, before folding (RFC 5545 §3.1).
ICS_LINE_OCTETS = 75
SUMMARY_CHARS = 60
# New tasks an Atom feed lists, newest first.
ATOM_ENTRIES = 50


def ics_text(text: str) -> str:
    """A TEXT value escaped for iCalendar: backslash, ; and , escaped, line breaks as \\n."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def ics_fold(line: str) -> str:
    """A content line folded to 75 octets a line, never inside a UTF-8 character."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        limit = ICS_LINE_OCTETS if not parts else ICS_LINE_OCTETS - 1  # continuation lines start with a space
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def department_calendar(
    department: Department, tasks: Iterable[Task], *, absolute: Callable[[str], str], roles: dict[int, set[str]]
) -> str:
    """The department's tasks with a due date as all-day events on that date, with their status.

    `tasks` come with_progress(department) and with_document; `roles` maps a task's id to the
    department's roles in it.
    """
    stamp = timezone.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Gongbao//Task due dates//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_text(f'{department.name}任务到期')}",
        "X-WR-TIMEZONE:Asia/Shanghai",
    ]
    for task in tasks:
        if task.due is None:
            continue
        follow_up = task.follow_up
        role = "、".join(label for value, label in TaskAssignment.Role.choices if value in roles.get(task.pk, ()))
        summary = f"【{follow_up.label}】{Truncator(task.text).chars(SUMMARY_CHARS)}"
        description = [
            f"任务：{task.text}",
            f"角色：{role}" if role else "",
            f"完成时限：{task.deadline}" + ("（持续推进）" if task.ongoing else ""),
            f"进展：{follow_up.label}" + _report(follow_up),
            f"来源：{task.document.title}" + (f"（{task.document.doc_number}）" if task.document.doc_number else ""),
            absolute(task.get_absolute_url()),
        ]
        lines += [
            "BEGIN:VEVENT",
            f"UID:task-{task.pk}-department-{department.pk}@gongbao",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{task.due:%Y%m%d}",
            f"DTEND;VALUE=DATE:{task.due + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{ics_text(summary)}",
            f"DESCRIPTION:{ics_text(chr(10).join(part for part in description if part))}",
            f"URL:{absolute(task.get_absolute_url())}",
            f"CATEGORIES:{ics_text(follow_up.label)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(line) + "\r\n" for line in lines)


def _report(follow_up) -> str:
    """（2023年3月1日 报：推进中；已完成招标）: the latest report behind a status, if any."""
    if not follow_up.reported_on:
        return ""
    said = f"{follow_up.reported_on.year}年{follow_up.reported_on.month}月{follow_up.reported_on.day}日报{follow_up.reported_label}"
    return f"（{said}{'；' + follow_up.note if follow_up.note else ''}）"


class DepartmentTasksFeed(Feed):
    """New tasks of a department (lead or support), newest first, as Atom."""

    feed_type = Atom1Feed

    def get_object(self, request, department: Department):
        return department

    def title(self, department: Department) -> str:
        return f"{department.name}的新任务"

    def subtitle(self, department: Department) -> str:
        return f"公报库中由{department.name}牵头或配合的任务，按导入时间从新到旧。"

    def link(self, department: Department) -> str:
        return department.get_absolute_url()

    def items(self, department: Department):
        tasks = Task.objects.for_department(department).with_document_summary().with_departments()
        return tasks.order_by("-created_at", "-pk")[:ATOM_ENTRIES]

    def item_title(self, task: Task) -> str:
        return Truncator(task.text).chars(80)

    def item_description(self, task: Task) -> str:
        leads = "、".join(d.name for d in task.leads) or "—"
        supports = "、".join(d.name for d in task.supports) or "—"
        number = f"（{task.document.doc_number}）" if task.document.doc_number else ""
        return (
            f"{task.text}\n牵头：{leads}；配合：{supports}\n完成时限：{task.deadline or '—'}\n"
            f"来源：{task.document.title}{number}"
        )

    def item_link(self, task: Task) -> str:
        return task.get_absolute_url()

    def item_pubdate(self, task: Task):
        return task.created_at

    def item_updateddate(self, task: Task):
        return task.created_at
