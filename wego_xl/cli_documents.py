"""The commands of ``wego-xl`` that make files for people: ``documents`` (invoices, statements,
reminders and credit notes; PDFs, e-mail drafts, sending) and ``init`` (the shipped workbooks
copied to work on). Each parses, calls the application and prints."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .cli_common import DRY_RUN_OPTION, JSON_OPTION, LANG_OPTION, ROSTER_OPTION, _date_option, _emit
from .cli_ledger import LEDGER_OPTION, _by, _store


@click.command()
@click.option("--fee-year", required=True, help="The fee year whose invoices the documents are for, e.g. 2017.")
@click.option(
    "--kind",
    "kinds",
    type=click.Choice(["invoice", "statement", "reminder", "credit-note"]),
    multiple=True,
    help="Which documents (repeatable; default: every kind). A reminder only for amounts past due; a credit note "
    "for each credit note on the invoices.",
)
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("documents"),
              show_default=True, help="The folder to write the documents into.")  # fmt: skip
@click.option("--as-of", default=None, help="The date of the statements and reminders (default: today).")
@click.option("--templates", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of invoice.docx, statement.docx, reminder.docx, confirmation.docx (default: templates/ beside the roster, "
                   "else the shipped ones).")  # fmt: skip
@click.option("--pdf", is_flag=True, help="Also save each document as PDF (LibreOffice, fonts embedded).")
@click.option("--email-drafts", is_flag=True, help="Also write an e-mail draft (.eml) per member with its PDFs "
              "attached (implies --pdf), to the Members sheet's Email address; nothing is sent.")  # fmt: skip
@click.option("--replace", is_flag=True, help="Write again documents that exist (default: keep them).")
@click.option("--member", "members", multiple=True, help="Only this member (name or id; repeatable).")
@click.option("--send", is_flag=True, help="Send each member's e-mail draft through the Settings' Mail server "
              "(implies --email-drafts); a message already sent is not sent again.")  # fmt: skip
@DRY_RUN_OPTION
@LANG_OPTION
@ROSTER_OPTION
@LEDGER_OPTION
@JSON_OPTION
def documents(
    fee_year: str, kinds: tuple[str, ...], out: Path, as_of: str | None, templates: Path | None, pdf: bool,
    email_drafts: bool, replace: bool, members: tuple[str, ...], send: bool, dry_run: bool, language: str | None,
    roster_file: Path | None, ledger_file: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Write invoices, statements, reminders and credit notes for the members invoiced for
    FEE_YEAR, in two languages (--lang first), from the ledger and the roster's Settings sheet.

    One Word file per member and kind, named by invoice number and member, e.g.
    WEGO-2017-001_Seoul_invoice.docx; --pdf adds a PDF of each. An invoice or credit note is
    issued once: the files first made are kept in the ledger and printed again byte for byte.
    A reminder is the first, second or final one by the reminders made before (logged);
    --dry-run lists who would get which and why, writing nothing.
    """
    from .ledger.documents_run import write_and_send
    from .rules.inputs import read_fee_year

    roster, store = _store(roster_file, ledger_file)
    year = read_fee_year(fee_year)
    day = _date_option(as_of, "--as-of")
    done = write_and_send(store, roster, year, out, language=language or roster.language, as_of=day,
                          by=_by("documents"), kinds=kinds, send_by=_by("documents --send") if send else None,
                          templates=templates, replace=replace, members=members, pdf=pdf,
                          email_drafts=email_drafts, dry_run=dry_run)  # fmt: skip
    if as_json:
        _emit(_documents_json(done, dry_run))
        return
    _print_documents(done, roster, out, dry_run)
    if not dry_run and done.sending and done.sending.refused:
        sys.exit(1)


