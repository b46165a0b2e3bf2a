"""Reading pages: home, gazettes, an issue's table of contents, a document with its tasks and citations."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gazette.citations import document_citations_update, find_citations
from gazette.importer import decode_bytes
from gazette.models import Gazette
from gazette.templatetags.gazette_tags import may_cite
from policies.models import TaskAssignment
from tests.factories import (
    DepartmentFactory,
    DocumentFactory,
    GazetteFactory,
    ImportRecordFactory,
    IssueFactory,
    StaffFactory,
    TaskAssignmentFactory,
    TaskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def reader(client):
    client.force_login(UserFactory(username="reader"))
    return client


def paragraph(text):
    return {"kind": "paragraph", "text": text, "level": None, "rows": []}


@pytest.mark.parametrize(
    "name", ["home", "gazette:gazette-list", "gazette:import", "gazette:import-history", "policies:department-list"]
)
def test_anonymous_visitor_is_sent_to_login(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_anonymous_visitor_cannot_read_a_document(client):
    document = DocumentFactory()

    response = client.get(document.get_absolute_url())

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_signs_a_user_in_and_lands_on_home(client):
    UserFactory(username="clerk")

    page = client.get(reverse("login"))
    response = client.post(reverse("login"), {"username": "clerk", "password": "pw-for-tests"})

    assert "登录公报库" in page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_home_shows_counts_and_latest_issues_of_each_gazette(reader):
    issue = IssueFactory(year=2019, number=1, total_number=51)
    DocumentFactory.create_batch(2, issue=issue)
    other = IssueFactory(gazette=GazetteFactory(name="柳州市人民政府公报", city="柳州市"), year=2023, number=7)
    for number in range(2, 6):
        IssueFactory(gazette=issue.gazette, number=number)

    html = reader.get(reverse("home")).content.decode()

    assert "贺州市人民政府公报" in html and "柳州市人民政府公报" in html
    assert other.get_absolute_url() in html
    assert "2019年第5期" in html and "2019年第3期" in html
    assert "2019年第2期（总第" not in html.split("最近导入")[0]  # only the newest 3 per gazette
    assert 'name="q"' in html
    assert "导入记录" not in html  # a reader does not see the import history


def test_home_counts_the_documents_of_each_latest_issue(reader):
    gazette = GazetteFactory()
    for number, documents in ((1, 7), (2, 0), (3, 2), (4, 1)):
        DocumentFactory.create_batch(documents, issue=IssueFactory(gazette=gazette, number=number))

    html = reader.get(reverse("home")).content.decode().split("各公报最新各期")[1].split("最近导入")[0]

    assert "第4期" in html and "第1期" not in html
    for number, documents in ((4, 1), (3, 2), (2, 0)):
        assert (
            f'第{number}期（总第{number + 50}期）</a> <time datetime="2019-02-27">2019年2月27日</time> <span class="muted">{documents} 篇</span>'
            in html
        )


def test_staff_see_recent_imports_and_the_history_link_on_home(client):
    client.force_login(StaffFactory(username="admin"))
    ImportRecordFactory(file_name="贺州公报2019-1.txt")

    html = client.get(reverse("home")).content.decode()

    assert "贺州公报2019-1.txt" in html
    assert reverse("gazette:import-history") in html


def test_gazette_list_and_page_show_years_and_issues(reader):
    gazette = GazetteFactory()
    IssueFactory(gazette=gazette, year=2018, number=12, total_number=50, published=dt.date(2018, 12, 28))
    IssueFactory(gazette=gazette, year=2019, number=1, total_number=51)

    listing = reader.get(reverse("gazette:gazette-list")).content.decode()
    page = reader.get(gazette.get_absolute_url()).content.decode()
    only_2018 = reader.get(gazette.get_absolute_url() + "?year=2018").content.decode()

    assert gazette.get_absolute_url() in listing
    assert "2019年" in page and "2018年" in page
    assert "第12期" in page and "总第51期" in page
    assert "第12期" in only_2018 and "总第51期" not in only_2018


def test_issue_page_shows_cover_facts_and_toc_grouped_by_section_with_pages(reader):
    issue = IssueFactory(year=2019, number=1, total_number=51, published=dt.date(2019, 2, 27))
    first = DocumentFactory(
        issue=issue,
        order=1,
        section="市政府文件",
        title="贺州市人民政府关于市长副市长工作分工调整的通知",
        doc_number="贺政发〔2019〕1号",
        page=1,
    )
    DocumentFactory(issue=issue, order=2, section="市政府办公室文件", title="关于印发冷链物流方案的通知", page=22)
    DocumentFactory(issue=issue, order=3, section="市政府办公室文件", title="关于印发绿色金融方案的通知", page=28)

    html = reader.get(issue.get_absolute_url()).content.decode()

    assert "第1期" in html and "总第51期" in html and "2019年2月27日" in html
    assert html.count('class="toc-group"') == 2
    assert html.index("市政府文件") < html.index(first.title) < html.index("市政府办公室文件") < html.index("冷链物流")
    assert first.get_absolute_url() in html
    assert "（贺政发〔2019〕1号）" in html
    assert 'aria-label="第22页">22<' in html


def test_compilation_toc_is_grouped_by_region(reader):
    gazette = GazetteFactory(name="营商环境政策汇编", city="", kind=Gazette.Kind.COMPILATION)
    issue = IssueFactory(gazette=gazette, number=None, total_number=None, year=2023)
    DocumentFactory(issue=issue, order=1, region="广东省", section="财政")
    DocumentFactory(issue=issue, order=2, region="广西壮族自治区", section="财政")

    html = reader.get(issue.get_absolute_url()).content.decode()

    assert '<h3 class="toc-group">广东省</h3>' in html
    assert '<h3 class="toc-group">广西壮族自治区</h3>' in html
    assert '<h3 class="toc-group">财政</h3>' not in html


def test_issue_page_with_30_documents_needs_few_queries(reader, django_assert_max_num_queries):
    issue = IssueFactory()
    for order in range(1, 31):
        document = DocumentFactory(issue=issue, order=order, section=f"栏目{order % 3}")
        TaskFactory(document=document)

    with django_assert_max_num_queries(10):
        response = reader.get(issue.get_absolute_url())

    assert response.content.decode().count('class="badge"') == 30


def test_document_page_shows_facts_and_structured_body(reader):
    document = DocumentFactory(
        title="贺州市人民政府办公室关于印发冷链物流方案的通知",
        doc_number="贺政办发〔2018〕146号",
        issuer="贺州市人民政府办公室",
        date=dt.date(2018, 12, 29),
        recipients="各县（区）人民政府，市政府各有关部门",
        attachments=["贺州市加快发展冷链物流保障食品安全促进消费升级的实施方案"],
        blocks=[
            {"kind": "heading", "text": "一、总体要求", "level": 1, "rows": []},
            paragraph("为加快发展冷链物流，制定本方案。"),
            {"kind": "heading", "text": "（一）基本原则", "level": 2, "rows": []},
            {"kind": "heading", "text": "1.市场主导", "level": 3, "rows": []},
            {"kind": "heading", "text": "（1）细则", "level": 4, "rows": []},
            {
                "kind": "table",
                "text": "",
                "level": None,
                "rows": [["序号", "任务", "牵头单位"], ["1", "建设冷库\n扩大容量", "市商务局"]],
            },
        ],
    )

    html = reader.get(document.get_absolute_url()).content.decode()

    assert "<h1" in html and document.title in html
    assert "贺政办发〔2018〕146号" in html and "贺州市人民政府办公室" in html and "2018年12月29日" in html
    assert "各县（区）人民政府，市政府各有关部门：" in html
    assert '<h2 id="b0" class="doc-heading">一、总体要求</h2>' in html
    assert '<p id="b1" class="doc-para">为加快发展冷链物流，制定本方案。</p>' in html
    assert '<h3 id="b2"' in html and '<h4 id="b3"' in html and '<h5 id="b4"' in html
    assert "<thead>" in html and '<th scope="col">牵头单位</th>' in html
    assert '<tr id="b5-r1"><td>1</td><td>建设冷库<br>扩大容量</td><td>市商务局</td></tr>' in html
    assert "<li>贺州市加快发展冷链物流保障食品安全促进消费升级的实施方案</li>" in html
    assert 'href="/static/css/print.css" media="print"' in html


def test_document_tasks_link_to_their_table_row_and_to_departments(reader):
    document = DocumentFactory(
        blocks=[{"kind": "table", "text": "", "level": None, "rows": [["任务", "牵头"], ["建设冷库", "市商务局"]]}]
    )
    task = TaskFactory(document=document, text="建设冷库", deadline="2020年12月", block_index=0, row_index=1)
    lead = TaskAssignmentFactory(task=task, department=DepartmentFactory(name="市商务局")).department
    support = TaskAssignmentFactory(
        task=task, department=DepartmentFactory(name="市财政局"), role=TaskAssignment.Role.SUPPORT
    ).department

    html = reader.get(document.get_absolute_url()).content.decode()

    assert 'href="#b0-r1"' in html and 'id="b0-r1"' in html
    assert f'<a href="{lead.get_absolute_url()}">市商务局</a>' in html
    assert f'<a href="{support.get_absolute_url()}">市财政局</a>' in html
    assert "2020年12月" in html


def test_document_page_links_previous_and_next_in_the_issue(reader):
    issue = IssueFactory()
    first, middle, last = (DocumentFactory(issue=issue, order=n, title=f"第{n}篇文件") for n in (1, 2, 3))

    html = reader.get(middle.get_absolute_url()).content.decode()

    assert f'rel="prev" href="{first.get_absolute_url()}"' in html
    assert f'rel="next" href="{last.get_absolute_url()}"' in html


def test_hostile_text_is_shown_escaped_everywhere(reader):
    department = DepartmentFactory(name=f"市{HOSTILE}局")
    document = DocumentFactory(
        title=f"通知{HOSTILE}",
        recipients=HOSTILE,
        section=HOSTILE,
        attachments=[HOSTILE],
        blocks=[
            {"kind": "heading", "text": HOSTILE, "level": 1, "rows": []},
            paragraph(f"正文{HOSTILE}"),
            {"kind": "table", "text": "", "level": None, "rows": [[HOSTILE], [f"{HOSTILE}\n第二行"]]},
        ],
    )
    TaskAssignmentFactory(task=TaskFactory(document=document, text=HOSTILE, deadline=HOSTILE), department=department)

    for url in (
        document.get_absolute_url(),
        document.issue.get_absolute_url(),
        department.get_absolute_url(),
        reverse("policies:department-list"),
    ):
        html = reader.get(url).content.decode()
        assert "<script>" not in html, url
        assert "&lt;script&gt;" in html, url


def test_document_with_40_tasks_renders_in_bounded_queries(reader, django_assert_max_num_queries):
    document = DocumentFactory(blocks=[paragraph(f"第{n}项任务。") for n in range(40)])
    departments = [DepartmentFactory(name=f"市第{n}局") for n in range(5)]
    for n in range(40):
        task = TaskFactory(document=document, order=n, block_index=n)
        TaskAssignmentFactory(task=task, department=departments[n % 5])
        TaskAssignmentFactory(task=task, department=departments[(n + 1) % 5], role=TaskAssignment.Role.SUPPORT)
    cited = DocumentFactory(doc_number="贺政发〔2019〕1号", doc_code="贺政发", doc_year=2019, doc_seq=1)
    document.blocks.append(paragraph("根据贺政发〔2019〕1号文件精神。"))
    document.save()
    document_citations_update(documents=[document])

    with django_assert_max_num_queries(12):
        response = reader.get(document.get_absolute_url())

    assert response.content.decode().count('href="#b') == 40
    assert cited.get_absolute_url() in response.content.decode()


def plan(*, tables: int, tasks: int, departments: list) -> "DocumentFactory":
    """A document with `tables` tables of 20 rows, `tasks` tasks of three departments each, citing one document."""
    cited = DocumentFactory()
    blocks = [paragraph(f"根据{cited.doc_number}文件精神。")]
    for _ in range(tables):
        blocks.append(paragraph("分工如下："))
        blocks.append(
            {
                "kind": "table",
                "text": "",
                "level": None,
                "rows": [["序号", "任务", "牵头单位"]] + [[str(n), "任务", "市商务局"] for n in range(20)],
            }
        )
    document = DocumentFactory(blocks=blocks)
    for n in range(tasks):
        task = TaskFactory(document=document, order=n, block_index=len(blocks) - 1, row_index=n % 20 + 1)
        TaskAssignmentFactory(task=task, department=departments[n % len(departments)])
        for k in (1, 2):
            TaskAssignmentFactory(
                task=task, department=departments[(n + k) % len(departments)], role=TaskAssignment.Role.SUPPORT
            )
    document_citations_update(documents=[document])
    return document


def test_document_page_queries_do_not_grow_with_its_blocks_and_tasks(reader):
    departments = [DepartmentFactory(name=f"市第{n}局") for n in range(12)]
    small = plan(tables=1, tasks=2, departments=departments)
    large = plan(tables=10, tasks=150, departments=departments)

    counts = []
    for document in (small, large):
        with CaptureQueriesContext(connection) as queries:
            html = reader.get(document.get_absolute_url()).content.decode()
        counts.append(len(queries))
        assert 'class="cite"' in html

    assert counts[0] == counts[1] <= 12
    assert html.count('<tr id="b') == 10 * 21 and html.count('href="#b') == 150
    # In the task table, and once among the lead departments of the task summary.
    assert html.count(f'<a href="{departments[0].get_absolute_url()}">市第0局</a>') == 150 * 3 // 12 + 1


def test_task_table_shows_number_level_departments_and_deadline_escaped(reader):
    document = DocumentFactory(blocks=[paragraph("任务如下。")])
    quoted = DepartmentFactory(name='市"财政"<局>')
    long_text = "加快冷链物流基础设施建设" * 12
    linked = TaskFactory(document=document, order=1, number="（一）", level="自治区<级>", text=long_text, block_index=0)
    TaskAssignmentFactory(task=linked, department=quoted)
    unplaced = TaskFactory(document=document, order=2, number="<2>", level="", text="任务<b>二</b>", deadline="")

    html = reader.get(document.get_absolute_url()).content.decode()

    quoted_link = f'<a href="{quoted.get_absolute_url()}">市&quot;财政&quot;&lt;局&gt;</a>'
    assert (
        f'<tr><td data-label="序号">（一）<br><span class="muted">自治区&lt;级&gt;</span></td>'
        f'<td data-label="任务"><a href="#b0">{long_text[:117]}...</a></td>'
        f'<td data-label="牵头">{quoted_link}</td><td data-label="配合"><span class="muted">—</span></td>'
        '<td data-label="时限">2020年12月<br><time class="due" datetime="2020-12-31">2020年12月31日到期</time></td>'
    ) in html
    assert (
        '<tr><td data-label="序号">&lt;2&gt;</td><td data-label="任务">任务&lt;b&gt;二&lt;/b&gt;</td>'
        '<td data-label="牵头"><span class="muted">—</span></td><td data-label="配合"><span class="muted">—</span></td>'
        '<td data-label="时限"><span class="muted">—</span></td>'
    ) in html
    assert unplaced.anchor == ""


def test_body_blocks_escape_their_text_and_keep_line_breaks(reader):
    document = DocumentFactory(
        blocks=[
            {"kind": "heading", "text": '一、"总则"<i>', "level": 9, "rows": []},
            paragraph("第一行<br>\n第二行"),
            {"kind": "table", "text": "", "level": None, "rows": [["<th>"]]},
            {"kind": "", "text": "无类型", "level": None, "rows": []},
        ]
    )

    html = reader.get(document.get_absolute_url()).content.decode()

    assert '<h5 id="b0" class="doc-heading">一、&quot;总则&quot;&lt;i&gt;</h5>' in html
    assert '<p id="b1" class="doc-para">第一行&lt;br&gt;<br>第二行</p>' in html
    assert '<thead>\n<tr id="b2-r0"><th scope="col">&lt;th&gt;</th></tr>\n</thead>' in html
    assert '<p id="b3" class="doc-para">无类型</p>' in html


@pytest.mark.parametrize(
    "text",
    [
        "按照贺政办发〔2018〕146号文件",
        "依据《贺州市推进电子商务与快递物流协同发展实施方案》",
        "桂政发 2019 5 号",
        "柳政办[2023]10号",
    ],
)
def test_texts_that_cite_are_looked_at_for_citations(text):
    assert find_citations(text) and may_cite(text)


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003"])
def test_every_citation_in_a_real_gazette_is_in_a_text_looked_at(fixture_bytes, prefix):
    """The pages look for citations only in texts may_cite() accepts; none found elsewhere may be missed."""
    lines = decode_bytes(fixture_bytes(prefix)).splitlines()
    texts = lines + [cell for line in lines for cell in line.split("\t")]

    missed = [text for text in texts if find_citations(text) and not may_cite(text)]

    assert any(find_citations(text) for text in texts)
    assert missed == []


def test_cited_doc_number_links_to_that_document_and_it_lists_the_citation_back(reader):
    cited = DocumentFactory(
        title="贺州市人民政府关于市长副市长工作分工调整的通知",
        doc_number="贺政发〔2019〕1号",
        doc_code="贺政发",
        doc_year=2019,
        doc_seq=1,
    )
    citing = DocumentFactory(blocks=[paragraph(f"按照贺政发〔2019〕1号文件要求{HOSTILE}，现通知如下。")])
    document_citations_update(documents=[citing])

    citing_html = reader.get(citing.get_absolute_url()).content.decode()
    cited_html = reader.get(cited.get_absolute_url()).content.decode()

    assert f'按照<a class="cite" href="{cited.get_absolute_url()}"' in citing_html
    assert ">贺政发〔2019〕1号</a>文件要求&lt;script&gt;" in citing_html
    assert "被以下文件引用" in cited_html
    assert citing.get_absolute_url() in cited_html


def test_cited_title_in_a_table_cell_links_to_the_document_that_prints_it(reader):
    citing = DocumentFactory(
        blocks=[
            {
                "kind": "table",
                "text": "",
                "level": None,
                "rows": [["依据"], ["《贺州市推进电子商务与快递物流协同发展实施方案》\n第三条"]],
            }
        ],
        body="依据\n《贺州市推进电子商务与快递物流协同发展实施方案》 第三条",
    )
    document_citations_update(documents=[citing])  # imported first, when the plan it cites was not yet known
    printed = DocumentFactory(
        title="贺州市人民政府办公室关于印发《贺州市推进电子商务与快递物流协同发展实施方案》的通知"
    )
    document_citations_update(documents=[printed])

    html = reader.get(citing.get_absolute_url()).content.decode()

    assert f'<a class="cite" href="{printed.get_absolute_url()}"' in html
    assert "》</a><br>第三条" in html


def test_every_page_of_a_real_imported_gazette_renders_in_bounded_queries(
    reader, fixture_bytes, django_assert_max_num_queries
):
    from gazette.services import gazette_file_import

    issue = gazette_file_import(file_name="000.txt", data=fixture_bytes("000"), index=False).issue
    document_citations_update(documents=issue.documents.all())

    with django_assert_max_num_queries(10):
        toc = reader.get(issue.get_absolute_url()).content.decode()
    assert toc.count('class="toc-page"') == 13
    for document in issue.documents.all():
        with django_assert_max_num_queries(12):
            response = reader.get(document.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        for task in document.tasks.all():
            assert f'id="{task.anchor}"' in html, (document.title, task.anchor)


@pytest.mark.parametrize(
    "model",
    [
        "gazette/gazette",
        "gazette/issue",
        "gazette/document",
        "gazette/documentlink",
        "gazette/importrecord",
        "policies/department",
        "policies/departmentalias",
        "policies/task",
    ],
)
def test_admin_lists_each_model_and_import_records_are_read_only(client, model):
    client.force_login(StaffFactory(username="admin"))
    record = ImportRecordFactory(data=b"SECRET-BYTES")
    TaskAssignmentFactory()

    assert client.get(f"/admin/{model}/").status_code == 200
    page = client.get(f"/admin/gazette/importrecord/{record.pk}/change/")
    assert page.status_code == 200
    assert "SECRET-BYTES" not in page.content.decode()
    assert client.get("/admin/gazette/importrecord/add/").status_code == 403


def test_a_very_long_body_is_shown_in_parts_and_task_links_name_the_part(reader):
    paragraph = "为加快发展冷链物流，保障食品安全，促进消费升级，制定本方案。" * 300  # 9,000 characters
    blocks = [{"kind": "paragraph", "text": f"第{n}段：{paragraph}", "level": None, "rows": []} for n in range(60)]
    document = DocumentFactory(blocks=blocks, body="\n".join(b["text"] for b in blocks))
    TaskFactory(document=document, text="第五十段的任务", block_index=50)

    first = reader.get(document.get_absolute_url())
    html = first.content.decode()
    fifth = reader.get(document.get_absolute_url() + "?part=5").content.decode()

    assert first.status_code == 200
    assert len(first.content) < 400_000  # 540,000 characters of body would be well over 1.5 MB
    assert 'id="b0"' in html and 'id="b11"' not in html and 'id="b50"' not in html
    assert "分 6 部分显示，当前第 1 部分" in html
    assert '<a href="?part=2">2</a>' in html
    # The task table is on every part, and its link goes to the part holding paragraph 50.
    assert 'href="?part=5#b50"' in html
    assert 'id="b50"' in fifth and 'href="#b50"' in fifth and 'id="b0"' not in fifth


def test_a_part_number_out_of_range_or_not_a_number_shows_the_nearest_part(reader):
    blocks = [{"kind": "paragraph", "text": "冷链" * 30_000, "level": None, "rows": []} for _ in range(3)]
    document = DocumentFactory(blocks=blocks)

    assert 'id="b2"' in reader.get(document.get_absolute_url() + "?part=99").content.decode()
    assert 'id="b0"' in reader.get(document.get_absolute_url() + "?part=x²").content.decode()
    assert 'id="b0"' in reader.get(document.get_absolute_url() + "?part=-4").content.decode()


def test_a_short_body_has_no_parts_navigation(reader):
    html = reader.get(DocumentFactory().get_absolute_url()).content.decode()

    assert "部分显示" not in html


def test_a_part_of_a_long_body_starts_at_a_heading_when_one_comes_late_enough():
    from gazette.body_parts import BodyParts

    paragraph = {"kind": "paragraph", "text": "冷" * 1_000}
    heading = {"kind": "heading", "text": "二、保障措施", "level": 1}
    blocks = [paragraph] * 70 + [heading] + [paragraph] * 50

    parts = BodyParts.of(blocks, limit=100_000)

    assert [len(r) for r in parts.ranges] == [70, 51]
    assert blocks[parts.ranges[1][0]] is heading
    # A heading too early in a part would make a tiny part: the cut stays at the limit.
    early = [paragraph] * 10 + [heading] + [paragraph] * 150
    assert [len(r) for r in BodyParts.of(early, limit=100_000).ranges] == [100, 61]
