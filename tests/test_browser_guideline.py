"""The Leitfaden in the browser: the coordination office edits a section in the draft and
publishes a new version; a caseworker of Jugendamt Erkelenz reads it and sees what
changed."""

import datetime

import pytest
from django.utils import timezone
from django.utils.text import capfirst
from playwright.sync_api import expect

from agreements import services
from agreements.models import Agreement, AgreementParty, GuidelineSection
from tests.test_browser import de, labelled, log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Leitfaden Jugendhilfe – Suchthilfe im Kreis Heinsberg"
OLD = "Die Eltern erhalten das Protokoll auf Papier."
NEW = "Die Eltern erhalten das Protokoll per E-Mail innerhalb einer Woche."


@pytest.fixture
def leitfaden(institutions, coordination_office):
    """Version 1 of Heinsberg's Leitfaden; Erkelenz is a party of the agreement."""
    heinsberg = institutions["erkelenz"].cooperation
    agreement = Agreement.objects.create(
        cooperation=heinsberg,
        title="Kooperationsvereinbarung Heinsberg",
        legal_form="öffentlich-rechtliche Vereinbarung",
        responsible_body="Kreis Heinsberg",
        effective_since=datetime.date(2016, 5, 1),
    )
    for key in ("erkelenz", "gesundheitsamt", "caritas"):
        AgreementParty.objects.create(
            agreement=agreement,
            institution=institutions[key],
            signatory_name=f"Leitung {key}",
            signatory_function="Leitung",
        )
    guideline = services.guideline_create(cooperation=heinsberg)
    guideline.title = TITLE
    guideline.save()
    for title, body, agenda in (
        ("Grundsätze", "Das Wohl des Kindes steht im Zentrum.", False),
        ("Die Beteiligtenkonferenz", "1. Begrüßung\n2. Eltern (Gesundheitsdaten)", True),
        ("Das Protokoll", OLD, False),
    ):
        services.section_add(
            guideline=guideline,
            section=GuidelineSection(title=title, body=body, is_conference_agenda=agenda),
        )
    services.guideline_publish(guideline=guideline, published_by=coordination_office)
    return guideline


def test_the_coordination_office_publishes_a_new_version_and_erkelenz_sees_what_changed(
    page,
    leitfaden,
    coordination_office,
    erkelenz_caseworker,
):
    today = timezone.localdate().strftime("%d.%m.%Y")
    heading = page.get_by_role("heading", level=1)

    # 1. The coordination office edits section 3 in the draft. (No navigation link to
    # /kooperation/ yet: base.html belongs to the shared layout.)
    log_in(page, coordination_office)
    page.goto("/kooperation/")
    expect(heading).to_have_text(de("Cooperation agreement and Leitfaden"))
    page.get_by_role("link", name=de("Edit the draft"), exact=True).click()
    expect(heading).to_have_text(de("Draft of the Leitfaden"))
    page.get_by_role("link", name=f"{de('Edit')} 3. Das Protokoll", exact=True).click()
    expect(heading).to_have_text(de("Edit section %(number)d") % {"number": 3})
    body = labelled(page, capfirst(de("text (Markdown)")))
    expect(body).to_have_value(OLD)
    body.fill(NEW)
    page.get_by_role("button", name=de("Save in the draft"), exact=True).click()

    expect(heading).to_have_text(de("Draft of the Leitfaden"))
    expect(page.get_by_role("status")).to_contain_text(de("The section was saved in the draft."))
    section = page.locator("#abschnitt-3")
    expect(section).to_contain_text(de("changed since the latest version"))

    # 2. ... and publishes it as version 2, saying what changed.
    page.get_by_role("link", name=de("Publish a new version"), exact=True).click()
    expect(heading).to_have_text(de("Publish a new version"))
    labelled(page, capfirst(de("what changed"))).fill("Protokoll künftig per E-Mail.")
    page.get_by_role("button", name=de("Publish"), exact=True).click()

    expect(heading).to_have_text(TITLE)
    expect(page.get_by_role("status")).to_contain_text(
        de("Version %(number)d was published.") % {"number": 2}
    )
    assert leitfaden.versions.count() == 2
    log_out(page)

    # 3. A caseworker of Jugendamt Erkelenz reads the new version and what changed.
    log_in(page, erkelenz_caseworker)
    page.goto("/kooperation/")
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(heading).to_have_text(TITLE)
    expect(page.get_by_text(de("Version %(number)s of %(date)s") % {"number": 2, "date": today}))
    expect(page.locator("#abschnitt-3")).to_contain_text(NEW)
    expect(page.locator("#abschnitt-3")).not_to_contain_text(OLD)
    expect(page.get_by_text("Protokoll künftig per E-Mail.").first).to_be_visible()

    changes = page.get_by_role(
        "region", name=de("What changed compared with version %(number)s") % {"number": 1}
    )
    summary = changes.get_by_role("table")
    expect(summary.get_by_role("row")).to_have_count(2)  # the header and one section
    expect(summary.get_by_role("row").last).to_contain_text("3. Das Protokoll")
    expect(summary.get_by_role("row").last).to_contain_text(de("text changed"))
    expect(changes.locator("del")).to_contain_text("auf Papier")
    expect(changes.locator("ins")).to_contain_text("per E-Mail innerhalb einer Woche")

    # The earlier version is still there, as it was.
    page.get_by_role("link", name=de("Version %(number)s") % {"number": 1}, exact=True).click()
    expect(page.get_by_text(de("This is an older version."))).to_be_visible()
    expect(page.locator("#abschnitt-3")).to_contain_text(OLD)
    log_out(page)
