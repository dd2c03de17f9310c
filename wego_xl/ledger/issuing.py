"""Documents as records: what ``wego-xl documents`` does around the templates. An invoice or a
credit note is issued once: the Word file and the PDF first made are kept in the ledger with
their SHA-256, and every later run writes those same bytes (a second person issuing at the same
moment gets the first one's). Each reminder written is logged (member, level, day, amount), and
the next reminder's level follows the log. A dry run makes the same decisions and writes
nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..app.documents import DocumentRun, lacking_pdf, to_pdf, write_documents
from ..app.letters import Drafts, email_sender, write_email_drafts
from ..rules.reminders import GAP_DAYS
from ..store.roster import Roster
from .issued import issued_in, keep_issued, log_reminder, reminders_sent
from .store import Actor, LedgerStore


@dataclass
class DocumentsMade:
    """What a documents run did: the run itself, the PDFs made, the drafts, and the documents
    kept with the ledger for the first time ("invoice WEGO-2017-001")."""

    run: DocumentRun
    pdfs: list[Path] = field(default_factory=list)
    drafts: Drafts | None = None
    first_kept: list[str] = field(default_factory=list)


def issue_documents(
    store: LedgerStore, roster: Roster, fee_year: int, kinds: Iterable[str], out: Path, *, language: str,
    as_of: dt.date, by: Actor, templates: Path | None = None, replace: bool = False, members: Iterable[str] = (),
    pdf: bool = False, email_drafts: bool = False, dry_run: bool = False,
) -> DocumentsMade:  # fmt: skip
    """Write the documents of ``fee_year`` (see :func:`write_documents`), the invoices and
    credit notes as first issued, and keep with the ledger what is issued for the first time
    and every reminder written."""
    if email_drafts:
        email_sender(roster)  # a blank or wrong sender stops before any file is written
    with store.reading() as conn:  # one state of the ledger: what was issued, the entries, the reminders
        docx, pdfs_kept = issued_in(conn, "docx"), issued_in(conn, "pdf")
        book = store.load(conn)
        sent = reminders_sent(conn)
    run = write_documents(roster, book, fee_year, kinds, out, language=language, as_of=as_of, templates=templates,
                          replace=replace, members=members, as_issued={k: f.content for k, f in docx.items()},
                          sent=sent, dry_run=dry_run)  # fmt: skip
    made = DocumentsMade(run)
    if dry_run:
        return made
    with store.writing() as conn:  # the Word files first issued, and the reminders written, before any PDF
        for (kind, number), (member_id, path) in run.first_issue.items():
            ours = path.read_bytes()
            held = keep_issued(conn, kind, number, member_id, "docx", path.name, ours, by)
            if held.content != ours:  # issued by someone else meanwhile: theirs stands
                path.write_bytes(held.content)
            else:
                made.first_kept.append(f"{kind} {number}")
        logged = reminders_sent(conn)  # as it stands now: another run may have reminded meanwhile
        kept = []
        for r in run.reminders:
            near = [s for s in logged.get(r.member_id, []) if abs((s.date - r.as_of).days) < GAP_DAYS]
            if near:  # the file just made is taken back: one reminder, not two
                r.file.unlink(missing_ok=True)
                run.written = [p for p in run.written if p != r.file]
                run.none_for[r.file.name] = f"reminded on {near[-1].date} by another run meanwhile: not made twice"
                continue
            log_reminder(conn, r.member_id, r.level, r.as_of, r.amount, r.invoices, r.file.name, by)
            kept.append(r)
        run.reminders = kept
    for key, (_, path) in run.issued_once.items():  # the PDF as issued, where there is one
        target, printed = path.with_suffix(".pdf"), pdfs_kept.get(key)
        if printed is not None and path.exists():  # written after its Word file: never taken for stale
            target.write_bytes(printed.content)
    if pdf or email_drafts:
        made.pdfs = to_pdf(lacking_pdf(out), out)  # also those a failed --pdf left without one
        with store.writing() as conn:
            for (kind, number), (member_id, path) in run.issued_once.items():
                target = path.with_suffix(".pdf")
                if (kind, number) in pdfs_kept or not target.exists():
                    continue
                held = keep_issued(conn, kind, number, member_id, "pdf", target.name, target.read_bytes(), by)
                if held.content != target.read_bytes():
                    target.write_bytes(held.content)
    if email_drafts:
        made.drafts = write_email_drafts(roster, run, out, fee_year, replace=replace)
    return made
