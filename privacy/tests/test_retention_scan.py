"""Retention deletes a family completely, keeps the statistics, and a legal hold stops it.

A family with a name found nowhere else lives a whole case in 2021 (consents with a
scanned form, a disclosure under §4 KKG, a Beteiligtenkonferenz with approved minutes
frozen as PDFs, notes, health data, a revocation with its notifications, reads, an
access report, a restriction, a legal hold placed and lifted). In 2025 its periods have
ended; ``apply_retention`` runs; then every text and binary column of every table (the
change history included) and every file under MEDIA_ROOT is searched for the name.
"""

import datetime
import io
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pypdf
import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import (
    AccessLog,
    Case,
    DataCategory,
    Disclosure,
    FamilyMember,
    HealthSituation,
    Involvement,
    Notification,
    ProgressNote,
)
from conferences import services as conference_services
from conferences import tasks as conference_tasks
from conferences.models import Action, Participant
from cooperation.models import User
from privacy import services
from privacy import tasks as privacy_tasks
from privacy.models import AccessRestriction, DeletionRecord, LegalHold, RecordType
from reports.figures import HalfYear, build_report, count_figures
from tests import factories

BERLIN = ZoneInfo("Europe/Berlin")
SURNAME = "Zwetschgenkamp"
FIRST_NAME = "Quirinella"
OTHER_FAMILY = "Holunderbeek"
LIFE_PERIOD = HalfYear(2021, 1)
RETENTION_DAY = datetime.date(2025, 1, 2)


def at(*args) -> time_machine.travel:
    return time_machine.travel(datetime.datetime(*args, tzinfo=BERLIN), tick=False)


