"""Whether a task's source document still holds: the validity badge on a department's task rows,
the task page and the task list exports."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from gazette.models import Document
from policies.models import TaskAssignment
from tests.factories import DepartmentFactory, DocumentFactory, TaskAssignmentFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db

REPEALED, IN_FORCE = Document.Validity.REPEALED, Document.Validity.IN_FORCE
REPEALED_BADGE = '<span class="validity validity-repealed">已废止</span>'
IN_FORCE_BADGE = '<span class="validity validity-in_force">现行有效</span>'


@pytest.fixture
def reader(client):
    client.force_login(UserFactory(username="reader"))
    return client


@pytest.fixture
def tourism():
    """市文化广电和旅游局 leads a task of a repealed plan and supports one of a plan in force."""
    department = DepartmentFactory(name="市文化广电和旅游局")
    old = DocumentFactory(
        title="贺州市人民政府办公室关于印发贺州市旅游业发展三年行动计划的通知",
        doc_number="贺政办发〔2019〕12号",
        validity=REPEALED,
    )
    new = DocumentFactory(
        title="贺州市人民政府办公室关于印发贺州市文旅融合发展实施方案的通知",
        doc_number="贺政办发〔2023〕5号",
        validity=IN_FORCE,
        normative=True,
    )
    old_task = TaskFactory(document=old, text="打造黄姚古镇精品旅游线路", order=1)
    new_task = TaskFactory(document=new, text="培育文旅融合示范项目", order=1)
    TaskAssignmentFactory(task=old_task, department=department, role=TaskAssignment.Role.LEAD)
    TaskAssignmentFactory(task=new_task, department=department, role=TaskAssignment.Role.SUPPORT)
    return department, old_task, new_task


def group_header(html: str, doc_number: str) -> str:
    """The task table's header row for the source document with this 文号."""
    start = html.index(f"{doc_number} <span")
    return html[html.rindex('<tr class="task-group">', 0, start) : html.index("</tr>", start)]


def test_department_task_rows_show_whether_their_source_document_holds(reader, tourism):
    department, _, _ = tourism

    html = reader.get(department.get_absolute_url()).content.decode()

    assert REPEALED_BADGE in group_header(html, "贺政办发〔2019〕12号")
    assert IN_FORCE_BADGE not in group_header(html, "贺政办发〔2019〕12号")
    new = group_header(html, "贺政办发〔2023〕5号")
    assert IN_FORCE_BADGE in new and '<span class="validity-normative">规范性文件</span>' in new


def test_department_tasks_sorted_by_due_date_keep_the_badge(reader, tourism):
    department, _, _ = tourism

    html = reader.get(f"{department.get_absolute_url()}?sort=due").content.decode()

    assert REPEALED_BADGE in group_header(html, "贺政办发〔2019〕12号")


def test_a_fragment_shows_no_validity_on_task_rows(reader):
    department = DepartmentFactory(name="市统计局")
    document = DocumentFactory(doc_number="贺政办发〔2020〕3号", is_fragment=True)
    TaskAssignmentFactory(task=TaskFactory(document=document), department=department)

    html = reader.get(department.get_absolute_url()).content.decode()

    assert 'class="validity' not in group_header(html, "贺政办发〔2020〕3号")


def test_badges_on_many_task_rows_cost_no_query_per_document(reader, django_assert_max_num_queries):
    department = DepartmentFactory()
    for n in range(40):
        task = TaskFactory(document=DocumentFactory(validity=REPEALED if n % 2 else IN_FORCE), order=n)
        TaskAssignmentFactory(task=task, department=department)

    with django_assert_max_num_queries(12):
        html = reader.get(department.get_absolute_url()).content.decode()

    assert html.count(REPEALED_BADGE) == 20
    assert html.count(IN_FORCE_BADGE) == 20


def test_task_page_shows_the_validity_of_its_source(reader, tourism):
    _, old_task, _ = tourism

    html = reader.get(old_task.get_absolute_url()).content.decode()

    assert REPEALED_BADGE in html


def test_documents_a_department_issued_show_their_validity(reader, tourism):
    department, old_task, _ = tourism
    old_task.document.issuer_links.create(department=department)

    html = reader.get(department.get_absolute_url()).content.decode()
    issued = html[html.index('<ul class="issued">') : html.index("</ul>", html.index('<ul class="issued">'))]

    assert "贺州市旅游业发展三年行动计划" in issued and REPEALED_BADGE in issued


def test_department_csv_export_says_whether_each_source_document_holds(reader, tourism):
    department, _, _ = tourism

    response = reader.get(f"{department.get_absolute_url()}?format=csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    validity = {row[header.index("任务")]: row[header.index("效力")] for row in rows[1:]}
    assert validity == {"打造黄姚古镇精品旅游线路": "已废止", "培育文旅融合示范项目": "现行有效"}


def test_document_task_export_in_excel_carries_its_validity(reader, tourism):
    _, old_task, _ = tourism

    response = reader.get(reverse("policies:document-tasks-export", args=[old_task.document_id]) + "?format=xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert [row[header.index("效力")].value for row in sheet.iter_rows(min_row=2)] == ["已废止"]
