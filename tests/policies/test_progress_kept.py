"""Each assignment keeps its department's latest progress status, which the department page
counts and filters by: it must follow every report added, changed, deleted or moved, through
the service, the admin and a merge, and the migration fills it for reports made before it."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from policies.models import FollowUp, TaskAssignment, TaskProgress
from policies.services import department_merge, task_progress_record
from tests.factories import DepartmentFactory, DocumentFactory, TaskAssignmentFactory, TaskFactory

pytestmark = pytest.mark.django_db

LEAD, SUPPORT = TaskAssignment.Role.LEAD, TaskAssignment.Role.SUPPORT
TODAY = timezone.localdate()
COUNTED = ("overdue", "due_30", "due_90", "ongoing")


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture
def commerce():
    """市商务局 leads an overdue task, one due in 20 days, one in 60, and an ongoing one."""
    department = DepartmentFactory(city="贺州市", name="市商务局")
    plan = DocumentFactory(title="贺州市冷链物流实施方案的通知")
    tasks = {}
    for order, (text, due, ongoing) in enumerate(
        [("建设冷库设施", days(-10), False), ("培育冷链企业", days(20), False), ("开展电商培训", days(60), False)]
        + [("规范冷链监管", None, True)],
        start=1,
    ):
        task = TaskFactory(document=plan, order=order, text=text, deadline="期限", due=due, ongoing=ongoing)
        TaskAssignmentFactory(task=task, department=department, role=LEAD)
        tasks[text] = task
    return department, tasks


def page_counts(client, department) -> dict[str, int]:
    """The follow-up counts the department page shows."""
    html = client.get(department.get_absolute_url()).content.decode()
    counts = html.split('aria-label="跟踪概况"')[1].split("</ul>")[0]
    found = dict(re.findall(r'<a href="\?when=(\w+)[^"]*"><span class="count">(\d+)</span>', counts))
    return {"overdue": int(found["overdue"]), "due_30": int(found["30"]), "due_90": int(found["90"]),
            "ongoing": int(found["ongoing"])}  # fmt: skip


def counts_from_reports(department) -> dict[str, int]:
    """The same counts worked out from the reports themselves: what the page showed before the
    status was kept on the assignments."""
    latest: dict[int, str] = {}
    for task_id, status in (
        TaskProgress.objects.filter(department=department).order_by("recorded_at", "pk").values_list("task", "status")
    ):
        latest[task_id] = status
    counts = dict.fromkeys(COUNTED, 0)
    for task in department.tasks.distinct():
        status = FollowUp.of(status=latest.get(task.pk), due=task.due, today=TODAY).status
        counts["overdue"] += status == FollowUp.OVERDUE
        not_done = status != FollowUp.DONE
        counts["due_30"] += not_done and task.due is not None and TODAY <= task.due <= days(30)
        counts["due_90"] += not_done and task.due is not None and TODAY <= task.due <= days(90)
        counts["ongoing"] += task.ongoing
    return counts


def kept(task, department) -> set[str]:
    return set(
        TaskAssignment.objects.filter(task=task, department=department).values_list("progress_status", flat=True)
    )


def test_counts_follow_reports_recorded_through_the_service(admin_client, commerce):
    department, tasks = commerce
    assert page_counts(admin_client, department) == {"overdue": 1, "due_30": 1, "due_90": 2, "ongoing": 1}

    task_progress_record(task=tasks["建设冷库设施"], department=department, status="done")
    task_progress_record(task=tasks["培育冷链企业"], department=department, status="in_progress")

    assert kept(tasks["建设冷库设施"], department) == {"done"}
    assert page_counts(admin_client, department) == {"overdue": 0, "due_30": 1, "due_90": 2, "ongoing": 1}
    assert page_counts(admin_client, department) == counts_from_reports(department)

    task_progress_record(task=tasks["培育冷链企业"], department=department, status="done")
    task_progress_record(task=tasks["建设冷库设施"], department=department, status="in_progress")  # reopened

    assert page_counts(admin_client, department) == {"overdue": 1, "due_30": 0, "due_90": 1, "ongoing": 1}
    assert page_counts(admin_client, department) == counts_from_reports(department)


def test_status_filters_read_the_latest_report(admin_client, commerce):
    department, tasks = commerce
    task_progress_record(task=tasks["开展电商培训"], department=department, status="done")
    task_progress_record(task=tasks["规范冷链监管"], department=department, status="in_progress")

    def shown(query: str) -> list[str]:
        html = admin_client.get(f"{department.get_absolute_url()}?{query}&sort=due").content.decode()
        return [text for text in tasks if text in html.split('aria-label="跟踪概况"')[1]]

    assert shown("status=done") == ["开展电商培训"]
    assert shown("status=in_progress") == ["规范冷链监管"]
    assert shown("status=not_started") == ["培育冷链企业"]
    assert shown("when=90") == ["培育冷链企业"]


def test_counts_follow_reports_added_changed_and_deleted_in_the_admin(admin_client, commerce):
    department, tasks = commerce
    task = tasks["建设冷库设施"]
    form = {"task": task.pk, "department": department.pk, "reported_on": TODAY.isoformat(), "note": ""}

    response = admin_client.post(reverse("admin:policies_taskprogress_add"), {**form, "status": "in_progress"})
    assert response.status_code == 302
    response = admin_client.post(reverse("admin:policies_taskprogress_add"), {**form, "status": "done"})
    assert response.status_code == 302
    assert kept(task, department) == {"done"}
    assert page_counts(admin_client, department)["overdue"] == 0

    latest = TaskProgress.objects.get(status="done")
    change = reverse("admin:policies_taskprogress_change", args=[latest.pk])
    response = admin_client.post(change, {**form, "status": "not_started"})
    assert response.status_code == 302
    assert kept(task, department) == {"not_started"}
    assert page_counts(admin_client, department)["overdue"] == 1

    # Moved to another task: the first task's status falls back to its earlier report.
    response = admin_client.post(change, {**form, "task": tasks["培育冷链企业"].pk, "status": "done"})
    assert response.status_code == 302
    assert kept(task, department) == {"in_progress"}
    assert kept(tasks["培育冷链企业"], department) == {"done"}
    assert page_counts(admin_client, department) == counts_from_reports(department)

    response = admin_client.post(reverse("admin:policies_taskprogress_delete", args=[latest.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert kept(tasks["培育冷链企业"], department) == {""}
    assert page_counts(admin_client, department) == {"overdue": 1, "due_30": 1, "due_90": 2, "ongoing": 1}

    response = admin_client.post(
        reverse("admin:policies_taskprogress_changelist"),
        {"action": "delete_selected", "_selected_action": list(TaskProgress.objects.values_list("pk", flat=True)),
         "post": "yes"},
    )  # fmt: skip
    assert response.status_code == 302 and not TaskProgress.objects.exists()
    assert kept(task, department) == {""}


def test_an_assignment_added_in_the_admin_takes_up_the_departments_reports(admin_client, commerce):
    department, tasks = commerce
    task = tasks["培育冷链企业"]
    task_progress_record(task=task, department=department, status="done")
    TaskAssignment.objects.filter(task=task).delete()  # the part removed by mistake, its history kept

    url = reverse("admin:policies_task_change", args=[task.pk])
    form = {
        "document": task.document_id, "order": task.order, "number": "", "text": task.text, "level": "",
        "deadline": task.deadline, "due": task.due.isoformat(), "created_at_0": TODAY.isoformat(),
        "created_at_1": "00:00:00", "block_index": "", "row_index": "",
        "assignments-TOTAL_FORMS": 1, "assignments-INITIAL_FORMS": 0,
        "assignments-0-department": department.pk, "assignments-0-role": LEAD, "assignments-0-order": 0,
        "progress-TOTAL_FORMS": 1, "progress-INITIAL_FORMS": 1,
        "progress-0-id": TaskProgress.objects.get().pk, "progress-0-task": task.pk,
    }  # fmt: skip
    response = admin_client.post(url, form)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert kept(task, department) == {"done"}


def test_a_merged_departments_later_report_becomes_the_status(admin_client, commerce):
    department, tasks = commerce
    task = tasks["培育冷链企业"]
    typo = DepartmentFactory(city="贺州市", name="市商务局局")
    TaskAssignmentFactory(task=task, department=typo, role=SUPPORT)
    task_progress_record(task=task, department=department, status="done")
    task_progress_record(task=task, department=typo, status="in_progress")  # recorded later

    department_merge(department=typo, into=department)

    # The kept body now leads and supports the task: both parts carry the latest report, counted once.
    assert TaskAssignment.objects.filter(task=task, department=department).count() == 2
    assert kept(task, department) == {"in_progress"}
    assert page_counts(admin_client, department) == {"overdue": 1, "due_30": 1, "due_90": 2, "ongoing": 1}
    assert page_counts(admin_client, department) == counts_from_reports(department)


def test_a_task_led_and_supported_by_one_department_is_counted_once(admin_client, commerce):
    department, tasks = commerce
    TaskAssignmentFactory(task=tasks["建设冷库设施"], department=department, role=SUPPORT)

    html = admin_client.get(department.get_absolute_url()).content.decode()

    assert page_counts(admin_client, department) == {"overdue": 1, "due_30": 1, "due_90": 2, "ongoing": 1}
    assert "共 4 项任务" in html


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_the_latest_report_of_each_department():
    executor = MigrationExecutor(connection)
    # The other apps as they are now, so their tables match the models the test writes with.
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "policies"]
    before = [("policies", "0007_task_due_read"), *others]
    after = [("policies", "0008_task_progress_kept"), *others]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    gazette = apps.get_model("gazette", "Gazette").objects.create(name="贺州市人民政府公报", city="贺州市")
    issue = apps.get_model("gazette", "Issue").objects.create(gazette=gazette, year=2024)
    document = apps.get_model("gazette", "Document").objects.create(issue=issue, order=1, title="方案")
    task = apps.get_model("policies", "Task").objects.create(document=document, order=1, text="建设冷库")
    untouched = apps.get_model("policies", "Task").objects.create(document=document, order=2, text="培育企业")
    department_model = apps.get_model("policies", "Department")
    commerce = department_model.objects.create(city="贺州市", name="市商务局")
    finance = department_model.objects.create(city="贺州市", name="市财政局")
    assignment_model = apps.get_model("policies", "TaskAssignment")
    for department, role in [(commerce, LEAD), (finance, SUPPORT)]:
        assignment_model.objects.create(task=task, department=department, role=role)
        assignment_model.objects.create(task=untouched, department=department, role=role)
    progress = apps.get_model("policies", "TaskProgress")
    moment = timezone.now()
    progress.objects.create(task=task, department=commerce, status="done", recorded_at=moment)
    # Entered later, about an earlier day: the latest recorded is the status, as with_progress reads it.
    progress.objects.create(
        task=task, department=commerce, status="in_progress", recorded_at=moment + dt.timedelta(hours=1),
        reported_on=TODAY - dt.timedelta(days=30),
    )  # fmt: skip
    progress.objects.create(task=task, department=finance, status="not_started", recorded_at=moment)

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps
    rows = apps.get_model("policies", "TaskAssignment").objects.values_list(
        "task__text", "department__name", "progress_status"
    )

    assert set(rows) == {
        ("建设冷库", "市商务局", "in_progress"),
        ("建设冷库", "市财政局", "not_started"),
        ("培育企业", "市商务局", ""),
        ("培育企业", "市财政局", ""),
    }
    executor.loader.build_graph()
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
