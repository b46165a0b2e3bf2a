"""Deadlines (完成时限) as dates: a task's deadline text → the day it is due, and whether it is ongoing.

Pure Python, no Django. Reads the text a task table or assignment bracket gives as its 完成时限
and writes a `Deadline`; `read_task_deadlines` fills `TaskRecord.due` and `.ongoing` for one
document's tasks (pipeline step 6) and returns the texts it could not read, which the import
counts and reports. The rules, as a staff member following up would read a plan:

- A day is due on that day: 2023年9月30日前 → 2023-09-30 (前, 以前, 之前 never move a date:
  the period named is the last one allowed, as 年底前 and 6月底前 are).
- A month is due on its last day: 2020年12月, 2024年12月底前 → 12-31; 上旬 the 10th, 中旬
  the 20th, 下旬/底/末 the last day.
- A quarter on its last day (第三季度 → 09-30); 上半年 and 年中 → 06-30; 下半年, 年底, 年末,
  年内 and a year alone (2025年, 到2025年, 2023年度) → 12-31; "十四五"期间 → 2025-12-31.
- Without a year (年底前, 6月底前, 第三季度) the year is the document's; a year written earlier
  in the same text holds for later months (2023年6月、12月底前). A month, quarter or half
  without a year that would end before the document was written is next year's (a plan of
  2022-12-20 saying 3月底前 means 2023-03-31).
- N个月内, N年内, N日内, 半年内 count from the document's date; 立即 is due that day.
- Several dates: the latest is due (a task is done when its last step is). A date followed by
  起 or 开始 (2023年3月起) is when work starts, not a deadline.
- Ongoing (持续推进, 长期推进, 长期坚持, 常态化, 每年…, 每季度, 定期): `ongoing` is True,
  with or without a date ("2022年12月31日，持续推进" is both).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .records import TaskRecord
from .text import CN_DIGITS, chinese_number

# Work that goes on with no end: 持续推进 | 长期推进 | 长期坚持 | 长期 | 持续开展 | 常态化推进 | 每年12月底前
# | 每季度 | 每月 | 每半年 | 定期通报 | 逐年推进 | 常年 | 动态调整 | 滚动实施 | 持续实施
ONGOING = re.compile(
    r"持续|长期|常态|经常|每年|每季|每月|每半年|每周|每个?[\d一二三四五六两]+个?月|定期|逐年|常年|动态|滚动"
)

# A date in Chinese numerals, turned into digits before reading: 二〇二三年十二月三十一日 | 二〇二〇年六月底前
CN_YEAR = re.compile(r"(?P<year>[〇○零一二三四五六七八九]{4})年")
# 十二月 | 六月底前 (not 个月, a duration, which DURATION reads)
CN_MONTH = re.compile(r"(?<![个\d])(?P<month>十[一二]?|[一二三四五六七八九])月")
# 三十一日 | 二十号
CN_DAY = re.compile(r"(?<=\d月)(?P<day>[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])(?:日|号)")

# 2023.12.31 | 2023-12-31 | 2023/6/30 | 2023.12 — digits only, the separators of a table cell.
NUMERIC_DATE = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)[./-](?P<month>\d{1,2})(?:[./-](?P<day>\d{1,2}))?(?![\d年])")

# One date or period in the usual wording, its year written or not:
# 2023年9月30日前 | 2022年12月31日，持续推进 | 2020年12月 | 2024年12月底前完成 | 6月底前 | 9月30号
# | 2023年3月中旬 | 10月中下旬 | 2023年第三季度 | 三季度末 | 2023年上半年 | 下半年 | 年底前 | 2023年年底 | 2025年底
# | 2025年前 | 2023年度 | 年内 | 明年6月底 | 次年一季度
PERIOD = re.compile(
    r"(?:(?P<year>(?:19|20)\d\d)年度?|(?P<relative>今年|本年|当年|明年|次年|下一年|翌年)度?)?"
    r"(?:"
    r"(?P<month>\d{1,2})月(?:份)?(?:(?P<day>\d{1,2})(?:日|号)|(?P<month_part>上中旬|中下旬|上旬|中旬|下旬|中|底|末|内))?"
    r"|第?(?P<quarter>[一二三四1-4])季度(?:末|底)?"
    r"|(?P<half>上半年|下半年|年中|年底|年末|年内|底|末|内)"
    r")?"
)
# After a date, the start of work rather than its deadline: 2023年3月起 | 自2023年1月1日开始 | 以来
STARTS_AFTER = re.compile(r"起|开始|以来|始")
# After a year alone, what makes it not the year's end: the months of a range in that year
# (2023年1-6月 | 2023年1至6月), or a season or holiday no rule dates (2024年春节前 | 2023年汛期前 | 2024年春季开学前)
NOT_YEAR_END_AFTER = re.compile(r"\d|春节|元旦|清明|五一|端午|汛|国庆|中秋|春|夏|秋|冬|暑|寒|开学|两会")

# A time counted from the document's date: 3个月内 | 印发之日起6个月内 | 一年内 | 半年内 | 30日内 | 15个工作日内
# (not the 023年内 of 2023年内)
DURATION = re.compile(
    r"(?<!\d)(?P<count>\d{1,3}|[一二两三四五六七八九十]{1,3}|半)\s*(?:个)?(?P<unit>年|月|日|天|周|工作日)(?:以)?内"
)
# Due the day the document was written: 立即 | 即时 | 立行立改 | 马上
IMMEDIATE = re.compile(r"立即|即时|立行立改|马上")
# A five-year plan's period, ending in its last year: “十四五”期间 | 十四五时期 | "十三五"末
FIVE_YEAR_PLAN = re.compile(r"十(?P<plan>[一二三四五])五[”\"']?(?:期间|时期|末|规划期)")

QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}
QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
HALF_END = {"上半年": (6, 30), "年中": (6, 30)}  # every other half word ends the year
TEN_DAYS = {"上旬": 10, "中旬": 20, "上中旬": 20, "中": 20}  # 下旬, 中下旬, 底, 末: the month's last day
RELATIVE_YEARS = {"今年": 0, "本年": 0, "当年": 0, "明年": 1, "次年": 1, "下一年": 1, "翌年": 1}
# Spaces, and the separators NFKC leaves, dropped before reading: "2022 年 12 月 31 日" | "2023年 12月31日"
SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Deadline:
    """What a deadline text says: the day work is due (if any) and whether it goes on (持续推进)."""

    due: dt.date | None = None
    ongoing: bool = False

    @property
    def read(self) -> bool:
        """Whether the text said anything the follow-up can use: a due date or ongoing work."""
        return self.due is not None or self.ongoing


def read_deadline(text: str | None, *, year: int | None = None, written: dt.date | None = None) -> Deadline:
    """The due date and ongoing flag of a deadline text.

    `year` is the document's year, for texts that give none (年底前, 6月底前); `written` is the
    document's date, from which durations count (3个月内) and before which no deadline without
    a year may fall. Text that says neither gives `Deadline()` (its `read` is False).
    """
    text = normalise_deadline(text or "")
    if not text:
        return Deadline()
    if year is None and written is not None:
        year = written.year
    ongoing = bool(ONGOING.search(text))
    counted, text = _relative_dates(text, written=written)
    dates = [*_periods(text, year=year, written=written), *counted]
    return Deadline(due=max(dates) if dates else None, ongoing=ongoing)


def normalise_deadline(text: str) -> str:
    """Deadline text for reading: full-width folded (NFKC), spaces removed, Chinese numerals of dates as digits."""
    text = SPACES.sub("", unicodedata.normalize("NFKC", text))
    text = CN_YEAR.sub(lambda m: "".join(str(CN_DIGITS[ch]) for ch in m.group("year")) + "年", text)
    text = CN_MONTH.sub(lambda m: f"{chinese_number(m.group('month'))}月", text)
    return CN_DAY.sub(lambda m: f"{chinese_number(m.group('day'))}日", text)


def _periods(text: str, *, year: int | None, written: dt.date | None) -> list[dt.date]:
    """The last day of every date or period the text names, in order; a year carries to later ones."""
    dates = []
    carried: int | None = None
    for match in NUMERIC_DATE.finditer(text):
        day = _day(int(match.group("year")), int(match.group("month")), match.group("day"))
        if day is not None and not STARTS_AFTER.match(text, match.end()):
            dates.append(day)
    text = NUMERIC_DATE.sub(" ", text)
    for match in PERIOD.finditer(text):
        if not match.group(0):
            continue
        written_year = _written_year(match, year)
        if match.group("year") or match.group("relative"):
            carried = written_year
        if _year_alone(match) and NOT_YEAR_END_AFTER.match(text, match.end()):
            continue
        day = _period_end(match, carried if carried is not None else year)
        if day is None or STARTS_AFTER.match(text, match.end()):
            continue
        if carried is None and written is not None and day < written and not _names_year(match):
            day = _period_end(match, day.year + 1)
        if day is not None:
            dates.append(day)
    return dates


def _written_year(match: re.Match, year: int | None) -> int | None:
    if match.group("year"):
        return int(match.group("year"))
    if match.group("relative") and year is not None:
        return year + RELATIVE_YEARS[match.group("relative")]
    return None


def _year_alone(match: re.Match) -> bool:
    return not (match.group("month") or match.group("quarter") or match.group("half"))


def _names_year(match: re.Match) -> bool:
    """True for 年底, 年末, 年内: the document's own year, never moved to the next."""
    return match.group("half") in ("年底", "年末", "年内")


