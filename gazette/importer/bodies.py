"""Government bodies: the level and place a name says, and which names are one body.

Reads one department name as `departments.split_departments` leaves it, with the place the
document speaks from (`Where`: 柳州市 for a 柳州 gazette, 三亚市 for a 三亚 notice in a
compilation), and writes a `Body`: its level (national, provincial, city, county or other),
its place (province, city, county), whether it names a group of bodies (各县（区）人民政府),
and the name the registry files it under. Then, between names of one place:

- `body_key` gives the same key to spellings of one body that differ only by 和/及, 规划,
  人民政府/政府, 委员会/委, 监督管理/监管 (市自然资源局, 市自然资源和规划局, 市自然资源规划局,
  市自然资源局和规划局), so they are merged without asking;
- `body_likeness` scores two names that may be one body with a typing slip (市发改改革委 and
  市发展改革委) for an admin to decide, and `former_name_of` knows the renamings of the 2018
  reform (市工商局 → 市市场监管局).

Pure Python, no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .departments import GENERIC, LEVEL_PREFIX, PROPER_START, parse_department, tidy_name
from .places import CITY, COUNTY, PROVINCE, Place, gazetteer

NATIONAL, PROVINCIAL, CITY_LEVEL, COUNTY_LEVEL, OTHER = "national", "provincial", "city", "county", "other"
LEVELS = (NATIONAL, PROVINCIAL, CITY_LEVEL, COUNTY_LEVEL, OTHER)

# The level a name's prefix says: 自治区自然资源厅, 省财政厅, 自治区党委组织部, 市商务局, 市委编办,
# 县财政局, 区委宣传部, 州民政局, 旗政府
PREFIX_LEVEL = {
    "自治区党委": PROVINCIAL,
    "自治区": PROVINCIAL,
    "省委": PROVINCIAL,
    "省": PROVINCIAL,
    "市委": CITY_LEVEL,
    "市": CITY_LEVEL,
    "州": CITY_LEVEL,
    "盟": CITY_LEVEL,
    "县委": COUNTY_LEVEL,
    "县": COUNTY_LEVEL,
    "区委": COUNTY_LEVEL,
    "区": COUNTY_LEVEL,
    "旗": COUNTY_LEVEL,
}
# 区 standing for 自治区 in a Guangxi city's plan: 区商务厅, 区直各有关部门 (a district has no 厅)
REGION_SHORTHAND = re.compile(r"^区(?:.*厅$|直)")

# National bodies: the State Council and ministries, the central bank and regulators, a
# ministry written bare in a region's list: 国务院办公厅, 国家税务总局, 自然资源部, 市场监管总局,
# 海关总署, 中国银保监会, 中共中央宣传部
NATIONAL_NAME = re.compile(
    r"^(?:国务院|中共中央|中央(?!商务)|全国|国家|中国(?:人民银行|银保监会|证监会|银行保险监督管理委员会)|人民银行$|海关总署)"
    r"|(?:部|总局|总署|银保监会|证监会)$"
)
# Units that are not government bodies, whatever their place: universities, schools, companies,
# centres, development-zone committees (not 市场监管委), associations, banks, utilities: 北部湾大学, 贺州学院,
# 广西电网公司, 市住房公积金中心, 新区管委会, 育才生态区管理委员会, 省个体私营企业协会,
# 三亚供电局, 广州期货交易所, 海南国际仲裁院三亚分院, 省农信联社
OTHER_KIND = re.compile(
    r"(?:大学|学院|学校|中学|小学|医院|公司|集团|中心|管理委员会|协会|商会|学会|研究院|研究所|交易所|报社"
    r"|电视台|出版社|合作社|联社|基金会|供电局|仲裁院|分院|银行|分行|支行)$|(?<!监)管委会?$"
)
# The central bank's branches and the state's vertical bodies are government, not banks or
# companies: 人民银行柳州市中心支行, 中国人民银行广州分行, 国家外汇管理局柳州市中心支局
GOVERNMENT_BRANCH = re.compile(r"^(?:中国)?人民银行|^国家外汇管理局")

# Spellings of one body that differ by words only (the key drops or shortens them):
# 市自然资源和规划局 / 市自然资源局和规划局 / 市自然资源规划局 / 市自然资源局; 深圳市人民政府 / 深圳市政府;
# 自治区高级人民法院 / 自治区高级法院; 中国人民银行三亚市中心支行 / 人民银行三亚市中心支行;
# 市卫生健康委员会 / 市卫生健康委; 市食品药品监督管理局 / 市食品药品监管局
KEY_WORDS = (
    (re.compile(r"和|及|与|以及"), ""),
    (re.compile(r"人民(?=政府|法院|检察院)"), ""),
    (re.compile(r"委员会$"), "委"),
    (re.compile(r"^中国(?=人民银行)"), ""),
)
KEY_SHORTENINGS = ((re.compile(r"监督管理"), "监管"), (re.compile(r"办公室$"), "办"))
# 规划 written into a name (自然资源规划局, 住房城乡规划建设厅) or as its own bureau joined on
# (自然资源局和规划局 → 自然资源局局 once 和 and 规划 are gone: the doubled ending is one)
PLANNING = re.compile(r"规划")
DOUBLED_ENDING = re.compile(r"([局厅委办])\1$")

# Endings written for one another: a 厅 called 局, a 委 called 局 (自治区公安局 for 自治区公安厅)
SWAPPED_ENDINGS = frozenset("局厅委办")

# Renamings of the 2018 reform of government bodies: a former name's bare part → its successor's,
# with the note an admin sees. 市工商局 → 市市场监管局, 市国土资源局 → 市自然资源局
FORMER_NAMES: dict[str, tuple[str, str]] = {
    "工商局": ("市场监管局", "2018年机构改革：工商局并入市场监管局"),
    "工商行政管理局": ("市场监管局", "2018年机构改革：工商局并入市场监管局"),
    "质监局": ("市场监管局", "2018年机构改革：质监局并入市场监管局"),
    "质量技术监督局": ("市场监管局", "2018年机构改革：质监局并入市场监管局"),
    "食品药品监管局": ("市场监管局", "2018年机构改革：食药监局并入市场监管局"),
    "国土资源局": ("自然资源局", "2018年机构改革：国土资源局改为自然资源局"),
    "国土资源厅": ("自然资源厅", "2018年机构改革：国土资源厅改为自然资源厅"),
    "规划局": ("自然资源局", "2018年机构改革：规划局并入自然资源局"),
    "环保局": ("生态环境局", "2018年机构改革：环保局改为生态环境局"),
    "环境保护局": ("生态环境局", "2018年机构改革：环保局改为生态环境局"),
    "环境保护厅": ("生态环境厅", "2018年机构改革：环保厅改为生态环境厅"),
    "农业局": ("农业农村局", "2018年机构改革：农业局改为农业农村局"),
    "农业厅": ("农业农村厅", "2018年机构改革：农业厅改为农业农村厅"),
    "卫生计生委": ("卫生健康委", "2018年机构改革：卫生计生委改为卫生健康委"),
    "卫生和计划生育委员会": ("卫生健康委", "2018年机构改革：卫生计生委改为卫生健康委"),
    "安全监管局": ("应急管理局", "2018年机构改革：安监局并入应急管理局"),
    "安全生产监督管理局": ("应急管理局", "2018年机构改革：安监局并入应急管理局"),
    "工信委": ("工业和信息化局", "2018年机构改革：工信委改为工业和信息化局"),
}


@dataclass(frozen=True)
class Where:
    """The place a document speaks from: its bare 市X局 is a body of `city`, 自治区X厅 of `province`."""

    province: str = ""
    city: str = ""
    county: str = ""

    @classmethod
    def of(cls, place: Place | None) -> Where:
        if place is None:
            return cls()
        return cls(place.province, place.city, place.county)


@dataclass(frozen=True)
class Body:
    """A body as the registry files it: name, level, place, and the other names it was written as."""

    name: str
    level: str
    province: str = ""
    city: str = ""
    county: str = ""
    group: bool = False
    written: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def unplaced(self) -> bool:
        """True if the body's place is not known: a city's body read where no city is (市X局 in a
        province's notice), a province's where no province is, a unit named nowhere."""
        return body_unplaced(level=self.level, province=self.province, city=self.city, group=self.group)


def body_unplaced(*, level: str, province: str, city: str, group: bool) -> bool:
    """True if a body of this level lacks the place it needs (groups and national bodies need none)."""
    if group or level == NATIONAL:
        return False
    if level in (CITY_LEVEL, COUNTY_LEVEL):
        return not city
    if level == PROVINCIAL:
        return not province
    return not (province or city)


def where_from(*, issuer: str = "", city: str = "", region: str = "") -> Where:
    """The place a document speaks from: its issuer's (三亚市人民政府办公室), else its gazette's city,
    else its compilation region (广东)."""
    for text in (issuer, city):
        mentions = gazetteer().mentions(text or "")
        if mentions:
            return Where.of(mentions[-1].place())
    places = gazetteer().places(region) if region else []
    return Where(places[0].province) if places else Where()


def body_read(name: str, where: Where) -> Body:
    """The body a department name stands for, read in the place its document speaks from."""
    parsed = parse_department(name)
    main = tidy_name(parsed.name)
    written = (main,) if main != parsed.name else ()
    group = bool(GENERIC.search(main))
    place, place_start, place_written = _named_place(main, where)
    prefix = LEVEL_PREFIX.match(main)
    if place is not None:
        level = {PROVINCE: PROVINCIAL, CITY: CITY_LEVEL, COUNTY: COUNTY_LEVEL}[place.kind]
        province, city, county = place.province, place.city, place.county
        display = main if OTHER_KIND.search(main) else _own_prefix_name(main, place, place_start, place_written)
        if display != main:
            written += (main,)
            main = display
    elif prefix:
        level, province, city, county = _prefix_place(main, prefix.group(), where)
    elif group:
        level, province, city, county = _group_place(main, where)
    elif NATIONAL_NAME.search(main) and not OTHER_KIND.search(main):
        level, province, city, county = NATIONAL, "", "", ""
    else:
        # A bare name in a city's plan (中央商务区管理局, 崖州湾科技城管理局) is the city's.
        level = CITY_LEVEL if where.city else PROVINCIAL if where.province else OTHER
        province, city, county = where.province, where.city, ""
    if OTHER_KIND.search(main) and not GOVERNMENT_BRANCH.match(main) and not group:
        level = OTHER
    aliases = tuple(tidy_name(alias) for alias in parsed.aliases)
    return Body(main, level, province, city, county, group, tuple(dict.fromkeys(written)), aliases)


def _named_place(name: str, where: Where) -> tuple[Place | None, int, str]:
    """The most specific place a name mentions (the last: 梧州海关贺州工作组 → 贺州), where and as what.

    A city inside a province it names (海南国际仲裁院三亚分院) is the city.
    """
    mentions = gazetteer().mentions(name)
    if not mentions:
        return None, -1, ""
    mention = mentions[-1]
    return mention.place(where.province, where.city), mention.start, mention.written


def _own_prefix_name(name: str, place: Place, start: int, written: str) -> str:
    """柳州市市场监管局 → 市市场监管局, 广东省财政厅 → 省财政厅: a city's or province's full name
    before a bare department is written as its level prefix, the way its own gazette does."""
    if start != 0 or written != place.name or place.kind == COUNTY:
        return name
    rest = name[len(written) :]
    if len(rest) < 2 or LEVEL_PREFIX.match(rest) or PROPER_START.match(rest) or gazetteer().mentions(rest):
        return name
    if place.kind == CITY:
        return "市" + rest
    return ("自治区" if place.province.endswith("自治区") else "省") + rest


def _prefix_place(name: str, prefix: str, where: Where) -> tuple[str, str, str, str]:
    """Level and place of a name with a level prefix, given the place its document speaks from."""
    if REGION_SHORTHAND.match(name):
        return PROVINCIAL, where.province, "", ""
    level = PREFIX_LEVEL.get(prefix, CITY_LEVEL)
    if level == PROVINCIAL:
        return level, where.province, "", ""
    if level == CITY_LEVEL:
        return level, where.province, where.city, ""
    return level, where.province, where.city, where.county


def _group_place(name: str, where: Where) -> tuple[str, str, str, str]:
    """Level and place of a group: 各县（区）人民政府 are the city's counties, 各市人民政府 the province's cities."""
    if re.match(r"^各(?:[县区]|乡镇)", name):
        return COUNTY_LEVEL, where.province, where.city, ""
    if re.match(r"^各(?:市|设区市|地级)", name):
        return CITY_LEVEL, where.province, "", ""
    level = CITY_LEVEL if where.city else PROVINCIAL if where.province else OTHER
    return level, where.province, where.city, ""


def body_key(name: str) -> str:
    """The name with the words that spell one body differently taken out (see KEY_WORDS)."""
    key = name
    for pattern, replacement in KEY_WORDS + KEY_SHORTENINGS:
        key = pattern.sub(replacement, key)
    prefix = LEVEL_PREFIX.match(key)
    head = prefix.end() if prefix else 0
    without_planning = key[:head] + PLANNING.sub("", key[head:])
    # 市规划局 is a body of its own, not 市局
    if len(without_planning) - head >= 3:
        key = without_planning
    return DOUBLED_ENDING.sub(r"\1", key)


def body_bare_key(name: str) -> str:
    """body_key without the level prefix: within one place and level, 市现代服务业产业园管理委员会 and
    现代服务业产业园管理委员会 are one body."""
    key = body_key(name)
    prefix = LEVEL_PREFIX.match(key)
    return key[prefix.end() :] if prefix and len(key) - prefix.end() >= 2 else key


def body_likeness(name: str, other: str) -> float:
    """How likely two names of one place and level are one body misspelt, 0 to 1 (0: not alike).

    Alike when they share their level prefix, begin alike and share at least three characters at
    the two ends, and differ by few edits for their length: 市发改改革委 ~ 市发展改革委,
    市人力资源保障局 ~ 市人力资源社会保障局, 自治区住房城乡建设局 ~ 自治区住房城乡建设厅;
    市公安局 ~ 市公安厅; not 市财政局 ~ 市民政局, 市水利局 ~ 市水务局, 市工商局 ~ 市工商联,
    三亚交通投资集团有限公司 ~ 三亚科技投资集团有限公司.
    """
    prefix, other_prefix = LEVEL_PREFIX.match(name), LEVEL_PREFIX.match(other)
    if (prefix and prefix.group()) != (other_prefix and other_prefix.group()):
        return 0.0
    start = prefix.end() if prefix else 0
    a, b = body_key(name)[start:], body_key(other)[start:]
    if a == b:
        return 1.0
    head = _common_head(a, b)
    tail = _common_head(a[head:][::-1], b[head:][::-1])
    longest = max(len(a), len(b))
    if len(a) == len(b) and head == longest - 1 and {a[-1], b[-1]} <= SWAPPED_ENDINGS:
        return 0.9  # 自治区公安局 for 自治区公安厅
    if head < 1 or head + tail < 3 or (longest <= 3 and tail < 1):
        return 0.0
    distance = _edit_distance(a, b)
    # Typing slips change one character; two words that differ (三亚交通… / 三亚科技…) are two bodies.
    if distance > max(1, longest // 4) or (len(a) == len(b) and distance > 1):
        return 0.0
    return round(1 - distance / longest, 3)


def former_name_of(name: str, other: str) -> str:
    """The renaming note if `name` is a former name of `other` (市工商局 of 市市场监管局), else ''."""
    prefix, other_prefix = LEVEL_PREFIX.match(name), LEVEL_PREFIX.match(other)
    if not prefix or not other_prefix or prefix.group() != other_prefix.group():
        return ""
    successor = FORMER_NAMES.get(name[prefix.end() :])
    if successor and body_key(other[other_prefix.end() :]) == body_key(successor[0]):
        return successor[1]
    return ""


def _common_head(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: insertions, deletions and substitutions of one character."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]
