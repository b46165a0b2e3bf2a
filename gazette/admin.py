import logging

from django.contrib import admin, messages
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html_join

from .citations import document_citations_update
from .hooks import search_after_commit, search_index
from .models import (
    CitationKey,
    CitationReference,
    Document,
    DocumentChange,
    DocumentLink,
    Gazette,
    ImportRecord,
    Issue,
)
from .validity import (
    document_changes_link,
    document_corrections_note,
    documents_validity_reread,
    documents_validity_update,
)

logger = logging.getLogger(__name__)

# What of a document the search index holds (gazette.search_indexes.DocumentIndex): an edit
# of one of these is written to the index when the edit commits.
SEARCHABLE_FIELDS = frozenset(
    {"title", "doc_number", "issuer", "section", "region", "signature", "recipients", "attachments", "body"}
)
# What else of a document, its issue and its gazette search filters and counts by
# (search.query.document_values; an engine that counts facets keeps them): an edit of one
# of these is sent to the index when the edit commits.
FILTERED_FIELDS = frozenset({"date", "issue_id", "genre", "normative", "validity"})
ISSUE_FILTERED_FIELDS = frozenset({"gazette_id", "year", "published"})
GAZETTE_FILTERED_FIELDS = frozenset({"kind"})


def _edited(model, obj, fields) -> bool:
    """Whether the object's fields differ from the database's row (an object not yet saved: yes)."""
    before = model.objects.filter(pk=obj.pk).values(*fields).first() if obj.pk else None
    return before != {name: getattr(obj, name) for name in fields}


class IndexedAdmin(admin.ModelAdmin):
    """An admin whose edits and deletions change what the search index holds: the index hears of them on commit.

    `searchable_fields`: the object's fields the index holds as text (its documents are indexed
    again, and the admin told if that fails); `filtered_fields`: those search filters and counts
    by (sent again to an engine that keeps them); `documents_of`: the documents they belong to.
    Fields are compared with the database's row, not form.changed_data: Django reports an empty
    JSON list (attachments) as changed on every save.
    """

    searchable_fields: frozenset[str] = frozenset()
    filtered_fields: frozenset[str] = frozenset()

    def documents_of(self, queryset) -> list[int]:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        text_edited = bool(self.searchable_fields) and _edited(type(obj), obj, self.searchable_fields)
        values_edited = change and _edited(type(obj), obj, self.filtered_fields)
        super().save_model(request, obj, form, change)
        if text_edited:
            transaction.on_commit(lambda: self._reindex(request, obj))
        elif values_edited:
            search_after_commit(values=self.documents_of(type(obj).objects.filter(pk=obj.pk)))

    def _reindex(self, request, obj) -> None:
        """Search finds the corrected text at once; if the index cannot be written, the admin is told."""
        try:
            search_index().documents_index(document_ids=self.documents_of(type(obj).objects.filter(pk=obj.pk)))
        except Exception:
            logger.exception("search index not updated after the admin edit of %s %s", obj._meta.model_name, obj.pk)
            self.message_user(
                request,
                "已保存，但检索索引未能更新：检索仍按修改前的文字查找，请稍后运行 manage.py check_index --rebuild。",
                level=messages.WARNING,
            )

    def delete_model(self, request, obj):
        search_after_commit(deleted=self.documents_of(type(obj).objects.filter(pk=obj.pk)))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        search_after_commit(deleted=self.documents_of(queryset))
        super().delete_queryset(request, queryset)


@admin.register(Gazette)
class GazetteAdmin(IndexedAdmin):
    list_display = ["name", "kind", "city", "publisher"]
    list_filter = ["kind", "city"]
    search_fields = ["name", "city", "publisher"]
    filtered_fields = GAZETTE_FILTERED_FIELDS

    def documents_of(self, queryset) -> list[int]:
        return list(Document.objects.filter(issue__gazette__in=queryset).values_list("pk", flat=True))


@admin.register(Issue)
class IssueAdmin(IndexedAdmin):
    list_display = ["__str__", "gazette", "year", "number", "total_number", "published", "created_at"]
    list_filter = ["gazette", "year"]
    list_select_related = ["gazette"]
    search_fields = ["gazette__name"]
    raw_id_fields = ["source"]
    date_hierarchy = "published"
    filtered_fields = ISSUE_FILTERED_FIELDS

    def documents_of(self, queryset) -> list[int]:
        return list(Document.objects.filter(issue__in=queryset).values_list("pk", flat=True))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "published" in form.changed_data:
            # A document with no 成文日期 is of its issue's day, which its citations are read on.
            document_citations_update(documents=obj.documents.filter(date__isnull=True))


