"""Word's automatic numbering (编号): the label Word shows before a numbered paragraph.

Read from word/numbering.xml and word/styles.xml of a .docx (their XML roots, as
gazette.importer.docx hands them over) and counted in reading order as Word counts:
numId → abstractNum with lvlOverride/startOverride, numbering from a paragraph style or the
style it is based on (numId 0 takes it off), numStyleLink, lvlText with %1…%9, isLgl,
lvlRestart and suff; the instances of one list share its counters, and a level restarts the
levels below it. Formats: chineseCounting (十一, 二十一, 一百零一), 甲乙丙, 壹贰叁, letters,
Roman, ①, full width; bullets and `none` add nothing. Pure Python, no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# The WordprocessingML and markup-compatibility namespaces (gazette.importer.docx uses them too).
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
MC_FALLBACK = f"{MC}Fallback"

# A level's place in its w:lvlText, replaced by that level's number: "%1、" → 一、, "（%2）" → （一）,
# "%1.%2" → 1.2.
LEVEL_PLACEHOLDER = re.compile(r"%([1-9])")
# Word numbers nine levels, w:ilvl 0 to 8.
LEVELS = 9
# What Word puts between a label and the paragraph's text (w:suff); a tab is shown as one space.
SUFFIXES = {"tab": " ", "space": " ", "nothing": ""}


@dataclass(frozen=True)
class ListLevel:
    """One level of a Word list (w:lvl): where its number starts, how it is written, when it restarts."""

    start: int = 0
    # w:numFmt: decimal, chineseCounting, upperLetter, bullet, none…
    format: str = "decimal"
    # w:lvlText: the label with %1…%9 standing for the levels' numbers; None when the level has none.
    text: str | None = None
    # w:lvlRestart: the level (1-based) at or above which a use restarts this one; 0 never; None any above.
    restart: int | None = None
    # w:isLgl: every number in the label written in Arabic digits.
    legal: bool = False
    # w:suff: tab, space or nothing between the label and the text.
    suffix: str = "tab"
    # w:pStyle: the paragraph style numbered at this level.
    style: str | None = None


@dataclass
class ListDefinitions:
    """What word/numbering.xml and word/styles.xml say about a document's lists."""

    # w:abstractNum: its levels by w:ilvl.
    abstract_levels: dict[str, dict[int, ListLevel]] = field(default_factory=dict)
    # w:num: the abstract numbering each list instance (numId) uses.
    num_abstract: dict[str, str] = field(default_factory=dict)
    # w:num/w:lvlOverride/w:lvl: levels a list instance defines anew.
    num_levels: dict[str, dict[int, ListLevel]] = field(default_factory=dict)
    # w:num/w:lvlOverride/w:startOverride: where a list instance restarts a level.
    start_overrides: dict[str, dict[int, int]] = field(default_factory=dict)
    # Paragraph styles (and their basedOn ancestors) that number: style id → (numId, ilvl).
    style_numbering: dict[str, tuple[str | None, int | None]] = field(default_factory=dict)
    # The style of a paragraph that names none.
    default_style: str | None = None

    def levels(self, num_id: str) -> dict[int, ListLevel]:
        """The levels of a list instance: its abstract numbering's, with its own overrides."""
        return {**self.abstract_levels.get(self.num_abstract.get(num_id, ""), {}), **self.num_levels.get(num_id, {})}


def list_definitions(numbering_root, styles_root) -> ListDefinitions:
    """The lists of a document from the roots of its numbering and styles parts (either may be None)."""
    definitions = ListDefinitions()
    if styles_root is not None:
        definitions.style_numbering, definitions.default_style = style_numbering(styles_root)
    if numbering_root is None:
        return definitions
    style_links: dict[str, str] = {}
    for abstract in numbering_root.iterchildren(f"{W}abstractNum"):
        abstract_id = abstract.get(f"{W}abstractNumId")
        definitions.abstract_levels[abstract_id] = {
            level_index(lvl): list_level(lvl) for lvl in abstract.iterchildren(f"{W}lvl")
        }
        link = attribute(abstract, "numStyleLink")
        if link:
            style_links[abstract_id] = link
    for num in numbering_root.iterchildren(f"{W}num"):
        num_id = num.get(f"{W}numId")
        definitions.num_abstract[num_id] = attribute(num, "abstractNumId") or ""
        for override in num.iterchildren(f"{W}lvlOverride"):
            ilvl = level_index(override)
            start = attribute(override, "startOverride")
            if start and start.lstrip("-").isdigit():
                definitions.start_overrides.setdefault(num_id, {})[ilvl] = int(start)
            lvl = override.find(f"{W}lvl")
            if lvl is not None:
                definitions.num_levels.setdefault(num_id, {})[ilvl] = list_level(lvl)
    follow_style_links(definitions, style_links)
    return definitions


