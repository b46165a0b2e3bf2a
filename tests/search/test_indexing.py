"""Writing the index through search.indexing, on every engine (tests/search/conftest.py)."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from search.analyzers import dictionary_path, jieba_words
from search.engines import engine
from search.indexing import documents_index, index_rebuild, index_status, indexed_document_ids, whoosh_index
from search.query import documents_search
from tests.factories import DepartmentFactory, DocumentFactory


@pytest.mark.django_db
def test_first_run_builds_the_dictionary_and_indexes_everything(search_index):
    DepartmentFactory(name="市邮政管理局")
    documents = [DocumentFactory(), DocumentFactory()]

    report = documents_index(document_ids=[documents[0].pk])

    assert report.rebuilt
    assert indexed_document_ids() == {d.pk for d in documents}
    assert "市邮政管理局" in dictionary_path().read_text(encoding="utf-8").split()
    assert [w for w, _, _ in jieba_words("由市邮政管理局牵头")] == ["由", "市邮政管理局", "牵头"]


@pytest.mark.django_db
def test_a_new_department_name_joins_the_dictionary_without_a_rebuild(search_index):
    old = DocumentFactory(body="请市冷链产业促进中心负责。")
    assert documents_index(document_ids=[old.pk]).rebuilt
    assert not documents_index(document_ids=[old.pk]).rebuilt

    DepartmentFactory(name="市冷链产业促进中心")
    new = DocumentFactory(body="由市冷链产业促进中心牵头。")
    report = documents_index(document_ids=[new.pk])

    assert not report.rebuilt and report.indexed == 1
    assert "市冷链产业促进中心" in dictionary_path().read_text(encoding="utf-8").split()
    assert index_status().healthy
    # The new document has the word whole; the old one still matches through its bigrams.
    assert set(documents_search(q="市冷链产业促进中心").ids) == {old.pk, new.pk}


@pytest.mark.django_db
def test_deleted_documents_leave_the_index(search_index):
    keep, gone = DocumentFactory(), DocumentFactory()
    documents_index(document_ids=[keep.pk, gone.pk])
    gone_pk = gone.pk
    gone.delete()

    report = documents_index(document_ids=[gone_pk])

    assert report.removed == 1
    assert indexed_document_ids() == {keep.pk}


@pytest.mark.engines("whoosh")
@pytest.mark.django_db(transaction=True)
def test_a_second_writer_waits_instead_of_failing(search_index):
    documents = [DocumentFactory(body=f"第{i}份冷链物流文件。") for i in range(6)]
    documents_index(document_ids=[])
    errors = []
    # Hold Whoosh's own lock for a moment, as haystack's update_index would.
    held = whoosh_index().writer()

    def index(batch):
        try:
            documents_index(document_ids=[d.pk for d in batch])
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=index, args=(documents[i::3],)) for i in range(3)]
    for thread in threads:
        thread.start()
    threading.Event().wait(0.5)
    held.cancel()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert indexed_document_ids() == {d.pk for d in documents}


@pytest.mark.django_db
def test_haystack_rebuild_and_update_commands_work(search_index):
    document = DocumentFactory(body="发展冷链物流。")

    call_command("rebuild_index", interactive=False, verbosity=0)
    assert documents_search(q="冷链物流").ids == [document.pk]

    other = DocumentFactory(body="冷链物流第二篇。")
    call_command("update_index", verbosity=0)
    assert set(documents_search(q="冷链物流").ids) == {document.pk, other.pk}


@pytest.mark.django_db
def test_check_index_reports_and_fixes_missing_documents(search_index, capsys):
    indexed = DocumentFactory()
    documents_index(document_ids=[indexed.pk])
    missing = DocumentFactory()
    assert index_status().missing == [missing.pk]

    with pytest.raises(CommandError, match="--fix"):
        call_command("check_index")
    call_command("check_index", "--fix")

    assert index_status().healthy


@pytest.mark.django_db
def test_a_rebuild_replaces_the_index_and_searches_see_the_new_one(search_index):
    kept = DocumentFactory(body="发展冷链物流。")
    gone = DocumentFactory(body="冷链物流第二篇。")
    documents_index(document_ids=[kept.pk, gone.pk])
    gone.delete()

    report = index_rebuild()

    assert report.rebuilt and report.indexed == 1
    assert indexed_document_ids() == {kept.pk}
    assert documents_search(q="冷链物流").ids == [kept.pk]


@pytest.mark.django_db
def test_a_document_indexed_again_is_not_counted_twice(search_index):
    document = DocumentFactory(body="发展冷链物流。")
    documents_index(document_ids=[document.pk])
    documents_index(document_ids=[document.pk])

    assert index_status().index_count == 1
    assert documents_search(q="冷链物流").ids == [document.pk]


@pytest.mark.django_db
def test_merging_the_segments_leaves_one_with_the_same_answers(search_index, capsys):
    bodies = ["营商环境优化提升行动方案", "优化营商环境若干措施", "政府采购需求管理办法", "营商环境创新试点"]
    documents = [DocumentFactory(title=f"关于印发{body}的通知", body=f"为{body}，现通知如下。") for body in bodies]
    # One batch per import: each leaves a segment of its own.
    for document in documents:
        documents_index(document_ids=[document.pk])
    gone = documents[1].pk
    documents[1].delete()
    documents_index(document_ids=[gone])
    documents[2].body = "营商环境：政府采购需求管理。"
    documents[2].save()
    documents_index(document_ids=[documents[2].pk])
    queries = ["营商环境", "政府采购", "营商环境 -试点", "通知"]
    before = [(documents_search(q=q).ids, documents_search(q=q).count) for q in queries]

    call_command("merge_index")

    assert "段 → 1 段" in capsys.readouterr().out
    assert engine().merge_segments().before == 1
    assert [(documents_search(q=q).ids, documents_search(q=q).count) for q in queries] == before
    assert before[0][1] == 3 and gone not in before[0][0]
    assert indexed_document_ids() == {documents[0].pk, documents[2].pk, documents[3].pk}
