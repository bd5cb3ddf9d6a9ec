"""Fixtures shared by the conference tests."""

import pytest

from cases.models import DataCategory
from tests import factories


@pytest.fixture
def caritas_released(family_case, institutions, erkelenz_caseworker):
    """Erkelenz's master data and conference protocols released to Caritas, health not."""
    return factories.give_consent(
        family_case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [DataCategory.MASTER, DataCategory.PROTOCOLS],
        erkelenz_caseworker,
    )
