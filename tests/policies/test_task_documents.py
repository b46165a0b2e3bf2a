"""Task documents people can read: two-level headers and section rows kept, an outline beside a
long body, and existing tasks dated by the migration that added due dates."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gazette.templatetags.gazette_tags import header_spans, is_section_row
from tests.factories import DocumentFactory, UserFactory

# 柳政办〔2023〕10号's header, as the importer keeps it: a label over 牵头/配合, labels with nothing below.
LIUZHOU_HEADER = [
    ["序号", "改革事项", "广西复制推广具体措施", "柳州复制推广具体措施", "完成时限", "自治区", "", "柳州市", ""],
    ["", "", "", "", "", "牵头单位", "配合单位", "牵头单位", "配合单位"],
]


def test_two_level_header_spans_its_groups_and_the_labels_above_nothing():
    top, below = header_spans(LIUZHOU_HEADER)

    assert top == [
        (0, "序号", 2, 1),
        (1, "改革事项", 2, 1),
        (2, "广西复制推广具体措施", 2, 1),
        (3, "柳州复制推广具体措施", 2, 1),
        (4, "完成时限", 2, 1),
        (5, "自治区", 1, 2),
        (7, "柳州市", 1, 2),
    ]
    assert below == [(5, "牵头单位", 1, 1), (6, "配合单位", 1, 1), (7, "牵头单位", 1, 1), (8, "配合单位", 1, 1)]


def test_a_one_row_header_is_left_as_it_is():
    assert header_spans([["序号", "任务", "牵头单位"]]) == [
        [(0, "序号", 1, 1), (1, "任务", 1, 1), (2, "牵头单位", 1, 1)]
    ]


@pytest.mark.parametrize(
    ("cells", "section"),
    [
        (["一、进一步破除区域分割和地方保护等不合理限制", "", "", ""], True),
        (["12", "", "", ""], False),
        (["1", "做好市场准入负面清单实施工作。", "", ""], False),
        (["(二) 着力优化工业产品管理制度。", "", ""], True),
    ],
)
def test_section_rows_are_text_in_the_first_cell_only(cells, section):
    assert is_section_row(cells) is section


@pytest.mark.django_db
def test_long_task_document_shows_both_header_rows_section_rows_and_an_outline(client):
    client.force_login(UserFactory(username="reader"))
    rows = LIUZHOU_HEADER + [["一、进一步破除区域分割和地方保护等不合理限制"] + [""] * 8]
    for number in range(1, 30):
        rows.append([str(number), "开展改革事项", "措施" * 60, "措施" * 60, "持续推进", "厅", "厅", "市局", "市局"])
        if number % 10 == 0:
            rows.append([f"{'二三四'[number // 10 - 1]}、第{number // 10}部分"] + [""] * 8)
    document = DocumentFactory(
        blocks=[
            {"kind": "heading", "text": "柳州市落实任务分工表", "level": 1, "rows": []},
            {"kind": "table", "text": "", "level": None, "rows": rows},
        ]
    )

    html = client.get(document.get_absolute_url()).content.decode()

    assert '<th scope="col" rowspan="2">序号</th>' in html
    assert '<th scope="colgroup" colspan="2">自治区</th>' in html
    assert '<tr id="b1-r1"><th scope="col">牵头单位</th><th scope="col">配合单位</th>' in html
    assert (
        '<tr id="b1-r2" class="doc-table-section"><th colspan="9" scope="colgroup">'
        "一、进一步破除区域分割和地方保护等不合理限制</th></tr>"
    ) in html
    assert '<col class="doc-col-narrow"><col class="doc-col">' in html and 'class="doc-col-wide"' in html
    outline = html.split('<ol class="outline">')[1].split("</ol>")[0]
    assert '<a href="#b0">柳州市落实任务分工表</a>' in outline
    assert '<a href="#b1-r2">一、进一步破除区域分割和地方保护等不合理限制</a>' in outline
    assert outline.count("<li") == 4  # the heading and three sections; no task table to link


@pytest.mark.django_db
def test_a_short_document_has_no_outline(client):
    client.force_login(UserFactory(username="reader"))

    html = client.get(DocumentFactory().get_absolute_url()).content.decode()

    assert 'class="outline"' not in html and "has-outline" not in html


BEFORE = [("policies", "0005_department_place_constraints"), ("gazette", "0005_document_validity")]
AFTER = [("policies", "0007_task_due_read")]


@pytest.mark.django_db(transaction=True)
def test_migration_reads_the_deadlines_of_existing_tasks_in_their_documents_year():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    gazette = apps.get_model("gazette", "Gazette").objects.create(name="柳州市人民政府公报", city="柳州市")
    issue = apps.get_model("gazette", "Issue").objects.create(gazette=gazette, year=2023)
    document = apps.get_model("gazette", "Document").objects.create(
        issue=issue, order=1, title="任务分工", date="2023-02-17"
    )
    task_model = apps.get_model("policies", "Task")
    for order, deadline in enumerate(["2022年12月31日，持续推进", "6月底前", "按国家部署", ""], start=1):
        task_model.objects.create(document=document, order=order, text=f"任务{order}", deadline=deadline)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps

    tasks = apps.get_model("policies", "Task").objects.order_by("order")
    assert [(str(task.due) if task.due else None, task.ongoing) for task in tasks] == [
        ("2022-12-31", True),
        ("2023-06-30", False),
        (None, False),
        (None, False),
    ]
    assert {task.created_at for task in tasks} == {issue.created_at}
    executor.loader.build_graph()
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
