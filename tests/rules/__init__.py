"""The rules: fees and bands, dates, membership, reminders, and the two message catalogues."""
