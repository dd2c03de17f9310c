"""What every ``wego-xl`` command shares: the common options, the one-line error, JSON and
table output, and the reading of a date option."""

from __future__ import annotations

import errno
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from .errors import WegoError

ROSTER_OPTION = click.option(
    "--roster",
    "roster_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Roster workbook (default: $WEGO_ROSTER, else the roster shipped in the package, read-only).",
)
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print JSON for automation.")
DRY_RUN_OPTION = click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
LANG_OPTION = click.option(
    "--lang",
    "language",
    type=click.Choice(["en", "ko"]),
    default=None,
    help="Language: en (English) or ko (한국어). Default: the roster's About sheet Language cell.",
)


class UserError(click.ClickException):
    """One line on stderr, exit code 2 (usage or file error) unless told otherwise."""

    exit_code = 2

    def show(self, file: Any = None) -> None:  # one plain line, no "Error:" box
        click.echo(f"wego-xl: {self.format_message()}", err=True)


class _Commands(click.Group):
    """The command group: a :class:`WegoError` from any command becomes one line, exit 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WegoError as exc:
            raise UserError(str(exc)) from None
        except OSError as exc:
            if exc.filename is not None:  # a file the command used, not its output: one line too
                why = exc.strerror or type(exc).__name__
                raise UserError(
                    f"{exc.filename}: {why}; check the path and its permissions, then run the command again"
                ) from None
            raise UserError(_output_failed(exc)) from None


def _output_failed(exc: OSError) -> str:
    """Silence standard output for good (a full disk, a closed pipe) and say so in words."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # nothing more is written there, nor complained of
    os.close(devnull)
    why = "the reader closed the pipe" if exc.errno == errno.EPIPE else (exc.strerror or str(exc))
    return f"could not write the output ({why}); nothing more was written"


def _console() -> Any:
    """A rich console whose closed pipe is reported like any other output failure (rich
    would exit 1 without a word)."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    console = _Console(highlight=False)
    if not console.is_terminal:  # piped or redirected: a table whole, never cut to 80 columns
        console.width = max(console.width, 200)
    return console


def _emit(data: dict | list) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _table(
    title: str, columns: tuple[str, ...], rows: list[list[str]], width: int | None = None, text: tuple[int, ...] = ()
) -> Any:
    """A rich table: the first column (names) left-aligned, the figures right-aligned (the
    columns ``text`` too, left-aligned, of whole width). No
    figure and no word of a header is ever cut: their columns keep that width, and the first
    column takes what is left of the console's width (``width``; default: as :func:`_console`
    decides), its names wrapping."""
    from rich import box
    from rich.cells import cell_len
    from rich.table import Table

    # no lines between columns, no margin: two spaces between columns, so a wide table fits 80 columns
    t = Table(title=title, box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False, show_edge=False)
    figures = [
        max([cell_len(r[i]) for r in rows] + [cell_len(word) for word in col.split()], default=0)
        for i, col in enumerate(columns)
        if i
    ]
    room = (width or _console().width) - sum(figures) - 2 * (len(columns) - 1)  # two spaces between columns
    names = max([cell_len(r[0]) for r in rows] + [cell_len(columns[0]) if columns else 0])
    for i, col in enumerate(columns):
        if i == 0:
            t.add_column(col, justify="left", overflow="fold", width=max(min(room, names), 8))
        else:  # a figure is never cut ("10,000…"): its column has its width, whatever the console's
            t.add_column(col, justify="left" if i in text else "right", overflow="fold", width=figures[i - 1])
    for row in rows:
        t.add_row(*row)
    return t


def _date_option(value: str | None, name: str) -> Any:
    import datetime as dt

    from .rules.dates import check_day, read_date

    day = read_date(value, name)
    return dt.date.today() if day is None else check_day(day, name)
