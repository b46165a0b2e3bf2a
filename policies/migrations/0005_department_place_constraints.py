"""One body per name and place; an alias spelling rule once per city, a body's alias once per body."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("policies", "0004_place_departments")]

    operations = [
        migrations.AddConstraint(
            model_name="department",
            constraint=models.UniqueConstraint(
                fields=("province", "city", "county", "name"), name="department_unique_per_place"
            ),
        ),
        migrations.AddConstraint(
            model_name="departmentalias",
            constraint=models.UniqueConstraint(
                condition=models.Q(("department__isnull", True)),
                fields=("city", "alias"),
                name="department_alias_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="departmentalias",
            constraint=models.UniqueConstraint(
                condition=models.Q(("department__isnull", False)),
                fields=("department", "alias"),
                name="department_alias_unique_per_body",
            ),
        ),
    ]
