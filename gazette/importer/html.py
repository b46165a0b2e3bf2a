"""Step 0 for web pages (.html saved from a government site): the article as the parser's lines.

Reads the bytes of one saved page (BeautifulSoup over lxml) and writes a `WebPage`:

- the article found: the element a government CMS puts a document's text in (TRS_Editor,
  zoom, article-content, …), else the element holding the most paragraph text;
- the site's furniture dropped: scripts, navigation, menus, breadcrumbs (当前位置), share
  bars (分享到), font-size and print links, related links and footers;
- the document's title from the page (ArticleTitle, <h1>) put first when the article's
  text does not open with it;
- paragraphs and <br> as lines, tables as tab-separated rows (a cell's paragraphs kept
  apart by <br>, a colspan followed by empty cells);
- what the page says about the document: its address (<link rel=canonical>, og:url, the
  "saved from url=" note a browser writes), 发布日期 and 索引号, kept as facts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .errors import GazetteFileError
from .text import decode_bytes, parse_date

# Elements that never hold the document's text.
FURNITURE_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "form",
    "nav",
    "header",
    "footer",
    "aside",
    "button",
    "select",
    "input",
    "object",
    "svg",
    "canvas",
    "map",
)
# class/id words of the site's furniture: "breadcrumb", "position", "share", "fontsize", "footer", "xgwz" (相关文章).
FURNITURE_NAME = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|menu|breadcrumbs?|crumbs?|position|location|weizhi|dqwz|share|bdshare|jiathis|social"
    r"|toolbar|tools|fontsize|font-size|zihao|print|dayin|close|guanbi|footer|foot|bottom|copyright|banquan|header"
    r"|top|topbar|sidebar|side|related|xgwz|xgxx|xglj|links|friendlink|search|login|qrcode|ewm|pager|pagination"
    r"|comment|advert|ad|ads|banner|skip|wza|accessibility)(?:$|[-_\s\d])",
    re.I,
)
# class/id of the element a government CMS puts an article's text in.
ARTICLE_NAME = re.compile(
    r"TRS_Editor|TRS_UEDITOR|trs_paper|zoom|article[-_]?(?:content|body|con)?$|content[-_]?(?:text|body|detail)?$"
    r"|pages?[-_]content|news[-_]?(?:content|text|detail)|detail[-_]?(?:content|con|text)?|zwnr|wznr|xxgk[-_]?content"
    r"|main[-_]?text|bt[-_]?content|Custom_UnionStyle|view|text",
    re.I,
)
# Text lines of the page's furniture that stay inside an article element:
# "字号：大 中 小", "【打印本页】【关闭窗口】", "分享到：", "扫一扫在手机打开当前页", "当前位置：首页 > 政策",
# "发布时间：2024-05-06 09:30　浏览次数：12"
FURNITURE_LINE = re.compile(
    r"^(?:【?\s*(?:字号|字体)\s*[：:].{0,12}|.*(?:打印本页|关闭窗口|打印\s*关闭|\[\s*打印\s*\]|【\s*打印\s*】).*"
    r"|分享到\s*[：:]?.{0,30}|.*扫一扫.{0,20}|当前位置\s*[：:].*|您现在的位置\s*[：:].*|浏览次数\s*[：:]?\s*\d*"
    r"|上一篇\s*[：:].*|下一篇\s*[：:].*|来源\s*[：:].{0,30}|责任编辑\s*[：:].{0,20}|【\s*(?:大|中|小)\s*】.*"
    r"|(?:发布时间|发布日期|发布机构|信息来源|点击数|阅读量)\s*[：:].{0,80})$"
)
# "索引号：11450000MB1A62058X/2024-00123", "索 引 号： 000014349/2019-00123" — a page's 索引号.
INDEX_NUMBER = re.compile(r"索\s*引\s*号\s*[：:]?\s*(?P<value>[0-9A-Za-z][0-9A-Za-z/\-_.]{5,60})")
# "发布日期：2024-01-05", "发布时间：2019年08月27日 10:35", "成文日期：2019-08-20" — a page's dates.
PAGE_DATE = re.compile(
    r"(?P<label>发布日期|发布时间|发文日期|成文日期|公开日期|印发日期)\s*[：:]?\s*"
    r"(?P<value>(?:19|20)\d\d\s*(?:[-/.年])\s*\d{1,2}\s*(?:[-/.月])\s*\d{1,2}\s*日?)"
)
# <meta name="PubDate" content="2019-08-27 10:35">, <meta name="firstpublishedtime" …> — the page's own date.
META_DATE_NAMES = ("pubdate", "publishdate", "firstpublishedtime", "publishtime", "createdate")
# <meta name="ArticleTitle" content="…">, og:title — the document's title.
META_TITLE_NAMES = ("articletitle", "og:title", "title")
# "<!-- saved from url=(0066)https://www.gov.cn/zhengce/zhengceku/2019-09/05/content_5427.htm -->"
SAVED_FROM = re.compile(rb"saved from url=\(\d+\)(?P<url>https?://[^\s>]+)", re.I)
# Block-level tags: each starts a line of its own.
BLOCK_TAGS = (
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "section",
    "article",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "center",
    "tr",
    "ul",
    "ol",
    "dl",
)
# An article holds at least this many characters of text; less, and the page has none.
MIN_ARTICLE_CHARS = 20
# "2019-08-27", "2019/8/27", "2019.08.27" — a numeric date.
NUMERIC_DATE = re.compile(r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


@dataclass
class WebPage:
    """The article of a saved page in the parser's line form, and what the page says about it."""

    text: str
    source_url: str | None = None
    published: dt.date | None = None
    # ("索引号", "…"), ("发布日期", "2019-08-27"), ("来源网址", "https://…")
    facts: list[tuple[str, str]] = field(default_factory=list)


