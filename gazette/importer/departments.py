"""Department names: split a responsibility list into normalised names.

Reads the text of a 牵头单位/配合单位 table cell or an assignment bracket
(市公安局、人力资源社会保障局，各县（区）人民政府) and writes a list of names that stand on
their own: the level prefix of the list is given to bare names (人力资源社会保障局 →
市人力资源社会保障局), a shared suffix is distributed (灵山县、浦北县人民政府 → 灵山县人民政府,
浦北县人民政府), personal names after a department are dropped, and half-width brackets
become full-width. A parenthesised alias stays in the string (市发展改革委（粮食和储备局）);
`parse_department` separates it. Known abbreviations are mapped by `canonical_name` with an
alias table the caller keeps (per city, in the database); `DEFAULT_ALIASES` seeds it.

Pure Python, no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .places import gazetteer
from .text import CJK, normalise_line

# Characters that separate names at the top level of a list (not inside brackets or quotes):
# 市公安局、商务局，各县（区）人民政府；市财政局
SEPARATORS = "、，,;；"
OPEN_BRACKETS = "（“‘《"
CLOSE_BRACKETS = "）”’》"

# The end of an organisation's name: 市公安局, 市发展改革委, 市政府办, 自治区公安厅, 贺州学院,
# 各县（区）人民政府, 市住房公积金中心, 梧州海关贺州工作组, 人民银行贺州中心支行, 市工商联, 广西电网公司,
# 北部湾大学
ORG_SUFFIX = re.compile(
    r"(?:局|委|办|厅|院|会|府|司|部|中心|室|所|队|站|社|行|处|组|团|联|关|馆|校|台|署|庭|大学|公司|集团|机构|单位|部门)$"
)
# Any character an organisation's name ends with; a personal name contains none of them.
ORG_SUFFIX_CHARS = "局委办厅院会府司部心室所队站社行处组团联关馆校台署庭学构位门"

# Level prefix a bare name in the same list inherits: 自治区公安厅, 市公安局, 县财政局, 区商务局,
# 市委编办 (party bodies: 市委编办、组织部 → 市委组织部). 市场监管局 / 市容… / 区域… are not prefixed.
LEVEL_PREFIX = re.compile(r"^(?:自治区党委|自治区|省委|省|市委|市(?!场|容)|县委|县|区委|区(?!域)|州|旗|盟)")
# National bodies listed among a region's own, which never take its prefix:
# 自治区财政厅、…、市场监管总局、住房城乡建设部、自然资源部、水利部
NATIONAL = re.compile(r"(?:总局|部)$")
# Government prefix a party prefix stands for when the next bare name is not a party body.
GOVERNMENT_PREFIX = {"自治区党委": "自治区", "省委": "省", "市委": "市", "县委": "县", "区委": "区"}
# Party bodies that take the party prefix: 市委编办(绩效办)、组织部 → 市委组织部
PARTY_BODY = re.compile(r"(?:部|编办|政法委|网信办|台办|党校|政研室|直属机关工委)$")

# A place word inside a name means the name already says where it belongs:
# 人民银行柳州市中心支行, 柳州税务局, 贺州学院, 新区管委会, 梧州海关贺州工作组
PLACE_MARK = re.compile(r"[市县区州省旗盟]")
# Ordinary words with a place character that are part of a department's function:
# 城市管理行政执法局, 市场监管局, 住房城乡建设局, 市政公用局, 社区…, 园区…, 跨区域… (not the 市 of 深圳市政府)
COMMON_PLACE_WORDS = re.compile(
    r"城市|市场|市政(?!府)|湾区|市容|城乡|社区|地区|园区|小区|街区|景区|区域|县域|省级|市级|县级|区级"
)
# Bodies that never take the list's prefix: national bodies and their branches. A body named
# after its own place (广西税务局, 南宁海关, 三亚供电局) is found by the gazetteer instead.
# 人民银行南宁中心支行, 中国铁路南宁局集团有限公司, 国家外汇管理局柳州市中心支局, 海关总署广东分署
PROPER_START = re.compile(r"^(?:中国|中共中央|中央(?!商务)|国家|全国|国务院|人民银行|国网|南方电网|海关总署)")
PROPER_END = re.compile(r"(?:海关|学院|大学|公司|集团|银行|支行|分行)$")
# Descriptions of a group of bodies rather than one body: 各县（区）人民政府, 市直各有关部门,
# 涉及政务服务有关部门, 有行政处罚权的部门, 自治区减轻企业负担联席会议成员单位
GENERIC = re.compile(r"^各|^涉及|有关|相关|其他|成员单位|的")

# A list's closing words that are not a name: …邮政管理局等部门, …省市场监管局等按职责分工负责, …扶贫办等
TRAILING_NOISE = re.compile(r"(?:等(?:有关|相关|其他)?(?:部门|单位)?)?(?:按(?:照)?职责(?:分工)?(?:负责|落实)?)?[。.]*$")

# Suffix shared by a run of places: 灵山县、浦北县人民政府; 南宁、柳州、北海、钦州、防城港、崇左市人民政府;
# 各市、县（市、区）人民政府
SHARED_SUFFIX = re.compile(
    r"(?P<mark>[市县区州旗]|（[市县区、]+）)?(?P<suffix>人民政府|政府|管委会|管委|党委|人民法院|人民检察院)$"
)
# A place without its body, waiting for the shared suffix: 灵山县, 南宁, 防城港, 各市
PLACE_STUB = re.compile(rf"^各?[{CJK}]{{1,6}}$")

# One generic body whose levels are listed with 、: "各县、区人民政府", "各市、县、区人民政府" —
# kept whole (it is not 各县人民政府 plus 各区人民政府); the 、 inside is protected while splitting.
GENERIC_LEVEL_LIST = re.compile(r"各[市县区](?:、[市县区])+(?:人民政府|政府)")
# A placeholder for the 、 inside such a body while the list is split (a private-use character).
LEVEL_LIST_MARK = "\ue000"

# A piece after a line break that continues the name before it: 人民银行柳州市中心\n支行
CONTINUATION = re.compile(r"^(?:支行|分行|支局|分局|支队|大队|中队|员会|公室)")

# Common surnames, for a personal name written after a department: 市发展改革委 黄登成.
# Left out: characters that begin department words (公安, 文化, 商务, 农业, 水利, 金融, 司法).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤蒙庞甘欧滕岑植凌"
)
# A department with a personal name run into it once spaces are gone: 市发展改革委黄登成
PERSON_TAIL = re.compile(rf"^(?P<department>.{{3,}}?[{ORG_SUFFIX_CHARS}])(?P<person>[{SURNAMES}][{CJK}]{{1,2}})$")
# A personal name standing alone after a department: "市发展改革委 黄登成" → 黄登成
PERSON_TOKEN = re.compile(rf"^[{CJK}]{{2,4}}$")

# A bracket after a department that names a person, not an alias:
# 市发展改革委（张三，主任）, 市城市管理局（联系人：王五，电话：0778-2281234）, 市财政局（李四副局长）
PERSON_BRACKET = re.compile(
    r"（(?:(?:联系人|负责人|分管领导|责任人|联络员)\s*[：:][^（）]*"
    rf"|[{SURNAMES}][{CJK}]{{1,2}}\s*[，,、 ]?\s*[{CJK}]{{0,6}}(?:主任|局长|厅长|书记|部长|院长|处长|科长|主席|行长|秘书长|经理|组长|同志)[^（）]*)）"
)

# A level prefix typed twice: 国国家税务总局深圳市税务局, 市市财政局 (not 市市场监管局: 市 + 市场监管局)
LEADING_STUTTER = re.compile(r"^(?:国(?=国家)|省(?=省)|市(?=市(?!场|政|容))|县(?=县(?!域))|区(?=区(?!域)))")
# A word typed twice: 市工业和信息化和信息化局; a character typed twice: 自治区各行政政法单位, 市发改改革委
# (not the 市 of 市市场监管局, whose second 市 starts 市场, nor a place's own: 齐齐哈尔市)
DOUBLED_WORD = re.compile(rf"([{CJK}]{{2,4}})\1")
DOUBLED_CHARACTER = re.compile(rf"([{CJK}])\1")
# A level prefix a list or a converter put before a name that says its own place or is national:
# 市三亚供电局, 省深圳证监局, 市海南国际仲裁院三亚分院, 省海关总署广东分署
PUT_BEFORE = re.compile(r"^(?:自治区|省|市|县|区)")

# What starts a second body written straight after a first, with nothing between them:
# 市发展改革委市应急局, 深圳市前海深港现代服务业合作区管理局国家税务总局深圳市税务局, 市财政局各县（区）人民政府
# (各成员单位 after a committee is its members, not another body: 各 starts one only before a level)
BODY_START = re.compile(
    r"^(?:自治区|省|市(?!场|容|政(?!府))|县(?!域)|区(?!域)|各(?=[市县区乡镇]|设区市|地级)|中国|国家|国务院)"
)
# Words before a group that end like a body's name but are not one: 相关市直部门, 各有关区政府
QUALIFIER_END = ("相关", "有关")
# Sub-units named after a place, which stay with the body before them: 梧州海关贺州工作组,
# 市公安局柳北分局, 中国银行保险监督管理委员会三亚监管分局
SUB_UNIT = re.compile(r"(?:分局|支局|分行|支行|分院|支队|大队|中队|派出所|工作组|办事处|分中心|分公司|分署)$")

# An 等 list's closing group, kept as a group of its own: 市农业农村局等相关行业主管部门 →
# 市农业农村局 and 相关行业主管部门; 市财政局等行业主管部门 → 市财政局 and 相关行业主管部门
# (等部门 / 等有关单位 alone say nothing and are dropped)
ETC_GROUP = re.compile(r"^(?P<listed>.+?)等(?P<group>.*?(?:部门|单位|机构|机关))$")
GROUP_WORDS_ONLY = re.compile(r"^(?:相关|有关|其他|各)?(?:部门|单位|机构|机关)$")
# An 等 between one place and the kind of body all the places have: 东莞等市人民政府 → 东莞市人民政府
ETC_PLACES = re.compile(r"^(?P<place>[^等]{2,6})等(?P<body>[市县区](?:人民政府|政府))$")
# An 等 or 和 before a group that starts with 各, which is a separate entry:
# 中国铁路南宁局集团有限公司等和各设区市公共资源交易平台整合牵头部门, 自治区公共资源交易中心和各设区市…
AND_EACH = re.compile(r"(?:等)?(?:和|及|以及|与)(?=各)")

# An alias in brackets after the name: 市发展改革委（粮食和储备局）, 市财政局(金融办), 新闻出版局（版权局）
ALIAS = re.compile(r"^(?P<name>.+?)（(?P<alias>[^（）]+)）$")
# Bracketed words that are part of the name, not an alias: 各县（区）人民政府, 各住房公积金管理中心（分中心）
NOT_ALIAS = re.compile(r"^(?:[市县区镇乡、]+|分.*|含.*|下属.*|直属.*|牵头.*|试行)$")

# Abbreviations and older spellings seen in gazettes, mapped to the name gazettes use most.
# Keys and values are names without a level prefix; `canonical_name` keeps the prefix
# (市发改委 → 市发展改革委). The admin-editable table in the database is seeded from this.
DEFAULT_ALIASES: dict[str, str] = {
    "发改委": "发展改革委",
    "发展和改革委员会": "发展改革委",
    "发展和改革委": "发展改革委",
    "工信局": "工业和信息化局",
    "人社局": "人力资源社会保障局",
    "人社厅": "人力资源社会保障厅",
    "人力资源和社会保障局": "人力资源社会保障局",
    "人力资源和社会保障厅": "人力资源社会保障厅",
    "住建局": "住房城乡建设局",
    "住建厅": "住房城乡建设厅",
    "住房和城乡建设局": "住房城乡建设局",
    "住房和城乡建设厅": "住房城乡建设厅",
    "市场监督管理局": "市场监管局",
    "市监局": "市场监管局",
    "卫健委": "卫生健康委",
    "卫生健康委员会": "卫生健康委",
    "医疗保障局": "医保局",
    "应急局": "应急管理局",
    "退役军人局": "退役军人事务局",
    "大数据局": "大数据发展局",
    "审批局": "行政审批局",
    "交通局": "交通运输局",
    "科学技术局": "科技局",
    "政务服务管理办公室": "政管办",
}


@dataclass(frozen=True)
class DepartmentName:
    """A department's main name and the aliases written in brackets after it."""

    name: str
    aliases: tuple[str, ...] = ()


