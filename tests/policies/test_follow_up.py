"""Follow-up (督查): a department's tasks by due date and status, progress with its history,
feeds opened by a revocable token, and exports with dates as dates."""

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from policies.models import FeedToken, FollowUp, Task, TaskAssignment, TaskProgress, TaskSummary, task_rows
from policies.services import (
    department_merge,
    feed_token_create,
    feed_token_revoke,
    task_deadlines_reread,
    task_progress_record,
)
from tests.factories import (
    DepartmentFactory,
    DocumentFactory,
    StaffFactory,
    TaskAssignmentFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LEAD, SUPPORT = TaskAssignment.Role.LEAD, TaskAssignment.Role.SUPPORT
TODAY = timezone.localdate()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture
def reader(client):
    client.force_login(UserFactory(username="reader"))
    return client


@pytest.fixture
def recorder():
    """A staff member allowed to record progress (policies.add_taskprogress), not a superuser."""
    user = UserFactory(username="recorder")
    user.user_permissions.add(Permission.objects.get(codename="add_taskprogress"))
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def commerce():
    """市商务局 leads six tasks of two plans: overdue, due in 20, 60 and 200 days, ongoing, unread."""
    department = DepartmentFactory(city="贺州市", name="市商务局")
    plan = DocumentFactory(title="贺州市冷链物流实施方案的通知", doc_number="贺政办发〔2024〕1号")
    other = DocumentFactory(title="贺州市电子商务行动计划的通知", doc_number="贺政办发〔2024〕2号")
    specs = [
        (plan, "建设冷库设施", "2024年底前", days(-10), False),
        (plan, "培育冷链企业", "一个月内", days(20), False),
        (other, "开展电商培训", "下季度", days(60), False),
        (other, "建设电商园区", "明年底前", days(200), False),
        (plan, "规范冷链监管", "长期推进", None, True),
        (other, "研究扶持政策", "按国家部署", None, False),
    ]
    tasks = {}
    for order, (document, text, deadline, due, ongoing) in enumerate(specs, start=1):
        task = TaskFactory(document=document, order=order, text=text, deadline=deadline, due=due, ongoing=ongoing)
        TaskAssignmentFactory(task=task, department=department, role=LEAD)
        tasks[text] = task
    return department, tasks


def shown(html: str) -> list[str]:
    """The task texts a department page lists, in order."""
    return re.findall(r'<td data-label="任务">(?:<span class="muted">\d+</span> )?<a href="[^"]*">([^<]+)</a>', html)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("when=overdue", ["建设冷库设施"]),
        ("when=30", ["培育冷链企业"]),
        ("when=90", ["培育冷链企业", "开展电商培训"]),
        ("when=ongoing", ["规范冷链监管"]),
        ("when=unread", ["研究扶持政策"]),
        ("q=电商", ["开展电商培训", "建设电商园区"]),
        ("status=overdue", ["建设冷库设施"]),
    ],
)
def test_department_follow_up_filters(reader, commerce, query, expected):
    department, _ = commerce
    html = reader.get(f"{department.get_absolute_url()}?{query}&sort=due").content.decode()

    assert shown(html) == expected


def test_due_year_keeps_only_tasks_due_that_year(reader, commerce):
    department, tasks = commerce
    year = days(200).year

    html = reader.get(f"{department.get_absolute_url()}?due_year={year}&sort=due").content.decode()

    assert shown(html) == [task.text for task in tasks.values() if task.due and task.due.year == year]


def test_sorting_by_due_date_puts_the_soonest_first_and_undated_last(reader, commerce):
    department, _ = commerce

    html = reader.get(f"{department.get_absolute_url()}?sort=due").content.decode()

    assert shown(html)[:4] == ["建设冷库设施", "培育冷链企业", "开展电商培训", "建设电商园区"]
    assert set(shown(html)[4:]) == {"规范冷链监管", "研究扶持政策"}


