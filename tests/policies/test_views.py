"""Department pages: who leads and supports what, filtered, and exported for Excel."""

import csv
import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from policies.models import Department, DocumentIssuer, TaskAssignment
from tests.factories import (
    DepartmentFactory,
    DocumentFactory,
    GazetteFactory,
    IssueFactory,
    StaffFactory,
    TaskAssignmentFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LEAD, SUPPORT = TaskAssignment.Role.LEAD, TaskAssignment.Role.SUPPORT


@pytest.fixture
def reader(client):
    client.force_login(UserFactory(username="reader"))
    return client


@pytest.fixture
def commerce():
    """市商务局 of 贺州: leads a cold-chain task (2019), supports an e-commerce task (2023, 柳州's gazette)."""
    department = DepartmentFactory(city="贺州市", name="市商务局")
    hezhou = IssueFactory(year=2019)
    cold_chain = TaskFactory(
        document=DocumentFactory(issue=hezhou, doc_number="贺政办发〔2018〕146号"),
        text="加快冷链物流基础设施建设",
        deadline="2020年12月底前",
        block_index=3,
        row_index=2,
    )
    TaskAssignmentFactory(task=cold_chain, department=department, role=LEAD)
    TaskAssignmentFactory(task=cold_chain, department=DepartmentFactory(name="市财政局"), role=SUPPORT)
    other = IssueFactory(gazette=GazetteFactory(name="柳州市人民政府公报", city="柳州市"), year=2023)
    ecommerce = TaskFactory(
        document=DocumentFactory(issue=other), text="培育电子商务龙头企业", deadline="", block_index=5
    )
    TaskAssignmentFactory(task=ecommerce, department=DepartmentFactory(name="市工业和信息化局"), role=LEAD)
    TaskAssignmentFactory(task=ecommerce, department=department, role=SUPPORT)
    return department, cold_chain, ecommerce


def test_department_list_groups_by_city_with_lead_and_support_counts(reader, commerce):
    department, _, _ = commerce
    DepartmentFactory(city="柳州市", name="市商务局")

    html = reader.get(reverse("policies:department-list")).content.decode()

    assert html.count("<h2 ") == 2 and ">贺州市</h2>" in html and ">柳州市</h2>" in html
    row = html.split(f'<a href="{department.get_absolute_url()}">市商务局</a>')[1].split("</tr>")[0]
    assert '?role=lead">1</a>' in row and '?role=support">1</a>' in row


def test_department_page_lists_tasks_as_lead_and_support_linking_to_the_row(reader, commerce):
    department, cold_chain, ecommerce = commerce

    html = reader.get(department.get_absolute_url()).content.decode()

    assert "加快冷链物流基础设施建设" in html and "培育电子商务龙头企业" in html
    assert f'href="{cold_chain.document.get_absolute_url()}#b3-r2"' in html
    assert f'href="{ecommerce.document.get_absolute_url()}#b5"' in html
    assert "2020年12月底前" in html and "贺政办发〔2018〕146号" in html
    assert '<span class="role role-lead">牵头</span>' in html and '<span class="role role-support">配合</span>' in html


def test_department_page_links_every_lead_and_support_of_each_task(reader, commerce):
    department, cold_chain, ecommerce = commerce
    finance = cold_chain.assignments.get(role=SUPPORT).department
    TaskAssignmentFactory(task=cold_chain, department=DepartmentFactory(name='市"数据"局'), role=SUPPORT)

    html = reader.get(department.get_absolute_url()).content.decode()

    commerce_link = f'<a href="{department.get_absolute_url()}">市商务局</a>'
    supports = f'<a href="{finance.get_absolute_url()}">市财政局</a>、<a href="/departments/'
    assert f'<span class="muted">牵头：</span>{commerce_link}<br><span class="muted">配合：</span>{supports}' in html
    assert '">市&quot;数据&quot;局</a></td>' in html
    industry = ecommerce.assignments.get(role=LEAD).department
    assert (
        f'<span class="muted">牵头：</span><a href="{industry.get_absolute_url()}">市工业和信息化局</a><br>'
        f'<span class="muted">配合：</span>{commerce_link}</td>'
    ) in html


def test_department_page_shows_a_dash_for_a_task_without_support(reader):
    department = DepartmentFactory(name="市审计局")
    TaskAssignmentFactory(task=TaskFactory(text="开展专项审计"), department=department)

    html = reader.get(department.get_absolute_url()).content.decode()

    assert '<span class="muted">配合：</span><span class="muted">—</span></td>' in html


def test_department_page_row_shows_both_roles_and_the_source_document(reader):
    department = DepartmentFactory(name="市发展改革委")
    title = "贺州市人民政府办公室<b>关于印发</b>贺州市加快发展冷链物流保障食品安全促进消费升级实施方案的通知"
    document = DocumentFactory(title=title, doc_number="")
    task = TaskFactory(document=document, number="", text="统筹推进", deadline="长期", block_index=None)
    TaskAssignmentFactory(task=task, department=department, role=LEAD)
    TaskAssignmentFactory(task=task, department=department, role=SUPPORT)

    html = reader.get(department.get_absolute_url()).content.decode()

    url = document.get_absolute_url()
    assert (
        '<td data-label="角色"><span class="role role-lead">牵头</span><span class="role role-support">配合</span></td>'
        f'<td data-label="任务"><a href="{url}">统筹推进</a></td><td data-label="时限"><span class="ongoing-text">长期</span></td>'
    ) in html
    assert html.count(f'<a href="{url}">统筹推进</a>') == 1  # one row, though assigned twice
    cut = "贺州市人民政府办公室&lt;b&gt;关于印发&lt;/b&gt;贺州市加快发展冷链物流保障食品安全促进消费升级实施方"
    group = f'<tbody><tr class="task-group"><th colspan="5" scope="rowgroup"><a href="{url}">{cut}...</a>'
    assert f'{group} <span class="muted">贺州市人民政府公报 2019年' in html


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("role=lead", "冷链物流", "电子商务"),
        ("role=support", "电子商务", "冷链物流"),
        ("year=2023", "电子商务", "冷链物流"),
        ("deadline=12月", "冷链物流", "电子商务"),
        ("has_deadline=on", "冷链物流", "电子商务"),
    ],
)
def test_department_task_filters(reader, commerce, query, shown, hidden):
    department, _, _ = commerce

    html = reader.get(f"{department.get_absolute_url()}?{query}").content.decode()

    assert shown in html
    assert hidden not in html


