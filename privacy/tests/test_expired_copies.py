"""Working copies that outlive their use leave with the daily retention run, whatever the
retention rules say: claimed form tokens after a week (they only tell a double click
from a new entry) and access reports a day after they were handed out, files included.
A dry run removes nothing."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from cases.models import FormSubmission
from privacy.models import AccessReportRendering

pytestmark = pytest.mark.django_db


@pytest.fixture
def copies(family_case, erkelenz_caseworker):
    now = timezone.now()
    tokens = {
        age: FormSubmission.objects.create(
            token=f"token-{age}",
            user=erkelenz_caseworker,
            created_at=now - datetime.timedelta(days=age),
        )
        for age in (8, 2)
    }
    reports = {}
    for age in (2, 0):
        rendering = AccessReportRendering(
            case=family_case,
            member=family_case.members.first(),
            requested_by=erkelenz_caseworker,
            fingerprint=f"{age:064d}",
            sha256="0" * 64,
            rendered_at=now - datetime.timedelta(days=age),
        )
        rendering.pdf.save(f"auskunft-{age}.pdf", ContentFile(b"%PDF-1.7 Familie"), save=True)
        reports[age] = rendering
    return tokens, reports


def test_the_daily_run_removes_old_tokens_and_handed_out_reports(copies, capsys):
    tokens, reports = copies
    old_file = reports[2].pdf.name

    call_command("apply_retention")  # the dry run
    assert FormSubmission.objects.count() == 2 and AccessReportRendering.objects.count() == 2

    call_command("apply_retention", "--commit")

    assert list(FormSubmission.objects.values_list("token", flat=True)) == ["token-2"]
    assert list(AccessReportRendering.objects.all()) == [reports[0]]
    assert not reports[2].pdf.storage.exists(old_file)
    assert reports[0].pdf.storage.exists(reports[0].pdf.name)
    assert "2 expired working copies removed." in capsys.readouterr().out