def follow_style_links(definitions: ListDefinitions, style_links: dict[str, str]) -> None:
    """Point lists whose abstract numbering only names a numbering style (w:numStyleLink) at that style's list."""
    for num_id, abstract_id in definitions.num_abstract.items():
        style = style_links.get(abstract_id)
        target_num = definitions.style_numbering.get(style, (None, None))[0] if style else None
        target = definitions.num_abstract.get(target_num or "")
        if target and target not in style_links:
            definitions.num_abstract[num_id] = target


def style_numbering(styles_root) -> tuple[dict[str, tuple[str | None, int | None]], str | None]:
    """(style id → (numId, ilvl) each from the style or the nearest style it is based on, default paragraph style)."""
    own: dict[str, tuple[str | None, int | None]] = {}
    based_on: dict[str, str] = {}
    default = None
    for style in styles_root.iterchildren(f"{W}style"):
        style_id = style.get(f"{W}styleId")
        if style.get(f"{W}type", "paragraph") == "paragraph" and style.get(f"{W}default") in ("1", "true", "on"):
            default = style_id
        parent = attribute(style, "basedOn")
        if parent:
            based_on[style_id] = parent
        num_pr = style.find(f"{W}pPr/{W}numPr")
        if num_pr is not None:
            own[style_id] = (attribute(num_pr, "numId"), optional_int(attribute(num_pr, "ilvl")))
    inherited: dict[str, tuple[str | None, int | None]] = {}
    for style_id in set(own) | set(based_on):
        num_id, ilvl, seen, current = None, None, set(), style_id
        while current and current not in seen:
            seen.add(current)
            own_num, own_ilvl = own.get(current, (None, None))
            num_id = num_id if num_id is not None else own_num
            ilvl = ilvl if ilvl is not None else own_ilvl
            current = based_on.get(current)
        if num_id is not None or ilvl is not None:
            inherited[style_id] = (num_id, ilvl)
    return inherited, default


def list_level(lvl) -> ListLevel:
    """A w:lvl element read as a ListLevel (Word's defaults where it says nothing)."""
    number_format = lvl.find(f"{W}numFmt")
    if number_format is None:
        # Word 2010's custom formats keep a plain one for older readers in the fallback.
        number_format = lvl.find(f"{MC}AlternateContent/{MC_FALLBACK}/{W}numFmt")
    text = lvl.find(f"{W}lvlText")
    legal = lvl.find(f"{W}isLgl")
    return ListLevel(
        # Word counts from 0 when a level names no start.
        start=optional_int(attribute(lvl, "start")) or 0,
        format=number_format.get(f"{W}val", "decimal") if number_format is not None else "decimal",
        text=text.get(f"{W}val", "") if text is not None else None,
        restart=optional_int(attribute(lvl, "lvlRestart")),
        legal=legal is not None and legal.get(f"{W}val", "1") not in ("0", "false", "off"),
        suffix=attribute(lvl, "suff") or "tab",
        style=attribute(lvl, "pStyle"),
    )


def level_index(element) -> int:
    """The w:ilvl attribute of a w:lvl or w:lvlOverride, 0 when it is missing or out of range."""
    value = optional_int(element.get(f"{W}ilvl"))
    return value if value is not None and 0 <= value < LEVELS else 0


def attribute(element, child: str) -> str | None:
    """The w:val of element's child w:<child>, or None."""
    found = element.find(f"{W}{child}")
    return found.get(f"{W}val") if found is not None else None


def optional_int(value: str | None) -> int | None:
    return int(value) if value and value.lstrip("-").isdigit() else None


