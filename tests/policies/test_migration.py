"""A database from before levels and places is upgraded: each row read again in its place."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("policies", "0002_seed_department_aliases"), ("gazette", "0004_import_jobs")]
AFTER = [("policies", "0005_department_place_constraints")]


@pytest.mark.django_db(transaction=True)
def test_existing_departments_get_a_level_and_place_and_one_row_per_body():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    gazette = apps.get_model("gazette", "Gazette").objects.create(name="政策汇编", city="", kind="compilation")
    issue = apps.get_model("gazette", "Issue").objects.create(gazette=gazette, year=2023)
    document_model, task_model = apps.get_model("gazette", "Document"), apps.get_model("policies", "Task")
    department_model = apps.get_model("policies", "Department")
    assignment_model = apps.get_model("policies", "TaskAssignment")
    sanya = document_model.objects.create(issue=issue, order=1, title="三亚", issuer="三亚市人民政府办公室")
    shenzhen = document_model.objects.create(issue=issue, order=2, title="深圳", issuer="深圳市人民政府办公厅")
    liuzhou_gazette = apps.get_model("gazette", "Gazette").objects.create(name="柳州市人民政府公报", city="柳州市")
    liuzhou = document_model.objects.create(
        issue=apps.get_model("gazette", "Issue").objects.create(gazette=liuzhou_gazette, year=2023),
        order=1,
        title="柳州",
        issuer="柳州市人民政府办公室",
    )
    finance = department_model.objects.create(city="", name="市财政局")  # one row for two cities' bodies
    full = department_model.objects.create(city="柳州市", name="柳州市市场监管局")
    short = department_model.objects.create(city="柳州市", name="市市场监管局")
    land = department_model.objects.create(city="柳州市", name="自治区自然资源厅")
    for order, (document, department) in enumerate(
        [(sanya, finance), (shenzhen, finance), (liuzhou, full), (liuzhou, short), (liuzhou, land)]
    ):
        task = task_model.objects.create(document=document, order=order, text=f"任务{order}")
        assignment_model.objects.create(task=task, department=department, role="lead")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    department_model = apps.get_model("policies", "Department")

    rows = set(department_model.objects.values_list("name", "city", "province", "level"))
    assert rows == {
        ("市财政局", "三亚市", "海南省", "city"),
        ("市财政局", "深圳市", "广东省", "city"),
        ("市市场监管局", "柳州市", "广西壮族自治区", "city"),
        ("自治区自然资源厅", "", "广西壮族自治区", "provincial"),
    }
    market = department_model.objects.get(name="市市场监管局")
    assert apps.get_model("policies", "TaskAssignment").objects.filter(department=market).count() == 2
    assert list(market.aliases.values_list("alias", flat=True)) == ["柳州市市场监管局"]
    executor.loader.build_graph()
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
