from django.contrib import admin
from django.db import transaction
from django.db.models import Q

from gazette.hooks import search_after_commit

from .models import Department, DepartmentAlias, DocumentIssuer, FeedToken, Task, TaskAssignment, TaskProgress
from .services import department_accept, task_assignments_progress_refresh


class DepartmentAliasInline(admin.TabularInline):
    model = DepartmentAlias
    fields = ["alias", "note"]
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "province", "city", "county", "is_group", "review"]
    list_filter = ["level", "review", "is_group", "province", "city"]
    search_fields = ["name", "city", "aliases__alias"]
    readonly_fields = ["sort_key", "place_key"]
    inlines = [DepartmentAliasInline]
    actions = ["accept"]

    @admin.action(description="确认为新单位（移出待审核）", permissions=["change"])
    def accept(self, request, queryset):
        for department in queryset.in_review():
            department_accept(department=department)


@admin.register(DepartmentAlias)
class DepartmentAliasAdmin(admin.ModelAdmin):
    list_display = ["alias", "canonical", "city", "department", "note"]
    list_editable = ["canonical", "city"]
    list_filter = ["city"]
    search_fields = ["alias", "canonical"]
    autocomplete_fields = ["department"]


@admin.register(DocumentIssuer)
class DocumentIssuerAdmin(admin.ModelAdmin):
    list_display = ["department", "document"]
    raw_id_fields = ["document"]
    autocomplete_fields = ["department"]


class TaskAssignmentInline(admin.TabularInline):
    model = TaskAssignment
    extra = 1
    autocomplete_fields = ["department"]


class TaskProgressInline(admin.TabularInline):
    """A task's progress reports, as recorded (they are history: not edited here)."""

    model = TaskProgress
    extra = 0
    fields = ["department", "status", "reported_on", "note", "recorded_by", "recorded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["__str__", "number", "deadline", "due", "ongoing", "document"]
    list_select_related = ["document"]
    search_fields = ["text", "number", "deadline", "document__title", "document__doc_number"]
    list_filter = ["ongoing", "document__issue__gazette"]
    raw_id_fields = ["document"]
    inlines = [TaskAssignmentInline, TaskProgressInline]

    # A document's tasks and their departments are part of its searchable text, and whether
    # it has tasks is a filter: the documents a change touches are indexed again when it commits.
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        documents = {form.instance.document_id}
        if form.initial.get("document"):  # moved from another document
            documents.add(form.initial["document"])
        search_after_commit(changed=documents)
        # An assignment added or pointed at another department takes up that department's status.
        task_assignments_progress_refresh(assignments=TaskAssignment.objects.filter(task=form.instance))

    def delete_model(self, request, obj):
        search_after_commit(changed=[obj.document_id])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        search_after_commit(changed=queryset.values_list("document_id", flat=True))
        super().delete_queryset(request, queryset)


@admin.register(TaskProgress)
class TaskProgressAdmin(admin.ModelAdmin):
    list_display = ["task", "department", "status", "reported_on", "recorded_by", "recorded_at"]
    list_filter = ["status"]
    list_select_related = ["task", "department", "recorded_by"]
    raw_id_fields = ["task"]
    autocomplete_fields = ["department"]
    readonly_fields = ["recorded_by", "recorded_at"]

    # Each save or deletion sets again the kept status (TaskAssignment.progress_status) of the
    # assignments whose latest report it may change: the report's task and department, before
    # and after the edit. The admin runs these in the request's transaction.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        pairs = {(obj.task_id, obj.department_id)}
        if change:
            pairs.add((form.initial.get("task"), form.initial.get("department")))
        self._refresh(pairs)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._refresh({(obj.task_id, obj.department_id)})

    @transaction.atomic  # the delete action, unlike the change and delete pages, runs outside one
    def delete_queryset(self, request, queryset):
        pairs = set(queryset.values_list("task_id", "department_id"))
        super().delete_queryset(request, queryset)
        self._refresh(pairs)

    @staticmethod
    def _refresh(pairs: set[tuple[int, int]]) -> None:
        which = Q()
        for task_id, department_id in pairs:
            which |= Q(task_id=task_id, department_id=department_id)
        task_assignments_progress_refresh(assignments=TaskAssignment.objects.filter(which))


@admin.register(FeedToken)
class FeedTokenAdmin(admin.ModelAdmin):
    """Tokens can be seen and deleted (revoked) here, never read: the key is not stored."""

    list_display = ["user", "created_at", "last_used_at"]
    readonly_fields = ["user", "created_at", "last_used_at"]
    exclude = ["nonce"]

    def has_add_permission(self, request):
        return False
