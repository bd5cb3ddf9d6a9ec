"""The worklist, clicked through in Debian's chromium: a caseworker sets a follow-up on a
case, finds it due on Meine Übersicht (and counted in the navigation), and marks it done.

Skipped without a Chromium (a failure under CI), like every browser test.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.test_browser import de, labelled, log_in
from worklist.models import FollowUp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_caseworker_sets_a_follow_up_and_finds_it_due_on_her_dashboard(
    page, family_case, erkelenz_caseworker, caritas_caseworker
):
    today = timezone.localdate()
    log_in(page, erkelenz_caseworker)

    page.goto(family_case.get_absolute_url())
    section = page.get_by_role("region", name=de("Follow-ups of your institution"))
    expect(section).to_contain_text(de("No follow-ups set."))
    labelled(section, de("Follow up on")).fill(today.isoformat())
    labelled(section, de("Note (for your institution)")).fill("Rückruf der Kita abwarten")
    section.get_by_role("button", name=de("Set a follow-up"), exact=True).click()

    expect(page.get_by_role("status")).to_contain_text(
        de("Follow-up set for %(date)s.") % {"date": today.strftime("%d.%m.%Y")}
    )
    section = page.get_by_role("region", name=de("Follow-ups of your institution"))
    expect(section).to_contain_text("Rückruf der Kita abwarten")
    expect(section).to_contain_text(today.strftime("%d.%m.%Y"))

    page.get_by_role("link", name="Meine Übersicht", exact=True).first.click()
    mine = page.get_by_role("region", name=de("My follow-ups"))
    item = mine.get_by_role("listitem").filter(has_text="Rückruf der Kita abwarten")
    expect(item).to_contain_text(de("due today"))
    expect(item.get_by_role("link", name=family_case.reference)).to_be_visible()
    navigation = page.get_by_role("navigation", name="Hauptnavigation")
    expect(navigation).to_contain_text(f"1 {de('due')}")

    item.get_by_role("button", name=de("Mark as done")).click()
    expect(page.get_by_role("status")).to_contain_text(de("The follow-up is marked as done."))
    expect(page.get_by_role("region", name=de("My follow-ups"))).to_contain_text(
        de("No open follow-ups. Set one on a case page.")
    )
    assert FollowUp.objects.get().done_by == erkelenz_caseworker
