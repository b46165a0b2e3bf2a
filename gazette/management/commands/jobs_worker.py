"""jobs_worker: run the background jobs (imports from the web, their indexing, the index check).

    python manage.py jobs_worker [--batch] [--interval SECONDS]

Before taking jobs it closes or resumes the work of workers that were killed
(gazette.tasks.import_jobs_recover) and makes sure the periodic index check and the nightly
validity update are queued, both due now; then it runs django_tasks_db's `db_worker`. Ctrl-C (or SIGTERM) lets the running job
finish, then stops; a second Ctrl-C stops at once. Several workers may run side by side.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from gazette.tasks import import_jobs_recover, index_check_schedule, validity_refresh_schedule


class Command(BaseCommand):
    help = "运行后台任务：网页上传的导入、检索索引更新和定期索引检查。"

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="run the jobs that are due, then exit")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds to wait between looks at an empty queue (default 1)"
        )

    def handle(self, *args, batch: bool, interval: float, verbosity: int, **options):
        recovered = import_jobs_recover()
        if recovered:
            self.stdout.write(f"已处理中途退出的后台任务：{recovered} 条导入记录。")
        index_check_schedule(run_after=timezone.now())
        validity_refresh_schedule(run_after=timezone.now())
        call_command(
            "db_worker",
            batch=batch,
            interval=interval,
            reload=False,
            startup_delay=False,
            verbosity=verbosity,
            stdout=self.stdout,
        )
