"""Cases in the admin: invisible to the coordination office, read-only and audited for
the superuser."""

from django.urls import reverse

from cases import services
from cases.models import AccessLog


def open_case(institutions, user):
    return services.case_open(lead_institution=institutions["erkelenz"], opened_by=user)


def test_the_coordination_office_finds_no_cases_in_the_admin(
    client, institutions, erkelenz_caseworker, coordination_office
):
    case = open_case(institutions, erkelenz_caseworker)
    client.force_login(coordination_office)
    assert case.reference not in client.get(reverse("admin:index")).content.decode()
    assert client.get(reverse("admin:cases_case_changelist")).status_code == 403
    assert client.get(reverse("admin:cases_case_change", args=[case.pk])).status_code == 403
    assert client.get(reverse("admin:cases_accesslog_changelist")).status_code == 403


def test_a_superusers_reads_in_the_admin_are_in_the_access_log(
    client, institutions, erkelenz_caseworker, superuser
):
    case = open_case(institutions, erkelenz_caseworker)
    client.force_login(superuser)
    assert case.reference in client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert client.get(reverse("admin:cases_case_change", args=[case.pk])).status_code == 200
    reads = AccessLog.objects.filter(user=superuser, what=AccessLog.What.ADMIN)
    assert reads.count() == 2
    assert reads.filter(case=case).count() == 1


def test_nobody_changes_or_deletes_cases_or_log_entries_in_the_admin(
    client, institutions, erkelenz_caseworker, superuser
):
    case = open_case(institutions, erkelenz_caseworker)
    client.force_login(superuser)
    client.get(case.get_absolute_url())
    entry = AccessLog.objects.get(case=case, what=AccessLog.What.CASE_DETAIL)
    change = reverse("admin:cases_case_change", args=[case.pk])
    assert client.post(change, {"status": "closed"}).status_code == 403
    assert client.post(reverse("admin:cases_case_delete", args=[case.pk])).status_code == 403
    delete_entry = reverse("admin:cases_accesslog_delete", args=[entry.pk])
    assert client.post(delete_entry, {"post": "yes"}).status_code == 403
    assert AccessLog.objects.filter(pk=entry.pk).exists()
    case.refresh_from_db()
    assert case.status == "open"
