"""IMF WEO import: every published format and encoding, the real files, and the GDP sheet."""

from __future__ import annotations

import openpyxl
import pytest

import udfs
from wego_xl.errors import WegoError
from wego_xl.store.roster import read_roster
from wego_xl.store.weo import import_weo, parse_weo

from ..conftest import SHARED_DATA, edit_roster

WEO_DIR = SHARED_DATA / "weo"
needs_real_data = pytest.mark.skipif(not WEO_DIR.is_dir(), reason="../shared/data/weo is not here")

FULL_HEADER = [
    "WEO Country Code",
    "ISO",
    "WEO Subject Code",
    "Country",
    "Subject Descriptor",
    "Subject Notes",
    "Units",
    "Scale",
    "Country/Series-specific Notes",
    "2013",
    "2014",
    "2015",
    "Estimates Start After",
]


def _full_download(
    rows,
    edition="April 2015",
    subject_descriptor="Gross domestic product based on purchasing-power-parity (PPP) per capita GDP",
    units="Current international dollar",
):
    lines = ["\t".join(FULL_HEADER)]
    for code, iso, subject, country, values in rows:
        lines.append(
            "\t".join(
                [code, iso, subject, country, subject_descriptor, "notes", units, "Units", "See notes", *values, "2013"]
            )
        )
    lines += ["", f"International Monetary Fund, World Economic Outlook Database, {edition}"]
    return "\r\n".join(lines) + "\r\n"


ROWS = [
    ("542", "KOR", "PPPPC", "Korea", ["33,140.139", "35,277.347", "36,601.073"]),
    ("542", "KOR", "NGDPDPC", "Korea", ["25,998.000", "27,970.000", "28,338.000"]),
    ("662", "CIV", "PPPPC", "Côte d'Ivoire", ["3,000.5", "n/a", "--"]),
    ("487", "WBG", "PPPPC", "West Bank and Gaza", ["4,500", "4,600", ""]),
    ("532", "HKG", "PPPPC", "Hong Kong SAR", ["52,000", "54,722.118", "56,428.069"]),
]


def test_full_download_iso_8859_1(tmp_path):
    path = tmp_path / "WEOApr2015all.xls"
    path.write_bytes(_full_download(ROWS).encode("iso-8859-1"))
    data = parse_weo(path)
    assert data.file_format == "WEO full download" and data.edition == "April 2015"
    found = {(f.code, f.year): f.value for f in data.figures}
    assert found[("KOR", 2014)] == 35277.347  # the PPPPC row, not NGDPDPC
    assert found[("CIV", 2013)] == 3000.5 and ("CIV", 2014) not in found and ("CIV", 2015) not in found
    assert found[("PSE", 2014)] == 4600  # IMF's WBG is ISO's PSE
    assert data.is_ppp and data.warnings == ["left out (not GDP (PPP) per capita): NGDPDPC, 1 row(s)"]
    estimates = {(f.code, f.year): f.estimate for f in data.figures}  # "Estimates Start After" 2013
    assert estimates[("KOR", 2013)] is False and estimates[("KOR", 2014)] is True


def test_full_download_utf16_from_october_2020(tmp_path):
    path = tmp_path / "WEOOct2020all.xls"
    path.write_bytes(
        b"\xff\xfe"
        + _full_download(
            ROWS,
            "October 2020",
            "Gross domestic product per capita, current prices",
            "Purchasing power parity; international dollars",
        ).encode("utf-16-le")
    )
    data = parse_weo(path, years=range(2014, 2015))
    assert data.edition == "October 2020"
    assert sorted(f.code for f in data.figures) == ["HKG", "KOR", "PSE"]  # CIV 2014 is n/a
    assert all(f.year == 2014 for f in data.figures)