def test_department_tasks_are_grouped_by_source_document(reader, commerce):
    department, tasks = commerce

    html = reader.get(department.get_absolute_url()).content.decode()

    groups = re.findall(
        r'<tbody><tr class="task-group"><th colspan="5" scope="rowgroup"><a href="[^"]+">([^<]+)</a>', html
    )
    assert sorted(groups) == ["贺州市冷链物流实施方案的通知", "贺州市电子商务行动计划的通知"]
    plan = html.split(groups[0])[1].split("</tbody>")[0]
    assert len(shown(plan)) == 3


def test_department_page_counts_what_needs_following_up(reader, commerce):
    department, _ = commerce

    html = reader.get(department.get_absolute_url()).content.decode()

    counts = html.split('aria-label="跟踪概况"')[1].split("</ul>")[0]
    assert '<span class="count">1</span> 项已逾期' in counts
    assert '<span class="count">1</span> 项 30 天内到期' in counts
    assert '<span class="count">2</span> 项 90 天内到期' in counts
    assert '<span class="count">1</span> 项持续推进' in counts
    assert '<span class="count">1</span> 项时限未识别' in counts


def test_deadline_cell_says_what_the_text_was_read_as(reader, commerce):
    department, tasks = commerce

    html = reader.get(department.get_absolute_url()).content.decode()

    due = tasks["建设冷库设施"].due
    assert (
        f'2024年底前<br><time class="due" datetime="{due.isoformat()}">{due.year}年{due.month}月{due.day}日到期</time>'
        in html
    )
    assert '<span class="ongoing-text">长期推进</span>' in html
    assert '按国家部署<br><span class="muted">（未识别为日期）</span>' in html


# --- Progress ---------------------------------------------------------------------------


def test_recorded_progress_keeps_its_history_and_the_latest_is_the_status(commerce):
    department, tasks = commerce
    task = tasks["培育冷链企业"]
    user = StaffFactory(username="editor")

    task_progress_record(task=task, department=department, status="in_progress", note="已选址", user=user)
    task_progress_record(task=task, department=department, status="done", note="已投产", user=user)

    history = list(task.progress.values_list("status", "note", "recorded_by__username"))
    assert history == [("done", "已投产", "editor"), ("in_progress", "已选址", "editor")]
    annotated = Task.objects.with_progress(department).get(pk=task.pk)
    assert annotated.follow_up.status == FollowUp.DONE and annotated.follow_up.note == "已投产"


def test_a_task_past_due_and_not_done_is_overdue_whatever_was_reported(commerce):
    department, tasks = commerce
    task = tasks["建设冷库设施"]
    task_progress_record(task=task, department=department, status="in_progress")

    follow_up = Task.objects.with_progress(department).get(pk=task.pk).follow_up

    assert (follow_up.status, follow_up.label, follow_up.reported_label) == ("overdue", "逾期", "推进中")


def test_progress_of_a_department_without_a_part_in_the_task_is_refused(commerce):
    _, tasks = commerce

    with pytest.raises(ValueError, match="不承担这项任务"):
        task_progress_record(task=tasks["建设冷库设施"], department=DepartmentFactory(name="市审计局"), status="done")


def test_staff_with_the_permission_record_progress_and_go_back_to_the_department(recorder, commerce):
    department, tasks = commerce
    task = tasks["培育冷链企业"]
    back = department.get_absolute_url() + "?when=30"

    page = recorder.get(f"{task.get_absolute_url()}?department={department.pk}&next={back}").content.decode()
    assert f'<option value="{department.pk}" selected>' in page
    response = recorder.post(
        task.get_absolute_url(),
        {
            "department": department.pk,
            "status": "in_progress",
            "reported_on": TODAY.isoformat(),
            "note": "已签约",
            "next": back,
        },
    )

    assert response.status_code == 302 and response["Location"] == back
    html = recorder.get(back).content.decode()
    assert "status-in_progress" in html and f"{TODAY.month}月{TODAY.day}日报推进中：已签约" in html
    report = TaskProgress.objects.get()
    assert (report.recorded_by, report.department, report.reported_on) == (recorder.user, department, TODAY)


