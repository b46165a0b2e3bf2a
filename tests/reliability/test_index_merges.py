"""Searches made while imports merge index segments, as a running server sees them.

Each import commits a segment; Whoosh merges the small ones, and the merged-away segment
files are deleted. A searcher kept open across that commit must be replaced, not refreshed
in place (whoosh-reloaded 2.7.5's refresh kept readers of removed segments: IndexError at
`column[docnum]`, and deleted files held open).
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from django.db import connection

from gazette.models import Document
from gazette.services import gazette_file_import
from search.indexing import index_status, whoosh_index
from search.query import documents_search

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Words of the fixture gazette's titles and bodies, and a 文号, as staff search them.
QUERIES = ["冷链物流", "电子商务", "政务服务", "绿色金融 OR 增量配电", "贺政办发〔2018〕146号", "实施方案 -数字"]


def gazette_variant(data: bytes, n: int) -> bytes:
    """The fixture gazette as another issue: other issue numbers and other 文号 years."""
    text = data.decode("utf-8")
    text = re.sub(r"第1期[（(]总第51期[)）]", f"第{n + 1}期（总第{n + 51}期）", text)
    text = re.sub(r"〔(20\d\d)〕", lambda m: f"〔{int(m.group(1)) + 5 * n}〕", text)
    return text.encode("utf-8")


def _open_deleted_index_files(index_dir: Path) -> list[str]:
    """Files of the index this process still holds open (or mapped) after they were deleted."""
    held = []
    for entry in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(entry)
        except OSError:
            continue
        if target.startswith(str(index_dir)) and target.endswith("(deleted)"):
            held.append(target)
    maps = Path("/proc/self/maps").read_text(encoding="utf-8", errors="replace")
    held += [line.split(None, 5)[-1] for line in maps.splitlines() if str(index_dir) in line and "(deleted)" in line]
    return held


def test_searches_from_several_threads_never_fail_while_twelve_imports_merge_segments(search_index, fixture_bytes):
    gazette_file_import(file_name="000.txt", data=fixture_bytes("000"))
    stop = threading.Event()
    errors: list[BaseException] = []
    answered = [0]

    def keep_searching():
        try:
            while not stop.is_set():
                for q in QUERIES:
                    documents_search(q=q)
                    answered[0] += 1
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=keep_searching) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for n in range(1, 13):
            gazette_file_import(file_name=f"variant-{n}.txt", data=gazette_variant(fixture_bytes("000"), n))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == [], f"{len(errors)} searches failed, the first: {errors[0]!r}"
    assert answered[0] > len(QUERIES) * 3
    assert Document.objects.count() == 13 * 13
    assert index_status().healthy
    # The index was merged down, not left as one segment per import.
    assert len(list(whoosh_index()._segments())) < 13
    # Every thread's searcher sees the last import, and no one keeps deleted segments open.
    assert documents_search(q="贺政办发〔2078〕146号").ids
    assert _open_deleted_index_files(search_index) == []