def test_query_tool_export_maps_names_and_takes_us_dollars_only_by_name(tmp_path):
    text = "Country\tSubject Descriptor\tUnits\tScale\tCountry/Series-specific Notes\t2015\tEstimates Start After\r\n"
    text += "Korea\tGross domestic product per capita, current prices\tU.S. dollars\tUnits\tx\t27,195.197\t2014\r\n"
    text += (
        "Hong Kong SAR\tGross domestic product per capita, current prices\tU.S. dollars\tUnits\tx\t42,389.630\t2014\r\n"
    )
    text += "Atlantis\tGross domestic product per capita, current prices\tU.S. dollars\tUnits\tx\t1\t2014\r\n"
    text += "\r\nInternational Monetary Fund, World Economic Outlook Database, April 2016\r\n"
    path = tmp_path / "query.xls"
    path.write_bytes(text.encode("iso-8859-1"))
    with pytest.raises(
        WegoError, match=r"holds NGDPDPC .+U\.S\. dollars.+not GDP \(PPP\) per capita .+--subject NGDPDPC"
    ):
        parse_weo(path)
    data = parse_weo(path, subject="NGDPDPC")
    assert data.file_format == "WEO query-tool export" and not data.is_ppp
    assert {(f.code, f.value) for f in data.figures} == {("KOR", 27195.197), ("HKG", 42389.63)}
    assert data.unmapped == ["Atlantis"]
    assert data.warnings and "U.S. dollars" in data.warnings[0]


def test_sdmx_csv(tmp_path):
    path = tmp_path / "imf_sdmx.csv"
    path.write_text(
        "COUNTRY,INDICATOR,UNIT,FREQUENCY,SCALE,TIME_PERIOD,OBS_VALUE\n"
        "KOR,PPPPC,Purchasing power parity; international dollars,A,Units,2023,56709.5\n"
        "KOR,NGDPD,U.S. dollars,A,Billions,2023,1712.8\n"
        "HKG,PPPPC,Purchasing power parity; international dollars,A,Units,2023,\n",
        encoding="utf-8",
    )
    data = parse_weo(path, edition="April 2025")
    assert data.file_format == "IMF SDMX CSV" and [(f.code, f.name, f.year, f.value) for f in data.figures] == [
        ("KOR", "KOR", 2023, 56709.5)
    ]
    assert data.edition == "April 2025"


def test_long_csv_needs_an_edition(tmp_path):
    path = tmp_path / "my_gdp.csv"
    path.write_text('country,year,value\nKorea,2014,"35,277.347"\nkor,2015,36601.073\n', encoding="utf-8")
    with pytest.raises(WegoError, match="--edition"):
        parse_weo(path)
    with pytest.raises(WegoError, match=r"column 'value', series not stated.+--subject"):
        parse_weo(path, edition="April 2015")  # the file does not say it is PPP
    data = parse_weo(path, edition="April 2015", subject="PPPPC")  # the user says so, by name
    assert [(f.code, f.year, f.value) for f in data.figures] == [("KOR", 2014, 35277.347), ("KOR", 2015, 36601.073)]
    assert data.is_ppp and data.warnings  # read as PPPPC, as --subject says


# -- the real files -----------------------------------------------------------------------------


@needs_real_data
def test_real_april_2015_ppppc_korea_2014():
    data = parse_weo(WEO_DIR / "open-numbers_WEOApr2015_ddf--datapoints--ppppc--by--country--year.csv")
    assert data.edition == "April 2015" and data.is_ppp and not data.unmapped
    assert ("KOR", 2014) in {(f.code, f.year) for f in data.figures}
    assert [f.value for f in data.figures if (f.code, f.year) == ("KOR", 2014)] == [35277.347]


@needs_real_data
def test_real_april_2016_query_export():
    path = WEO_DIR / "handson-ml2_gdp_per_capita_WEOApr2016_extract.tsv"
    with pytest.raises(WegoError, match=r"holds NGDPDPC .+not GDP \(PPP\) per capita"):
        parse_weo(path)
    data = parse_weo(path, subject="NGDPDPC")
    assert data.edition == "April 2016" and data.file_format == "WEO query-tool export"
    lines = path.read_bytes().decode("iso-8859-1").splitlines()
    country_rows = [line for line in lines[1:] if line.strip() and not line.startswith("International Monetary Fund")]
    with_value = [
        line for line in country_rows if line.split("\t")[5].strip() not in ("n/a", "--", "")
    ]  # Kosovo: empty
    assert not data.unmapped and len(data.figures) == len(with_value)
    found = {f.code: f.value for f in data.figures}
    assert found["KOR"] == 27195.197 and found["HKG"] == 42389.630
    assert not data.is_ppp and "U.S. dollars" in data.units and "not GDP (PPP) per capita" in data.units


@needs_real_data
def test_real_april_2025_full_download_extract():
    data = parse_weo(WEO_DIR / "PIP-aux_weo_WEOApr2025_KOR_PPPPC_extract.csv")
    assert data.edition == "April 2025" and data.file_format == "WEO full download" and data.is_ppp
    assert {f.code for f in data.figures} == {"KOR"}