def test_department_tasks_filtered_by_gazette(reader, commerce):
    department, _, ecommerce = commerce

    html = reader.get(f"{department.get_absolute_url()}?gazette={ecommerce.document.issue.gazette_id}").content.decode()

    assert "电子商务" in html and "冷链物流" not in html


def test_csv_export_has_a_bom_and_the_filtered_tasks(reader, commerce):
    department, cold_chain, _ = commerce

    response = reader.get(f"{department.get_absolute_url()}?role=lead&format=csv")

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["单位", "角色", "序号", "任务"]
    assert len(rows) == 2
    assert rows[1][1] == "牵头" and rows[1][3] == "加快冷链物流基础设施建设"
    assert rows[1][4] == "市商务局" and rows[1][5] == "市财政局"
    assert rows[1][6] == "2020年12月底前"
    assert rows[1][-1].endswith(f"{cold_chain.document.get_absolute_url()}#b3-r2")


def test_csv_export_neutralises_spreadsheet_formulas(reader):
    department = DepartmentFactory(name="市审计局")
    TaskAssignmentFactory(task=TaskFactory(text='=HYPERLINK("http://evil","点我")'), department=department)

    rows = list(
        csv.reader(io.StringIO(reader.get(f"{department.get_absolute_url()}?format=csv").content.decode("utf-8-sig")))
    )

    assert rows[1][3].startswith("'=")


def test_department_page_with_many_tasks_needs_few_queries(reader, django_assert_max_num_queries):
    department = DepartmentFactory()
    helpers = [DepartmentFactory(name=f"市第{n}局") for n in range(4)]
    for n in range(40):
        task = TaskFactory(document=DocumentFactory(), order=n)
        TaskAssignmentFactory(task=task, department=department)
        TaskAssignmentFactory(task=task, department=helpers[n % 4], role=SUPPORT)

    with django_assert_max_num_queries(12):
        response = reader.get(department.get_absolute_url())
    with django_assert_max_num_queries(12):
        reader.get(reverse("policies:department-list"))

    assert response.content.decode().count('class="role role-lead"') == 40


@pytest.mark.parametrize("query", ["", "?sort=due", "?page=2"])
def test_a_large_departments_page_shows_the_same_tasks_when_paged_by_ids_first(reader, monkeypatch, query):
    department = DepartmentFactory()
    start = dt.date(2024, 1, 1)
    for n in range(60):  # newest issue and soonest due last made: neither order is the ids' order
        issue = IssueFactory(year=2024, published=start + dt.timedelta(days=n))
        due = start + dt.timedelta(days=(60 - n) * 7 % 61)
        task = TaskFactory(document=DocumentFactory(issue=issue), order=n, text=f"第{n}项任务", due=due)
        TaskAssignmentFactory(task=task, department=department)
    whole = reader.get(department.get_absolute_url() + query).content.decode()

    monkeypatch.setattr("policies.views.IDS_FIRST_TASKS", 50)
    by_ids = reader.get(department.get_absolute_url() + query).content.decode()

    assert re.findall(r"第\d+项任务", by_ids) == re.findall(r"第\d+项任务", whole)
    assert len(re.findall(r"第\d+项任务", whole)) == (10 if query == "?page=2" else 50)
    assert "共 60 项任务" in by_ids


# --- The registry and its review queue ------------------------------------------------------


@pytest.fixture
def admin_client():
    """A second browser, signed in as an admin (the reader fixture keeps its own)."""
    client = Client()
    client.force_login(StaffFactory(username="registrar"))
    return client


