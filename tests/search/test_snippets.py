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
