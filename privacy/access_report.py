"""The report on the right of access (GDPR Art. 15; §83 SGB X; §17 KDG; §19 DSG-EKD).

For one family member and one institution (the controller that answers): what the
institution holds about the person by category, the person's consents and their state,
every disclosure of the family's data without consent, and every institution that read
the family's file, by name and date with the consent or legal basis that allowed it
(CJEU C-154/21: the recipients themselves, not only their categories). What the
institution restricted (§83 SGB X) is left out and said so. German, as it is handed to
the parents, through the one PDF renderer.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from cases.models import (
    AccessLog,
    Consent,
    DataCategory,
    Disclosure,
    FamilyMember,
    HealthSituation,
)
from cases.permissions import CaseAccess
from common.pdf import render_html, write_pdf
from conferences.models import Meeting, Participant
from cooperation.models import Institution

from .models import AccessRestriction, RecordType
from .rules import RuleBook

LANGUAGE = "de"
LAW_TITLES = {
    Institution.DataProtectionLaw.GDPR: "Art. 15 DSGVO in Verbindung mit § 83 SGB X",
    Institution.DataProtectionLaw.KDG: "§ 17 KDG",
    Institution.DataProtectionLaw.DSG_EKD: "§ 19 DSG-EKD",
}
SUPERVISORS = {
    Institution.DataProtectionLaw.GDPR: (
        "die für die Einrichtung zuständige Datenschutzaufsichtsbehörde (die oder der "
        "Landesbeauftragte für den Datenschutz des Landes)"
    ),
    Institution.DataProtectionLaw.KDG: "die katholische Datenschutzaufsicht (des Bistums)",
    Institution.DataProtectionLaw.DSG_EKD: "den Beauftragten für den Datenschutz der EKD",
}
RIGHTS = {
    Institution.DataProtectionLaw.GDPR: "Art. 16 bis 18 und 21 DSGVO",
    Institution.DataProtectionLaw.KDG: "§§ 18 bis 20 und 23 KDG",
    Institution.DataProtectionLaw.DSG_EKD: "§§ 20 bis 22 und 25 DSG-EKD",
}
# Reads of the access log itself show who looked, not the family's data.
NOT_A_READ = {AccessLog.What.ACCESS_LOG}
RETENTION_TYPES = (
    RecordType.CASE,
    RecordType.CONSENT,
    RecordType.DISCLOSURE,
    RecordType.CONFERENCE,
    RecordType.NOTE,
    RecordType.ACCESS_LOG,
)


@dataclass
class Read:
    """One institution's reads of the family's file on one day."""

    day: datetime.date
    institution: Institution | None
    what: list[str]
    bases: list[str]
    own: bool = False


@dataclass
class Section:
    category: str
    label: str
    items: list = field(default_factory=list)
    restricted: AccessRestriction | None = None


def _bases_on(case, consents, disclosures, involvements, institution_id, day) -> list[str]:
    """Why ``institution`` could read the file on ``day``: lead, involvement, a consent
    releasing data to it then, or a disclosure to it by then."""
    if institution_id is None:
        return ["Technische Administration (IT-Betrieb), protokolliert"]
    bases = []
    if institution_id == case.lead_institution_id:
        bases.append("Fallführung")
    for involvement in involvements:
        if (
            involvement.institution_id == institution_id
            and involvement.since <= day
            and (involvement.until is None or involvement.until >= day)
        ):
            bases.append(f"an der Hilfe beteiligt seit {involvement.since:%d.%m.%Y}")
            break
    for consent in consents:
        given = consent.status in (
            Consent.Status.GIVEN,
            Consent.Status.REVOKED,
            Consent.Status.INVALIDATED,
        )
        ended = consent.revoked_on is not None and consent.revoked_on <= day
        in_window = consent.valid_from <= day and (
            consent.valid_until is None or consent.valid_until >= day
        )
        recipients = {r.pk for r in consent.recipients.all()}
        if given and not ended and in_window and institution_id in recipients:
            obtained = consent.obtained_on or consent.valid_from
            bases.append(
                f"Einwilligung vom {obtained:%d.%m.%Y} "
                f"(Schweigepflichtentbindung der Stelle {consent.source_institution.short_name})"
            )
    for disclosure in disclosures:
        if disclosure.to_institution_id == institution_id and disclosure.disclosed_on <= day:
            bases.append(
                f"Übermittlung ohne Einwilligung vom {disclosure.disclosed_on:%d.%m.%Y} "
                f"({disclosure.get_basis_display()})"
            )
    return bases or ["keine Grundlage erfasst – bitte prüfen"]


def readers(case, institution: Institution) -> list[Read]:
    """Every institution that read the family's file, by day, with its basis then."""
    consents = list(
        case.consents.select_related("source_institution").prefetch_related("recipients")
    )
    disclosures = list(case.disclosures.all())
    involvements = list(case.involvements.all())
    entries = (
        AccessLog.objects.filter(case=case)
        .exclude(what__in=NOT_A_READ)
        .select_related("institution")
        .order_by("at")
    )
    grouped: dict[tuple, set[str]] = defaultdict(set)
    institutions = {}
    for entry in entries:
        day = timezone.localdate(entry.at)
        grouped[(day, entry.institution_id)].add(entry.get_what_display())
        institutions[entry.institution_id] = entry.institution
    return [
        Read(
            day,
            institutions[institution_id],
            sorted(str(label) for label in what),
            _bases_on(case, consents, disclosures, involvements, institution_id, day),
            own=institution_id == institution.pk,
        )
        for (day, institution_id), what in sorted(grouped.items(), key=lambda kv: kv[0][0])
    ]


