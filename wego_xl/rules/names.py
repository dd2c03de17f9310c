"""Matching the names finance staff type to roster names.

One key per name, whatever the case, spacing, punctuation, accents or Unicode form:
"남 다카", "남다카" and decomposed (NFD) Hangul from macOS Excel all give the same key,
as do "Muğla", "MUGLA" and "mugla". Unknown names get the closest roster names through
rapidfuzz.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from ..errors import InputError

#: How similar (0-100) a roster name must be to be offered as a suggestion.
SUGGESTION_CUTOFF = 60.0
#: Names longer than this (after normalising) get no suggestions: no member's name is near.
MAX_NAME_LENGTH = 120
#: Suggestions more than this many points behind the best one are not offered.
SUGGESTION_SPREAD = 10.0


def name_key(name: object) -> str:
    """The comparison key of a name: compatibility-normalised, accents and punctuation
    removed, case folded, Hangul recomposed. "바라트퍼· 서브메트로폴리탄" -> "바라트퍼서브메트로폴리탄"."""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFC", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def suggest(name: object, keyed_names: Mapping[str, str], limit: int = 3) -> list[str]:
    """Up to ``limit`` display names whose keys are closest to ``name``'s key.

    ``keyed_names`` maps each name key to the display name to offer (a member's English
    name, say), so several aliases of one member yield it once.
    """
    key = name_key(name)
    if not key or len(key) > MAX_NAME_LENGTH:
        return []
    found: list[str] = []
    for matched in _closest(key, list(keyed_names), limit * 4):
        shown = keyed_names[matched]
        if shown not in found:
            found.append(shown)
        if len(found) == limit:
            break
    return found


def _closest(key: str, choices: list[str], limit: int) -> list[str]:
    """Choices near ``key``, best first: rapidfuzz, or the standard library's difflib where
    rapidfuzz is not installed (a browser Python may lack it)."""
    try:
        from rapidfuzz import fuzz, process  # imported on the first unknown name only
    except ImportError:  # pragma: no cover - exercised only without rapidfuzz
        import difflib

        return difflib.get_close_matches(key, choices, n=limit, cutoff=SUGGESTION_CUTOFF / 100)
    matches = process.extract(key, choices, scorer=fuzz.WRatio, score_cutoff=SUGGESTION_CUTOFF, limit=limit)
    best = matches[0][1] if matches else 0.0
    return [matched for matched, score, _ in matches if score >= best - SUGGESTION_SPREAD]


def split_aliases(text: object) -> list[str]:
    """Aliases as stored in one cell, separated by ';' (blank gives none)."""
    if text is None:
        return []
    return [part.strip() for part in str(text).split(";") if part.strip()]


def check_new_name(name: str, what: str) -> str:
    """A member's new name or alias, tidied, or an error naming ``what``: blank or without a
    letter or digit, a ';' (which separates aliases), control characters, or longer than
    :data:`MAX_NAME_LENGTH`."""
    from .inputs import refuse_control_characters

    refuse_control_characters(name, what)
    text = " ".join(name.split())
    if ";" in text:
        raise InputError(f"{what} {text!r} holds ';', which separates aliases: give one name; nothing was changed")
    if not name_key(text):
        raise InputError(f"{what} {text!r} has no letter or digit: give the name; nothing was changed")
    if len(text) > MAX_NAME_LENGTH:
        raise InputError(f"{what} is {len(text)} characters long; at most {MAX_NAME_LENGTH}: shorten it")
    return text
