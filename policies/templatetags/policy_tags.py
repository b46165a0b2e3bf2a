"""Markup the task tables repeat per task and department, built in Python (policies' own tags).

A plan's page has hundreds of task rows and a thousand department links; an `{% include %}`
and a filter call for each took most of the page's time. These tags build the same markup
in one call each. Every text goes through `escape`/`format_html`. gazette's templates load
them to show a document's tasks: gazette itself never imports policies.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from django import template
from django.template.loader import get_template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from gazette.models import Document
from gazette.templatetags.gazette_tags import truncate_text

from ..models import Department, FollowUp, Task, TaskRow, TaskSummary, task_rows

register = template.Library()

NO_DEPARTMENT = mark_safe('<span class="muted">—</span>')
# Texts in a table of tasks are cut to these many characters (each links to the full text).
TASK_TEXT_CHARS = 120
DEPARTMENT_TASK_TEXT_CHARS = 160
SOURCE_TITLE_CHARS = 50
# Whether a task's source document still holds (尚未施行, 现行有效, 已废止…): the partial results use.
VALIDITY_BADGE = "includes/validity_badge.html"
LEAD_ROLE = mark_safe('<span class="role role-lead">牵头</span>')
SUPPORT_ROLE = mark_safe('<span class="role role-support">配合</span>')


@register.simple_tag
def document_tasks(document: Document) -> list[TaskRow]:
    """A document's tasks in order, with their departments and latest progress (`as task_rows`)."""
    return task_rows(document.tasks.with_progress().order_by("order"))


@register.simple_tag
def tasks_summary(rows: list[TaskRow]) -> TaskSummary:
    """What a task document's summary box says of these rows (`as task_summary`)."""
    return TaskSummary.of(rows)


@register.simple_tag
def registry_counts() -> dict[str, int]:
    """Tasks and departments in the knowledge base, for the home page's counts."""
    return {"tasks": Task.objects.count(), "departments": Department.objects.count()}


@register.simple_tag(takes_context=True)
def document_task_rows(context, rows: Iterable[TaskRow]) -> SafeString:
    """A document's task table rows: number and level, the task linked to its paragraph or table row,
    lead and support departments, deadline and due date, the latest progress. Each cell is labelled
    for the phone, where a row is shown as a card."""
    # A long body is shown in parts: a task's paragraph may be on another part's page.
    parts = context.get("body_parts")
    html = []
    for row in rows:
        task = row.task
        number = escape(task.number)
        if task.level:
            number = format_html('{}<br><span class="muted">{}</span>', number, task.level)
        text = truncate_text(task.text, TASK_TEXT_CHARS)
        if task.anchor:
            href = parts.href(task.anchor) if parts else f"#{task.anchor}"
            text = format_html('<a href="{}">{}</a>', href, text)
        else:
            text = escape(text)
        leads = department_links(context, row.leads)
        supports = department_links(context, row.supports)
        html.append(
            f'<tr><td data-label="序号">{number}</td><td data-label="任务">{text}</td>'
            f'<td data-label="牵头">{leads}</td><td data-label="配合">{supports}</td>'
            f'<td data-label="时限">{task_deadline(task)}</td>'
            f'<td data-label="状态">{task_status(task, with_department=True)}</td></tr>'
        )
    return mark_safe("\n".join(html))  # noqa: S308 — every value above went through escape or format_html


