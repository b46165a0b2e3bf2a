"""Validity on real gazettes: repeal links both ways, the status for a day, admin corrections that stick."""

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from gazette.citations import document_citations_update
from gazette.models import Document, DocumentChange
from gazette.services import gazette_file_import
from gazette.tasks import validity_refresh, validity_refresh_schedule
from gazette.validity import document_changes_link, documents_validity_reread, documents_validity_update
from tests.factories import DocumentFactory, IssueFactory, StaffFactory, UserFactory
from tests.gazette.worker import jobs_run

pytestmark = pytest.mark.django_db

REPEALS = DocumentChange.Kind.REPEALS
# The 2020 notice the 2023 汕尾 item of the compilation (fixture 003) repeals; its own text is
# not in the fixtures, so this is it as a one-document file.
SHANWEI_2020 = """汕尾市人民政府办公室关于落实新开办企业免费刻制印章工作的通知
汕府办函〔2020〕308号
各县（市、区）人民政府，市直有关单位：
为降低企业开办成本，现就新开办企业免费刻制印章工作有关事项通知如下。
一、自本通知印发之日起，新开办企业可免费刻制印章。
本通知自印发之日起施行。
汕尾市人民政府办公室
2020年9月10日
"""
SHANWEI_2023 = "汕尾市人民政府办公室关于进一步落实新开办企业免费刻制印章工作的通知"


@pytest.fixture
def reader(client):
    client.force_login(UserFactory(username="reader"))
    return client


def import_text(name: str, text: str):
    return gazette_file_import(file_name=name, data=text.encode(), gazette_name="汕尾市人民政府公报", index=False)


def test_the_compilation_records_the_repeals_its_items_state_as_citations_while_the_repealed_are_unknown(
    fixture_bytes,
):
    gazette_file_import(file_name="003.txt", data=fixture_bytes("003"), index=False)

    rows = DocumentChange.objects.filter(kind=REPEALS).select_related("source").order_by("doc_number")
    assert [(row.source.doc_number or row.source.title, row.doc_number, row.target) for row in rows] == [
        (SHANWEI_2023, "汕府办函〔2020〕308号", None),
        ("穗政数规字〔2023〕1号", "穗政数规字〔2020〕1号", None),
    ]
    terms = Document.objects.exclude(valid_until=None).order_by("valid_until")
    assert [(d.doc_number or d.title, d.valid_until.isoformat()) for d in terms] == [
        ("粤办函〔2023〕12号", "2026-01-11"),
        ("深前海规〔2023〕4号", "2026-05-14"),
        ("穗政数规字〔2023〕1号", "2028-01-04"),
        ("海口市财政局关于印发《海口市优化政府采购营商环境若干措施（2.0版）》的通知", "2028-02-09"),
        ("穗府办规〔2023〕7号", "2028-05-04"),
        ("深府办规〔2023〕3号", "2028-06-19"),
    ]
    assert Document.objects.filter(normative=True).count() == 6


def test_a_repealed_document_imported_after_its_repealer_is_linked_and_repealed(fixture_bytes):
    gazette_file_import(file_name="003.txt", data=fixture_bytes("003"), index=False)

    (old,) = import_text("shanwei-2020.txt", SHANWEI_2020).created

    old.refresh_from_db()
    assert old.validity == Document.Validity.REPEALED
    assert DocumentChange.objects.get(doc_number="汕府办函〔2020〕308号").target == old


def test_a_repealer_imported_after_the_document_it_repeals_links_to_it(fixture_bytes):
    (old,) = import_text("shanwei-2020.txt", SHANWEI_2020).created
    old.refresh_from_db()
    assert old.validity == Document.Validity.IN_FORCE

    gazette_file_import(file_name="003.txt", data=fixture_bytes("003"), index=False)

    old.refresh_from_db()
    assert old.validity == Document.Validity.REPEALED
    assert DocumentChange.objects.get(target=old).source.title == SHANWEI_2023