def split_departments(text: str, prefix: str | None = None) -> list[str]:
    """Normalised department names in a list, in order, without repeats.

    `prefix` is the level a bare name gets when the list itself has not named one yet
    (市 for a 柳州市 column, or the prefix carried over from a 牵头单位 part of the same bracket).
    Pieces that are not names (a cell fragment such as 长期推进, a personal name) are left out.
    """
    return [name for name in _names(text, prefix) if is_department_like(name)]


def is_department_list(text: str) -> bool:
    """True if every entry of a list reads as a department: 各县（区）人民政府，市公安局、商务局."""
    names = _names(text, None)
    return bool(names) and all(is_department_like(name) for name in names)


# A plan repeats its department lists row after row (the same 牵头/配合 bodies for dozens of
# tasks), and reading one is about a hundred regex and gazetteer lookups: the functions below
# depend on their arguments alone, so each process remembers the latest thousands of answers.
# Reading department lists was a third of parsing a gazette file.
READ_CACHE_SIZE = 8192


def _names(text: str, prefix: str | None) -> list[str]:
    """Every entry of a list, normalised, without repeats; personal names dropped."""
    return list(_read_names(text, prefix))


@lru_cache(maxsize=READ_CACHE_SIZE)
def _read_names(text: str, prefix: str | None) -> tuple[str, ...]:
    text = AND_EACH.sub("、", PERSON_BRACKET.sub("", _fold_brackets(text)))
    text = GENERIC_LEVEL_LIST.sub(lambda m: m.group().replace("、", LEVEL_LIST_MARK), text)
    tokens = _distribute_shared_suffix(_tokens(text))
    names: list[str] = []
    previous_is_department = False
    for token, after_space in tokens:
        token = _drop_person_tail(token)
        if after_space and previous_is_department and _is_person(token):
            continue
        for piece in _expand(token.replace(LEVEL_LIST_MARK, "、")):
            name, prefix = _with_prefix(piece, prefix)
            name = tidy_name(name)
            if name not in names:
                names.append(name)
            previous_is_department = is_department_like(name)
    return tuple(names)


