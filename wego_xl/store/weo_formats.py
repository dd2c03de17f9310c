"""The layouts a WEO file comes in, each read into :class:`~.weo_data.WeoData`: the full
download and the query-tool export (one row per country and series, a column per year),
the IMF SDMX CSV, and a plain long CSV (country, year, value)."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import WeoFormatError
from .weo_data import (
    IMF_CODES,
    PPPPC,
    WEO_GDP_CODES,
    WeoData,
    WeoFigure,
    cell_number,
    country_code,
    file_edition,
    first_estimated_year,
    series_code,
    series_named,
)


def _year_columns(header: list[str], years: range | None) -> list[tuple[int, int]]:
    out = []
    for i, h in enumerate(header):
        if re.fullmatch(r"\d{4}", h):
            y = int(h)
            if years is None or y in years:
                out.append((i, y))
    return out


def parse_wide(path, text, header, rows, subject, named, years, edition) -> WeoData:
    col = {h.lower(): i for i, h in enumerate(header)}
    full = "weo subject code" in col
    data = WeoData(
        str(path),
        "WEO full download" if full else "WEO query-tool export",
        file_edition(text, path, edition),
        "",
        subject.upper(),
    )
    year_cols = _year_columns(header, years)
    if not year_cols:
        raise WeoFormatError(f"{path.name}: no year columns (such as 2014) in the header")
    series: dict[tuple[str, str], list[tuple[int, list[str]]]] = {}
    for line, row in enumerate(rows, start=2):
        if len(row) < len(header) - 1 or not any(c.strip() for c in row):
            continue  # blank line, or the footer

        def cell(name: str, row: list[str] = row) -> str:
            return row[col[name]].strip() if name in col and col[name] < len(row) else ""

        key = (cell("weo subject code").upper(), "") if full else (cell("subject descriptor"), cell("units"))
        series.setdefault(key, []).append((line, row))
    chosen = _one_series(path, data, series, full, named)
    for line, row in series.get(chosen, []):

        def cell(name: str, row: list[str] = row) -> str:
            return row[col[name]].strip() if name in col and col[name] < len(row) else ""

        name = cell("country")
        iso = cell("iso").upper()
        code = IMF_CODES.get(iso, iso) if iso else country_code(name)
        data.units = data.units or cell("units")
        if not full:
            data.descriptor = cell("subject descriptor")
        if not code:
            data.unmapped.append(name)
            continue
        last_actual = cell("estimates start after")
        for i, year in year_cols:
            value = cell_number(row, i, f"{path.name}, line {line} ({name} {year}): ")
            if value is not None:
                estimate = last_actual.isdigit() and year > int(last_actual)
                data.figures.append(WeoFigure(code, name, year, value, line, estimate))
    data.units = data.units or "not stated"
    return data


def _one_series(path: Path, data: WeoData, series: dict, full: bool, named: bool) -> tuple[str, str]:
    """The series to import: from a full download the rows of the subject code asked for
    (PPPPC unless named); from a query-tool export (no code column) the series whose
    Subject Descriptor and Units are that code's (:func:`series_code`), or its only series
    (refused later unless it is PPPPC or asked for by name); the others are named as left out."""
    wanted = data.subject
    if full:
        chosen = (wanted, "")
        if chosen not in series:
            raise WeoFormatError(
                f"{path.name} holds no {wanted} rows (it holds {', '.join(sorted(k[0] for k in series)) or 'none'})"
            )
    else:
        codes = {k: series_code(*k) for k in series}
        matching = [k for k in series if codes[k] == wanted]
        if len(matching) == 1:
            chosen = matching[0]
        elif not matching and len(series) == 1:
            chosen = next(iter(series))
            code = codes[chosen]
            if named and (code is not None or wanted == PPPPC):  # the file says what it is, and it is not that
                raise WeoFormatError(
                    f"{path.name} holds {series_named(code, *chosen)}, not {wanted}: give --subject {code} to "
                    "import it by name, or download the series you asked for"
                    if code
                    else f"{path.name} holds {series_named(code, *chosen)}, whose units do not say PPP: it is "
                    f"not {wanted}; give --subject with the series' own WEO code to import it by name"
                )
            data.subject = code or (wanted if named else "")
            return chosen
        elif not series:
            return ("", "")
        else:
            named_all = "; ".join(series_named(codes[k], *k) for k in series)
            target = "GDP (PPP) per capita (PPPPC)" if wanted == PPPPC else wanted
            raise WeoFormatError(
                f"{path.name} holds {len(series)} series ({named_all}) and not exactly one of them is {target}: "
                "export only that series from the WEO query tool"
            )
        data.subject = wanted
    left_out = [k for k in series if k != chosen]
    if left_out:
        listed = [f"{k[0]}{' (' + k[1] + ')' if k[1] else ''}, {len(series[k])} row(s)" for k in left_out[:5]]
        more = f"; and {len(left_out) - 5} more series" if len(left_out) > 5 else ""
        target = "GDP (PPP) per capita" if wanted == PPPPC else wanted
        data.warnings.append(f"left out (not {target}): " + "; ".join(listed) + more)
    return chosen


def parse_sdmx(path, text, header, rows, subject, years, edition) -> WeoData:
    col = {h.lower(): i for i, h in enumerate(header)}
    data = WeoData(str(path), "IMF SDMX CSV", file_edition(text, path, edition), "", subject.upper())
    first = first_estimated_year(data.edition)
    units = set()
    left_out: dict[str, int] = {}
    taken = 0
    for line, row in enumerate(rows, start=2):
        if len(row) < len(header):
            continue
        indicator = row[col["indicator"]].strip().upper().split(".")[-1] if "indicator" in col else data.subject
        if indicator != data.subject:
            left_out[indicator] = left_out.get(indicator, 0) + 1
            continue
        taken += 1
        code = country_code(row[col["country"]])
        try:
            year = int(str(row[col["time_period"]]).strip()[:4])
        except ValueError:
            raise WeoFormatError(f"{path.name}, line {line}: {row[col['time_period']]!r} is not a year") from None
        value = cell_number(row, col["obs_value"], f"{path.name}, line {line} ({row[col['country']]} {year}): ")
        if "unit" in col:
            units.add(row[col["unit"]].strip())
        if not code:
            data.unmapped.append(row[col["country"]])
            continue
        if value is not None and (years is None or year in years):
            data.figures.append(WeoFigure(code, row[col["country"]].strip(), year, value, line, year >= first))
    if left_out and not taken:
        raise WeoFormatError(
            f"{path.name} holds no {data.subject} rows (it holds {', '.join(sorted(left_out))}): "
            f"download {data.subject}, or name the series to import with --subject"
        )
    if left_out:
        data.warnings.append(
            "left out (not " + data.subject + "): " + "; ".join(f"{k}, {n} row(s)" for k, n in sorted(left_out.items()))
        )
    data.units = "; ".join(sorted(u for u in units if u)) or "not stated"
    return data


def parse_long(path, text, header, rows, wanted, named, years, edition) -> WeoData:
    lower = [h.lower() for h in header]

    def find(*names: str) -> int | None:
        return next((lower.index(n) for n in names if n in lower), None)

    c_country = find("country", "iso", "iso3", "country code", "code", "geo")
    c_year = find("year", "time", "time_period")
    c_value = find("value", "ppppc", "gdp", "gdp per capita", "obs_value")
    if c_value is None:  # a column named by its WEO series: ngdpdpc
        c_value = next((i for i, h in enumerate(header) if h.strip().upper() in WEO_GDP_CODES), None)
    if c_country is None or c_year is None or c_value is None:
        raise WeoFormatError(
            f"{path.name}: not a WEO file and not a long table with columns country, year, value "
            f"(found {', '.join(header[:8])})"
        )
    column = header[c_value].strip().upper()
    code = column if column in WEO_GDP_CODES else None  # the value column names its series: ppppc
    if code is not None and named and code != wanted:
        raise WeoFormatError(f"{path.name}: its column {header[c_value]!r} holds {code}, not {wanted}")
    if code is None and named:
        code = wanted  # a column that does not say (value, gdp): the series is the one named by --subject
        warning = f"the column {header[c_value]!r} does not say its series: read as {wanted}, as --subject says"
    else:
        warning = ""
    ppppc = code == PPPPC
    data = WeoData(
        str(path),
        "long CSV (country, year, value)",
        file_edition(text, path, edition),
        "international dollars (PPP)" if ppppc else "not stated",
        code or "",
        descriptor=f"column {header[c_value]!r}, series not stated" if code is None else "",
    )
    data.warnings += [warning] if warning else []
    unmapped = set()
    first = first_estimated_year(data.edition)
    for line, row in enumerate(rows, start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) <= max(c_country, c_year, c_value):
            raise WeoFormatError(
                f"{path.name}, line {line}: the row has {len(row)} column(s), the header {len(header)}"
            )
        code = country_code(row[c_country])
        try:
            year = int(row[c_year].strip())
        except ValueError:
            raise WeoFormatError(f"{path.name}, line {line}: {row[c_year]!r} is not a year") from None
        value = cell_number(row, c_value, f"{path.name}, line {line} ({row[c_country].strip()} {year}): ")
        if not code:
            unmapped.add(row[c_country].strip())
            continue
        if value is not None and (years is None or year in years):
            data.figures.append(WeoFigure(code, row[c_country].strip(), year, value, line, year >= first))
    data.unmapped = sorted(unmapped)
    return data
