"""The dues ledger, finance's book of record, in a database (SQLite by default, PostgreSQL for
a team): :mod:`.schema` and :mod:`.migrations` (its tables and their history), :mod:`.store`
(where it lives, one transaction per command, the chained entries), :mod:`.invoicing`,
:mod:`.payments`, :mod:`.posting` and :mod:`.corrections` (issue, record, post, credit, void,
write off: the checks run on every write; :mod:`.service` imports them all), :mod:`.verify` (the audit
trail proving itself), :mod:`.views` (the workbook that shows it) and :mod:`.legacy`
(the workbook ledger of earlier versions, imported once)."""
