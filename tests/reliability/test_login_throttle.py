"""Wrong passwords are throttled (django-axes): one user name from one address, not everyone."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str, ip: str = "10.0.0.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_after_five_wrong_passwords_even_the_right_one_is_refused_for_a_while(settings):
    UserFactory(username="clerk")
    client = Client()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, "clerk", "wrong")
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()
    locked = _login(client, "clerk", "wrong")
    again = _login(client, "clerk", "pw-for-tests")

    assert locked.status_code == 429
    assert again.status_code == 429
    assert "登录已暂停" in again.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_locked_out_user_name_does_not_lock_out_other_users_or_other_addresses(settings):
    UserFactory(username="clerk")
    UserFactory(username="editor")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), "clerk", "wrong")

    assert _login(Client(), "editor", "pw-for-tests").status_code == 302
    assert _login(Client(), "clerk", "pw-for-tests", ip="10.0.0.8").status_code == 302


def test_a_right_password_before_the_limit_resets_the_count(settings):
    UserFactory(username="clerk")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(Client(), "clerk", "wrong")
    assert _login(Client(), "clerk", "pw-for-tests").status_code == 302

    assert _login(Client(), "clerk", "wrong").status_code == 200
