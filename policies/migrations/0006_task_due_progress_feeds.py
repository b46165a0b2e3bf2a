"""Tasks get a due date, an ongoing flag and the time they were imported; progress reports per
task and department; users' feed tokens. Existing tasks are read in 0007.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0005_department_place_constraints"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="task",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="导入时间"),
        ),
        migrations.AddField(
            model_name="task",
            name="due",
            field=models.DateField(
                blank=True,
                db_index=True,
                help_text="由完成时限读出；持续推进的任务可以没有",
                null=True,
                verbose_name="到期日期",
            ),
        ),
        migrations.AddField(
            model_name="task",
            name="ongoing",
            field=models.BooleanField(
                default=False, help_text="持续推进、长期推进、长期坚持、每年…", verbose_name="持续推进"
            ),
        ),
        migrations.CreateModel(
            name="FeedToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("nonce", models.CharField(editable=False, max_length=64, verbose_name="随机数")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="生成时间")),
                ("last_used_at", models.DateTimeField(blank=True, null=True, verbose_name="最近使用")),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="feed_token",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="用户",
                    ),
                ),
            ],
            options={
                "verbose_name": "订阅令牌",
                "verbose_name_plural": "订阅令牌",
            },
        ),
        migrations.CreateModel(
            name="TaskProgress",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[("not_started", "未开始"), ("in_progress", "推进中"), ("done", "已完成")],
                        max_length=20,
                        verbose_name="进展",
                    ),
                ),
                ("reported_on", models.DateField(default=django.utils.timezone.localdate, verbose_name="进展日期")),
                ("note", models.TextField(blank=True, verbose_name="说明")),
                ("recorded_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="登记时间")),
                (
                    "department",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="progress",
                        to="policies.department",
                        verbose_name="单位",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="登记人",
                    ),
                ),
                (
                    "task",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="progress",
                        to="policies.task",
                        verbose_name="任务",
                    ),
                ),
            ],
            options={
                "verbose_name": "任务进展",
                "verbose_name_plural": "任务进展",
                "ordering": ["-recorded_at", "-pk"],
                "indexes": [models.Index(fields=["task", "department", "-recorded_at"], name="task_progress_latest")],
            },
        ),
    ]
