"""What a finance user asks for on the roster side: assessment, checks, the report, membership changes, documents, settings."""
