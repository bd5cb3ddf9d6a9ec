"""The statistics page in Debian's chromium: the inline charts obey the site's CSP.

Skipped without a Chromium, a failure under CI (the fixtures of tests/test_browser.py).
"""

import re

import pytest
from playwright.sync_api import expect

from cases import services
from tests.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def frozen_today():
    """The real clock: the browser's event loop must not stand still."""
    yield


def test_the_charts_are_drawn_under_the_csp_and_named_for_screen_readers(
    page,
    institutions,
    coordination_office,
    erkelenz_caseworker,
):
    services.case_open(lead_institution=institutions["erkelenz"], opened_by=erkelenz_caseworker)
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    log_in(page, coordination_office)
    response = page.goto("/statistik/")
    assert "style-src 'self'" in response.headers["content-security-policy"]

    chart = page.get_by_role("img", name="Fälle nach Art der fallführenden Einrichtung")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] > 300
    expect(page.get_by_role("img")).to_have_count(5)
    # The bars' colours come from presentation attributes, which the CSP allows.
    bar = page.locator("svg path[fill='#0072b2']").first
    assert bar.evaluate("element => getComputedStyle(element).fill") == "rgb(0, 114, 178)"
    caption = re.compile(r"^Fälle nach Art der fallführenden Einrichtung, [12]\. Halbjahr \d{4}$")
    table = page.get_by_role("table", name=caption)
    expect(table.get_by_role("row", name="Jugendamt einer Stadt")).to_contain_text("weniger als 5")
    assert violations == []
