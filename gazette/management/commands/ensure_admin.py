"""ensure_admin: create the local admin account of the quick start, and say how to sign in."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "创建本地管理员账号（快速启动用）并打印登录方式；账号已存在时不改密码。"

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin", help="account name (default: admin)")
        parser.add_argument("--password", help="password to set for a new account (default: a random one, printed)")

    def handle(self, *args, **options):
        users = get_user_model()
        username = options["username"]
        if users.objects.filter(username=username).exists():
            self.stdout.write(
                f"Admin account {username!r} exists; sign in at http://127.0.0.1:8000/login/ with its password."
            )
            return
        password = options["password"] or secrets.token_urlsafe(9)
        users.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created admin account. Sign in at http://127.0.0.1:8000/login/ as {username!r} with password {password!r}."
            )
        )
