"""Approving the minutes in Chromium: the detail page leads to the confirmation page,
which says what happens and to whom; the confirming click runs through htmx (the busy
note and the disabled button belong to that request) and lands on the frozen minutes.
"""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from conferences import services
from conferences.models import Minutes, Participant
from tests.german import label

from .conftest import PLACE, add_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_organiser_confirms_the_approval_and_sees_the_busy_note(
    browser, live_server, family_case, caritas_released, erkelenz_caseworker, caritas_caseworker
):
    meeting = services.conference_schedule(
        case=family_case,
        organiser=erkelenz_caseworker,
        starts_at=timezone.now() - datetime.timedelta(days=1),
        place=PLACE,
    )
    add_staff(meeting, caritas_caseworker, role="Suchtberatung")
    meeting.participants.update(attendance=Participant.Attendance.PRESENT)
    services.meeting_held(meeting=meeting)
    services.minutes_circulate(minutes=meeting.minutes)
    client = Client()
    client.force_login(erkelenz_caseworker)
    context = browser.new_context(locale="de-DE", base_url=live_server.url)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    posts = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" else None)

    page.goto(meeting.get_absolute_url())
    page.get_by_role("link", name=label("Approve and freeze")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        label("Approve and freeze the minutes")
    )
    expect(page.get_by_text(caritas_caseworker.get_full_name())).to_be_visible()
    busy = page.locator("#busy")
    expect(busy).to_be_hidden()
    assert Minutes.objects.get(pk=meeting.minutes.pk).status == Minutes.Status.CIRCULATED

    page.get_by_role("button", name=label("Approve and freeze")).click()

    # Rendering the two frozen PDFs takes a while on a busy machine.
    expect(page.get_by_role("heading", level=1)).to_have_text(meeting.title, timeout=90_000)
    expect(page.get_by_text(label("The minutes are approved and frozen."))).to_be_visible()
    assert Minutes.objects.get(pk=meeting.minutes.pk).status == Minutes.Status.APPROVED
    # htmx sent the confirming POST (and so showed the busy note while it ran).
    assert posts and posts[-1].headers.get("hx-request") == "true"
    context.close()
