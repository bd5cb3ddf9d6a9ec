"""Phones: at 390 × 844 no page scrolls sideways, and the menu is one button that opens
without JavaScript. Also that the wide screen still shows the whole navigation at once.

The pages are those of the HTML validity crawl (tests/test_html_valid.py): the demo, walked
by the same personas along the pages' own links with Django's test client; each page found
is then opened in Debian's chromium, logged in through the test client's session cookie.
"""

import os

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from cooperation.models import User
from tests.german import label
from tests.test_html_valid import DEMO_PERSONAS, crawl

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Pages per persona opened in the browser: the crawl's breadth-first order puts every kind
# of page (list, case, conference, form, PDF-less document page) well within this.
PAGES_PER_PERSONA = 150

# What sticks out: the innermost elements whose right edge passes the window's, so that a
# failure names the culprit instead of only the page.
OVERFLOW_CULPRITS = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll('body *')].filter(
    (e) => e.getBoundingClientRect().right > width + 0.5);
  const innermost = wide.filter((e) => !wide.some((other) => other !== e && e.contains(other)));
  return innermost.slice(0, 3).map((e) => {
    const classes = typeof e.className === 'string' ? e.className.trim().split(/\\s+/) : [];
    const name = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
      + classes.filter(Boolean).map((c) => '.' + c).join('');
    return name + ' (right ' + Math.round(e.getBoundingClientRect().right) + ' px)';
  });
}"""


@pytest.fixture
def demo():
    call_command("load_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115


def browser_session(browser, live_server, client: Client | None, **options):
    """A browser context at ``live_server`` carrying ``client``'s login (if any)."""
    context = browser.new_context(locale="de-DE", base_url=live_server.url, **options)
    if client is not None:
        cookie = client.cookies["sessionid"]
        context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context


def logged_in_client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_no_page_of_the_demo_scrolls_sideways_on_a_phone(browser, live_server, demo):
    visits = [(None, "anonymous", page.url) for page in crawl(Client(), "anonymous", ["/"], 10)]
    for username in DEMO_PERSONAS:
        client = logged_in_client(username)
        pages = crawl(client, username, ["/"], PAGES_PER_PERSONA)
        visits += [(client, username, page.url) for page in pages]
    assert len(visits) > 100, "the crawl found too few pages to say anything"

    too_wide = []
    contexts = {}
    try:
        for client, who, url in visits:
            if who not in contexts:
                context = browser_session(browser, live_server, client, viewport=PHONE)
                contexts[who] = context.new_page()
            page = contexts[who]
            page.goto(url)
            widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if widths[0] > widths[1]:
                culprits = ", ".join(page.evaluate(OVERFLOW_CULPRITS))
                too_wide.append(f"{who} {url}: {widths[0]} px > {widths[1]} px ({culprits})")
    finally:
        for page in contexts.values():
            page.context.close()
    assert not too_wide, f"{len(too_wide)} of {len(visits)} pages scroll sideways:\n" + (
        "\n".join(too_wide)
    )


def test_the_menu_opens_on_a_phone_without_javascript_and_stays_open_on_a_wide_screen(
    browser, live_server, demo
):
    client = logged_in_client("erkelenz.fachkraft")
    context = browser_session(
        browser, live_server, client, viewport=PHONE, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.goto(reverse("dashboard"))
        assert page.evaluate("typeof window.htmx") == "undefined", "JavaScript ran"
        navigation = page.get_by_role("navigation", name="Hauptnavigation")
        cases = navigation.get_by_role("link", name="Fälle", exact=True)
        menu = navigation.get_by_text(label("Menu"), exact=True)
        # Folded away: the page's own heading is on the first screen, high up.
        expect(menu).to_be_visible()
        expect(cases).to_be_hidden()
        heading = page.get_by_role("heading", level=1)
        assert heading.bounding_box()["y"] < PHONE["height"] / 3
        menu.click()
        expect(cases).to_be_visible()
        expect(navigation.get_by_role("button", name="Abmelden")).to_be_visible()
        cases.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Fälle")
        # Closed again on the next page: the menu does not push the content down.
        expect(
            page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
                "link", name="Fälle", exact=True
            )
        ).to_be_hidden()
    finally:
        context.close()

    # A wide screen shows the whole navigation at once, without the menu button.
    context = browser_session(browser, live_server, client, viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(reverse("dashboard"))
        navigation = page.get_by_role("navigation", name="Hauptnavigation")
        expect(navigation.get_by_text(label("Menu"), exact=True)).to_be_hidden()
        for name in ("Meine Übersicht", "Fälle", "Konferenzen"):
            expect(navigation.get_by_role("link", name=name, exact=True)).to_be_visible()
        expect(navigation.get_by_role("button", name="Abmelden")).to_be_visible()
        # One row of links (it may wrap to two, never a column).
        box = navigation.bounding_box()
        assert box["height"] < 120, f"the navigation is {box['height']} px high"
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1]
    finally:
        context.close()


def test_the_case_list_stacks_each_case_into_one_labelled_block_on_a_phone(
    browser, live_server, demo
):
    """On a phone each case of the list is one block whose cells say what they are,
    instead of a table that scrolls sideways inside the page; a wide screen keeps the
    table."""
    client = logged_in_client("erkelenz.fachkraft")
    context = browser_session(browser, live_server, client, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(reverse("cases:list"))
        table = page.locator("table.case-list")
        first = table.locator("tbody tr").first
        reference = first.locator("td").first
        assert page.evaluate(
            "(td) => getComputedStyle(td).display", reference.element_handle()
        ) == ("block")
        label_text = page.evaluate(
            "(td) => getComputedStyle(td, '::before').content", reference.element_handle()
        )
        assert "Aktenzeichen" in label_text
        # The table itself is no wider than the screen: nothing to scroll inside it.
        assert page.evaluate("(t) => t.scrollWidth <= t.clientWidth", table.element_handle())
    finally:
        context.close()

    context = browser_session(browser, live_server, client, viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(reverse("cases:list"))
        reference = page.locator("table.case-list tbody tr").first.locator("td").first
        assert page.evaluate(
            "(td) => getComputedStyle(td).display", reference.element_handle()
        ) == ("table-cell")
    finally:
        context.close()
