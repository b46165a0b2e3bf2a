"""Seed the admin-editable alias table with the common abbreviations (市发改委 = 市发展改革委)."""

from django.db import migrations


def seed(apps, schema_editor):
    from gazette.importer.departments import DEFAULT_ALIASES

    alias_model = apps.get_model("policies", "DepartmentAlias")
    for alias, canonical in DEFAULT_ALIASES.items():
        alias_model.objects.get_or_create(city="", alias=alias, defaults={"canonical": canonical})


def unseed(apps, schema_editor):
    from gazette.importer.departments import DEFAULT_ALIASES

    apps.get_model("policies", "DepartmentAlias").objects.filter(city="", alias__in=list(DEFAULT_ALIASES)).delete()


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
