"""The demo gives the committee's charts something to show, and stays fictional."""

import os

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, FamilyMember
from cooperation.models import Cooperation, User
from reports.demo import FAMILIES
from reports.figures import HalfYear, build_report


@pytest.fixture
def demo(db):
    call_command("load_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    return Cooperation.objects.get(code="HS")


def shown(report) -> list[int]:
    return [cell.value for table in report.tables for line in table.lines for cell in line.cells]


def test_the_demo_fills_the_current_and_the_last_half_year(demo):
    current = HalfYear.containing(timezone.localdate())
    for period in (current, current.previous()):
        report = build_report(demo, period)
        values = shown(report)
        assert any(value and value >= 5 for value in values), period
        assert None in values, period  # and some "<5"
    medians = [build_report(demo, p).median_interval for p in (current, current.previous())]
    assert any(not median.suppressed for median in medians)


def test_it_is_idempotent_and_coherent(demo):
    count = Case.objects.count()
    call_command("load_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert Case.objects.count() == count
    surnames = {row[4] for row in FAMILIES}
    families = Case.objects.filter(members__last_name__in=surnames).distinct()
    assert families.count() == len(FAMILIES)
    for case in families:
        # A case carries the year it was opened in, and its lead was involved from then.
        opened = timezone.localdate(case.opened_at)
        assert case.reference.startswith(f"HS-{opened.year}-")
        assert case.involvements.get(institution=case.lead_institution).since == opened
    # No demo family shares a name with a member of staff.
    staff = set(User.objects.values_list("last_name", flat=True))
    assert not surnames & staff
    assert FamilyMember.objects.filter(last_name__in=surnames).count() >= len(FAMILIES)


def test_the_coordination_office_sees_charts_and_no_family(client, demo):
    client.force_login(User.objects.get(username="koordination"))
    content = client.get(reverse("reports:report")).content.decode()
    assert content.count("<svg ") == 5
    for reference in Case.objects.values_list("reference", flat=True):
        assert reference not in content
    for name in FamilyMember.objects.values_list("last_name", flat=True):
        assert name not in content