def test_task_page_shows_who_recorded_what_and_when(recorder, commerce):
    department, tasks = commerce
    task = tasks["培育冷链企业"]
    task_progress_record(task=task, department=department, status="in_progress", note="已选址", user=recorder.user)

    html = recorder.get(task.get_absolute_url()).content.decode()

    history = html.split('id="history-title"')[1]
    assert "推进中</span> <strong>市商务局</strong>" in history and "已选址" in history
    assert "recorder 登记于" in history


def test_a_reader_sees_progress_but_cannot_record_it(reader, commerce):
    department, tasks = commerce
    task = tasks["培育冷链企业"]

    page = reader.get(task.get_absolute_url()).content.decode()
    response = reader.post(task.get_absolute_url(), {"department": department.pk, "status": "done"})

    assert "各单位进展" in page and "登记进展" not in page
    assert response.status_code == 403 and not TaskProgress.objects.exists()


def test_progress_in_the_future_or_for_another_department_is_refused_with_the_form(recorder, commerce):
    department, tasks = commerce
    task = tasks["培育冷链企业"]

    future = recorder.post(
        task.get_absolute_url(), {"department": department.pk, "status": "done", "reported_on": days(3).isoformat()}
    )
    stranger = recorder.post(
        task.get_absolute_url(), {"department": DepartmentFactory(name="市审计局").pk, "status": "done"}
    )

    assert future.status_code == 400 and "进展日期不能晚于今天。" in future.content.decode()
    assert stranger.status_code == 400 and not TaskProgress.objects.exists()


def test_external_next_addresses_are_not_followed(recorder, commerce):
    department, tasks = commerce
    task = tasks["培育冷链企业"]

    response = recorder.post(
        task.get_absolute_url(),
        {
            "department": department.pk,
            "status": "done",
            "reported_on": TODAY.isoformat(),
            "next": "https://evil.example/",
        },
    )

    assert response["Location"] == task.get_absolute_url()


def test_document_page_shows_the_latest_status_of_each_task(reader, commerce):
    department, tasks = commerce
    task = tasks["培育冷链企业"]
    task_progress_record(task=task, department=department, status="done", note="已投产")

    html = reader.get(task.document.get_absolute_url()).content.decode()

    row = html.split("培育冷链企业")[-1].split("</tr>")[0]
    assert f'<td data-label="状态"><a class="status status-done" href="{task.get_absolute_url()}"' in row
    assert f"市商务局 {TODAY.month}月{TODAY.day}日报已完成：已投产" in row
    overdue = html.split("建设冷库设施")[-1].split("</tr>")[0]
    assert "status-overdue" in overdue


def test_merging_a_department_moves_its_progress_history(commerce):
    department, tasks = commerce
    typo = DepartmentFactory(name="市商务局局")
    TaskAssignmentFactory(task=tasks["培育冷链企业"], department=typo, role=SUPPORT)
    task_progress_record(task=tasks["培育冷链企业"], department=typo, status="in_progress")

    department_merge(department=typo, into=department)

    assert list(TaskProgress.objects.values_list("department", flat=True)) == [department.pk]


# --- Feeds ------------------------------------------------------------------------------


def calendar_url(department, token) -> str:
    return reverse("policies:department-calendar", args=[department.pk, token.key])


def test_calendar_feed_opens_with_a_token_and_no_session(commerce):
    department, tasks = commerce
    token = feed_token_create(user=UserFactory(username="calendar-owner"))
    task_progress_record(
        task=tasks["培育冷链企业"], department=department, status="in_progress", note="已选址;待招标, 下周开标"
    )

    response = Client().get(calendar_url(department, token))

    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    unfolded = body.replace("\r\n ", "")
    assert unfolded.count("BEGIN:VEVENT") == 4  # the dated tasks only
    event = unfolded.split("BEGIN:VEVENT")[2]
    due = tasks["培育冷链企业"].due
    assert (
        f"DTSTART;VALUE=DATE:{due:%Y%m%d}" in event and f"DTEND;VALUE=DATE:{due + dt.timedelta(days=1):%Y%m%d}" in event
    )
    assert "SUMMARY:【推进中】培育冷链企业" in event
    assert "已选址\\;待招标\\, 下周开标" in event and "角色：牵头" in event
    assert FeedToken.objects.get().last_used_at is not None