@lru_cache(maxsize=READ_CACHE_SIZE)
def tidy_name(name: str) -> str:
    """A name without typing slips: a doubled prefix or word, a level prefix before another place.

    国国家税务总局深圳市税务局 → 国家税务总局深圳市税务局; 市工业和信息化和信息化局 → 市工业和信息化局;
    市三亚供电局 → 三亚供电局; 省海关总署广东分署 → 海关总署广东分署.
    """
    name = _undouble(DOUBLED_WORD.sub(r"\1", LEADING_STUTTER.sub("", name)))
    prefix = PUT_BEFORE.match(name)
    if prefix and len(name) - prefix.end() >= 3 and _names_own_place(name[prefix.end() :]):
        name = name[prefix.end() :]
    return name


def _undouble(name: str) -> str:
    """Drop the second of a character typed twice, unless a level prefix is followed by a word
    starting with it (市市场监管局) or a place's name has either (齐齐哈尔市, 北海海关)."""
    places = [range(m.start, m.end) for m in gazetteer().mentions(name)]
    for match in reversed(list(DOUBLED_CHARACTER.finditer(name))):
        second = match.start() + 1
        if match.start() == 0 and LEVEL_PREFIX.match(name[second:]) is None and PUT_BEFORE.match(name):
            continue  # 市市场监管局: 市 + 市场监管局 (LEVEL_PREFIX does not read 市场 as a prefix)
        if any(match.start() in span or second in span for span in places):
            continue  # 齐齐哈尔市, and 北海海关: 北海 + 海关
        name = name[:second] + name[second + 1 :]
    return name


