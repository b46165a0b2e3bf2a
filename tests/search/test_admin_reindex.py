"""A document corrected in the admin is found by its corrected text at once."""

import pytest
from django.urls import reverse

from search.engines import EngineUnavailable
from search.query import Filters, documents_search
from tests.factories import DocumentFactory, StaffFactory
from tests.gazette.test_validity import admin_form_data

pytestmark = pytest.mark.django_db


def test_a_title_corrected_in_the_admin_is_found_by_search_at_once(
    client, index_documents, django_capture_on_commit_callbacks
):
    document = DocumentFactory(title="关于加快发展冷链物流的通知", body="为保障食品安全，制定本方案。")
    index_documents()
    client.force_login(StaffFactory(username="admin"))
    url = reverse("admin:gazette_document_change", args=[document.pk])
    data = admin_form_data(client.get(url))
    data["title"] = "关于加快发展农产品仓储保鲜的通知"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert documents_search(q="仓储保鲜").ids == [document.pk]
    assert documents_search(q="冷链物流").ids == []


def test_a_validity_correction_alone_is_filtered_and_counted_at_once_and_rewrites_text_nowhere(
    client, index_documents, monkeypatch, django_capture_on_commit_callbacks, search_engine_name
):
    document = DocumentFactory(title="关于加快发展冷链物流的通知")
    index_documents()
    client.force_login(StaffFactory(username="admin"))
    url = reverse("admin:gazette_document_change", args=[document.pk])
    data = admin_form_data(client.get(url))
    data["validity"] = "repealed"

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302

    outcome = documents_search(q="冷链物流", filters=Filters(validity="repealed"))
    assert outcome.ids == [document.pk]
    assert [(e["label"], e["count"]) for e in outcome.facets["validity"]] == [("已废止", 1)]
    assert documents_search(q="冷链物流", filters=Filters(validity="in_force")).ids == []

    # Whoosh ranks only (the database filters): nothing is written to it for a correction.
    written = []
    monkeypatch.setattr("search.indexing.documents_index", lambda **kwargs: written.append(kwargs))
    data["validity"] = "expired"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    assert written == ([] if search_engine_name == "whoosh" else [{"document_ids": [document.pk]}])


def test_the_admin_is_told_when_the_index_cannot_take_the_correction(
    transactional_db, client, index_documents, monkeypatch
):
    # Committed for real: the index is written when the admin's transaction commits, before
    # the response's messages are stored.
    document = DocumentFactory(title="关于加快发展冷链物流的通知")
    index_documents()

    def engine_down(**kwargs):
        raise EngineUnavailable("OpenSearch at http://127.0.0.1:9 did not answer")

    monkeypatch.setattr("search.indexing.documents_index", engine_down)
    client.force_login(StaffFactory(username="admin"))
    url = reverse("admin:gazette_document_change", args=[document.pk])
    data = admin_form_data(client.get(url))
    data["title"] = "关于加快发展农产品仓储保鲜的通知"

    response = client.post(url, data, follow=True)

    document.refresh_from_db()
    assert document.title == "关于加快发展农产品仓储保鲜的通知"
    shown = [str(message) for message in response.context["messages"]]
    assert any("检索索引未能更新" in message for message in shown), shown
