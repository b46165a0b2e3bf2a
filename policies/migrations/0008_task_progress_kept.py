from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery


def progress_fill(apps, schema_editor):
    """Give each assignment its department's latest report status; rows without reports keep ''."""
    TaskAssignment = apps.get_model("policies", "TaskAssignment")
    TaskProgress = apps.get_model("policies", "TaskProgress")
    reports = TaskProgress.objects.filter(task=OuterRef("task"), department=OuterRef("department"))
    latest = reports.order_by("-recorded_at", "-pk").values("status")[:1]
    TaskAssignment.objects.filter(Exists(reports)).update(progress_status=Subquery(latest))


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0007_task_due_read"),
    ]

    operations = [
        migrations.AddField(
            model_name="taskassignment",
            name="progress_status",
            field=models.CharField(
                blank=True,
                choices=[("not_started", "未开始"), ("in_progress", "推进中"), ("done", "已完成")],
                default="",
                editable=False,
                max_length=20,
                verbose_name="最新进展",
            ),
        ),
        migrations.RunPython(progress_fill, migrations.RunPython.noop),
        # Built after the fill, so each is written once.
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                fields=["id"], include=("due", "ongoing", "deadline", "document"), name="task_follow_up"
            ),
        ),
        migrations.AddIndex(
            model_name="taskassignment",
            index=models.Index(fields=["department", "task"], include=("progress_status",), name="task_assignment_progress"),
        ),
    ]
