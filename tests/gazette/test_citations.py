"""Citations: the 文号 and 《titles》 a body cites, linked to documents in the knowledge base."""

import datetime as dt
import importlib
import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gazette.citations import CitationIndex, document_citations_update, find_citations, link_citations
from gazette.models import CitationKey, CitationReference, DocumentLink
from tests.factories import DocumentFactory, IssueFactory, StaffFactory

pytestmark = pytest.mark.django_db


def paragraph(text):
    return {"kind": "paragraph", "text": text, "level": None, "rows": []}


def test_finder_reads_doc_numbers_in_any_bracket_and_quoted_titles():
    text = "根据《贺州市冷链物流实施方案》和桂政发[2019]5号、贺政办发〔2018〕146号文件"

    found = find_citations(text)

    assert [c.kind for c in found] == ["title", "number", "number"]
    assert found[0].title == "贺州市冷链物流实施方案"
    assert (found[1].year, found[1].seq) == (2019, 5)
    assert found[2].code.endswith("贺政办发") and (found[2].year, found[2].seq) == (2018, 146)


def test_a_doc_number_is_linked_from_its_office_code_not_the_words_before_it():
    cited = DocumentFactory(doc_code="贺政办发", doc_year=2018, doc_seq=146)

    html = link_citations("现将贺政办发〔2018〕146号转发", CitationIndex([cited]))

    assert (
        html
        == f'现将<a class="cite" href="{cited.get_absolute_url()}" title="{cited.title}">贺政办发〔2018〕146号</a>转发'
    )


def test_same_number_of_another_office_is_not_linked():
    cited = DocumentFactory(doc_code="贺政办发", doc_year=2018, doc_seq=146)

    assert "<a" not in link_citations("桂政办发〔2018〕146号", CitationIndex([cited]))


def test_text_around_citations_is_escaped():
    cited = DocumentFactory(doc_code="贺政发", doc_year=2019, doc_seq=1)

    html = link_citations('<b onclick="x">贺政发〔2019〕1号</b>', CitationIndex([cited]), breaks=True)

    assert html.startswith("&lt;b onclick=&quot;x&quot;&gt;<a ")
    assert html.endswith("</a>&lt;/b&gt;")


def test_update_links_both_ways_and_drops_a_citation_that_went_away():
    old = DocumentFactory(doc_number="贺政发〔2019〕1号", doc_code="贺政发", doc_year=2019, doc_seq=1)
    earlier_citing_later = DocumentFactory(
        blocks=[paragraph("参照《贺州市后续方案》。")], body="参照《贺州市后续方案》。"
    )
    document_citations_update(documents=[old, earlier_citing_later])  # imported first
    citing = DocumentFactory(blocks=[paragraph("按照贺政发〔2019〕1号执行。")], body="按照贺政发〔2019〕1号执行。")
    later = DocumentFactory(
        title="关于印发《贺州市后续方案》的通知",
        doc_number="贺政发〔2019〕9号",
        doc_code="贺政发",
        doc_year=2019,
        doc_seq=9,
    )

    document_citations_update(documents=[citing, later])

    links = set(DocumentLink.objects.filter(kind="cites").values_list("source_id", "target_id"))
    assert links == {(citing.pk, old.pk), (earlier_citing_later.pk, later.pk)}

    citing.blocks = [paragraph("不再引用。")]
    citing.save()
    document_citations_update(documents=[citing])
    assert not DocumentLink.objects.filter(source=citing).exists()


def test_a_document_does_not_cite_itself():
    document = DocumentFactory(
        doc_number="贺政发〔2019〕3号",
        doc_code="贺政发",
        doc_year=2019,
        doc_seq=3,
        blocks=[paragraph("贺政发〔2019〕3号")],
    )

    assert document_citations_update(documents=[document]) == 0


def test_a_title_a_document_shares_with_another_links_the_other_one():
    earlier = DocumentFactory(title="关于印发《贺州市冷链物流三年行动计划》的通知")
    reprint = DocumentFactory(
        title="关于转发《贺州市冷链物流三年行动计划》的通知",
        blocks=[paragraph("现将《贺州市冷链物流三年行动计划》转发给你们。")],
    )

    document_citations_update(documents=[earlier, reprint])

    assert set(DocumentLink.objects.filter(kind="cites").values_list("source", "target")) == {(reprint.pk, earlier.pk)}


