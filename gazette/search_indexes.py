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
        return self.get_model().objects.with_issue().order_by("pk")

    def prepare_doc_number(self, obj: Document) -> str:
        return (normalise_doc_number(obj.doc_number) or obj.doc_number) if obj.doc_number else ""

    def prepare_text(self, obj: Document) -> str:
        return "\n".join(part for part in _searchable_parts(obj) if part)


def with_task_parts(documents: list[Document]) -> list[Document]:
    """Read these documents' task texts and departments for prepare_text: two queries for them all.

    Values, not model instances: a plan has dozens of tasks and each a few departments
    (about 75 rows a document in the bench corpus), and building them as models and
    prefetch querysets was half of indexing a document.
    """
    texts: dict[int, list[str]] = {document.pk: [] for document in documents}
    departments: dict[int, set[str]] = {document.pk: set() for document in documents}
    ids = sorted(texts)
    for pk, text in (
        Document.objects.filter(pk__in=ids).order_by("pk", "tasks__order", "tasks__pk").values_list("pk", "tasks__text")
    ):
        if text is not None:  # None: a document without tasks
            texts[pk].append(text)
    for pk, name in (
        Document.objects.filter(pk__in=ids).values_list("pk", "tasks__assignments__department__name").distinct()
    ):
        if name is not None:
            departments[pk].add(name)
    for document in documents:
        document.searchable_tasks = ("\n".join(texts[document.pk]), "\n".join(sorted(departments[document.pk])))
    return documents


def _searchable_parts(obj: Document) -> list[str]:
    """Everything a reader may search for, title first."""
    if not hasattr(obj, "searchable_tasks"):
        with_task_parts([obj])
    task_texts, departments = obj.searchable_tasks
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
        task_texts,
        departments,
    ]
