from django.contrib import admin

from .models import Department, DepartmentAlias, Task, TaskAssignment


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "city"]
    list_filter = ["city"]
    search_fields = ["name", "city"]


@admin.register(DepartmentAlias)
class DepartmentAliasAdmin(admin.ModelAdmin):
    list_display = ["alias", "canonical", "city"]
    list_editable = ["canonical", "city"]
    list_filter = ["city"]
    search_fields = ["alias", "canonical"]


class TaskAssignmentInline(admin.TabularInline):
    model = TaskAssignment
    extra = 1
    autocomplete_fields = ["department"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["__str__", "number", "deadline", "document"]
    list_select_related = ["document"]
    search_fields = ["text", "number", "deadline", "document__title", "document__doc_number"]
    list_filter = ["document__issue__gazette"]
    raw_id_fields = ["document"]
    inlines = [TaskAssignmentInline]
