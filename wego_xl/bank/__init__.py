"""From the bank's statement to the ledger: statement and rate files, matching, review and posting."""
