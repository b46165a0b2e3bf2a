"""factory_boy factories for database objects."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from gazette.importer.deadlines import read_deadline
from gazette.models import Document, Gazette, ImportRecord, Issue
from policies.models import Department, Task, TaskAssignment


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests")


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True


class GazetteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Gazette
        django_get_or_create = ("name",)

    name = "贺州市人民政府公报"
    city = "贺州市"
    publisher = "贺州市人民政府办公室"


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue

    gazette = factory.SubFactory(GazetteFactory)
    year = 2019
    number = factory.Sequence(lambda n: n + 1)
    total_number = factory.LazyAttribute(lambda o: o.number + 50)
    published = dt.date(2019, 2, 27)


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    issue = factory.SubFactory(IssueFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"贺州市人民政府办公室关于印发测试方案{n}的通知")
    doc_number = factory.Sequence(lambda n: f"贺政办发〔2018〕{n + 200}号")
    doc_code = "贺政办发"
    doc_year = 2018
    doc_seq = factory.Sequence(lambda n: n + 200)
    issuer = "贺州市人民政府办公室"
    date = dt.date(2018, 12, 29)
    blocks = factory.LazyAttribute(lambda o: [{"kind": "paragraph", "text": o.body, "level": None, "rows": []}])
    body = "为加快发展冷链物流，保障食品安全，促进消费升级，制定本方案。"


class ImportRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportRecord

    file_name = "gazette.txt"
    data = b"text"
    size = 4
    sha256 = factory.Sequence(lambda n: f"{n:064x}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("city", "name")

    city = "贺州市"
    name = "市商务局"


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    document = factory.SubFactory(DocumentFactory)
    order = factory.Sequence(lambda n: n + 1)
    number = "1"
    text = "加快冷链物流基础设施建设。"
    deadline = "2020年12月"
    # Read from the deadline as an import reads it (2020年12月 → 2020-12-31).
    due = factory.LazyAttribute(lambda o: read_deadline(o.deadline, written=o.document.date).due)
    ongoing = factory.LazyAttribute(lambda o: read_deadline(o.deadline, written=o.document.date).ongoing)


class TaskAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskAssignment

    task = factory.SubFactory(TaskFactory)
    department = factory.SubFactory(DepartmentFactory)
    role = TaskAssignment.Role.LEAD
