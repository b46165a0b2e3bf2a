"""Golden-file tests: every case in data/ and every real gazette in fixtures/ parses as recorded.

Regenerate the expected JSON (after checking the new output by eye) with
    GONGBAO_REGEN_GOLDEN=1 python -m pytest tests/importer/test_golden.py
"""

import json
from pathlib import Path

import pytest

from gazette.importer import parse_gazette
from tests.importer.golden import assert_matches_golden

DATA = Path(__file__).resolve().parent / "data"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CASES = sorted(DATA.glob("*.txt")) + sorted(FIXTURES.glob("*.txt"))


def render(path: Path) -> str:
    issue = parse_gazette(path.read_text(encoding="utf-8"))
    return json.dumps(issue.to_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_parse_matches_golden_file(path):
    assert_matches_golden(render(path), DATA / f"{path.stem}.expected.json")
