"""Step 0b of the importer: put back the line breaks of a document copied without them.

Reads the text of a file whose document runs on one line (copied from a web page or a chat
that dropped every line break) and writes the same text with a line break between the parts
of a 公文, found from their shapes: 发文机关标志 (…文件), 发文字号, 标题, 主送机关 (…：),
正文 paragraphs and their headings (一、 （一） 1. （1） 第X章 第X条), 附件说明, 落款 (one or
several bodies) and 成文日期, 版记 (抄送：, …印发). Text with its line breaks is left alone.
"""

from __future__ import annotations

import re

from .patterns import ORG_LINE, RECIPIENT_HINT
from .text import CJK, DATE_ARABIC, DATE_CHINESE, DOC_NUMBER

# A text has lost its line breaks when one line holds this share of it, and is at least this long…
LOST_SHARE = 0.8
LOST_MIN_CHARS = 200
# …and the text has at most this many lines (a title above the rest, a note below).
LOST_MAX_LINES = 5
# "　　一、总体要求　　2019年…" — two or more spaces where a copy kept a paragraph's indent.
INDENT_GAP = re.compile(r"[ \u3000\u00a0]{2,}")
# "发展改革委办公厅税务总局办公厅文件发改办财金规〔2019〕860号…" — a 发文机关标志 opening the text.
MASTHEAD = re.compile(rf"^[{CJK}（）() \u3000]{{2,60}}?文件(?=\S)")
# 文号 and 主送 are found within this many characters of the start.
HEAD_REACH = 200
# "…的通知", "…实施方案", "…管理办法" — words a title ends with.
TITLE_END = re.compile(
    r"(?:通知|通报|意见|决定|办法|方案|规定|批复|复函|函|公告|通告|报告|纪要|规划|细则|要点|请示|条例|措施|计划|清单"
    r"|规则|答复|决议|命令|指引|指南|标准|制度)"
)
# A title is at least this long and at most this long.
TITLE_MIN_CHARS, TITLE_MAX_CHARS = 6, 120
# "各省、自治区、直辖市…办公厅（室）：" — 主送机关 ends in a colon before the first sentence.
RECIPIENTS = re.compile(r"^(?P<to>[^。！？：:]{2,250}?)[：:]")
# Sentence ends after which a heading or paragraph may start.
SENTENCE_END = "。！？；：!?;:"
# "一、", "（一）", "1.", "（1）", "第一章", "第五条" — markers a heading or numbered paragraph opens with.
HEADING_START = re.compile(
    r"(?P<marker>[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|(?<![\d.])\d{1,2}[.．](?!\d)"
    r"|[（(]\d{1,2}[）)]|第[一二三四五六七八九十百零〇]{1,5}[章条])"
)
# Depth of each marker kind, to tell a sub-heading glued to its heading: 二、…机制（一）全面实施…
MARKER_DEPTH = (
    (re.compile(r"^第.+章"), 0),
    (re.compile(r"^[一二三四五六七八九十]"), 1),
    (re.compile(r"^[（(][一二三四五六七八九十]"), 2),
    (re.compile(r"^\d"), 3),
    (re.compile(r"^[（(]\d"), 4),
    (re.compile(r"^第.+条"), 5),
)
# A heading glued to the next one is at most this long: "二、建立个人所得税纳税信用管理机制".
GLUED_HEADING_MAX_CHARS = 40
# "附件：1.…" — the 附件说明 after the text.
ATTACHMENTS = re.compile(r"附\s*件\s*[：:]")
# "1.贺州市编制…名单", "2.贺州市本级…清单" — an item of the 附件说明.
ATTACHMENT_ITEM = re.compile(r"(?<![\d.])(?P<number>\d{1,2})[.．、](?!\d)")
# "抄送：…", "…办公室2019年8月21日印发" — the 版记 at the end.
COPY_TO = re.compile(r"抄\s*送\s*[：:]|抄\s*报\s*[：:]")
PRINTED = re.compile(rf"[{CJK}（）()]{{2,40}}(?:{DATE_ARABIC.pattern}|{DATE_CHINESE.pattern})\s*印\s*发")
# "（此件公开发布）" — the 附注 after the date.
PUBLICITY_NOTE = re.compile(r"[（(]此件[^）)]{2,8}[）)]")
# A 落款 date sits within this many characters of the end of the text (or of the 版记).
DATE_REACH = 40
# Where a joint 落款 may be split between two bodies: after one of these endings, the longer
# ones tried first ("国家发展改革委办公厅税务总局办公厅" splits after 办公厅, not after 委).
ORG_ENDINGS = (
    re.compile(r"人民政府办公室|人民政府办公厅|办公厅|办公室|委员会|人民政府"),
    re.compile(r"总局|管理局|局|厅|委|办|院|部"),
)


