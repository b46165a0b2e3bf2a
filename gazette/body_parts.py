"""A long body shown in parts: each page of a document carries at most PART_CHARS of its text.

A document of a few megabytes (a compilation's annex, a statistics table) would otherwise
be one page of tens of megabytes of HTML. Parts are runs of whole blocks; a block longer
than the limit is a part of its own. Anchors (#b12, #b12-r3) keep their numbers across
parts, so a link from the task table or from another page names the part it is in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# About 100,000 characters of Chinese text: 50-70 printed pages, some 300 KB of HTML.
PART_CHARS = 100_000
# b12 or b12-r3 → 12
ANCHOR_BLOCK = re.compile(r"^b(\d+)(?:-r\d+)?$")


def block_chars(block: dict) -> int:
    """Characters a stored body block shows: its text, or every cell of its table."""
    if block.get("kind") == "table":
        return sum(len(str(cell)) for row in block.get("rows") or [] for cell in row)
    return len(block.get("text") or "")


@dataclass(frozen=True)
class BodyParts:
    """The parts of one body (as ranges of block indexes) and the part being shown (1-based)."""

    ranges: tuple[range, ...]
    current: int = 1

    @classmethod
    def of(cls, blocks: Sequence[dict], *, part: str | int | None = None, limit: int = PART_CHARS) -> BodyParts:
        """Split stored blocks into parts; `part` is the requested one (clamped, default 1)."""
        ranges: list[range] = []
        start, size = 0, 0
        # The last heading of the current part and the characters before it: a part ends
        # before that heading when it comes late enough, so a part starts with its section.
        heading, before_heading = None, 0
        for index, block in enumerate(blocks):
            chars = block_chars(block)
            if index > start and size + chars > limit:
                cut = heading if heading is not None and before_heading >= limit // 2 else index
                ranges.append(range(start, cut))
                size = size - before_heading if cut == heading else 0
                start, heading, before_heading = cut, None, 0
            if block.get("kind") == "heading" and index > start:
                heading, before_heading = index, size
            size += chars
        ranges.append(range(start, len(blocks)))
        try:
            chosen = int(str(part)) if part is not None and str(part).isascii() else 1
        except ValueError:
            chosen = 1
        return cls(ranges=tuple(ranges), current=min(max(chosen, 1), len(ranges)))

    @property
    def count(self) -> int:
        return len(self.ranges)

    @property
    def shown(self) -> range:
        return self.ranges[self.current - 1]

    @property
    def numbers(self) -> range:
        return range(1, self.count + 1)

    def part_of(self, anchor: str) -> int | None:
        """The part holding the block an anchor names, or None for an anchor of no block."""
        match = ANCHOR_BLOCK.match(anchor or "")
        if not match:
            return None
        index = int(match.group(1))
        return next((n for n, blocks in enumerate(self.ranges, start=1) if index in blocks), None)

    def href(self, anchor: str) -> str:
        """A link to an anchor: '#b12' on this part, '?part=3#b12' on another."""
        part = self.part_of(anchor)
        if part is None or part == self.current:
            return f"#{anchor}"
        return f"?part={part}#{anchor}"
