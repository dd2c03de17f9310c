"""Test data the rooms share: a bank account's camt.053 statement as a bank writes it, and the
Secretariat's details that documents print."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl

from wego_xl.store.roster import SETTINGS_SHEET

ACCOUNT = "KR12345678901234"
D = Decimal


def camt053(entries: list[tuple], opening: Decimal, number: str, start: str, end: str) -> str:
    """A camt.053.001.02 statement: entries are (date, amount, text, payer, reference)."""
    closing = opening + sum((e[1] for e in entries), D(0))
    ntry = []
    for day, amount, text, payer, ref in entries:
        side = "CRDT" if amount > 0 else "DBIT"
        party = f"<RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr></RltdPties>" if payer else ""
        ntry.append(
            f"<Ntry><Amt Ccy='USD'>{abs(amount):.2f}</Amt><CdtDbtInd>{side}</CdtDbtInd><Sts>BOOK</Sts>"
            f"<BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt><AcctSvcrRef>{ref}</AcctSvcrRef>"
            "<BkTxCd><Prtry><Cd>TRF</Cd></Prtry></BkTxCd><NtryDtls><TxDtls>"
            f"{party}<RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
        )

    def bal(code: str, amount: Decimal, day: str) -> str:
        return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy='USD'>{amount:.2f}</Amt>"
                f"<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>")  # fmt: skip

    return (
        "<?xml version='1.0' encoding='UTF-8'?><Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'>"
        f"<BkToCstmrStmt><GrpHdr><MsgId>{number}</MsgId><CreDtTm>{end}T18:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{number}</Id><CreDtTm>{end}T18:00:00</CreDtTm><Acct><Id><Othr><Id>{ACCOUNT}</Id></Othr></Id>"
        f"<Ccy>USD</Ccy></Acct>{bal('OPBD', opening, start)}{bal('CLBD', closing, end)}{''.join(ntry)}"
        "</Stmt></BkToCstmrStmt></Document>"
    )


BANK = {
    "Bank name": "Shinhan Bank, Seoul Global Center Branch",
    "Bank address": "38 Jongno, Jongno-gu, Seoul",
    "Account name": "World e-Governments Organization of Cities and Local Governments",
    "Account number": "180-009-123456",
    "SWIFT/BIC": "SHBKKRSE",
    "Email": "finance@example.org",
    "Signed by": "Park Jiyoon, Head of Finance",
}
KOTTE = "Sri Jayawardenepura Kotte"


def set_settings(roster: Path, values: dict[str, str]) -> None:
    wb = openpyxl.load_workbook(roster)
    ws = wb[SETTINGS_SHEET]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value in values:
            ws.cell(r, 2).value = values[ws.cell(r, 1).value]
    wb.save(roster)
