"""Search behaviour on documents made with the ORM (no parser needed)."""

import pytest

from search.query import Filters, documents_search, parse_query
from tests.factories import DepartmentFactory, DocumentFactory, IssueFactory, TaskAssignmentFactory, TaskFactory

pytestmark = pytest.mark.django_db


def search_ids(q, **kwargs):
    return documents_search(q=q, **kwargs).ids


def test_two_characters_inside_a_longer_word_find_the_document(index_documents):
    document = DocumentFactory(title="关于推行企业登记改革的通知", body="在市辖区范围内，实现跨辖区“一照多址”。")
    DocumentFactory(title="其他通知", body="与此无关的内容。")
    index_documents()

    assert search_ids("照多") == [document.pk]
    assert search_ids("辖区") == [document.pk]


def test_words_separated_by_spaces_must_all_match(index_documents):
    both = DocumentFactory(body="发展冷链物流，保障食品安全。")
    DocumentFactory(body="发展冷链物流。")
    DocumentFactory(body="保障食品安全。")
    index_documents()

    assert search_ids("冷链物流 食品安全") == [both.pk]


def test_phrase_requires_the_words_together(index_documents):
    together = DocumentFactory(body="推进营商环境创新试点工作。")
    apart = DocumentFactory(body="优化营商环境，开展创新试点。")
    index_documents()

    assert search_ids('"营商环境创新试点"') == [together.pk]
    assert set(search_ids("营商环境 创新试点")) == {together.pk, apart.pk}


def test_minus_excludes_documents_with_the_word(index_documents):
    keep = DocumentFactory(body="物流园区建设。")
    DocumentFactory(body="快递物流协同发展。")
    index_documents()

    assert search_ids("物流 -快递") == [keep.pk]


def test_or_accepts_either_word(index_documents):
    a = DocumentFactory(body="编修地方志。")
    b = DocumentFactory(body="整理档案资料。")
    DocumentFactory(body="别的事情。")
    index_documents()

    assert set(search_ids("地方志 OR 档案")) == {a.pk, b.pk}


def test_jieba_word_ranks_above_a_bigram_only_match(index_documents):
    # 货物流通 is 货物/流通 to jieba: 物流 is found there only through the bigram field.
    bigram_only = DocumentFactory(title="关于货物流通的通知", body="促进货物流通。")
    word = DocumentFactory(title="关于发展物流的通知", body="发展现代物流。")
    index_documents()

    assert search_ids("物流") == [word.pk, bigram_only.pk]


@pytest.mark.parametrize(
    "query",
    [
        "贺政办发〔2018〕139号",
        "贺政办发[2018]139号",
        "贺政办发 2018 139号",
        "贺政办发（2018）139号",
        "贺政办发【２０１８】１３９号",
    ],
)
def test_doc_number_in_any_variant_finds_that_document_first(index_documents, query):
    target = DocumentFactory(
        doc_number="贺政办发〔2018〕139号", doc_seq=139, title="关于信息公开的通知", body="做好信息公开。"
    )
    citing = DocumentFactory(title="关于转发的通知", body="根据《通知》（贺政办发〔2018〕139号）精神，制定本方案。")
    DocumentFactory(doc_number="贺政办发〔2018〕13号", doc_seq=13, body="贺政办发〔2018〕13号 相关内容。")
    index_documents()

    assert search_ids(query) == [target.pk, citing.pk]


def test_doc_number_sequence_must_match(index_documents):
    five = DocumentFactory(
        doc_number="桂政发〔2019〕5号", doc_code="桂政发", doc_year=2019, doc_seq=5, body="第五号文。"
    )
    six = DocumentFactory(
        doc_number="桂政发〔2019〕6号", doc_code="桂政发", doc_year=2019, doc_seq=6, body="第六号文。"
    )
    index_documents()

    assert search_ids("桂政发〔2019〕5号") == [five.pk]
    assert search_ids("〔2019〕6号") == [six.pk]


def test_task_text_and_departments_are_searchable(index_documents):
    task = TaskFactory(text="建设冷库设施。", document=DocumentFactory(body="方案正文。"))
    TaskAssignmentFactory(task=task, department=DepartmentFactory(name="市邮政管理局"))
    DocumentFactory(body="别的方案。")
    index_documents()

    assert search_ids("冷库设施") == [task.document.pk]
    assert search_ids("邮政管理局") == [task.document.pk]