def _names_own_place(name: str) -> bool:
    """True if a name starts with a place (三亚供电局, 广西税务局) or is a national body's."""
    return bool(PROPER_START.match(name) or gazetteer().at(name))


def _expand(token: str) -> list[str]:
    """The entries one piece of a list holds: bodies written together, an 等 list's parts.

    市发展改革委李知仲市财政局戴联华市国资委 → 市发展改革委, 市财政局, 市国资委 (leaders' names dropped);
    市农业农村局等相关行业主管部门 → 市农业农村局, 相关行业主管部门; 东莞等市人民政府 → 东莞市人民政府.
    """
    places = ETC_PLACES.match(token)
    if places and gazetteer().at(places.group("place")):
        return [places.group("place") + places.group("body")]
    entries: list[str] = []
    for piece in _unglue(token):
        etc = ETC_GROUP.match(piece)
        if etc and ORG_SUFFIX.search(etc.group("listed")):
            entries.append(etc.group("listed"))
            group = etc.group("group")
            if not GROUP_WORDS_ONLY.match(group):
                entries.append(group if GENERIC.search(group) else "相关" + group)
        else:
            entries.append(piece)
    return entries


def _unglue(token: str) -> list[str]:
    """A piece cut where a second body starts straight after a first; a person's name between is dropped.

    Cuts only after a character a body's name ends with (局, 委, 办, 厅 …) or a closing bracket.
    """
    pieces: list[str] = []
    start = 0
    depth = 0
    position = 1
    while position < len(token):
        previous = token[position - 1]
        depth += (previous in OPEN_BRACKETS) - (previous in CLOSE_BRACKETS)
        left, rest = token[start:position], token[position:]
        ends_body = previous in ORG_SUFFIX_CHARS or (previous == "）" and parse_department(left).aliases)
        if depth <= 0 and ends_body and len(left) >= 2 and not left.endswith(QUALIFIER_END):
            person = _person_ahead(rest)
            if person:
                pieces.append(left)
                start = position = position + len(person)
                continue
            if _second_body_starts(left, rest):
                pieces.append(left)
                start = position
        position += 1
    pieces.append(token[start:])
    return [piece for piece in pieces if piece]