def test_cited_title_with_nested_quotes_links_to_the_notice():
    notice = DocumentFactory(
        title="贺州市人民政府办公室关于印发《贺州市加快发展冷链物流保障食品安全促进消费升级的实施方案》的通知"
    )
    text = "为落实《贺州市人民政府办公室关于印发〈贺州市加快发展冷链物流保障食品安全促进消费升级的实施方案〉的通知》，现通知如下。"

    (citation,) = find_citations(text)

    assert CitationIndex([notice]).resolve(citation) == (notice, citation.start)


def cites(source):
    return set(DocumentLink.objects.filter(source=source, kind="cites").values_list("target_id", flat=True))


def cited_by(target):
    return set(DocumentLink.objects.filter(target=target, kind="cites").values_list("source_id", flat=True))


def numbered(code, year, seq, **fields):
    return DocumentFactory(doc_number=f"{code}〔{year}〕{seq}号", doc_code=code, doc_year=year, doc_seq=seq, **fields)


def test_an_older_document_is_linked_when_the_document_it_cites_is_imported_later():
    text = "现将贺政发〔2020〕5号和《贺州市冷链物流三年行动计划》转发给你们。"
    older = DocumentFactory(blocks=[paragraph(text)], body=text)
    document_citations_update(documents=[older])
    assert cites(older) == set()

    by_number = numbered("贺政发", 2020, 5)
    other_office = numbered("桂政发", 2020, 5)  # same year and number, another office: not cited
    by_title = DocumentFactory(title="贺州市人民政府办公室关于印发贺州市冷链物流三年行动计划的通知")
    document_citations_update(documents=[by_number, other_office, by_title])

    assert cites(older) == {by_number.pk, by_title.pk}
    assert cited_by(other_office) == set()


def test_an_older_document_quoting_a_notice_with_nested_quotes_is_linked_when_the_notice_is_imported():
    text = "为落实《贺州市人民政府办公室关于印发〈贺州市加快发展冷链物流实施方案〉的通知》，现通知如下。"
    older = DocumentFactory(blocks=[paragraph(text)], body=text)
    document_citations_update(documents=[older])

    notice = DocumentFactory(title="贺州市人民政府办公室关于印发《贺州市加快发展冷链物流实施方案》的通知")
    document_citations_update(documents=[notice])

    assert cites(older) == {notice.pk}


def test_a_document_read_again_cites_only_what_its_new_body_cites():
    document = DocumentFactory(blocks=[paragraph("根据贺政发〔2020〕7号。")])
    document_citations_update(documents=[document])

    document.blocks = [paragraph("根据《贺州市新方案》。")]
    document.save()
    document_citations_update(documents=[document])
    formerly_cited = numbered("贺政发", 2020, 7)
    now_cited = DocumentFactory(title="贺州市新方案")
    document_citations_update(documents=[formerly_cited, now_cited])

    assert list(CitationReference.objects.filter(source=document).values_list("kind", "title")) == [
        ("title", "贺州市新方案")
    ]
    assert cites(document) == {now_cited.pk}


def test_a_deleted_document_leaves_no_stored_citations():
    document = DocumentFactory(title="关于印发《贺州市旧方案》的通知", blocks=[paragraph("根据贺政发〔2020〕8号。")])
    document_citations_update(documents=[document])
    assert CitationReference.objects.filter(source=document).exists()

    document.delete()

    assert not CitationReference.objects.exists()
    assert not CitationKey.objects.exists()


def _import_batch(n):
    """Record an older document citing a plan, then update a batch printing that plan and citing a known 文号.

    Returns the queries the batch's update ran, and the links it made.
    """
    known = numbered("贺政发", 2021, n)
    older = DocumentFactory(blocks=[paragraph(f"参照《第{n}批冷链方案》执行。")])
    document_citations_update(documents=[known, older])
    batch = [DocumentFactory(title=f"关于印发第{n}批冷链方案的通知")]
    batch += [DocumentFactory(blocks=[paragraph(f"根据贺政发〔2021〕{n}号，第{i}项。")]) for i in range(4)]
    with CaptureQueriesContext(connection) as queries:
        created = document_citations_update(documents=batch)
    assert cites(older) == {batch[0].pk}
    assert all(cites(document) == {known.pk} for document in batch[1:])
    return queries, created


def test_update_queries_do_not_grow_with_unrelated_documents_and_never_read_bodies():
    first, first_created = _import_batch(1)
    unrelated = [
        DocumentFactory(
            blocks=[paragraph(f"根据贺政发〔2021〕{900 + k}号和《第{k}个无关方案》，贺政办发〔2018〕{k}号。")]
        )
        for k in range(300)
    ]
    document_citations_update(documents=unrelated)

    second, second_created = _import_batch(2)

    assert first_created == second_created == 5
    assert len(second) == len(first)
    sql = " ".join(query["sql"] for query in second.captured_queries)
    assert "LIKE" not in sql.upper()
    assert not re.search(r'"gazette_document"\."(body|blocks)"', sql)


