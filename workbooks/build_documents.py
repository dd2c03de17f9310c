"""Build the document templates (Word files the Secretariat may restyle): invoice, statement,
reminder and the balance confirmation letter, into ``wego_xl/data/templates/``.

python -m workbooks.build_documents

The templates hold the layout and docxtpl (Jinja) fields only; every word comes from the
message catalogues (``wego_xl/messages``), in the first language and the second, as
``L.key[0]`` and ``L.key[1]``. Open a built template in Word to change fonts, spacing, the
letterhead or a logo; keep the ``{{ ... }}`` and ``{%tr ... %}`` fields.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from wego_xl.app.documents import TEMPLATES

GREY = RGBColor(0x59, 0x59, 0x59)
ACCENT = RGBColor(0x1F, 0x3A, 0x5F)


#: Korean and Latin text alike: NanumGothic (SIL Open Font License; Debian's fonts-nanum,
#: which .ci/run installs), embedded in every PDF LibreOffice writes.
DOCUMENT_FONT = "NanumGothic"


def _new() -> Any:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)  # A4
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(1.8), Cm(1.8)
    section.footer_distance = Cm(0.7)
    _only_used_styles(doc)
    _typography(doc)
    for name in ("Normal", "Table Grid"):
        doc.styles[name].font.size = Pt(9.5)
    normal = doc.styles["Normal"].paragraph_format
    normal.space_after, normal.space_before = Pt(2), Pt(0)
    _footer(doc)
    return doc


#: The styles the templates use (and Word's defaults): python-docx's blank document brings 164,
#: whose import is half of LibreOffice's time per document.
STYLES = ("Normal", "Default Paragraph Font", "Normal Table", "No List", "Table Grid", "Header", "Footer")


def _only_used_styles(doc) -> None:
    """Drop the styles no template uses, Word's list of latent styles and the copy of the
    styles for Word 2010 (stylesWithEffects): Word adds back what the Secretariat chooses."""
    styles = doc.styles.element
    for style in styles.findall(qn("w:style")):
        if style.find(qn("w:name")).get(qn("w:val")) not in STYLES:
            styles.remove(style)
    for latent in styles.findall(qn("w:latentStyles")):
        styles.remove(latent)
    for key, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(key)


def _typography(doc) -> None:
    """Every style and the document's defaults name NanumGothic for every script (``w:eastAsia``
    is Hangul's), never a theme font (python-docx's theme names Japanese ones for East Asian
    text); Korean is the East Asian language; no automatic space between Hangul and Latin
    letters or digits (``w:autoSpaceDE``/``w:autoSpaceDN``: Word reads them; LibreOffice does
    not, and ``wego_xl.store.pdf`` turns its own off), so "2017년 1월 15일" stays whole."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    for fonts in styles.iter(qn("w:rFonts")):
        for attr in [a for a in fonts.attrib if a.lower().endswith("theme")]:
            del fonts.attrib[attr]
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), DOCUMENT_FONT)
    defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang")).set(qn("w:eastAsia"), "ko-KR")
    normal = doc.styles["Normal"].element.get_or_add_pPr()
    for ppr in (defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")), normal):
        for name in ("w:autoSpaceDN", "w:autoSpaceDE"):  # before w:spacing, as the schema orders them
            switch = OxmlElement(name)
            switch.set(qn("w:val"), "0")
            ppr.insert(0, switch)


def _footer(doc) -> None:
    """The foot of every page: the Secretariat's name, address and e-mail (the Settings
    sheet's), in the first language and, grey, in the second."""
    footer = doc.sections[0].footer
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _border(p, "top", "4")
    first = p.add_run("{{ org.name[0] }} · {{ org.address[0] }}{% if org.email %} · {{ org.email }}{% endif %}")
    first.font.size = Pt(7.5)
    p.add_run().add_break()
    second = p.add_run("{{ org.name[1] }} · {{ org.address[1] }}")
    second.font.size, second.font.color.rgb = Pt(7), GREY


def _para(doc_or_cell, *runs: tuple[str, dict], align=None, space_after: float | None = None):
    p = doc_or_cell.add_paragraph()
    for text, fmt in runs:
        if text == "\n":
            p.add_run().add_break()
            continue
        run = p.add_run(text)
        run.bold = fmt.get("bold")
        if "size" in fmt:
            run.font.size = Pt(fmt["size"])
        if fmt.get("grey"):
            run.font.color.rgb = GREY
        if fmt.get("accent"):
            run.font.color.rgb = ACCENT
    if align:
        p.alignment = align
    if space_after is not None:
        p.paragraph_format.space_after = Pt(space_after)
    return p


def _pair(key: str, size: float = 9.5, bold: bool = False) -> tuple[tuple[str, dict], ...]:
    """A message in the first language, and under it, smaller and grey, in the second."""
    return (
        (f"{{{{ L.{key}[0] }}}}", {"bold": bold, "size": size}),
        ("\n", {}),
        (f"{{{{ L.{key}[1] }}}}", {"grey": True, "size": size - 1.5}),
    )


def _border(paragraph, side: str, size: str) -> None:
    """A thin navy line on one side (top, bottom) of a paragraph; ``size`` in eighths of a point."""
    border = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{side}")
    for attr, value in (("w:val", "single"), ("w:sz", size), ("w:space", "4"), ("w:color", "1F3A5F")):
        line.set(qn(attr), value)
    border.append(line)
    paragraph._p.get_or_add_pPr().append(border)


def _rule(paragraph) -> None:
    """A thin line under a paragraph."""
    _border(paragraph, "bottom", "6")


def _cell(cell, *runs, align=None) -> None:
    cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    _para(cell, *runs, align=align, space_after=0)


def _letterhead(doc, title_key: str) -> None:
    _para(doc, ("{{ org.name[0] }}", {"bold": True, "size": 14, "accent": True}), space_after=0)
    _para(doc, ("{{ org.name[1] }}", {"size": 10, "grey": True}), space_after=2)
    # the address and e-mail: in the footer (_footer), on every page
    _rule(_para(doc, ("{{ org.organisation }}", {"size": 8.5, "grey": True}), space_after=10))
    _para(doc, (f"{{{{ L.{title_key}[0] }}}}", {"bold": True, "size": 18, "accent": True}), space_after=0)
    _para(doc, (f"{{{{ L.{title_key}[1] }}}}", {"size": 12, "grey": True}), space_after=8)


def _dated_subject(doc) -> None:
    """A letter's date, then its subject, each in both languages."""
    _para(doc, ("{{ today[0] }}", {}), ("\n", {}), ("{{ today[1] }}", {"grey": True}), space_after=6)
    _para(doc, ("{{ L.subject[0] }}", {"bold": True, "size": 11}), ("\n", {}),
          ("{{ L.subject[1] }}", {"bold": True, "size": 10, "grey": True}), space_after=6)  # fmt: skip


def _facts(doc, rows: list[tuple[str, str]]) -> None:
    """A two-column table: the label in both languages on one line, the value (the parts of
    ``value`` split at "|": the first language's, then the second's, grey)."""
    table = doc.add_table(rows=0, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    for _ in rows:
        left, right = table.add_row().cells
        left.width, right.width = Cm(6.0), Cm(11.0)
    for column, width in zip(table.columns, (6.0, 11.0)):
        column.width = Cm(width)
    for (key, value), (left, right) in zip(rows, (r.cells for r in table.rows)):
        _cell(left, (f"{{{{ L.{key}[0] }}}}", {"bold": True, "size": 9}), ("  ", {}),
              (f"{{{{ L.{key}[1] }}}}", {"grey": True, "size": 8}))  # fmt: skip
        parts = value.split("|")
        runs = [(parts[0], {"size": 9.5})]
        for part in parts[1:]:
            if part == "\n":
                runs += [("\n", {})]
            else:
                runs += [("  ", {})] if runs[-1][0] != "\n" else []
                runs += [(part, {"size": 8.5, "grey": True})]
        _cell(right, *runs)
    _gap(doc)


def _gap(doc, points: float = 6) -> None:
    """A small space after a table."""
    p = doc.add_paragraph()
    p.paragraph_format.space_after = Pt(0)
    p.add_run().font.size = Pt(points)


def _payment(doc) -> None:
    _para(doc, *_pair("payment_heading", 11, bold=True), space_after=4)
    _facts(
        doc,
        [
            ("bank_name", "{{ bank.name }}"),
            ("bank_address", "{{ bank.address }}"),
            ("account_name", "{{ bank.account_name }}"),
            ("account_number", "{{ bank.account_number }}"),
            ("swift", "{{ bank.swift }}"),
        ],
    )


def _closing(doc) -> None:
    _para(doc, ("{{ L.thanks[0] }}", {}), ("\n", {}), ("{{ L.thanks[1] }}", {"grey": True}), space_after=6)
    _para(doc, ("{{ org.signed_by }}", {"bold": True}), space_after=10)
    _para(doc, ("{{ L.contact[0] }}", {"size": 8}), ("\n", {}), ("{{ L.contact[1] }}", {"size": 8, "grey": True}))


def _money_table(
    doc, headers: list[tuple[str, bool]], loop: str, cells: list[str], total: list[str] | None, widths: list[float]
) -> None:
    """A table with a header row in both languages, one row per item (docxtpl's {%tr %}),
    and an optional total row; ``bool`` marks the right-aligned (money) columns."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    for c, (key, right) in enumerate(headers):
        _cell(table.rows[0].cells[c], *_pair(key, 8.5, bold=True), align=WD_ALIGN_PARAGRAPH.RIGHT if right else None)
    start = table.add_row().cells
    _cell(start[0], (f"{{%tr for row in {loop} %}}", {}))
    body = table.add_row().cells
    for c, text in enumerate(cells):
        right = headers[c][1]
        parts = text.split("|")
        runs = [(parts[0], {"size": 9})] + (
            [("\n", {}), (parts[1], {"size": 8, "grey": True})] if len(parts) > 1 else []
        )
        _cell(body[c], *runs, align=WD_ALIGN_PARAGRAPH.RIGHT if right else None)
    end = table.add_row().cells
    _cell(end[0], ("{%tr endfor %}", {}))
    if total:
        last = table.add_row().cells
        for c, text in enumerate(total):
            right = headers[c][1]
            parts = text.split("|")
            runs = [(parts[0], {"size": 9, "bold": True})]
            runs += [("\n", {}), (parts[1], {"size": 8, "grey": True})] if len(parts) > 1 else []
            _cell(last[c], *runs, align=WD_ALIGN_PARAGRAPH.RIGHT if right else None)
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = Cm(width)  # the grid, which LibreOffice reads
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = Cm(width)  # each cell, which Word reads
    _gap(doc)


def invoice() -> Any:
    doc = _new()
    _letterhead(doc, "invoice_title")
    _facts(doc, [
        ("invoice_number", "{{ invoice.number }}"),
        ("issue_date", "{{ invoice.issued[0] }}|{{ invoice.issued[1] }}"),
        ("due_date", "{{ invoice.due[0] }}|{{ invoice.due[1] }}"),
        ("fee_year", "{{ invoice.fee_year }}"),
        ("member", "{{ member.name[0] }}|\n|{{ member.name[1] }}"),
        ("member_id", "{{ member.id }}"),
        ("country", "{{ member.country }}"),
    ])  # fmt: skip
    _money_table(
        doc,
        [("description", False), ("amount", True)],
        "items",
        ["{{ row.text[0] }}|{{ row.text[1] }}", "{{ row.amount }}"],
        ["{{ L.total_due[0] }}|{{ L.total_due[1] }}", "{{ invoice.amount }}"],
        [13.0, 4.0],
    )
    _para(doc, *_pair("basis_heading", 11, bold=True), space_after=4)
    _para(doc, ("{{ L.basis[0] }}", {"size": 9}), space_after=2)
    _para(doc, ("{{ L.basis[1] }}", {"size": 8.5, "grey": True}), space_after=10)
    _payment(doc)
    _para(doc, ("{{ L.pay_by[0] }}", {"bold": True}), ("\n", {}), ("{{ L.pay_by[1] }}", {"grey": True}), space_after=10)
    _closing(doc)
    return doc


def statement() -> Any:
    doc = _new()
    _letterhead(doc, "statement_title")
    _facts(doc, [
        ("member", "{{ member.name[0] }}|\n|{{ member.name[1] }}"),
        ("member_id", "{{ member.id }}"),
        ("country", "{{ member.country }}"),
        ("period_label", "{{ L.period[0] }}|{{ L.period[1] }}"),
    ])  # fmt: skip
    _money_table(
        doc,
        [("date", False), ("entry", False), ("charges", True), ("payments", True), ("balance", True)],
        "lines",
        ["{{ row.date }}", "{{ row.text[0] }}|{{ row.text[1] }}", "{{ row.charge }}", "{{ row.payment }}",
         "{{ row.balance }}"],
        None,
        [3.4, 6.6, 2.3, 2.4, 2.3],
    )  # fmt: skip
    _para(doc, ("{{ L.closing_line[0] }}", {"bold": True}), ("\n", {}), ("{{ L.closing_line[1] }}", {"grey": True}),
          space_after=8)  # fmt: skip
    _para(doc, ("{%p if open %}", {}))
    _para(doc, *_pair("open_heading", 11, bold=True), space_after=4)
    _open_invoices(doc)
    _payment(doc)
    _para(doc, ("{%p endif %}", {}))
    _closing(doc)
    return doc


def _open_invoices(doc) -> None:
    _money_table(
        doc,
        [("invoice_number", False), ("fee_year", False), ("due_date", False), ("days_late", True),
         ("open_amount", True)],
        "open",
        ["{{ row.number }}", "{{ row.fee_year }}", "{{ row.due }}", "{{ row.days }}", "{{ row.amount }}"],
        None,
        [4.0, 2.5, 4.0, 3.0, 3.5],
    )  # fmt: skip


def reminder() -> Any:
    doc = _new()
    _letterhead(doc, "reminder_title")
    _dated_subject(doc)
    _facts(doc, [
        ("member", "{{ member.name[0] }}|\n|{{ member.name[1] }}"),
        ("member_id", "{{ member.id }}"),
    ])  # fmt: skip
    _para(doc, ("{{ L.dear[0] }}", {}), space_after=4)
    _para(doc, ("{{ L.body[0] }}", {}), space_after=8)
    _para(doc, ("{{ L.dear[1] }}", {"grey": True}), space_after=4)
    _para(doc, ("{{ L.body[1] }}", {"grey": True}), space_after=8)
    _open_invoices(doc)
    _para(doc, ("{{ L.total_past_due[0] }}", {"bold": True}), ("\n", {}),
          ("{{ L.total_past_due[1] }}", {"bold": True, "grey": True}), space_after=8)  # fmt: skip
    _payment(doc)
    _para(doc, ("{{ L.sincerely[0] }}", {}), ("\n", {}), ("{{ L.sincerely[1] }}", {"grey": True}), space_after=4)
    _closing(doc)
    return doc


def credit_note() -> Any:
    """A credit note: its number and date, the invoice it reduces, the amount and the reason,
    the invoice as issued with every credit note and payment on it, and what is left to pay."""
    doc = _new()
    _letterhead(doc, "credit_note_title")
    _facts(doc, [
        ("credit_note_number", "{{ credit.number }}"),
        ("credit_date", "{{ credit.date[0] }}|{{ credit.date[1] }}"),
        ("credited_invoice", "{{ credit.invoice }}|{{ L.invoice_of[0] }}|\n|{{ L.invoice_of[1] }}"),
        ("member", "{{ member.name[0] }}|\n|{{ member.name[1] }}"),
        ("member_id", "{{ member.id }}"),
        ("country", "{{ member.country }}"),
        ("reason", "{{ credit.reason }}"),
    ])  # fmt: skip
    _para(doc, ("{{ L.credit_body[0] }}", {}), ("\n", {}), ("{{ L.credit_body[1] }}", {"grey": True}), space_after=8)
    _money_table(
        doc,
        [("description", False), ("amount", True)],
        "items",
        ["{{ row.text[0] }}|{{ row.text[1] }}", "{{ row.amount }}"],
        ["{{ L.left_to_pay[0] }}|{{ L.left_to_pay[1] }}", "{{ credit.left }}"],
        [13.0, 4.0],
    )
    _para(doc, ("{{ L.left_line[0] }}", {"bold": True}), ("\n", {}), ("{{ L.left_line[1] }}", {"grey": True}),
          space_after=10)  # fmt: skip
    _para(doc, ("{%p if credit.owing %}", {}))
    _payment(doc)
    _para(doc, ("{%p endif %}", {}))
    _closing(doc)
    return doc


def confirmation() -> Any:
    """The balance confirmation letter of the auditor's pack (wego-xl year-end): the balance
    on 31 December, the open invoices, the bank, and a reply slip to sign and return."""
    doc = _new()
    doc.sections[0].top_margin = doc.sections[0].bottom_margin = Cm(1.5)  # a reply slip under the letter
    _letterhead(doc, "confirmation_title")
    _dated_subject(doc)
    _facts(doc, [
        ("member", "{{ member.name[0] }}|\n|{{ member.name[1] }}"),
        ("member_id", "{{ member.id }}"),
        ("balance_on", "{{ L.balance_line[0] }}|\n|{{ L.balance_line[1] }}"),
    ])  # fmt: skip
    _para(doc, ("{{ L.dear[0] }}", {}), ("\n", {}), ("{{ L.body[0] }}", {}), space_after=4)
    _para(doc, ("{{ L.dear[1] }}", {"grey": True}), ("\n", {}), ("{{ L.body[1] }}", {"grey": True}), space_after=6)
    _para(doc, ("{%p if open %}", {}))
    _para(doc, *_pair("open_heading", 10.5, bold=True), space_after=3)
    _open_invoices(doc)
    _para(doc, ("{%p endif %}", {}))
    _para(doc, ("{{ L.reply_by[0] }}", {"bold": True}), ("\n", {}), ("{{ L.reply_by[1] }}", {"grey": True}),
          space_after=3)  # fmt: skip
    _para(doc, ("{{ L.not_a_demand[0] }}", {"size": 8}), ("\n", {}),
          ("{{ L.not_a_demand[1] }}", {"size": 7.5, "grey": True}), space_after=6)  # fmt: skip
    _para(doc, ("{{ L.payment_heading[0] }}", {"bold": True, "size": 10}), ("  ", {}),
          ("{{ L.payment_heading[1] }}", {"size": 8.5, "grey": True}), space_after=2)  # fmt: skip
    bank = [("bank_name", "{{ bank.name }}{% if bank.address %}, {{ bank.address }}{% endif %}"),
            ("account_name", "{{ bank.account_name }}"), ("account_number", "{{ bank.account_number }}"),
            ("swift", "{{ bank.swift }}")]  # fmt: skip
    runs: list[tuple[str, dict]] = []
    for key, value in bank:
        runs += [("\n", {})] if runs else []
        runs += [(f"{{{{ L.{key}[0] }}}} ", {"bold": True, "size": 8.5}), (f"{{{{ L.{key}[1] }}}}: ", {"size": 8, "grey": True}),
                 (value, {"size": 9})]  # fmt: skip
    _para(doc, *runs, space_after=8)
    _rule(_para(doc, *_pair("reply_heading", 10.5, bold=True), space_after=3))
    for key in ("agree", "disagree"):
        _para(doc, ("\u2610  ", {"size": 10}), (f"{{{{ L.{key}[0] }}}}", {"size": 9}), ("  ", {}),
              (f"{{{{ L.{key}[1] }}}}", {"size": 8, "grey": True}), space_after=3)  # fmt: skip
    _para(doc, ("{{ L.signature[0] }}", {"size": 9}), ("  ", {}), ("{{ L.signature[1] }}", {"size": 8, "grey": True}),
          space_after=12)  # fmt: skip
    _para(doc, ("{{ org.signed_by }}", {"bold": True}), space_after=6)  # the closing, without the thanks
    _para(doc, ("{{ L.contact[0] }}", {"size": 8}), ("\n", {}), ("{{ L.contact[1] }}", {"size": 8, "grey": True}))
    return doc


def build(folder: Path = TEMPLATES) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in (
        ("invoice", invoice),
        ("statement", statement),
        ("reminder", reminder),
        ("confirmation", confirmation),
        ("credit-note", credit_note),
    ):
        path = folder / f"{name}.docx"
        make().save(path)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build():
        print(path)
