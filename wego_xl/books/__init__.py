"""The Secretariat's books: the journal, closing a period, aging and the auditor's pack."""
