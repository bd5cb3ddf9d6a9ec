"""Closing a case: a page that says what will happen, then the closing itself; the
closing date lies between the opening and today, and a closed case has no conference due.

The clock stands at 25.11.2026; the case was opened on 01.06.2026.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape

from cases import services
from cases.models import AccessLog, Case, Involvement
from tests.german import label

OPENED = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0), tick=False):
        yield


@pytest.fixture
def case(family_case):
    Case.objects.filter(pk=family_case.pk).update(
        opened_at=OPENED, conference_due_on=datetime.date(2026, 12, 1)
    )
    family_case.refresh_from_db()
    return family_case


def url(case) -> str:
    return reverse("cases:close", args=[case.reference])


def assert_refused_with(response, field: str, msgid: str, **params) -> None:
    assert response.status_code == 400
    message = label(msgid) % params if params else label(msgid)
    assert message in response.context["form"].errors.get(field, [])
    assert escape(message) in response.content.decode()


def test_the_page_says_what_will_happen_before_anything_changes(
    signed_in, case, erkelenz_caseworker
):
    response = signed_in(erkelenz_caseworker).get(url(case))

    html = response.content.decode()
    assert response.status_code == 200
    assert label("What will happen") in html
    assert escape(label("These institutions still see the case as closed:")) in html
    assert 'value="2026-11-25"' in html
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert AccessLog.objects.filter(user=erkelenz_caseworker, case=case).exists()


def test_the_case_page_leads_to_the_confirmation(signed_in, case, erkelenz_caseworker):
    page = signed_in(erkelenz_caseworker).get(case.get_absolute_url()).content.decode()

    assert url(case) in page


def test_closing_keeps_date_and_reason_and_removes_the_due_conference(
    signed_in, case, erkelenz_caseworker
):
    erkelenz = signed_in(erkelenz_caseworker)

    response = erkelenz.post(
        url(case), {"closed_on": "2026-11-20", "close_reason": "Familie nach Aachen verzogen"}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.closed_on == datetime.date(2026, 11, 20)
    assert case.close_reason == "Familie nach Aachen verzogen"
    assert case.conference_due_on is None
    page = erkelenz.get(case.get_absolute_url()).content.decode()
    assert "Familie nach Aachen verzogen" in page
    assert label("Next conference due") not in page
    assert url(case) not in page


def test_a_case_cannot_be_closed_before_it_was_opened(signed_in, case, erkelenz_caseworker):
    response = signed_in(erkelenz_caseworker).post(
        url(case), {"closed_on": "2020-01-01", "close_reason": "verzogen"}
    )

    assert_refused_with(
        response,
        "closed_on",
        "The case was opened on %(date)s; it cannot be closed before that.",
        date="01.06.2026",
    )
    assert 'value="2020-01-01"' in response.content.decode()
    assert 'value="verzogen"' in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_a_case_cannot_be_closed_in_the_future(signed_in, case, erkelenz_caseworker):
    response = signed_in(erkelenz_caseworker).post(
        url(case), {"closed_on": "2026-12-24", "close_reason": "verzogen"}
    )

    assert_refused_with(response, "closed_on", "A case cannot be closed in the future.")


def test_a_reason_is_needed(signed_in, case, erkelenz_caseworker):
    response = signed_in(erkelenz_caseworker).post(
        url(case), {"closed_on": "2026-11-20", "close_reason": "   "}
    )

    assert response.status_code == 400
    assert "close_reason" in response.context["form"].errors
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_a_second_click_finds_the_case_closed(signed_in, case, erkelenz_caseworker):
    erkelenz = signed_in(erkelenz_caseworker)
    data = {"closed_on": "2026-11-20", "close_reason": "verzogen"}
    erkelenz.post(url(case), data)

    response = erkelenz.post(url(case), {**data, "close_reason": "anders"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.close_reason == "verzogen"


def test_only_the_lead_closes(
    client, signed_in, case, institutions, caritas_caseworker, uninvolved_caseworker
):
    services.involvement_save(
        involvement=Involvement(
            case=case, institution=institutions["caritas"], since=datetime.date(2026, 7, 1)
        )
    )
    data = {"closed_on": "2026-11-20", "close_reason": "verzogen"}

    assert signed_in(caritas_caseworker).get(url(case)).status_code == 403
    assert signed_in(caritas_caseworker).post(url(case), data).status_code == 403
    assert signed_in(uninvolved_caseworker).post(url(case), data).status_code == 404
    response = client.post(url(case), data)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_it_rejects_other_methods(signed_in, case, erkelenz_caseworker):
    assert signed_in(erkelenz_caseworker).put(url(case)).status_code == 405
