"""What a finance user asks of the roster: membership changes, checks and the report, documents, printing."""
