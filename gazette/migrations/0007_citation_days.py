"""Keep each citing and each cited document's day beside its CitationReference and CitationKey rows.

A 《title》 citation means the newest bearer issued by the citing document's day
(gazette.citations.Reader); with the day beside the title, the citations and bearers of a title
around a day are an index range. The rows already there get their documents' days here (on
PostgreSQL and SQLite alike); imports write them from now on.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce


def citation_days_fill(apps, schema_editor):
    """Set issued on every row: its document's 成文日期, else its issue's publication date."""
    Document = apps.get_model("gazette", "Document")
    db = schema_editor.connection.alias
    days = Document.objects.using(db).annotate(day=Coalesce("date", "issue__published"))
    for model, field in (("CitationReference", "source_id"), ("CitationKey", "document_id")):
        rows = apps.get_model("gazette", model).objects.using(db)
        rows.update(issued=Subquery(days.filter(pk=OuterRef(field)).values("day")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('gazette', '0006_document_effective_basis_after'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='citationkey',
            name='citation_key_title',
        ),
        migrations.RemoveIndex(
            model_name='citationreference',
            name='citation_reference_title',
        ),
        migrations.AddField(
            model_name='citationkey',
            name='issued',
            field=models.DateField(blank=True, null=True, verbose_name='文件日期'),
        ),
        migrations.AddField(
            model_name='citationreference',
            name='issued',
            field=models.DateField(blank=True, null=True, verbose_name='引用文件日期'),
        ),
        migrations.RunPython(citation_days_fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='citationkey',
            index=models.Index(fields=['title', 'issued'], name='citation_key_title_day'),
        ),
        migrations.AddIndex(
            model_name='citationreference',
            index=models.Index(condition=models.Q(('kind', 'title')), fields=['title', 'issued'], name='citation_reference_title_day'),
        ),
    ]
