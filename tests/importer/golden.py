"""Shared golden-file check: compare rendered output with `<case>.expected.json`, or rewrite it.

Regenerate (after checking the new output by eye) with GONGBAO_REGEN_GOLDEN=1.
"""

import os
from pathlib import Path

REGENERATE = os.environ.get("GONGBAO_REGEN_GOLDEN") == "1"


def assert_matches_golden(actual: str, expected_path: Path) -> None:
    """Assert actual equals the golden file's text; with GONGBAO_REGEN_GOLDEN=1 write it first."""
    if REGENERATE:
        expected_path.write_text(actual, encoding="utf-8")
    assert expected_path.exists(), f"no golden file {expected_path.name}; run with GONGBAO_REGEN_GOLDEN=1"
    assert actual == expected_path.read_text(encoding="utf-8")
