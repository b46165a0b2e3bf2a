from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html_join

from .citations import document_citations_update
from .models import CitationKey, CitationReference, Document, DocumentLink, Gazette, ImportRecord, Issue


@admin.register(Gazette)
class GazetteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "publisher"]
    list_filter = ["kind", "city"]
    search_fields = ["name", "city", "publisher"]


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["__str__", "gazette", "year", "number", "total_number", "published", "created_at"]
    list_filter = ["gazette", "year"]
    list_select_related = ["gazette"]
    search_fields = ["gazette__name"]
    raw_id_fields = ["source"]
    date_hierarchy = "published"


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


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "doc_number", "issuer", "date", "issue", "section", "is_fragment"]
    list_filter = ["is_fragment", "issue__gazette", "issue__year", "doc_code"]
    list_select_related = ["issue__gazette"]
    search_fields = ["title", "doc_number", "issuer"]
    raw_id_fields = ["issue"]
    date_hierarchy = "date"
    inlines = [CitationReferenceInline, CitationKeyInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A title or body edited here changes what the document cites and is cited by.
        document_citations_update(documents=[form.instance])


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
