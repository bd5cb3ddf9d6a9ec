"""The timeline's "show more" in Debian's chromium: a click appends the next entries."""

import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from cases.models import AccessLog, DataCategory, ProgressNote
from cases.permissions import get_case_for_user_or_404
from cases.timeline import PAGE_SIZE, timeline_query
from tests.test_browser import de, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_show_more_appends_the_older_entries_in_place(page, family_case, erkelenz_caseworker):
    start = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=datetime.UTC)
    for index in range(60):
        with time_machine.travel(start + datetime.timedelta(minutes=index), tick=False):
            ProgressNote.objects.create(
                case=family_case,
                author=erkelenz_caseworker,
                source_institution=erkelenz_caseworker.institution,
                category=DataCategory.NOTES,
                text=f"Notiz {index}",
            )
    log_in(page, erkelenz_caseworker)
    page.goto(family_case.get_absolute_url())
    timeline = page.locator("ol.timeline")
    entries = timeline.locator("li time")
    expect(entries).to_have_count(PAGE_SIZE)

    total = timeline_query(get_case_for_user_or_404(erkelenz_caseworker, family_case.reference))
    page.get_by_role("link", name=de("Show more")).click()
    # The rest in the same list, on the same page (the 10 oldest notes, the case opened,
    # its mother and the lead's involvement added).
    expect(entries).to_have_count(total.count())
    assert total.count() > PAGE_SIZE + 10
    expect(page.get_by_role("link", name=de("Show more"))).to_have_count(0)
    assert page.url.endswith(family_case.get_absolute_url())
    assert AccessLog.objects.filter(what=AccessLog.What.CASE_TIMELINE).count() == 1