def plan_notice(**fields):
    """A notice printing 《贺州市共享方案》 whose body cites it, as every reprint of it does."""
    text = "现将《贺州市共享方案》印发给你们。"
    return DocumentFactory(title="关于印发《贺州市共享方案》的通知", blocks=[paragraph(text)], body=text, **fields)


def test_a_title_several_documents_bear_means_the_newest_issues_one_and_older_citations_follow_it():
    first = plan_notice()
    text = "参照《贺州市共享方案》执行。"
    citing = DocumentFactory(blocks=[paragraph(text)], body=text)
    document_citations_update(documents=[first, citing])
    assert (cites(first), cites(citing)) == (set(), {first.pk})

    newer = plan_notice()  # a later issue
    document_citations_update(documents=[newer])

    assert (cites(first), cites(citing), cites(newer)) == ({newer.pk}, {newer.pk}, {first.pk})

    older = plan_notice(issue=IssueFactory(published=dt.date(2018, 3, 1)))
    document_citations_update(documents=[older])

    assert (cites(first), cites(citing), cites(newer), cites(older)) == ({newer.pk}, {newer.pk}, {first.pk}, {newer.pk})


def test_a_newer_printing_takes_a_title_citation_and_a_doc_number_citation_keeps_the_earlier_printing():
    earlier = plan_notice(doc_number="贺政办发〔2019〕7号", doc_code="贺政办发", doc_year=2019, doc_seq=7)
    by_title = "参照《贺州市共享方案》执行。"
    only_title = DocumentFactory(blocks=[paragraph(by_title)], body=by_title)
    both = "参照《贺州市共享方案》（贺政办发〔2019〕7号）执行。"
    title_and_number = DocumentFactory(blocks=[paragraph(both)], body=both)
    document_citations_update(documents=[earlier, only_title, title_and_number])
    assert cites(only_title) == cites(title_and_number) == {earlier.pk}

    newer = plan_notice()
    document_citations_update(documents=[newer])

    assert cites(only_title) == {newer.pk}
    assert cites(title_and_number) == {newer.pk, earlier.pk}
    assert cites(earlier) == {newer.pk}


def test_a_document_bearing_a_title_newer_ones_bear_reads_none_of_the_citations_of_it():
    copies = [plan_notice() for _ in range(30)]
    document_citations_update(documents=copies)
    links = set(DocumentLink.objects.values_list("source_id", "target_id"))

    older = plan_notice(issue=IssueFactory(published=dt.date(2018, 3, 1)))
    with CaptureQueriesContext(connection) as queries:
        document_citations_update(documents=[older])

    assert cites(older) == {copies[-1].pk}
    assert set(DocumentLink.objects.exclude(source=older).values_list("source_id", "target_id")) == links
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert not any('WHERE "gazette_citationreference"."source_id" IN' in sql for sql in reads)


def test_backfill_migration_stores_citations_of_documents_already_there():
    backfill = importlib.import_module("gazette.migrations.0003_citation_backfill").citations_backfill
    days_fill = importlib.import_module("gazette.migrations.0007_citation_days").citation_days_fill
    text = "根据贺政发〔2020〕9号和《贺州市物流方案》。"
    older = DocumentFactory(
        blocks=[paragraph(text)], body=text, date=None, issue=IssueFactory(published=dt.date(2019, 3, 1))
    )
    plan = DocumentFactory(title="关于印发《贺州市物流方案》的通知", blocks=[paragraph("无引用。")])
    assert not CitationReference.objects.exists()

    backfill(apps, SimpleNamespace(connection=connection))
    backfill(apps, SimpleNamespace(connection=connection))  # run again: rebuilt, not doubled
    days_fill(apps, SimpleNamespace(connection=connection))  # as migrating on does

    assert sorted(
        CitationReference.objects.filter(source=older).values_list("kind", "title", "year", "seq", "issued")
    ) == [
        ("number", "", 2020, 9, dt.date(2019, 3, 1)),  # no 成文日期: its issue's publication date
        ("title", "贺州市物流方案", None, None, dt.date(2019, 3, 1)),
    ]
    assert set(CitationKey.objects.filter(document=plan).values_list("title", "issued")) == {
        ("关于印发《贺州市物流方案》的通知", plan.date),
        ("贺州市物流方案", plan.date),
    }
    later = numbered("贺政发", 2020, 9, blocks=[paragraph("参照《贺州市物流方案》。")])
    document_citations_update(documents=[later])
    assert cites(older) == {later.pk, plan.pk}
    assert cites(later) == {plan.pk}


