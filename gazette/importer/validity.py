"""Step 7 of the importer: what kind of document each one is, and how long it holds.

Reads a DocumentRecord (title, 文号, 栏目, 成文日期, body blocks) and the issue's date, and
writes on it:

- `genre` (文种) from the end of its title; for 关于印发《…办法》的通知 the document is a 通知
  and `transmitted_genre` is 办法; a 政府令 is a 令 whose transmitted text is its 规章;
- `normative` (规范性文件): 规 at the end of the 文号's code (钦政办规, 穗政数规字), a
  【规范性文件】 栏目, or a sentence saying the document is one;
- `effective_from` and `effective_basis`: the date of "本措施自2023年6月20日起施行"
  (DATE_IN_TEXT), or for "自印发之日起施行" the 成文日期 (DOCUMENT_DATE), else the issue's
  date (ISSUE_DATE); "自公布之日起30日后施行" (or 满30日后, 三十日后, 六个月后) counts that many
  days or months on from either (DOCUMENT_DATE_AFTER, ISSUE_DATE_AFTER);
- `valid_until`: "有效期5年" is the day before the fifth anniversary of effective_from (of the
  成文日期 when the text names no start); "有效期至2025年12月31日" is that day;
- `repeals` and `amends`: each document it names as repealed ("《…》（文号）同时废止",
  "原…废止", "不再执行", a 决定废止的文件目录) or amended ("对《…》作如下修改",
  关于修改《…》的决定, 修订后的《…》), by 文号 and title as cited. gazette.validity links
  them to documents in the knowledge base.

Only what the document says of itself counts: "本办法自…起施行" or a clause that opens with
"有效期"; a plan's "适时修订《…》", a task's "自收到工单之日起" or a licence's
"证书有效期为3年" do not.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator

from .lines import tidy_title
from .patterns import DOC_NUMBER_BARE, heading_marker
from .records import TABLE, DocumentRecord, DocumentRef
from .text import DATE_ARABIC, DATE_CHINESE, chinese_number, parse_date, split_doc_number

# Bumped whenever the rules below change what they read: the daily validity job reads again
# every stored document an older version read (fields an admin corrected stay).
RULES_VERSION = 2

# Where effective_from came from.
DATE_IN_TEXT = "date_in_text"  # "自2023年6月20日起施行"
DOCUMENT_DATE = "document_date"  # "自印发之日起施行": the 成文日期
ISSUE_DATE = "issue_date"  # "自印发之日起施行" with no 成文日期: the date of the issue that printed it
# "自公布之日起30日后施行": that many days (or months) after the 成文日期, or after the issue's date.
DOCUMENT_DATE_AFTER = "document_date_after"
ISSUE_DATE_AFTER = "issue_date_after"

# 文种 a title can end with. A title ending in 复函 is a 函, in 命令 a 令, in 实施细则 a 细则.
GENRES = sorted(
    (
        "决议 决定 令 公报 公告 通告 意见 通知 通报 报告 请示 批复 议案 函 纪要 "
        "条例 规定 办法 细则 规则 规程 规范 准则 守则 章程 标准 制度 方案 计划 规划 纲要 措施 "
        "要点 预案 指南 指引 清单 目录 名录 解读 答复"
    ).split(),
    key=len,
    reverse=True,
)
# 政策解读 explains another document: what it says that one repeals is not its own doing.
INTERPRETATION = "解读"
# "（试行）", "（2023—2025年）", "（草案征求意见稿）", "（2.0版）" — notes after a title's 文种.
TRAILING_NOTE = re.compile(r"\s*[（(][^（）()]{0,30}[）)]\s*$")
# "…关于印发《柳州市服务业发展“十四五”规划》的通知", "…办公室印发关于建立健全…实施方案的通知",
# "…关于公布贺州市本级“一事通办”事项清单的通知" — a document that passes another text on.
TRANSMITTING = re.compile(r"(?:印发|转发|批转|公布|发布|颁布|印送)(?P<what>.+)的(?:通知|决定|公告|通告|令|函)$")
# "柳州市人民政府令第12号" — a 政府令 (its title is the 规章 it publishes).
DECREE_NUMBER = re.compile(r"令\s*第\s*\d+\s*号$")

# "钦政办规〔2019〕6号", "穗政数规字〔2023〕1号", "深府办规〔2023〕3号", "发改价格规〔2018〕2269号" —
# a 规 ending the code marks a 规范性文件 (a 规 inside it does not: 穗规划资源字 is 规划, 京规自发 规划自然资源).
NORMATIVE_CODE = re.compile(r"规(?:字|发)?$")
# "【规范性文件】", "行政规范性文件" — a gazette 栏目 of 规范性文件.
NORMATIVE_SECTION = "规范性文件"
# "（此件为行政规范性文件）", "本通知属于规范性文件", "规范性文件统一登记号：GXZF-2023-00012" —
# a document saying it is one (not "在本办法实施前制定的其他规范性文件…", which names others).
NORMATIVE_SAID = re.compile(
    r"(?:本|此)(?:件|文件|通知|办法|规定|细则|意见|决定|措施|方案|制度|规则)\s*(?:为|属于|是|系|作为)\s*(?:行政)?规范性文件"
    r"|规范性文件\s*(?:统一)?(?:登记|备案|编)\s*号"
)

DATE = rf"(?:{DATE_ARABIC.pattern}|{DATE_CHINESE.pattern})"
# "30日后", "满30日后", "三十日后", "30天以后", "六个月后" — a delay after the day it was issued.
DELAY = r"满?\s*(?P<count>\d{1,3}|[一二两三四五六七八九十]{1,3})\s*(?P<unit>日|天|个月)\s*(?:之|以)?后\s*(?:起\s*)?"
# "本措施自 2023 年 6 月 20 日起施行", "本细则自印发之日起实施", "本制度从印发之日起实行",
# "现予公布，自2024年7月1日起施行", "本措施自2023年1月1日起实施至2025年12月31日",
# "本办法自公布之日起30日后施行", "本规定自印发之日起满30日后施行", "本决定自发布之日起六个月后施行".
EFFECTIVE = re.compile(
    r"(?P<subject>本[\u4e00-\u9fff]{1,12}?)?\s*(?:自|从)\s*"
    rf"(?:(?P<date>{DATE})\s*起"
    rf"|(?P<event>(?:本[\u4e00-\u9fff]{{1,12}}?)?(?:印发|发布|公布|发文|下发|签发|颁布|公告|通告)之日)\s*起\s*(?:{DELAY})?)"
    rf"\s*(?:正式)?(?:施行|实施|执行|生效|实行)(?:\s*至\s*(?P<until>{DATE})\s*止?)?"
)
# "本项政策自2023年1月1日起执行", "本条自…起施行" — a part of the document, not the whole.
PART_SUBJECT = re.compile(r"^本(?:项|条|款|章|节|目|批|次)")
# What may open an effective clause that has no 本… subject: "现予公布，自…起施行", "上述政策均自…起执行".
# Anything else ("…的改革措施自本方案印发之日起实行") is about part of the document.
EFFECTIVE_LEAD = re.compile(r"^(?:上述|以上|前述|各项)?(?:政策措施|政策|措施|规定)?(?:均|一律|统一)?$")
# A clause about the document's own term: "有效期 5 年", "有效期三年", "本办法有效期为5年".
VALID_FOR = re.compile(
    r"^(?:(?:本|该|此)[\u4e00-\u9fff]{1,10}?的?)?有效期限?\s*(?:为|是)?\s*"
    r"(?P<years>\d{1,2}|[一二两三四五六七八九十]{1,3})\s*年$"
)
# "有效期至2025年12月31日", "有效期至 2025 年 12 月 31 日止", "本措施有效期自2023年1月1日至2025年12月31日".
VALID_TO = re.compile(
    rf"^(?:(?:本|该|此)[\u4e00-\u9fff]{{1,10}}?的?)?有效期限?\s*(?:为|是)?\s*(?:自?\s*{DATE}\s*起?)?\s*"
    rf"至\s*(?P<until>{DATE})\s*止?$"
)

# "《广州市…实施细则的通知》（穗政数规字〔2020〕1 号）", "《柳州市城市绿化管理办法》", "汕府办函〔2020〕308号" —
# a document cited by title (and 文号 in brackets) or by 文号 alone.
CITED = re.compile(
    rf"《(?P<title>[^《》]{{2,200}})》\s*(?:[（(]\s*(?P<number>{DOC_NUMBER_BARE})\s*[）)])?|(?P<bare>{DOC_NUMBER_BARE})"
)
# "…（汕府办函〔2020〕308号）同时废止", "…不再执行", "…停止执行", "…同时失效" — the cited documents
# before it are repealed; "予以修改或者废止", "拟废止", "及时废止" are plans, not repeals.
REPEAL_AFTER = re.compile(
    r"(?<![或者拟议请时步])(?:同时|一并|即行|予以|相应)?废止(?!或)"
    r"|(?:同时|一并|即行|相应|自行)失效|停止执行|不再执行|停止施行|同时作废"
)
# "决定废止《…》（…）等12件规范性文件", "现决定宣布失效《…》" — the cited documents after it are repealed.
REPEAL_BEFORE = re.compile(r"(?:决定|现予)(?:予以)?(?:废止|宣布失效)")
# "对《广州市网上办事管理办法》（穗府办规〔2019〕5号）作如下修改", "《…》修订如下", "对《…》进行了修订" —
# the cited documents before it are amended; "适时修订《…》", "对《…》进行修订" (to come) are not.
AMEND_AFTER = re.compile(
    r"(?:作出?|进行)?(?:如下|以下)(?:修改|修订)|(?:修改|修订)如下|进行了(?:修改|修订)|已(?:经)?(?:修改|修订)"
)
# "将《…》第三条中的“…”修改为“…”" — the document named after 将 is amended.
AMEND_TO = re.compile(r"(?:修改|修订)为")
# "现将修订后的《…》印发给你们" — the document named next is the one amended.
AMENDED_VERSION = re.compile(r"(?:修订|修改)后的\s*$")
# A word every verb above has: a sentence without one repeals and amends nothing, and is
# not split into clauses (nearly every sentence of a gazette; a fifth of parsing a file).
CHANGE_WORD = re.compile(r"废止|失效|停止执行|不再执行|停止施行|作废|修改|修订")
# "根据《…》（国办发〔2021〕10号）" — a basis cited before the verb is not what is repealed.
BASIS_WORD = re.compile(r"(?:根据|依据|按照|依照|参照|对照|贯彻|落实)\s*$")
# "原《…》", "原贺州市…的通知" — the old document a new one replaces.
LEAD_WORDS = re.compile(r"^(?:同时|并|将|把|对|即|原|此前印发的|此前发布的|之前印发的|和|及|与|、|，)+")
# 关于修改《…》的决定, 关于修订印发…实施细则的通知, 关于废止《…》的决定 — a title naming what it amends or repeals.
TITLE_AMENDS = re.compile(r"关于(?:修改|修订)(?:并?(?:印发|发布))?(?P<what>.+?)的(?:决定|通知|批复|公告|令)$")
TITLE_REPEALS = re.compile(r"关于(?:废止|宣布失效)(?P<what>.+?)的(?:决定|通知|公告|批复|令)$")
# "关于印发《…行动方案（2023年修订版）》的通知", "…实施办法（修订）" — a revised version of a named text.
REVISED_NOTE = re.compile(r"[（(](?:\d{4}\s*年)?\s*(?:修订|修改)(?:版|稿)?[）)]$")
# "一、决定废止的规范性文件（12件）", "附件1 决定废止的文件目录", "现决定废止下列文件：" — a list of documents
# repealed (or, with 修改/修订, amended) follows, one a row or numbered line.
LIST_HEAD = re.compile(
    r"(?P<verb>废止|宣布失效|失效|修改|修订)的?(?:行政)?(?:规范性|政策性|政策)?文件(?:目录|清单|名单|名录)?(?:[（(][^）)]{0,12}[）)])?[：:]?$"
    r"|(?P<verb2>废止|宣布失效|修改|修订)(?:以下|下列|如下)[^。；]{0,20}[：:]$"
)
# Table header cells: the column of titles and the column of 文号.
TITLE_HEADER = re.compile(r"名称|标题|^文件$")
NUMBER_HEADER = re.compile(r"文号|字号|编号")
# "桂政办发〔2015〕12号" — a table cell holding a 文号 alone.
DOC_NUMBER_CELL = re.compile(rf"\s*{DOC_NUMBER_BARE}\s*")
# 。！？；: a sentence ends (outside 《》).
SENTENCE_END = "。！？!?；;"
# ，：、 and the ends above: a clause ends.
CLAUSE_END = SENTENCE_END + "，,：:"


def read_validity(document: DocumentRecord, *, published: dt.date | None = None) -> None:
    """Fill a document's genre, normative, effective and expiry dates, repeals and amends (in place).

    `published` is the date of the issue that printed it, for "自印发之日起施行" without a 成文日期.
    """
    if document.fragment:
        return
    document.genre, document.transmitted_genre = read_genre(document.title, document.doc_number)
    texts = list(body_texts(document))
    document.normative = is_normative(document.doc_number, document.section, texts)
    effective, basis, until = read_effective(texts, date=document.date, published=published)
    document.effective_from, document.effective_basis = effective, basis
    anchor = effective or document.date or published
    document.valid_until = until or read_valid_until(texts, anchor)
    if document.genre == INTERPRETATION:
        return
    repeals, amends = read_changes(document)
    own = document.doc_number
    document.repeals = [ref for ref in repeals if not own or ref.doc_number != own]
    document.amends = [ref for ref in amends if not own or ref.doc_number != own]


def body_texts(document: DocumentRecord) -> Iterator[str]:
    """The paragraphs and headings of a body, in order (tables are read only as lists of documents)."""
    for block in document.blocks:
        if block.kind != TABLE and block.text:
            yield block.text


# 文种


def genre_of(title: str) -> str | None:
    """The 文种 a title ends with, notes in brackets aside (…管理办法（试行） → 办法), or None."""
    text = title.strip().rstrip('》”"')
    while True:
        stripped = TRAILING_NOTE.sub("", text)
        if stripped == text:
            break
        text = stripped
    text = text.rstrip('》”"')
    for genre in GENRES:
        if text.endswith(genre):
            return genre
    return None


def read_genre(title: str, doc_number: str | None) -> tuple[str | None, str | None]:
    """(genre, transmitted_genre) of a title: 关于印发《…办法》的通知 → (通知, 办法); a 政府令 → (令, 办法)."""
    if doc_number and DECREE_NUMBER.search(doc_number):
        return "令", genre_of(title)
    genre = genre_of(title)
    match = TRANSMITTING.search(title)
    if not match:
        return genre, None
    what = match.group("what").strip()
    quoted = re.fullmatch(r"《([^《》]+)》(?:(?:、|和|及|与)《[^《》]+》)*", what)
    return genre, genre_of(quoted.group(1) if quoted else what)


# 规范性文件


def is_normative(doc_number: str | None, section: str | None, texts: list[str]) -> bool:
    """True for a 规范性文件: 规 ending the 文号's code, a 规范性文件 栏目, or its own words."""
    parts = split_doc_number(doc_number) if doc_number else None
    if parts and NORMATIVE_CODE.search(parts[0]):
        return True
    if section and NORMATIVE_SECTION in section:
        return True
    return any(NORMATIVE_SAID.search(text) for text in texts)


