from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "检索"

    def ready(self):
        # gazette indexes after each import through this hook instead of importing search
        # (imports run one way: importer ← gazette ← policies ← search).
        from gazette.hooks import search_index_register

        from . import indexing

        search_index_register(indexing)
