"""Step 1 of the importer: split converter output into normalised lines.

Reads the raw text of a gazette file (PDF-converter text or Markdown) and writes a list of
`Line`s: blank lines dropped, every text line cleaned by `text.normalise_line`, Markdown
`#` headings unmarked (the marker kept as `Line.md_heading`), tab-separated and pipe-table
rows split into cleaned cells (`Line.cells`), pipe-table separator rows dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import CJK, clean_cell, normalise_line

# "## 贺州市人民政府关于市长副市长工作分工调整的通知" — a Markdown ATX heading.
MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
# "| 序号 | 改革事项 | 完成时限 |" — a Markdown pipe-table row.
MD_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
# "|---|:---:|---|" — the separator under a pipe-table header.
MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
# "---" / "***" — a Markdown thematic break; carries no text.
MD_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
# "![](media/image1.png)" — an image with no text.
MD_IMAGE = re.compile(r"^\s*!\[[^\]]*\]\([^)]*\)\s*$")
# "<http://www.dg.gov.cn/hdjlpt/yjzj/answer/27038>" — a Markdown autolink: keep the address.
AUTOLINK = re.compile(r"<((?:https?://|www\.)[^<>\s]+)>")
# "<p>", "</span>", "<br/>" — HTML a converter left in the text.
HTML_TAG = re.compile(r"</?(?:p|br|span|div|font|b|i|u|strong|em|sup|sub|td|tr|th|table|tbody|thead)\b[^<>]*>", re.I)
# A pipe that separates cells: not escaped as "\|".
CELL_SPLIT = re.compile(r"(?<!\\)\|")
# "桂林市发展和改革委员会　　　桂林市财政局" — the wide gap between names set side by side
# (joint signatures); a single ideographic space counts, as converters keep it for layout.
WIDE_GAP = re.compile(r"[ \u00a0]{2,}|\u3000+|\t")
# "海南省人力资源和社会保障厅 海南省发展和改革委员会" — names side by side with one space count
# as pieces only when each is this long (a converter's stray space splits shorter bits).
MIN_SPACED_PIECE = 5
# "柳州市 2022年" — a space a converter left between Chinese and a number inside a title.
SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{CJK}》《“”（）〔〕])\s+|\s+(?=[{CJK}《》“”（）〔〕])")


@dataclass
class Line:
    """One non-blank line of the file, normalised."""

    text: str
    number: int
    # Cells of a table row (tab-separated or a Markdown pipe row), else None.
    cells: list[str] | None = None
    # Number of '#' when the line was a Markdown heading, else None.
    md_heading: int | None = None
    # The pieces of a line printed with wide gaps between them ("桂林市发改委　　桂林市财政局"),
    # normalised; None when the line has no such gap.
    pieces: tuple[str, ...] | None = None

    @property
    def is_row(self) -> bool:
        return self.cells is not None


def split_lines(text: str) -> list[Line]:
    """Normalised non-blank lines of a file, with table rows split into cells."""
    out: list[Line] = []
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if not raw.strip() or MD_RULE.match(raw) or MD_IMAGE.match(raw):
            continue
        if MD_TABLE_ROW.match(raw):
            if MD_TABLE_RULE.match(raw):
                continue
            inner = raw.strip()[1:-1]
            cells = [clean_cell(AUTOLINK.sub(r"\1", cell.replace("\\|", "|"))) for cell in CELL_SPLIT.split(inner)]
            out.append(Line(text="\t".join(cells), number=number, cells=cells))
            continue
        if "\t" in raw.strip("\n\r") and raw.strip():
            cells = [clean_cell(AUTOLINK.sub(r"\1", cell)) for cell in raw.rstrip("\n").split("\t")]
            # Trailing empty cells come from a trailing tab only when every cell is empty.
            filled = [cell for cell in cells if cell]
            # "标题\t" with one filled cell out of two is text with a stray tab, not a table.
            if filled and not (len(cells) <= 2 and len(filled) == 1 and cells[0]):
                out.append(Line(text="\t".join(cells), number=number, cells=cells))
                continue
            raw = " ".join(filled)
        heading = MD_HEADING.match(raw)
        level = None
        if heading:
            level = len(heading.group(1))
            raw = heading.group(2)
        raw = AUTOLINK.sub(r"\1", raw)
        line = normalise_line(clean_cell(raw).replace("\n", " ")) if HTML_TAG.search(raw) else normalise_line(raw)
        if line:
            out.append(Line(text=line, number=number, md_heading=level, pieces=side_by_side(raw)))
    return out


def side_by_side(raw: str) -> tuple[str, ...] | None:
    """The pieces of a raw line set side by side with gaps between them, or None for one piece."""
    if len(raw.split(maxsplit=1)) < 2:  # no whitespace between its first and last characters
        return None
    parts = [normalise_line(part) for part in WIDE_GAP.split(raw.strip())]
    pieces = tuple(part for part in parts if part)
    if len(pieces) > 1:
        return pieces
    pieces = tuple(raw.split())
    if len(pieces) > 1 and all(len(piece) >= MIN_SPACED_PIECE for piece in pieces):
        return tuple(normalise_line(piece) for piece in pieces)
    return None


def compact(text: str) -> str:
    """Text reduced for matching: no whitespace, brackets and quotes folded to one form."""
    return re.sub(r"\s+", "", text.translate(FOLD_FOR_MATCH))


def tidy_title(text: str) -> str:
    """A title as published: stray spaces next to Chinese characters removed."""
    return SPACE_NEXT_TO_CJK.sub("", normalise_line(text)).strip()


# Fold the bracket and punctuation variants a title is printed with in TOC and body.
FOLD_FOR_MATCH = str.maketrans(
    {
        "(": "（",
        ")": "）",
        "[": "〔",
        "]": "〕",
        "【": "〔",
        "】": "〕",
        "［": "〔",
        "］": "〕",
        "〈": "《",
        "〉": "》",
        "<": "《",
        ">": "》",
        '"': "“",
        "”": "“",
        "‘": "“",
        "’": "“",
        "'": "“",
        "，": ",",
        "：": ":",
        "；": ";",
        "—": "-",
        "–": "-",
        "－": "-",
        "~": "-",
        "～": "-",
        "、": ",",
        "·": "",
        "•": "",
        "◆": "",
        "●": "",
        "■": "",
        "★": "",
    }
)
