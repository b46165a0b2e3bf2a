"""Gazette importer: text in, dataclasses out (no Django here).

`parse_file(data, name=...)` reads an uploaded file of any accepted format (text, Markdown,
PDF, Word .docx, a saved web page) and returns an IssueRecord; `parse_gazette(text)` does
the same for text; `decode_bytes(data)` decodes a text file.
"""

from .errors import GazetteFileError
from .formats import ACCEPTED_SUFFIXES, read_source, sniff_format
from .pipeline import parse_file, parse_gazette
from .records import Block, DocumentRecord, IssueRecord, TaskRecord
from .text import decode_bytes, normalise_doc_number, split_doc_number

__all__ = [
    "ACCEPTED_SUFFIXES",
    "Block",
    "DocumentRecord",
    "GazetteFileError",
    "IssueRecord",
    "TaskRecord",
    "decode_bytes",
    "normalise_doc_number",
    "parse_file",
    "parse_gazette",
    "read_source",
    "sniff_format",
    "split_doc_number",
]
