"""Existing tasks get their due date and ongoing flag, read from their deadline text by the
importer's rules (gazette.importer.deadlines) in their document's year, and their issue's
import time. Apart from 0006: PostgreSQL builds 0006's indexes at the end of its transaction,
which it refuses after these updates.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery

from gazette.importer.deadlines import read_deadline


def tasks_read(apps, schema_editor):
    Task = apps.get_model("policies", "Task")
    Issue = apps.get_model("gazette", "Issue")
    Task.objects.update(
        created_at=Subquery(Issue.objects.filter(documents=OuterRef("document")).values("created_at")[:1])
    )
    tasks = Task.objects.exclude(deadline="").values_list(
        "pk", "deadline", "document__date", "document__issue__published", "document__issue__year"
    )
    changed = []
    for pk, text, written, published, year in tasks.iterator(chunk_size=2000):
        when = written or published
        deadline = read_deadline(text, year=when.year if when else year, written=written)
        if deadline.read:
            changed.append(Task(pk=pk, due=deadline.due, ongoing=deadline.ongoing))
    Task.objects.bulk_update(changed, ["due", "ongoing"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("policies", "0006_task_due_progress_feeds"), ("gazette", "0001_initial")]

    operations = [migrations.RunPython(tasks_read, migrations.RunPython.noop)]
