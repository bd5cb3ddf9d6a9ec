"""The navigation's counts (my follow-ups due, my unread notifications) are kept a minute
per session: what the user changes shows at once, what others change within the minute,
and the notifications page always counts afresh."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from cases.models import Notification
from worklist import services

from .conftest import TODAY

DUE = '<span class="visually-hidden"> fällig'
NEW = '<span class="visually-hidden"> neu'


def nav(browser, url: str = reverse("dashboard")) -> str:
    response = browser.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index("<nav") : page.index("</nav>")]


def notify(user) -> Notification:
    return Notification.objects.create(
        user=user,
        kind=Notification.Kind.FOLLOW_UP_DUE,
        details={"reference": "HS-2026-0001", "date": "25.11.2026"},
    )


def test_marking_a_follow_up_done_takes_it_off_the_badge_at_once(
    signed_in, family_case, erkelenz_caseworker
):
    followup = services.followup_create(
        case=family_case, created_by=erkelenz_caseworker, due_on=TODAY
    )
    browser = signed_in(erkelenz_caseworker)
    assert f'badge-warn">1{DUE}' in nav(browser)

    browser.post(reverse("worklist:followup_done", args=[followup.pk]), {"next": "dashboard"})

    assert DUE not in nav(browser)


def test_a_follow_up_set_for_today_is_counted_at_once(signed_in, family_case, erkelenz_caseworker):
    browser = signed_in(erkelenz_caseworker)
    assert DUE not in nav(browser)

    browser.post(
        reverse("worklist:followup_add", args=[family_case.reference]),
        {"followup-due_on": TODAY.isoformat(), "followup-note": "Rückruf Kita"},
    )

    assert f'badge-warn">1{DUE}' in nav(browser)


def test_the_notifications_page_counts_afresh(signed_in, erkelenz_caseworker):
    notify(erkelenz_caseworker)
    browser = signed_in(erkelenz_caseworker)
    assert f'badge-warn">1{NEW}' in nav(browser)

    response = browser.post(reverse("cases:notifications"), follow=True)

    page = response.content.decode()
    assert NEW not in page[page.index("<nav") : page.index("</nav>")]
    assert NEW not in nav(browser)
    assert "neue Benachrichtigung" not in browser.get(reverse("dashboard")).content.decode()


def test_what_others_change_shows_within_a_minute(signed_in, erkelenz_caseworker):
    browser = signed_in(erkelenz_caseworker)
    assert NEW not in nav(browser)

    notify(erkelenz_caseworker)
    assert NEW not in nav(browser)

    with time_machine.travel(datetime.datetime(2026, 11, 25, 9, 1, 1, tzinfo=datetime.UTC)):
        assert f'badge-warn">1{NEW}' in nav(browser)


def test_a_new_sign_in_counts_afresh(signed_in, erkelenz_caseworker):
    assert NEW not in nav(signed_in(erkelenz_caseworker))

    notify(erkelenz_caseworker)

    assert f'badge-warn">1{NEW}' in nav(signed_in(erkelenz_caseworker))


@pytest.mark.parametrize("url", [reverse("cases:list"), reverse("dashboard")])
def test_each_user_sees_only_their_own_counts(
    signed_in, url, erkelenz_caseworker, caritas_caseworker
):
    notify(erkelenz_caseworker)
    notify(erkelenz_caseworker)

    assert f'badge-warn">2{NEW}' in nav(signed_in(erkelenz_caseworker), url)
    assert NEW not in nav(signed_in(caritas_caseworker), url)