def scan_pdf(text: str):
    """A scanned consent as a PDF that carries the family's name (title and page)."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": f"Einwilligung {text}", "/Subject": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("scan.pdf", buffer.getvalue(), content_type="application/pdf")


# --- the search ------------------------------------------------------------------------------


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace") + value.decode("utf-16-le", "replace")
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def database_hits(*needles: str) -> list[tuple[str, str]]:
    """(table, column) of every value in the whole database containing a needle."""
    hits = []
    lowered = [needle.lower() for needle in needles]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    text = _as_text(value).lower()
                    if any(needle in text for needle in lowered):
                        hits.append((table, column))
    return sorted(set(hits))


def file_hits(root: Path, *needles: str) -> list[str]:
    """Files under ``root`` whose bytes, or (for PDFs) text and metadata, contain a needle."""
    hits = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        text = _as_text(data)
        if data.startswith(b"%PDF-"):
            reader = pypdf.PdfReader(io.BytesIO(data))
            text += " ".join(page.extract_text() for page in reader.pages)
            text += json.dumps({k: str(v) for k, v in (reader.metadata or {}).items()})
        if any(needle.lower() in text.lower() for needle in needles):
            hits.append(str(path.relative_to(root)))
    return hits


# --- the family's life -----------------------------------------------------------------------


@pytest.fixture
def gesundheitsamt_lead(institutions) -> User:
    return factories.make_user(
        institutions["gesundheitsamt"], User.Role.LEAD, username="ga.leitung"
    )


def live_a_case(institutions, ga, ga_lead, erkelenz, signed_in, surname=SURNAME) -> Case:
    """A whole case of 2021, led by the Suchtberatung of the Gesundheitsamt (its records
    are deleted once the purpose has ended) with the Jugendamt Erkelenz involved."""
    gesundheitsamt, jugendamt = institutions["gesundheitsamt"], institutions["erkelenz"]
    with at(2021, 2, 1, 9):
        case = case_services.case_open(
            lead_institution=gesundheitsamt,
            opened_by=ga,
            first_member=FamilyMember(
                kind=FamilyMember.Kind.MOTHER,
                first_name=FIRST_NAME,
                last_name=surname,
                date_of_birth=datetime.date(1990, 5, 17),
                address=f"{surname}weg 3, 41812 Erkelenz",
            ),
        )
        mother = case.members.get()
        child = case_services.record_save(
            record=FamilyMember(
                case=case,
                kind=FamilyMember.Kind.CHILD,
                first_name=f"Klein-{surname}",
                last_name=surname,
                date_of_birth=datetime.date(2016, 8, 1),
            ),
            case=case,
            institution=gesundheitsamt,
        )
        mother.address = f"Neue Straße 1 bei {surname}"
        case_services.record_save(record=mother, case=case, institution=gesundheitsamt)
        case_services.involvement_save(
            involvement=Involvement(case=case, institution=jugendamt, since=case.opened_at.date())
        )
        HealthSituation.objects.create(
            member=mother,
            substance="Opioide",
            counselling=f"Beratung {surname}",
            in_substitution=True,
            substitution_practice="Praxis am Markt",
            source_institution=gesundheitsamt,
        )
        consent = factories.give_consent(
            case,
            gesundheitsamt,
            [jugendamt],
            [DataCategory.MASTER, DataCategory.FAMILY, DataCategory.PROTOCOLS],
            ga,
            given_by=mother,
            valid_from=datetime.date(2021, 2, 1),
            scan=scan_pdf(f"{FIRST_NAME} {surname}"),
        )
        consent.purpose = f"Abstimmung der Hilfen für Familie {surname}"
        consent.save()
        factories.give_consent(
            case,
            jugendamt,
            [gesundheitsamt],
            [DataCategory.MASTER, DataCategory.NOTES],
            erkelenz,
            given_by=mother,
            valid_from=datetime.date(2021, 2, 1),
        )
    with at(2021, 3, 3, 10):
        case_services.disclosure_record(
            case=case,
            disclosed_by=ga,
            basis=Disclosure.Basis.KKG_4_3,
            from_institution=gesundheitsamt,
            to_institution=jugendamt,
            categories=[DataCategory.FAMILY],
            disclosed_on=datetime.date(2021, 3, 3),
            reason=f"Sorge um {child.first_name}",
            family_work_tried=True,
            family_work=f"Gespräche mit Frau {surname} seit Januar",
            specialist_consulted=False,
            specialist_note="Eilfall, keine Fachkraft erreichbar",
            family_informed=True,
        )
        # A document kept on the case: its title and its file name the family.
        case_services.case_document_add(
            case=case,
            institution=jugendamt,
            uploaded_by=erkelenz,
            category=DataCategory.FAMILY,
            title=f"Kita-Bericht {child.first_name} {surname}",
            date=datetime.date(2021, 3, 1),
            upload=scan_pdf(f"Kita-Bericht {FIRST_NAME} {surname}"),
        )
        for author, institution, text in (
            (ga, gesundheitsamt, f"Gespräch mit Frau {surname}"),
            (erkelenz, jugendamt, f"Hausbesuch bei {surname}"),
        ):
            case_services.record_save(
                record=ProgressNote(case=case, author=author, text=text),
                case=case,
                institution=institution,
            )
    with at(2021, 4, 12, 10):
        meeting = conference_services.conference_schedule(
            case=case,
            organiser=ga,
            starts_at=timezone.now() - datetime.timedelta(hours=1),
            place="Gesundheitsamt, Raum 2",
        )
        Participant.objects.create(
            meeting=meeting,
            kind=Participant.Kind.FAMILY,
            member=mother,
            name=f"{FIRST_NAME} {surname}",
        )
        conference_services.meeting_held(meeting=meeting)
        item = meeting.agenda.get(number=2)
        conference_services.minutes_save(
            minutes=meeting.minutes,
            version=meeting.minutes.version,
            texts={item.pk: {"minutes": f"{child.first_name} {surname} geht gern zur Kita."}},
        )
        Action.objects.create(
            meeting=meeting,
            what=f"Elterngruppe für Frau {surname}",
            institution=gesundheitsamt,
            due_on=datetime.date(2021, 5, 1),
        )
        conference_services.minutes_circulate(minutes=meeting.minutes)
        conference_services.minutes_approve(minutes=meeting.minutes, approved_by=ga)
        # The worker renders both frozen protocols (the task queued by the approval
        # finds them stored when the fixture's transaction "commits").
        conference_tasks.render_protocol.call(meeting.minutes.pk)
        # Reads: the case page, the frozen protocol, the scan and an access report.
        signed_in(ga).get(reverse("cases:detail", args=[case.reference]))
        protocol = signed_in(erkelenz).get(reverse("conferences:pdf", args=[meeting.pk]))
        assert protocol["Content-Type"] == "application/pdf"
        signed_in(erkelenz).get(reverse("cases:consent_scan", args=[case.reference, consent.pk]))
        report = signed_in(ga_lead).get(
            reverse("privacy:access_report", args=[case.reference, mother.pk])
        )
        assert report.status_code == 200
        # The worker renders it: a file naming the mother, which the deletion must reach.
        assert (
            privacy_tasks.render_access_report.call(ga_lead.pk, case.reference, mother.pk)
            == "stored"
        )
        services.restriction_record(
            member=mother,
            institution=gesundheitsamt,
            recorded_by=ga_lead,
            scope=AccessRestriction.Scope.NOTES,
            ground=AccessRestriction.Ground.THIRD_PARTY,
            reason=f"Schutz des Kindes {child.first_name}",
        )
        hold = services.hold_place(
            case=case, placed_by=ga_lead, reason=f"Verfahren Familie {surname}"
        )
        services.hold_lift(hold=hold, lifted_by=ga_lead, reason=f"Verfahren {surname} beendet")
    with at(2021, 5, 20, 10):
        case_services.consent_revoke(
            consent=consent,
            revoked_on=datetime.date(2021, 5, 20),
            channel="in_writing",
            recorded_by=ga,
        )
    with at(2021, 6, 15, 16):
        involvement = case.involvements.get(institution=jugendamt)
        involvement.until = datetime.date(2021, 6, 15)
        case_services.involvement_save(involvement=involvement)
        case.refresh_from_db()
        case.status = Case.Status.CLOSED
        case.closed_on = datetime.date(2021, 6, 15)
        case.close_reason = f"Familie {surname} verzogen"
        case_services.case_update(case=case, lead_changed=False)
    return case


@pytest.fixture
def lived(
    institutions,
    gesundheitsamt_caseworker,
    gesundheitsamt_lead,
    erkelenz_caseworker,
    signed_in,
    django_capture_on_commit_callbacks,
) -> Case:
    with django_capture_on_commit_callbacks(execute=True):
        case = live_a_case(
            institutions,
            gesundheitsamt_caseworker,
            gesundheitsamt_lead,
            erkelenz_caseworker,
            signed_in,
        )
    return case


@pytest.fixture
def other_family(institutions, erkelenz_caseworker) -> Case:
    """A family of the Jugendamt, still open: nothing of it is due."""
    with at(2021, 2, 2, 9):
        return case_services.case_open(
            lead_institution=institutions["erkelenz"],
            opened_by=erkelenz_caseworker,
            first_member=FamilyMember(kind=FamilyMember.Kind.FATHER, last_name=OTHER_FAMILY),
        )


def apply(day: datetime.date, capture) -> services.RunResult:
    with at(day.year, day.month, day.day, 3), capture(execute=True):
        return services.retention_apply(today=day, commit=True)


# --- the tests -------------------------------------------------------------------------------


def test_retention_leaves_no_trace_of_the_family(
    lived, other_family, settings, django_capture_on_commit_callbacks
):
    media = Path(settings.MEDIA_ROOT)
    reference = lived.reference
    # The search finds the family before: in the live tables, the history, the scan and
    # the frozen protocols.
    before = database_hits(SURNAME, FIRST_NAME)
    tables = {table for table, _column in before}
    assert {
        "cases_familymember",
        "cases_historicalfamilymember",
        "cases_historicalprogressnote",
        "cases_historicalcase",
        "conferences_historicalagendaitem",
        "privacy_historicallegalhold",
        "privacy_accessrestriction",
    } <= tables
    # The scan, the case document, both frozen protocols, the access report.
    assert len(file_hits(media, SURNAME)) == 5
    assert "cases_historicalcasedocument" in tables
    assert AccessLog.objects.filter(case=lived).exists()
    assert Notification.objects.filter(case=lived).exists()

    result = apply(RETENTION_DAY, django_capture_on_commit_callbacks)

    assert database_hits(SURNAME, FIRST_NAME) == []
    assert file_hits(media, SURNAME, FIRST_NAME) == []
    assert not Case.objects.filter(reference=reference).exists()
    assert not AccessLog.objects.filter(case_id=lived.pk).exists()
    # The other family is untouched.
    assert database_hits(OTHER_FAMILY)
    assert Case.objects.filter(pk=other_family.pk).exists()
    # The tombstone: reference, dates, the rule; the DPO reads it.
    tombstone = DeletionRecord.objects.get(reference=reference)
    assert tombstone.record_type == RecordType.CASE
    assert tombstone.first_date == datetime.date(2021, 2, 1)
    assert tombstone.last_date == datetime.date(2021, 6, 15)
    assert tombstone.institution == lived.lead_institution
    assert "§ 84 SGB X" in tombstone.legal_source
    assert tombstone.details["cases.FamilyMember"] == 2
    assert tombstone.details["files"] == 5
    assert tombstone.details["cases.CaseDocument"] == 1
    assert tombstone.details["history"] > 0
    assert any(item.whole_case and item.reference == reference for item in result.items)


def test_the_statistics_of_the_finished_half_years_survive(
    lived, django_capture_on_commit_callbacks
):
    cooperation = lived.cooperation
    counted = count_figures(cooperation, LIFE_PERIOD, RETENTION_DAY)
    assert counted.consents["given"] == 2 and counted.disclosures["kkg_4_3"] == 1

    apply(RETENTION_DAY, django_capture_on_commit_callbacks)

    # Counted afresh, the half-year has lost the family; the report reads what was
    # stored before the deletion.
    assert count_figures(cooperation, LIFE_PERIOD, RETENTION_DAY).consents["given"] == 0
    report = build_report(cooperation, LIFE_PERIOD, RETENTION_DAY)
    consents = {line.key: line.cells[0].text for line in report.table("consents").lines}
    disclosures = {line.key: line.cells[0].text for line in report.table("disclosures").lines}
    assert consents == {"given": "<5", "revoked": "<5", "expired": "0"}
    assert disclosures["kkg_4_3"] == "<5"


def test_a_legal_hold_stops_the_deletion_until_it_is_lifted(
    lived, data_protection_officer, django_capture_on_commit_callbacks
):
    with at(2024, 12, 1, 9):
        hold = services.hold_place(
            case=lived, placed_by=data_protection_officer, reason="Beschwerde Az. 12/24"
        )
    apply(RETENTION_DAY, django_capture_on_commit_callbacks)
    assert Case.objects.filter(pk=lived.pk).exists()
    # Its access-log entries are kept with it, though their own period has ended.
    assert AccessLog.objects.filter(case=lived).exists()
    assert not DeletionRecord.objects.filter(reference=lived.reference).exists()

    with at(2025, 1, 3, 9):
        services.hold_lift(hold=hold, lifted_by=data_protection_officer, reason="erledigt")
    apply(datetime.date(2025, 1, 4), django_capture_on_commit_callbacks)
    assert not Case.objects.filter(pk=lived.pk).exists()
    assert not LegalHold.objects.exists()


def test_the_dry_run_deletes_nothing_and_names_no_family(lived, capsys):
    with at(2025, 1, 2, 3):
        call_command("apply_retention")
    out = capsys.readouterr().out
    assert lived.reference in out
    assert "dry run" in out
    assert SURNAME not in out and FIRST_NAME not in out
    assert Case.objects.filter(pk=lived.pk).exists()
    assert not DeletionRecord.objects.exists()


def test_nothing_is_deleted_before_its_time(lived, django_capture_on_commit_callbacks):
    # The consent revoked on 20.05.2021 must stay provable for three years.
    apply(datetime.date(2024, 5, 19), django_capture_on_commit_callbacks)
    assert Case.objects.filter(pk=lived.pk).exists()
    apply(datetime.date(2024, 5, 20), django_capture_on_commit_callbacks)
    assert not Case.objects.filter(pk=lived.pk).exists()