def test_the_status_follows_the_day_effective_from_valid_until_and_amendments():
    document = DocumentFactory(effective_from=dt.date(2023, 6, 20), valid_until=dt.date(2028, 6, 19))

    def status_on(day):
        documents_validity_update(today=day)
        document.refresh_from_db()
        return document.validity

    assert status_on(dt.date(2023, 6, 19)) == Document.Validity.NOT_YET
    assert status_on(dt.date(2023, 6, 20)) == Document.Validity.IN_FORCE
    assert status_on(dt.date(2028, 6, 19)) == Document.Validity.IN_FORCE
    assert status_on(dt.date(2028, 6, 20)) == Document.Validity.EXPIRED
    amending = DocumentFactory(effective_from=dt.date(2025, 1, 1))
    DocumentChange.objects.create(source=amending, kind=DocumentChange.Kind.AMENDS, target=document)
    assert status_on(dt.date(2024, 12, 31)) == Document.Validity.IN_FORCE
    assert status_on(dt.date(2025, 1, 1)) == Document.Validity.AMENDED


def test_a_document_is_repealed_only_once_its_repealer_takes_effect():
    old = DocumentFactory()
    repealer = DocumentFactory(effective_from=dt.date(2024, 7, 1))
    DocumentChange.objects.create(source=repealer, kind=REPEALS, target=old, doc_number=old.doc_number)

    documents_validity_update(today=dt.date(2024, 6, 30))
    old.refresh_from_db()
    assert old.validity == Document.Validity.IN_FORCE

    documents_validity_update(today=dt.date(2024, 7, 1))
    old.refresh_from_db()
    assert old.validity == Document.Validity.REPEALED


def test_the_document_pages_say_who_repealed_whom_with_links_and_badges(reader, fixture_bytes):
    gazette_file_import(file_name="003.txt", data=fixture_bytes("003"), index=False)
    (old,) = import_text("shanwei-2020.txt", SHANWEI_2020).created
    new = Document.objects.get(title=SHANWEI_2023)
    guangzhou = Document.objects.get(doc_number="穗政数规字〔2023〕1号")

    old_page = reader.get(old.get_absolute_url()).content.decode()
    new_page = reader.get(new.get_absolute_url()).content.decode()
    guangzhou_page = reader.get(guangzhou.get_absolute_url()).content.decode()

    assert '<span class="validity validity-repealed">已废止</span>' in old_page
    assert f'本文件已被《<a href="{new.get_absolute_url()}">{SHANWEI_2023}</a>》废止。' in old_page
    assert '<span class="validity validity-in_force">现行有效</span>' in new_page
    assert f'废止了《<a href="{old.get_absolute_url()}">{old.title}</a>》（汕府办函〔2020〕308号）' in new_page
    assert (
        "《广州市政务服务数据管理局关于修订印发广州12345政府服务热线管理办法实施细则的通知》（穗政数规字〔2020〕1号）"
        in guangzhou_page
    )
    assert "（未收录于知识库）" in guangzhou_page
    assert '<span class="validity-normative">规范性文件</span>' in guangzhou_page
    assert (
        '<dt>施行日期</dt><dd><time datetime="2023-01-05">2023年1月5日</time><span class="muted">（自印发之日起施行，按成文日期）</span>'
        in guangzhou_page
    )
    assert '<dt>有效期至</dt><dd><time datetime="2028-01-04">2028年1月4日</time>' in guangzhou_page
    assert "<dt>文种</dt><dd>通知（所印发文件：细则）</dd>" in guangzhou_page
    issuer_url = reverse("gazette:issuer-detail", args=["广州市政务服务数据管理局"])
    assert f'<a href="{issuer_url}">广州市政务服务数据管理局</a>' in guangzhou_page


def test_the_issuer_page_lists_what_it_issued_by_year_with_validity(reader):
    DocumentFactory(issuer="贺州市人民政府办公室", title="二〇一八年的方案", date=dt.date(2018, 12, 29))
    DocumentFactory(
        issuer="贺州市人民政府办公室",
        title="二〇二三年的办法",
        date=dt.date(2023, 3, 1),
        validity=Document.Validity.EXPIRED,
    )
    DocumentFactory(issuer="贺州市商务局、贺州市人民政府办公室", title="联合印发的通知", date=dt.date(2023, 5, 1))
    DocumentFactory(issuer="贺州市商务局", title="别家的通知")

    html = reader.get(reverse("gazette:issuer-detail", args=["贺州市人民政府办公室"])).content.decode()
    one_year = reader.get(reverse("gazette:issuer-detail", args=["贺州市人民政府办公室"]), {"year": "2023"})

    assert "<h1>贺州市人民政府办公室</h1>" in html
    assert html.index("2023年</h2>") < html.index("联合印发的通知") < html.index("二〇二三年的办法")
    assert html.index("二〇二三年的办法") < html.index("2018年</h2>") < html.index("二〇一八年的方案")
    assert "别家的通知" not in html
    assert "知识库中共 3 件：现行有效 2 件，已失效 1 件" in html
    assert '<span class="validity validity-expired">已失效</span>' in html
    assert "二〇一八年的方案" not in one_year.content.decode()
    assert reader.get(reverse("gazette:issuer-detail", args=["没有这个机关"])).status_code == 404


