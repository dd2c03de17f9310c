"""The ledger's commands of ``wego-xl``: invoice, pay, credit, void, balances, statement and
the ``ledger`` group (init, upgrade, verify, log, export, post). Each parses, calls the
ledger service (:mod:`wego_xl.ledger`) and prints."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .cli_common import (
    DRY_RUN_OPTION,
    JSON_OPTION,
    LANG_OPTION,
    ROSTER_OPTION,
    UserError,
    _console,
    _date_option,
    _emit,
    _table,
)
from .messages import say

LEDGER_OPTION = click.option(
    "--ledger", "ledger_file", default=None,
    help="The ledger: a path (wego_ledger.db) or a database URL (postgresql+psycopg://...). "
         "Default: $WEGO_LEDGER, else wego_ledger.db beside the roster.",
)  # fmt: skip


def _store(roster_file: Path | None, ledger_file: str | None) -> tuple[Any, Any]:
    """The roster and the ledger (which must exist: only 'wego-xl ledger init' makes one)."""
    from .ledger.store import ledger_location, open_ledger
    from .store.roster import load_roster

    roster = load_roster(roster_file)
    return roster, open_ledger(ledger_location(roster.path, ledger_file))


def _by(via: str) -> Any:
    from .ledger.service import actor

    return actor(f"wego-xl {via}")


@click.command()
@click.option("--fee-year", required=True, help="The fee year to invoice, e.g. 2017.")
@click.option("--issue-date", default=None, help="The invoices' date (default: today).")
@click.option("--due-days", type=int, default=None,
              help="Days from the issue date to the due date (default: the Settings sheet's Payment days, else 60).")  # fmt: skip
@click.option("--accept-unconfirmed", is_flag=True, help="Invoice on inputs nobody has confirmed yet (recorded).")
@ROSTER_OPTION
@LEDGER_OPTION
@DRY_RUN_OPTION
@LANG_OPTION
@JSON_OPTION
def invoice(
    fee_year: str, issue_date: str | None, due_days: int | None, accept_unconfirmed: bool,
    roster_file: Path | None, ledger_file: str | None, dry_run: bool, language: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Issue one invoice per member that owes a fee for FEE_YEAR, with complete inputs.

    Numbered WEGO-YYYY-NNN by the ledger, never reused, frozen with the basis of the fee.
    Members with missing or doubtful inputs are listed and skipped, never invoiced at 0.
    Running it again (or twice at once) issues nothing twice; a member whose data changed
    since its invoice is reported (the fix: wego-xl credit, then invoice again). Exit 1 when
    members were skipped.
    """
    from .ledger.invoice_run import check_days_to_pay, invoice_fee_year
    from .rules.inputs import read_fee_year

    year = read_fee_year(fee_year)
    roster, store = _store(roster_file, ledger_file)
    check_days_to_pay(due_days, "--due-days")
    run = invoice_fee_year(store, roster, year, _date_option(issue_date, "--issue-date"), due_days, by=_by("invoice"),
                           accept_unconfirmed=accept_unconfirmed, dry_run=dry_run)  # fmt: skip
    plan, total = run.plan, run.total
    new, skipped, changed, already = plan.new, plan.skipped, plan.changed, plan.already
    if as_json:
        _emit(
            {
                "ledger": store.shown,
                "issued": [r["Invoice number"] for r in new],
                "total": str(total),
                "skipped": {who: str(why) for who, why in skipped.items()},
                "changed": {who: str(what) for who, what in changed.items()},
                "already": already,
                "written": bool(new) and not dry_run,
            }
        )
    else:
        lang = language or roster.language
        key = "cli.invoices_dry_run" if dry_run else "cli.invoices_issued"
        click.echo(say(key, lang, count=len(new), year=year, total=total, ledger=store.shown))
        for r in new:
            click.echo(
                f"  {r['Invoice number']}: {r['English name'] or r['Korean name']}, {r['Amount (USD)']:,.2f} USD"
            )
        for title, part in (("cli.invoices_skipped", skipped), ("cli.invoices_changed", changed)):
            if part:
                click.echo(say(title, lang, count=len(part)))
                for who, why in part.items():
                    click.echo(f"  {who}: {why.text(lang)}")
        if already:
            click.echo(say("cli.invoices_already", lang, count=len(already), year=year))
    if skipped or changed:
        sys.exit(1)


@click.command(context_settings={"ignore_unknown_options": True})  # "-5" is an amount (refused), not an option
@click.argument("city")
@click.argument("amount")
@click.option("--date", "date", default=None, help="The date the money arrived (default: today).")
@click.option("--reference", default="", help="The bank's reference of the transfer (recorded once only).")
@click.option("--invoice", "invoice_number", default="", help="The invoice the payment is for, if it says.")
@click.option("--bank-charges", default="",
              help="Bank charges in USD kept on the way (default: a shortfall within the Settings' tolerance).")  # fmt: skip
