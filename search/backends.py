"""haystack's Whoosh backend with a lean schema: index what is searched, store nothing twice.

haystack builds every text field `stored=True, sortable=True` (a full copy of the value in
the stored-fields file and another in a column) and the content field with `spelling=True`.
Nothing here reads text back from the index: hits map to documents through the
`document_pk` column (search.query), and titles and snippets come from the database
(search.hits). So text fields are neither stored nor sortable, except `document_pk`,
which keeps its column. Only `build_schema` changes; the rest is haystack's backend.

Changing the schema needs one rebuild of an existing index (`manage.py check_index
--rebuild`); documents written with the old schema keep their stored copies until then.
"""

from __future__ import annotations

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from whoosh.fields import TEXT

# Text fields read back by column (search.query.ranked_document_ids, indexed_document_ids).
COLUMN_FIELDS = frozenset({"document_pk"})


class LeanWhooshSearchBackend(WhooshSearchBackend):
    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for name, field in schema.items():
            if not isinstance(field, TEXT):
                continue
            field.stored = False
            field.spelling = False
            if name not in COLUMN_FIELDS:
                field.column_type = None
        return content_field_name, schema


class LeanWhooshEngine(WhooshEngine):
    backend = LeanWhooshSearchBackend
