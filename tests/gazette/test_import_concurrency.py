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
