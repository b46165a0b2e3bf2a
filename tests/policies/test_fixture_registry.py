"""The registry the four fixture gazettes produce, checked as the issue's staff member would, and
as `manage.py departments --json` reports it."""

import io
import json
import re
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from gazette.importer.places import gazetteer
from gazette.services import gazette_file_import
from policies.models import Department
from tests.conftest import FIXTURES

# The module's one import runs in the test database; each test only reads what it printed.
pytestmark = pytest.mark.django_db

# A level prefix put before a place's name: 市三亚供电局, 省深圳证监局
MISPLACED_PREFIX = re.compile(r"^(?:市|省|县|区|自治区)")
# A character typed twice, except the prefix 市 before 市场 (市市场监管局)
DOUBLED = re.compile(r"(.)\1")


@dataclass
class Registry:
    rows: list[dict]  # manage.py departments --json
    liuzhou: list[dict]  # manage.py departments --json --city 柳州
    unplaced: int


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker, tmp_path_factory) -> Registry:
    """The four fixture gazettes imported once for this module, read, and rolled back."""
    with django_db_blocker.unblock(), override_settings(GONGBAO_UPLOAD_DIR=tmp_path_factory.mktemp("uploads")):
        with transaction.atomic():
            for path in sorted(FIXTURES.glob("*.txt")):
                gazette_file_import(file_name=path.name, data=path.read_bytes(), index=False)
            registry = Registry(
                _command("--json"), _command("--json", "--city", "柳州"), Department.objects.unplaced().count()
            )
            transaction.set_rollback(True)
    return registry


@pytest.fixture
def registry(imported) -> list[dict]:
    return imported.rows


def _command(*args) -> list[dict]:
    out = io.StringIO()
    call_command("departments", *args, stdout=out)
    return json.loads(out.getvalue())


def _bodies(registry, name, city="__any__"):
    return [row for row in registry if row["name"] == name and (city == "__any__" or row["city"] == city)]


def test_market_regulation_bureau_is_one_body_of_liuzhou(registry):
    (body,) = [row for row in registry if "柳州市市场监管局" in row["aliases"] or row["name"] == "柳州市市场监管局"]
    assert (body["name"], body["city"], body["level"]) == ("市市场监管局", "柳州市", "city")
    assert body["lead"] >= 20
    assert not _bodies(registry, "柳州市市场监管局")


def test_other_levels_are_not_bodies_of_liuzhou(registry):
    (provincial,) = _bodies(registry, "自治区自然资源厅")
    assert (provincial["city"], provincial["level"]) == (None, "provincial")
    for name in ("自然资源部", "市场监管总局"):
        (national,) = _bodies(registry, name)
        assert (national["city"], national["level"]) == (None, "national")


def test_natural_resources_bureau_of_liuzhou_is_one_body(registry):
    names = {"市自然资源局", "市自然资源和规划局", "市自然资源规划局", "市自然资源局和规划局"}
    holders = [row for row in registry if row["city"] == "柳州市" and names & {row["name"], *row["aliases"]}]
    assert len(holders) == 1
    assert names <= {holders[0]["name"], *holders[0]["aliases"]}


def test_no_name_is_an_etc_list_or_has_a_slip(registry):
    places = gazetteer()
    for row in registry:
        name = row["name"]
        assert "等" not in name, name
        assert not DOUBLED.search(name.removeprefix("市").replace("市场", "")), name  # 市市场监管局 is 市 + 市场…
        prefix = MISPLACED_PREFIX.match(name)
        assert not (prefix and places.at(name, prefix.end())), name


def test_every_body_has_a_level_and_the_fixtures_leave_none_unplaced(imported):
    assert {row["level"] for row in imported.rows} == {"national", "provincial", "city", "county", "other"}
    assert imported.unplaced == 0


def test_units_and_other_cities_bodies_are_kept_in_their_place(registry):
    assert _bodies(registry, "贺州学院", "贺州市")[0]["level"] == "other"
    assert _bodies(registry, "国家税务总局三亚市税务局", "三亚市")[0]["level"] == "city"
    assert _bodies(registry, "三亚供电局", "三亚市")[0]["level"] == "other"
    assert _bodies(registry, "广西电网公司", None)[0]["level"] == "other"


def test_the_command_lists_one_city(imported):
    rows = imported.liuzhou

    assert {row["city"] for row in rows} == {"柳州市"}
    assert set(rows[0]) == {"name", "city", "level", "aliases", "lead", "support", "review"}
    assert any(row["review"] for row in rows)  # 市市场监督局, 市人力资源保障局 … wait for an admin