def test_filters_limit_hits_and_facets_count_them(index_documents):
    first_issue, second_issue = IssueFactory(), IssueFactory()
    a = DocumentFactory(issue=first_issue, body="冷链物流。")
    b = DocumentFactory(issue=second_issue, body="冷链物流。", section="部门文件")
    TaskFactory(document=b)
    index_documents()

    assert search_ids("冷链物流", filters=Filters(issue=first_issue.pk)) == [a.pk]
    assert search_ids("冷链物流", filters=Filters(has_tasks=True)) == [b.pk]
    outcome = documents_search(q="冷链物流", filters=Filters(section="部门文件"))
    assert outcome.ids == [b.pk]
    assert {e["label"]: e["count"] for e in outcome.facets["has_tasks"]} == {"有任务分工": 1}
    # The section facet ignores its own filter, so the reader can switch sections.
    assert sum(e["count"] for e in outcome.facets["section"]) == 1


def test_sort_by_date_puts_newest_first(index_documents):
    import datetime as dt

    old = DocumentFactory(title="冷链物流方案", body="冷链物流。", date=dt.date(2018, 1, 1))
    new = DocumentFactory(title="通知", body="冷链物流。", date=dt.date(2022, 1, 1))
    index_documents()

    assert search_ids("冷链物流") == [old.pk, new.pk]
    assert search_ids("冷链物流", sort="date") == [new.pk, old.pk]


def test_empty_query_searches_nothing(index_documents):
    DocumentFactory()
    index_documents()

    outcome = documents_search(q="  ")
    assert not outcome.searched and outcome.ids == []


@pytest.mark.parametrize(
    "query",
    [
        '"冷链',
        '冷链"物流',
        "title:冷链",
        "*",
        "冷*",
        "-",
        "--冷链",
        "OR",
        "冷链 OR",
        "（",
        "\x00冷链",
        "冷链" * 300,
        "a" * 5000,
        "🙂",
        "AND OR NOT",
    ],
)
def test_hostile_queries_return_results_or_nothing(index_documents, query):
    document = DocumentFactory(body="冷链物流。")
    index_documents()

    outcome = documents_search(q=query)
    assert set(outcome.ids) <= {document.pk}


def test_unclosed_quote_is_a_phrase_to_the_end():
    parsed = parse_query('食品 "冷链 物流')
    assert [[t.text for t in g] for g in parsed.groups] == [["食品"], ["冷链 物流"]]
    assert parsed.groups[1][0].phrase


def test_excluded_word_removes_the_first_matching_document_too(index_documents):
    # Whoosh's AndNot matcher kept the first match when the excluded word's postings
    # started at an earlier document (here 食品 in the first document).
    DocumentFactory(body="保障食品安全。")
    with_excluded = DocumentFactory(body="发展冷链物流，保障食品安全。")
    without = DocumentFactory(body="发展冷链物流。")
    index_documents()

    assert search_ids("冷链物流 -食品") == [without.pk]
    assert with_excluded.pk in search_ids("冷链物流")


def test_characters_out_of_order_or_across_punctuation_do_not_match_a_phrase(index_documents):
    DocumentFactory(body="物流冷链。")
    DocumentFactory(body="冷链，物流。")
    together = DocumentFactory(body="发展冷链物流。")
    index_documents()

    assert search_ids('"冷链物流"') == [together.pk]


def test_a_document_indexed_again_is_found_by_its_new_text_only(index_documents):
    document = DocumentFactory(body="发展冷链物流。")
    DocumentFactory(body="别的方案。")
    index_documents()
    document.body = "编修地方志。"
    document.save()
    index_documents()  # a second segment; the first keeps the old text, deleted

    assert search_ids("冷链物流") == []
    assert search_ids("地方志") == [document.pk]


def _facet_counts(outcome):
    return {(name, entry["value"]): entry["count"] for name, entries in outcome.facets.items() for entry in entries}


FACET_FILTERS = {
    "gazette": lambda value: {"gazette": int(value)},
    "year": lambda value: {"year": int(value)},
    "issuer": lambda value: {"issuer": value},
    "section": lambda value: {"section": value},
    "kind": lambda value: {"kind": value},
    "region": lambda value: {"region": value},
    "has_tasks": lambda value: {"has_tasks": value == "1"},
    "genre": lambda value: {"genre": value},
    "normative": lambda value: {"normative": value == "1"},
    "validity": lambda value: {"validity": value},
}