@click.option("--currency", default="", help="The currency received (default USD): KRW, EUR... at the day's rate.")
@click.option("--note", default="", help="A note kept with the payment.")
@LANG_OPTION
@ROSTER_OPTION
@LEDGER_OPTION
def pay(
    city: str, amount: str, date: str | None, reference: str, invoice_number: str, bank_charges: str, currency: str,
    note: str, language: str | None, roster_file: Path | None, ledger_file: str | None,
) -> None:  # fmt: skip
    """Record AMOUNT received from CITY, as the bank credited it; it settles the invoice it
    names, then the oldest. Short of the invoice by no more than the Settings' "Bank charges
    tolerance (USD)": settled, the difference recorded as bank charges (or, for another
    currency, as an exchange difference).

    AMOUNT as 7000, 7,000 or 7000.50: a dot for decimals, commas or nothing between
    thousands (7.000 and 7000,50 are refused: they read two ways).
    """
    from .ledger.service import PaymentInput, record_payment

    roster, store = _store(roster_file, ledger_file)
    given = PaymentInput(city, amount, date, bank_charges, reference, invoice_number, note, currency)
    done = record_payment(store, roster, given, by=_by("pay"))
    p = done.payment
    lang = language or roster.language
    received = say("cli.paid_received", lang, received=p.received, currency=p.currency, rate=p.rate, day=p.rate_date,
                   source=p.rate_source) if p.received else ""  # fmt: skip
    extra = say("cli.paid_charges", lang, amount=p.bank_charges) if p.bank_charges else ""
    extra += say("cli.paid_exchange", lang, amount=p.exchange_difference) if p.exchange_difference else ""
    click.echo(say("cli.paid", lang, receipt=p.receipt, received=received, value=p.value, extra=extra,
                   member=done.member_name, day=p.date, credited=p.amount, balance=done.balance))  # fmt: skip
    if done.twins:
        click.echo(say("cli.paid_twins", lang, twins=", ".join(done.twins), receipt=p.receipt), err=True)


@click.command()
@click.argument("invoice_number")
@click.option("--amount", required=True, help="The amount credited, in USD.")
@click.option("--reason", required=True, help="Why (printed on the credit note).")
@click.option("--date", "date", default=None, help="The credit note's date (default: today).")
@LANG_OPTION
@ROSTER_OPTION
@LEDGER_OPTION
def credit(
    invoice_number: str, amount: str, reason: str, date: str | None, language: str | None, roster_file: Path | None,
    ledger_file: str | None,
) -> None:  # fmt: skip
    """Issue a credit note against INVOICE_NUMBER: the only way what an invoice asks changes."""
    from .ledger.service import issue_credit

    roster, store = _store(roster_file, ledger_file)
    on = _date_option(date, "--date") if date else None
    note, left = issue_credit(store, invoice_number, amount, reason, by=_by("credit"), date=on)
    click.echo(say("cli.credited", language or roster.language, number=note.number, amount=note.amount,
                   invoice=invoice_number, reason=note.reason, left=left))  # fmt: skip


@click.command()
@click.argument("receipt")
@click.option("--reason", required=True, help='Why, e.g. "typed twice" or "returned by the bank".')
@click.option("--date", "date", default=None, help="The void's date (default: today).")
@LANG_OPTION
@ROSTER_OPTION
@LEDGER_OPTION
def void(
    receipt: str, reason: str, date: str | None, language: str | None, roster_file: Path | None, ledger_file: str | None
) -> None:
    """Take back a recorded payment (RECEIPT, e.g. R-2017-004): a new entry naming who and
    why; the payment stays in the ledger as recorded and its receipt number is never reused."""
    from .ledger.service import void_payment

    roster, store = _store(roster_file, ledger_file)
    on = _date_option(date, "--date") if date else None
    done, payment = void_payment(store, receipt, reason, by=_by("void"), date=on)
    click.echo(say("cli.voided", language or roster.language, number=done.number, receipt=payment.receipt,
                   amount=payment.amount, day=done.date, reason=done.reason))  # fmt: skip


