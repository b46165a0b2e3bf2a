"""Files that are not clean gazettes: each is refused or imported with a clear message, never half-imported.

Empty, binary and unparseable text are covered in tests/gazette/test_import_service.py; this adds
truncated files, a 50 MB file, a gazette without a table of contents, a table of contents listing
documents the body lacks, and encoded variants imported all the way to the database.
"""

from __future__ import annotations

import time

import pytest

from gazette.models import Document, Gazette, ImportRecord, Issue
from gazette.services import ImportFailed, gazette_file_import
from policies.models import Task

pytestmark = pytest.mark.django_db


def _snapshot() -> list[tuple]:
    """What a reader would see of every document: its place, title, 文号, body and tasks."""
    return [
        (
            doc.order,
            doc.title,
            doc.doc_number,
            doc.date,
            doc.body,
            doc.blocks,
            doc.attachments,
            [(t.text, t.deadline) for t in Task.objects.filter(document=doc).order_by("order")],
        )
        for doc in Document.objects.order_by("order")
    ]


def _forget_imported_issues() -> None:
    Issue.objects.all().delete()
    Gazette.objects.all().delete()


def _import_result(outcome_or_error) -> str:
    if isinstance(outcome_or_error, ImportFailed):
        return f"refused: {outcome_or_error}"
    return f"imported {len(outcome_or_error.created)} documents"


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-16-le", "utf-8-sig"])
def test_encoded_variant_imports_the_same_documents_and_tasks_as_utf8(encoding, fixture_bytes):
    original = fixture_bytes("000")
    gazette_file_import(file_name="000.txt", data=original, index=False)
    expected = _snapshot()
    _forget_imported_issues()

    outcome = gazette_file_import(
        file_name=f"000-{encoding}.txt", data=original.decode("utf-8").encode(encoding), index=False
    )

    assert outcome.record.status == ImportRecord.Status.IMPORTED
    assert len(expected) == 13
    assert _snapshot() == expected


def test_file_cut_mid_document_imports_what_is_whole_and_names_each_missing_document(fixture_bytes):
    data = fixture_bytes("000")
    text = data.decode("utf-8")
    # Cut inside the fifth document's body, on a character boundary (as a failed download would).
    cut = text.index("贺政办发〔2018〕143号", text.index("贺政办发〔2018〕143号") + 20) + 400
    truncated = text[:cut].encode("utf-8")

    outcome = gazette_file_import(file_name="000-cut.txt", data=truncated, index=False)

    record = ImportRecord.objects.get(pk=outcome.record.pk)
    assert record.status == ImportRecord.Status.IMPORTED
    assert bytes(record.data) == truncated
    numbers = list(Document.objects.order_by("order").values_list("doc_number", flat=True))
    assert numbers[-1] == "贺政办发〔2018〕143号"
    missing = [m for m in record.messages if "在正文中未找到" in m]
    # Every document the TOC lists after the cut is named in a kept message.
    assert len(missing) == 13 - len(numbers)
    assert any("贺政办发〔2019〕4号" in m for m in missing)


def test_utf8_file_cut_inside_a_character_is_refused_naming_the_file_and_kept(fixture_bytes):
    data = fixture_bytes("000")
    # The last character loses its final byte.
    truncated = data[: data.index("贺政办发〔2018〕143号".encode()) + 2000]
    while True:
        try:
            truncated.decode("utf-8")
        except UnicodeDecodeError:
            break
        truncated = truncated[:-1]

    with pytest.raises(ImportFailed) as caught:
        gazette_file_import(file_name="000-cut.txt", data=truncated, index=False)

    assert "000-cut.txt" in str(caught.value)
    record = ImportRecord.objects.get()
    assert (record.status, bytes(record.data)) == (ImportRecord.Status.FAILED, truncated)
    assert not Issue.objects.exists() and not Document.objects.exists()


def test_utf8_file_cut_inside_a_character_says_it_looks_truncated(fixture_bytes):
    data = fixture_bytes("000")[:46483]  # the fixture's byte 46483 is inside a character

    with pytest.raises(ImportFailed) as caught:
        gazette_file_import(file_name="000-cut.txt", data=data, index=False)

    assert "看来不完整" in str(caught.value)
    assert "000-cut.txt" in str(caught.value)


def test_gazette_without_a_table_of_contents_still_finds_its_documents(fixture_bytes):
    lines = fixture_bytes("000").decode("utf-8").splitlines()
    without_toc = "\n".join(line for line in lines if line.strip() != "目 录" and not line.startswith("- ◆"))

    try:
        outcome = gazette_file_import(file_name="000-no-toc.txt", data=without_toc.encode(), index=False)
    except ImportFailed as exc:
        pytest.fail(f"a gazette without a TOC was refused: {exc}")

    assert outcome.record.status == ImportRecord.Status.IMPORTED
    numbers = set(Document.objects.values_list("doc_number", flat=True))
    # Found by their 文号 lines alone; most of the 13 have one the body repeats.
    assert {"贺政发〔2019〕1号", "贺政办发〔2018〕139号", "贺政办发〔2019〕4号"} <= numbers


def test_toc_listing_documents_missing_from_the_body_records_a_warning_for_each(fixture_bytes):
    text = fixture_bytes("000").decode("utf-8")
    ghost = "- ◆贺州市人民政府办公室关于印发幽灵文件实施方案的通知(贺政办发〔2018〕999号) 40\n"
    last_toc_line = text.index("- ◆贺州市人民政府办公室关于印发全区优化营商环境")
    with_ghost = text[:last_toc_line] + ghost + text[last_toc_line:]

    outcome = gazette_file_import(file_name="000-ghost.txt", data=with_ghost.encode(), index=False)

    record = ImportRecord.objects.get(pk=outcome.record.pk)
    assert record.status == ImportRecord.Status.IMPORTED
    assert Document.objects.count() == 13
    assert [m for m in record.messages if "幽灵文件" in m and "未找到" in m]
    assert not Document.objects.filter(title__contains="幽灵").exists()


@pytest.mark.slow
def test_50_megabyte_file_completes_with_a_result_or_a_clear_error(fixture_bytes, record_property, capsys):
    text = fixture_bytes("000").decode("utf-8")
    paragraph = "为加快发展冷链物流，保障食品安全，促进消费升级，制定本方案。各单位要按照职责分工抓好落实。\n\n"
    repeats = (50 * 1024 * 1024 - len(text.encode())) // len(paragraph.encode()) + 1
    data = (text + paragraph * repeats).encode("utf-8")
    assert len(data) >= 50 * 1024 * 1024

    started = time.monotonic()
    try:
        result = gazette_file_import(file_name="000-huge.txt", data=data, index=False)
    except ImportFailed as exc:
        result = exc
    elapsed = time.monotonic() - started

    record = ImportRecord.objects.get()
    assert record.size == len(data)
    assert record.status in (ImportRecord.Status.IMPORTED, ImportRecord.Status.FAILED)
    if record.status == ImportRecord.Status.FAILED:
        assert "000-huge.txt" in record.error
        assert not Document.objects.exists()
    else:
        assert Document.objects.count() == 13
    record_property("import_seconds", round(elapsed, 1))
    with capsys.disabled():
        print(f"\n50 MB import: {_import_result(result)} in {elapsed:.1f}s")
