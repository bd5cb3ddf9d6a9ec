"""Fixtures of the concept tests: Heinsberg's concept and its records, a committee."""

import datetime

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext

from concept import services
from cooperation.models import Committee

TODAY = datetime.date(2026, 5, 20)


def de(msgid, **params) -> str:
    """What the German UI says for ``msgid`` or a lazy label (the msgid while the
    catalogue lacks it)."""
    with translation.override("de"):
        text = gettext(msgid) if isinstance(msgid, str) else str(msgid)
    return text % params if params else text


def de_plural(singular: str, plural: str, count: int, **params) -> str:
    with translation.override("de"):
        return ngettext(singular, plural, count) % params


def squash(text: str) -> str:
    """Text with every run of whitespace as one space (PDF lines wrap anywhere)."""
    return " ".join(text.split())


def flat(text: str) -> str:
    """Text without any whitespace: a line may also wrap after a hyphen."""
    return "".join(text.split())


@pytest.fixture
def hs(institutions):
    return institutions["erkelenz"].cooperation


@pytest.fixture
def lb(institutions):
    return institutions["lindenbrueck"].cooperation


@pytest.fixture
def concept(hs):
    return services.concept_for_cooperation(cooperation=hs)


@pytest.fixture
def committee_member(hs, institutions, erkelenz_lead):
    """The Erkelenz lead sits in Heinsberg's Kooperationsgremium as its chair."""
    Committee.objects.create(cooperation=hs, chair=erkelenz_lead)
    return erkelenz_lead
