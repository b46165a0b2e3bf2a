"""Departments get a level, a place, a review flag and pinyin sort keys; aliases may name their body."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("gazette", "0004_import_jobs"),
        ("policies", "0002_seed_department_aliases"),
    ]

    operations = [
        migrations.CreateModel(
            name="DocumentIssuer",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("order", models.PositiveIntegerField(default=0, verbose_name="排序")),
            ],
            options={
                "verbose_name": "发文机关",
                "verbose_name_plural": "发文机关",
                "ordering": ["document", "order"],
            },
        ),
        migrations.AlterModelOptions(
            name="department",
            options={
                "ordering": ["place_key", "sort_key", "name"],
                "verbose_name": "单位",
                "verbose_name_plural": "单位",
            },
        ),
        migrations.RemoveConstraint(
            model_name="department",
            name="department_unique_per_city",
        ),
        migrations.RemoveConstraint(
            model_name="departmentalias",
            name="department_alias_unique",
        ),
        migrations.AddField(
            model_name="department",
            name="county",
            field=models.CharField(blank=True, max_length=100, verbose_name="县（区）"),
        ),
        migrations.AddField(
            model_name="department",
            name="is_group",
            field=models.BooleanField(
                default=False, help_text="如 各县（区）人民政府、市直各有关部门", verbose_name="泛指"
            ),
        ),
        migrations.AddField(
            model_name="department",
            name="level",
            field=models.CharField(
                choices=[
                    ("city", "市级"),
                    ("county", "县（区）级"),
                    ("provincial", "省级"),
                    ("national", "国家级"),
                    ("other", "其他单位"),
                ],
                default="other",
                max_length=20,
                verbose_name="层级",
            ),
        ),
        migrations.AddField(
            model_name="department",
            name="place_key",
            field=models.CharField(blank=True, editable=False, max_length=200, verbose_name="地区排序"),
        ),
        migrations.AddField(
            model_name="department",
            name="province",
            field=models.CharField(blank=True, max_length=100, verbose_name="省份"),
        ),
        migrations.AddField(
            model_name="department",
            name="review",
            field=models.BooleanField(
                default=False, help_text="与已有单位名称相近，等待管理员合并或确认为新单位", verbose_name="待审核"
            ),
        ),
        migrations.AddField(
            model_name="department",
            name="sort_key",
            field=models.CharField(blank=True, editable=False, max_length=400, verbose_name="名称拼音"),
        ),
        migrations.AddField(
            model_name="departmentalias",
            name="department",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="aliases",
                to="policies.department",
                verbose_name="单位",
            ),
        ),
        migrations.AddField(
            model_name="departmentalias",
            name="note",
            field=models.CharField(
                blank=True, help_text="如 2018年机构改革：工商局并入市场监管局", max_length=200, verbose_name="说明"
            ),
        ),
        migrations.AddField(
            model_name="documentissuer",
            name="department",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="issued",
                to="policies.department",
                verbose_name="单位",
            ),
        ),
        migrations.AddField(
            model_name="documentissuer",
            name="document",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="issuer_links",
                to="gazette.document",
                verbose_name="文件",
            ),
        ),
        migrations.AddConstraint(
            model_name="documentissuer",
            constraint=models.UniqueConstraint(fields=("document", "department"), name="document_issuer_unique"),
        ),
    ]
