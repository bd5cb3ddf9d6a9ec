"""The case page's queries: a fixed number, however long the history and the records grow.

A demo-like case (mother and child, the Gesundheitsamt involved with a health entry,
consents both ways, a progress note, a disclosure) is read by the lead institution's
caseworker through the test client; then every kind of record and the history grow, and
the page must take exactly as many queries as before. The conferences section (added by
the conferences app through ``case_page_context``) runs its one query here too; no
meeting is made, since this layer must not import the conferences app (lint-imports).

The budget: issue 11 asks for at most 15, and the page takes ``CASE_PAGE_QUERIES``
(measured on the demo, PostgreSQL, 08.12.2026): 5 for the request itself (the session's
user, which comes with its institution, its committee seat and its confirmed second-factor
devices; the case; the grants with guardian's permissions in one; the navigation's counts,
where they are not cached; the access-log entry) and one per section (members with their
health entries, notes, consents with their recipients, involvements, documents,
disclosures, consultations, timeline, follow-ups, conferences).
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import (
    Case,
    DataCategory,
    Disclosure,
    FamilyMember,
    HealthSituation,
    Involvement,
    ProgressNote,
)
from tests import factories

pytestmark = pytest.mark.django_db

CASE_PAGE_QUERIES = 15


def involve(case, institution) -> Involvement:
    return services.involvement_save(
        involvement=Involvement(case=case, institution=institution, since=datetime.date(2026, 1, 1))
    )


def note(case, author, category=DataCategory.NOTES) -> ProgressNote:
    return ProgressNote.objects.create(
        case=case,
        author=author,
        source_institution=author.institution,
        category=category,
        text="Hausbesuch",
    )


def member(case, institution, first_name, kind=FamilyMember.Kind.CHILD) -> FamilyMember:
    return FamilyMember.objects.create(
        case=case,
        kind=kind,
        first_name=first_name,
        last_name="Beispiel",
        source_institution=institution,
    )


def disclose(case, user, to) -> Disclosure:
    return Disclosure.objects.create(
        case=case,
        basis=Disclosure.Basis.SGB_VIII_8A,
        from_institution=case.lead_institution,
        to_institution=to,
        categories=[DataCategory.MASTER],
        disclosed_on=datetime.date(2026, 11, 2),
        disclosed_by=user,
        reason="Gewichtige Anhaltspunkte",
    )


@pytest.fixture
def demo_like(family_case, institutions, erkelenz_caseworker, gesundheitsamt_caseworker):
    case = family_case
    gesundheitsamt = institutions["gesundheitsamt"]
    involve(case, gesundheitsamt)
    member(case, institutions["erkelenz"], "Jonas")
    factories.give_consent(
        case, institutions["erkelenz"], [gesundheitsamt], [DataCategory.MASTER], erkelenz_caseworker
    )
    factories.give_consent(
        case,
        gesundheitsamt,
        [institutions["erkelenz"]],
        [DataCategory.HEALTH],
        gesundheitsamt_caseworker,
    )
    HealthSituation.objects.create(
        member=case.members.get(kind=FamilyMember.Kind.MOTHER),
        source_institution=gesundheitsamt,
        substance="Opioide",
    )
    note(case, erkelenz_caseworker)
    disclose(case, erkelenz_caseworker, institutions["kreisjugendamt"])
    return case


def grow(case: Case, institutions, erkelenz_caseworker, gesundheitsamt_caseworker) -> None:
    """More of every record, and a long history (each save writes a history row)."""
    for name in ("Mia", "Lena", "Tom"):
        child = member(case, institutions["erkelenz"], name)
        HealthSituation.objects.create(
            member=child, source_institution=institutions["gesundheitsamt"], substance="-"
        )
    for _ in range(8):
        note(case, erkelenz_caseworker)
        note(case, gesundheitsamt_caseworker, DataCategory.HEALTH)
    involve(case, institutions["caritas"])
    factories.give_consent(
        case,
        institutions["erkelenz"],
        [institutions["caritas"], institutions["diakonie"]],
        [DataCategory.MASTER, DataCategory.FAMILY],
        erkelenz_caseworker,
    )
    disclose(case, erkelenz_caseworker, institutions["caritas"])
    for index in range(60):
        case.close_reason = f"Entwurf {index}"
        case.save()


def page_sql(browser, case) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(case.get_absolute_url())
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def page_queries(browser, case) -> int:
    return len(page_sql(browser, case))


def test_the_case_page_takes_a_fixed_number_of_queries_as_history_and_records_grow(
    signed_in,
    demo_like,
    institutions,
    erkelenz_caseworker,
    gesundheitsamt_caseworker,
    django_assert_max_num_queries,
):
    browser = signed_in(erkelenz_caseworker)
    browser.get(demo_like.get_absolute_url())  # sessions and caches as on a second visit
    with django_assert_max_num_queries(CASE_PAGE_QUERIES):
        before = page_queries(browser, demo_like)

    grow(demo_like, institutions, erkelenz_caseworker, gesundheitsamt_caseworker)
    html = browser.get(demo_like.get_absolute_url()).content.decode()
    assert "Lena" in html and "Opioide" in html  # the grown records are on the page
    with django_assert_max_num_queries(CASE_PAGE_QUERIES):
        after = page_queries(browser, demo_like)
    assert after == before


def test_an_involved_reader_takes_no_more_queries(
    signed_in, demo_like, institutions, erkelenz_caseworker, gesundheitsamt_caseworker
):
    browser = signed_in(gesundheitsamt_caseworker)
    browser.get(demo_like.get_absolute_url())
    before = page_queries(browser, demo_like)
    grow(demo_like, institutions, erkelenz_caseworker, gesundheitsamt_caseworker)
    assert page_queries(browser, demo_like) == before <= CASE_PAGE_QUERIES


def test_the_signed_in_user_comes_with_committee_membership_and_the_timeline_takes_one_query(
    signed_in, demo_like, erkelenz_caseworker
):
    browser = signed_in(erkelenz_caseworker)
    browser.get(demo_like.get_absolute_url())
    sql = page_sql(browser, demo_like)
    # Membership (``User.reads_committee``, asked by the navigation) is an EXISTS in the
    # query that loads the session's user, not a query of its own; the conferences
    # section's query mentions the committee in a subquery of its own.
    assert sql[0].startswith('SELECT "cooperation_user"."id"') and "cooperation_committee" in sql[0]
    membership = [q for q in sql if q.startswith('SELECT 1 AS "a" FROM "cooperation_committee"')]
    assert membership == []
    # The timeline: one UNION ALL over the history tables, no query per table.
    history = [query for query in sql if "_historical" in query]
    assert len(history) == 1 and "UNION ALL" in history[0]


def test_members_and_consents_come_each_with_what_belongs_to_them_in_one_query(
    signed_in, demo_like, institutions, erkelenz_caseworker, gesundheitsamt_caseworker
):
    browser = signed_in(erkelenz_caseworker)
    grow(demo_like, institutions, erkelenz_caseworker, gesundheitsamt_caseworker)
    sql = page_sql(browser, demo_like)
    assert not [q for q in sql if q.startswith('SELECT "cases_healthsituation"')]
    assert not [q for q in sql if '"cases_consent_recipients"."consent_id") AS' in q]
    html = browser.get(demo_like.get_absolute_url()).content.decode()
    # Every recipient of the grown consent, and Jonas, who has no health entry.
    assert "Caritas" in html and "Diakonie" in html and "Jonas" in html