@click.command()
@click.option("--as-of", default=None, help="The date to compute balances on (default: today).")
@ROSTER_OPTION
@LEDGER_OPTION
@LANG_OPTION
@JSON_OPTION
def balances(
    as_of: str | None, roster_file: Path | None, ledger_file: str | None, language: str | None, as_json: bool
) -> None:
    """Each member's billed, credited, paid and balance, with years in arrears; they reconcile.

    On a terminal the table fits its width (80 columns and more): no figure is cut, the
    members' names wrap."""
    from .ledger.accounts import balances_on

    roster, store = _store(roster_file, ledger_file)
    day = _date_option(as_of, "--as-of")
    found = balances_on(store, roster, day)
    columns, rows, check = found.columns, found.rows, _reconciled(found.totals)
    if as_json:
        _emit({"as_of": day.isoformat(), "balances": [dict(zip(columns, r, strict=True)) for r in rows], **check})
    else:
        lang = language or roster.language
        shown = tuple(say(f"cli.balances_{k}", lang) for k in
                      ("member", "billed", "credited", "paid", "written_off", "balance", "oldest", "years"))  # fmt: skip
        _console().print(  # the member's name (its id is in --json); amounts in USD, as the title says
            _table(
                say("cli.balances_title", lang, day=day, ledger=store.shown),
                shown,
                [["" if v is None else f"{v:,.2f}" if isinstance(v, float) else str(v) for v in r[1:]] for r in rows],
            )
        )
        said = say("cli.reconciled" if check["reconciled"] else "cli.not_reconciled", lang)
        click.echo(say("cli.balances_check", lang, **check, said=said))
    if not check["reconciled"]:
        sys.exit(1)


def _reconciled(found: Any) -> dict[str, Any]:
    """The ledger's totals reconciled (:class:`~.rules.ledger.Reconciliation`), as printed."""
    money = {k: f"{getattr(found, k):,.2f}" for k in ("invoiced", "credited", "paid", "written_off", "outstanding")}
    return {**money, "reconciled": found.reconciled}


@click.command()
@click.argument("city")
@click.option("--as-of", default=None, help="The statement's closing date (default: today).")
@ROSTER_OPTION
@LEDGER_OPTION
@LANG_OPTION
def statement(
    city: str, as_of: str | None, roster_file: Path | None, ledger_file: str | None, language: str | None
) -> None:
    """A member's statement for the year up to a date: opening balance, invoices, credit notes,
    payments, voids, closing balance (USD; negative is the member's credit)."""
    from .app.documents import statement_line_text
    from .app.report import display_width
    from .ledger.accounts import member_statement, statement_names

    roster, store = _store(roster_file, ledger_file)
    lang = language or roster.language
    member = roster.find(city)
    found = member_statement(store, member, _date_option(as_of, "--as-of"))

    def row(when: Any, text: str, amount: Any) -> str:  # Hangul takes two columns on a terminal
        return f"  {when}  {text}{' ' * max(1, 60 - display_width(text))}{amount:>14,.2f}"

    period = say("document.period", lang, start=found.start, end=found.end)
    click.echo(
        f"{say('document.statement_title', lang)}: {statement_names(member, lang)} [{member.member_id}], {period}"
    )
    click.echo(row(found.start, say("document.opening", lang), found.opening))
    for line in found.lines:
        click.echo(row(line.date, statement_line_text(line, lang), line.amount))
    click.echo(row(found.end, f"{say('document.closing', lang)} (USD)", found.closing))


@click.group("ledger")
def ledger_group() -> None:
    """The dues ledger, finance's book of record (a database): make it, check it, show it,
    post typed payments to it."""


@ledger_group.command("init")
@click.option("--from", "from_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Import a workbook ledger of earlier versions (wego_ledger.xlsx) into the new ledger.")  # fmt: skip
@ROSTER_OPTION
@LEDGER_OPTION
def ledger_init(from_file: Path | None, roster_file: Path | None, ledger_file: str | None) -> None:
    """Make the ledger (once): wego_ledger.db beside the roster, or --ledger PATH or URL.

    With --from, every invoice, credit note and payment of the workbook is posted, and the
    import is committed only if numbers, amounts and balances come out identical.
    """
    from .ledger.legacy import ledger_from_workbook
    from .ledger.store import create_ledger, ledger_location
    from .store.roster import load_roster

    roster = load_roster(roster_file)
    location = ledger_location(roster.path, ledger_file)
    if from_file is None:
        click.echo(f"ledger made: {create_ledger(location).shown}")
        return
    store, book = ledger_from_workbook(location, from_file, roster, _by("ledger init --from"))
    click.echo(
        f"ledger made: {store.shown}, with {len(book.invoices)} invoice(s), {len(book.credits)} credit note(s) and "
        f"{len(book.payments)} payment(s) from {from_file}: numbers, amounts and balances identical"
    )


@ledger_group.command("upgrade")
@ROSTER_OPTION
@LEDGER_OPTION
def ledger_upgrade(roster_file: Path | None, ledger_file: str | None) -> None:
    """Bring the ledger's tables to this version of wego-xl (its migrations, in order)."""
    from .ledger.store import head_revision, ledger_location, upgrade_ledger
    from .store.roster import load_roster

    store = upgrade_ledger(ledger_location(load_roster(roster_file).path, ledger_file))
    click.echo(f"{store.shown}: at version {head_revision()}")