# 施行 and 有效期


def read_effective(
    texts: list[str], *, date: dt.date | None, published: dt.date | None
) -> tuple[dt.date | None, str | None, dt.date | None]:
    """(effective_from, effective_basis, valid_until given with it) from the last clause saying when it takes effect.

    A stated date is DATE_IN_TEXT; 自印发之日 is the 成文日期 (DOCUMENT_DATE), else the issue's
    date (ISSUE_DATE), else unknown; "自印发之日起30日后施行" is that many days (or months) after
    it (DOCUMENT_DATE_AFTER, ISSUE_DATE_AFTER). "自202X年X月X日起施行" (a draft) gives (None, None, None).
    """
    found: tuple[dt.date | None, str | None, dt.date | None] = (None, None, None)
    for text in texts:
        for match in EFFECTIVE.finditer(text):
            subject = match.group("subject")
            if subject and PART_SUBJECT.match(subject):
                continue
            if not subject and not EFFECTIVE_LEAD.match(clause_before(text, match.start())):
                continue
            until = parse_date(match.group("until")) if match.group("until") else None
            if match.group("date"):
                found = (parse_date(match.group("date")), DATE_IN_TEXT, until)
            elif not (date or published):
                found = (None, None, until)
            elif match.group("count"):
                count = chinese_number(match.group("count").replace("两", "二"))
                start, basis = (date, DOCUMENT_DATE_AFTER) if date else (published, ISSUE_DATE_AFTER)
                found = (after(start, count, match.group("unit")), basis, until)
            else:
                found = (date, DOCUMENT_DATE, until) if date else (published, ISSUE_DATE, until)
    return found


