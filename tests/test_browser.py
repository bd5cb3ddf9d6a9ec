"""Flows a person clicks through, in Debian's chromium driven by Playwright.

Without a Chromium these tests are skipped with a message; under CI (CI=true) a missing
browser is a failure, never a skip.
"""

import datetime
import hashlib
import io
import os
import re

import pypdf
import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from playwright.sync_api import expect

from cases import services
from cases.models import Case, Consent, DataCategory, FamilyMember
from cooperation.models import User
from tests import factories
from tests.two_factor import next_token, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    settings.DEMO_PASSWORD = "Demo-Passwort-2026"
    call_command("load_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    return settings.DEMO_PASSWORD


def test_a_demo_caseworker_logs_in_sees_her_institution_and_logs_out(page, demo):
    page.goto("/")
    assert page.title().startswith("Anmelden")
    page.get_by_label("Benutzername").fill("erkelenz.fachkraft")
    page.get_by_label("Passwort").fill(demo)
    page.get_by_role("button", name="Anmelden").click()
    enter_second_factor(page, User.objects.get(username="erkelenz.fachkraft"))

    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Meine Übersicht"
    banner = page.get_by_role("banner")
    assert "Anna Schmitz" in banner.inner_text()
    assert "Jugendamt der Stadt Erkelenz" in banner.inner_text()
    assert User.objects.get(username="erkelenz.fachkraft").last_login is not None

    page.get_by_role("button", name="Abmelden").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Anmelden"
    page.goto("/")
    assert "/konto/login/" in page.url


def test_a_wrong_password_is_refused_in_german_and_keeps_the_username(page, demo):
    page.goto("/konto/login/")
    page.get_by_label("Benutzername").fill("caritas.fachkraft")
    page.get_by_label("Passwort").fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    assert "Beide Felder berücksichtigen die Groß-/Kleinschreibung" in page.content()
    assert page.get_by_label("Benutzername").input_value() == "caritas.fachkraft"


def de(msgid: str) -> str:
    """The German text of a UI string that locale/de does not translate yet.

    Until it is translated the page shows the English msgid; once it is, the test follows
    the catalogue instead of breaking. Strings already translated are written out in German.
    """
    with translation.override("de"):
        return gettext(msgid)


def labelled(page, text: str):
    """The control labelled ``text`` exactly (Django adds a colon to most labels)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(text)}:?\s*$"))


def enter_second_factor(page, user: User) -> None:
    """The second login step: the code of the user's authenticator (the demo's, or a test
    one made on first use), as the person types it from the app."""
    page.locator('input[name="otp_token"]').fill(next_token(totp_device(user)))
    page.get_by_role("button", name=de("Confirm")).click()


def log_in(page, user: User) -> None:
    totp_device(user)  # an authenticator set up before, as every staff member has
    page.goto("/konto/login/")
    page.get_by_label("Benutzername").fill(user.username)
    page.get_by_label("Passwort").fill(factories.PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    enter_second_factor(page, user)
    expect(page.get_by_role("heading", level=1)).to_have_text("Meine Übersicht")


def log_out(page) -> None:
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")


@pytest.fixture
def caritas_own_case(caritas_caseworker) -> Case:
    """A case Caritas leads itself, so that its case list has a row to filter away."""
    return services.case_open(
        lead_institution=caritas_caseworker.institution,
        opened_by=caritas_caseworker,
        first_member=FamilyMember(
            kind=FamilyMember.Kind.FATHER, first_name="Jonas", last_name="Muster"
        ),
    )


def test_a_consent_shares_a_case_with_caritas_until_the_family_revokes_it(
    page, erkelenz_caseworker, caritas_caseworker, caritas_own_case
):
    today = timezone.localdate()
    valid_until = today + datetime.timedelta(days=365)
    caritas = caritas_caseworker.institution

    # 1. Erkelenz opens a case with the mother.
    log_in(page, erkelenz_caseworker)
    page.get_by_role("link", name="Fälle", exact=True).click()
    page.get_by_role("link", name=de("Open a case"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(de("Open a case"))
    labelled(page, "Art").select_option(label="Mutter")
    labelled(page, "Vorname").fill("Maria")
    labelled(page, "Nachname").fill("Beispiel")
    page.get_by_role("button", name=de("Save"), exact=True).click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Fall HS-\d{4}-\d{4}$"))
    reference = heading.inner_text().removeprefix("Fall ")
    assert reference != caritas_own_case.reference
    expect(page).to_have_url(re.compile(rf"/faelle/{reference}/$"))
    expect(page.get_by_role("status")).to_contain_text(
        de("Case %(reference)s opened.") % {"reference": reference}
    )
    family = page.get_by_role("region", name="Familie")
    expect(family.get_by_role("heading", name="Maria Beispiel")).to_be_visible()

    # 2. A time-limited electronic consent releasing master data and family situation
    # from Erkelenz to Caritas, recorded as given.
    page.get_by_role("link", name=de("Record a consent"), exact=True).click()
    labelled(page, "Erteilt von").select_option(label="Maria Beispiel")
    page.get_by_role("checkbox", name=caritas.name, exact=True).check()
    page.get_by_role("checkbox", name="Stammdaten", exact=True).check()
    page.get_by_role("checkbox", name="Familiensituation", exact=True).check()
    labelled(page, "Zweck").fill("Abstimmung der Hilfen für Mutter und Kind")
    labelled(page, "Art").select_option(label="befristet")
    labelled(page, "Gültig bis").fill(valid_until.isoformat())
    labelled(page, "Form").select_option(label="elektronisch")
    labelled(page, "Über den Zweck aufgeklärt").check()
    labelled(page, "Über die Folgen einer Verweigerung aufgeklärt").check()
    labelled(page, "Über das Widerrufsrecht aufgeklärt").check()
    page.get_by_role(
        "radio", name=de("given (the signed form or the electronic consent is at hand)")
    ).check()
    page.get_by_role("button", name=de("Save"), exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Fall {reference}")
    expect(page.get_by_role("status")).to_contain_text(de("The consent was recorded."))
    consents = page.get_by_role("region", name="Einwilligungen")
    consent = consents.get_by_role("row").filter(
        has=page.get_by_role("cell", name="Caritas", exact=True)
    )
    expect(consent).to_have_count(1)
    expect(consent.get_by_role("cell").first).to_have_text("erteilt")
    expect(consent).to_contain_text("Stammdaten, Familiensituation")
    expect(consent).to_contain_text(f"{today:%d.%m.%Y} – {valid_until:%d.%m.%Y}")
    log_out(page)

    # 3. Caritas now finds the case by its reference (htmx filters in place) and reads
    # the mother's master data.
    log_in(page, caritas_caseworker)
    page.get_by_role("link", name="Fälle", exact=True).click()
    cases = page.get_by_role("table", name="Für Ihre Einrichtung sichtbare Fälle")
    expect(cases.get_by_role("link", name=caritas_own_case.reference)).to_be_visible()
    expect(cases.get_by_role("link", name=reference)).to_be_visible()
    page.evaluate("window.sameDocument = true")
    search = page.get_by_role("searchbox", name=de("Search by reference or name"), exact=True)
    search.press_sequentially(reference)
    expect(cases.get_by_role("link", name=caritas_own_case.reference)).to_have_count(0)
    expect(cases.get_by_role("link", name=reference)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"[?&]q={re.escape(reference)}(&|$)"))
    assert page.evaluate("window.sameDocument") is True, "the list reloaded instead of htmx"
    cases.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Fall {reference}")
    family = page.get_by_role("region", name="Familie")
    expect(family.get_by_role("heading", name="Maria Beispiel")).to_be_visible()
    log_out(page)

    # 4. The mother revokes in writing at Erkelenz; the caseworker records it.
    log_in(page, erkelenz_caseworker)
    page.get_by_role("link", name="Fälle", exact=True).click()
    page.get_by_role("link", name=reference, exact=True).click()
    consent = (
        page.get_by_role("region", name="Einwilligungen")
        .get_by_role("row")
        .filter(has=page.get_by_role("cell", name="Caritas", exact=True))
    )
    revoke = re.compile(rf"^{re.escape(de('Revoke'))}\b")
    consent.get_by_role("link", name=revoke).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(de("Revoke consent"))
    expect(page.get_by_role("note")).to_contain_text(caritas.name)
    labelled(page, de("Revoked on")).fill(today.isoformat())
    labelled(page, de("How was it revoked?")).select_option(label=de("in writing"))
    page.get_by_role(
        "checkbox",
        name=de(
            "I confirm the revocation. From now on no data is shared on the basis of this "
            "consent; the recipient institutions are notified."
        ),
    ).check()
    page.get_by_role("button", name=de("Record revocation"), exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Fall {reference}")
    expect(page.get_by_role("status")).to_contain_text(
        de("The revocation was recorded; the recipient institutions are notified.")
    )
    expect(consent.get_by_role("cell").first).to_contain_text(
        f"widerrufen {today:%d.%m.%Y}, {de('in writing')}"
    )
    expect(consent.get_by_role("link", name=revoke)).to_have_count(0)
    assert Consent.objects.get(case__reference=reference).status == Consent.Status.REVOKED
    log_out(page)

    # 5. Caritas no longer sees the case, not even by its address, and is told.
    log_in(page, caritas_caseworker)
    page.get_by_role("link", name="Fälle", exact=True).click()
    cases = page.get_by_role("table", name="Für Ihre Einrichtung sichtbare Fälle")
    expect(cases.get_by_role("link", name=caritas_own_case.reference)).to_be_visible()
    expect(cases.get_by_role("link", name=reference)).to_have_count(0)
    page.get_by_role(
        "searchbox", name=de("Search by reference or name"), exact=True
    ).press_sequentially(reference)
    expect(page.get_by_text("Keine Fälle gefunden.")).to_be_visible()

    response = page.goto(f"/faelle/{reference}/")
    assert response.status == 404
    assert "Maria" not in page.content()

    page.goto("/")
    page.get_by_role("link", name=de("Notifications"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(de("Notifications"))
    notifications = page.get_by_role("main").get_by_role("listitem")
    expect(notifications).to_have_count(1)
    expect(notifications).to_contain_text(
        de(
            "Case %(reference)s: the consent releasing %(source)s towards %(recipients)s was "
            "revoked on %(date)s. No further data is shared on its basis; what was shared "
            "before stays documented."
        )
        % {
            "reference": reference,
            "source": erkelenz_caseworker.institution.short_name,
            "recipients": caritas.short_name,
            "date": f"{today:%d.%m.%Y}",
        }
    )


@pytest.fixture
def conference_case(erkelenz_caseworker, caritas_caseworker) -> Case:
    """Erkelenz leads a case with the mother; a given consent releases her master data, the
    family situation and the conference protocols from Erkelenz to Caritas."""
    erkelenz = erkelenz_caseworker.institution
    case = services.case_open(
        lead_institution=erkelenz,
        opened_by=erkelenz_caseworker,
        first_member=FamilyMember(
            kind=FamilyMember.Kind.MOTHER, first_name="Maria", last_name="Beispiel"
        ),
    )
    today = timezone.localdate()
    factories.give_consent(
        case,
        erkelenz,
        [caritas_caseworker.institution],
        [DataCategory.MASTER, DataCategory.FAMILY, DataCategory.PROTOCOLS],
        erkelenz_caseworker,
        valid_from=today,
        valid_until=today + datetime.timedelta(days=365),
    )
    return case


def field(page, verbose_name: str):
    """The control of a model field: Django capitalises the (translated) verbose name."""
    return labelled(page, capfirst(de(verbose_name)))


def pdf_text(page, link) -> tuple[str, str]:
    """The text of the PDF behind ``link`` as this browser session fetches it (whitespace
    collapsed), and the SHA-256 of its bytes, checked against the response header."""
    response = page.request.get(link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    checksum = hashlib.sha256(body).hexdigest()
    assert response.headers["x-checksum-sha256"] == checksum
    reader = pypdf.PdfReader(io.BytesIO(body))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split()), checksum


def test_a_beteiligtenkonferenz_is_planned_held_minuted_approved_and_read_by_caritas(
    page, erkelenz_caseworker, caritas_caseworker, conference_case
):
    reference = conference_case.reference
    caritas = caritas_caseworker.institution
    today = timezone.localdate()
    # Later today: attendance can be recorded from the meeting's day on.
    start = (timezone.localtime() + datetime.timedelta(minutes=5)).replace(second=0, microsecond=0)
    if start.date() != today:
        pytest.skip("Too close to midnight to plan a meeting for today.")
    end = start + datetime.timedelta(minutes=90)
    day = start.date()
    due = today + datetime.timedelta(days=42)
    title = f"{de('Beteiligtenkonferenz')} {reference}"
    heading = page.get_by_role("heading", level=1)
    status = page.get_by_role("status")
    # Items of the default agenda (number, title), with what the minute-taker writes.
    minutes_text = {
        (2, "The child's situation and basic care"): "Lea besucht die Kita regelmäßig und gern.",
        (3, "The parents' situation and treatment"): "Frau Beispiel ist in Substitution.",
        (4, "Resources"): "Die Großmutter hilft an zwei Nachmittagen.",
        (7, "Agreements"): "Frau Beispiel nimmt die Suchtberatung wieder auf.",
    }
    health_item = (3, "The parents' situation and treatment")

    # 1. The lead caseworker plans the conference from the case page.
    log_in(page, erkelenz_caseworker)
    page.get_by_role("link", name="Fälle", exact=True).click()
    page.get_by_role("link", name=reference, exact=True).click()
    expect(heading).to_have_text(f"Fall {reference}")
    page.get_by_role("link", name=de("Plan a Beteiligtenkonferenz"), exact=True).click()
    expect(heading).to_have_text(de("Plan a Beteiligtenkonferenz"))
    labelled(page, de("Date and time")).fill(f"{start:%Y-%m-%dT%H:%M}")
    field(page, "place (address or room)").fill("Jugendamt Erkelenz, Raum 2.14")
    page.get_by_role("button", name=de("Save"), exact=True).click()

    expect(heading).to_have_text(title)
    expect(status).to_contain_text(de("The conference was planned. Now invite the participants."))
    expect(page.get_by_role("main")).to_contain_text(f"{day:%d.%m.%Y}, {start:%H:%M}–{end:%H:%M}")
    expect(page.get_by_role("main")).to_contain_text("Jugendamt Erkelenz, Raum 2.14")

    # 2. Participants: the Caritas caseworker (staff) and the mother (family member).
    # Suggested on one page: the staff of the institutions involved and the family.
    page.get_by_role("link", name=de("Add participants"), exact=True).click()
    expect(heading).to_have_text(de("Add participants"))
    page.get_by_role("checkbox", name=re.compile(r"^Lena Küppers")).check()
    page.get_by_role("checkbox", name=re.compile(r"^Maria Beispiel")).check()
    page.get_by_role("button", name=de("Add the chosen"), exact=True).click()
    expect(status).to_contain_text(de("Participants added: %(count)d.") % {"count": 2})

    participants = page.get_by_role("region", name=de("Participants"))
    for name in ("Anna Schmitz", "Lena Küppers", "Maria Beispiel"):
        expect(participants.get_by_role("row").filter(has_text=name)).to_have_count(1)

    # 3. Invitations: by e-mail with an .ics to staff (organiser and Caritas), none to the
    # mother, who gets a letter.
    # A page says who gets what before anything is sent.
    page.get_by_role("link", name=de("Send invitations"), exact=True).click()
    page.get_by_role("button", name=de("Send invitations"), exact=True).click()
    expect(status).to_contain_text(de("Invitations sent by e-mail: %(count)d.") % {"count": 2})
    to_caritas = [m for m in mail.outbox if m.to == [caritas_caseworker.email]]
    assert len(to_caritas) == 1
    invitation = to_caritas[0]
    assert reference in invitation.subject
    assert "Beispiel" not in invitation.body, "an invitation e-mail carries no family data"
    (filename, ics, mimetype), *_ = invitation.attachments
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert filename.endswith(".ics")
    assert mimetype.startswith("text/calendar")
    assert "METHOD:REQUEST" in ics
    assert f"DTSTART;TZID=Europe/Berlin:{start:%Y%m%dT%H%M}00" in ics
    expect(participants.get_by_role("row").filter(has_text="Lena Küppers")).to_contain_text(
        de("invited")
    )

    # 4. Attendance: everyone came; the meeting is marked as held.
    page.get_by_role("link", name=de("Record attendance (held)"), exact=True).click()
    expect(heading).to_have_text(de("Attendance"))
    for name in ("Anna Schmitz", "Lena Küppers", "Maria Beispiel"):
        page.get_by_role("group", name=name).get_by_role("radio", name=de("present")).check()
    page.get_by_role("button", name=de("Save"), exact=True).click()
    expect(status).to_contain_text(de("Attendance recorded; the meeting is marked as held."))
    for name in ("Anna Schmitz", "Lena Küppers", "Maria Beispiel"):
        expect(participants.get_by_role("row").filter(has_text=name)).to_contain_text(de("present"))

    # 5. The minutes, item by item (numbered as the default agenda).
    page.get_by_role("link", name=de("Write the minutes"), exact=True).click()
    expect(heading).to_have_text(de("Minutes"))
    for (number, item), text in minutes_text.items():
        labelled(page, f"{number}. {de(item)}").fill(text)
    page.get_by_role("button", name=de("Save"), exact=True).click()
    expect(status).to_contain_text(de("The minutes were saved."))
    minutes = page.get_by_role(
        "region", name=re.compile(rf"^{re.escape(de('Agenda and minutes'))}")
    )
    for text in minutes_text.values():
        expect(minutes).to_contain_text(text)

    # 6. An agreed action: Caritas offers a first appointment.
    page.get_by_role("link", name=de("Add an agreed action"), exact=True).click()
    expect(heading).to_have_text(de("Add an agreed action"))
    field(page, "what").fill("Erstgespräch in der Suchtberatung anbieten")
    field(page, "who").select_option(label=de("an institution"))
    field(page, "institution").select_option(label=caritas.name)
    field(page, "by when").fill(due.isoformat())
    page.get_by_role("button", name=de("Save"), exact=True).click()
    expect(status).to_contain_text(de("The agreed action was added."))
    action = (
        page.get_by_role("region", name=de("Agreed actions"))
        .get_by_role("row")
        .filter(has_text="Erstgespräch in der Suchtberatung anbieten")
    )
    expect(action).to_contain_text(caritas.short_name)
    expect(action).to_contain_text(f"{due:%d.%m.%Y}")

    # 7. Circulated, then approved and frozen by the organiser.
    page.get_by_role("button", name=de("Circulate to the participants"), exact=True).click()
    expect(status).to_contain_text(de("The minutes are circulated to the participants."))
    page.get_by_role("link", name=de("Approve and freeze"), exact=True).click()
    page.get_by_role("button", name=de("Approve and freeze"), exact=True).click()
    expect(status).to_contain_text(de("The minutes are approved and frozen."))
    approved = de("Approved on %(date)s by %(name)s.") % {
        "date": f"{today:%d.%m.%Y}",
        "name": "Anna Schmitz",
    }
    expect(minutes).to_contain_text(approved)
    expect(page.get_by_role("link", name=de("Approve and freeze"))).to_have_count(0)
    expect(page.get_by_role("link", name=de("Write the minutes"))).to_have_count(0)

    # 8. The frozen protocol: the PDF as the browser fetches it (same session).
    text, checksum = pdf_text(page, page.get_by_role("link", name=de("Protocol (PDF)")))
    expect(minutes.locator("code")).to_have_text(checksum)
    assert reference in text
    assert "Vertraulich – enthält Sozialdaten" in text
    for minute in minutes_text.values():
        assert minute in text
    assert "Erstgespräch in der Suchtberatung anbieten" in text
    log_out(page)

    # 9. Caritas finds the conference under "Konferenzen" and reads the approved minutes,
    # without the health section (no consent releases health data to it).
    log_in(page, caritas_caseworker)
    page.get_by_role("link", name="Konferenzen", exact=True).click()
    page.get_by_role("link", name=title, exact=True).click()
    expect(heading).to_have_text(title)
    minutes = page.get_by_role(
        "region", name=re.compile(rf"^{re.escape(de('Agenda and minutes'))}")
    )
    expect(minutes).to_contain_text(approved)
    for item, minute in minutes_text.items():
        if item == health_item:
            expect(minutes).not_to_contain_text(minute)
        else:
            expect(minutes).to_contain_text(minute)
    expect(minutes).to_contain_text(
        de(
            "The section with health data is not shown: no consent releases health data to "
            "your institution."
        )
    )
    expect(page.get_by_role("button", name=de("Approve and freeze"))).to_have_count(0)
    expect(page.get_by_role("link", name=de("Write the minutes"))).to_have_count(0)
    text, checksum = pdf_text(page, page.get_by_role("link", name=de("Protocol (PDF)")))
    expect(minutes.locator("code")).to_have_text(checksum)
    assert reference in text
    assert "Vertraulich – enthält Sozialdaten" in text
    for item, minute in minutes_text.items():
        assert (minute in text) is (item != health_item)
    assert "Der Abschnitt mit Gesundheitsdaten ist in dieser Fassung nicht enthalten" in text
