"""From the bank's statement to the ledger: statement files, matching, posting."""
