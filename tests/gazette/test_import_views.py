"""The import page: upload, dry run, confirm, outcome, history; and who may use it."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gazette.models import Document, ImportRecord, Issue
from tests.factories import DocumentFactory, ImportRecordFactory, StaffFactory, UserFactory
from tests.gazette.worker import jobs_run

pytestmark = pytest.mark.django_db

SMALL_GAZETTE = """贺州市人民政府公报

2019年第2期（总第52期）

贺州市人民政府办公室 2019年3月29日

目 录

贺州市人民政府办公室关于印发贺州市测试工作方案的通知(贺政办发〔2019〕20号) 1

贺州市人民政府办公室关于印发贺州市测试工作方案的通知

贺政办发〔2019〕20号

各县（区）人民政府，市直各有关单位：

现将《贺州市测试工作方案》印发给你们，请认真贯彻执行。

贺州市人民政府办公室

2019年3月20日
"""


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path, search_index):
    settings.GONGBAO_UPLOAD_DIR = tmp_path / "uploads"
    return settings.GONGBAO_UPLOAD_DIR


@pytest.fixture
def importer(client):
    user = UserFactory(username="importer")
    user.user_permissions.add(Permission.objects.get(codename="add_issue", content_type__app_label="gazette"))
    client.force_login(user)
    return client


def upload(client, *files, **fields):
    uploads = [SimpleUploadedFile(name, data, content_type="text/plain") for name, data in files]
    return client.post(reverse("gazette:import"), {"files": uploads, **fields})


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def test_reader_without_permission_is_forbidden(client):
    client.force_login(UserFactory(username="reader"))

    assert client.get(reverse("gazette:import")).status_code == 403
    assert upload(client, ("a.txt", SMALL_GAZETTE.encode())).status_code == 403
    assert client.get(reverse("gazette:import-history")).status_code == 403
    assert not ImportRecord.objects.exists()


def test_import_form_accepts_several_files_and_carries_a_csrf_token(importer):
    html = importer.get(reverse("gazette:import")).content.decode()

    assert 'type="file"' in html and "multiple" in html
    assert 'enctype="multipart/form-data"' in html
    assert "csrfmiddlewaretoken" in html


def test_dry_run_of_the_real_gazette_shows_what_would_be_imported_and_writes_nothing(importer, fixture_bytes):
    response = upload(importer, ("000.txt", fixture_bytes("000")))

    html = response.content.decode()
    assert response.status_code == 200
    assert "贺州市人民政府公报" in html and "2019年第1期（总第51期）" in html and "2019年2月27日" in html
    assert "13 篇（新增 13 篇）" in html
    assert "贺政发〔2019〕1号" in html and "贺政办发〔2019〕4号" in html
    assert "确认导入" in html
    assert not Issue.objects.exists() and not ImportRecord.objects.exists()


def test_confirming_the_dry_run_imports_the_issue_in_the_background_and_shows_the_outcome(importer, fixture_bytes):
    preview = upload(importer, ("000.txt", fixture_bytes("000")))

    response = importer.post(reverse("gazette:import"), {"token": token_of(preview)})
    assert response.status_code == 302 and "/import/progress/" in response.url
    assert not Issue.objects.exists()
    assert jobs_run() == 2  # the import, then its indexing

    html = importer.get(response.url).content.decode()
    issue = Issue.objects.get()
    assert (issue.year, issue.number, issue.total_number) == (2019, 1, 51)
    assert issue.documents.count() == 13
    assert "已导入" in html and issue.get_absolute_url() in html
    record = ImportRecord.objects.get()
    assert record.status == ImportRecord.Status.IMPORTED and record.uploaded_by.username == "importer"
    assert (record.documents_created, record.tasks_created) == (13, 71)


def test_a_confirmation_token_works_once(importer):
    preview = upload(importer, ("small.txt", SMALL_GAZETTE.encode()))
    importer.post(reverse("gazette:import"), {"token": token_of(preview)})

    again = importer.post(reverse("gazette:import"), {"token": token_of(preview)})

    assert again.status_code == 400
    assert "已失效" in again.content.decode()
    assert ImportRecord.objects.count() == 1


def test_another_users_token_does_not_import(importer, client):
    preview = upload(importer, ("small.txt", SMALL_GAZETTE.encode()))
    other = StaffFactory(username="other-admin")
    client.force_login(other)

    response = client.post(reverse("gazette:import"), {"token": token_of(preview)})

    assert response.status_code == 400
    assert not Issue.objects.exists()


def test_dry_run_of_a_file_imported_before_gives_one_verdict_and_no_confirmation(importer):
    DocumentFactory(
        title="已有的测试方案通知", doc_number="贺政办发〔2019〕20号", doc_code="贺政办发", doc_year=2019, doc_seq=20
    )
    ImportRecordFactory(
        file_name="earlier.txt",
        sha256=__import__("hashlib").sha256(SMALL_GAZETTE.encode()).hexdigest(),
        status=ImportRecord.Status.IMPORTED,
    )

    html = upload(importer, ("small.txt", SMALL_GAZETTE.encode())).content.decode()

    assert "已导入过" in html and "此文件已于" in html
    # One verdict: not also "would be refused" or "would be linked", and nothing to confirm.
    assert "将关联" not in html and "不能导入" not in html and "将导入" not in html
    assert "确认导入" not in html
    kept = ImportRecord.objects.get(file_name="small.txt")
    assert kept.status == ImportRecord.Status.UNCHANGED and "不会再次导入" in kept.messages[0]


def test_dry_run_of_a_file_whose_documents_are_all_known_offers_nothing_to_confirm(importer):
    DocumentFactory(
        title="已有的测试方案通知",
        doc_number="贺政办发〔2019〕20号",
        doc_code="贺政办发",
        doc_year=2019,
        doc_seq=20,
        issue__number=99,
    )

    html = upload(importer, ("small.txt", SMALL_GAZETTE.encode())).content.decode()

    assert "无新内容" in html and "均已在知识库中" in html
    assert "确认导入" not in html
    assert ImportRecord.objects.get().status == ImportRecord.Status.UNCHANGED


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("gazette.pdf", b"%PDF-1.4 binary", "PDF 文件已损坏"),
        ("gazette.txt", bytes(range(256)) * 40, "不是 UTF-8、UTF-16 或 GB18030 编码的文本"),
        ("gazette.exe", SMALL_GAZETTE.encode(), "只接受 PDF、Word（.docx）、网页（.html）或文本"),
    ],
)
def test_files_that_cannot_be_imported_are_refused_with_the_reason_and_kept_in_the_history(
    importer, name, data, problem
):
    response = upload(importer, (name, data))

    html = response.content.decode()
    assert problem in html and "不能导入" in html
    assert "确认导入" not in html
    record = ImportRecord.objects.get()
    assert record.status == ImportRecord.Status.FAILED and problem in record.error and record.file_name == name
    assert problem in importer.get(reverse("gazette:import-history")).content.decode()


def test_a_file_over_the_size_limit_is_refused(importer, settings):
    settings.GONGBAO_MAX_FILE_BYTES = 100

    response = upload(importer, ("big.txt", SMALL_GAZETTE.encode()))

    assert response.status_code == 400
    assert "文件过大" in response.content.decode()


def test_pending_upload_is_kept_under_its_sha256_only(importer, upload_dir):
    upload(importer, ("../../../tmp/evil.txt", SMALL_GAZETTE.encode()))

    names = [path.name for path in upload_dir.iterdir()]
    assert names == [__import__("hashlib").sha256(SMALL_GAZETTE.encode()).hexdigest()]


def test_unparseable_text_shows_the_problem_and_offers_no_confirmation(importer):
    response = upload(importer, ("notes.txt", "今天天气很好。\n明天见。\n".encode()))

    html = response.content.decode()
    assert "不能导入" in html and "notes.txt" in html
    assert "确认导入" not in html


def test_history_lists_every_import_with_status_and_error_escaped(importer):
    ImportRecordFactory(
        file_name="<script>x</script>.txt", status=ImportRecord.Status.FAILED, error="bad.txt: the file is empty"
    )
    ImportRecordFactory(file_name="good.txt", status=ImportRecord.Status.IMPORTED, documents_created=13)

    html = importer.get(reverse("gazette:import-history")).content.decode()

    assert "&lt;script&gt;x&lt;/script&gt;.txt" in html and "<script>x" not in html
    assert "失败" in html and "bad.txt: the file is empty" in html
    assert "已导入" in html and "新建 13 篇" in html


def test_reimport_of_the_same_file_reports_unchanged(importer):
    first = upload(importer, ("small.txt", SMALL_GAZETTE.encode()))
    importer.post(reverse("gazette:import"), {"token": token_of(first)})
    jobs_run()
    second = upload(importer, ("small-copy.txt", SMALL_GAZETTE.encode()))

    assert "已导入过" in second.content.decode() and "确认导入" not in second.content.decode()
    html = importer.get(reverse("gazette:import-history")).content.decode()
    assert "small-copy.txt" in html and "未变更" in html and "此文件已于" in html
    assert Document.objects.count() == 1