def test_a_body_edited_in_the_admin_cites_what_it_now_says(client):
    from html.parser import HTMLParser

    class FormFields(HTMLParser):
        """The change form's fields as a browser would post them."""

        def __init__(self):
            super().__init__()
            self.data, self._textarea, self._select = {}, None, None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            name = attrs.get("name")
            if tag == "input" and name and attrs.get("type") not in ("submit", "checkbox"):
                self.data[name] = attrs.get("value") or ""
            elif tag == "input" and name and "checked" in attrs:
                self.data[name] = "on"
            elif tag == "textarea" and name:
                self._textarea, self.data[name] = name, ""
            elif tag == "select" and name:
                self._select = name
            elif tag == "option" and self._select and "selected" in attrs:
                self.data[self._select] = attrs.get("value") or ""

        def handle_data(self, data):
            if self._textarea:
                self.data[self._textarea] += data

        def handle_endtag(self, tag):
            if tag == "textarea":
                self._textarea = None
            elif tag == "select":
                self._select = None

    cited = numbered("贺政发", 2020, 11)
    document = DocumentFactory(blocks=[paragraph("根据贺政发〔2020〕10号。")])
    document_citations_update(documents=[cited, document])
    client.force_login(StaffFactory())
    url = f"/admin/gazette/document/{document.pk}/change/"
    form = FormFields()
    form.feed(client.get(url).content.decode())
    form.data["blocks"] = '[{"kind": "paragraph", "text": "根据贺政发〔2020〕11号。", "level": null, "rows": []}]'

    response = client.post(url, form.data)

    assert response.status_code == 302, response.content.decode()[-3000:]
    assert cites(document) == {cited.pk}
    assert list(CitationReference.objects.filter(source=document).values_list("seq", flat=True)) == [11]


# A title citation means the newest bearer issued (成文日期) on or before the citing document.


def printing(day, **fields):
    """A notice printing 《贺州市共享方案》, dated `day`, in an issue published ten days later."""
    return DocumentFactory(
        title="关于印发《贺州市共享方案》的通知",
        date=day,
        issue=IssueFactory(year=day.year, published=day + dt.timedelta(days=10)),
        **fields,
    )


def citing_plan(day, text="参照《贺州市共享方案》执行。", **fields):
    issue = IssueFactory(year=day.year, published=day + dt.timedelta(days=10)) if day else IssueFactory(published=None)
    return DocumentFactory(date=day, issue=issue, blocks=[paragraph(text)], body=text, **fields)


def test_a_backfilled_older_gazette_links_its_citation_to_the_printing_of_its_time():
    printed_2020 = printing(dt.date(2020, 3, 1))
    citing_2021 = citing_plan(dt.date(2021, 5, 1))
    document_citations_update(documents=[printed_2020, citing_2021])

    printed_2015 = printing(dt.date(2015, 1, 10))
    citing_2015 = citing_plan(dt.date(2015, 6, 1))
    citing_2014 = citing_plan(dt.date(2014, 6, 1))  # before any printing: cites none known
    document_citations_update(documents=[printed_2015, citing_2015, citing_2014])

    assert cites(citing_2015) == {printed_2015.pk}
    assert cites(citing_2014) == set()
    assert cites(citing_2021) == {printed_2020.pk}
    assert cited_by(printed_2015) == {citing_2015.pk}


def test_a_newer_printing_takes_only_the_citations_issued_on_or_after_it():
    printed_2015 = printing(dt.date(2015, 1, 10))
    citing_2016 = citing_plan(dt.date(2016, 4, 1))
    same_day = citing_plan(dt.date(2020, 3, 1))
    later = citing_plan(dt.date(2020, 9, 1))
    document_citations_update(documents=[printed_2015, citing_2016, same_day, later])
    assert cites(citing_2016) == cites(same_day) == cites(later) == {printed_2015.pk}

    printed_2020 = printing(dt.date(2020, 3, 1))
    document_citations_update(documents=[printed_2020])

    assert cites(citing_2016) == {printed_2015.pk}
    assert cites(same_day) == cites(later) == {printed_2020.pk}
    citing_2021 = citing_plan(dt.date(2021, 5, 1))
    document_citations_update(documents=[citing_2021])
    assert cites(citing_2021) == {printed_2020.pk}


