"""The import service on real gazette files: all or nothing, kept uploads, duplicates recognised."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gazette.models import Document, ImportRecord, Issue
from gazette.services import ImportFailed, gazette_file_import

pytestmark = pytest.mark.django_db


def test_fixture_000_becomes_issue_with_13_documents_in_toc_order(fixture_bytes):
    outcome = gazette_file_import(file_name="000.txt", data=fixture_bytes("000"), index=False)

    issue = outcome.issue
    assert (issue.gazette.name, issue.year, issue.number, issue.total_number) == ("贺州市人民政府公报", 2019, 1, 51)
    assert issue.published.isoformat() == "2019-02-27"
    assert issue.gazette.city == "贺州市"
    numbers = list(Document.objects.in_issue(issue).values_list("doc_number", flat=True))
    assert len(numbers) == 13
    assert numbers[0] == "贺政发〔2019〕1号"
    assert numbers[-1] == "贺政办发〔2019〕4号"
    assert all(Document.objects.in_issue(issue).values_list("body", flat=True))
    assert outcome.record.status == ImportRecord.Status.IMPORTED
    assert bytes(outcome.record.data) == fixture_bytes("000")


def test_reimporting_the_same_file_changes_nothing_and_says_so(fixture_bytes):
    gazette_file_import(file_name="000.txt", data=fixture_bytes("000"), index=False)
    before = Document.objects.count()

    again = gazette_file_import(file_name="000-copy.txt", data=fixture_bytes("000"), index=False)

    assert again.unchanged
    assert again.record.status == ImportRecord.Status.UNCHANGED
    assert "已于" in again.messages[0]
    assert Document.objects.count() == before
    assert Issue.objects.count() == 1


def test_standalone_plan_is_linked_to_the_attachment_it_is_not_duplicated(fixture_bytes):
    gazette_file_import(file_name="000.txt", data=fixture_bytes("000"), index=False)
    before = Document.objects.count()

    outcome = gazette_file_import(file_name="002.txt", data=fixture_bytes("002"), index=False)

    assert Document.objects.count() == before
    assert [doc.doc_number for doc in outcome.linked] == ["贺政办发〔2018〕145号"]
    assert outcome.record.documents_linked == 1


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "文件是空的"),
        (b"   \n\n  ", "文件是空的"),
        (bytes(range(256)) * 40, "不是 UTF-8、UTF-16 或 GB18030 编码的文本"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x10binary" * 200, "不是 UTF-8、UTF-16 或 GB18030 编码的文本"),
    ],
)
def test_bad_file_fails_with_a_message_naming_it_and_keeps_the_upload(data, problem):
    with pytest.raises(ImportFailed) as caught:
        gazette_file_import(file_name="bad.txt", data=data, index=False)

    assert "bad.txt" in str(caught.value)
    assert problem in str(caught.value)
    record = ImportRecord.objects.get()
    assert record.status == ImportRecord.Status.FAILED
    assert bytes(record.data) == data
    assert not Issue.objects.exists()


def test_text_with_no_recognisable_document_is_refused():
    with pytest.raises(ImportFailed) as caught:
        gazette_file_import(file_name="notes.txt", data="今天天气很好。\n明天见。\n".encode(), index=False)

    assert "notes.txt" in str(caught.value)
    assert not Document.objects.exists()


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-16-le"])
def test_encoded_variant_parses_to_the_same_result_as_utf8(encoding, fixture_bytes, capsys, tmp_path):
    original = fixture_bytes("000").decode("utf-8")
    path = tmp_path / f"000-{encoding}.txt"
    path.write_bytes(original.encode(encoding))
    call_command("import_gazette", str(path), "--dry-run", "--json")
    encoded = json.loads(capsys.readouterr().out)
    utf8 = tmp_path / "000.txt"
    utf8.write_text(original, encoding="utf-8")
    call_command("import_gazette", str(utf8), "--dry-run", "--json")

    assert encoded == json.loads(capsys.readouterr().out)


def test_failure_midway_leaves_the_database_as_before(fixture_bytes, monkeypatch):
    import policies.services
    from policies.models import Task

    calls = []
    issuer_rows = policies.services._issuer_rows

    def failing_issuer_rows(document, departments):
        # The fifth document's 发文机关, after four documents' tasks and departments were read.
        calls.append(document)
        if len(calls) == 5:
            raise RuntimeError("disk full")
        return issuer_rows(document, departments)

    monkeypatch.setattr(policies.services, "_issuer_rows", failing_issuer_rows)

    with pytest.raises(RuntimeError):
        gazette_file_import(file_name="000.txt", data=fixture_bytes("000"), index=False)

    assert len(calls) == 5
    assert not Issue.objects.exists()
    assert not Document.objects.exists()
    assert not Task.objects.exists()
    record = ImportRecord.objects.get()
    assert record.status == ImportRecord.Status.FAILED
    assert "disk full" in record.error


def test_same_issue_from_a_different_file_is_refused(fixture_bytes):
    gazette_file_import(file_name="000.txt", data=fixture_bytes("000"), index=False)
    edited = fixture_bytes("000") + b"\n"

    with pytest.raises(ImportFailed) as caught:
        gazette_file_import(file_name="000-edited.txt", data=edited, index=False)

    assert "已存在" in str(caught.value)
    assert Issue.objects.count() == 1


def test_dry_run_json_writes_nothing_and_prints_only_json(fixture_bytes, capsys, tmp_path):
    path = tmp_path / "001.txt"
    path.write_bytes(fixture_bytes("001"))

    call_command("import_gazette", str(path), "--dry-run", "--json")

    result = json.loads(capsys.readouterr().out)
    assert (result["gazette"], result["year"], result["number"], result["total_number"]) == (
        "柳州市人民政府公报",
        2023,
        14,
        149,
    )
    assert result["published"] == "2023-12-24"
    assert len(result["documents"]) == 9
    assert set(result["documents"][0]) >= {"title", "doc_number", "body", "tasks", "fragment", "page"}
    assert not ImportRecord.objects.exists()


def test_command_exits_non_zero_naming_the_bad_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")

    with pytest.raises(CommandError) as caught:
        call_command("import_gazette", str(path), "--no-index")

    assert "empty.txt" in str(caught.value)
