"""The books: the journal, closing, aging and the auditor's pack."""