class Numbering:
    """Word's automatic numbering of one document, counted paragraph by paragraph in body order.

    Counters belong to an abstract numbering, so list instances (numIds) sharing one continue
    each other's count; an instance's w:startOverride restarts a level the first time the
    instance uses it. Using a level restarts the levels below it (w:lvlRestart can say otherwise).
    """

    def __init__(self, definitions: ListDefinitions):
        self.definitions = definitions
        self.counters: dict[str, list[int | None]] = {}
        self.overridden: set[tuple[str, int]] = set()

    def label(self, paragraph) -> str:
        """The label Word shows before a paragraph with its separator ("一、", "（一）", "1. "), or ""."""
        numbered = paragraph_list(paragraph, self.definitions)
        if numbered is None:
            return ""
        num_id, ilvl = numbered
        levels = self.definitions.levels(num_id)
        if ilvl not in levels:
            return ""
        counts = self.count(num_id, ilvl, levels)
        label = level_label(levels, ilvl, counts)
        return label + SUFFIXES.get(levels[ilvl].suffix, " ") if label else ""

    def count(self, num_id: str, ilvl: int, levels: dict[int, ListLevel]) -> list[int | None]:
        """Count one paragraph at level ilvl of list num_id; the list's counters after it."""
        counts = self.counters.setdefault(self.definitions.num_abstract[num_id], [None] * LEVELS)
        override = self.definitions.start_overrides.get(num_id, {}).get(ilvl)
        if override is not None and (num_id, ilvl) not in self.overridden:
            self.overridden.add((num_id, ilvl))
            counts[ilvl] = override
        elif counts[ilvl] is None:
            counts[ilvl] = levels[ilvl].start
        else:
            counts[ilvl] += 1
        for deeper in range(ilvl + 1, LEVELS):
            restart = levels[deeper].restart if deeper in levels else None
            # w:lvlRestart is 1-based: "1" restarts this level after each use of the first level.
            if ilvl < (deeper if restart is None else restart):
                counts[deeper] = None
        return counts


def paragraph_list(paragraph, definitions: ListDefinitions) -> tuple[str, int] | None:
    """(numId, ilvl) of a numbered paragraph, from its own w:numPr or its style's; None when unnumbered.

    numId 0 is Word's way of taking a style's numbering off one paragraph.
    """
    num_pr = paragraph.find(f"{W}pPr/{W}numPr")
    num_id = attribute(num_pr, "numId") if num_pr is not None else None
    ilvl = optional_int(attribute(num_pr, "ilvl")) if num_pr is not None else None
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    style_id = style.get(f"{W}val") if style is not None else definitions.default_style
    style_num, style_ilvl = definitions.style_numbering.get(style_id, (None, None))
    if num_id is None:
        num_id = style_num
    if num_id is None or num_id == "0" or num_id not in definitions.num_abstract:
        return None
    if ilvl is None:
        ilvl = style_ilvl
    if ilvl is None:
        # A style numbered without a level is the level that names it (w:lvl/w:pStyle).
        levels = definitions.levels(num_id)
        ilvl = next((index for index, level in sorted(levels.items()) if level.style == style_id), 0)
    return num_id, (ilvl if 0 <= ilvl < LEVELS else 0)


def level_label(levels: dict[int, ListLevel], ilvl: int, counts: list[int | None]) -> str:
    """The label of level ilvl: its w:lvlText with each %n the number of level n; "" for a bullet.

    A level above that has not been counted since it last restarted shows 0, as in Word's "1.0.1".
    """
    level = levels[ilvl]
    if level.format == "bullet" or not level.text:
        return ""

    def number(match: re.Match[str]) -> str:
        shown = int(match.group(1)) - 1
        shown_format = levels[shown].format if shown in levels else "decimal"
        if level.legal and shown_format not in ("none", "bullet"):
            shown_format = "decimal"
        value = counts[shown]
        return format_number(value if value is not None else 0, shown_format)

    return LEVEL_PLACEHOLDER.sub(number, level.text)


