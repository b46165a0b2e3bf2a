"""An import resolves each department name once for all its documents, as a fresh read would."""

import pytest

import policies.services
from gazette.importer.records import TaskRecord
from policies.models import TaskAssignment
from policies.services import DepartmentNames, document_tasks_save
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def _lead_names(document) -> list[str]:
    assignments = TaskAssignment.objects.filter(task__document=document, role=TaskAssignment.Role.LEAD)
    return list(assignments.order_by("task__order").values_list("department__name", flat=True))


def test_names_shared_by_an_issue_are_resolved_once(monkeypatch):
    calls = []
    real = policies.services.department_resolve

    def counting_resolve(**kwargs):
        calls.append(kwargs["name"])
        return real(**kwargs)

    monkeypatch.setattr(policies.services, "department_resolve", counting_resolve)
    departments = DepartmentNames.load(city="贺州市")
    documents = [DocumentFactory() for _ in range(3)]
    for document in documents:
        tasks = [TaskRecord(text="推进冷链。", lead=["市商务局"], support=["市邮政管理局", "市商务局"])]
        document_tasks_save(document=document, tasks=tasks, city="贺州市", departments=departments)

    # The bodies of the tasks, and the issuer of the documents (贺州市人民政府办公室), once each.
    assert sorted(calls) == ["市商务局", "市邮政管理局", "贺州市人民政府办公室"]
    assert [_lead_names(document) for document in documents] == [["市商务局"]] * 3


def test_an_alias_from_one_document_applies_to_the_next():
    departments = DepartmentNames.load(city="贺州市")
    first, second = DocumentFactory(), DocumentFactory()
    document_tasks_save(
        document=first,
        tasks=[
            TaskRecord(text="推进通关便利化。", lead=["市口岸办"]),
            TaskRecord(text="统筹推进。", lead=["市商务局（市口岸办）"]),
        ],
        city="贺州市",
        departments=departments,
    )
    document_tasks_save(
        document=second,
        tasks=[TaskRecord(text="推进通关便利化。", lead=["市口岸办"])],
        city="贺州市",
        departments=departments,
    )

    # Read before the alias, as a document's own names always were; the next document follows it.
    assert _lead_names(first) == ["市口岸办", "市商务局"]
    assert _lead_names(second) == ["市商务局"]