def report_context(access: CaseAccess, member: FamilyMember, today: datetime.date) -> dict:
    """Everything the report shows: only what ``access`` lets the institution see."""
    case = access.case
    institution = access.user.institution
    restrictions = {
        r.scope: r for r in AccessRestriction.objects.filter(member=member, institution=institution)
    }
    refused = restrictions.get(AccessRestriction.Scope.ALL)

    sections = {
        category: Section(category, label, restricted=restrictions.get(category))
        for category, label in DataCategory.choices
    }
    if access.can_see(member.source_institution_id, DataCategory.MASTER):
        sections[DataCategory.MASTER].items.append(member)
    if member.is_parent:
        health = HealthSituation.objects.filter(member=member).select_related("source_institution")
        sections[DataCategory.HEALTH].items += [
            h for h in health if access.can_see(h.source_institution_id, DataCategory.HEALTH)
        ]
    for note in case.notes.select_related("source_institution").order_by("date", "pk"):
        if access.can_see(note.source_institution_id, note.category):
            sections[note.category].items.append(note)
    meetings = (
        Meeting.objects.filter(case=case, kind=Meeting.Kind.CASE_CONFERENCE)
        .select_related("source_institution")
        .prefetch_related(
            Prefetch(
                "participants",
                Participant.objects.filter(member=member),
                to_attr="person",
            ),
            "actions",
        )
        .order_by("starts_at")
    )
    # Pseudonymised consultations are family-situation data of the asking institution.
    consultations = access.visible_consultations()
    sections[DataCategory.PROTOCOLS].items += [
        m for m in meetings if access.can_see(m.source_institution_id, DataCategory.PROTOCOLS)
    ]

    consents = (
        Consent.objects.filter(case=case, given_by=member)
        .select_related("source_institution")
        .prefetch_related("recipients")
        .order_by("valid_from", "pk")
    )
    # Every disclosure with recipient, basis and date; its reason and the steps taken
    # before it (the guided disclosure) where the institution may read the record.
    disclosures = [
        (d, d.category_labels, access.may_read_disclosure(d))
        for d in Disclosure.objects.filter(case=case)
        .select_related("from_institution", "to_institution")
        .order_by("disclosed_on", "pk")
    ]
    book = RuleBook(case.cooperation)
    law = institution.data_protection_law
    return {
        "case": case,
        "member": member,
        "institution": institution,
        "author": access.user,
        "today": today,
        "law_title": LAW_TITLES[law],
        "supervisor": SUPERVISORS[law],
        "rights": RIGHTS[law],
        "refused": refused,
        "sections": list(sections.values()),
        "consultations": consultations,
        "consents": consents,
        "disclosures": disclosures,
        "disclosures_restricted": restrictions.get(AccessRestriction.Scope.DISCLOSURES),
        "readers": readers(case, institution),
        "readers_restricted": restrictions.get(AccessRestriction.Scope.READERS),
        "restrictions": list(restrictions.values()),
        "retention": [
            (RecordType(t).label, book.for_institution(t, institution)) for t in RETENTION_TYPES
        ],
        "access_log_rule": book.for_institution(RecordType.ACCESS_LOG, institution),
    }


def access_report_html(access: CaseAccess, member: FamilyMember) -> str:
    """The report's printable HTML, in German whatever the reader's language: cheap, no
    WeasyPrint; what the institution holds and who read it, as of today, so its SHA-256
    names a rendering."""
    today = timezone.localdate()
    return render_html(
        "privacy/access_report_pdf.html",
        lambda: report_context(access, member, today),
        language=LANGUAGE,
        title=f"Auskunft über gespeicherte Daten – Fall {access.case.reference}",
        author=access.user.institution.name,
    )


def access_report_pdf(access: CaseAccess, member: FamilyMember) -> bytes:
    """The report as a tagged PDF/A; requests get it from
    ``privacy.tasks.render_access_report``."""
    return write_pdf(access_report_html(access, member))