def _person_ahead(rest: str) -> str:
    """A person's name rest starts with, when a body or nothing follows it: 李知仲 of 李知仲市财政局."""
    for length in (3, 2):
        person, after = rest[:length], rest[length:]
        if len(person) < length or person[0] not in SURNAMES:
            continue
        # Given names may hold 联 or 华 but do not end like a body (李会 could be one).
        if person[-1] in ORG_SUFFIX_CHARS or PLACE_MARK.search(person):
            continue
        if not after or _starts_full_body(after, shortest=4):
            return person
    return ""


def _starts_full_body(text: str, shortest: int = 3) -> bool:
    """True if text starts with a body of its own: 市政府…, 钦州保税港区管委经发处.

    After a person's name the body must be longer (shortest=4): in 高新区分局, 高新 is no person.
    """
    end = next((i for i, ch in enumerate(text) if ch in ORG_SUFFIX_CHARS), len(text) - 1) + 1
    if end < shortest:
        return False
    return bool(BODY_START.match(text) or gazetteer().at(text))


def _second_body_starts(left: str, rest: str) -> bool:
    """True if rest, after a complete body left, is another body rather than part of left's name.

    A level prefix (市应急局) or a national name (国家税务总局…) starts one; a place starts one only
    after a local body (市商务局钦州保税港区管委), not after a body it is a branch of
    (国家税务总局三亚市税务局, 梧州海关贺州工作组).
    """
    if len(rest) < 3 or SUB_UNIT.search(rest) and not BODY_START.match(rest):
        return False
    if BODY_START.match(rest):
        return _starts_full_body(rest) or rest.startswith(("中国", "国家", "国务院"))
    return bool(LEVEL_PREFIX.match(left) and gazetteer().at(rest) and _starts_full_body(rest))


