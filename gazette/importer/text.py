"""Text normalisation shared by every importer step.

One place for: decoding uploaded bytes, full-width/half-width and whitespace clean-up,
removing spaces a PDF converter left between Chinese characters, Markdown residue,
文号 normalisation and Chinese dates.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import unicodedata

from .errors import GazetteFileError

CJK = r"\u3400-\u9fff\uf900-\ufaff"
# Chinese punctuation a stray space may sit next to: 。，、；：？！“”‘’（）《》〔〕【】—…·
CJK_PUNCT = r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff1f\uff3b-\uff3d\u2018-\u201d\u2014\u2026\u00b7"

# "贺州市人民政府关于 市长副市长工作分工调整的通知" — a space left where a title line broke.
SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{CJK}{CJK_PUNCT}])[ \t\u3000\u00a0]+(?=[{CJK}{CJK_PUNCT}])")

# Brackets a 文号 year may be written in: 〔2018〕 [2018] (2018) 【2018】 ［2018］ （2018） 〖2018〗
YEAR_OPEN = "〔\\[(【［（〖｛{"
YEAR_CLOSE = "〕\\])】］）〗｝}"
# 贺政办发〔2018〕139号, 贺政办发[2018]139号, 贺政办发 2018 139号, 柳政办〔2023〕10号, 桂政发〔2019〕 5 号,
# 鲁汛旱办明电[2020]的43号 (a 的 typed or recognised where 第 belongs)
DOC_NUMBER = re.compile(
    rf"(?P<code>[{CJK}A-Za-z]{{1,14}}?)\s*"
    rf"(?:[{YEAR_OPEN}]\s*(?P<year>(?:19|20)\d\d)\s*[{YEAR_CLOSE}]|\s+(?P<year2>(?:19|20)\d\d)\s+)"
    r"\s*[第的]?\s*(?P<seq>\d{1,5})\s*号"
)

# 政府令 numbers have no year and are kept whole: "柳州市人民政府令第12号", "柳州市人民政府令 第 12 号",
# "（广西壮族自治区人民政府令第156号）".
DECREE_NUMBER = re.compile(rf"(?P<issuer>[{CJK}]{{2,30}}?(?:人民政府|政府))令\s*[（(]?\s*第\s*(?P<seq>\d{{1,5}})\s*号")

# "…推进旅游业高质量发展若干措施的通知市政发" — words that end a title (or lead into a
# citation), so a 文号 code glued to them by a converter starts after the last of them.
CODE_LEAD_IN = re.compile(
    r"^.*(?:的|通知|通报|决定|意见|批复|办法|方案|规定|公告|通告|报告|规划|细则|要点|纪要|请示|根据|依据|按照|参照|和|及|与)"
)

# 2019年2月27日, 2023 年 12 月 24 日
DATE_ARABIC = re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
# 二〇一九年二月二十七日, 二○一八年十二月三十一日
DATE_CHINESE = re.compile(
    r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日"
)
CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

# Markdown residue from other converters: **bold**, \_ escapes, <p> and <br> inside table cells.
MD_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
HTML_BREAK = re.compile(r"<\s*(?:br|/?p)\s*/?\s*>", re.IGNORECASE)
HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")

ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def decode_bytes(data: bytes, *, name: str = "file") -> str:
    """Decode an uploaded gazette: UTF-8 (with or without BOM), UTF-16, then GB18030.

    Raises GazetteFileError if the file is empty, binary, or in none of these encodings.
    """
    if not data or not data.strip():
        raise GazetteFileError(f"{name}: 文件是空的")
    candidates: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        candidates.append("utf-8-sig")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates.append("utf-16")
    # UTF-16 without a BOM is tried last: GB18030 would read its NUL bytes as text.
    candidates.extend(["utf-8", "gb18030", "utf-16-le", "utf-16-be"])
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            if encoding.startswith("utf-8") and exc.reason == "unexpected end of data" and _is_utf8(data[: exc.start]):
                raise GazetteFileError(
                    f"{name}: 文件在一个字符的中间结束，看来不完整（复制或下载时被截断），未导入任何内容"
                ) from exc
            continue
        if not text.strip() or _looks_binary(text):
            continue
        return text.removeprefix("\ufeff")
    raise GazetteFileError(f"{name}: 不是 UTF-8、UTF-16 或 GB18030 编码的文本（二进制数据或未知编码）")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _looks_binary(text: str) -> bool:
    """True if decoded text has NULs, many control characters, or is not mostly Chinese/ASCII.

    The last test rejects binary that happens to decode as UTF-16 or GB18030: such text is
    scattered over the whole of Unicode, while a gazette is ASCII, CJK and CJK punctuation.
    """
    sample = text[:20000]
    if "\x00" in sample:
        return True
    bad = sum(1 for ch in sample if (unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs") and ch not in "\n\r\t\f\v"))
    if bad > max(8, len(sample) // 200):
        return True
    usual = sum(
        1
        for ch in sample
        if ch < "\u0250" or "\u2000" <= ch <= "\u33ff" or "\u4e00" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"
    )
    return usual < len(sample) * 0.9


def normalise_line(line: str) -> str:
    """Clean one line of converter output for reading and matching.

    Folds ASCII-range full-width letters and digits to half-width (Ｂ→B, ２０１８→2018) but keeps
    Chinese punctuation as published; turns ideographic and no-break spaces into plain
    spaces; removes zero-width characters, Markdown bold and escapes, and the spaces a
    converter left between Chinese characters; trims the line.
    """
    # Each step runs only on lines it can change: most lines need none of them, and the parser
    # normalises every line and piece of a file several times.
    if LINE_TABLE_CHAR.search(line):
        line = line.translate(LINE_TABLE)
    if "*" in line or "_" in line:
        line = MD_BOLD.sub(lambda m: m.group(1) or m.group(2), line)
    if "\\" in line:
        line = MD_ESCAPE.sub(r"\1", line)
    if " " in line or "\t" in line:
        line = SPACE_BETWEEN_CJK.sub("", line)
    return line.strip()


# Full-width digits and Latin letters only (０-９ Ａ-Ｚ ａ-ｚ); punctuation such as （）：，stays Chinese.
FOLD_WIDTH = {
    code: code - 0xFEE0
    for start, end in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for code in range(start, end + 1)
}
# What normalise_line translates: zero-width characters removed, full-width digits and letters
# folded, ideographic and no-break spaces made plain (no result is itself in the table).
LINE_TABLE = {**ZERO_WIDTH, **FOLD_WIDTH, 0x3000: " ", 0x00A0: " "}
# "２０１８年" | "市　商务局": a line with a character LINE_TABLE changes.
LINE_TABLE_CHAR = re.compile("[" + re.escape("".join(map(chr, LINE_TABLE))) + "]")


def clean_cell(cell: str) -> str:
    """Plain text of a table cell: <p>/<br> become line breaks, other tags go, lines normalised."""
    cell = HTML_BREAK.sub("\n", cell)
    cell = HTML_TAG.sub("", cell)
    lines = [normalise_line(part) for part in cell.split("\n")]
    return "\n".join(part for part in lines if part)


def join_wrapped(parts: list[str]) -> str:
    """Join hard-wrapped pieces of one paragraph: no space between Chinese, one between Latin words."""
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and re.match(r"[A-Za-z0-9]", part[:1]) and re.search(r"[A-Za-z0-9.,;:]$", out):
            out += " " + part
        else:
            out += part
    return normalise_line(out) if out else ""


def normalise_doc_number(text: str) -> str | None:
    """The first 文号 in text written canonically as 贺政办发〔2018〕139号, or None."""
    parts = split_doc_number(text)
    if not parts:
        return None
    code, year, seq = parts
    return f"{code}〔{year}〕{seq}号"


def split_doc_number(text: str) -> tuple[str, int, int] | None:
    """(office code, year, sequence) of the first 文号 in text, or None."""
    found = find_doc_number(normalise_line(text))
    return found[2] if found else None


def find_doc_number(text: str) -> tuple[int, int, tuple[str, int, int]] | None:
    """(start, end, (code, year, sequence)) of the first 文号 in one normalised line, or None.

    The code starts after any title words a converter glued to it:
    "…若干措施的通知市政发〔2024〕5号" → 市政发, starting after 通知.
    """
    # "2022年1月29日柳政办〔2022〕9号": blank the date so its 日 is not read as part of the code.
    blanked = DATE_ARABIC.sub(lambda m: " " * len(m.group()), text)
    match = DOC_NUMBER.search(blanked)
    if not match:
        return None
    code = match.group("code")
    lead_in = CODE_LEAD_IN.match(code)
    if lead_in and lead_in.end() < len(code):
        code = code[lead_in.end() :]
    year = match.group("year") or match.group("year2")
    start = match.start("code") + len(match.group("code")) - len(code)
    return start, match.end(), (code, int(year), int(match.group("seq")))


def find_decree_number(text: str) -> tuple[int, int, str] | None:
    """(start, end, number) of the first 政府令 number in one normalised line, written 柳州市人民政府令第12号."""
    match = DECREE_NUMBER.search(text)
    if not match:
        return None
    return match.start(), match.end(), f"{match.group('issuer')}令第{int(match.group('seq'))}号"


def parse_date(text: str) -> dt.date | None:
    """The first Chinese date in text (2019年2月27日 or 二〇一九年二月二十七日), or None."""
    match = DATE_ARABIC.search(text)
    if match:
        return _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = DATE_CHINESE.search(text)
    if match:
        year = int("".join(str(CN_DIGITS[c]) for c in match.group(1)))
        return _safe_date(year, chinese_number(match.group(2)), chinese_number(match.group(3)))
    return None


def chinese_number(text: str) -> int:
    """Value of a small Chinese numeral (一 … 九十九): 十二 → 12, 二十七 → 27."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (CN_DIGITS.get(ones, 0) if ones else 0)
    value = 0
    for ch in text:
        value = value * 10 + CN_DIGITS.get(ch, 0)
    return value


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
