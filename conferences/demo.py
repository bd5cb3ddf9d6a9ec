"""Demo conferences and sittings (fictional), loaded by ``load_demo`` after the cases.

Heinsberg gets its Kooperationsgremium (a representative and a deputy per party
institution), two past sittings with approved minutes and one planned; three families get
conferences: two held with approved minutes and agreed actions (some overdue), one
planned and invited.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from cases.demo import STORY_FAMILIES, record_read
from cases.models import AccessLog, Case, FamilyMember
from cooperation.demo import DemoWorld, dated, days_ago
from cooperation.models import Committee, CommitteeMember

from . import services, tasks
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


def _planned(meeting: Meeting, when: datetime.datetime) -> Meeting:
    Meeting.objects.filter(pk=meeting.pk).update(created_at=when)
    meeting.created_at = when
    return meeting


def _held(meeting: Meeting) -> None:
    """Mark held (everyone present) in the afternoon of the meeting's day."""
    # The service saves the whole meeting: what was dated by an update stays dated.
    meeting.refresh_from_db()
    with dated(meeting.starts_at + datetime.timedelta(hours=3), by=meeting.organiser):
        meeting.participants.update(attendance=Participant.Attendance.PRESENT, invited_sequence=0)
        services.meeting_held(meeting=meeting)


def _minutes_approved(meeting: Meeting, texts: list[str], resolutions=None) -> None:
    """Write the minutes the day after, circulate them a day later, approve a week on."""
    items = list(meeting.agenda.all())
    payload = {}
    for index, item in enumerate(items):
        payload[item.pk] = {"minutes": texts[index] if index < len(texts) else ""}
        if resolutions and index < len(resolutions):
            payload[item.pk]["resolution"] = resolutions[index]
    minutes = meeting.minutes
    start = meeting.starts_at
    with dated(start + datetime.timedelta(days=1), by=meeting.organiser):
        services.minutes_save(minutes=minutes, version=minutes.version, texts=payload)
    circulated = start + datetime.timedelta(days=2)
    with dated(circulated, by=meeting.organiser):
        services.minutes_circulate(minutes=minutes, circulated_at=circulated)
    approved = start + datetime.timedelta(days=9)
    with dated(approved, by=meeting.organiser):
        services.minutes_approve(
            minutes=minutes, approved_by=meeting.organiser, approved_at=approved
        )
    # The worker's part at once: the demo ends with its protocols stored, inside a test's
    # transaction too and without a worker running (the queued task then finds them).
    tasks.render_protocol.call(minutes.pk)
    if meeting.case_id is not None:
        # The participants read the approved protocol the next morning (the access log).
        morning = approved + datetime.timedelta(days=1)
        for participant in meeting.participants.filter(user__isnull=False).select_related("user"):
            user = participant.user
            record_read(user, AccessLog.What.CONFERENCE, meeting.case, morning)
            record_read(
                user,
                AccessLog.What.CONFERENCE_PDF,
                meeting.case,
                morning + datetime.timedelta(minutes=2),
            )


def _hold_and_approve(meeting: Meeting, texts: list[str], resolutions=None) -> None:
    _held(meeting)
    _minutes_approved(meeting, texts, resolutions)