def carried_prefix(names: list[str], default: str | None = None) -> str | None:
    """The level prefix the next list inherits: that of the last name with one, else default."""
    for name in reversed(names):
        prefix = level_prefix(name)
        if prefix:
            return GOVERNMENT_PREFIX.get(prefix, prefix)
    return default


def level_prefix(name: str) -> str | None:
    """The level prefix a name starts with (市, 自治区, 市委 …), or None."""
    if GENERIC.search(name) and not LEVEL_PREFIX.match(name):
        return None
    match = LEVEL_PREFIX.match(name)
    return match.group() if match else None


def prefix_for_level(level: str | None) -> str | None:
    """The prefix bare names get in a column group: 柳州市 → 市, 自治区 → 自治区, 灵山县 → 县."""
    if not level:
        return None
    for ending in ("自治区", "省", "市", "县", "区"):
        if level.endswith(ending):
            return ending
    return None


@lru_cache(maxsize=READ_CACHE_SIZE)
def is_department_like(name: str) -> bool:
    """True if a string reads as an organisation or a group of them, not as prose."""
    main = parse_department(name).name
    if re.search(r"\d", main) or len(main) < 2 or len(main) > 40:
        return False
    prefix = LEVEL_PREFIX.match(main)
    if prefix and len(main) - prefix.end() < 2 and main not in GOVERNMENT_PREFIX:
        return False  # a wrapped fragment given the list's prefix: 自治区局
    return bool(ORG_SUFFIX.search(main)) or main.startswith("各")


def parse_department(name: str) -> DepartmentName:
    """Split 市发展改革委（粮食和储备局） into the name and its aliases (市粮食和储备局)."""
    name = _fold_brackets(normalise_line(name))
    match = ALIAS.match(name)
    if not match:
        return DepartmentName(name)
    main, alias_text = match.group("name"), match.group("alias")
    if NOT_ALIAS.match(alias_text):
        return DepartmentName(name)
    aliases = [alias.strip() for alias in re.split(r"[、，,]", alias_text) if alias.strip()]
    if not aliases or not all(ORG_SUFFIX.search(alias) for alias in aliases):
        return DepartmentName(name)
    prefix = level_prefix(main)
    prefix = GOVERNMENT_PREFIX.get(prefix, prefix) if prefix else None
    return DepartmentName(main, tuple(_with_prefix(alias, prefix)[0] for alias in aliases))


def canonical_name(name: str, aliases: dict[str, str]) -> str:
    """The name an alias table maps name to (市发改委 → 市发展改革委), keeping its level prefix."""
    name = _fold_brackets(normalise_line(name))
    if name in aliases:
        return aliases[name]
    match = LEVEL_PREFIX.match(name)
    if match and name[match.end() :] in aliases:
        return match.group() + aliases[name[match.end() :]]
    return name


def _fold_brackets(text: str) -> str:
    """Half-width round brackets become full-width, as gazettes print them in names."""
    return text.replace("(", "（").replace(")", "）")


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Top-level pieces of a list, each with whether whitespace (not punctuation) preceded it."""
    pieces: list[tuple[str, bool]] = []
    current = ""
    depth = 0
    after_space = False
    pending_space = False
    for ch in text:
        if ch in OPEN_BRACKETS:
            depth += 1
        elif ch in CLOSE_BRACKETS:
            depth = max(depth - 1, 0)
        if depth == 0 and ch in SEPARATORS:
            pieces.append((current, after_space))
            current, after_space, pending_space = "", False, False
            continue
        if depth == 0 and ch.isspace():
            pending_space = bool(current)
            continue
        if pending_space:
            if _ends_name(current):
                pieces.append((current, after_space))
                current, after_space = "", True
            pending_space = False
        current += ch
    pieces.append((current, after_space))
    cleaned = [(TRAILING_NOISE.sub("", normalise_line(piece)).strip(), spaced) for piece, spaced in pieces]
    return _join_continuations([(piece, spaced) for piece, spaced in cleaned if piece])


def _join_continuations(pieces: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Glue a piece split off by a line break back on when it only ends a name (中心 / 支行)."""
    joined: list[tuple[str, bool]] = []
    for piece, spaced in pieces:
        if spaced and joined and CONTINUATION.match(piece):
            joined[-1] = (joined[-1][0] + piece, joined[-1][1])
        else:
            joined.append((piece, spaced))
    return joined


