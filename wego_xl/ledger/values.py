"""The values every ledger entry takes as typed: who acts, the day it is dated, free text
as the ledger keeps it (a reference, a note, a reason), refusing in one line what cannot be
right."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import unicodedata

from ..errors import InputError
from ..rules.inputs import is_blank, refuse_in_free_text
from .store import Actor

FOUNDED = dt.date(2010, 1, 1)


def actor(via: str, user: str | None = None) -> Actor:
    """Who acts: ``user`` (the signed-in user on xlwings Server), else the computer's user."""
    if user:
        refuse_in_free_text(user, "who acts (the user's name)")
    else:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):  # no name for this uid (a container)
            user = f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return Actor(user, via)


def check_day(day: dt.date, what: str, today: dt.date) -> dt.date:
    """A ledger date: from WeGO's founding (2010-01-01) up to today."""
    if day < FOUNDED:
        raise InputError(f"{what} {day} is before WeGO was founded (2010-01-01): type the date again")
    if day > today:
        raise InputError(f"{what} {day} is in the future (today is {today}): an entry is recorded when it happens")
    return day


#: The longest bank reference kept (SWIFT's remittance field holds 140 characters).
REFERENCE_LIMIT = 140
#: The longest reason or note kept.
TEXT_LIMIT = 500


def plain_text(value: object, what: str, limit: int = TEXT_LIMIT) -> str:
    """Typed text as the ledger keeps it: spaces tidied, invisible format characters (zero
    width, direction marks) dropped; control characters (any: tab and line breaks too),
    undecodable bytes, a formula or more than ``limit`` characters refused naming ``what``
    and the value."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if text.lstrip().startswith("="):
        raise InputError(f"{what} holds a formula ({text[:40]!r}): type the value itself")
    refuse_in_free_text(text, what)  # the one rule (rules.inputs): a control character, undecodable bytes
    text = " ".join("".join(c for c in text if unicodedata.category(c) != "Cf").split())
    if len(text) > limit:
        raise InputError(f"{what} is {len(text):,} characters long; at most {limit} are kept: shorten it")
    return text


def stated_reason(reason: str, what: str) -> str:
    """The reason for a correction as the ledger keeps it; a blank one is refused."""
    text = plain_text(reason, what)
    if not text:
        raise InputError(f"say why ({what}): a correction always names its reason")
    return text
