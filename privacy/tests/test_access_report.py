"""The access report (GDPR Art. 15) for a family member: what it contains, who produces
it, that producing it is logged, and how a restriction (§83 SGB X) shapes it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import (
    AccessLog,
    DataCategory,
    Disclosure,
    HealthSituation,
    Involvement,
    ProgressNote,
)
from common.uploads import private_storage
from cooperation.models import User
from privacy import services, tasks
from privacy.models import AccessReportRendering, AccessRestriction
from tests import factories
from tests.pdf_checks import archival_problems, pages_text

TODAY = datetime.date.today()


@pytest.fixture
def family(family_case, institutions, erkelenz_caseworker, gesundheitsamt_caseworker):
    """Family Beispiel (Erkelenz leads) with the Gesundheitsamt involved: its health data
    released to Erkelenz, Erkelenz's data released to the Caritas, one consent revoked,
    a disclosure under §8a SGB VIII to the Kreisjugendamt, reads by several institutions."""
    case = family_case
    mother = case.members.get()
    erkelenz, gesundheitsamt = institutions["erkelenz"], institutions["gesundheitsamt"]
    case_services.involvement_save(
        involvement=Involvement(case=case, institution=gesundheitsamt, since=TODAY)
    )
    HealthSituation.objects.create(
        member=mother,
        substance="Opioide",
        in_substitution=True,
        substitution_practice="Praxis Polamidon-Ambulanz",
        source_institution=gesundheitsamt,
    )
    factories.give_consent(
        case,
        gesundheitsamt,
        [erkelenz],
        [DataCategory.HEALTH],
        gesundheitsamt_caseworker,
        valid_from=TODAY,
    )
    factories.give_consent(
        case,
        erkelenz,
        [institutions["caritas"]],
        [DataCategory.MASTER, DataCategory.FAMILY],
        erkelenz_caseworker,
        valid_from=TODAY,
    )
    revoked = factories.give_consent(
        case,
        erkelenz,
        [institutions["diakonie"]],
        [DataCategory.MASTER],
        erkelenz_caseworker,
        valid_from=TODAY,
    )
    case_services.consent_revoke(
        consent=revoked,
        revoked_on=TODAY,
        channel="in_writing",
        recorded_by=erkelenz_caseworker,
        send_mail=False,
    )
    case_services.disclosure_record(
        case=case,
        disclosed_by=erkelenz_caseworker,
        basis=Disclosure.Basis.SGB_VIII_8A,
        from_institution=erkelenz,
        to_institution=institutions["kreisjugendamt"],
        categories=[DataCategory.FAMILY],
        disclosed_on=TODAY,
        reason="Gefährdungseinschätzung",
        family_work_tried=True,
        family_work="Hausbesuche",
        specialist_consulted=False,
        specialist_note="Fachteam im Amt",
        family_informed=True,
    )
    case_services.record_save(
        record=ProgressNote(
            case=case,
            author=erkelenz_caseworker,
            category=DataCategory.FAMILY,
            text="Die Großmutter hilft bei der Betreuung.",
        ),
        case=case,
        institution=erkelenz,
    )
    return case


@pytest.fixture
def erkelenz_lead(institutions) -> User:
    return factories.make_user(institutions["erkelenz"], User.Role.LEAD, username="ek.leitung")


def report_url(case) -> str:
    return reverse("privacy:access_report", args=[case.reference, case.members.get().pk])


@pytest.fixture
def report_text(rendered_pdf):
    def text_of(browser, case) -> str:
        return " ".join(pages_text(rendered_pdf(browser, report_url(case))[1]))

    return text_of


def test_the_report_lists_data_consents_disclosures_and_readers(
    family, signed_in, rendered_pdf, erkelenz_lead, caritas_caseworker, gesundheitsamt_caseworker
):
    signed_in(caritas_caseworker).get(family.get_absolute_url())
    signed_in(gesundheitsamt_caseworker).get(family.get_absolute_url())
    response, content = rendered_pdf(signed_in(erkelenz_lead), report_url(family))

    assert "no-store" in response["Cache-Control"]
    assert archival_problems(content) == []
    text = " ".join(pages_text(content))
    # The person, by category: master data, the health data released to Erkelenz, notes.
    assert "Sabine Beispiel" in text and "14.03.1991" in text
    assert "Polamidon" in text
    assert "Großmutter" in text
    # The consents she gave, with their state.
    assert "widerrufen" in text and "erteilt" in text
    assert "Beratungsstelle für Suchtfragen des Caritasverbandes" in text
    # The disclosure: recipient, legal basis, date, and the steps before it.
    assert "Jugendamt des Kreises Heinsberg" in text
    assert "§8a SGB VIII" in text
    assert "Hausbesuche" in text
    # Who read the file, by name, with the basis that allowed it.
    assert "Suchtberatungsstelle des Kreisgesundheitsamtes" in text
    assert "Einwilligung vom" in text
    assert "an der Hilfe beteiligt" in text
    # How long it is kept: the rules in force for Erkelenz.
    assert "§ 9b Abs. 2 Nr. 1 SGB VIII" in text


def test_producing_the_report_is_logged(family, signed_in, report_text, erkelenz_lead):
    signed_in(erkelenz_lead).get(report_url(family))
    entry = AccessLog.objects.filter(case=family).latest("at")
    assert entry.what == AccessLog.What.ACCESS_REPORT
    assert entry.user == erkelenz_lead
    # The next report lists its own production among the reads.
    assert "Auskunft" in report_text(signed_in(erkelenz_lead), family)


def test_only_the_lead_of_a_recording_institution_produces_it(
    family,
    signed_in,
    erkelenz_caseworker,
    caritas_caseworker,
    data_protection_officer,
    superuser,
    institutions,
):
    caritas_lead = factories.make_user(institutions["caritas"], User.Role.LEAD)
    url = report_url(family)
    assert signed_in(erkelenz_caseworker).get(url).status_code == 403
    # The Caritas receives data but records nothing in the case.
    assert signed_in(caritas_lead).get(url).status_code == 403
    assert signed_in(caritas_caseworker).get(url).status_code == 403
    assert signed_in(data_protection_officer).get(url).status_code == 403
    assert signed_in(superuser).get(url).status_code == 403
    assert signed_in(erkelenz_caseworker).post(url).status_code == 405
    assert not AccessLog.objects.filter(what=AccessLog.What.ACCESS_REPORT).exists()


def test_a_restriction_leaves_its_part_out_and_says_so(
    family, signed_in, report_text, erkelenz_lead, caritas_caseworker
):
    signed_in(caritas_caseworker).get(family.get_absolute_url())
    browser = signed_in(erkelenz_lead)
    url = reverse("privacy:restriction_add", args=[family.reference, family.members.get().pk])
    response = browser.post(
        url,
        {
            "scope": "readers",
            "ground": "tasks",
            "reason": "Die Mitteilung würde die Schutzplanung gefährden.",
            "reason_withheld": "on",
        },
    )
    assert response.status_code == 302
    restriction = AccessRestriction.objects.get()
    assert restriction.institution == erkelenz_lead.institution

    text = report_text(browser, family)
    assert "Über diesen Teil wird keine Auskunft erteilt" in text
    assert "Beratungsstelle für Suchtfragen des Caritasverbandes" in text  # its consent
    assert "Schutzplanung" not in text  # the documented reason is never printed
    assert "82a" not in text  # the ground is withheld
    assert "Datenschutzaufsichtsbehörde" in text


def test_a_refused_access_shows_no_data(family, signed_in, report_text, erkelenz_lead):
    services.restriction_record(
        member=family.members.get(),
        institution=erkelenz_lead.institution,
        recorded_by=erkelenz_lead,
        scope=AccessRestriction.Scope.ALL,
        ground=AccessRestriction.Ground.THIRD_PARTY,
        reason="Schutz eines Dritten",
    )
    text = report_text(signed_in(erkelenz_lead), family)
    assert "Die Auskunft wird nicht erteilt" in text
    assert "Polamidon" not in text and "Großmutter" not in text
    assert "82a SGB X" in text  # the ground is told (it was not withheld)


def test_the_restriction_form_keeps_its_input_and_needs_a_reason(family, signed_in, erkelenz_lead):
    url = reverse("privacy:restriction_add", args=[family.reference, family.members.get().pk])
    response = signed_in(erkelenz_lead).post(url, {"scope": "notes", "ground": "other"})
    assert response.status_code == 400
    assert b"checked" in response.content
    assert not AccessRestriction.objects.exists()


def test_a_long_report_is_rendered_by_the_worker_for_the_asking_lead_only(
    family, signed_in, rendered_pdf, erkelenz_lead, institutions
):
    """Years of reads fill dozens of pages: the request only queues the rendering, the
    file is kept for the staff member who asked and only while the report reads the
    same, and an expired file is removed by the next rendering."""
    url = report_url(family)
    browser = signed_in(erkelenz_lead)
    waiting = browser.get(url)
    assert "Wird erstellt" in waiting.content.decode()
    assert 'data-hx-trigger="every 2s"' in waiting.content.decode()
    assert "no-store" in waiting["Cache-Control"]
    assert not AccessReportRendering.objects.exists()  # nothing rendered in the request

    _response, first = rendered_pdf(browser, url)
    assert AccessReportRendering.objects.get().requested_by == erkelenz_lead
    # Another lead of the same institution asks for their own report (it names its author).
    colleague = factories.make_user(institutions["erkelenz"], User.Role.LEAD, username="ek.l2")
    _response, second = rendered_pdf(signed_in(colleague), url)
    assert AccessReportRendering.objects.count() == 2

    # A day later the file is gone with the next rendering anyone asks for.
    AccessReportRendering.objects.filter(requested_by=erkelenz_lead).update(
        rendered_at=timezone.now() - datetime.timedelta(days=2)
    )
    stale = AccessReportRendering.objects.get(requested_by=erkelenz_lead).pdf.name
    tasks.render_access_report.call(colleague.pk, family.reference, family.members.get().pk)
    assert not AccessReportRendering.objects.filter(requested_by=erkelenz_lead).exists()
    assert not private_storage.exists(stale)


def test_the_worker_gives_nothing_to_a_lead_who_lost_the_right(family, erkelenz_lead):
    erkelenz_lead.role = User.Role.CASEWORKER
    erkelenz_lead.save()
    assert (
        tasks.render_access_report.call(erkelenz_lead.pk, family.reference, family.members.get().pk)
        == "no access"
    )
    assert not AccessReportRendering.objects.exists()