def _period_end(match: re.Match, year: int | None) -> dt.date | None:
    """The last day of the period a PERIOD match names, in `year`; None without a year or for a bad date."""
    if year is None:
        return None
    month, half, quarter = match.group("month"), match.group("half"), match.group("quarter")
    if month:
        return _day(year, int(month), match.group("day"), part=match.group("month_part"))
    if quarter:
        return dt.date(year, *QUARTER_END[QUARTERS[quarter]])
    if half in ("底", "末", "内") and not (match.group("year") or match.group("relative")):
        return None  # 底 alone, with no year before it, names nothing
    if half:
        return dt.date(year, *HALF_END.get(half, (12, 31)))
    return dt.date(year, 12, 31)  # a year alone: 2025年, 2023年度, 明年


def _day(year: int, month: int, day: str | None, *, part: str | None = None) -> dt.date | None:
    """That day, or the month's day a part names (上旬 10, 中旬 20, else the last); None if no such date."""
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    number = int(day) if day else TEN_DAYS.get(part or "", last)
    return dt.date(year, month, number) if 1 <= number <= last else None


def _relative_dates(text: str, *, written: dt.date | None) -> tuple[list[dt.date], str]:
    """Deadlines counted from the document's date (3个月内, 半年内, 30日内, 立即) and a five-year
    plan's end, with the text left once they are cut out (半年内 is not 年内)."""
    dates = [dt.date(2010 + 5 * (chinese_number(m.group("plan")) - 1), 12, 31) for m in FIVE_YEAR_PLAN.finditer(text)]
    if written is not None:
        dates.extend(_after(written, m.group("count"), m.group("unit")) for m in DURATION.finditer(text))
        if IMMEDIATE.search(text):
            dates.append(written)
    return dates, DURATION.sub(" ", FIVE_YEAR_PLAN.sub(" ", text))


def _after(start: dt.date, count: str, unit: str) -> dt.date:
    """The day `count` `unit`s after start (a month counted to the same day, or the month's last)."""
    if count == "半":
        months = 6 if unit == "年" else 0
        days = 15 if unit == "月" else 0
    else:
        number = int(count) if count.isdigit() else chinese_number(count.replace("两", "二"))
        months = {"年": 12 * number, "月": number}.get(unit, 0)
        days = {"日": number, "天": number, "周": 7 * number, "工作日": number * 7 // 5}.get(unit, 0)
    if months:
        month_index = start.month - 1 + months
        year, month = start.year + month_index // 12, month_index % 12 + 1
        start = dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
    return start + dt.timedelta(days=days)


def read_task_deadlines(tasks: Iterable[TaskRecord], *, year: int | None, written: dt.date | None = None) -> list[str]:
    """Set each task's `due` and `ongoing` from its deadline text; the texts that could not be read."""
    unread = []
    for task in tasks:
        deadline = read_deadline(task.deadline, year=year, written=written)
        task.due, task.ongoing = deadline.due, deadline.ongoing
        if task.deadline and not deadline.read:
            unread.append(task.deadline)
    return unread
