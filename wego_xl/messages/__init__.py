"""Every sentence the toolkit writes for a person, in English and in Korean.

The words live in one catalogue per language, ``en.toml`` and ``ko.toml`` beside this file
(sections of ``key = "text with {named} fields"``), not in code: code names a message by its
key and passes its fields. :class:`Phrase` is a message not yet put into words, so the same
finding can be written in either language later (the Checks sheet in Korean, the command
line in English). ``tests/rules/test_messages.py`` proves that both catalogues have every key,
with the same fields.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ..errors import InputError

LANGUAGES = ("en", "ko")
DEFAULT_LANGUAGE = "en"
#: What a person may type for a language (a cell on the About sheet, --lang, an argument).
_LANGUAGE_NAMES = {
    "en": "en", "english": "en", "eng": "en", "영어": "en",
    "ko": "ko", "kr": "ko", "korean": "ko", "kor": "ko", "한국어": "ko", "한글": "ko", "국문": "ko",
}  # fmt: skip


@cache
def catalogue(language: str) -> dict[str, str]:
    """Every message of ``language`` by its key, ``section.name``."""
    raw = resources.files(__package__).joinpath(f"{language}.toml").read_text(encoding="utf-8")
    table = tomllib.loads(raw)
    return {f"{section}.{name}": text for section, entries in table.items() for name, text in entries.items()}


def read_language(value: object, default: str = DEFAULT_LANGUAGE) -> str:
    """ "en" or "ko" from what a person typed ("ko", "Korean", "한국어"); blank is ``default``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    key = str(value).strip().casefold()
    if key not in _LANGUAGE_NAMES:
        raise InputError(f'language must be "en" (English) or "ko" (한국어), got {value!r}')
    return _LANGUAGE_NAMES[key]


def say(key: str, language: str = DEFAULT_LANGUAGE, /, **fields: Any) -> str:
    """The message ``key`` in ``language``, its ``{fields}`` filled in (a :class:`Phrase`
    field is put into the same language)."""
    text = catalogue(language)[key]
    filled = {name: value.text(language) if isinstance(value, Phrase) else value for name, value in fields.items()}
    return text.format(**filled)


def band_label(label: object, language: str = DEFAULT_LANGUAGE) -> str:
    """A band label of the fee table ("600~999 thousand") in ``language`` ("600~999 천 명")."""
    return str(label or "").replace("thousand", say("word.thousand", language))


def _in(value: Any, language: str) -> Any:
    """A field as a phrase in ``language`` shows it: a value that says itself (a Phrase, a
    missing input), or a list of them joined by "; ", in that language; any other as it is."""
    if isinstance(value, (list, tuple)) and value and all(callable(getattr(v, "text", None)) for v in value):
        return "; ".join(v.text(language) for v in value)
    return value.text(language) if callable(getattr(value, "text", None)) else value


@dataclass(frozen=True)
class Phrase:
    """A message by key and fields, put into words when it is shown; ``str()`` is English.
    A phrase with no key is a text shown as it is (a cell's own problem, already in words)."""

    key: str
    fields: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, key: str, **fields: Any) -> Phrase:
        return cls(key, tuple(fields.items()))

    @classmethod
    def verbatim(cls, text: str) -> Phrase:
        return cls("", (("text", text),))

    def text(self, language: str = DEFAULT_LANGUAGE) -> str:
        if not self.key:
            return str(dict(self.fields)["text"])
        return say(self.key, language, **{k: _in(v, language) for k, v in self.fields})

    def __str__(self) -> str:
        return self.text(DEFAULT_LANGUAGE)