def format_number(value: int, number_format: str) -> str:
    """value written in a w:numFmt: 3 → "3", "三", "丙", "C", "iii", "③", "３"; "" for none or bullet."""
    if number_format in ("none", "bullet"):
        return ""
    if value < 0:
        return str(value)
    if number_format in CHINESE_COUNTING_FORMATS:
        return chinese_counting(value)
    if number_format in ("chineseLegalSimplified", "ideographLegalTraditional"):
        return chinese_counting(value, digits=LEGAL_DIGITS, units=LEGAL_UNITS, bare_ten=False)
    if number_format in ("ideographDigital", "japaneseDigitalTenThousand"):
        return "".join(CHINESE_DIGITS[int(digit)] for digit in str(value))
    if number_format in CYCLES:
        cycle = CYCLES[number_format]
        return cycle[(value - 1) % len(cycle)] if value else str(value)
    if number_format in ENCLOSED:
        first, last = ENCLOSED[number_format]
        return chr(first + value - 1) if 1 <= value <= last else str(value)
    if number_format in ("upperLetter", "lowerLetter"):
        return letter_number(value, upper=number_format == "upperLetter")
    if number_format in ("upperRoman", "lowerRoman"):
        roman = roman_number(value)
        return roman if number_format == "upperRoman" else roman.lower()
    if number_format in ("decimalFullWidth", "decimalFullWidth2"):
        return str(value).translate(FULL_WIDTH_DIGITS)
    if number_format == "decimalZero":
        return f"{value:02d}"
    return str(value)


# Formats Word writes as 一 二 … 十 十一 … 二十 二十一 … 一百 一百零一.
CHINESE_COUNTING_FORMATS = {
    "chineseCounting",
    "chineseCountingThousand",
    "japaneseCounting",
    "taiwaneseCounting",
    "taiwaneseCountingThousand",
}
CHINESE_DIGITS = "〇一二三四五六七八九"
CHINESE_UNITS = "十百千万"
# 大写数字, as written on cheques and in chineseLegalSimplified lists: 壹 贰 … 壹拾.
LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
LEGAL_UNITS = "拾佰仟万"
# Formats that run through a fixed series and begin again: 甲 乙 丙 … 癸, 子 丑 寅 … 亥.
CYCLES = {
    "ideographTraditional": "甲乙丙丁戊己庚辛壬癸",
    "ideographZodiac": "子丑寅卯辰巳午未申酉戌亥",
}
# Formats with a character of their own for 1 to 20 (① ⑴ ⒈) or 1 to 10 (㈠ ㊀): first code point, last number.
ENCLOSED = {
    "decimalEnclosedCircle": (0x2460, 20),
    "decimalEnclosedCircleChinese": (0x2460, 20),
    "decimalEnclosedParen": (0x2474, 20),
    "decimalEnclosedFullstop": (0x2488, 20),
    "ideographEnclosedCircle": (0x3280, 10),
    "ideographParenthesis": (0x3220, 10),
}
FULL_WIDTH_DIGITS = {ord("0") + digit: 0xFF10 + digit for digit in range(10)}
ROMAN_VALUES = [
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
]  # fmt: skip


def chinese_counting(
    value: int, *, digits: str = CHINESE_DIGITS, units: str = CHINESE_UNITS, bare_ten: bool = True
) -> str:
    """value in Chinese numerals: 一 … 十, 十一 … 二十, 二十一 … 一百, 一百零一, 一千零一十.

    Past 99999 the digits are written one by one. With bare_ten (the counting formats) 10 to 19
    open with 十, not 一十.
    """
    if value < 10:
        return digits[value]
    if value >= 100000:
        return "".join(digits[int(digit)] for digit in str(value))
    parts: list[str] = []
    gap = False
    written = str(value)
    for index, digit in enumerate(written):
        place = len(written) - 1 - index
        if digit == "0":
            gap = True
            continue
        if gap:
            parts.append("零")  # 一百零一: one 零 for a run of zeros inside the number
            gap = False
        parts.append(digits[int(digit)] + (units[place - 1] if place else ""))
    text = "".join(parts)
    if bare_ten and 10 <= value < 20:
        text = text[1:]
    return text


def letter_number(value: int, *, upper: bool) -> str:
    """A … Z, then AA … ZZ, AAA…, as Word letters a list; "" for 0."""
    if value < 1:
        return ""
    letter = chr((ord("A") if upper else ord("a")) + (value - 1) % 26)
    return letter * ((value - 1) // 26 + 1)


def roman_number(value: int) -> str:
    """value in Roman numerals (I, IV, XII); "" for 0."""
    parts: list[str] = []
    for amount, numeral in ROMAN_VALUES:
        count, value = divmod(value, amount)
        parts.append(numeral * count)
    return "".join(parts)
