"""Where a line of mixed Chinese and Latin text may break, for terminal tables and `--help`
alike: at a space, or between CJK characters; never inside a word, number, date, code or option
name, and never before the punctuation that may not begin a line (a simplified UAX #14).

Pure text: the cell width of a string is passed in (rich's, where rich draws), so `qiye --help`
loads nothing more for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

WIDE = "\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3" \
       "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd"
NO_LINE_START = "、。，．：；！？）］｝〕〉》」』】〙〗〟｠％»’”%‰,.:;!?)\\]}"
NO_LINE_END = "（［｛〔〈《「『【〘〖〝｟“‘([{"
# A run of characters with no line-break opportunity inside: a word, number, date or id
# (anything up to a space that is not CJK), or one CJK character; with the punctuation that may
# not begin a line after it and any opening bracket before it.
UNIT = re.compile(f"[{NO_LINE_END}]*(?:[^\\s{WIDE}]+|[{WIDE}])[{NO_LINE_START}]*|\\S")
HAS_WIDE = re.compile(f"[{WIDE}]")


def units(line: str) -> list[tuple[str, str]]:
    """The line as (space before, unbreakable run) pairs."""
    pairs, end = [], 0
    for match in UNIT.finditer(line):
        pairs.append((line[end:match.start()], match.group()))
        end = match.end()
    return pairs


def widest_unit(text: str, cells: Callable[[str], int]) -> int:
    """The cells of the widest unbreakable run of `text`: the narrowest it can be wrapped to
    without cutting a token."""
    return max((cells(match.group()) for match in UNIT.finditer(text)), default=0)


def line_starts(line: str, width: int, cells: Callable[[str], int]) -> list[int]:
    """Where (character offsets) each line after the first begins when `line` is filled into
    lines of `width` cells. A run wider than `width` is cut by the cell, only because no line
    can hold it; the spaces at a break stay at the end of the line before it."""
    starts: list[int] = []
    used = 0
    end = 0
    for match in UNIT.finditer(line):
        start, unit = match.start(), match.group()
        gap, size = cells(line[end:start]), cells(unit)
        end = match.end()
        if used + gap + size <= width:
            used += gap + size
            continue
        if used or gap:
            starts.append(start)
        used = 0
        for offset, char in enumerate(unit):  # a run no line can hold: cut it by the cell
            char_cells = cells(char)
            if used and used + char_cells > width:
                starts.append(start + offset)
                used = 0
            used += char_cells
    return [start for start in starts if start > 0]
