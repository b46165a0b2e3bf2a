"""Fixtures for search tests: every test that uses an index runs on each engine.

A test that asks for `search_index` (or `index_documents`) runs twice: on Whoosh, in a temp
folder, and on the OpenSearch node at GONGBAO_OPENSEARCH_URL (default http://127.0.0.1:9200,
started by `scripts/opensearch start`), in an index of its own that is deleted afterwards.
Without a node the OpenSearch runs fail with a message saying so; they are never skipped.
Leave them out on purpose with `-k "not opensearch"`. In CI, GONGBAO_REQUIRE_OPENSEARCH=1
also fails the run when no OpenSearch test was selected at all.
`@pytest.mark.engines("whoosh")` keeps a test to the engines named.
"""

import os
import uuid

import pytest
from django.test import Client

from gazette.models import Document
from search.engines import engine
from search.indexing import documents_index
from tests.factories import UserFactory

ENGINES = ("whoosh", "opensearch")
REQUIRE_OPENSEARCH = os.environ.get("GONGBAO_REQUIRE_OPENSEARCH") == "1"
_node_answers: dict[str, bool] = {}


def pytest_configure(config):
    config.addinivalue_line("markers", "engines(*names): run a test that uses an index on these engines only")


def pytest_generate_tests(metafunc):
    if "search_engine_name" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("engines")
        metafunc.parametrize("search_engine_name", marker.args if marker else ENGINES)


def pytest_collection_modifyitems(config, items):
    if not REQUIRE_OPENSEARCH:
        return
    search_items = [item for item in items if "tests/search/" in str(item.path)]
    if search_items and not any("[opensearch" in item.nodeid for item in search_items):
        raise pytest.UsageError("GONGBAO_REQUIRE_OPENSEARCH=1 but no OpenSearch search test was selected.")


@pytest.fixture
def search_index(request, settings, tmp_path, search_engine_name):
    """A fresh, empty index for this test on the engine named; yields the Whoosh folder.

    The jieba dictionary is written beside that folder on either engine.
    """
    from haystack import connections

    path = tmp_path / "whoosh"
    settings.HAYSTACK_CONNECTIONS = {"default": {**settings.HAYSTACK_CONNECTIONS["default"], "PATH": str(path)}}
    settings.GONGBAO_SEARCH_ENGINE = search_engine_name
    connections.reload("default")
    if search_engine_name == "opensearch":
        settings.GONGBAO_OPENSEARCH_INDEX = f"gongbao_test_{uuid.uuid4().hex}"
        _require_node(settings.GONGBAO_OPENSEARCH_URL)
    yield path
    if search_engine_name == "opensearch":
        engine().drop()
        engine().client.close()  # each test's engine has a client (and sockets) of its own
    connections.reload("default")


def _require_node(url: str) -> None:
    if url not in _node_answers:
        _node_answers[url] = engine().healthy()
    if not _node_answers[url]:
        pytest.fail(
            f"no OpenSearch node answers at {url}: start one with `scripts/opensearch start`, "
            'or leave the OpenSearch runs out with -k "not opensearch"'
            + (" (GONGBAO_REQUIRE_OPENSEARCH=1: they must run here)" if REQUIRE_OPENSEARCH else ""),
            pytrace=False,
        )


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