@pytest.mark.parametrize("mangle", ["wrong", "revoked", "inactive", "other-id"])
def test_feeds_refuse_a_bad_or_revoked_token(commerce, mangle):
    department, _ = commerce
    user = UserFactory(username="calendar-owner")
    token = feed_token_create(user=user)
    key = token.key
    if mangle == "wrong":
        key = key[:-4] + "0000"
    elif mangle == "revoked":
        feed_token_revoke(user=user)
    elif mangle == "inactive":
        user.is_active = False
        user.save()
    elif mangle == "other-id":
        key = f"{token.pk + 1}-{key.split('-', 1)[1]}"

    for name in ("policies:department-calendar", "policies:department-atom"):
        response = Client().get(reverse(name, args=[department.pk, key]))
        assert response.status_code == 403 and "订阅地址无效或已撤销" in response.content.decode()


def test_a_new_token_revokes_the_old_addresses_and_the_database_holds_no_key(commerce):
    department, _ = commerce
    user = UserFactory(username="calendar-owner")
    old = feed_token_create(user=user)
    old_key = old.key

    new = feed_token_create(user=user)

    assert Client().get(reverse("policies:department-calendar", args=[department.pk, old_key])).status_code == 403
    assert Client().get(calendar_url(department, new)).status_code == 200
    stored = FeedToken.objects.values_list("nonce", flat=True).get()
    assert new.key.split("-", 1)[1] not in stored


def test_atom_feed_lists_new_tasks_newest_first(commerce):
    department, tasks = commerce
    Task.objects.filter(pk=tasks["研究扶持政策"].pk).update(created_at=timezone.now() + dt.timedelta(hours=1))
    token = feed_token_create(user=UserFactory(username="reader-app"))

    response = Client().get(reverse("policies:department-atom", args=[department.pk, token.key]))

    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    assert body.count("<entry>") == 6
    assert body.index("研究扶持政策") < body.index("建设冷库设施")
    assert f"http://testserver{tasks['研究扶持政策'].get_absolute_url()}" in body


def test_user_page_makes_shows_and_revokes_the_token(reader, commerce):
    department, _ = commerce
    page = reverse("policies:feed-token") + f"?department={department.pk}"

    assert "你还没有订阅令牌" in reader.get(page).content.decode()
    reader.post(page, {"action": "create"})
    html = reader.get(page).content.decode()
    token = FeedToken.objects.get()
    assert calendar_url(department, token) in html and token.fingerprint in html
    reader.post(page, {"action": "revoke"})
    assert not FeedToken.objects.exists()


# --- Exports ----------------------------------------------------------------------------


