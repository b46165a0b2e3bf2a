"""What of a document is searchable: its title, its text, its 发文机关 and its canonical 文号.

`text` gathers everything a reader may search for, title first: issuer, section, region,
signature, recipients, attachments, body, task texts and the departments assigned to
them, so each piece of text goes through jieba once. Every engine indexes the title and
the text twice, as jieba words and as CJK bigrams (search.engines.base), the 发文机关 and
the 文号 as bigrams (a search within them), and the 文号 as one exact token too; filters
and facets come from the database (search.query.document_values, which an engine that
counts facets is sent with each document). search.indexing reads this
index to write the engine's; haystack's rebuild_index and update_index use it too.
"""

from __future__ import annotations

from haystack import indexes

from .importer import normalise_doc_number
from .models import Document


class DocumentIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True)
    title = indexes.CharField(model_attr="title")
    doc_number = indexes.CharField()
    issuer = indexes.CharField(model_attr="issuer", default="")

    def get_model(self):
        return Document

    def index_queryset(self, using=None):
        return self.get_model().objects.with_issue().with_tasks().order_by("pk")

    def prepare_doc_number(self, obj: Document) -> str:
        return (normalise_doc_number(obj.doc_number) or obj.doc_number) if obj.doc_number else ""

    def prepare_text(self, obj: Document) -> str:
        return "\n".join(part for part in _searchable_parts(obj) if part)


def _searchable_parts(obj: Document) -> list[str]:
    """Everything a reader may search for, title first."""
    tasks = obj.tasks.all()
    departments = sorted({a.department.name for task in tasks for a in task.assignments.all()})
    return [
        obj.title,
        obj.doc_number,
        obj.issuer,
        obj.section,
        obj.region,
        obj.signature,
        obj.recipients,
        "\n".join(str(item) for item in obj.attachments) if isinstance(obj.attachments, list) else "",
        obj.body,
        "\n".join(task.text for task in tasks),
        "\n".join(departments),
    ]
