"""Snippets around the matched words, with the matches marked and everything else escaped.

Matches are found on the folded text (full-width to half-width, A-Z to a-z, one character
for one), with the index's own rules: a term's characters in sequence, symbols and spaces
between runs allowed, Latin words whole; and each jieba word of the term as the index's
jieba analyzer segments it. Text is escaped piece by piece and <mark> put around the
escaped matches; no document text is ever marked safe unescaped.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .analyzers import CJK_CHARS, RUN, fold, jieba_words
from .query import ParsedQuery

SNIPPET_CHARS = 110
CONTEXT_BEFORE = 30
MAX_SNIPPETS = 3
SEPARATOR = rf"[^{CJK_CHARS}0-9a-z]{{0,6}}"


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern
    key: int


def match_patterns(parsed: ParsedQuery) -> list[Pattern]:
    """Regexes for every positive term (whole) and its jieba words, keyed by term."""
    patterns: list[Pattern] = []
    texts = [term.text for term in parsed.positive_terms] + list(parsed.doc_numbers[:1])
    for key, text in enumerate(texts):
        whole = _sequence_regex(text)
        if whole:
            patterns.append(Pattern(whole, key))
        words = [word for word, _, _ in jieba_words(text)]
        if len(words) > 1:
            for word in words:
                if len(word) > 1:
                    regex = _sequence_regex(word)
                    if regex:
                        patterns.append(Pattern(regex, key))
    return patterns


def _sequence_regex(text: str) -> re.Pattern | None:
    parts = []
    for run in RUN.findall(fold(text)):
        if run[0].isascii():
            parts.append(rf"(?<![0-9a-z]){re.escape(run)}(?![0-9a-z])")
        else:
            parts.append(re.escape(run))
    return re.compile(SEPARATOR.join(parts)) if parts else None


def spans(text: str, patterns: list[Pattern]) -> list[tuple[int, int, int]]:
    """(start, end, key) of every match in text, overlaps merged, in order."""
    folded = fold(text)
    found = sorted(
        (m.start(), m.end(), p.key) for p in patterns for m in p.regex.finditer(folded) if m.end() > m.start()
    )
    merged: list[tuple[int, int, int]] = []
    for start, end, key in found:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            merged[-1] = (last[0], max(last[1], end), last[2])
        else:
            merged.append((start, end, key))
    return merged


def highlight(text: str, patterns: list[Pattern]) -> SafeString:
    """The whole text escaped, with matches in <mark>."""
    return _render(text, 0, len(text), spans(text, patterns))


def snippets(text: str, patterns: list[Pattern], limit: int = MAX_SNIPPETS) -> list[SafeString]:
    """Up to `limit` escaped passages around matches, preferring ones with different terms."""
    if not text:
        return []
    found = spans(text, patterns)
    if not found:
        return [_render(text, 0, min(len(text), SNIPPET_CHARS), [])]
    windows: list[tuple[int, int]] = []
    remaining = list(found)
    starts, ends = [s[0] for s in found], [s[1] for s in found]
    while remaining and len(windows) < limit:
        best = max(remaining, key=lambda span: _window_score(span, found, len(text), starts, ends))
        start, end = _window(best, len(text))
        windows.append((start, end))
        remaining = [s for s in remaining if not (s[0] < end and s[1] > start)]
    windows.sort()
    return [_render(text, start, end, [s for s in found if s[0] >= start and s[1] <= end]) for start, end in windows]


def _window(span: tuple[int, int, int], length: int) -> tuple[int, int]:
    start = max(0, span[0] - CONTEXT_BEFORE)
    end = min(length, max(start + SNIPPET_CHARS, span[1]))
    return start, end


def _window_score(span, found, length, starts, ends) -> tuple[int, int, int]:
    start, end = _window(span, length)
    # Merged spans do not overlap, so starts and ends both ascend: the spans inside the
    # window are one slice (a scan of every span here made long documents quadratic).
    inside = found[bisect_left(starts, start) : bisect_right(ends, end)]
    return (len({s[2] for s in inside}), len(inside), -span[0])


def _render(text: str, start: int, end: int, marks: list[tuple[int, int, int]]) -> SafeString:
    pieces = ["…"] if start > 0 else []
    position = start
    for mark_start, mark_end, _ in marks:
        pieces.append(_clean(text[position:mark_start]))
        pieces.append(f"<mark>{_clean(text[mark_start:mark_end])}</mark>")
        position = mark_end
    pieces.append(_clean(text[position:end]))
    if end < len(text):
        pieces.append("…")
    # Every piece of document text above went through escape().
    return mark_safe("".join(pieces))


def _clean(piece: str) -> str:
    return escape(" ".join(piece.split()) if "\n" in piece or "\t" in piece else piece)
