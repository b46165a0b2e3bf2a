"""Two job workers (`manage.py jobs_worker`, real processes) importing at once, on real PostgreSQL:
two issues of one city name the same new bodies; both imports succeed and each body is filed once."""

from __future__ import annotations

import subprocess
import textwrap

import pytest
from django.db.models import Count

from gazette.importer import decode_bytes, parse_gazette
from gazette.models import Document, ImportRecord
from gazette.tasks import import_record_enqueue
from policies.models import Department, DepartmentAlias, TaskAssignment
from tests.factories import GazetteFactory

from .conftest import PYTHON, ROOT

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# A worker whose import sleeps inside its transaction after its first document's tasks are saved,
# so the other worker's import runs meanwhile; NO_REGISTRY_LOCK=1 takes the registry lock away
# (to see the race it prevents), and the citation lock, which an import takes earlier in the same
# transaction and which would keep the two apart as well; NO_DOCUMENT_LOCKS=1 the locks on the
# documents' 文号.
CHILD_WORKER = textwrap.dedent(
    """
    import os, sys, time
    import django
    django.setup()
    from django.conf import settings
    from haystack import connections
    settings.HAYSTACK_CONNECTIONS = {"default": {
        **settings.HAYSTACK_CONNECTIONS["default"], "PATH": os.environ["GONGBAO_CHILD_INDEX"]}}
    connections.reload("default")
    import policies.services
    from django.core.management import call_command
    # Each new document's 发文机关 is read inside the import's transaction, after its tasks.
    real_issuer_rows, saved = policies.services._issuer_rows, []

    def slow_issuer_rows(document, departments):
        result = real_issuer_rows(document, departments)
        saved.append(document.pk)
        if len(saved) == 1:
            print("inside the transaction", flush=True)
            time.sleep(float(os.environ["SLEEP"]))
        return result

    policies.services._issuer_rows = slow_issuer_rows
    if os.environ.get("NO_REGISTRY_LOCK"):
        import gazette.citations
        policies.services._registry_lock = lambda: None
        gazette.citations._citations_lock = lambda: None
    if os.environ.get("NO_DOCUMENT_LOCKS"):
        import gazette.services
        gazette.services._lock_documents = lambda documents: None
    call_command("jobs_worker", "--batch", "--interval", "0.1", verbosity=0)
    """
)


def _issue(fixture: bytes, number: int, serials: list[int] | None = None) -> bytes:
    """A 贺州 issue of its own with the documents of fixture 000, each with its own 文号 and title
    (serials: 101, 102… for issue 1 by default; the same serial is the same document)."""
    documents = [d for d in parse_gazette(decode_bytes(fixture)).documents if d.tasks][:4]
    serials = serials or [number * 100 + n for n in range(1, 5)]
    parts = ["贺州市人民政府公报", "2019", f"第{number}期（总第{number}期）", "贺州市人民政府办公室", "目 录"]
    rendered = []
    for n, (document, serial) in enumerate(zip(documents, serials, strict=True), start=1):
        title = f"贺州市人民政府办公室关于印发第{serial}号" + document.title.split("关于", 1)[-1].removeprefix("印发")
        doc_number = f"贺政办发〔2019〕{serial}号"
        parts.append(f"- ◆{title}({doc_number}) {n * 3}")
        body = []
        for block in document.blocks:
            if block.kind == "table":
                body.extend("\t".join(cell.replace("\n", "") for cell in row) for row in block.rows)
            else:
                body.append(block.text)
        rendered += [title, doc_number, "各县（区）人民政府，市直各委、办、局：", *body, "贺州市人民政府办公室"]
        rendered.append("2019年3月1日")
    return ("\n\n".join(parts + rendered) + "\n").encode("utf-8")


def _two_workers_import_two_issues(subprocess_env, fixture_bytes, second=None, **env) -> list[str]:
    GazetteFactory()  # known from an earlier issue: creating it would make the second import wait
    for number, serials in ((1, None), (2, second)):
        data = _issue(fixture_bytes("000"), number, serials)
        import_record_enqueue(file_name=f"hezhou-{number}.txt", data=data, user=None)
    children = [
        subprocess.Popen(
            [PYTHON, "-c", CHILD_WORKER],
            cwd=ROOT,
            env={**subprocess_env, "SLEEP": "3", **env},
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = []
    for child in children:
        out, _ = child.communicate(timeout=240)
        assert child.returncode == 0
        outputs.append(out)
    return outputs


def test_two_workers_importing_issues_of_one_city_at_once_file_each_body_once(subprocess_env, fixture_bytes):
    outputs = _two_workers_import_two_issues(subprocess_env, fixture_bytes)

    # Both workers took an import (each sleeps inside its transaction, so neither could take both).
    assert [out.count("inside the transaction") for out in outputs] == [1, 1]
    records = ImportRecord.objects.order_by("pk")
    assert [(r.status, r.documents_created) for r in records] == [("imported", 4), ("imported", 4)]
    assert Document.objects.count() == 8
    twice = Department.objects.values("province", "city", "county", "name").annotate(n=Count("pk")).filter(n__gt=1)
    assert not twice.exists()
    # The second issue's tasks went to the bodies the first filed: each named body once, in 贺州市.
    first, second = (
        set(TaskAssignment.objects.filter(task__document__issue__source=r).values_list("department", flat=True))
        for r in records
    )
    assert first and first == second
    assert not DepartmentAlias.objects.values("department", "alias").annotate(n=Count("pk")).filter(n__gt=1).exists()


def test_without_the_registry_lock_one_of_two_concurrent_imports_fails(subprocess_env, fixture_bytes):
    """The race the lock prevents: both insert the same new body, the second fails on its unique name."""
    _two_workers_import_two_issues(subprocess_env, fixture_bytes, NO_REGISTRY_LOCK="1")

    statuses = sorted(ImportRecord.objects.values_list("status", flat=True))
    assert statuses == ["failed", "imported"]
    failed = ImportRecord.objects.get(status="failed")
    assert "department_unique_per_place" in failed.error or "deadlock" in failed.error.lower()


def test_a_document_in_two_files_imported_at_once_is_saved_once_and_linked_from_the_other(
    subprocess_env, fixture_bytes
):
    _two_workers_import_two_issues(subprocess_env, fixture_bytes, second=[201, 202, 203, 101])

    assert Document.objects.filter(doc_number="贺政办发〔2019〕101号").count() == 1
    records = ImportRecord.objects.order_by("documents_created")
    assert [(r.status, r.documents_created, r.documents_linked) for r in records] == [
        ("imported", 3, 1),
        ("imported", 4, 0),
    ]


def test_without_the_document_locks_a_document_in_two_files_imported_at_once_is_saved_twice(
    subprocess_env, fixture_bytes
):
    """The race the locks prevent: neither import sees the other's uncommitted document."""
    _two_workers_import_two_issues(subprocess_env, fixture_bytes, second=[201, 202, 203, 101], NO_DOCUMENT_LOCKS="1")

    assert Document.objects.filter(doc_number="贺政办发〔2019〕101号").count() == 2
