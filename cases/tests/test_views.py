"""The case list and the case page: scoped, audited, and flat in queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import AccessLog, DataCategory, FamilyMember, HealthSituation
from tests import factories

C = DataCategory


def open_cases(n, institution, user):
    return [services.case_open(lead_institution=institution, opened_by=user) for _ in range(n)]


def count_queries(client, url) -> int:
    # Process-wide caches (content types, read by guardian's object check) are filled by
    # whichever request comes first: measure a request that finds them filled.
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_case_list_queries_do_not_grow_with_rows(client, institutions, erkelenz_caseworker):
    client.force_login(erkelenz_caseworker)
    open_cases(5, institutions["erkelenz"], erkelenz_caseworker)
    five = count_queries(client, reverse("cases:list"))
    open_cases(45, institutions["erkelenz"], erkelenz_caseworker)
    fifty = count_queries(client, reverse("cases:list"))
    assert five == fifty


def test_case_page_queries_do_not_grow_with_members(client, institutions, erkelenz_caseworker):
    case = open_cases(1, institutions["erkelenz"], erkelenz_caseworker)[0]
    client.force_login(erkelenz_caseworker)
    url = case.get_absolute_url()

    def add_members(n):
        for i in range(n):
            member = FamilyMember.objects.create(
                case=case,
                kind=FamilyMember.Kind.CHILD,
                first_name=f"Kind{i}",
                last_name="Beispiel",
                source_institution=institutions["erkelenz"],
            )
            HealthSituation.objects.create(
                member=member, substance="—", source_institution=institutions["erkelenz"]
            )

    add_members(5)
    five = count_queries(client, url)
    add_members(45)
    assert count_queries(client, url) == five


def test_health_data_shows_only_where_health_data_was_released(
    client, institutions, erkelenz_caseworker, caritas_caseworker
):
    case = open_cases(1, institutions["erkelenz"], erkelenz_caseworker)[0]
    mother = FamilyMember.objects.create(
        case=case,
        kind=FamilyMember.Kind.MOTHER,
        first_name="Sabine",
        last_name="Beispiel",
        source_institution=institutions["erkelenz"],
    )
    HealthSituation.objects.create(
        member=mother,
        substance="Opioide",
        in_substitution=True,
        substitution_practice="Praxis Dr. Fiktiv",
        source_institution=institutions["erkelenz"],
    )
    factories.give_consent(
        case,
        institutions["erkelenz"],
        [institutions["caritas"]],
        [C.MASTER],
        erkelenz_caseworker,
    )

    client.force_login(caritas_caseworker)
    html = client.get(case.get_absolute_url()).content.decode()
    assert "Sabine" in html
    assert "Opioide" not in html and "Praxis Dr. Fiktiv" not in html

    client.force_login(erkelenz_caseworker)
    assert "Opioide" in client.get(case.get_absolute_url()).content.decode()


def test_every_read_of_a_case_is_in_the_access_log(client, institutions, erkelenz_caseworker):
    case = open_cases(1, institutions["erkelenz"], erkelenz_caseworker)[0]
    client.force_login(erkelenz_caseworker)
    client.get(case.get_absolute_url())
    entry = AccessLog.objects.get(case=case)
    assert (entry.user, entry.institution, entry.what) == (
        erkelenz_caseworker,
        institutions["erkelenz"],
        "case_detail",
    )


def test_access_log_entries_cannot_be_changed_or_deleted(institutions, erkelenz_caseworker):
    entry = AccessLog.record(erkelenz_caseworker, "case_list")
    entry.what = "nothing"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    assert AccessLog.objects.get(pk=entry.pk).what == "case_list"


def test_the_case_list_is_filtered_by_htmx_without_the_layout(
    client, institutions, erkelenz_caseworker
):
    case = open_cases(1, institutions["erkelenz"], erkelenz_caseworker)[0]
    client.force_login(erkelenz_caseworker)
    response = client.get(reverse("cases:list"), {"q": case.reference}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert case.reference in html
    assert "<nav" not in html.split("<table", 1)[0]
    assert "<html" not in html
