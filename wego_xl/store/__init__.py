"""Files in and out: the roster workbook, safe saving, the shipped package data, the WEO and UNSD readers, document templates and PDF."""
