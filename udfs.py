"""WeGO membership fee functions for Excel (xlwings).

One module for every host: the classic xlwings add-in (Windows/macOS Excel), xlwings Lite
and xlwings Server. Only ``func``, ``arg``, ``ret`` and ``script`` are used, as all three
hosts provide them. Every function takes a cell or a whole range and returns the same shape.

Errors: xlwings Server and Lite turn a returned "#N/A" into a real Excel error value.
Classic xlwings cannot return real error values (xlwings issue 776), so there a failed cell
shows text that starts with the error code and says why: "#N/A: 'Seol' is not on the
roster; did you mean Seoul?". SUM skips text: use WEGO_FAILED beside totals.
"""

from __future__ import annotations

import xlwings as xw

from wego_xl.excel import hosts
from wego_xl.excel import worksheet as wf

#: Server and Lite make real error values from bare codes; classic shows the reason as text.
ON_SERVER = hosts.on_server(xw)
#: xlwings 0.36.7-0.37.8 spend ~50 µs a cell failing to import Pyodide outside it: made instant.
FAST_JSNULL = hosts.fail_fast_pyodide_import(xw.__version__)
TEXT_ERRORS = not ON_SERVER
hosts.quiet_openpyxl()
CATEGORY = "WeGO"

CITY_DOC = "A member's name: Korean (서울), English (Seoul) or an alias; any case or spacing. A cell or a range."
YEAR_DOC = "The fee year, e.g. 2016 (a cell or a range)."


@xw.func(category=CATEGORY)
@xw.arg(
    "population",
    ndim=2,
    doc='City population in persons, e.g. 970000 (not thousands). A cell or a range; text like "970,000" is read as a number.',
)
@xw.arg(
    "gdp_per_capita",
    ndim=2,
    doc="Country GDP (PPP) per capita in USD for the fee year minus 2 (IMF WEO), e.g. 35379. A cell or a range of the same size.",
)
@xw.arg(
    "fee_year", ndim=2, doc="Optional fee year choosing the fee table in effect; blank: the table in effect this year."
)
def WEGO_FEE(population, gdp_per_capita, fee_year=None):
    """Annual WeGO fee in USD from the fee table: population in persons and GDP (PPP) per capita in USD. Example: =WEGO_FEE(970000, 35379) gives 7000."""
    return wf.fee(population, gdp_per_capita, fee_year, text_errors=TEXT_ERRORS)


@xw.func(category=CATEGORY)
@xw.arg("city", ndim=2, doc=CITY_DOC)
@xw.arg("language", doc='Optional: "en" (default) for Full/Associate/Friendship, "ko" for 정회원/준회원/우정회원.')
@xw.arg("as_of", doc="Optional date, e.g. 2017-03-31: the status on that day (from the History sheet). Blank: now.")
def WEGO_STATUS(city, language=None, as_of=None):
    """Membership of a member: Full, Associate, Friendship, Applicant or Withdrawn (since when), now or on a date. Example: =WEGO_STATUS("Seoul")."""
    return wf.status(city, language, as_of, text_errors=TEXT_ERRORS)


@xw.func(category=CATEGORY)
@xw.arg("city", ndim=2, doc=CITY_DOC)
@xw.arg("fee_year", ndim=2, doc=YEAR_DOC)
def WEGO_MEMBER_FEE(city, fee_year):
    """Fee in USD a member owes for a fee year, from its roster population and its country's GDP for fee year minus 2. 0 when no fee is owed; #N/A names a missing input."""
    return wf.member_fee(city, fee_year, text_errors=TEXT_ERRORS)


@xw.func(category=CATEGORY)
@xw.arg("city", ndim=2, doc=CITY_DOC)
@xw.arg("fee_year", ndim=2, doc=YEAR_DOC)
def WEGO_FEE_DUE(city, fee_year):
    """TRUE if the member owes a fee for the fee year: full members from the year after they became full; associate and friendship members never."""
    return wf.fee_due(city, fee_year, text_errors=TEXT_ERRORS)


@xw.func(category=CATEGORY)
@xw.arg("fee_year", ndim=2, doc=YEAR_DOC)
def WEGO_GDP_YEAR(fee_year):
    """Year of the GDP figure a fee year uses: fee year minus 2. Example: =WEGO_GDP_YEAR(2016) gives 2014."""
    return wf.gdp_year(fee_year, text_errors=TEXT_ERRORS)