@pytest.mark.parametrize("active", [{}, {"section": "部门文件"}, {"has_tasks": True, "year": 2020}])
def test_each_facet_count_is_the_number_of_results_its_link_shows(index_documents, active):
    import datetime as dt

    from tests.factories import GazetteFactory

    other_gazette = IssueFactory(gazette=GazetteFactory(name="柳州市政策汇编", kind="compilation"))
    issues = [IssueFactory(), IssueFactory(), other_gazette]
    for i in range(12):
        document = DocumentFactory(
            issue=issues[i % 3],
            body="发展冷链物流。" if i % 4 else "冷链物流与食品安全。",
            section=["部门文件", "市政府文件", ""][i % 3],
            issuer=["市商务局", "市人民政府"][i % 2],
            region=["贺州市", "柳州市", ""][i % 3],
            date=dt.date(2019 + i % 3, 5, 1) if i % 5 else None,
        )
        if i % 2:
            TaskFactory(document=document)
    DocumentFactory(body="与此无关。")
    index_documents()

    outcome = documents_search(q="冷链物流", filters=Filters(**active))
    counts = _facet_counts(outcome)
    assert outcome.ids and len(counts) >= 8
    for (name, value), count in counts.items():
        narrowed = Filters(**{**active, **FACET_FILTERS[name](value)})
        assert documents_search(q="冷链物流", filters=narrowed).count == count, (name, value)


def test_filters_alone_list_documents_newest_first_with_facets(index_documents):
    import datetime as dt

    issue = IssueFactory()
    old = DocumentFactory(issue=issue, date=dt.date(2018, 1, 1))
    new = DocumentFactory(issue=issue, date=dt.date(2021, 1, 1))
    DocumentFactory()
    index_documents()

    outcome = documents_search(filters=Filters(issue=issue.pk))
    assert outcome.searched and outcome.ids == [new.pk, old.pk]
    assert {e["label"]: e["count"] for e in outcome.facets["year"]} == {"2018": 1, "2021": 1}


def test_sql_queries_of_a_search_do_not_grow_with_its_hits(index_documents, django_assert_num_queries):
    for _ in range(3):
        DocumentFactory(body="编修地方志。")
    for _ in range(40):
        TaskFactory(document=DocumentFactory(body="发展冷链物流。"))
    index_documents()

    with django_assert_num_queries(1):
        few = documents_search(q="地方志", filters=Filters(has_tasks=False))
    with django_assert_num_queries(1):
        many = documents_search(q="冷链物流", filters=Filters(has_tasks=True))
    assert (few.count, many.count) == (3, 40)


def test_a_repeated_search_sees_documents_indexed_since(index_documents):
    first = DocumentFactory(body="发展冷链物流。")
    index_documents()
    assert search_ids("冷链物流") == [first.pk]
    assert search_ids("冷链物流", filters=Filters(has_tasks=False)) == [first.pk]  # remembered, filtered again

    second = DocumentFactory(body="冷链物流。")
    index_documents()

    assert set(search_ids("冷链物流")) == {first.pk, second.pk}


def test_a_date_range_keeps_the_documents_dated_within_it_and_counts_them(index_documents):
    import datetime as dt

    early = DocumentFactory(body="冷链物流。", date=dt.date(2018, 3, 1))
    inside = DocumentFactory(body="冷链物流。", date=dt.date(2020, 6, 1))
    edge = DocumentFactory(body="冷链物流。", date=dt.date(2021, 12, 31))
    DocumentFactory(body="冷链物流。", date=None)  # no date: outside any range
    DocumentFactory(body="别的事情。", date=dt.date(2020, 6, 1))
    index_documents()

    outcome = documents_search(
        q="冷链物流", filters=Filters(date_from=dt.date(2019, 1, 1), date_to=dt.date(2021, 12, 31)), sort="date"
    )

    assert outcome.ids == [edge.pk, inside.pk]
    assert {e["label"]: e["count"] for e in outcome.facets["year"]} == {"2020": 1, "2021": 1}
    assert early.pk in search_ids("冷链物流")
