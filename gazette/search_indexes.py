"""The search index of documents, with their tasks and the departments assigned to them.

Fields come in pairs where recall matters: `text`/`title` are analysed by jieba (ranked
higher), `text_bigram`/`title_bigram` by CJK bigrams so that any run of two or more
characters finds the document however jieba splits it. `doc_number` holds the canonical
文号 as one token. Issuer, section, region, tasks and departments are searched as part of
`text`, so each piece of text goes through jieba once; filters and facets come from the
database. search.query builds the queries; search.indexing writes the index.
"""

from __future__ import annotations

from haystack import indexes

from search.analyzers import bigram_analyzer, doc_number_analyzer, jieba_analyzer

from .models import Document


class DocumentIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True, analyzer=jieba_analyzer())
    text_bigram = indexes.CharField(analyzer=bigram_analyzer())
    title = indexes.CharField(model_attr="title", analyzer=jieba_analyzer())
    title_bigram = indexes.CharField(model_attr="title", analyzer=bigram_analyzer())
    doc_number = indexes.CharField(analyzer=doc_number_analyzer())
    # The primary key again as a sortable text field: Whoosh keeps it in a column, so the
    # hits of a query map to documents without loading every hit's stored text.
    document_pk = indexes.CharField(analyzer=doc_number_analyzer())
    # Filters and facets come from the database (search.query); the fields below stay so
    # that a haystack SearchQuerySet (and the Elasticsearch path) can filter by them too.
    date = indexes.DateField(model_attr="date", null=True)
    gazette_id = indexes.IntegerField()
    issue_id = indexes.IntegerField(model_attr="issue_id")
    year = indexes.IntegerField(null=True)
    has_tasks = indexes.BooleanField()

    def get_model(self):
        return Document

    def index_queryset(self, using=None):
        return self.get_model().objects.with_issue().with_tasks().order_by("pk")

    def prepare_doc_number(self, obj: Document) -> str:
        from gazette.importer import normalise_doc_number

        return (normalise_doc_number(obj.doc_number) or obj.doc_number) if obj.doc_number else ""

    def prepare_document_pk(self, obj: Document) -> str:
        return str(obj.pk)

    def prepare_gazette_id(self, obj: Document) -> int:
        return obj.issue.gazette_id

    def prepare_year(self, obj: Document) -> int | None:
        return obj.date.year if obj.date else obj.issue.year

    def task_text(self, obj: Document) -> str:
        return "\n".join(task.text for task in obj.tasks.all())

    def department_names(self, obj: Document) -> str:
        return "\n".join(sorted({a.department.name for task in obj.tasks.all() for a in task.assignments.all()}))

    def prepare_has_tasks(self, obj: Document) -> bool:
        return bool(obj.tasks.all())

    def prepare_text(self, obj: Document) -> str:
        # Prepared once per object: the bigram field reads the same text.
        if not hasattr(obj, "_search_text"):
            obj._search_text = "\n".join(part for part in _searchable_parts(obj, self) if part)
        return obj._search_text

    def prepare_text_bigram(self, obj: Document) -> str:
        return self.prepare_text(obj)


def _searchable_parts(obj: Document, index: DocumentIndex) -> list[str]:
    """Everything a reader may search for, title first."""
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
        index.task_text(obj),
        index.department_names(obj),
    ]
