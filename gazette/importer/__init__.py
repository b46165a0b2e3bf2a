"""Gazette importer: text in, dataclasses out (no Django here).

`parse_gazette(text)` reads a whole gazette issue or policy compilation and returns an
IssueRecord; `decode_bytes(data)` turns an uploaded file into text first.
"""

from .errors import GazetteFileError
from .pipeline import parse_gazette
from .records import Block, DocumentRecord, IssueRecord, TaskRecord
from .text import decode_bytes, normalise_doc_number, split_doc_number

__all__ = [
    "Block",
    "DocumentRecord",
    "GazetteFileError",
    "IssueRecord",
    "TaskRecord",
    "decode_bytes",
    "normalise_doc_number",
    "parse_gazette",
    "split_doc_number",
]