@ledger_group.command("verify")
@ROSTER_OPTION
@LEDGER_OPTION
@JSON_OPTION
def ledger_verify(roster_file: Path | None, ledger_file: str | None, as_json: bool) -> None:
    """Prove the ledger: recompute the SHA-256 chain of every entry, look for missing
    numbers, and check the invariants (credits within invoices, allocations within invoices,
    one live invoice per member and fee year, balances that reconcile). Exit 1 on a finding,
    naming the first entry changed or removed."""
    from .ledger.verify import verify

    _, store = _store(roster_file, ledger_file)
    found = verify(store)
    if as_json:
        _emit({"ledger": store.shown, "entries": found.entries, "ok": found.ok, "findings": found.findings,
               **found.totals})  # fmt: skip
    else:
        for finding in found.findings:
            click.echo(f"FOUND: {finding}")
        if found.ok:
            click.echo(
                f"{store.shown}: {found.entries} entries, chain whole, no number missing, invariants hold; "
                f"invoiced {found.totals['invoiced']}, credited {found.totals['credited']}, paid "
                f"{found.totals['paid']}, outstanding {found.totals['outstanding']} USD"
            )
    if not found.ok:
        sys.exit(1)


@ledger_group.command("log")
@click.option("--member", "member_name", default=None, help="Only this member's entries (name or id).")
@click.option("--from", "from_date", default=None, help="Only entries posted on or after this date.")
@ROSTER_OPTION
@LEDGER_OPTION
@JSON_OPTION
def ledger_log(
    member_name: str | None, from_date: str | None, roster_file: Path | None, ledger_file: str | None, as_json: bool
) -> None:
    """The audit trail: every entry, when, by whom, through which command, and its hash."""
    from .ledger.verify import trail

    roster, store = _store(roster_file, ledger_file)
    member_id = roster.find(member_name).member_id if member_name else None
    since = _date_option(from_date, "--from") if from_date else None
    rows = trail(store, member_id=member_id, since=since)
    if as_json:
        _emit(rows)
        return
    for r in rows:
        click.echo(f"{r['seq']:>6}  {r['posted_at'][:19]}  {r['kind']:<11} {r['number']:<16} {r['member_id']:<6} "
                   f"{r['posted_by']} ({r['command']})  {r['hash'][:12]}")  # fmt: skip
    click.echo(f"{len(rows)} entr{'y' if len(rows) == 1 else 'ies'}")


@ledger_group.command("export")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The view workbook to write (default: wego_ledger_view.xlsx beside the roster).")  # fmt: skip
@click.option("--as-of", default=None, help="The date of the view (default: today).")
@ROSTER_OPTION
@LEDGER_OPTION
def ledger_export(out: Path | None, as_of: str | None, roster_file: Path | None, ledger_file: str | None) -> None:
    """Write the ledger's view workbook: Invoices, Credit notes, Payments, Voids, Allocations,
    Balances, Aging and Collections. A view: edits there change nothing."""
    from .ledger.views import VIEW_NAME, write_view

    roster, store = _store(roster_file, ledger_file)
    target = out or roster.path.with_name(VIEW_NAME)
    written = write_view(roster, store.load(), target, _date_option(as_of, "--as-of"))
    click.echo(f"written: {written}")


@ledger_group.command("post")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@ROSTER_OPTION
@LEDGER_OPTION
def ledger_post(file: Path, roster_file: Path | None, ledger_file: str | None) -> None:
    """Post the payments typed on the Post sheet of FILE, all or nothing: every bad row is
    named and nothing is posted; posted rows get their receipt numbers. A FILE that does
    not exist is made, with an empty Post sheet to type into."""
    from .ledger.service import PostingError
    from .ledger.views import new_post_workbook, post_file

    if not file.exists():
        new_post_workbook(file)
        click.echo(f"made {file}: type the payments on its Post sheet, then run this again")
        return
    roster, store = _store(roster_file, ledger_file)
    try:
        posted = post_file(store, roster, file, _by("ledger post"))
    except PostingError as exc:
        for problem in exc.problems:
            click.echo(f"not posted: {problem}", err=True)
        raise UserError(f"{len(exc.problems)} row(s) of {file.name} cannot be posted, so none was") from None
    for done in posted:
        p = done.payment
        said = " (posted by an earlier run; its receipt number is now written)" if done.before else ""
        click.echo(f"row {done.row.row}: {p.receipt}, {p.amount:,.2f} USD from {p.member_id} on {p.date}{said}")
    click.echo(f"{len(posted)} payment(s) posted from {file.name}")


#: The commands this module adds to ``wego-xl``.
COMMANDS = [invoice, pay, credit, void, balances, statement, ledger_group]
