"""The Leitfaden, through the real views: readers, the coordination office's draft,
publishing numbered versions, their immutability, what changed, and safe Markdown.

Version 1 of the Heinsberg Leitfaden has three sections: "Grundsätze", "Die
Beteiligtenkonferenz" (the conference agenda) and "Das Protokoll".
"""

from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.forms import GuidelineSectionForm
from agreements.markup import render_markdown
from agreements.models import IMMUTABLE, GuidelineSection, GuidelineVersion
from tests.german import label

from .conftest import PROTOCOL_V1, add, draft

PROTOCOL_V2 = "Die Eltern erhalten das Protokoll auf Papier oder per E-Mail."


def url(name: str, *args) -> str:
    return reverse(f"agreements:{name}", args=args)


def section_form(section: GuidelineSection, **changes) -> dict:
    data = {
        "title": section.title,
        "body": section.body,
        "is_conference_agenda": "on" if section.is_conference_agenda else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def snapshot(guideline) -> list[tuple]:
    """Everything published, to compare before and after a refused attempt."""
    return list(
        GuidelineSection.objects.filter(guideline=guideline, version__isnull=False)
        .order_by("version__number", "position")
        .values_list("version__number", "position", "title", "body", "is_conference_agenda")
    ) + list(GuidelineVersion.objects.values_list("number", "title", "note", "published_at"))


def publish_v2(signed_in, guideline, coordination_office, note="Protokoll auch per E-Mail."):
    office = signed_in(coordination_office)
    protocol = draft(guideline, "Das Protokoll")
    response = office.post(
        url("section_edit", protocol.pk), section_form(protocol, body=PROTOCOL_V2)
    )
    assert response.status_code == 302
    response = office.post(url("publish", guideline.pk), {"note": note})
    assert response.status_code == 302
    return guideline.versions.get(number=2)


# --- reading -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["erkelenz_caseworker", "diakonie_caseworker", "data_protection_officer"]
)
def test_staff_of_every_party_read_the_latest_version(request, signed_in, guideline, persona):
    response = signed_in(request.getfixturevalue(persona)).get(url("guideline", guideline.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Leitfaden Jugendhilfe – Suchthilfe" in page
    today = timezone.localdate().strftime("%d.%m.%Y")
    assert label("Version %(number)s of %(date)s") % {"number": 1, "date": today} in page
    for number, title in ((1, "Grundsätze"), (2, "Die Beteiligtenkonferenz"), (3, "Das Protokoll")):
        assert f'<a href="#abschnitt-{number}">{number}. {title}</a>' in page
        assert f">{number}. {title}</h2>" in page
    assert PROTOCOL_V1 in page
    assert label("This is the first published version.") in page
    assert url("draft", guideline.pk) not in page


@pytest.mark.parametrize("persona", ["uninvolved_caseworker", "lindenbrueck_coordination"])
def test_a_non_party_and_another_cooperation_get_a_404(request, signed_in, guideline, persona):
    browser = signed_in(request.getfixturevalue(persona))
    for target in (
        url("guideline", guideline.pk),
        url("guideline_version", guideline.pk, 1),
        url("guideline_pdf", guideline.pk, 1),
        url("draft", guideline.pk),
        url("publish", guideline.pk),
        url("section_edit", draft(guideline, "Das Protokoll").pk),
    ):
        response = browser.get(target)
        assert response.status_code == 404, target
        assert PROTOCOL_V1 not in response.content.decode(errors="replace")


def test_anonymous_is_sent_to_the_login(client, guideline):
    response = client.get(url("guideline", guideline.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_older_version_stays_readable_by_its_number(
    signed_in, guideline, coordination_office, erkelenz_caseworker
):
    publish_v2(signed_in, guideline, coordination_office)
    erkelenz = signed_in(erkelenz_caseworker)

    latest = erkelenz.get(url("guideline", guideline.pk)).content.decode()
    assert PROTOCOL_V2 in latest and PROTOCOL_V1 not in latest.split('id="abschnitt-1"')[1]

    older = erkelenz.get(url("guideline_version", guideline.pk, 1))
    assert older.status_code == 200
    page = older.content.decode()
    assert PROTOCOL_V1 in page
    assert label("This is an older version.") in page
    assert url("guideline_version", guideline.pk, 2) in page
    assert erkelenz.get(url("guideline_version", guideline.pk, 3)).status_code == 404


def test_nothing_published_yet(
    signed_in, agreement, heinsberg, coordination_office, erkelenz_caseworker
):
    guideline = services.guideline_create(cooperation=heinsberg)
    add(guideline, "Grundsätze", "Noch im Entwurf.")
    page = signed_in(erkelenz_caseworker).get(url("guideline", guideline.pk)).content.decode()
    assert label("No version of the Leitfaden has been published yet.") in page
    assert "Noch im Entwurf." not in page


# --- the draft -----------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["erkelenz_caseworker", "data_protection_officer", "superuser"])
def test_only_the_coordination_office_touches_the_draft(request, signed_in, guideline, persona):
    browser = signed_in(request.getfixturevalue(persona))
    protocol = draft(guideline, "Das Protokoll")
    before = list(guideline.sections.values_list("pk", "position", "title", "body"))
    for method, target, data in (
        ("get", url("draft", guideline.pk), None),
        ("post", url("draft", guideline.pk), {"guideline-title": "Gekapert"}),
        ("get", url("section_add", guideline.pk), None),
        ("post", url("section_add", guideline.pk), {"title": "Neu", "body": "Neu"}),
        ("get", url("section_edit", protocol.pk), None),
        ("post", url("section_edit", protocol.pk), section_form(protocol, body="Gekapert")),
        ("post", url("section_move", protocol.pk), {"direction": "up"}),
        ("get", url("section_delete", protocol.pk), None),
        ("post", url("section_delete", protocol.pk), None),
        ("get", url("publish", guideline.pk), None),
        ("post", url("publish", guideline.pk), {"note": "Gekapert"}),
    ):
        assert getattr(browser, method)(target, data).status_code == 403, (method, target)
    assert list(guideline.sections.values_list("pk", "position", "title", "body")) == before
    assert guideline.versions.count() == 1
    assert browser.post(url("guideline_create")).status_code == 403


def test_the_coordination_office_starts_the_leitfaden_once(
    signed_in, agreement, heinsberg, coordination_office
):
    office = signed_in(coordination_office)
    index = office.get(url("index")).content.decode()
    assert label("Start the Leitfaden") in index
    first = office.post(url("guideline_create"))
    second = office.post(url("guideline_create"))
    assert first["Location"] == second["Location"] == url("draft", heinsberg.guideline.pk)
    assert office.get(url("guideline_create")).status_code == 405


def test_editing_the_draft_changes_nothing_readers_see(
    signed_in, guideline, coordination_office, erkelenz_caseworker
):
    office = signed_in(coordination_office)
    protocol = draft(guideline, "Das Protokoll")
    form = office.get(url("section_edit", protocol.pk))
    assert form.status_code == 200
    response = office.post(
        url("section_edit", protocol.pk), section_form(protocol, body=PROTOCOL_V2)
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url('draft', guideline.pk)}#abschnitt-3"

    page = office.get(url("draft", guideline.pk)).content.decode()
    assert label("changed since the latest version") in page
    assert label("Unpublished changes compared with version %(number)s") % {"number": 1} in page
    assert "auf Papier<ins>" in page  # the word diff of the change

    reader = signed_in(erkelenz_caseworker).get(url("guideline", guideline.pk)).content.decode()
    assert PROTOCOL_V1 in reader and PROTOCOL_V2 not in reader


def test_sections_are_added_moved_and_removed_in_the_draft(
    signed_in, guideline, coordination_office
):
    office = signed_in(coordination_office)
    response = office.post(
        url("section_add", guideline.pk),
        {"title": "Ansprechpersonen", "body": "Die Koordinationsstelle."},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#abschnitt-4")

    def order():
        return list(guideline.draft_sections().values_list("title", flat=True))

    assert order() == [
        "Grundsätze",
        "Die Beteiligtenkonferenz",
        "Das Protokoll",
        "Ansprechpersonen",
    ]
    contacts = draft(guideline, "Ansprechpersonen")
    assert office.post(url("section_move", contacts.pk), {"direction": "up"}).status_code == 302
    assert order() == [
        "Grundsätze",
        "Die Beteiligtenkonferenz",
        "Ansprechpersonen",
        "Das Protokoll",
    ]
    office.post(url("section_move", draft(guideline, "Grundsätze").pk), {"direction": "up"})
    assert order()[0] == "Grundsätze"  # the first stays first
    assert (
        office.post(url("section_move", contacts.pk), {"direction": "sideways"}).status_code == 400
    )

    confirm = office.get(url("section_delete", draft(guideline, "Die Beteiligtenkonferenz").pk))
    assert confirm.status_code == 200
    office.post(url("section_delete", draft(guideline, "Die Beteiligtenkonferenz").pk))
    assert order() == ["Grundsätze", "Ansprechpersonen", "Das Protokoll"]
    assert list(guideline.draft_sections().values_list("position", flat=True)) == [1, 2, 3]
    # Version 1 keeps what it published.
    assert [s.title for s in guideline.versions.get().ordered_sections()] == [
        "Grundsätze",
        "Die Beteiligtenkonferenz",
        "Das Protokoll",
    ]


def test_a_section_needs_a_title(signed_in, guideline, coordination_office):
    response = signed_in(coordination_office).post(url("section_add", guideline.pk), {"body": "x"})
    assert response.status_code == 400
    assert response.context["form"].errors["title"]


def test_the_title_of_the_draft_is_edited_on_its_page(signed_in, guideline, coordination_office):
    office = signed_in(coordination_office)
    response = office.post(
        url("draft", guideline.pk), {"guideline-title": "Arbeitshilfe Heinsberg"}
    )
    assert response.status_code == 302
    guideline.refresh_from_db()
    assert guideline.title == "Arbeitshilfe Heinsberg"
    assert guideline.versions.get().title == "Leitfaden Jugendhilfe – Suchthilfe"


# --- publishing ----------------------------------------------------------------------


def test_publishing_makes_a_numbered_dated_version_everyone_reads(
    signed_in, guideline, coordination_office, caritas_caseworker
):
    office = signed_in(coordination_office)
    protocol = draft(guideline, "Das Protokoll")
    office.post(url("section_edit", protocol.pk), section_form(protocol, body=PROTOCOL_V2))
    confirm = office.get(url("publish", guideline.pk))
    assert confirm.status_code == 200
    assert "auf Papier<ins>" in confirm.content.decode()

    response = office.post(url("publish", guideline.pk), {"note": "Protokoll auch per E-Mail."})
    version = guideline.versions.get(number=2)
    assert response.status_code == 302
    assert response["Location"] == version.get_absolute_url()
    assert version.published_by == coordination_office
    assert timezone.localdate(version.published_at) == timezone.localdate()
    assert version.note == "Protokoll auch per E-Mail."
    assert [s.body for s in version.ordered_sections()][2] == PROTOCOL_V2
    assert [s.key for s in version.ordered_sections()] == [
        s.key for s in guideline.versions.get(number=1).ordered_sections()
    ]
    message = label("Version %(number)d was published.") % {"number": 2}
    assert message in office.get(response["Location"]).content.decode()

    page = signed_in(caritas_caseworker).get(url("guideline", guideline.pk)).content.decode()
    assert PROTOCOL_V2 in page
    assert "Protokoll auch per E-Mail." in page


def test_an_unchanged_draft_is_not_published_again(signed_in, guideline, coordination_office):
    response = signed_in(coordination_office).post(url("publish", guideline.pk), {"note": ""})
    assert response.status_code == 400
    assert label("Nothing changed since version %(number)d.") % {"number": 1} in (
        response.content.decode()
    )
    assert guideline.versions.count() == 1


def test_an_empty_draft_is_not_published(signed_in, agreement, heinsberg, coordination_office):
    guideline = services.guideline_create(cooperation=heinsberg)
    response = signed_in(coordination_office).post(url("publish", guideline.pk), {})
    assert response.status_code == 400
    assert label("The draft has no sections yet.") in response.content.decode()
    assert not guideline.versions.exists()


def test_a_title_change_alone_is_a_new_version(signed_in, guideline, coordination_office):
    office = signed_in(coordination_office)
    office.post(url("draft", guideline.pk), {"guideline-title": "Arbeitshilfe Heinsberg"})
    assert office.post(url("publish", guideline.pk), {}).status_code == 302
    assert guideline.versions.get(number=2).title == "Arbeitshilfe Heinsberg"


# --- published versions never change -------------------------------------------------


def test_a_published_version_refuses_every_write_in_the_model(guideline):
    before = snapshot(guideline)
    version = guideline.versions.get()
    published = version.sections.get(position=3)

    version.note = "Nachträglich geändert"
    with pytest.raises(ValidationError) as refused:
        version.save()
    assert refused.value.messages == [str(IMMUTABLE)]
    published.body = "Nachträglich geändert"
    for attempt in (
        published.save,
        published.delete,
        version.delete,
        lambda: GuidelineSection.objects.filter(pk=published.pk).update(body="x"),
        lambda: GuidelineSection.objects.filter(guideline=guideline).delete(),
        lambda: GuidelineVersion.objects.filter(pk=version.pk).update(note="x"),
        lambda: GuidelineVersion.objects.all().delete(),
        lambda: GuidelineSection.objects.create(
            guideline=guideline, version=version, position=4, title="Angehängt"
        ),
    ):
        with pytest.raises(ValidationError):
            attempt()
    published.version_id = None  # disguised as a draft: the database still knows
    with pytest.raises(ValidationError):
        published.save()
    assert snapshot(guideline) == before


def test_the_section_form_refuses_a_published_section(guideline):
    published = guideline.versions.get().sections.get(position=3)
    form = GuidelineSectionForm(
        section_form(published, body="Nachträglich"), instance=published, guideline=guideline
    )
    assert not form.is_valid()
    assert str(IMMUTABLE) in form.non_field_errors()


def test_the_views_refuse_to_edit_a_published_section(signed_in, guideline, coordination_office):
    before = snapshot(guideline)
    office = signed_in(coordination_office)
    published = guideline.versions.get().sections.get(position=3)
    for method, target, data in (
        ("get", url("section_edit", published.pk), None),
        ("post", url("section_edit", published.pk), section_form(published, body="Nachträglich")),
        ("post", url("section_move", published.pk), {"direction": "up"}),
        ("get", url("section_delete", published.pk), None),
        ("post", url("section_delete", published.pk), None),
    ):
        response = getattr(office, method)(target, data)
        assert response.status_code == 403, (method, target)
        assert label(IMMUTABLE) in response.content.decode()
    for target in (url("guideline", guideline.pk), url("guideline_version", guideline.pk, 1)):
        assert office.post(target, {"body": "x"}).status_code == 405
    assert snapshot(guideline) == before


def test_a_version_keeps_its_text_when_the_draft_moves_on(
    signed_in, guideline, coordination_office, erkelenz_caseworker
):
    publish_v2(signed_in, guideline, coordination_office)
    office = signed_in(coordination_office)
    protocol = draft(guideline, "Das Protokoll")
    office.post(url("section_edit", protocol.pk), section_form(protocol, body="Dritte Fassung."))
    office.post(url("section_delete", draft(guideline, "Grundsätze").pk))
    reader = signed_in(erkelenz_caseworker)
    assert PROTOCOL_V1 in reader.get(url("guideline_version", guideline.pk, 1)).content.decode()
    page = reader.get(url("guideline", guideline.pk)).content.decode()
    assert PROTOCOL_V2 in page and "Dritte Fassung." not in page and "1. Grundsätze" in page


# --- what changed --------------------------------------------------------------------


def test_the_version_page_shows_what_changed_section_by_section(
    signed_in, guideline, coordination_office, erkelenz_caseworker
):
    office = signed_in(coordination_office)
    protocol = draft(guideline, "Das Protokoll")
    office.post(
        url("section_edit", protocol.pk),
        section_form(protocol, title="Protokoll und Nachbereitung", body=PROTOCOL_V2),
    )
    office.post(url("section_move", protocol.pk), {"direction": "up"})
    office.post(url("section_delete", draft(guideline, "Grundsätze").pk))
    office.post(
        url("section_add", guideline.pk),
        {"title": "Ansprechpersonen", "body": "Die Koordinationsstelle."},
    )
    office.post(url("publish", guideline.pk), {"note": ""})

    page = signed_in(erkelenz_caseworker).get(url("guideline", guideline.pk)).content.decode()
    assert label("What changed compared with version %(number)s") % {"number": 1} in page
    changes = page.split('id="aenderungen"')[1].split('id="inhalt"')[0]
    assert label("section added") in changes and "Ansprechpersonen" in changes
    assert label("section removed") in changes and "Grundsätze" in changes
    assert label("text changed") in changes
    assert label("Renamed; it was called “%(old)s”.") % {"old": "Das Protokoll"} in changes
    assert label("Moved from number %(old)s to number %(new)s.") % {"old": 3, "new": 1} in changes
    # The text diff, word by word: "auf Papier" stays, "oder per E-Mail" is added.
    assert "auf Papier<ins>" in changes
    assert "oder per E-Mail" in changes.split("<ins>", 2)[1]
    # The removed section's text, rendered and struck through; no labels, no Markdown.
    assert "<del>Das Wohl des Kindes steht im Zentrum.</del>" in changes


def test_the_diff_shows_the_sanitised_rendering_never_the_source(
    signed_in, guideline, coordination_office, erkelenz_caseworker
):
    office = signed_in(coordination_office)
    protocol = draft(guideline, "Das Protokoll")
    office.post(
        url("section_edit", protocol.pk),
        section_form(protocol, body=PROTOCOL_V1 + '\n\n<b onclick="x()">fett</b>'),
    )
    office.post(url("publish", guideline.pk), {})
    page = signed_in(erkelenz_caseworker).get(url("guideline", guideline.pk)).content.decode()
    changes = page.split('id="aenderungen"')[1].split('id="inhalt"')[0]
    assert "<b><ins>fett</ins></b>" in changes
    assert "onclick" not in page


# --- safe Markdown -------------------------------------------------------------------

HOSTILE = """\
Vorsicht <script>alert("gestohlen")</script> ist geboten.

<a href="#" onclick="steal()">Hier klicken</a> und [noch ein Link](javascript:alert(1)).

<img src="x" onerror="alert(2)"> <iframe src="https://example.org"></iframe>

[Gesetze im Internet](https://www.gesetze-im-internet.de/sgb_8/__8a.html)
"""


class _Markup(HTMLParser):
    """Every element and attribute of the page's main content."""

    def __init__(self):
        super().__init__()
        self.inside_main = False
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.inside_main = True
        if self.inside_main:
            self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "main":
            self.inside_main = False


def assert_harmless(html: str) -> None:
    parser = _Markup()
    parser.feed(html)
    assert parser.elements, "no main content"
    for tag, attrs in parser.elements:
        assert tag not in ("script", "iframe", "img", "object", "embed", "style"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, name)


def test_markdown_never_brings_scripts_handlers_or_javascript_links(
    signed_in, guideline, coordination_office, erkelenz_caseworker
):
    office = signed_in(coordination_office)
    add(guideline, "Sicherheit", HOSTILE)
    draft_page = office.get(url("draft", guideline.pk)).content.decode()
    assert_harmless(draft_page)
    office.post(url("publish", guideline.pk), {})

    reader = signed_in(erkelenz_caseworker)
    for target in (url("guideline", guideline.pk), url("guideline_version", guideline.pk, 2)):
        page = reader.get(target).content.decode()
        assert_harmless(page)
        section = page.split('id="abschnitt-4"')[1].split("</section>")[0]
        assert "ist geboten." in section and "Hier klicken" in section
        assert "alert(" not in section and "onclick" not in section and "javascript:" not in section
        assert 'href="https://www.gesetze-im-internet.de/sgb_8/__8a.html"' in section


def test_the_renderer_keeps_ordinary_markdown():
    html = render_markdown("## Zwischentitel\n\n- **fett** und *kursiv*\n\n1. eins\n2. zwei")
    assert "<h4>Zwischentitel</h4>" in html  # the section title is the h2
    assert "<strong>fett</strong>" in html and "<em>kursiv</em>" in html
    assert "<ol>" in html and "<li>zwei</li>" in html


def test_dates_are_german(signed_in, guideline, erkelenz_caseworker):
    published = timezone.localtime(guideline.versions.get().published_at)
    page = signed_in(erkelenz_caseworker).get(url("guideline", guideline.pk)).content.decode()
    main = page.split("<main")[1]
    assert f">{published:%d.%m.%Y}</time>" in main
    assert f'datetime="{published.date().isoformat()}' in main  # machine-readable beside it
    assert main.count(published.date().isoformat()) == main.count('datetime="')
