"""Demo conferences and sittings (fictional), loaded by ``load_demo`` after the cases.

Heinsberg gets its Kooperationsgremium (a representative and a deputy per party
institution), two past sittings with approved minutes and one planned; three families get
conferences: two held with approved minutes and agreed actions (some overdue), one
planned and invited.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from cases.models import Case, FamilyMember
from cooperation.demo import DemoWorld
from cooperation.models import Committee, CommitteeMember

from . import services
from .models import Action, Meeting, Participant

PARTIES = [
    "kreisjugendamt",
    "erkelenz",
    "geilenkirchen",
    "heinsberg",
    "hueckelhoven",
    "gesundheitsamt",
    "caritas",
    "diakonie",
]
PREFIX = {
    "kreisjugendamt": "kja",
    "erkelenz": "erkelenz",
    "geilenkirchen": "geilenkirchen",
    "heinsberg": "heinsberg",
    "hueckelhoven": "hueckelhoven",
    "gesundheitsamt": "gesundheitsamt",
    "caritas": "caritas",
    "diakonie": "diakonie",
}


def _at(days: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _staff(meeting: Meeting, user, role: str = "") -> Participant:
    return Participant.objects.create(
        meeting=meeting,
        kind=Participant.Kind.STAFF,
        user=user,
        institution_id=user.institution_id,
        name=user.get_full_name(),
        role=role,
        email=user.email,
    )


def _family(meeting: Meeting, member: FamilyMember) -> Participant:
    return Participant.objects.create(
        meeting=meeting,
        kind=Participant.Kind.FAMILY,
        member=member,
        name=str(member),
        role=member.get_kind_display(),
    )


def _hold_and_approve(meeting: Meeting, texts: list[str], resolutions=None) -> None:
    """Mark held (everyone present), write the minutes, circulate and approve them."""
    meeting.participants.update(attendance=Participant.Attendance.PRESENT, invited_sequence=0)
    services.meeting_held(meeting=meeting)
    items = list(meeting.agenda.all())
    payload = {}
    for index, item in enumerate(items):
        payload[item.pk] = {"minutes": texts[index] if index < len(texts) else ""}
        if resolutions and index < len(resolutions):
            payload[item.pk]["resolution"] = resolutions[index]
    minutes = meeting.minutes
    services.minutes_save(minutes=minutes, version=minutes.version, texts=payload)
    services.minutes_circulate(minutes=minutes)
    services.minutes_approve(minutes=minutes, approved_by=meeting.organiser)


CONFERENCE_MINUTES = [
    "Begrüßung durch die fallführende Fachkraft; Ziel: gemeinsame Absprachen für das Kind.",
    "Das Kind besucht regelmäßig die Kita; Grundversorgung gesichert.",
    "Die Mutter nimmt die Beratung 14-täglich wahr; Abstinenz seit drei Monaten.",
    "Großmutter unterstützt an zwei Nachmittagen in der Woche.",
    "Sorge: Rückfall bei Belastung; Notfallplan besprochen.",
    "„Ich will, dass mein Sohn bei mir bleibt, und ich schaffe das mit Hilfe.“",
    "Siehe Vereinbarungen.",
    "In sechs Monaten.",
]


@transaction.atomic
def load_conferences(world: DemoWorld) -> None:
    users, inst = world.users, world.institutions
    heinsberg = world.cooperations["HS"]
    if Meeting.objects.filter(cooperation=heinsberg).exists():
        return
    committee, _created = Committee.objects.get_or_create(
        cooperation=heinsberg,
        defaults={"chair": users["kja.leitung"], "minute_taker": users["koordination"]},
    )
    for key in PARTIES:
        for function, suffix in (
            (CommitteeMember.Function.REPRESENTATIVE, "leitung"),
            (CommitteeMember.Function.DEPUTY, "fachkraft"),
        ):
            CommitteeMember.objects.get_or_create(
                committee=committee,
                institution=inst[key],
                function=function,
                defaults={"user": users[f"{PREFIX[key]}.{suffix}"]},
            )

    # Two past sittings with approved minutes, one planned.
    for days in (-330, -150):
        sitting = services.sitting_schedule(
            committee=committee,
            organiser=users["koordination"],
            starts_at=_at(days, 14),
            duration_minutes=120,
            place="Kreishaus Heinsberg, Sitzungssaal 2",
        )
        approval = sitting.agenda.exists()
        number = sitting.agenda.count() + 1
        sitting.agenda.create(number=number, title="Bericht der Koordinationsstelle")
        sitting.agenda.create(number=number + 1, title="Fortschreibung des Leitfadens")
        texts = [
            "Bericht über 14 Beteiligtenkonferenzen im Halbjahr.",
            "Abschnitt 4 (Einwilligungen) wird überarbeitet.",
        ]
        resolutions = [
            "",
            "Die Koordinationsstelle legt bis zur nächsten Sitzung einen Entwurf vor.",
        ]
        if approval:
            texts.insert(0, "Das Protokoll der letzten Sitzung wird ohne Änderungen genehmigt.")
            resolutions.insert(0, "Einstimmig angenommen.")
        _hold_and_approve(sitting, texts, resolutions)
    services.sitting_schedule(
        committee=committee,
        organiser=users["koordination"],
        starts_at=_at(30, 14),
        duration_minutes=120,
        place="Kreishaus Heinsberg, Sitzungssaal 2",
    )

    cases = {c.lead_institution_id: c for c in Case.objects.filter(cooperation=heinsberg)}

    # Erkelenz: held four months ago, approved; one action done, one overdue (Caritas).
    case = cases[inst["erkelenz"].pk]
    meeting = services.conference_schedule(
        case=case,
        organiser=users["erkelenz.fachkraft"],
        starts_at=_at(-120),
        place="Jugendamt Erkelenz, Raum 1.12",
    )
    _staff(meeting, users["caritas.fachkraft"], "Suchtberatung")
    _family(meeting, case.members.get(kind=FamilyMember.Kind.MOTHER))
    Participant.objects.create(
        meeting=meeting,
        kind=Participant.Kind.EXTERNAL,
        name="Kita Sonnenblume (Leitung)",
        role="Kita",
        contact="02431 000000",
    )
    Action.objects.create(
        meeting=meeting,
        what="Anmeldung zur Frühförderung",
        responsible=Action.Responsible.PARENTS,
        institution=inst["erkelenz"],
        due_on=timezone.localdate() - datetime.timedelta(days=90),
        status=Action.Status.DONE,
        done_on=timezone.localdate() - datetime.timedelta(days=95),
    )
    Action.objects.create(
        meeting=meeting,
        what="Rückmeldung zur Teilnahme an der Elterngruppe",
        responsible=Action.Responsible.INSTITUTION,
        institution=inst["caritas"],
        due_on=timezone.localdate() - datetime.timedelta(days=14),
    )
    _hold_and_approve(meeting, CONFERENCE_MINUTES)

    # Heinsberg: held two months ago; health section seen by Caritas, not by Diakonie.
    case = cases[inst["heinsberg"].pk]
    meeting = services.conference_schedule(
        case=case,
        organiser=users["heinsberg.fachkraft"],
        starts_at=_at(-60),
        place="Jugendamt Heinsberg, Besprechungsraum",
    )
    _staff(meeting, users["caritas.fachkraft"], "Suchtberatung")
    _staff(meeting, users["diakonie.fachkraft"], "Erziehungsberatung")
    _family(meeting, case.members.get(kind=FamilyMember.Kind.FATHER))
    Action.objects.create(
        meeting=meeting,
        what="Gespräch mit der substituierenden Praxis über die Take-home-Regelung",
        responsible=Action.Responsible.INSTITUTION,
        institution=inst["caritas"],
        due_on=timezone.localdate() + datetime.timedelta(days=20),
    )
    Action.objects.create(
        meeting=meeting,
        what="Angebot einer Erziehungsberatung für den Vater",
        responsible=Action.Responsible.INSTITUTION,
        institution=inst["diakonie"],
        due_on=timezone.localdate() - datetime.timedelta(days=7),
    )
    texts = list(CONFERENCE_MINUTES)
    texts[2] = "Der Vater wird in der Praxis substituiert (Methadon); Beikonsum verneint."
    _hold_and_approve(meeting, texts)

    # Diakonie: its overdue first conference is now planned and invited.
    case = cases[inst["diakonie"].pk]
    meeting = services.conference_schedule(
        case=case,
        organiser=users["diakonie.fachkraft"],
        starts_at=_at(10, 9),
        place="Beratungsstelle der Diakonie, Gruppenraum",
    )
    _family(meeting, case.members.get(kind=FamilyMember.Kind.FATHER))
    meeting.participants.update(invited_sequence=meeting.sequence)
    meeting.state = Meeting.State.INVITED
    meeting.save(update_fields=["state"])


def describe_meetings(world: DemoWorld) -> list[dict]:
    return [
        {
            "title": m.title,
            "date": timezone.localtime(m.starts_at).strftime("%d.%m.%Y"),
            "state": m.state,
        }
        for m in Meeting.objects.filter(cooperation__in=world.cooperations.values())
        .select_related("case", "committee")
        .order_by("starts_at")
    ]
