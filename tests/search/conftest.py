"""Fixtures for search tests: a fresh index per test, and a way to index what the test created."""

import pytest
from django.test import Client

from gazette.models import Document
from search.indexing import documents_index
from tests.factories import UserFactory


@pytest.fixture
def index_documents(search_index):
    """Index every document in the database (as an import would, in one batch)."""

    def run():
        return documents_index(document_ids=list(Document.objects.values_list("pk", flat=True)))

    return run


@pytest.fixture
def staff_client(db) -> Client:
    client = Client()
    client.force_login(UserFactory())
    return client
