"""The Leitfaden's editor with a preview, the change view between versions (rendered
text, insertions and deletions marked), and the notice to its readers when a version is
published."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from agreements import services
from agreements.diff import rendered_diff
from cases.models import Notification
from outbox.models import OutboxMessage

from .conftest import PROTOCOL_V1, draft

PROTOCOL_V2 = "Die Eltern erhalten das Protokoll **auf Papier** oder per E-Mail."


def url(name: str, *args) -> str:
    return reverse(f"agreements:{name}", args=args)


class Structure(HTMLParser):
    """Checks that every tag opened is closed in order (void tags aside)."""

    VOID = {"br", "hr", "img", "input", "meta", "link"}

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.ok = True

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.ok = False


def well_formed(html: str) -> bool:
    parser = Structure()
    parser.feed(html)
    return parser.ok and not parser.stack


# --- the preview ---------------------------------------------------------------------


def test_the_preview_renders_the_typed_markdown(signed_in, guideline, coordination_office):
    response = signed_in(coordination_office).post(
        url("preview", guideline.pk), {"body": "Ein **wichtiger** Satz.\n\n- eins\n- zwei"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>wichtiger</strong>" in html and "<li>eins</li>" in html
    assert "**" not in html and "<html" not in html


def test_the_preview_is_sanitised(signed_in, guideline, coordination_office):
    response = signed_in(coordination_office).post(
        url("preview", guideline.pk), {"body": "<script>alert(1)</script>[x](javascript:alert(1))"}
    )
    assert "<script" not in response.content.decode()
    assert "javascript:" not in response.content.decode()


@pytest.mark.parametrize("persona", ["caritas_caseworker", "data_protection_officer"])
def test_only_the_coordination_office_previews(request, signed_in, guideline, persona):
    browser = signed_in(request.getfixturevalue(persona))
    assert browser.post(url("preview", guideline.pk), {"body": "x"}).status_code == 403
    assert browser.get(url("preview", guideline.pk)).status_code == 405


def test_the_editor_shows_the_preview_beside_the_text_and_asks_htmx_for_it(
    signed_in, guideline, coordination_office
):
    section = draft(guideline, "Das Protokoll")
    page = signed_in(coordination_office).get(url("section_edit", section.pk)).content.decode()
    assert 'id="vorschau"' in page
    assert f'data-hx-post="{url("preview", guideline.pk)}"' in page
    assert 'data-hx-trigger="input changed delay:500ms"' in page
    # The saved text is previewed from the start (no JavaScript needed to see it).
    assert f"<p>{PROTOCOL_V1}</p>" in page


def test_the_preview_button_shows_the_text_without_saving_it(
    signed_in, guideline, coordination_office
):
    section = draft(guideline, "Das Protokoll")
    response = signed_in(coordination_office).post(
        url("section_edit", section.pk),
        {"title": section.title, "body": "Ganz **neu**.", "preview": "1"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<strong>neu</strong>" in page
    assert "Ganz **neu**." in page  # the typed text stays in the textarea
    section.refresh_from_db()
    assert section.body == PROTOCOL_V1


# --- the change view -----------------------------------------------------------------


@pytest.fixture
def version_2(guideline, coordination_office):
    protocol = draft(guideline, "Das Protokoll")
    protocol.body = PROTOCOL_V2
    protocol.save()
    return services.guideline_publish(guideline=guideline, published_by=coordination_office)


def test_the_change_view_shows_rendered_text_with_insertions_and_deletions(
    signed_in, version_2, caritas_caseworker
):
    page = signed_in(caritas_caseworker).get(version_2.get_absolute_url()).content.decode()
    changes = page[page.index('id="aenderungen"') : page.index('id="inhalt"')]
    assert "<ins>" in changes
    assert "**" not in changes
    assert "hinzugefügt:" not in changes and "added:" not in changes
    assert "entfernt:" not in changes and "removed:" not in changes
    assert re.search(r"<strong>\s*(<ins>)?auf Papier", changes)
    assert "<ins> oder per E-Mail</ins>" in changes


def test_the_change_view_compares_with_any_earlier_version(
    signed_in, version_2, guideline, coordination_office, caritas_caseworker
):
    protocol = draft(guideline, "Das Protokoll")
    protocol.body = "Die Eltern erhalten das Protokoll in leichter Sprache."
    protocol.save()
    version_3 = services.guideline_publish(guideline=guideline, published_by=coordination_office)
    browser = signed_in(caritas_caseworker)
    against_2 = browser.get(version_3.get_absolute_url()).content.decode()
    assert "<del>" in against_2 and "E-Mail" in against_2
    against_1 = browser.get(f"{version_3.get_absolute_url()}?vergleich=1").content.decode()
    changes = against_1[against_1.index('id="aenderungen"') : against_1.index('id="inhalt"')]
    assert "E-Mail" not in changes  # version 1 never said it
    assert "<del>auf Papier</del>" in changes.replace("<del> auf Papier", "<del>auf Papier")
    # Anything but an earlier version's number falls back to the one before.
    assert browser.get(f"{version_3.get_absolute_url()}?vergleich=x").status_code == 200


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("- a\n- b\n- c", "- a\n- c\n- d"),
        ("Eins.\n\nZwei.", "Eins und zwei."),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "Ein Satz."),
        ("1. Begrüßung\n2. Lage", "1. Begrüßung und Anlass\n   Hinweis\n2. Lage\n3. Neu"),
        ("**fett** und *kursiv*", "*kursiv* und **fett**"),
        ("", "Ganz neu."),
        ("Ganz alt.", ""),
    ],
)
def test_the_rendered_diff_is_well_formed_and_has_no_markdown(old, new):
    html = rendered_diff(old, new)
    assert well_formed(html), html
    assert "**" not in html
    # Removed words never stand where no text may (directly inside a list or table).
    assert not re.search(r"<(ul|ol|tr|tbody|thead)>\s*<del>", html), html


# --- the notice to the readers -------------------------------------------------------


def test_publishing_tells_every_reader_but_the_publisher(
    guideline,
    coordination_office,
    caritas_caseworker,
    erkelenz_caseworker,
    uninvolved_caseworker,
    lindenbrueck_coordination,
    data_protection_officer,
):
    protocol = draft(guideline, "Das Protokoll")
    protocol.body = PROTOCOL_V2
    protocol.save()
    OutboxMessage.objects.all().delete()
    version = services.guideline_publish(
        guideline=guideline, published_by=coordination_office, note="Protokoll per E-Mail."
    )
    told = Notification.objects.filter(
        kind=Notification.Kind.GUIDELINE_PUBLISHED, link=version.get_absolute_url()
    )
    users = set(told.values_list("user", flat=True))
    assert {caritas_caseworker.pk, erkelenz_caseworker.pk, data_protection_officer.pk} <= users
    assert coordination_office.pk not in users  # the publisher knows
    assert uninvolved_caseworker.pk not in users  # not a party: does not read it
    assert lindenbrueck_coordination.pk not in users
    notice = told.first()
    assert notice.case is None
    assert "2" in notice.message and version.title in notice.message
    # One e-mail, everyone in blind copy, the version named and linked.
    message = OutboxMessage.objects.get()
    content = message.content
    assert content["to"] == [] and caritas_caseworker.email in content["bcc"]
    assert uninvolved_caseworker.email not in content["bcc"]
    assert version.get_absolute_url() in content["body"]


def test_the_notice_appears_in_the_readers_notifications(signed_in, caritas_caseworker, guideline):
    # (The reader exists before the fixture publishes version 1.)
    page = signed_in(caritas_caseworker).get(reverse("cases:notifications")).content.decode()
    version = guideline.latest_version()
    assert f'href="{version.get_absolute_url()}"' in page