def _documents_json(done: Any, dry_run: bool) -> dict[str, Any]:
    """What a documents run did (:class:`~.ledger.documents_run.DocumentsSent`), for ``--json``."""
    made, drafted, sending = done.made, done.drafted, done.sending
    run, drafts = made.run, made.drafts
    return {"written": [str(p) for p in run.written + run.reprinted], "pdf": [str(p) for p in made.pdfs],
            "kept": [str(p) for p in run.kept + run.unchanged], "none_for": run.none_for, "issued_now": made.first_kept,
            "reminders": [{"member": r.member_id, "level": r.level, "amount": str(r.amount), "why": r.why}
                          for r in run.reminders],
            **({"email_drafts": [str(p) for p in drafted], "no_email_draft": drafts.none_for} if drafts else {}),
            **({"sent": [m for m, _, _ in sending.sent], "not_sent": dict(sending.skipped + sending.refused)}
               if sending else {}), "dry_run": dry_run}  # fmt: skip


def _print_documents(done: Any, roster: Any, out: Path, dry_run: bool) -> None:
    """What a documents run did, for a person: each file, each member without one, what was sent."""
    made, sending = done.made, done.sending
    run, drafts = made.run, made.drafts
    if dry_run:
        for r in run.reminders:
            click.echo(f"would remind {roster.member(r.member_id).display_name}: level {r.level}, "
                       f"{r.amount:,.2f} USD ({', '.join(r.invoices)}): {r.why}")  # fmt: skip
    for path in run.written + made.pdfs:
        click.echo(f"written: {path}")
    for path in run.reprinted:
        click.echo(f"written as issued: {path}")
    for path in run.unchanged:
        click.echo(f"there as issued (the same bytes): {path}")
    for path in run.kept:
        click.echo(f"kept (exists; --replace to write again): {path}")
    for who, why in run.none_for.items():
        click.echo(f"no document: {who}: {why}")
    for path in drafts.written if drafts else []:
        click.echo(f"e-mail draft: {path}")
    for who, why in drafts.none_for.items() if drafts else []:
        click.echo(f"no e-mail draft: {who}: {why}")
    for member_id, address, _ in sending.sent if sending else []:
        click.echo(f"{'would send' if dry_run else 'sent'}: {roster.member(member_id).display_name} <{address}>")
    for member_id, why in (sending.skipped + sending.refused) if sending else []:
        click.echo(f"not sent: {roster.member(member_id).display_name}: {why}")
    if dry_run:
        click.echo(f"dry run: nothing written to {out}")
        return
    click.echo(f"{len(run.written) + len(run.reprinted)} document(s) written to {out}"
               + (f" ({len(run.reprinted)} as issued before)" if run.reprinted else "")
               + (f", {len(made.pdfs)} PDF" if made.pdfs else "")
               + (f"; kept with the ledger as issued: {len(made.first_kept)}" if made.first_kept else ""))  # fmt: skip


@click.command()
@click.argument("folder", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@JSON_OPTION
def init(folder: Path, as_json: bool) -> None:
    """Copy the shipped roster and finance workbook into FOLDER (default: here) to work on.

    Files already there are kept, never overwritten. Then point the functions and commands
    at the roster with the WEGO_ROSTER environment variable.
    """
    from .store.package import ROSTER_ENV, SHIPPED_ROSTER, copy_shipped

    copied, kept = copy_shipped(folder)
    roster_file = (folder / SHIPPED_ROSTER.name).resolve()
    if as_json:
        _emit(
            {
                "folder": str(folder.resolve()),
                "copied": [str(p) for p in copied],
                "kept": [str(p) for p in kept],
                "roster": str(roster_file),
            }
        )
        return
    for p in copied:
        click.echo(f"copied {p}")
    for p in kept:
        click.echo(f"kept   {p} (already there; not overwritten)")
    click.echo("Next: point wego-xl and the Excel functions at your roster:")
    click.echo(f'  Windows:       setx {ROSTER_ENV} "{roster_file}"')
    click.echo(f'  macOS / Linux: export {ROSTER_ENV}="{roster_file}"')


COMMANDS = [documents, init]