def after(day: dt.date, count: int, unit: str) -> dt.date:
    """The day `count` days (日, 天) or months (个月) after day: "自公布之日起30日后施行" from 1 March is 31 March.

    A month with no such day ends on its last (31 August and six months is 28 or 29 February).
    """
    if unit != "个月":
        return day + dt.timedelta(days=count)
    months = day.month - 1 + count
    year, month = day.year + months // 12, months % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def clause_before(text: str, end: int) -> str:
    """The words of text's clause before position end (after the last ，。；：)."""
    start = max(text.rfind(mark, 0, end) for mark in CLAUSE_END)
    return text[start + 1 : end].strip()


def read_valid_until(texts: list[str], anchor: dt.date | None) -> dt.date | None:
    """The last day of the document's term from its last 有效期 clause, or None.

    "有效期N年" counts from anchor (effective_from, else the 成文日期 or issue's date): the day
    before the Nth anniversary. "有效期至…" is that day.
    """
    until = None
    for text in texts:
        for clause in clauses(text):
            to = VALID_TO.match(clause)
            if to:
                until = parse_date(to.group("until"))
                continue
            years = VALID_FOR.match(clause)
            if years and anchor:
                until = anniversary(anchor, chinese_number(years.group("years").replace("两", "二"))) - dt.timedelta(
                    days=1
                )
    return until


