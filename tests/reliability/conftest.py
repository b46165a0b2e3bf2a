"""Fixtures for reliability tests: logged-in clients, a gazette written to be hostile, subprocess helpers."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from tests.factories import StaffFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes several seconds (big files, subprocesses, threads)")


@pytest.fixture
def reader_client(db) -> Client:
    client = Client()
    client.force_login(UserFactory(username="reader"))
    return client


@pytest.fixture
def staff_client(db) -> Client:
    client = Client()
    client.force_login(StaffFactory(username="admin"))
    return client


@pytest.fixture
def upload_dir(settings, tmp_path):
    settings.GONGBAO_UPLOAD_DIR = tmp_path / "uploads"
    return settings.GONGBAO_UPLOAD_DIR


@pytest.fixture
def subprocess_env(search_index):
    """Environment for a child `manage.py` on this test's database and index (data must be committed)."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        GONGBAO_TEST_DB_NAME=connection.settings_dict["NAME"],
        PYTHONPATH=str(ROOT),
        GONGBAO_CHILD_INDEX=str(search_index),
    )
    return env


PYTHON = sys.executable


def kill_when_ready(child, ready: str) -> None:
    """Wait for the child process to print `ready`, then SIGKILL it, as a crash would."""
    import signal

    try:
        assert child.stdout.readline().strip() == ready
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