def test_a_printing_imported_between_two_others_takes_only_the_citations_of_its_years():
    printed_2015, printed_2020 = printing(dt.date(2015, 1, 10)), printing(dt.date(2020, 3, 1))
    citing = {year: citing_plan(dt.date(year, 6, 1)) for year in (2016, 2018, 2021)}
    document_citations_update(documents=[printed_2015, printed_2020, *citing.values()])

    printed_2017 = printing(dt.date(2017, 2, 1))
    document_citations_update(documents=[printed_2017])

    assert [cites(citing[year]) for year in (2016, 2018, 2021)] == [
        {printed_2015.pk},
        {printed_2017.pk},
        {printed_2020.pk},
    ]


def test_a_citation_in_a_document_without_a_date_means_the_newest_printing():
    undated = citing_plan(None)
    printed_2015 = printing(dt.date(2015, 1, 10))
    document_citations_update(documents=[undated, printed_2015])
    assert cites(undated) == {printed_2015.pk}

    printed_2020 = printing(dt.date(2020, 3, 1))
    document_citations_update(documents=[printed_2020])

    assert cites(undated) == {printed_2020.pk}


def test_a_doc_number_citation_is_linked_whatever_the_dates():
    citing = citing_plan(dt.date(2015, 6, 1), text="根据贺政发〔2020〕5号。")
    document_citations_update(documents=[citing])
    cited = numbered("贺政发", 2020, 5, date=dt.date(2020, 1, 1))

    document_citations_update(documents=[cited])

    assert cites(citing) == {cited.pk}


def test_the_document_page_links_a_cited_title_to_the_printing_its_stored_link_names(client):
    earlier = printing(
        dt.date(2015, 1, 10), doc_number="贺政办发〔2015〕7号", doc_code="贺政办发", doc_year=2015, doc_seq=7
    )
    meant = printing(dt.date(2017, 2, 1))
    later = printing(dt.date(2020, 3, 1))
    citing = citing_plan(dt.date(2018, 6, 1), text="参照《贺州市共享方案》（贺政办发〔2015〕7号）执行。")
    document_citations_update(documents=[earlier, meant, later, citing])
    assert cites(citing) == {earlier.pk, meant.pk}
    client.force_login(StaffFactory())

    html = client.get(citing.get_absolute_url()).content.decode()

    assert f'<a class="cite" href="{meant.get_absolute_url()}" title="{meant.title}">《贺州市共享方案》</a>' in html
    assert (
        f'<a class="cite" href="{earlier.get_absolute_url()}" title="{earlier.title}">贺政办发〔2015〕7号</a>' in html
    )
    assert later.get_absolute_url() not in html


def test_an_issue_date_corrected_in_the_admin_moves_the_day_its_undated_documents_cite_on(client):
    printed_2018 = printing(dt.date(2018, 1, 10))
    undated = DocumentFactory(
        date=None,
        issue=IssueFactory(published=dt.date(2015, 3, 1)),
        blocks=[paragraph("参照《贺州市共享方案》执行。")],
    )
    document_citations_update(documents=[printed_2018, undated])
    assert cites(undated) == set()
    issue = undated.issue
    client.force_login(StaffFactory())

    response = client.post(
        f"/admin/gazette/issue/{issue.pk}/change/",
        {
            "gazette": issue.gazette_id,
            "year": 2019,
            "number": issue.number,
            "total_number": issue.total_number,
            "published": "2019-03-01",
            "source": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[-2000:]
    assert cites(undated) == {printed_2018.pk}
    assert set(CitationReference.objects.filter(source=undated).values_list("issued", flat=True)) == {
        dt.date(2019, 3, 1)
    }


def test_a_printing_newer_than_every_citation_of_it_reads_none_of_them():
    printed = [paragraph("现将《贺州市共享方案》印发给你们。")]
    copies = [printing(dt.date(2015, 1, 1) + dt.timedelta(days=30 * n), blocks=printed) for n in range(30)]
    document_citations_update(documents=copies)
    links = set(DocumentLink.objects.values_list("source_id", "target_id"))
    assert len(links) == 29

    newest = printing(dt.date(2020, 3, 1), blocks=printed)
    with CaptureQueriesContext(connection) as queries:
        document_citations_update(documents=[newest])

    assert cites(newest) == {copies[-1].pk}
    assert set(DocumentLink.objects.exclude(source=newest).values_list("source_id", "target_id")) == links
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert not any('WHERE "gazette_citationreference"."source_id" IN' in sql for sql in reads)