# -- writing the GDP sheet ------------------------------------------------------------------------


def _gdp_rows(path):
    return [row for row in openpyxl.load_workbook(path)["GDP"].iter_rows(min_row=2, values_only=True)]


def test_import_is_idempotent_and_keeps_editions_apart(roster_copy, tmp_path):
    first = tmp_path / "WEOApr2015all.xls"
    first.write_bytes(_full_download(ROWS).encode("iso-8859-1"))
    import_weo(roster_copy, parse_weo(first))
    once = _gdp_rows(roster_copy)
    import_weo(roster_copy, parse_weo(first))
    assert _gdp_rows(roster_copy) == once  # same edition again: nothing changes
    assert {r[0] for r in once} == {"KOR", "CIV", "PSE", "HKG"} - {"CIV"}  # only member countries
    newer = tmp_path / "WEOApr2019all.xls"
    newer.write_bytes(
        _full_download([("542", "KOR", "PPPPC", "Korea", ["1", "35,320.4", "2"])], "April 2019").encode("iso-8859-1")
    )
    result = import_weo(roster_copy, parse_weo(newer), check_fee_years=(2016,))
    rows = _gdp_rows(roster_copy)
    assert len(rows) == len(once) + 3 and {r[4] for r in rows} == {"April 2015", "April 2019"}
    roster = read_roster(roster_copy)
    assert roster.gdp_figure("KOR", 2014).value == 35320.4  # the newest edition
    pse = roster.gdp_figure("PSE", 2014)  # April 2019 lacks it: the newest edition that has it
    assert (pse.value, pse.edition, pse.estimate) == (4600, "April 2015", True)
    assert str(pse.described()) == "IMF WEO April 2015, an IMF estimate"
    assert "PSE" not in result.missing[2014] and "KOR" not in result.missing[2014]
    assert any(
        w.startswith("April 2019 has no figures for HKG, PSE, which April 2015 has") for w in result.data.warnings
    )


def test_import_is_refused_while_excel_has_the_roster_open(roster_copy, tmp_path):
    path = tmp_path / "WEOApr2015all.xls"
    path.write_bytes(_full_download(ROWS).encode("iso-8859-1"))
    before = roster_copy.read_bytes()
    (roster_copy.parent / ("~$" + roster_copy.name)).write_bytes(b"x")
    with pytest.raises(WegoError, match="open in Excel"):
        import_weo(roster_copy, parse_weo(path))
    assert roster_copy.read_bytes() == before


@needs_real_data
def test_member_fee_after_a_real_import(roster_copy, monkeypatch):
    data = parse_weo(WEO_DIR / "open-numbers_WEOApr2015_ddf--datapoints--ppppc--by--country--year.csv")
    import_weo(roster_copy, data)
    edit_roster(
        roster_copy,
        {
            "Seoul": {"Population": 970_000},  # the source's worked example
            "Gimpo": {"Population": 350_000},
        },
    )
    monkeypatch.setenv("WEGO_ROSTER", str(roster_copy))
    # Korea 2014 (April 2015 edition) is 35,277.347 USD: the 20,000~ row
    assert udfs.WEGO_MEMBER_FEE([["Seoul"], ["Gimpo"], ["Sejong"]], 2016) == [[7000], [6500], [0]]
    assert "IMF WEO April 2015" in udfs.WEGO_EXPLAIN("Seoul", 2016)


# -- a series that is not PPPPC: refused unless named, and never billed -------------------------------------

USD_QUERY = "Gross domestic product per capita, current prices\tU.S. dollars"
PPP_2019 = "Gross domestic product per capita, current prices\tPurchasing power parity; international dollars"
CONSTANT_PPP = "Gross domestic product per capita, constant prices\tPurchasing power parity; 2017 international dollar"
NATIONAL = "Gross domestic product per capita, current prices\tNational currency"


def _query(path, series, value="1,000.5", edition="April 2016"):
    text = "Country\tSubject Descriptor\tUnits\tScale\tCountry/Series-specific Notes\t2015\tEstimates Start After\r\n"
    text += f"Nepal\t{series}\tUnits\tx\t{value}\t2014\r\n"
    text += f"\r\nInternational Monetary Fund, World Economic Outlook Database, {edition}\r\n"
    path.write_bytes(text.encode("iso-8859-1"))
    return path


