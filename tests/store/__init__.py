"""Files in and out: the roster, the one sheet reader, WEO and UNSD files, the one write path, the installed package."""
