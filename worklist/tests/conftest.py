"""Fixtures of the worklist tests. The clock stands at 25.11.2026, 10:00 Berlin.

Family Beispiel (``family_case``) is led by Jugendamt Erkelenz; Caritas sees it under a
consent (master data and conference protocols); Hückelhoven never sees it.
"""

import datetime

import pytest
import time_machine

from cases.models import DataCategory
from tests import factories

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(
        datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC), tick=False
    ):
        yield


@pytest.fixture
def caritas_released(family_case, institutions, erkelenz_caseworker):
    return factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [DataCategory.MASTER, DataCategory.PROTOCOLS],
        erkelenz_caseworker,
        valid_from=datetime.date(2026, 1, 1),
    )