# The 落款 run: Chinese characters (and spaces between joint bodies) at the very end, at most this long.
SIGNER_RUN = re.compile(rf"[{CJK}\u3000 ]{{2,80}}$")


def lost_line_breaks(text: str) -> bool:
    """True when the text's document runs on (nearly) one line."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines or len(lines) > LOST_MAX_LINES:
        return False
    longest = max(len(line) for line in lines)
    return longest >= LOST_MIN_CHARS and longest >= LOST_SHARE * sum(len(line) for line in lines)


def restore_line_breaks(text: str) -> str:
    """The text with line breaks between the parts of its document, when it lost them; else the text."""
    if not lost_line_breaks(text):
        return text
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if len(line) < LOST_MIN_CHARS:
            if line:
                out.append(line)
            continue
        out.extend(split_document(line, head=not out))
    return "\n".join(out) + "\n"


def split_document(text: str, *, head: bool) -> list[str]:
    """The parts of one document run together on one line, one a line."""
    lines: list[str] = []
    rest = text
    if head:
        lines, rest = split_head(rest)
    tail: list[str] = []
    rest, tail = split_tail(rest)
    for piece in INDENT_GAP.split(rest):
        lines.extend(split_body(piece.strip()))
    return [line for line in lines + tail if line.strip()]


def split_head(text: str) -> tuple[list[str], str]:
    """发文机关标志, 文号, title and 主送 off the start of the text; returns them and the rest."""
    lines: list[str] = []
    rest = text.lstrip(" \u3000")
    masthead = MASTHEAD.match(rest)
    if masthead and DOC_NUMBER.match(rest[masthead.end() :].lstrip()):
        lines.append(masthead.group())
        rest = rest[masthead.end() :].lstrip()
    number = DOC_NUMBER.match(rest)
    if number:
        lines.append(number.group())
        rest = rest[number.end() :].lstrip(" \u3000")
    title_end = find_title_end(rest)
    if title_end:
        lines.append(rest[:title_end].strip())
        rest = rest[title_end:].lstrip(" \u3000")
        number = DOC_NUMBER.match(rest)
        if number and not lines[0:1] == [number.group()]:
            lines.append(number.group())
            rest = rest[number.end() :].lstrip(" \u3000")
    recipients = RECIPIENTS.match(rest[: HEAD_REACH + 1])
    if recipients and RECIPIENT_HINT.search(recipients.group("to")) and "，" not in recipients.group("to")[-1:]:
        lines.append(recipients.group())
        rest = rest[recipients.end() :].lstrip(" \u3000")
    return lines, rest


def find_title_end(text: str) -> int | None:
    """Where the title at the start of text ends: after its last title word before a 文号, 主送 or the body."""
    candidates: list[int] = []
    depth = 0
    for position, char in enumerate(text[: TITLE_MAX_CHARS + 10]):
        if char in "《（(“":
            depth += 1
        elif char in "》）)”":
            depth -= 1
        if char in "。；，、：" and depth == 0 and position < TITLE_MIN_CHARS:
            return None
        if char in "。；：" and depth == 0:
            break
        if depth:
            continue
        match = TITLE_END.match(text, position)
        if (
            match
            and match.end() >= TITLE_MIN_CHARS
            and text[match.end() : match.end() + 1] not in ("的", "和", "及", "、", "》", "）", ")")
        ):
            candidates.append(match.end())
    for end in candidates:
        after = text[end:].lstrip(" \u3000")
        if DOC_NUMBER.match(after):
            return end
        recipients = RECIPIENTS.match(after[: HEAD_REACH + 1])
        if recipients and RECIPIENT_HINT.search(recipients.group("to")):
            return end
    return candidates[0] if candidates else None


def split_body(text: str) -> list[str]:
    """Paragraphs of body text: a break before each heading marker that follows a sentence end or a short heading."""
    lines: list[str] = []
    start = 0
    for match in HEADING_START.finditer(text):
        position = match.start()
        if position == start:
            continue
        before = text[start:position]
        if (
            before.rstrip()[-1:] in SENTENCE_END
            or before.rstrip().endswith(("”", "〕", "】"))
            and before.rstrip()[-2:-1] in SENTENCE_END
        ):
            lines.append(before.strip())
            start = position
        elif glued_heading(before, match.group("marker")):
            lines.append(before.strip())
            start = position
    lines.append(text[start:].strip())
    out: list[str] = []
    for line in lines:
        attachment = ATTACHMENTS.search(line)
        if attachment and (attachment.start() == 0 or line[: attachment.start()].rstrip()[-1:] in SENTENCE_END):
            if attachment.start() > 0:
                out.append(line[: attachment.start()].strip())
            out.extend(attachment_items(line[attachment.start() :].strip()))
        elif out and ATTACHMENTS.match(out[-1]) and ATTACHMENT_ITEM.match(line):
            # "附件：" split from its first item "1.…" above: they are one line of the 附件说明.
            out[-1:] = attachment_items(out[-1] + line)
        else:
            out.append(line)
    return out


def attachment_items(text: str) -> list[str]:
    """The 附件说明 "附件：1.…2.…" with each further item on a line of its own (numbered one after another)."""
    items: list[str] = []
    start = 0
    expected = 2
    for match in ATTACHMENT_ITEM.finditer(text):
        if int(match.group("number")) == expected and match.start() > start:
            items.append(text[start : match.start()].strip())
            start = match.start()
            expected += 1
    items.append(text[start:].strip())
    return items


def glued_heading(before: str, marker: str) -> bool:
    """True when before is a short heading that a deeper heading follows without a break."""
    opened = HEADING_START.match(before)
    if not opened or len(before) > GLUED_HEADING_MAX_CHARS or any(mark in before for mark in "。，；："):
        return False
    return depth_of(marker) > depth_of(opened.group("marker"))


def depth_of(marker: str) -> int:
    return next((depth for pattern, depth in MARKER_DEPTH if pattern.match(marker)), 9)


def split_tail(text: str) -> tuple[str, list[str]]:
    """The 落款 bodies, 成文日期, 附注 and 版记 off the end of the text; returns the rest and them."""
    tail: list[str] = []
    rest = text.rstrip(" \u3000")
    copy_to = COPY_TO.search(rest)
    if copy_to and copy_to.start() > len(rest) // 2:
        colophon = rest[copy_to.start() :]
        rest = rest[: copy_to.start()].rstrip(" \u3000")
        printed = PRINTED.search(colophon)
        tail = [colophon[: printed.start()].strip(), printed.group().strip()] if printed else [colophon]
    note = PUBLICITY_NOTE.search(rest[-20:])
    notes: list[str] = []
    if note and rest.endswith(note.group()):
        notes = [note.group()]
        rest = rest[: -len(note.group())].rstrip(" \u3000")
    dates = list(re.finditer(rf"{DATE_ARABIC.pattern}|{DATE_CHINESE.pattern}", rest[-DATE_REACH:]))
    if not dates or not rest.endswith(dates[-1].group()):
        return rest, notes + tail
    date = dates[-1].group()
    rest = rest[: -len(date)].rstrip(" \u3000")
    # The 落款 is the run of Chinese characters before the date: "…良好风尚。国家发展改革委办公厅…",
    # "…（详见附件2-3）贺州市人民政府办公室".
    signed = SIGNER_RUN.search(rest)
    signers = split_signers(signed.group()) if signed else []
    if signers:
        rest = rest[: signed.start()]
    return rest, signers + [date] + notes + tail


def split_signers(text: str) -> list[str]:
    """The bodies of a 落款 run together: 国家发展改革委办公厅税务总局办公厅 → both; [] if text is no 落款."""
    if not text or not ORG_LINE.match(text.replace(" ", "").replace("\u3000", "")):
        return []
    pieces = [piece for piece in INDENT_GAP.split(text) if piece]
    if len(pieces) > 1 and all(ORG_LINE.match(piece) for piece in pieces):
        return pieces
    names: list[str] = []
    rest = text.replace(" ", "").replace("\u3000", "")
    while rest:
        split = next(
            (
                match.end()
                for endings in ORG_ENDINGS
                for match in endings.finditer(rest)
                if min(match.end(), len(rest) - match.end()) >= 4
                and ORG_LINE.match(rest[: match.end()])
                and ORG_LINE.match(rest[match.end() :])
            ),
            None,
        )
        if split is None:
            names.append(rest)
            break
        names.append(rest[:split])
        rest = rest[split:]
    return names