@xw.func(category=CATEGORY)
@xw.arg("city", ndim=2, doc=CITY_DOC)
def WEGO_REGION(city):
    """Region of a member: Asia, Oceania, Americas, Europe, Middle East or Africa."""
    return wf.region(city, text_errors=TEXT_ERRORS)


@xw.func(category=CATEGORY)
@xw.arg("city", ndim=2, doc=CITY_DOC)
def WEGO_COUNTRY(city):
    """Country of a member, in English (e.g. "Korea, Republic of")."""
    return wf.country(city, text_errors=TEXT_ERRORS)


@xw.func(category=CATEGORY)
@xw.arg("city", ndim=2, doc=CITY_DOC)
def WEGO_IS_CAPITAL(city):
    """TRUE if the member city is a capital as the 2016 roster classifies it (Abu Dhabi, Kigali and Kotte are listed as non-capitals)."""
    return wf.is_capital(city, text_errors=TEXT_ERRORS)


@xw.func(category=CATEGORY)
@xw.arg("region", doc="Optional region: Asia, Oceania, Americas, Europe, Middle East or Africa. Blank: all regions.")
@xw.arg("membership", doc="Optional membership type: Full, Associate or Friendship. Blank: all types.")
@xw.arg("as_of", doc="Optional date, e.g. 2017-03-31: the membership on that day. Blank: now.")
def WEGO_MEMBERS(region=None, membership=None, as_of=None):
    """Lists (spills down) the English names of the members of a region and/or membership type (on a date, if given), in roster order."""
    return wf.members(region, membership, as_of, text_errors=TEXT_ERRORS)


@xw.func(category=CATEGORY)
@xw.arg(
    "position",
    ndim=2,
    doc="Which member: 1 for the first in roster order, 2 for the second... A cell or a range. Fill =WEGO_MEMBER(ROW()-5) down a column.",
)
@xw.arg("region", doc="Optional region: Asia, Oceania, Americas, Europe, Middle East or Africa. Blank: all regions.")
@xw.arg("membership", doc="Optional membership type: Full, Associate or Friendship. Blank: all types.")
def WEGO_MEMBER(position, region=None, membership=None):
    """The English name of the n-th member in roster order (of a region and/or type if given); blank past the last. A list that follows the roster in any Excel."""
    return wf.member_at(position, region, membership, text_errors=TEXT_ERRORS)


@xw.func(category=CATEGORY)
@xw.arg("fee_year", doc="Optional fee year; blank: the table in effect this year.")
def WEGO_SCHEDULE(fee_year=None):
    """Spills the fee table in effect for a fee year: GDP bands down, population bands across, fees in USD."""
    return wf.schedule_table(fee_year, text_errors=TEXT_ERRORS)


@xw.func(category=CATEGORY)
@xw.arg("population", ndim=2, doc="Population in persons, e.g. 970000. A cell or a range.")
@xw.arg("gdp_per_capita", ndim=2, doc="GDP (PPP) per capita in USD, e.g. 35379. A cell or a range.")
@xw.arg("fee_year", ndim=2, doc="Optional fee year choosing the fee table; blank: this year's.")
def WEGO_BANDS(population, gdp_per_capita, fee_year=None):
    """The population and GDP bands a pair falls in, e.g. "population 600~999 thousand; GDP 20,000~ USD", to check a fee by hand."""
    return wf.bands(population, gdp_per_capita, fee_year, text_errors=TEXT_ERRORS)


@xw.func(category=CATEGORY)
@xw.arg("city", ndim=2, doc=CITY_DOC)
@xw.arg("fee_year", ndim=2, doc=YEAR_DOC)
@xw.arg("language", ndim=2, doc='Optional: "en" (default) for English, "ko" for Korean (한국어).')
def WEGO_EXPLAIN(city, fee_year, language=None):
    """A sentence explaining a member's fee for a fee year: whether it is owed and why, the population, GDP, edition and bands used, or what is missing. In English or Korean."""
    return wf.explain(city, fee_year, language, text_errors=TEXT_ERRORS)