def html_page(data: bytes, *, name: str) -> WebPage:
    """The article of a saved web page in the parser's line form, with the page's facts.

    Raises GazetteFileError when the page holds no article text.
    """
    # Imported here, not with the module: a web process that never reads a saved page is spared it.
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page_text(data, name), "lxml")
    source_url = page_url(soup, data)
    title = page_title(soup)
    meta_date = next((meta_content(soup, key) for key in META_DATE_NAMES if meta_content(soup, key)), None)
    whole = soup.get_text("\n")
    facts: list[tuple[str, str]] = []
    index_number = INDEX_NUMBER.search(whole)
    if index_number:
        facts.append(("索引号", index_number.group("value")))
    dated = PAGE_DATE.search(whole)
    published_text = dated.group("value") if dated and dated.group("label") != "成文日期" else meta_date
    published = numeric_date(published_text) if published_text else None
    if published:
        facts.append(("发布日期", published.isoformat()))
    for element in soup.find_all(FURNITURE_TAGS):
        element.decompose()
    for element in soup.find_all(furniture_element):
        element.decompose()
    article = find_article(soup)
    if article is None:
        raise GazetteFileError(f"{name}: 网页中没有找到正文")
    lines = [line for line in element_lines(article) if not FURNITURE_LINE.match(line.strip())]
    lines = [line for line in lines if line.strip()]
    if title and not opens_with_title(lines, title):
        lines.insert(0, title)
    if source_url:
        facts.append(("来源网址", source_url))
    return WebPage(text="\n".join(lines) + "\n", source_url=source_url, published=published, facts=facts)


def page_text(data: bytes, name: str) -> str:
    """The page decoded by its declared charset, else as any text file is."""
    declared = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_\-]+)", data[:4096], re.I)
    if declared:
        encoding = declared.group(1).decode("ascii").lower()
        encoding = "gb18030" if encoding in ("gb2312", "gbk", "gb18030") else encoding
        try:
            return data.decode(encoding).removeprefix("\ufeff")
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(data, name=name)


def meta_content(soup, key: str) -> str | None:
    """The content of <meta name=key> or <meta property=key>, matched without case."""
    for meta in soup.find_all("meta"):
        label = (meta.get("name") or meta.get("property") or "").strip().lower()
        if label == key and meta.get("content", "").strip():
            return meta["content"].strip()
    return None


def page_url(soup, data: bytes) -> str | None:
    """The page's own address: <link rel=canonical>, og:url, or the browser's "saved from url=" note."""
    for link in soup.find_all("link"):
        rel = link.get("rel") or []
        rel = rel if isinstance(rel, list) else [rel]
        if "canonical" in [value.lower() for value in rel] and link.get("href", "").startswith("http"):
            return link["href"].strip()
    url = meta_content(soup, "og:url") or meta_content(soup, "url")
    if url and url.startswith("http"):
        return url
    saved = SAVED_FROM.search(data[:2048])
    return saved.group("url").decode("ascii", "replace") if saved else None


