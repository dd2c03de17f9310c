"""The membership lifecycle: who owes a fee for which year, and why."""

import pytest

from wego_xl.errors import InputError
from wego_xl.rules.membership import MembershipType, fee_obligation


@pytest.mark.parametrize("fee_year,owed", [(2014, False), (2015, False), (2016, True), (2017, True)])
def test_full_member_owes_from_the_year_after_becoming_full(fee_year, owed):
    answer = fee_obligation(MembershipType.FULL, fee_year, full_since=2015)
    assert answer.owed is owed and not answer.assumed
    assert "2016" in answer.reason  # the first fee year is named


@pytest.mark.parametrize("fee_year", [2011, 2016, 2030])
def test_associate_never_owes(fee_year):
    answer = fee_obligation(MembershipType.ASSOCIATE, fee_year, full_since=None)
    assert not answer.owed and "associate" in answer.reason


@pytest.mark.parametrize("fee_year", [2011, 2016, 2030])
def test_friendship_member_owes_nothing_and_says_why(fee_year):
    answer = fee_obligation(MembershipType.FRIENDSHIP, fee_year)
    assert not answer.owed and "no fee" in answer.reason


def test_full_member_without_a_year_is_assumed_full_and_says_so():
    answer = fee_obligation(MembershipType.FULL, 2016, full_since=None)
    assert answer.owed and answer.assumed and "assumed" in answer.reason


@pytest.mark.parametrize(
    "text,kind",
    [
        ("Full", MembershipType.FULL),
        ("full member", MembershipType.FULL),
        ("정회원", MembershipType.FULL),
        (" associate ", MembershipType.ASSOCIATE),
        ("우정회원", MembershipType.FRIENDSHIP),
    ],
)
def test_membership_type_is_read_in_either_language(text, kind):
    assert MembershipType.parse(text) is kind


def test_unknown_membership_type_is_rejected():
    with pytest.raises(InputError, match="got 'Gold'"):
        MembershipType.parse("Gold")


def test_labels():
    assert [t.label("ko") for t in MembershipType] == ["정회원", "준회원", "우정회원", "가입 신청", "탈퇴"]
    assert [t.label() for t in MembershipType] == ["Full", "Associate", "Friendship", "Applicant", "Withdrawn"]
