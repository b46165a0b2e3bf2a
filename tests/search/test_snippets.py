import pytest

from search.hits import hits_for
from search.query import documents_search, parse_query
from search.snippets import match_patterns, snippets
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def test_snippet_marks_the_chinese_match_and_escapes_markup(index_documents):
    document = DocumentFactory(
        title="关于<b>冷链</b>的通知", body="前文<script>alert(1)</script>加快发展冷链物流，保障食品安全。"
    )
    index_documents()

    outcome = documents_search(q="冷链物流")
    (hit,) = hits_for(outcome.ids, outcome.parsed)
    assert hit.document == document
    snippet = hit.snippets[0]
    assert "<mark>冷链物流</mark>" in snippet
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert "&lt;b&gt;" in hit.title_html and "<b>" not in hit.title_html


def test_snippets_are_taken_around_matches_far_into_the_text():
    text = "无关内容。" * 200 + "这里讲一照多址改革。" + "无关内容。" * 200
    (snippet,) = snippets(text, match_patterns(parse_query("一照多址")))
    assert "<mark>一照多址</mark>" in snippet and snippet.startswith("…") and snippet.endswith("…")


def test_at_most_three_snippets_and_variants_of_width_are_marked():
    text = "。".join(["ＡＢＣ公司发展冷链"] * 10) + "。冷链物流 ABC"
    found = snippets(text, match_patterns(parse_query("abc")))
    assert 1 <= len(found) <= 3
    assert "<mark>ＡＢＣ</mark>" in found[0]


def test_latin_words_are_marked_in_any_width_and_case_but_only_whole():
    text = "采用ＡＢＣ方法，Abc 与 abc 相同；xabc 和 abcd 不算。"
    (snippet,) = snippets(text, match_patterns(parse_query("ABC")))
    assert snippet.count("<mark>") == 3
    assert "<mark>ＡＢＣ</mark>" in snippet and "<mark>Abc</mark>" in snippet and "<mark>abc</mark>" in snippet


def test_snippets_prefer_passages_with_different_terms():
    text = "冷链物流。" * 5 + "无关内容。" * 60 + "冷链物流和食品安全。" + "无关内容。" * 60 + "食品安全。"
    found = snippets(text, match_patterns(parse_query("冷链物流 食品安全")))
    assert "<mark>冷链物流</mark>和<mark>食品安全</mark>" in found[1]
    assert len(found) == 3


def test_a_hit_found_through_its_tasks_shows_the_matching_task(index_documents):
    from tests.factories import TaskFactory

    document = DocumentFactory(body="方案正文。")
    TaskFactory(document=document, text="建设冷库设施。")
    index_documents()

    outcome = documents_search(q="冷库设施")
    (hit,) = hits_for(outcome.ids, outcome.parsed)
    assert hit.snippets == ["建设<mark>冷库设施</mark>。"]


def test_snippets_read_only_the_head_of_a_huge_body_and_a_bounded_number_of_matches():
    from search.snippets import MAX_MATCHES, SCAN_CHARS, spans

    patterns = match_patterns(parse_query("冷链"))
    filler = "保障食品安全促进消费升级。" * (SCAN_CHARS // 13 + 1000)
    only_far = filler + "发展冷链物流"
    many = "冷链，" * (MAX_MATCHES * 4)

    assert "<mark>" not in "".join(snippets(only_far, patterns))
    assert len(spans(many, patterns)) == MAX_MATCHES
    assert snippets(many, patterns)[0].count("<mark>") > 10


@pytest.mark.django_db
def test_a_hit_shows_snippets_from_the_head_of_its_body_without_loading_all_of_it():
    from search.snippets import SCAN_CHARS

    head = "本方案旨在加快发展冷链物流。"
    document = DocumentFactory(body=head + "其他内容。" * (SCAN_CHARS // 5 + 1000) + "冷链物流在末尾")

    hit = hits_for([document.pk], parse_query("冷链物流"))[0]

    assert "<mark>冷链物流</mark>" in hit.snippets[0]
    assert "末尾" not in "".join(hit.snippets)
    assert "body" in hit.document.get_deferred_fields()
