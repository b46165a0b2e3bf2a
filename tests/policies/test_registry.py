"""The registry files each body once, in its place: spellings merged, look-alikes queued for review."""

import pytest

from gazette.importer.records import TaskRecord
from policies.models import Department, DepartmentAlias, DocumentIssuer, TaskAssignment
from policies.services import (
    DepartmentNames,
    department_accept,
    department_merge,
    department_resolve,
    document_tasks_save,
)
from tests.factories import DocumentFactory, GazetteFactory, IssueFactory

pytestmark = pytest.mark.django_db


def _liuzhou_document(**fields):
    gazette = GazetteFactory(name="柳州市人民政府公报", city="柳州市")
    return DocumentFactory(issue=IssueFactory(gazette=gazette), issuer="柳州市人民政府办公室", **fields)


def _save(document, *tasks: TaskRecord, departments=None):
    return document_tasks_save(document=document, tasks=list(tasks), city="柳州市", departments=departments)


def test_a_city_body_written_with_its_citys_name_is_the_same_body():
    document = _liuzhou_document()
    _save(
        document,
        TaskRecord(text="推进一照多址改革。", lead=["市市场监管局"]),
        TaskRecord(text="畅通知识产权信息交换渠道。", lead=["柳州市市场监管局"]),
    )

    body = Department.objects.get(name="市市场监管局")
    assert (body.city, body.level, body.province) == ("柳州市", "city", "广西壮族自治区")
    assert TaskAssignment.objects.filter(department=body).count() == 2
    assert list(body.aliases.values_list("alias", flat=True)) == ["柳州市市场监管局"]
    assert not Department.objects.filter(name="柳州市市场监管局").exists()


def test_spellings_of_the_natural_resources_bureau_are_one_body():
    names = ["市自然资源局", "市自然资源和规划局", "市自然资源规划局", "市自然资源局和规划局"]
    _save(_liuzhou_document(), *(TaskRecord(text=f"任务{n}", lead=[name]) for n, name in enumerate(names)))

    (body,) = Department.objects.filter(city="柳州市", assignments__isnull=False).distinct()
    assert body.name == "市自然资源局"
    assert sorted(body.aliases.values_list("alias", flat=True)) == sorted(names[1:])
    assert not body.review


def test_provincial_and_national_bodies_are_not_the_citys():
    _save(
        _liuzhou_document(),
        TaskRecord(text="推进。", lead=["自治区自然资源厅"], support=["自然资源部", "市场监管总局"]),
    )

    assert dict(Department.objects.filter(assignments__isnull=False).values_list("name", "level")) == {
        "自治区自然资源厅": "provincial",
        "自然资源部": "national",
        "市场监管总局": "national",
    }
    assert list(Department.objects.filter(city="柳州市").values_list("name", flat=True)) == [
        "市人民政府办公室"
    ]  # the issuer
    assert Department.objects.get(name="自治区自然资源厅").province == "广西壮族自治区"


def test_a_misspelt_name_waits_for_review_and_a_merge_moves_its_tasks():
    document = _liuzhou_document()
    _save(document, TaskRecord(text="统筹推进。", lead=["市发展改革委"]))
    typo_task = _save(_liuzhou_document(), TaskRecord(text="加快项目建设。", lead=["市发改改革委"]))[0]

    typo = Department.objects.get(name="市发改革委")  # the doubled 改 undone, still a typo
    assert typo.review and Department.objects.in_review().count() == 1
    right = Department.objects.get(name="市发展改革委")

    department_merge(department=typo, into=right)

    assert [a.department for a in TaskAssignment.objects.filter(task=typo_task)] == [right]
    assert not Department.objects.filter(pk=typo.pk).exists()
    assert department_resolve(name="市发改改革委", city="柳州市") == right  # the next import follows the alias


def test_a_former_name_waits_for_review_and_merges_with_its_note():
    _save(_liuzhou_document(), TaskRecord(text="加强监管。", lead=["市市场监管局"]))
    _save(_liuzhou_document(), TaskRecord(text="清理无照经营。", lead=["市工商局"]))
    former = Department.objects.get(name="市工商局")
    assert former.review

    current = department_merge(department=former, into=Department.objects.get(name="市市场监管局"), note="2018年更名")

    alias = DepartmentAlias.objects.get(alias="市工商局")
    assert (alias.department, alias.note) == (current, "2018年更名")
    assert TaskAssignment.objects.filter(department=current).count() == 2


def test_accepting_takes_a_body_out_of_the_queue():
    _save(_liuzhou_document(), TaskRecord(text="甲。", lead=["市人力资源社会保障局"]))
    _save(_liuzhou_document(), TaskRecord(text="乙。", lead=["市人力资源保障局"]))
    waiting = Department.objects.get(name="市人力资源保障局")

    department_accept(department=waiting)

    assert not Department.objects.in_review().exists()


def test_a_merge_into_itself_is_refused():
    body = department_resolve(name="市商务局", city="柳州市")
    with pytest.raises(ValueError):
        department_merge(department=body, into=body)


def test_a_merge_keeps_one_assignment_when_both_had_the_task():
    document = _liuzhou_document()
    (task,) = _save(document, TaskRecord(text="推进。", lead=["市市场监管局", "市市场监督局"]))
    typo = Department.objects.get(name="市市场监督局")

    department_merge(department=typo, into=Department.objects.get(name="市市场监管局"))

    assert list(task.assignments.values_list("department__name", "role")) == [("市市场监管局", "lead")]


def test_notices_of_a_compilation_file_bodies_under_their_own_city():
    compilation = GazetteFactory(name="政策汇编", city="", kind="compilation")
    sanya = DocumentFactory(issue=IssueFactory(gazette=compilation), issuer="三亚市人民政府办公室", region="海南")
    shenzhen = DocumentFactory(issue=IssueFactory(gazette=compilation), issuer="深圳市人民政府办公厅", region="广东")
    departments = DepartmentNames.load(city="")
    for document in (sanya, shenzhen):
        document_tasks_save(
            document=document, tasks=[TaskRecord(text="推进。", lead=["市财政局"])], city="", departments=departments
        )

    assert sorted(Department.objects.filter(name="市财政局").values_list("city", flat=True)) == ["三亚市", "深圳市"]


def test_a_document_is_linked_to_the_bodies_that_issued_it():
    document = DocumentFactory(issuer="深圳市前海深港现代服务业合作区管理局国家税务总局深圳市税务局")

    _save(document)

    assert list(DocumentIssuer.objects.filter(document=document).values_list("department__name", flat=True)) == [
        "市前海深港现代服务业合作区管理局",
        "国家税务总局深圳市税务局",
    ]


def test_a_bracketed_alias_sends_a_body_filed_under_it_to_review():
    _save(_liuzhou_document(), TaskRecord(text="推进通关。", lead=["市口岸办"]))
    _save(_liuzhou_document(), TaskRecord(text="统筹推进。", lead=["市商务局（市口岸办）"]))

    assert Department.objects.get(name="市口岸办").review
    assert department_resolve(name="市口岸办", city="柳州市").name == "市商务局"
