from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "任务分工"

    def ready(self):
        # gazette's import saves a document's tasks through this hook instead of importing
        # policies (imports run one way: importer ← gazette ← policies ← search).
        from gazette.hooks import documents_saver_register

        from .services import imported_documents_tasks_save

        documents_saver_register(imported_documents_tasks_save)
