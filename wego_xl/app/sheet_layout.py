"""A report sheet laid out for any writer: titled blocks of rows stacked top to bottom into
one grid, with the column widths, header heights and print setup that fit them. The refresh
report (:mod:`wego_xl.app.report`) is made of these; the writers in :mod:`wego_xl.excel.writers`
put them into a workbook cell for cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..messages import say

#: Headers wrap onto two lines past this width, so a long header does not widen its column.
HEADER_WRAP = 10


def display_width(value: object) -> int:
    """How many character widths a value takes on screen: Hangul and other wide characters
    count twice (a Korean name needs about twice the width of its Latin letters)."""
    import unicodedata

    if isinstance(value, float):
        text = f"{value:,.2f}"
    elif isinstance(value, int) and not isinstance(value, bool):
        text = f"{value:,}"
    else:
        text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


#: A line of text in the report's font (Malgun Gothic 10 pt), in points.
LINE_HEIGHT = 14.0


def wrapped_lines(text: object, width: float) -> int:
    """How many lines ``text`` takes in a column ``width`` characters wide, wrapped at spaces
    as Excel wraps a cell (its padding takes a character)."""
    room = max(width - 1, 1.0)
    lines, used = 1, 0.0
    for word in str(text).split():
        size = display_width(word)
        if used and used + 1 + size > room:
            lines, used = lines + 1, size
        else:
            used += size + (1 if used else 0)
        while used > room:  # a word longer than the column breaks across lines
            lines, used = lines + 1, used - room
    return lines


@dataclass
class Block:
    """A titled table on a report sheet."""

    title: str | None
    headers: list[str]
    rows: list[list[Any]]
    table: str
    formats: dict[str, str] = field(default_factory=dict)
    as_table: bool = True  # an Excel table with filter buttons (long lists); else a plain range

    def numeric(self, header: str) -> bool:
        """A column of numbers (right-aligned, its header too)."""
        return header in self.formats or any(isinstance(r[i], (int, float)) and not isinstance(r[i], bool)
                                             for r in self.rows[:50] for i in [self.headers.index(header)] if i < len(r))  # fmt: skip


def block(
    language: str,
    title: str | None,
    header_keys: list[str],
    rows: list[list[Any]],
    table: str,
    formats: dict[str, str] | None = None,
    *,
    as_table: bool = True,
) -> Block:
    """A block whose headers (and their number formats) are given by message key and shown in
    ``language``."""
    headers = [say(f"header.{key}", language) for key in header_keys]
    shown = {say(f"header.{key}", language): fmt for key, fmt in (formats or {}).items()}
    return Block(title, headers, rows, table, shown, as_table)


@dataclass(frozen=True)
class PrintSetup:
    """How a report sheet prints: orientation, the columns printed, the frozen panes."""

    landscape: bool = True
    printed_columns: int | None = None  # None: all
    fit_width: bool = False  # fit to one page wide, as many pages tall as it takes
    frozen_columns: int = 0  # identity columns kept in view (id and names)


@dataclass
class SheetReport:
    """One sheet the refresh writes: blocks stacked top to bottom, a blank row between."""

    name: str
    blocks: list[Block]
    preamble: list[str] = field(default_factory=list)
    printing: PrintSetup = field(default_factory=PrintSetup)
    footer_note: str = ""  # e.g. "fee year 2016, written 2026-11-26"
    title: str = ""  # the printed page header (the sheet's name when blank)

    def layout(self) -> tuple[list[list[Any]], list[tuple[Block, int]]]:
        """(rectangular grid of values, [(block, 0-based header row)]) for any writer."""
        return self._layout

    @cached_property
    def _layout(self) -> tuple[list[list[Any]], list[tuple[Block, int]]]:
        width = max([len(b.headers) for b in self.blocks] + [1])
        grid: list[list[Any]] = [[line] + [None] * (width - 1) for line in self.preamble]
        if self.preamble:
            grid.append([None] * width)
        placed = []
        for i, block in enumerate(self.blocks):
            if i:
                grid.append([None] * width)
            if block.title:
                grid.append([block.title] + [None] * (width - 1))
            placed.append((block, len(grid)))
            for row in [block.headers, *block.rows]:
                grid.append(list(row) + [None] * (width - len(row)))
        return grid, placed

    def column_widths(self) -> list[float]:
        """Column widths (Excel character units) that fit the values; a sheet of several
        tables caps them lower, so one long column does not stretch the tables above it
        (long text then runs on into the empty cells to its right)."""
        grid, placed = self.layout()
        titles = set(self.title_rows())
        cap = 40 if len(placed) == 1 else 26
        headers = {top for _, top in placed}
        widths = []
        for c in range(len(grid[0]) if grid else 0):
            longest = max(
                [
                    min(display_width(row[c]), HEADER_WRAP) if r in headers else display_width(row[c])
                    for r, row in enumerate(grid)
                    if r not in titles and row[c] is not None
                ]
                or [0]
            )
            widths.append(float(min(max(8, longest + 2), cap)))
        return widths

    def row_heights(self) -> dict[int, float]:
        """Heights (points) of the header rows whose headers wrap (0-based rows): tall enough
        for every line, so a wrapped header never runs up over the title above it."""
        _, placed = self.layout()
        widths = self.column_widths()
        heights = {}
        for block, top in placed:
            lines = max(wrapped_lines(h, widths[c]) for c, h in enumerate(block.headers))
            if lines > 1:
                heights[top] = LINE_HEIGHT * lines + 2
        return heights

    def block(self, table: str) -> Block:
        """The block written as the Excel table named ``table``."""
        return next(b for b in self.blocks if b.table == table)

    def title_rows(self) -> list[int]:
        """0-based rows holding titles (shown bold)."""
        grid, _ = self.layout()
        return [r for r in range(len(grid)) if grid[r][0] is not None and all(v is None for v in grid[r][1:])]