def anniversary(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February falls on 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def clauses(text: str) -> list[str]:
    """The clauses of a text, split at ，。；： outside 《》, each without spaces at its ends."""
    return [piece.strip() for piece in split_outside_titles(text, CLAUSE_END)]


def split_outside_titles(text: str, marks: str) -> list[str]:
    """text cut at each of marks that is not inside 《》."""
    pieces, start, depth = [], 0, 0
    for index, char in enumerate(text):
        if char == "《":
            depth += 1
        elif char == "》":
            depth = max(depth - 1, 0)
        elif char in marks and depth == 0:
            pieces.append(text[start:index])
            start = index + 1
    pieces.append(text[start:])
    return pieces


# 废止 and 修订


def read_changes(document: DocumentRecord) -> tuple[list[DocumentRef], list[DocumentRef]]:
    """(repeals, amends): the documents this one names as repealed or amended, each once, in order."""
    repeals: list[DocumentRef] = []
    amends: list[DocumentRef] = []
    title_repeals, title_amends = changes_in_title(document.title)
    repeals += title_repeals
    amends += title_amends
    for text in body_texts(document):
        for sentence in split_outside_titles(text, SENTENCE_END):
            found_repeals, found_amends = changes_in_sentence(sentence)
            repeals += found_repeals
            amends += found_amends
    listed_repeals, listed_amends = changes_listed(document)
    return unique(repeals + listed_repeals), unique(amends + listed_amends)


def changes_in_title(title: str) -> tuple[list[DocumentRef], list[DocumentRef]]:
    """What a title says it repeals or amends: 关于废止《…》的决定, 关于修改…的决定, 印发《…（修订）》."""
    repealed = TITLE_REPEALS.search(title)
    if repealed:
        return named_in(repealed.group("what")), []
    amended = TITLE_AMENDS.search(title)
    if amended:
        return [], named_in(amended.group("what"))
    printed = TRANSMITTING.search(title)
    if printed:
        what = printed.group("what").strip()
        revised = re.match(r"^(?:修订后的|修改后的)", what)
        inner = re.fullmatch(r"《([^《》]+)》", what)
        text = inner.group(1) if inner else what
        if revised or REVISED_NOTE.search(text):
            text = REVISED_NOTE.sub("", re.sub(r"^(?:修订后的|修改后的)", "", text)).strip("《》 ")
            return [], [DocumentRef(title=tidy_title(text))] if genre_of(text) else []
    return [], []


def named_in(what: str) -> list[DocumentRef]:
    """The documents a title's object names: each 《…》 (with a 文号 after it), or the whole when it ends in a 文种."""
    what = what.strip()
    refs = [cited_ref(match) for match in CITED.finditer(what)]
    if refs:
        return refs
    return [DocumentRef(title=tidy_title(what))] if genre_of(what) else []


def changes_in_sentence(sentence: str) -> tuple[list[DocumentRef], list[DocumentRef]]:
    """The documents one sentence repeals or amends, clause by clause."""
    repeals: list[DocumentRef] = []
    amends: list[DocumentRef] = []
    if not CHANGE_WORD.search(sentence):
        return repeals, amends
    for clause in split_outside_titles(sentence, CLAUSE_END):
        masked = mask_titles(clause)
        cited = list(CITED.finditer(clause))
        verb = REPEAL_AFTER.search(masked)
        if verb:
            repeals += cited_before(clause, cited, verb.start()) or unquoted_before(clause, verb.start())
        verb = REPEAL_BEFORE.search(masked)
        if verb:
            repeals += [cited_ref(match) for match in cited if match.start() >= verb.end()]
        verb = AMEND_AFTER.search(masked)
        if verb:
            amends += cited_before(clause, cited, verb.start())
        verb = AMEND_TO.search(masked)
        if verb:
            after_jiang = [m for m in cited if m.end() <= verb.start() and clause[: m.start()].rstrip().endswith("将")]
            amends += [cited_ref(match) for match in after_jiang[:1]]
        amends += [cited_ref(m) for m in cited if AMENDED_VERSION.search(clause[: m.start()])]
    return repeals, amends


def cited_before(clause: str, cited: list[re.Match], position: int) -> list[DocumentRef]:
    """The documents cited before position in a clause, bar those cited as a basis (根据《…》)."""
    refs = []
    for match in cited:
        if match.end() > position or BASIS_WORD.search(clause[: match.start()]):
            continue
        ref = cited_ref(match)
        if match.group("bare") and not ref.title:
            ref.title = unquoted_title(clause[: match.start()])
        refs.append(ref)
    return refs


def unquoted_before(clause: str, position: int) -> list[DocumentRef]:
    """The document a clause names without 《》 or 文号 before the verb: 原贺州市…管理办法同时废止."""
    words = clause[:position].strip()
    if not words.startswith("原"):
        return []
    title = unquoted_title(words)
    return [DocumentRef(title=title)] if title else []


def unquoted_title(words: str) -> str | None:
    """A title written without 《》 before a 文号 or verb ("原…的通知（" → "…的通知"), if it ends in a 文种."""
    words = LEAD_WORDS.sub("", words.strip().rstrip("（("))
    words = re.sub(r"(?:同时|一并|即行|予以|相应)$", "", words).strip()
    return tidy_title(words) if len(words) >= 4 and genre_of(words) else None


def cited_ref(match: re.Match) -> DocumentRef:
    """A DocumentRef from a CITED match: its title (inner 〈〉 as 《》) and its 文号 written canonically."""
    title = match.group("title")
    number = match.group("number") or match.group("bare")
    return DocumentRef(
        doc_number=canonical_number(number) if number else None,
        title=tidy_title(title.replace("〈", "《").replace("〉", "》")) if title else None,
    )


def canonical_number(text: str) -> str | None:
    """A cited 文号 as 穗政数规字〔2020〕1号, without the words a citation put before its code (原, 将)."""
    parts = split_doc_number(text)
    if not parts:
        return None
    code, year, seq = parts
    code = LEAD_WORDS.sub("", code) or code
    return f"{code}〔{year}〕{seq}号"


def mask_titles(text: str) -> str:
    """text with what is inside 《》 blanked, so a cited title's words (关于废止…) are not read as verbs."""
    return re.sub(r"《[^《》]*》", lambda m: "《" + "＿" * (len(m.group()) - 2) + "》", text)


def changes_listed(document: DocumentRecord) -> tuple[list[DocumentRef], list[DocumentRef]]:
    """Documents listed under a head such as "决定废止的规范性文件目录": numbered lines or table rows."""
    repeals: list[DocumentRef] = []
    amends: list[DocumentRef] = []
    into = None
    for block in document.blocks:
        if block.kind == TABLE:
            if into is not None:
                into += table_refs(block.rows)
            continue
        text = block.text.strip()
        head = LIST_HEAD.search(text)
        if head:
            verb = head.group("verb") or head.group("verb2")
            into = amends if verb in ("修改", "修订") else repeals
            continue
        if into is None:
            continue
        marker = heading_marker(text)
        item = text[marker[1] :].strip() if marker else text
        match = CITED.match(item)
        if match:
            into.append(cited_ref(match))
        else:
            into = None
    return repeals, amends


def table_refs(rows: list[list[str]]) -> list[DocumentRef]:
    """One DocumentRef per row of a table of documents: a title cell (《…》 or under 文件名称) and a 文号 cell."""
    if not rows:
        return []
    header = rows[0]
    title_column = next((i for i, cell in enumerate(header) if TITLE_HEADER.search(cell)), None)
    number_column = next((i for i, cell in enumerate(header) if NUMBER_HEADER.search(cell)), None)
    body = rows[1:] if title_column is not None or number_column is not None else rows
    refs = []
    for row in body:
        title = number = None
        for index, cell in enumerate(row):
            cell = cell.strip()
            quoted = re.fullmatch(r"《([^《》]+)》", cell)
            if DOC_NUMBER_CELL.fullmatch(cell) and number_column in (None, index):
                number = canonical_number(cell)
            elif index == title_column or (title_column is None and quoted):
                title = quoted.group(1) if quoted else cell
        if title or number:
            refs.append(DocumentRef(doc_number=number, title=tidy_title(title) if title else None))
    return refs


def unique(refs: list[DocumentRef]) -> list[DocumentRef]:
    """refs without repeats: one per 文号 (or per title when none), the first kept, a title filled in from a later one."""
    kept: dict[str, DocumentRef] = {}
    for ref in refs:
        key = ref.doc_number or ref.title or ""
        if not key:
            continue
        if key in kept:
            kept[key].title = kept[key].title or ref.title
            continue
        # A title cited alone once and with its 文号 elsewhere is one document.
        titled = next(
            (
                k
                for k, r in kept.items()
                if ref.title and r.title == ref.title and not (r.doc_number and ref.doc_number)
            ),
            None,
        )
        if titled is not None:
            kept[titled].doc_number = kept[titled].doc_number or ref.doc_number
            continue
        kept[key] = ref
    return list(kept.values())