@pytest.fixture
def queue():
    """柳州's 市发展改革委 with a task, and 市发改革委 (a typo) with one, waiting for review."""
    right = DepartmentFactory(city="柳州市", name="市发展改革委", level="city", province="广西壮族自治区")
    typo = DepartmentFactory(city="柳州市", name="市发改革委", level="city", province="广西壮族自治区", review=True)
    TaskAssignmentFactory(task=TaskFactory(text="统筹推进重大项目"), department=right)
    typo_task = TaskFactory(text="加快平陆运河建设")
    TaskAssignmentFactory(task=typo_task, department=typo)
    return right, typo, typo_task


def test_registry_lists_levels_under_each_city(reader):
    DepartmentFactory(city="柳州市", name="市商务局", level="city", place_key="1 liu zhou shi")
    DepartmentFactory(city="柳州市", name="新区管委会", level="other", place_key="1 liu zhou shi")
    DepartmentFactory(city="", name="自然资源部", level="national", place_key="3")

    html = reader.get(reverse("policies:department-list")).content.decode()

    city, national = html.index(">柳州市</h2>"), html.index(">国家部委及直属机构</h2>")
    assert city < html.index("<caption>市级</caption>") < html.index("<caption>其他单位</caption>") < national
    assert html.index("新区管委会") < national < html.index("自然资源部")


def test_unplaced_bodies_and_the_queue_are_for_admins_only(reader, admin_client, queue):
    DepartmentFactory(city="", name="市财政局", level="city", province="广东省", place_key="4")

    assert "未定位的单位" not in reader.get(reverse("policies:department-list")).content.decode()
    assert reader.get(reverse("policies:department-review")).status_code == 403
    html = admin_client.get(reverse("policies:department-list")).content.decode()
    assert "未定位的单位" in html and "待审核的单位名称 1 个" in html


def test_review_queue_shows_best_matches_and_the_tasks_at_stake(admin_client, queue):
    right, typo, _ = queue

    html = admin_client.get(reverse("policies:department-review")).content.decode()

    entry = html.split(f'id="department-{typo.pk}"')[1]
    assert "加快平陆运河建设" in entry
    assert f'<a href="{right.get_absolute_url()}">市发展改革委</a>' in entry and "名称相近" in entry
    assert f'name="department" value="{typo.pk}"><input type="hidden" name="into" value="{right.pk}"' in entry
    assert "csrfmiddlewaretoken" in entry


def test_merge_from_the_queue_moves_tasks_and_keeps_the_name(admin_client, queue):
    right, typo, typo_task = queue

    response = admin_client.post(reverse("policies:department-merge"), {"department": typo.pk, "into": right.pk})

    assert response.status_code == 302 and response["Location"] == reverse("policies:department-review")
    assert typo_task.assignments.get().department == right
    page = admin_client.get(right.get_absolute_url()).content.decode()
    assert "别名与曾用名" in page and "<li>市发改革委</li>" in page and "加快平陆运河建设" in page


def test_accept_from_the_queue(admin_client, queue):
    _, typo, _ = queue

    admin_client.post(reverse("policies:department-accept"), {"department": typo.pk})

    typo.refresh_from_db()
    assert not typo.review
    assert "没有待审核的单位名称" in admin_client.get(reverse("policies:department-review")).content.decode()


def test_merge_and_accept_need_the_permission_and_post(reader, admin_client, queue):
    right, typo, _ = queue

    assert (
        reader.post(reverse("policies:department-merge"), {"department": typo.pk, "into": right.pk}).status_code == 403
    )
    assert admin_client.get(reverse("policies:department-merge")).status_code == 405
    assert Department.objects.filter(pk=typo.pk).exists()


def test_merge_needs_the_csrf_token(queue):
    right, typo, _ = queue
    client = Client(enforce_csrf_checks=True)
    client.force_login(StaffFactory(username="registrar"))

    response = client.post(reverse("policies:department-merge"), {"department": typo.pk, "into": right.pk})

    assert response.status_code == 403
    assert Department.objects.filter(pk=typo.pk).exists()


def test_merge_into_itself_is_refused_with_a_message(admin_client, queue):
    _, typo, _ = queue

    response = admin_client.post(
        reverse("policies:department-merge"), {"department": typo.pk, "into": typo.pk}, follow=True
    )

    assert "不能把单位并入它自己" in response.content.decode()
    assert Department.objects.filter(pk=typo.pk).exists()


def test_department_page_shows_the_documents_it_issued(reader):
    office = DepartmentFactory(city="贺州市", name="市人民政府办公室")
    notice = DocumentFactory(title="贺州市人民政府办公室关于印发冷链物流实施方案的通知")
    DocumentIssuer.objects.create(document=notice, department=office)

    html = reader.get(office.get_absolute_url()).content.decode()

    assert f'<a href="{notice.get_absolute_url()}">贺州市人民政府办公室关于印发冷链物流实施方案的通知</a>' in html
