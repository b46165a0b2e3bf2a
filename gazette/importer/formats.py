"""Step 0 of the importer: an uploaded file of any accepted format as the text the parser reads.

`read_source(data, name=...)` tells the format from the bytes first (a PDF starts with
%PDF, a Word file is a zip holding word/document.xml, a web page opens with <html> or a
doctype) and from the file name's extension second, and returns a `Source`: the text in the
parser's line form, plus what a web page says about its document (source URL, 发布日期,
索引号). Legacy Word (.doc) and WPS files are refused with a message saying how to save
them as .docx.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from .docx import docx_text
from .errors import GazetteFileError
from .html import html_page
from .pdf import pdf_text
from .text import decode_bytes

TEXT = "text"
PDF = "pdf"
DOCX = "docx"
HTML = "html"
# Formats refused with advice: Word 97–2003, WPS, and zips that are not Word files.
LEGACY_WORD = "legacy-word"
OTHER_ZIP = "zip"

# The label shown to users for each format.
FORMAT_LABELS = {TEXT: "文本", PDF: "PDF", DOCX: "Word（.docx）", HTML: "网页"}
# File name extensions the upload form accepts.
ACCEPTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm", ".shtml", ".doc", ".wps")

# An OLE2 compound file: Word 97–2003 .doc, WPS .wps, old Excel.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# "<!DOCTYPE html>", "<html lang=zh-CN>", "<?xml …?><html" — the first tag of a web page.
HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|meta|body)\b", re.I | re.S
)


@dataclass
class Source:
    """The text of an uploaded file and what its format told about it."""

    text: str
    format: str = TEXT
    # A web page's own address (<link rel=canonical>, og:url, "saved from url=").
    source_url: str | None = None
    # A web page's 发布日期.
    published: dt.date | None = None
    # What a web page prints about its document beside the text: ("索引号", "…"), ("发布日期", "…").
    facts: list[tuple[str, str]] = field(default_factory=list)


def sniff_format(data: bytes, name: str) -> str:
    """The format of an upload: by its first bytes, then by its file name's extension."""
    suffix = PurePath(name).suffix.lower()
    head = data[:2048]
    if head.lstrip().startswith(b"%PDF") or data[:1024].find(b"%PDF-") >= 0:
        return PDF
    if head.startswith(OLE2_MAGIC):
        return LEGACY_WORD
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            names = set()
        if "word/document.xml" in names:
            return DOCX
        return LEGACY_WORD if suffix == ".wps" else OTHER_ZIP
    if HTML_START.match(head.removeprefix(b"\xef\xbb\xbf")):
        return HTML
    if suffix in (".doc", ".wps"):
        return LEGACY_WORD
    if suffix in (".html", ".htm", ".shtml") and re.search(rb"<(?:p|div|table|body)\b", data[:65536], re.I):
        return HTML
    return TEXT


def read_source(data: bytes, *, name: str) -> Source:
    """The text of an upload of any accepted format.

    Raises GazetteFileError naming the file and saying what to do for a format it cannot read.
    """
    kind = sniff_format(data, name)
    if kind == PDF:
        return Source(text=pdf_text(data, name=name), format=PDF)
    if kind == DOCX:
        return Source(text=docx_text(data, name=name), format=DOCX)
    if kind == HTML:
        page = html_page(data, name=name)
        return Source(
            text=page.text, format=HTML, source_url=page.source_url, published=page.published, facts=page.facts
        )
    if kind == LEGACY_WORD:
        raise GazetteFileError(
            f"{name}: 这是旧版 Word（.doc）或 WPS 文件，无法直接读取；请在 Word 或 WPS 中打开，"
            "选择“另存为”，文件类型选“Word 文档（*.docx）”，再上传保存后的 .docx 文件"
        )
    if kind == OTHER_ZIP:
        raise GazetteFileError(f"{name}: 这是压缩包或不支持的 Office 文件；请上传 PDF、Word（.docx）、网页或文本文件")
    return Source(text=decode_bytes(data, name=name), format=TEXT)