@xw.func(category=CATEGORY)
@xw.arg("city", ndim=2, doc=CITY_DOC)
@xw.arg("fee_year", ndim=2, doc=YEAR_DOC)
def WEGO_INVOICED(city, fee_year):
    """What the member's invoice for the fee year asks in USD, as issued less credit notes (0 if none was issued). From the ledger database (wego_ledger.db beside the roster, or WEGO_LEDGER); no ledger is an error, never 0."""
    return wf.invoiced(city, fee_year, text_errors=TEXT_ERRORS)


@xw.func(category=CATEGORY)
@xw.arg("city", ndim=2, doc=CITY_DOC)
@xw.arg("fee_year", ndim=2, doc=YEAR_DOC)
def WEGO_INVOICE(city, fee_year):
    """The number of the member's invoice for the fee year, e.g. WEGO-2017-004 (#N/A if none was issued)."""
    return wf.invoice_number(city, fee_year, text_errors=TEXT_ERRORS)


@xw.func(category=CATEGORY)
@xw.arg("city", ndim=2, doc=CITY_DOC)
@xw.arg("fee_year", ndim=2, doc="Optional fee year: what was applied to that year's invoices. Blank: all payments.")
def WEGO_PAID(city, fee_year=None):
    """USD the member has paid: applied to the fee year's invoices, or in all when the year is blank."""
    return wf.paid(city, fee_year, text_errors=TEXT_ERRORS)


@xw.func(category=CATEGORY)
@xw.arg("city", ndim=2, doc=CITY_DOC)
@xw.arg(
    "as_of",
    ndim=2,
    doc="Optional date of the balance, e.g. 2017-12-31, or a year (2017 means 31 December 2017); blank: today.",
)
def WEGO_BALANCE(city, as_of=None):
    """The member's balance in USD on a date: invoiced less credit notes less payments. Positive is owed; negative is the member's credit."""
    return wf.balance(city, as_of, text_errors=TEXT_ERRORS)


@xw.func(category=CATEGORY)
@xw.arg("city", ndim=2, doc=CITY_DOC)
@xw.arg("as_of", ndim=2, doc="Optional date, e.g. 2017-12-31, or a year (2017 means 31 December 2017); blank: today.")
def WEGO_ARREARS(city, as_of=None):
    """How many fee years of the member are unpaid past their due date, on a date."""
    return wf.arrears(city, as_of, text_errors=TEXT_ERRORS)


@xw.func(category=CATEGORY)
def WEGO_UNMATCHED():
    """How many receipts on the imported bank statements wait for a person: run wego-xl bank review to see them."""
    return wf.unmatched(text_errors=TEXT_ERRORS)


@xw.func(category=CATEGORY)
@xw.arg("values", ndim=2, err_to_str=True, doc="The range of fee cells to check, e.g. the fee column being totalled.")
def WEGO_FAILED(values):
    """How many cells of a range hold a WeGO error (#N/A, #VALUE!, #NUM!...), as text or as an error value. Put it beside a SUM so a failed fee is never silently left out."""
    return wf.count_failed(values)


# -- the refresh macro ----------------------------------------------------------------------


@xw.script
def refresh_roster(book: xw.Book):
    """Write Summary, Fees YYYY and Checks for the fee year in the cell named FeeYear (else this year)."""
    from wego_xl.excel.writers import refresh_book

    refresh_book(book)


@xw.script
def invoice_fee_year(book: xw.Book):
    """Issue the invoices for the fee year in the cell named FeeYear into the ledger beside the roster (unconfirmed inputs are skipped), and list what was done on an Invoicing sheet."""
    from wego_xl.excel.writers import invoice_book

    invoice_book(book)


@xw.script
def post_payments(book: xw.Book):
    """Post the payments typed on the Post sheet to the ledger, all or nothing; posted rows get their receipt numbers, and a Posting sheet lists what was done or every row that could not be posted."""
    from wego_xl.excel.writers import post_payments_book

    post_payments_book(book)


def refresh():
    """Classic Excel's RunPython entry point (no arguments): RunPython "import udfs; udfs.refresh()"."""
    from wego_xl.excel.writers import refresh_book

    refresh_book(xw.Book.caller())


__all__ = [name for name in dir() if name.startswith("WEGO_")] + [
    "invoice_fee_year",
    "post_payments",
    "refresh",
    "refresh_roster",
]
