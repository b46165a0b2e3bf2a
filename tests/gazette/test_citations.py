"""Citations: the 文号 and 《titles》 a body cites, linked to documents in the knowledge base."""

import pytest

from gazette.citations import CitationIndex, document_citations_update, find_citations, link_citations
from gazette.models import DocumentLink
from tests.factories import DocumentFactory

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
    citing = DocumentFactory(blocks=[paragraph("按照贺政发〔2019〕1号执行。")], body="按照贺政发〔2019〕1号执行。")
    later = DocumentFactory(
        title="关于印发《贺州市后续方案》的通知",
        doc_number="贺政发〔2019〕9号",
        doc_code="贺政发",
        doc_year=2019,
        doc_seq=9,
    )
    earlier_citing_later = DocumentFactory(
        blocks=[paragraph("参照《贺州市后续方案》。")], body="参照《贺州市后续方案》。"
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


def test_cited_title_with_nested_quotes_links_to_the_notice():
    notice = DocumentFactory(title="贺州市人民政府办公室关于印发《贺州市加快发展冷链物流保障食品安全促进消费升级的实施方案》的通知")
    text = "为落实《贺州市人民政府办公室关于印发〈贺州市加快发展冷链物流保障食品安全促进消费升级的实施方案〉的通知》，现通知如下。"

    (citation,) = find_citations(text)

    assert CitationIndex([notice]).resolve(citation) == (notice, citation.start)
