"""Membership types and the lifecycle rule that decides whether a fee is owed.

Source (2016): an applicant becomes an associate when the Secretariat accepts its
application, and a full member when the Executive Committee approves it; "the fee
obligation starts the year after becoming a full member". Associates pay no fee;
friendship members are organisations, for which the source sets no fee.
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass

from ..errors import InputError
from ..messages import Phrase, say
from .inputs import read_fee_year


class MembershipType(enum.Enum):
    """A member's status, with its English and Korean names: the three kinds of WeGO member,
    and before (an applicant) and after (withdrawn). A withdrawn member keeps its row, id and
    names; it is never deleted."""

    FULL = ("Full", "정회원")
    ASSOCIATE = ("Associate", "준회원")
    FRIENDSHIP = ("Friendship", "우정회원")
    APPLICANT = ("Applicant", "가입 신청")
    WITHDRAWN = ("Withdrawn", "탈퇴")

    def __init__(self, english: str, korean: str):
        self.english = english
        self.korean = korean

    def label(self, language: str = "en") -> str:
        """The name a finance user reads: "Full", or "정회원" with ``language="ko"``."""
        return say(f"status.{self.english.lower()}", language)

    @classmethod
    def parse(cls, text: object) -> MembershipType:
        """Read "Full", "full member", "정회원"... into a type; anything else is an error."""
        if isinstance(text, cls):
            return text
        key = unicodedata.normalize("NFC", str(text or "")).strip().lower()
        key = key.removesuffix(" member").strip()
        for kind in cls:
            if key in (kind.english.lower(), kind.korean):
                return kind
        raise InputError(
            "membership must be Full, Associate, Friendship, Applicant or Withdrawn "
            f"(정회원, 준회원, 우정회원, 가입 신청, 탈퇴), got {text!r}"
        )


@dataclass(frozen=True)
class FeeDue:
    """Whether a member owes a fee for a fee year, and why."""

    owed: bool
    why: Phrase
    assumed: bool = False  # True when a missing full-since year was assumed

    @property
    def reason(self) -> str:
        """Why, in English (``why.text("ko")`` in Korean)."""
        return self.why.text()


def fee_obligation(membership: MembershipType, fee_year: object, full_since: int | None = None) -> FeeDue:
    """Whether a fee is owed for ``fee_year``.

    Associate: never. Friendship: none (the source sets no fee for organisations).
    Full: from the calendar year after the year it became full. A full member with no
    recorded full-since year is treated as full before the fee year, and the answer says
    that this was assumed.
    """
    year = read_fee_year(fee_year)
    if membership is MembershipType.APPLICANT:
        return FeeDue(False, Phrase.of("due.applicant"))
    if membership is MembershipType.WITHDRAWN:
        return FeeDue(False, Phrase.of("due.withdrawn"))
    if membership is MembershipType.ASSOCIATE:
        return FeeDue(False, Phrase.of("due.associate"))
    if membership is MembershipType.FRIENDSHIP:
        return FeeDue(False, Phrase.of("due.friendship"))
    if full_since is None:
        return FeeDue(True, Phrase.of("due.full_assumed", year=year), assumed=True)
    since = read_fee_year(full_since)
    if year > since:
        return FeeDue(True, Phrase.of("due.full_owed", since=since, first=since + 1))
    return FeeDue(False, Phrase.of("due.full_not_yet", since=since, first=since + 1))