def test_csv_export_carries_due_dates_and_progress_of_the_filtered_list(reader, commerce):
    department, tasks = commerce
    task_progress_record(task=tasks["培育冷链企业"], department=department, status="in_progress", note="已选址")

    response = reader.get(f"{department.get_absolute_url()}?when=90&format=csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:9] == ["单位", "角色", "序号", "任务", "牵头单位", "配合单位", "完成时限", "到期日期", "持续推进"]
    assert {row[3] for row in rows[1:]} == {"培育冷链企业", "开展电商培训"}
    row = next(row for row in rows[1:] if row[3] == "培育冷链企业")
    assert row[header.index("到期日期")] == days(20).isoformat()
    assert (row[header.index("进展")], row[header.index("进展说明")]) == ("推进中", "已选址")


def test_excel_export_writes_due_dates_as_date_cells(reader, commerce):
    department, tasks = commerce
    tasks["规范冷链监管"].text = "=SUM(A1)"
    tasks["规范冷链监管"].save()

    response = reader.get(f"{department.get_absolute_url()}?format=xlsx&sort=due")

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    due = sheet.cell(row=2, column=header.index("到期日期") + 1)
    assert due.is_date and due.value.date() == days(-10) and due.number_format == "yyyy-mm-dd"
    assert sheet.max_row == 7
    formula = next(row for row in sheet.iter_rows(min_row=2) if row[header.index("任务")].value == "=SUM(A1)")
    assert formula[header.index("任务")].data_type == "s"  # kept as text, never run
    assert [row[header.index("持续推进")].value for row in sheet.iter_rows(min_row=2)].count("是") == 1


def test_a_documents_task_list_exports_too(reader, commerce):
    _, tasks = commerce
    document = tasks["建设冷库设施"].document

    response = reader.get(reverse("policies:document-tasks-export", args=[document.pk]) + "?format=xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == ["建设冷库设施", "培育冷链企业", "规范冷链监管"]


# --- Task documents people can read -----------------------------------------------------


def test_summary_counts_tasks_leads_and_due_range(commerce):
    department, tasks = commerce
    document = tasks["建设冷库设施"].document
    task_progress_record(task=tasks["培育冷链企业"], department=department, status="done")

    summary = TaskSummary.of(task_rows(Task.objects.filter(document=document).with_progress().order_by("order")))

    assert (summary.count, summary.ongoing, summary.overdue, summary.done, summary.unread) == (3, 1, 1, 1, 0)
    assert [(lead.name, count) for lead, count in summary.leads] == [("市商务局", 3)]
    assert (summary.first_due, summary.last_due) == (days(-10), days(20))


def test_document_page_opens_with_a_summary_linking_to_the_task_table(reader, commerce):
    _, tasks = commerce
    document = tasks["建设冷库设施"].document

    html = reader.get(document.get_absolute_url()).content.decode()

    summary = html.split('class="task-summary"')[1].split("</section>")[0]
    assert "本文件分解任务 <strong>3</strong> 项" in summary and '<a href="#tasks-title">查看任务分工表</a>' in summary
    assert html.index('class="task-summary"') < html.index('class="doc-body"') < html.index('id="tasks-title"')


def test_deadlines_command_counts_and_rereads(commerce, capsys):
    from django.core.management import call_command

    _, tasks = commerce
    Task.objects.filter(pk=tasks["规范冷链监管"].pk).update(ongoing=False)

    call_command("deadlines", "--reread")

    out = capsys.readouterr().out
    assert "有完成时限的任务 6 项" in out and "未能识别" in out and "按国家部署" in out
    assert Task.objects.get(pk=tasks["规范冷链监管"].pk).ongoing
    assert task_deadlines_reread() == 0


def test_only_those_allowed_see_the_record_link_on_the_department_page(reader, recorder, commerce):
    department, tasks = commerce

    allowed = recorder.get(department.get_absolute_url()).content.decode()
    denied = reader.get(department.get_absolute_url()).content.decode()

    assert allowed.count('class="record"') == 6 and 'class="record"' not in denied
    record = f"{tasks['建设冷库设施'].get_absolute_url()}?department={department.pk}&amp;next=%2Fdepartments%2F"
    assert record in allowed


def test_hostile_task_text_is_escaped_on_the_task_page_and_cannot_add_calendar_properties(reader, commerce):
    department, tasks = commerce
    task = tasks["培育冷链企业"]
    task.text = "<script>alert(1)</script>\r\nATTACH:http://evil.example/x;\\"
    task.save()
    token = feed_token_create(user=UserFactory(username="calendar-owner"))

    page = reader.get(task.get_absolute_url()).content.decode()
    ics = Client().get(calendar_url(department, token)).content.decode().replace("\r\n ", "")

    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\r\nATTACH:" not in ics
    assert "SUMMARY:【推进中】" not in ics and "&lt;script" not in ics
    assert "<script>alert(1)</script>\\nATTACH:http://evil.example/x\\;\\\\" in ics