def test_search_results_and_the_json_api_carry_the_validity(reader, fixture_bytes, search_index):
    gazette_file_import(file_name="003.txt", data=fixture_bytes("003"), index=True)
    gazette_file_import(
        file_name="shanwei-2020.txt", data=SHANWEI_2020.encode(), gazette_name="汕尾市人民政府公报", index=True
    )

    page = reader.get(reverse("search:search"), {"q": "免费刻制印章"}).content.decode()
    results = reader.get("/api/search/", {"q": "免费刻制印章"}).json()["results"]

    assert '<span class="validity validity-repealed">已废止</span>' in page
    assert '<span class="validity validity-in_force">现行有效</span>' in page
    validity = {
        result["doc_number"] or result["title"]: (result["validity"], result["validity_label"]) for result in results
    }
    assert validity["汕府办函〔2020〕308号"] == ("repealed", "已废止")
    assert validity[SHANWEI_2023] == ("in_force", "现行有效")


def admin_form_data(response) -> dict:
    """The POST data of an admin change form as shown, inline formsets included."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    for form in forms:
        for name in form.fields:
            bound = form[name]
            value = bound.value()
            if value is None or value is False:
                continue
            if isinstance(value, (list, dict)):
                # A JSON field's textarea holds JSON text, as the browser posts it.
                value = json.dumps(value, ensure_ascii=False)
            data[bound.html_name] = "on" if value is True else value
    return data


def test_an_admin_correction_survives_reimport_rereading_and_the_nightly_update(client, fixture_bytes):
    gazette_file_import(file_name="003.txt", data=fixture_bytes("003"), index=False)
    document = Document.objects.get(doc_number="穗府办规〔2023〕7号")
    client.force_login(StaffFactory(username="admin"))
    url = reverse("admin:gazette_document_change", args=[document.pk])
    data = admin_form_data(client.get(url))
    data.update(valid_until="2024-12-31", validity="repealed")

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    document.refresh_from_db()
    assert document.corrected_fields == ["valid_until", "validity"]
    assert (document.valid_until, document.validity) == (dt.date(2024, 12, 31), "repealed")
    # The same document again in another file, the text read again, the nightly update: all keep it.
    gazette_file_import(file_name="003-again.txt", data=fixture_bytes("003") + b"\n", index=False)
    Document.objects.filter(pk=document.pk).update(genre="")
    documents_validity_reread(documents=Document.objects.all())
    documents_validity_update(today=dt.date(2025, 6, 1))
    document.refresh_from_db()
    assert (document.valid_until, document.validity, document.genre) == (dt.date(2024, 12, 31), "repealed", "通知")
    assert Document.objects.filter(doc_number="穗府办规〔2023〕7号").count() == 1


def test_an_admin_added_repeal_links_and_repeals_at_once(client):
    old = DocumentFactory()
    new = DocumentFactory()
    client.force_login(StaffFactory(username="admin"))
    url = reverse("admin:gazette_document_change", args=[new.pk])
    data = admin_form_data(client.get(url))
    data.update(
        {
            "changes_made-TOTAL_FORMS": "1",
            "changes_made-0-kind": "repeals",
            "changes_made-0-doc_number": old.doc_number.replace("〔", "[").replace("〕", "]"),
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    row = DocumentChange.objects.get(source=new)
    assert (row.doc_number, row.target) == (old.doc_number, old)
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.validity == Document.Validity.REPEALED
    assert new.corrected_fields == ["changes"]


def test_validity_update_command_rereads_and_reports(fixture_bytes):
    gazette_file_import(file_name="003.txt", data=fixture_bytes("003"), index=False)
    Document.objects.update(genre="", validity_version=0, valid_until=None)
    out = io.StringIO()

    call_command("validity_update", "--date", "2026-02-01", stdout=out)

    assert out.getvalue().startswith("2026-02-01 效力状态：重新识别 38 个文件；")
    assert "已失效 1 件" in out.getvalue()
    expired = Document.objects.get(validity=Document.Validity.EXPIRED)
    assert (expired.doc_number, expired.genre) == ("粤办函〔2023〕12号", "通知")


def test_dry_run_json_names_the_validity_fields(fixture_bytes, capsys, tmp_path):
    path = tmp_path / "003.txt"
    path.write_bytes(fixture_bytes("003"))

    call_command("import_gazette", str(path), "--dry-run", "--json")

    documents = json.loads(capsys.readouterr().out)["documents"]
    shanwei = next(d for d in documents if d["title"] == SHANWEI_2023)
    assert {
        k: shanwei[k]
        for k in ("genre", "normative", "effective_from", "effective_basis", "valid_until", "repeals", "amends")
    } == {
        "genre": "通知",
        "normative": False,
        "effective_from": "2023-06-05",
        "effective_basis": "document_date",
        "valid_until": None,
        "repeals": [
            {
                "doc_number": "汕府办函〔2020〕308号",
                "title": "汕尾市人民政府办公室关于落实新开办企业免费刻制印章工作的通知",
            }
        ],
        "amends": [],
    }


def test_the_nightly_job_updates_every_status_and_queues_itself_for_the_next_night(fixture_bytes):
    gazette_file_import(file_name="003.txt", data=fixture_bytes("003"), index=False)
    Document.objects.update(validity=Document.Validity.NOT_YET)
    assert validity_refresh_schedule(run_after=timezone.now()) is True
    assert validity_refresh_schedule(run_after=timezone.now()) is False  # one is queued already

    assert jobs_run() == 1

    assert not Document.objects.filter(validity=Document.Validity.NOT_YET).exists()
    done, queued = DBTaskResult.objects.filter(task_path="gazette.tasks.validity_refresh").order_by("enqueued_at")
    assert done.status == TaskResultStatus.SUCCESSFUL and "个文件状态有变化" in done.return_value
    next_run = timezone.localtime(queued.run_after)
    assert queued.status == TaskResultStatus.READY and (next_run.hour, next_run.minute) == (0, 10)
    assert timezone.now() < next_run < timezone.now() + dt.timedelta(days=1)
    # The run as a worker starts leaves the index alone; the nightly one merges its segments.
    assert done.args_kwargs["kwargs"] == {"merge_index": False}
    assert queued.args_kwargs["kwargs"] == {"merge_index": True}


def test_the_nightly_run_merges_the_search_index_segments(fixture_bytes, search_index):
    from search.engines import engine
    from search.query import documents_search

    for name in ("000", "003"):  # two imports, a segment each
        gazette_file_import(file_name=f"{name}.txt", data=fixture_bytes(name))
    found = documents_search(q="营商环境").ids
    validity_refresh.enqueue(reschedule=False, merge_index=True)

    assert jobs_run() == 1

    report = DBTaskResult.objects.get(task_path="gazette.tasks.validity_refresh").return_value
    merged = re.search(r"(\d+) 段 → (\d+) 段", report)
    assert merged and int(merged[1]) >= 2 and merged[2] == "1", report
    assert engine().merge_segments().before == 1
    assert documents_search(q="营商环境").ids == found


def test_a_repeal_by_title_names_the_printing_of_its_time_as_a_citation_of_it_does():
    def printing(day):
        return DocumentFactory(
            title="关于印发《贺州市共享方案》的通知",
            doc_number="",
            doc_code="",
            doc_year=None,
            doc_seq=None,
            date=day,
            issue=IssueFactory(published=day + dt.timedelta(days=10)),
        )

    later, earlier = printing(dt.date(2020, 3, 1)), printing(dt.date(2015, 1, 10))
    document_citations_update(documents=[later, earlier])  # the titles they bear, as an import keeps them
    repeals_2018 = DocumentFactory(date=dt.date(2018, 6, 1))
    repeals_2014 = DocumentFactory(date=dt.date(2014, 6, 1))
    for document in (repeals_2018, repeals_2014):
        DocumentChange.objects.create(source=document, kind=REPEALS, title="贺州市共享方案")

    document_changes_link(documents=[repeals_2018, repeals_2014])

    assert DocumentChange.objects.get(source=repeals_2018).target == earlier
    # Dated before every printing known: it names none of them, until one of its time is imported.
    assert DocumentChange.objects.get(source=repeals_2014).target is None
    assert later.pk not in DocumentChange.objects.values_list("target", flat=True)
    oldest = printing(dt.date(2013, 5, 1))
    document_citations_update(documents=[oldest])
    document_changes_link(documents=[oldest])
    assert DocumentChange.objects.get(source=repeals_2014).target == oldest