@pytest.mark.parametrize("series", [USD_QUERY, CONSTANT_PPP, NATIONAL, "GDP per capita\tEuros"])
def test_a_series_that_is_not_ppppc_is_refused_unless_named(tmp_path, series):
    path = _query(tmp_path / "q.xls", series)
    with pytest.raises(WegoError, match=r"not GDP \(PPP\) per capita \(PPPPC\), which WeGO fees use"):
        parse_weo(path)
    with pytest.raises(WegoError, match="not PPPPC"):
        parse_weo(path, subject="PPPPC")  # naming PPPPC does not make it PPPPC


def test_ppppc_of_2019_on_shares_its_descriptor_with_us_dollars(tmp_path):
    data = parse_weo(_query(tmp_path / "q.xls", PPP_2019))
    assert data.is_ppp and data.subject == "PPPPC" and [f.code for f in data.figures] == ["NPL"]


@pytest.mark.parametrize(
    ("name", "text", "subject"),
    [
        ("imf.csv", "COUNTRY,INDICATOR,UNIT,TIME_PERIOD,OBS_VALUE\nNPL,NGDPDPC,U.S. dollars,2015,700\n", "NGDPDPC"),
        ("mine.csv", "country,year,ngdpdpc\nNPL,2015,700\n", "NGDPDPC"),
    ],
)
def test_other_formats_refuse_a_series_that_is_not_ppppc(tmp_path, name, text, subject):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WegoError, match=r"(no PPPPC rows|not GDP \(PPP\) per capita)"):
        parse_weo(path, edition="April 2016")
    assert not parse_weo(path, edition="April 2016", subject=subject).is_ppp


def test_a_us_dollar_series_named_is_kept_beside_and_never_billed(roster_copy, tmp_path, monkeypatch):
    """Kathmandu 2017: 1,250 USD on Nepal's 2015 GDP (PPP) of April 2015; a newer U.S.-dollar
    edition, imported by name, does not take its place (it once gave 500)."""
    edit_roster(roster_copy, {"Kathmandu": {"Population": 1_003_285}})
    monkeypatch.setenv("WEGO_ROSTER", str(roster_copy))
    before = udfs.WEGO_MEMBER_FEE("Kathmandu", 2017)
    assert before == 1_250
    result = import_weo(roster_copy, parse_weo(_query(tmp_path / "q.xls", USD_QUERY, "700.5"), subject="NGDPDPC"))
    assert any("never use it" in w for w in result.data.warnings)
    assert udfs.WEGO_MEMBER_FEE("Kathmandu", 2017) == before
    assert "U.S. dollars" not in udfs.WEGO_EXPLAIN("Kathmandu", 2017)
    roster = read_roster(roster_copy)
    [usd] = roster.gdp_not_ppp("NPL", 2015)
    assert usd.value == 700.5 and not usd.is_ppp and roster.gdp_figure("NPL", 2015).edition == "April 2015"
    # a PPP figure of the same edition is a row of its own, and is billed
    ppp = _query(tmp_path / "p.xls", PPP_2019, "2,600")
    import_weo(roster_copy, parse_weo(ppp))
    roster = read_roster(roster_copy)
    assert roster.problems == [] and len(roster.gdp_not_ppp("NPL", 2015)) == 1
    assert roster.gdp_figure("NPL", 2015).value == 2600


@pytest.mark.parametrize("units", ["U.S. dollars", "National currency", "not stated"])
def test_a_gdp_row_whose_units_are_not_ppp_is_never_billed(roster_copy, monkeypatch, units):
    """Where only a figure that is not PPP is there, the fee waits, saying why; never "GDP (PPP)"."""
    row = {"Country code": "NPL", "Country": "Nepal", "Year": 2015, "GDP per capita (PPP, USD)": 700.5,
           "Edition": "April 2016", "Units": units, "Source": "test"}  # fmt: skip
    wb = openpyxl.load_workbook(roster_copy)
    ws = wb["GDP"]
    for r in range(ws.max_row, 1, -1):
        if ws.cell(r, 1).value == "NPL":
            ws.delete_rows(r)
    wb.save(roster_copy)
    edit_roster(roster_copy, {"Kathmandu": {"Population": 1_003_285}}, [row])
    monkeypatch.setenv("WEGO_ROSTER", str(roster_copy))
    fee = udfs.WEGO_MEMBER_FEE("Kathmandu", 2017)
    assert isinstance(fee, str) and fee.startswith("#N/A") and units in fee and "never billed" in fee
    assert "GDP (PPP) per capita 2015 700" not in udfs.WEGO_EXPLAIN("Kathmandu", 2017)