@register.simple_tag(takes_context=True)
def department_task_rows(context, rows: Iterable[TaskRow], department: Department) -> SafeString:
    """A department's task table, one <tbody> per run of tasks from one source document (its header
    row names the document and shows its validity badge): the department's roles, the task linked
    to where it was read, deadline and due date, its latest progress (with a link to record more),
    lead and support departments."""
    html = []
    request = context.get("request")
    badge = get_template(VALIDITY_BADGE)
    # The status links to the task's page for this department, which offers the progress form
    # to those allowed to record and comes back here after.
    back = urlencode({"department": department.pk, "next": request.get_full_path() if request else ""})
    document = None
    for row in rows:
        task, leads, supports = row.task, row.leads, row.supports
        if task.document_id != getattr(document, "pk", None):
            if document is not None:
                html.append("</tbody>")
            document = task.document
            source = _source_document(document)
            # The same badge as on results and document pages, rendered once per source document.
            validity = badge.render({"document": document}).strip()
            if validity:
                # strip() drops the SafeString mark of the template's (escaped) output.
                source = format_html("{} {}", source, mark_safe(validity))  # noqa: S308
            html.append(f'<tbody><tr class="task-group"><th colspan="5" scope="rowgroup">{source}</th></tr>')
        roles = "".join(
            label for label, departments in ((LEAD_ROLE, leads), (SUPPORT_ROLE, supports)) if department in departments
        )
        number = format_html('<span class="muted">{}</span> ', task.number) if task.number else ""
        text = format_html('<a href="{}">{}</a>', task.url, truncate_text(task.text, DEPARTMENT_TASK_TEXT_CHARS))
        level = format_html('<br><span class="muted">{}</span>', task.level) if task.level else ""
        status = task_status(task, query=back)
        if context.get("can_record"):
            record = f"{task.get_absolute_url()}?{back}#record-title"
            status = format_html('{}<br><a class="record" href="{}">登记进展</a>', status, record)
        lead_links, support_links = department_links(context, leads), department_links(context, supports)
        html.append(
            f'<tr><td data-label="角色">{roles}</td><td data-label="任务">{number}{text}{level}</td>'
            f'<td data-label="时限">{task_deadline(task)}</td><td data-label="状态">{status}</td>'
            f'<td data-label="牵头 / 配合"><span class="muted">牵头：</span>{lead_links}<br>'
            f'<span class="muted">配合：</span>{support_links}</td></tr>'
        )
    if document is not None:
        html.append("</tbody>")
    return mark_safe("\n".join(html))  # noqa: S308 — every value above went through escape or format_html


@register.simple_tag
def task_deadline(task: Task) -> SafeString:
    """The deadline as printed, then what it was read as: the due date (and 持续推进 beside a date),
    or 未识别为日期; a text that only says the work goes on is shown as it is."""
    if not task.deadline:
        return NO_DEPARTMENT
    if task.due:
        due = task.due
        ongoing = mark_safe(' <span class="badge ongoing">持续推进</span>') if task.ongoing else ""
        return format_html(
            '{}<br><time class="due" datetime="{}">{}年{}月{}日到期</time>{}',
            task.deadline,
            due.isoformat(),
            due.year,
            due.month,
            due.day,
            ongoing,
        )
    if task.deadline_unread:
        return format_html('{}<br><span class="muted">（未识别为日期）</span>', task.deadline)
    return format_html('<span class="ongoing-text">{}</span>', task.deadline)


def task_status(task: Task, *, with_department: bool = False, query: str = "") -> SafeString:
    """The task's follow-up status as a badge linked to its page (with `query`), with the latest
    report's date and note."""
    follow_up: FollowUp = task.follow_up
    href = f"{task.get_absolute_url()}?{query}" if query else task.get_absolute_url()
    badge = format_html(
        '<a class="status status-{}" href="{}" title="查看或登记进展">{}</a>', follow_up.status, href, follow_up.label
    )
    if not follow_up.reported_on:
        return badge
    day = follow_up.reported_on
    who = f"{follow_up.department} " if with_department and follow_up.department else ""
    said = f"{who}{day.month}月{day.day}日报{follow_up.reported_label}"
    note = format_html("：{}", truncate_text(follow_up.note, 60)) if follow_up.note else ""
    return format_html('{}<br><span class="muted report">{}{}</span>', badge, said, note)


def _source_document(document: Document) -> SafeString:
    title = truncate_text(document.title, SOURCE_TITLE_CHARS)
    number = format_html(" {}", document.doc_number) if document.doc_number else ""
    issue = document.issue
    return format_html(
        '<a href="{}">{}</a>{} <span class="muted">{} {}</span>',
        document.get_absolute_url(),
        title,
        number,
        issue.gazette.name,
        issue.label,
    )


@register.simple_tag(takes_context=True)
def department_links(context, departments: Iterable[Department]) -> SafeString:
    """Links to these departments joined by 、, or a muted dash when there are none."""
    # Each department's link is built once per page: a plan names the same ones task after task.
    built = context.render_context.setdefault("department_links", {})
    links = []
    for department in departments:
        link = built.get(department.pk)
        if link is None:
            link = built[department.pk] = format_html(
                '<a href="{}">{}</a>', department.get_absolute_url(), department.name
            )
        links.append(link)
    return mark_safe("、".join(links)) if links else NO_DEPARTMENT  # noqa: S308 — joins format_html output
