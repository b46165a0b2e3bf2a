"""Line shapes of Chinese official documents (公文格式) shared by the importer steps.

Each pattern matches one normalised line (see `lines.split_lines`); the comment above it
shows a real line it matches.
"""

from __future__ import annotations

import re

from .text import DATE_ARABIC, DATE_CHINESE, DOC_NUMBER

CN_NUM = "一二三四五六七八九十百零〇"
# DOC_NUMBER without its group names, so it can be used twice in one pattern.
DOC_NUMBER_BARE = re.sub(r"\(\?P<\w+>", "(?:", DOC_NUMBER.pattern)

# "贺政发〔2019〕1号", "粤财采购函〔2023〕29 号", "桂政发[2019]5号" — a line that is only a 文号.
DOC_NUMBER_LINE = re.compile(rf"^\s*{DOC_NUMBER_BARE}\s*$")
# "2022年1月29日 柳政办〔2022〕9号" — 成文日期 and 文号 on one line (either order).
DATE_AND_NUMBER_LINE = re.compile(
    rf"^\s*(?:{DATE_ARABIC.pattern}\s*{DOC_NUMBER_BARE}|{DOC_NUMBER_BARE}\s*{DATE_ARABIC.pattern})\s*$"
)
# "2019年1月17日", "二〇一九年一月三日", "2023 年 5 月 18 日印发" — a line that is only a date.
DATE_LINE = re.compile(
    rf"^\s*[（(]?\s*(?:{DATE_ARABIC.pattern}|{DATE_CHINESE.pattern})\s*(?:印发|发布|公布)?\s*[）)]?\s*$"
)
# "贺州市人民政府办公室", "广东省财政厅", "省政府办公厅" — a 落款 line: an organisation name alone.
ORG_LINE = re.compile(
    r"^[\u3400-\u9fff（）()·]{2,40}"
    r"(?:人民政府|政府|办公室|办公厅|委员会|党委|局|厅|委|办|署|院|部|会|中心|处|所|站|公司|组|室|秘书处)$"
)
# "各县（区）人民政府，市政府各副处级以上单位：" — 主送机关, a line ending in a colon.
RECIPIENTS_LINE = re.compile(r"^(?P<to>[^。！？]{2,300}?)[：:]$")
# Words that open 主送: "各县（区）人民政府", "省直各单位", "市直机关各有关委、办、局"
RECIPIENT_HINT = re.compile(
    r"^(?:各|省|市|县|区|自治区|国务院|中央|有关|全市|全区|全省)|(?:人民政府|单位|部门|机构|管委会|委员会)"
)
# "附件：贺州市本级社会公益事业…目录", "附件：（略）1. 政府采购项目…" — the 附件说明.
ATTACHMENT_LIST = re.compile(r"^附\s*件\s*[：:]\s*(?P<rest>.*)$")
# "2.贺州市本级“一事通办”事项清单…", "3. 政府采购项目…" — a further item of the 附件说明.
NUMBERED_ITEM = re.compile(r"^(?P<num>\d{1,2})\s*[.．、]\s*(?!\d)(?P<text>.+)$")
# "附件", "附件1", "附件 2-1", "附件：" alone — the head of an attachment's body.
ATTACHMENT_HEAD = re.compile(r"^附\s*件\s*[\d\-－一二三四五六七八九十]*\s*[：:]?$")
# "贺州市人民政府办公室关于印发…的通知" → issuer before 关于/印发/转发.
ISSUER_PREFIX = re.compile(
    r"^(?P<issuer>[\u3400-\u9fff（）()“”、 ]{2,80}?"
    r"(?:人民政府|政府|办公室|办公厅|委员会|党委|局|厅|委|办|署|院|部|会|中心|处|组|部门|公司|银行|海关|总局|分局))"
    r"\s*(?:关于|印发|转发|批转|公布)"
)
# Sentence ends: a line ending in one of these closes its paragraph.
SENTENCE_END = "。！？!?；;：:…"

# Heading markers of the body and the depth each stands for.
HEADING_MARKERS: list[tuple[re.Pattern[str], int]] = [
    # "第一章 发展基础与态势"
    (re.compile(rf"^第[{CN_NUM}\d]+章\s*"), 1),
    # "第二节 机遇与挑战"
    (re.compile(rf"^第[{CN_NUM}\d]+节\s*"), 2),
    # "一、工作目标"
    (re.compile(rf"^[{CN_NUM}]+\s*、"), 1),
    # "（一）梳理细化社会公益事业建设领域政府信息公开事项", "(二) 明确责任分工。"
    (re.compile(rf"^[（(]\s*[{CN_NUM}]+\s*[）)]"), 2),
    # "1.国家和自治区指定有公开载体的…", "2．", "3、"
    (re.compile(r"^\d{1,2}\s*[.．、](?!\d)"), 3),
    # "（1）加强组织领导"
    (re.compile(r"^[（(]\s*\d{1,2}\s*[）)]"), 4),
]
# "——市场为主，政府引导。" — a dash bullet starts its own paragraph.
DASH_BULLET = re.compile(r"^[—―-]{2}")
# "第五十条【政府诚信履约】 市人民政府…" — an article of a regulation starts a paragraph.
ARTICLE = re.compile(rf"^第[{CN_NUM}\d]+条")
# "[6] 一核三区：…" — a numbered note starts a paragraph.
NOTE = re.compile(r"^\[\d{1,3}\]")
# "〔牵头单位：市政管办；配合单位：…〕" — a lead-unit bracket continues the paragraph above.
LEAD_BRACKET = re.compile(r"^[〔\[【]")
# Punctuation that marks running text rather than a title or heading.
RUNNING_TEXT = re.compile(r"[，,、。；;！？!?：:]")


def heading_marker(text: str) -> tuple[int, int] | None:
    """(depth, length of the marker) when text opens with a heading number, else None."""
    for pattern, depth in HEADING_MARKERS:
        match = pattern.match(text)
        if match:
            return depth, match.end()
    return None


def is_date_line(text: str) -> bool:
    return bool(DATE_LINE.match(text))


def is_doc_number_line(text: str) -> bool:
    """True for a line holding only a 文号, or a 成文日期 and a 文号."""
    return bool(DOC_NUMBER_LINE.match(text) or DATE_AND_NUMBER_LINE.match(text))


def issuer_from_title(title: str) -> str | None:
    """The issuing body a title opens with (贺州市人民政府办公室关于… → 贺州市人民政府办公室), or None."""
    match = ISSUER_PREFIX.match(title)
    if not match:
        return None
    return match.group("issuer").strip()
