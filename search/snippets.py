"""Snippets around the matched words, with the matches marked and everything else escaped.

Matches follow the index's own rules: a term's characters in sequence, symbols and spaces
between runs allowed, Latin words whole; and each jieba word of the term as the index's
jieba analyzer segments it. The index folds full-width to half-width and A-Z to a-z; the
patterns match every width and case of a letter or digit instead, so a document's text is
searched as it is (folding a whole body cost more than finding the matches in it). Text is escaped piece by piece and <mark> put around the
escaped matches; no document text is ever marked safe unescaped.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from itertools import islice

from django.utils.safestring import SafeString, mark_safe

from .analyzers import CJK_CHARS, RUN, fold, jieba_words
from .query import ParsedQuery

SNIPPET_CHARS = 110
CONTEXT_BEFORE = 30
MAX_SNIPPETS = 3
# Work per snippet request is bounded whatever the document: only the first SCAN_CHARS
# characters are searched (hits.py cuts the body in the database), and each pattern stops
# after MAX_MATCHES matches. Past that, more matches cannot change the best three passages
# enough to be worth seconds of a worker (a 12-term OR query over 14 MB bodies took 22 s).
SCAN_CHARS = 200_000
MAX_MATCHES = 500
# What fold() turns into 0-9a-z: ASCII digits and letters of either case, and full-width ones.
ALNUM = "0-9a-zA-Z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
SEPARATOR = rf"[^{CJK_CHARS}{ALNUM}]{{0,6}}"


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern
    key: int


def match_patterns(parsed: ParsedQuery) -> list[Pattern]:
    """Regexes for every positive term (whole) and its jieba words, and the 文号 (whole), keyed by term."""
    patterns: list[Pattern] = []
    terms = [term.text for term in parsed.positive_terms]
    for key, text in enumerate(terms + list(parsed.doc_numbers[:1])):
        whole = _sequence_regex(text)
        if whole:
            patterns.append(Pattern(whole, key))
        if key >= len(terms):
            # A 文号 is marked whole: its parts (贺政办发, 2018, 139号) elsewhere are other documents.
            continue
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
            letters = "".join(_any_width(char) for char in run)
            parts.append(rf"(?<![{ALNUM}]){letters}(?![{ALNUM}])")
        else:
            parts.append(re.escape(run))
    return re.compile(SEPARATOR.join(parts)) if parts else None


def _any_width(char: str) -> str:
    """A character class for a folded digit or letter: every character fold() turns into it."""
    variants = {char, char.upper()}
    variants |= {chr(ord(variant) + 0xFEE0) for variant in variants}
    return "[" + "".join(sorted(variants)) + "]"


def spans(text: str, patterns: list[Pattern]) -> list[tuple[int, int, int]]:
    """(start, end, key) of the first MAX_MATCHES matches of each pattern, overlaps merged, in order."""
    found = []
    for pattern in patterns:
        key = pattern.key
        found += [(*m.span(), key) for m in islice(pattern.regex.finditer(text, 0, SCAN_CHARS), MAX_MATCHES)]
    found = sorted(span for span in found if span[1] > span[0])
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
    # A window's score depends on the spans inside it, not on the windows chosen before:
    # score each once, then take the best windows that do not overlap a chosen one.
    scores = _window_scores(found, len(text))
    windows: list[tuple[int, int]] = []
    for span in sorted(found, key=lambda span: scores[span], reverse=True):
        if not any(span[0] < end and span[1] > start for start, end in windows):
            windows.append(_window(span, len(text)))
            if len(windows) == limit:
                break
    windows.sort()
    return [_render(text, start, end, [s for s in found if s[0] >= start and s[1] <= end]) for start, end in windows]


def _window(span: tuple[int, int, int], length: int) -> tuple[int, int]:
    start = max(0, span[0] - CONTEXT_BEFORE)
    end = min(length, max(start + SNIPPET_CHARS, span[1]))
    return start, end


def _window_scores(found: list[tuple[int, int, int]], length: int) -> dict[tuple, tuple[int, int, int]]:
    """Each span's window: (different terms inside, spans inside, earlier first).

    Merged spans do not overlap, so their starts and ends both ascend, and so do the
    windows' starts and ends: the spans inside slide along with two pointers and a count
    of their terms (scoring each window on its own made long documents slow).
    """
    scores = {}
    # Terms are keyed 0, 1, 2, …: a list counts them, and `different` how many are inside.
    inside = [0] * (max(key for _, _, key in found) + 1)
    different = 0
    count = len(found)
    first = after = 0  # the spans inside are found[first:after]
    for span in found:
        # _window(span, length), inlined: this loop runs for every match of a long document.
        start = span[0] - CONTEXT_BEFORE
        if start < 0:
            start = 0
        end = start + SNIPPET_CHARS
        if end < span[1]:
            end = span[1]
        if end > length:
            end = length
        while after < count and found[after][1] <= end:
            key = found[after][2]
            if not inside[key]:
                different += 1
            inside[key] += 1
            after += 1
        while found[first][0] < start:  # the span itself is inside: first stops there at the latest
            key = found[first][2]
            inside[key] -= 1
            if not inside[key]:
                different -= 1
            first += 1
        scores[span] = (different, after - first, -span[0])
    return scores


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
    # Every piece of document text above went through html.escape().
    return mark_safe("".join(pieces))


def _clean(piece: str) -> str:
    # html.escape is what django.utils.html.escape calls, without its lazy-string wrapper
    # (a third of the time of a page of snippets); _render marks the joined pieces safe.
    return html.escape(" ".join(piece.split()) if "\n" in piece or "\t" in piece else piece)
