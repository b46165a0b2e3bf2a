"""Running the background jobs in a test: django_tasks_db's own worker, in this process."""

from __future__ import annotations

from unittest import mock

from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker


def jobs_run(*, max_tasks: int | None = None) -> int:
    """Run every job that is due, with the worker `manage.py jobs_worker` runs, until none is left.

    Returns how many jobs ran; max_tasks stops it after that many. Inside a test's transaction the worker must not close the
    connection between jobs (it would throw the test's data away), so that alone is skipped there.
    """
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    if connection.in_atomic_block:
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            worker.run()
    else:
        worker.run()
    return worker._run_tasks
