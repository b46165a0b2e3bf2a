"""Sort keys in pinyin order for the department registry (市财政局 files under c, not under 市)."""

from __future__ import annotations

from pypinyin import lazy_pinyin

from gazette.importer.departments import LEVEL_PREFIX

# Place sections of the registry, in order: cities (with their counties and units), provinces,
# the national bodies, then bodies whose place is not known.
CITY_SECTION, PROVINCE_SECTION, NATIONAL_SECTION, UNPLACED_SECTION = "1", "2", "3", "4"


def name_sort_key(name: str) -> str:
    """A name's pinyin without its level prefix: 市财政局 → cai zheng ju."""
    prefix = LEVEL_PREFIX.match(name)
    bare = name[prefix.end() :] if prefix and len(name) - prefix.end() >= 2 else name
    return " ".join(lazy_pinyin(bare))[:400]


def place_sort_key(*, province: str, city: str, unplaced: bool) -> str:
    """The registry section of a body and its place in pinyin order: 柳州市 → '1 liu zhou shi'."""
    if unplaced:
        return UNPLACED_SECTION
    if city:
        return f"{CITY_SECTION} {' '.join(lazy_pinyin(city))}"
    if province:
        return f"{PROVINCE_SECTION} {' '.join(lazy_pinyin(province))}"
    return NATIONAL_SECTION