def _action(meeting: Meeting, *, done_days: int | None = None, **fields) -> Action:
    """An action agreed at the (held) meeting; done ``done_days`` ago if given."""
    with dated(meeting.starts_at + datetime.timedelta(hours=3), by=meeting.organiser):
        action = Action.objects.create(meeting=meeting, **fields)
    if done_days is not None:
        done = _at(-done_days, 12)
        with dated(done, by=meeting.organiser):
            action.status = Action.Status.DONE
            action.done_on = done.date()
            action.save()
    return action


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
    """The committee and the meetings, each step dated to when it happened."""
    users, inst = world.users, world.institutions
    heinsberg = world.cooperations["HS"]
    # The statistics' families (reports demo) have conferences of their own.
    if Meeting.objects.filter(cooperation=heinsberg, kind=Meeting.Kind.COMMITTEE_SITTING).exists():
        return
    coordination = users["koordination"]
    with dated(days_ago(420, 9), by=coordination):
        committee, _created = Committee.objects.get_or_create(
            cooperation=heinsberg,
            defaults={"chair": users["kja.leitung"], "minute_taker": coordination},
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

    # Two past sittings with approved minutes, one planned; each planned six weeks ahead.
    for days in (-330, -150):
        with dated(_at(days - 42, 9), by=coordination):
            sitting = services.sitting_schedule(
                committee=committee,
                organiser=coordination,
                starts_at=_at(days, 14),
                duration_minutes=120,
                place="Kreishaus Heinsberg, Sitzungssaal 2",
            )
            _planned(sitting, _at(days - 42, 9))
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
    with dated(_at(-20, 9), by=coordination):
        _planned(
            services.sitting_schedule(
                committee=committee,
                organiser=coordination,
                starts_at=_at(30, 14),
                duration_minutes=120,
                place="Kreishaus Heinsberg, Sitzungssaal 2",
            ),
            _at(-20, 9),
        )

    # The families of the cases demo, by their lead (each leads one of them).
    cases = {
        c.lead_institution_id: c
        for c in Case.objects.filter(
            cooperation=heinsberg, members__last_name__in=STORY_FAMILIES
        ).distinct()
    }

    # Erkelenz: planned a month ahead, held four months ago, approved; one action done,
    # one overdue (Caritas).
    case = cases[inst["erkelenz"].pk]
    organiser = users["erkelenz.fachkraft"]
    with dated(_at(-150, 11), by=organiser):
        meeting = services.conference_schedule(
            case=case,
            organiser=organiser,
            starts_at=_at(-120),
            place="Jugendamt Erkelenz, Raum 1.12",
        )
        _planned(meeting, _at(-150, 11))
        _staff(meeting, users["caritas.fachkraft"], "Suchtberatung")
        _family(meeting, case.members.get(kind=FamilyMember.Kind.MOTHER))
        Participant.objects.create(
            meeting=meeting,
            kind=Participant.Kind.EXTERNAL,
            name="Kita Sonnenblume (Leitung)",
            role="Kita",
            contact="02431 000000",
        )
    _held(meeting)
    _action(
        meeting,
        what="Anmeldung zur Frühförderung",
        responsible=Action.Responsible.PARENTS,
        institution=inst["erkelenz"],
        due_on=timezone.localdate() - datetime.timedelta(days=90),
        done_days=95,
    )
    _action(
        meeting,
        what="Rückmeldung zur Teilnahme an der Elterngruppe",
        responsible=Action.Responsible.INSTITUTION,
        institution=inst["caritas"],
        due_on=timezone.localdate() - datetime.timedelta(days=14),
    )
    _minutes_approved(meeting, CONFERENCE_MINUTES)

    # Heinsberg: held two months ago; health section seen by Caritas, not by Diakonie.
    case = cases[inst["heinsberg"].pk]
    organiser = users["heinsberg.fachkraft"]
    with dated(_at(-72, 11), by=organiser):
        meeting = services.conference_schedule(
            case=case,
            organiser=organiser,
            starts_at=_at(-60),
            place="Jugendamt Heinsberg, Besprechungsraum",
        )
        _planned(meeting, _at(-72, 11))
        _staff(meeting, users["caritas.fachkraft"], "Suchtberatung")
        _staff(meeting, users["diakonie.fachkraft"], "Erziehungsberatung")
        _family(meeting, case.members.get(kind=FamilyMember.Kind.FATHER))
    _held(meeting)
    _action(
        meeting,
        what="Gespräch mit der substituierenden Praxis über die Take-home-Regelung",
        responsible=Action.Responsible.INSTITUTION,
        institution=inst["caritas"],
        due_on=timezone.localdate() + datetime.timedelta(days=20),
    )
    _action(
        meeting,
        what="Angebot einer Erziehungsberatung für den Vater",
        responsible=Action.Responsible.INSTITUTION,
        institution=inst["diakonie"],
        due_on=timezone.localdate() - datetime.timedelta(days=7),
    )
    texts = list(CONFERENCE_MINUTES)
    texts[2] = "Der Vater wird in der Praxis substituiert (Methadon); Beikonsum verneint."
    _minutes_approved(meeting, texts)

    # Diakonie: its overdue first conference is now planned and invited.
    case = cases[inst["diakonie"].pk]
    organiser = users["diakonie.fachkraft"]
    with dated(_at(-12, 10), by=organiser):
        meeting = services.conference_schedule(
            case=case,
            organiser=organiser,
            starts_at=_at(10, 9),
            place="Beratungsstelle der Diakonie, Gruppenraum",
        )
        _planned(meeting, _at(-12, 10))
        _family(meeting, case.members.get(kind=FamilyMember.Kind.FATHER))
    with dated(_at(-5, 15), by=organiser):
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
