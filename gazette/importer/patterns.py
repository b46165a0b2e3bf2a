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
# "2.贺州市本级“一事通办”事项清单…", "3. 政府采购项目…", "2.2024年桂林市市级重大前期项目计划表" —
# a further item of the 附件说明 (a number then a year is an item; "2.5亿元" is not).
NUMBERED_ITEM = re.compile(r"^(?P<num>\d{1,2})\s*[.．、]\s*(?!\d(?!\d{3}\s*年))(?P<text>.+)$")
# "附件", "附件1", "附件 2-1", "附件：" alone — the head of an attachment's body.
ATTACHMENT_HEAD = re.compile(r"^附\s*件\s*[\d\-－一二三四五六七八九十]*\s*[：:]?$")
# "贺州市人民政府办公室关于印发…的通知" → issuer before 关于/印发/转发;
# "广西壮族自治区人民政府任免国家工作人员" → issuer before 任免.
ISSUER_PREFIX = re.compile(
    r"^(?P<issuer>[\u3400-\u9fff（）()“”、 ]{2,80}?"
    r"(?:人民政府|政府|办公室|办公厅|委员会|党委|局|厅|委|办|署|院|部|会|中心|处|组|部门|公司|银行|海关|总局|分局))"
    r"\s*(?:关于|印发|转发|批转|公布|任免)"
)
# 发文机关标志, the red masthead over a document: "南宁市人民政府文件",
# "中共桂林市委办公室 桂林市人民政府办公室文件", "广西壮族自治区人民政府办公厅文件".
ISSUER_MARK = re.compile(
    r"^[\u3400-\u9fff（）() ]{2,60}?(?:人民政府|政府|办公室|办公厅|委员会|党委|市委|局|厅|委|办|部|院)\s*文件$"
)
# The head of a 政府令: "柳州市人民政府令" with "第12号" on the next line, or both on one line.
DECREE_HEAD = re.compile(r"^(?P<issuer>[\u3400-\u9fff]{2,30}?(?:人民政府|政府))令(?:\s*第\s*(?P<seq>\d{1,5})\s*号)?$")
# "第12号", "第 12 号" — the decree's number on the line under its head.
DECREE_SEQ_LINE = re.compile(r"^第\s*(?P<seq>\d{1,5})\s*号$")
# "市长　张某某", "自治区主席 蓝某某" — who signs a 政府令's 公布令.
DECREE_SIGNER = re.compile(r"^(?:自治区主席|主席|省长|市长|州长|盟长|县长|区长|旗长)\s*[\u3400-\u9fff]{2,4}$")
# Lines printed above the title with the masthead: "签发人：张某某", "000123" (份号),
# "机密★1年" (密级), "特急" (紧急程度).
MASTHEAD_LINE = re.compile(
    r"^(?:签\s*发\s*人\s*[：:].{1,30}|\d{6}|(?:绝密|机密|秘密)(?:\s*★.{0,10})?|特急|加急|特提|平急)$"
)
# 版记 and 附注 after the signature, which are not body text:
#   "抄送：市委各部门，市人大常委会办公厅，…"  "公开方式：主动公开"  "（此件公开发布）"
COLOPHON_COPY_TO = re.compile(r"^(?:抄\s*送|抄\s*报|分\s*送)\s*[：:]")
PUBLICITY_LINE = re.compile(
    r"^(?:公开方式\s*[：:]\s*\S{2,8}|[（(]\s*此件(?:公开发布|主动公开|不予公开|依申请公开|不公开|删减后公开)\s*[）)]|信息公开选项\s*[：:]\s*\S{2,8})$"
)
# "南宁市人民政府办公室　　2024年2月29日印发", "2023 年 5 月 18 日印发" — the 印发机关和印发日期.
PRINTED_LINE = re.compile(
    rf"^(?:[\u3400-\u9fff（）()]{{2,40}}\s*)?(?:{DATE_ARABIC.pattern}|{DATE_CHINESE.pattern})\s*印\s*发$"
)
# "— 12 —", "- 3 -", "·12·", "第 3 页", "3/40" — a page number printed alone on a line.
PAGE_NUMBER_LINE = re.compile(
    r"^(?:[—―\-－–·•]+\s*\d{1,4}\s*[—―\-－–·•]+|第\s*\d{1,4}\s*页(?:\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})$"
)
# A page's running header: "南宁市人民政府公报 2024年第3期", "桂林市人民政府公报 — 4 —",
# "2024年第5期 广西壮族自治区人民政府公报", "钦州市人民政府公报".
_ISSUE_MARK = r"(?:(?:19|20)\d\d\s*年\s*)?第\s*\d{1,3}\s*期(?:\s*[（(]?\s*总第\s*\d{1,5}\s*期\s*[）)]?)?"
_PAGE_MARK = r"(?:[—―\-－–·•]+\s*\d{1,4}\s*[—―\-－–·•]+|\d{1,4})"
RUNNING_HEADER = re.compile(
    rf"^(?:{_PAGE_MARK}\s*)?(?:{_ISSUE_MARK}\s*)?[\u3400-\u9fff]{{2,30}}公报\s*(?:{_ISSUE_MARK})?\s*(?:{_PAGE_MARK})?$"
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
    # "1.国家和自治区指定有公开载体的…", "2．", "3、", "1.2024年底前完成…"
    (re.compile(r"^\d{1,2}\s*[.．、](?!\d(?!\d{3}\s*年))"), 3),
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


def is_page_furniture(text: str) -> bool:
    """True for a running header or a page number printed between the lines of a page."""
    return bool(PAGE_NUMBER_LINE.match(text) or RUNNING_HEADER.match(text))


def is_masthead_line(text: str) -> bool:
    """True for a line printed above a document's title: 发文机关标志, 文号, 签发人, 份号, 密级."""
    return bool(ISSUER_MARK.match(text) or MASTHEAD_LINE.match(text) or is_doc_number_line(text))


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