def _ends_name(text: str) -> bool:
    """True if text ends like a complete name, so whitespace after it separates two entries.

    市发展改革委（粮食和储备局） ends a name; 各县（区） does not (人民政府 follows on the next line).
    """
    text = normalise_line(_fold_brackets(text))
    return bool(ORG_SUFFIX.search(text) or parse_department(text).aliases)


def _distribute_shared_suffix(tokens: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """灵山县、浦北县人民政府 → 灵山县人民政府, 浦北县人民政府 (also 各市、县（市、区）人民政府)."""
    result = list(tokens)
    for end, (token, _spaced) in enumerate(tokens):
        match = SHARED_SUFFIX.search(token)
        if not match or end == 0:
            continue
        start = end
        while start > 0 and _is_place_stub(tokens[start - 1][0]):
            start -= 1
        if start == end:
            continue
        mark, suffix = match.group("mark") or "", match.group("suffix")
        if mark.startswith("（"):
            mark = ""
        for index in range(start, end):
            stub = tokens[index][0]
            # 灵山县 already says 县; 柳州 / 南宁 take the mark of the last place (崇左市).
            ending = suffix if stub[-1] in "市县区旗" else mark + suffix
            result[index] = (stub + ending, tokens[index][1])
        if tokens[start][0].startswith("各") and not token.startswith("各"):
            result[end] = ("各" + token, tokens[end][1])
    return result


def _is_place_stub(token: str) -> bool:
    """True for a place name missing its body: 灵山县, 南宁, 各市 (not 市公安局, not 黄登成 after one)."""
    return bool(PLACE_STUB.match(token)) and not ORG_SUFFIX.search(token) and not GENERIC.search(token[1:])


def _drop_person_tail(token: str) -> str:
    """市发展改革委黄登成 → 市发展改革委 (a personal name run into the department)."""
    match = PERSON_TAIL.match(token)
    if not match:
        return token
    person = match.group("person")
    if any(ch in ORG_SUFFIX_CHARS for ch in person) or PLACE_MARK.search(person):
        return token
    return match.group("department")


def _is_person(token: str) -> bool:
    """True for a 2–4 character token with no organisational ending: 黄登成."""
    return (
        bool(PERSON_TOKEN.match(token))
        and not any(ch in ORG_SUFFIX_CHARS for ch in token)
        and not token.startswith("各")
        and not PLACE_MARK.search(token)
    )


def _with_prefix(token: str, prefix: str | None) -> tuple[str, str | None]:
    """The token with the list's prefix if it is bare, and the prefix for the next token."""
    main = parse_department(token).name
    own = level_prefix(main)
    if own:
        return token, own
    if prefix and _needs_prefix(main):
        if prefix in GOVERNMENT_PREFIX:
            if PARTY_BODY.search(main):
                return prefix + token, prefix
            return GOVERNMENT_PREFIX[prefix] + token, prefix
        if NATIONAL.search(main):
            return token, prefix
        return prefix + token, prefix
    return token, prefix


def _needs_prefix(name: str) -> bool:
    """True for a bare department name (人力资源社会保障局) that says nothing of its level."""
    if name.startswith("各") or GENERIC.search(name):
        return False
    if _names_own_place(name) or PROPER_END.search(name):
        return False
    if PLACE_MARK.search(COMMON_PLACE_WORDS.sub("", name)):
        return False
    return bool(ORG_SUFFIX.search(name))
