"""Store what every document already in the database cites (CitationReference) and is cited by (CitationKey).

Imports keep both up to date from now on (gazette.citations.document_citations_update). The
'cites' links themselves were written by the imports, so only these rows are added. Runs on
PostgreSQL and SQLite alike; documents are read in batches, so memory stays flat.
"""

from django.db import migrations

from gazette.citations import citable_titles, document_citations

BATCH = 500


def citations_backfill(apps, schema_editor):
    """Rebuild every document's CitationReference and CitationKey rows from its title and body."""
    Document = apps.get_model("gazette", "Document")
    CitationReference = apps.get_model("gazette", "CitationReference")
    CitationKey = apps.get_model("gazette", "CitationKey")
    db = schema_editor.connection.alias
    # The tables are new, so this deletes nothing unless the migration is run again.
    CitationReference.objects.using(db).all().delete()
    CitationKey.objects.using(db).all().delete()
    references, keys = [], []
    documents = Document.objects.using(db).only("pk", "title", "blocks", "body").order_by("pk")
    for document in documents.iterator(chunk_size=BATCH):
        references.extend(
            CitationReference(source_id=document.pk, kind=c.kind, code=c.code, year=c.year, seq=c.seq, title=c.title)
            for c in document_citations(document)
        )
        keys.extend(CitationKey(document_id=document.pk, title=title) for title in citable_titles(document.title))
        if len(references) >= BATCH or len(keys) >= BATCH:
            CitationReference.objects.using(db).bulk_create(references, batch_size=BATCH)
            CitationKey.objects.using(db).bulk_create(keys, batch_size=BATCH)
            references, keys = [], []
    CitationReference.objects.using(db).bulk_create(references, batch_size=BATCH)
    CitationKey.objects.using(db).bulk_create(keys, batch_size=BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ("gazette", "0002_citation_reference_key"),
    ]

    operations = [
        migrations.RunPython(citations_backfill, migrations.RunPython.noop),
    ]
