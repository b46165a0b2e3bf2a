"""Saving tasks links them to one department registry per city, following the alias table."""

import pytest

from gazette.importer.records import TaskRecord
from policies.models import Department, DepartmentAlias, TaskAssignment
from policies.services import department_resolve, document_tasks_save
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def test_abbreviation_maps_to_one_body_through_the_seeded_alias_table():
    full = department_resolve(name="市发展改革委", city="贺州市")
    short = department_resolve(name="市发改委", city="贺州市")

    assert short == full
    assert Department.objects.filter(city="贺州市").count() == 1


def test_admin_added_alias_is_followed():
    DepartmentAlias.objects.create(city="柳州市", alias="市审批局", canonical="市行政审批局")

    assert department_resolve(name="市审批局", city="柳州市").name == "市行政审批局"
    assert department_resolve(name="市审批局", city="贺州市").name == "市行政审批局"  # seeded general alias


def test_bracketed_alias_is_kept_as_an_alias_of_the_city():
    department = department_resolve(name="市发展改革委（市大数据发展局）", city="柳州市")

    assert department.name == "市发展改革委"
    assert DepartmentAlias.objects.get(city="柳州市", alias="市大数据发展局").canonical == "市发展改革委"
    assert department_resolve(name="市大数据发展局", city="柳州市") == department


def test_same_name_in_two_cities_is_two_bodies():
    assert department_resolve(name="市商务局", city="贺州市") != department_resolve(name="市商务局", city="柳州市")


def test_document_tasks_saved_with_lead_and_support_in_order():
    document = DocumentFactory()
    tasks = [
        TaskRecord(
            text="深化“放管服”改革。",
            number="1",
            lead=["各县（区）人民政府"],
            support=["市工商局", "市邮政管理局"],
            block_index=4,
        ),
        TaskRecord(text="推进冷链。", number="2", lead=["市商务局"], support=["市商务局"], deadline="2020年底"),
    ]

    saved = document_tasks_save(document=document, tasks=tasks, city="贺州市")

    assert [d.name for d in saved[0].leads] == ["各县（区）人民政府"]
    assert [d.name for d in saved[0].supports] == ["市工商局", "市邮政管理局"]
    assert saved[0].anchor == "b4"
    assert TaskAssignment.objects.filter(task=saved[1]).count() == 2
    assert saved[1].deadline == "2020年底"