class ReadOnlyInline(admin.TabularInline):
    """Rows derived from the document by the import: shown, never edited by hand."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CitationReferenceInline(ReadOnlyInline):
    model = CitationReference
    fields = readonly_fields = ["kind", "code", "year", "seq", "title"]
    verbose_name_plural = "正文引用（文号、《标题》）"


class CitationKeyInline(ReadOnlyInline):
    model = CitationKey
    fields = readonly_fields = ["title"]
    verbose_name_plural = "可被引用的标题"


class DocumentChangeInline(admin.TabularInline):
    """What the document repeals or amends: as read from its text, corrected here by hand."""

    model = DocumentChange
    fk_name = "source"
    fields = ["kind", "doc_number", "title", "target"]
    raw_id_fields = ["target"]
    extra = 0
    verbose_name_plural = "本文废止、修订的文件（改动后重新识别不再覆盖）"


class DocumentChangedByInline(ReadOnlyInline):
    model = DocumentChange
    fk_name = "target"
    fields = readonly_fields = ["source", "kind"]
    verbose_name_plural = "被以下文件废止、修订（在那些文件上更正）"


@admin.register(Document)
class DocumentAdmin(IndexedAdmin):
    """Documents as imported; the validity facts (文种 … 效力状态) may be corrected, and a correction sticks.

    A field changed here is added to corrected_fields, which the importer's re-reading and the
    daily status update respect; the action 按正文重新识别 forgets the corrections.
    """

    list_display = ["title", "doc_number", "issuer", "date", "genre", "normative", "validity", "issue", "is_fragment"]
    list_filter = ["validity", "normative", "genre", "is_fragment", "issue__gazette", "issue__year", "doc_code"]
    list_select_related = ["issue__gazette"]
    search_fields = ["title", "doc_number", "issuer"]
    raw_id_fields = ["issue"]
    date_hierarchy = "date"
    readonly_fields = ["corrected_list"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "issue",
                    "order",
                    "section",
                    "title",
                    ("doc_number", "doc_code", "doc_year", "doc_seq"),
                    "issuer",
                    "date",
                    "page",
                    "recipients",
                    "signature",
                    "attachments",
                    "region",
                    "source_url",
                    "is_fragment",
                    "blocks",
                    "body",
                ]
            },
        ),
        (
            "效力（改动的字段记为人工更正，重新导入、重新识别和每日更新都不会覆盖）",
            {
                "fields": [
                    ("genre", "transmitted_genre"),
                    "normative",
                    ("effective_from", "effective_basis"),
                    "valid_until",
                    "validity",
                    "corrected_list",
                ]
            },
        ),
    ]
    inlines = [DocumentChangeInline, DocumentChangedByInline, CitationReferenceInline, CitationKeyInline]
    actions = ["reread_validity"]
    searchable_fields = SEARCHABLE_FIELDS
    filtered_fields = FILTERED_FIELDS

    @admin.display(description="人工更正的字段")
    def corrected_list(self, document):
        names = {name: str(Document._meta.get_field(name).verbose_name) for name in Document.CORRECTABLE_FIELDS[:-1]}
        names["changes"] = "废止、修订的文件"
        return "、".join(names[name] for name in document.corrected_fields or [] if name in names) or "—"

    def save_model(self, request, obj, form, change):
        document_corrections_note(document=obj, fields=form.changed_data)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        document = form.instance
        before = set(DocumentChange.objects.filter(source=document).values_list("target_id", flat=True))
        super().save_related(request, form, formsets, change)
        # A title or body edited here changes what the document cites and is cited by.
        document_citations_update(documents=[form.instance])
        if any(formset.model is DocumentChange and formset.has_changed() for formset in formsets):
            document_corrections_note(document=document, fields=["changes"])
            document.save(update_fields=["corrected_fields"])
        document_changes_link(documents=[document])
        after = set(DocumentChange.objects.filter(source=document).values_list("target_id", flat=True))
        touched = ({document.pk} | before | after) - {None}
        documents_validity_update(documents=Document.objects.filter(pk__in=touched))

    def documents_of(self, queryset) -> list[int]:
        return list(queryset.values_list("pk", flat=True))

    @admin.action(description="按正文重新识别效力信息（清除人工更正）")
    def reread_validity(self, request, queryset):
        queryset.update(corrected_fields=[])
        count = documents_validity_reread(documents=queryset)
        documents_validity_update()
        self.message_user(request, f"已按正文重新识别 {count} 个文件的文种、施行日期、有效期和废止、修订关系。")


@admin.register(DocumentLink)
class DocumentLinkAdmin(admin.ModelAdmin):
    list_display = ["source", "kind", "target"]
    list_filter = ["kind"]
    list_select_related = ["source", "target"]
    search_fields = ["source__title", "source__doc_number", "target__title", "target__doc_number"]
    raw_id_fields = ["source", "target"]


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    """Read-only: uploads are kept as they came; the bytes themselves are never shown."""

    list_display = [
        "pk",
        "file_name",
        "status",
        "human_size",
        "uploaded_by",
        "created_at",
        "documents_created",
        "documents_linked",
    ]
    list_filter = ["status", "created_at"]
    list_select_related = ["uploaded_by"]
    search_fields = ["file_name", "sha256", "error"]
    fields = [
        "file_name",
        "human_size",
        "sha256",
        "status",
        "uploaded_by",
        "gazette_name",
        "year",
        "batch",
        "job_id",
        "created_at",
        "finished_at",
        "indexed_at",
        "index_attempts",
        "documents_created",
        "documents_linked",
        "tasks_created",
        "error",
        "message_list",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")

    @admin.display(description="大小")
    def human_size(self, record):
        return f"{filesizeformat(record.size)}（{record.size} 字节）"

    @admin.display(description="消息")
    def message_list(self, record):
        return format_html_join("\n", "<p>{}</p>", ((message,) for message in record.messages or [])) or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
