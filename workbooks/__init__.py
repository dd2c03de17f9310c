"""How the shipped workbooks are made (not installed with the package): their sources
(``src/*.csv``), the builders (``python -m workbooks.build_roster``,
``python -m workbooks.build_finance``) and the classic VBA export."""
