"""Search over the real fixture gazettes, imported the way staff import them."""

import pytest

from gazette.models import Document
from gazette.services import gazette_file_import
from search.hits import hits_for
from search.query import documents_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(search_index, fixture_bytes):
    """Import fixture files by prefix through the import service (which indexes them)."""

    def run(*prefixes):
        for prefix in prefixes:
            gazette_file_import(file_name=f"{prefix}.txt", data=fixture_bytes(prefix))

    return run


def first_numbers(q, n=1):
    ids = documents_search(q=q).ids[:n]
    documents = Document.objects.in_bulk(ids)
    return [documents[pk].doc_number for pk in ids]


def test_cold_chain_finds_the_cold_chain_plan_first(imported):
    imported("000", "001")
    assert first_numbers("冷链物流") == ["贺政办发〔2018〕146号"]


def test_local_chronicles_finds_the_chronicles_plan_first(imported):
    imported("000", "001")
    assert first_numbers("地方志") == ["柳政办〔2022〕17号"]


def test_one_licence_many_addresses_finds_the_task_table(imported):
    imported("001")
    assert "柳政办〔2023〕10号" in first_numbers("一照多址", n=10)


@pytest.mark.parametrize(
    "query, number",
    [
        ("贺政办发〔2018〕139号", "贺政办发〔2018〕139号"),
        ("贺政办发[2018]139号", "贺政办发〔2018〕139号"),
        ("贺政办发 2018 139号", "贺政办发〔2018〕139号"),
        ("柳政办（2023）10号", "柳政办〔2023〕10号"),
        ("贺政发〔2019〕1号", "贺政发〔2019〕1号"),
    ],
)
def test_doc_number_variants_find_their_document_first(imported, query, number):
    imported("000", "001")
    assert first_numbers(query) == [number]


def test_doc_number_with_another_sequence_is_another_document(imported):
    imported("000")
    neighbour = Document.objects.get(doc_number="贺政办发〔2018〕146号")
    assert "145号" not in neighbour.body

    assert first_numbers("贺政办发〔2018〕145号") == ["贺政办发〔2018〕145号"]
    assert neighbour.pk not in documents_search(q="贺政办发〔2018〕145号").ids


def test_two_characters_inside_a_longer_word_find_the_document(imported):
    imported("001")
    # 照多 is no jieba word: only the bigram field can find it inside 一照多址.
    assert "柳政办〔2023〕10号" in first_numbers("照多", n=10)


def test_phrase_and_exclusion(imported):
    imported("000")
    assert first_numbers('"快递物流协同发展"') == ["贺政办发〔2018〕145号"]
    excluded = documents_search(q="物流 -快递").ids
    assert excluded
    assert not Document.objects.filter(pk__in=excluded, body__contains="快递").exists()
    assert Document.objects.get(doc_number="贺政办发〔2018〕145号").pk not in excluded


def test_snippets_mark_the_chinese_match(imported):
    imported("000")
    outcome = documents_search(q="冷链物流")
    hit = hits_for(outcome.ids[:1], outcome.parsed)[0]
    assert 1 <= len(hit.snippets) <= 3
    assert all("<mark>冷链物流</mark>" in snippet for snippet in hit.snippets)
