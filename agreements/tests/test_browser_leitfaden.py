"""In the browser: the coordination office types Markdown and sees the preview beside the
editor follow (htmx, server-rendered); a reader asking for a PDF that is not yet stored
sees "being created" turn into the download link by itself."""

import pytest
from django.urls import reverse
from django.utils.text import capfirst
from playwright.sync_api import expect

from agreements.models import GuidelineDocument
from tests.test_browser import de, labelled, log_in, log_out

from .conftest import draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_preview_follows_the_typing_and_the_pdf_page_turns_into_the_link(
    page, guideline, coordination_office, caritas_caseworker
):
    section = draft(guideline, "Das Protokoll")
    log_in(page, coordination_office)
    page.goto(reverse("agreements:section_edit", args=[section.pk]))
    preview = page.locator("#vorschau")
    expect(preview).to_contain_text("Die Eltern erhalten das Protokoll auf Papier.")
    body = labelled(page, capfirst(de("text (Markdown)")))
    body.fill("Das Protokoll geht **binnen einer Woche** an alle.\n\n- Eltern\n- Fachkräfte")
    expect(preview.locator("strong")).to_have_text("binnen einer Woche")
    expect(preview.locator("li")).to_have_count(2)
    expect(preview).not_to_contain_text("**")
    section.refresh_from_db()
    assert "binnen einer Woche" not in section.body  # previewed, not saved
    log_out(page)

    # Version 1's PDF as if its task had not run yet: the page waits and polls.
    version = guideline.latest_version()
    GuidelineDocument.objects.filter(version=version).delete()
    log_in(page, caritas_caseworker)
    page.goto(reverse("agreements:guideline_pdf", args=[guideline.pk, 1]))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # The request queued the rendering; the poll shows the link once the file is stored.
    link = page.get_by_role("link", name=de("Download the PDF"))
    expect(link).to_be_visible(timeout=30_000)
    assert GuidelineDocument.objects.filter(version=version).exists()