def page_title(soup) -> str | None:
    """The document's title as the page states it: ArticleTitle, og:title, the only <h1>, or <title>'s first part."""
    for key in META_TITLE_NAMES:
        value = meta_content(soup, key)
        if value:
            return " ".join(value.split())
    headings = [" ".join(h.get_text(" ").split()) for h in soup.find_all("h1")]
    headings = [heading for heading in headings if len(heading) >= 6]
    if len(headings) == 1:
        return headings[0]
    if soup.title and soup.title.string:
        return re.split(r"\s*[_|｜—-]{1,2}\s*", soup.title.string.strip())[0] or None
    return None


def furniture_element(element) -> bool:
    """True for an element whose class or id names site furniture (menus, breadcrumbs, share bars…)."""
    if not getattr(element, "attrs", None) or element.name in ("html", "body"):
        return False
    names = " ".join([*element.get("class", []), element.get("id", "") or ""])
    if not names.strip() or ARTICLE_NAME.search(names):
        return False
    return bool(FURNITURE_NAME.search(names))


def find_article(soup):
    """The element holding the document's text: a CMS's article element, else the densest block of paragraphs."""
    named = [
        element
        for element in soup.find_all(True)
        if ARTICLE_NAME.search(" ".join([*element.get("class", []), element.get("id", "") or ""]))
        and text_length(element) >= MIN_ARTICLE_CHARS
    ]
    if named:
        # The innermost named element that still holds most of the named text.
        best = max(named, key=text_length)
        inner = [element for element in named if element is not best and best in element.parents]
        while inner:
            candidate = max(inner, key=text_length)
            if text_length(candidate) < 0.5 * text_length(best):
                break
            best = candidate
            inner = [element for element in named if element is not best and best in element.parents]
        return best
    scored: dict[int, tuple[int, object]] = {}
    for paragraph in soup.find_all(["p", "br", "td"]):
        parent = paragraph.parent
        if parent is None:
            continue
        length = len(paragraph.get_text(strip=True)) if paragraph.name != "br" else 10
        key = id(parent)
        scored[key] = (scored.get(key, (0, parent))[0] + length, parent)
    if scored:
        score, element = max(scored.values(), key=lambda item: item[0])
        if score >= MIN_ARTICLE_CHARS:
            return element
    body = soup.body or soup
    return body if text_length(body) >= MIN_ARTICLE_CHARS else None


def text_length(element) -> int:
    return len(re.sub(r"\s", "", element.get_text()))


def element_lines(element) -> list[str]:
    """Lines of an element's text: block elements and <br> end lines, tables become tab-separated rows."""
    lines: list[str] = []
    current: list[str] = []

    def end_line() -> None:
        text = "".join(current).replace("\t", " ")
        if text.strip():
            lines.append(
                " ".join(text.split()) if not re.search(r"[\u3000]{1,}|\s{2,}", text.strip()) else text.strip()
            )
        current.clear()

    def walk(node) -> None:
        for child in node.children:
            name = getattr(child, "name", None)
            if name is None:
                if type(child).__name__ in ("Comment", "Declaration", "ProcessingInstruction", "Doctype"):
                    continue
                current.append(str(child).replace("\n", " ").replace("\r", " "))
            elif name == "br":
                end_line()
            elif name == "table":
                end_line()
                lines.extend(table_lines(child))
            elif name in BLOCK_TAGS:
                end_line()
                walk(child)
                end_line()
            else:
                walk(child)

    walk(element)
    end_line()
    return lines


def table_lines(table) -> list[str]:
    """Rows of an HTML table as tab-separated lines; a colspan is followed by empty cells."""
    lines = []
    for row in table.find_all("tr"):
        if row.find_parent("table") is not table:
            continue
        cells = []
        for cell in row.find_all(["td", "th"], recursive=False):
            text = "<br>".join(" ".join(line.split()) for line in element_lines(cell) if line.strip())
            cells.append(text)
            span = cell.get("colspan", "1")
            cells.extend([""] * (int(span) - 1 if str(span).isdigit() and 1 < int(span) < 50 else 0))
        if any(cells):
            lines.append("\t".join(cells) if len(cells) > 1 else cells[0])
    return lines


def opens_with_title(lines: list[str], title: str) -> bool:
    """True when the article's first lines already carry the title."""
    key = re.sub(r"\s", "", title)
    head = re.sub(r"\s", "", "".join(lines[:6]))
    return key[:12] in head


def numeric_date(text: str):
    """A date written 2019-08-27, 2019/8/27, 2019.08.27 or 2019年8月27日, or None."""
    found = parse_date(text)
    if found:
        return found
    match = NUMERIC_DATE.search(text)
    if not match:
        return None
    return parse_date(f"{match.group(1)}年{int(match.group(2))}月{int(match.group(3))}日")
