"""Imports running at the same time, on real PostgreSQL connections (one per thread)."""

import threading

import pytest
from django.db import connection

from gazette.models import Document, ImportRecord, Issue
from gazette.services import ImportFailed, gazette_file_import

pytestmark = pytest.mark.django_db(transaction=True)


def _run_at_once(jobs):
    """Run each (name, data) import in its own thread, started together; return outcomes or errors."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def work(i, name, data):
        try:
            barrier.wait()
            results[i] = gazette_file_import(file_name=name, data=data, index=False)
        except ImportFailed as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i, *job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_imports_of_the_same_file_at_once_give_one_issue(fixture_bytes):
    data = fixture_bytes("000")

    results = _run_at_once([("a.txt", data), ("b.txt", data)])

    assert Issue.objects.count() == 1
    assert Document.objects.count() == 13
    statuses = sorted(ImportRecord.objects.values_list("status", flat=True))
    assert statuses == [ImportRecord.Status.IMPORTED, ImportRecord.Status.UNCHANGED]
    assert sum(1 for r in results if getattr(r, "unchanged", False)) == 1


def test_two_imports_of_different_files_at_once_both_land(fixture_bytes):
    results = _run_at_once([("000.txt", fixture_bytes("000")), ("001.txt", fixture_bytes("001"))])

    assert not [r for r in results if isinstance(r, Exception)]
    assert Issue.objects.count() == 2
    assert Document.objects.filter(issue__gazette__name="贺州市人民政府公报").count() == 13
    assert Document.objects.filter(issue__gazette__name="柳州市人民政府公报").count() == 9


def _gazette(city, number, documents):
    """A gazette file's text (as scripts/bench renders one): (title, 文号, body) documents."""
    toc = [f"- ◆{title}({doc_number}) {i * 3 + 1}" for i, (title, doc_number, _) in enumerate(documents)]
    parts = [f"{city}市人民政府公报", "2020", f"第{number}期（总第{number}期）", f"{city}市人民政府办公室"]
    parts += [f"2020年{number}月15日 第{number}期(总第{number}期)", "目 录", *toc]
    for title, doc_number, body in documents:
        parts += [
            title,
            doc_number,
            "各县（区）人民政府，市直各委、办、局：",
            body,
            f"{city}市人民政府办公室",
            "2020年1月2日",
        ]
    return ("\n\n".join(parts) + "\n").encode("utf-8")


def test_two_imports_at_once_printing_one_plan_leave_each_citation_of_it_one_link(fixture_bytes):
    from gazette.models import DocumentLink

    plan = "《贺州市冷链物流共享实施方案》"
    body = f"现将{plan}印发给你们，请认真组织实施。{plan}自印发之日起施行。"
    older = _gazette(
        "贺州", 1, [("贺州市人民政府办公室关于印发冷链物流方案的通知", "贺政办发〔2020〕1号", f"请按照{plan}执行。")]
    )
    gazette_file_import(file_name="older.txt", data=older, index=False)
    files = [
        (
            f"{city}.txt",
            _gazette(city, 2, [(f"{city}市人民政府办公室关于印发{plan}的通知", f"{city[0]}政办发〔2020〕2号", body)]),
        )
        for city in ("柳州", "梧州")
    ]

    results = _run_at_once(files)

    assert not [r for r in results if isinstance(r, Exception)]
    citing = Document.objects.get(doc_number="贺政办发〔2020〕1号")
    assert DocumentLink.objects.filter(source=citing, kind="cites").count() == 1
    printed = Document.objects.filter(title__contains=plan)
    assert printed.count() == 2
    for document in printed:
        assert DocumentLink.objects.filter(source=document, kind="cites").count() == 1
