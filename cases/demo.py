"""Fictional demo families covering the interesting situations of sharing.

Every name, date and address here is invented. Dates are relative to the day of loading,
so that active consents stay active and the expired one stays expired; each step of a
family's story is written through the services and its history dated to when it
happened (``cooperation.demo.dated``), so that the case timeline reads like a year or two
of work.
"""

import datetime

from django.apps import apps
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cooperation.demo import DemoWorld, dated, days_ago

from . import services
from .models import (
    AccessLog,
    Case,
    CaseGrant,
    Consent,
    Consultation,
    DataCategory,
    Disclosure,
    FamilyMember,
    HealthSituation,
    Notification,
    ProgressNote,
)

C = DataCategory
K = FamilyMember.Kind
# The surnames of the families told here (other apps' demos add families of their own).
STORY_FAMILIES = ("Beispiel", "Erdenreich", "Feldmann", "Sommer", "Winter", "Lindner", "Fiktiva")


def _family(case, source, parents, children, recorded_at):
    members = []
    for kind, first, last, born, substance, practice in parents:
        member = FamilyMember.objects.create(
            case=case,
            kind=kind,
            first_name=first,
            last_name=last,
            date_of_birth=born,
            address="Musterweg 1, 52525 Heinsberg",
            source_institution=source,
            recorded_at=recorded_at,
        )
        if substance:
            HealthSituation.objects.create(
                member=member,
                substance=substance,
                source_institution=source,
                recorded_at=recorded_at,
                counselling="Suchtberatung, 14-täglich",
                in_substitution=bool(practice),
                substitution_practice=practice or "",
            )
        members.append(member)
    for first, last, born in children:
        FamilyMember.objects.create(
            case=case,
            kind=K.CHILD,
            first_name=first,
            last_name=last,
            date_of_birth=born,
            source_institution=source,
            recorded_at=recorded_at,
        )
    return members


def _consent(case, giver, source, recipients, categories, user, today, *, days_valid, given_ago):
    """A consent asked for and given on one visit, ``given_ago`` days ago."""
    given = today - datetime.timedelta(days=given_ago)
    with dated(days_ago(given_ago, 11), by=user):
        consent = Consent.objects.create(
            case=case,
            given_by=giver,
            source_institution=source,
            categories=categories,
            purpose="Abstimmung der Hilfen für die Familie in der Beteiligtenkonferenz",
            valid_from=given,
            valid_until=given + datetime.timedelta(days=days_valid),
            obtained_by=user,
            form=Consent.Form.ELECTRONIC,
            informed_of_purpose=True,
            informed_of_refusal_consequences=True,
            informed_of_revocation_right=True,
        )
        consent.recipients.set(recipients)
        return services.consent_give(consent=consent, obtained_on=given)


def _note(case, user, days: int, text: str, hour: int = 15) -> ProgressNote:
    when = days_ago(days, hour)
    with dated(when, by=user):
        return ProgressNote.objects.create(
            case=case,
            author=user,
            source_institution=user.institution,
            date=when.date(),
            recorded_at=when,
            text=text,
        )


def open_case(world: DemoWorld, lead_key: str, user_key: str, days: int) -> Case:
    """Open a demo case ``days`` ago, dated as if entered that morning."""
    user = world.users[user_key]
    with dated(days_ago(days, 9, 15), by=user):
        return services.case_open(
            lead_institution=world.institutions[lead_key],
            opened_by=user,
            opened_at=days_ago(days, 9, 15),
        )


def renumber(world: DemoWorld) -> None:
    """Number the demo cases of each year in the order they were opened.

    The demos open their families one app after another, each dated back; a reference
    like HS-2025-0001 should still be the first case of 2025. Run before anything prints
    a reference (frozen protocols); the references in the cases' history follow.
    """
    cases = list(
        Case.objects.filter(cooperation__in=world.cooperations.values())
        .select_related("cooperation")
        .order_by("opened_at", "pk")
    )
    wanted, counters = {}, {}
    for case in cases:
        key = (case.cooperation.code.upper(), timezone.localdate(case.opened_at).year)
        counters[key] = counters.get(key, 0) + 1
        wanted[case.pk] = f"{key[0]}-{key[1]}-{counters[key]:04d}"
    changed = [case for case in cases if case.reference != wanted[case.pk]]
    # Two steps: a reference is unique, and the new ones swap places with the old.
    for case in changed:
        Case.objects.filter(pk=case.pk).update(reference=f"DEMO-{case.pk}")
    for case in changed:
        Case.objects.filter(pk=case.pk).update(reference=wanted[case.pk])
        Case.history.filter(id=case.pk).update(reference=wanted[case.pk])


def record_read(user, what: str, case: Case | None, when: datetime.datetime) -> AccessLog:
    """An access-log entry as the application writes it, at the moment of the story."""
    return AccessLog.objects.create(
        user=user, institution_id=user.institution_id, case=case, what=what, at=when
    )


def _reads(world: DemoWorld, cases: list[Case]) -> None:
    """The reads that went with the stories, for the data-protection officer's log.

    Whoever wrote to a case opened its page first; a recipient of a consent looked at
    the case now and then while the consent was in force; the officer looked into the
    log of the case disclosed without consent.
    """
    today = timezone.localdate()
    recorded = [Case, FamilyMember, Consent, ProgressNote, Disclosure, Consultation]
    for case in cases:
        for model in recorded:
            key = "id" if model is Case else "case_id"
            rows = model.history.filter(**{key: case.pk}, history_user__institution__isnull=False)
            for row in rows.select_related("history_user"):
                when = row.history_date - datetime.timedelta(minutes=5)
                record_read(row.history_user, AccessLog.What.CASE_DETAIL, case, when)
        for consent in case.consents.filter(obtained_on__isnull=False):
            end = min(
                day for day in (consent.valid_until, consent.revoked_on, today) if day is not None
            )
            for recipient in consent.recipients.all():
                reader = recipient.staff.filter(role="caseworker").order_by("pk").first()
                day = consent.obtained_on + datetime.timedelta(days=2)
                while reader is not None and day < end:
                    when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 30)))
                    record_read(reader, AccessLog.What.CASE_LIST, None, when)
                    record_read(
                        reader,
                        AccessLog.What.CASE_DETAIL,
                        case,
                        when + datetime.timedelta(minutes=1),
                    )
                    day += datetime.timedelta(days=30)
    officer = world.users.get("datenschutz")
    for disclosure in Disclosure.objects.filter(case__in=cases):
        if officer is not None:
            when = timezone.make_aware(
                datetime.datetime.combine(
                    disclosure.disclosed_on + datetime.timedelta(days=1), datetime.time(13)
                )
            )
            if when < timezone.now():
                record_read(officer, AccessLog.What.ACCESS_LOG, disclosure.case, when)


def settle(world: DemoWorld) -> None:
    """Each demo case was last changed when its story's last step happened.

    The services mark a case changed whenever they write to it (at the moment of
    loading); the case list is sorted by that time. Any app's historical record that
    names the case counts (the conferences' meetings too), without importing the apps.
    """
    models = [
        model
        for model in apps.get_models()
        if {"history_date", "case"} <= {f.name for f in model._meta.concrete_fields}
    ]
    for case in Case.objects.filter(cooperation__in=world.cooperations.values()):
        stamps = [
            case.opened_at,
            *Case.history.filter(id=case.pk).values_list("history_date", flat=True),
        ]
        for model in models:
            stamps.append(
                model.objects.filter(case_id=case.pk).aggregate(last=Max("history_date"))["last"]
            )
        last = max(stamp for stamp in stamps if stamp is not None)
        Case.objects.filter(pk=case.pk).update(updated_at=last)
        case.visibility.update(case_updated_at=last)


@transaction.atomic
def load_cases(world: DemoWorld) -> None:
    """Create the demo families once (idempotent: skipped when the demo has cases).

    Each family's records are written in the order they happened over the last one to
    two years (opening, master data, consents, notes, consultations, disclosures) and
    their history is dated accordingly; the conferences demo adds the meetings.
    """
    inst, users = world.institutions, world.users
    if Case.objects.filter(cooperation__in=world.cooperations.values()).exists():
        return
    today = timezone.localdate()
    y = today.year

    # 1. Led by Jugendamt Erkelenz since autumn of last year, consent towards Caritas
    # (no health data); the conference (conferences demo) was held four months ago.
    erkelenz = users["erkelenz.fachkraft"]
    case = open_case(world, "erkelenz", "erkelenz.fachkraft", 430)
    with dated(days_ago(430, 9, 40), by=erkelenz):
        (mother,) = _family(
            case,
            inst["erkelenz"],
            [(K.MOTHER, "Sabine", "Beispiel", datetime.date(y - 31, 3, 14), "Alkohol", None)],
            [("Leon", "Beispiel", datetime.date(y - 6, 9, 2))],
            days_ago(430, 9, 40),
        )
    _note(case, erkelenz, 428, "Mitteilung der Kita: Leon wirkt müde, wird oft verspätet gebracht.")
    _note(case, erkelenz, 360, "Erstgespräch mit der Mutter; sie ist offen für eine Suchtberatung.")
    # It expires in 20 days: the case page and the dashboard warn.
    _consent(
        case,
        mother,
        inst["erkelenz"],
        [inst["caritas"]],
        [C.MASTER, C.FAMILY, C.PROTOCOLS],
        erkelenz,
        today,
        days_valid=365,
        given_ago=345,
    )
    _note(case, erkelenz, 200, "Mutter nimmt die Beratung bei der Caritas regelmäßig wahr.")
    _note(case, erkelenz, 6, "Hausbesuch: Versorgung des Kindes gesichert.", hour=11)

    # 2. Known only to the Diakonie counselling centre, no consent yet. The father asked
    # to hold the first Beteiligtenkonferenz after his detoxification; it is overdue now.
    diakonie = users["diakonie.fachkraft"]
    case = open_case(world, "diakonie", "diakonie.fachkraft", 390)
    with dated(days_ago(390, 9, 40), by=diakonie):
        _family(
            case,
            inst["diakonie"],
            [(K.FATHER, "Markus", "Erdenreich", datetime.date(y - 40, 1, 20), "Cannabis", None)],
            [("Mia", "Erdenreich", datetime.date(y - 9, 5, 5))],
            days_ago(390, 9, 40),
        )
    _note(
        case,
        diakonie,
        215,
        "Vater bittet, die Beteiligtenkonferenz bis nach der stationären Entgiftung zu "
        "verschieben.",
    )
    with dated(days_ago(214, 10), by=diakonie):
        case.refresh_from_db()
        case.conference_due_on = today - datetime.timedelta(days=14)
        services.case_update(case=case, lead_changed=False)
    _note(case, diakonie, 20, "Entgiftung abgeschlossen; Vater stimmt der Konferenz zu.")

    # 3. Led by the Kreisjugendamt; the consent towards the Gesundheitsamt was revoked.
    kja = users["kja.fachkraft"]
    case = open_case(world, "kreisjugendamt", "kja.fachkraft", 520)
    with dated(days_ago(520, 9, 40), by=kja):
        (father,) = _family(
            case,
            inst["kreisjugendamt"],
            [
                (
                    K.FATHER,
                    "Jan",
                    "Feldmann",
                    datetime.date(y - 35, 7, 7),
                    "Opioide",
                    "Praxis Dr. Fiktiv, Heinsberg",
                )
            ],
            [("Emma", "Feldmann", datetime.date(y - 4, 2, 11))],
            days_ago(520, 9, 40),
        )
    _note(case, kja, 480, "Hilfeplangespräch: Sozialpädagogische Familienhilfe beginnt.")
    consent = _consent(
        case,
        father,
        inst["kreisjugendamt"],
        [inst["gesundheitsamt"]],
        [C.MASTER, C.FAMILY],
        kja,
        today,
        days_valid=365,
        given_ago=30,
    )
    revoked_at = days_ago(3, 14, 30)
    with dated(revoked_at, by=kja):
        services.consent_revoke(
            consent=consent,
            revoked_on=revoked_at.date(),
            channel=Consent.Channel.TELEPHONE,
            recorded_by=kja,
            send_mail=False,
        )
        Notification.objects.filter(consent=consent).update(created_at=revoked_at)

    # 4. Led by Jugendamt Geilenkirchen since early in the pregnancy; its consent
    # towards Caritas has expired. (Opened this year: the child is expected in three
    # months.)
    geilenkirchen = users["geilenkirchen.fachkraft"]
    case = open_case(world, "geilenkirchen", "geilenkirchen.fachkraft", 175)
    with dated(days_ago(175, 9, 40), by=geilenkirchen):
        (mother,) = _family(
            case,
            inst["geilenkirchen"],
            [
                (
                    K.EXPECTANT_MOTHER,
                    "Nadine",
                    "Sommer",
                    datetime.date(y - 24, 11, 30),
                    "Amphetamine",
                    None,
                )
            ],
            [],
            days_ago(175, 9, 40),
        )
        FamilyMember.objects.create(
            case=case,
            kind=K.UNBORN,
            last_name="Sommer",
            expected_date=today + datetime.timedelta(days=90),
            source_institution=inst["geilenkirchen"],
            recorded_at=days_ago(175, 9, 40),
        )
    _consent(
        case,
        mother,
        inst["geilenkirchen"],
        [inst["caritas"]],
        [C.MASTER],
        geilenkirchen,
        today,
        days_valid=150,
        given_ago=170,
    )
    _note(case, geilenkirchen, 120, "Anbindung an die Schwangerenberatung vereinbart.")

    # 5. The Suchtberatung of the Gesundheitsamt informs Jugendamt Hückelhoven (§4 KKG).
    gesundheitsamt = users["gesundheitsamt.fachkraft"]
    case = open_case(world, "gesundheitsamt", "gesundheitsamt.fachkraft", 455)
    with dated(days_ago(455, 9, 40), by=gesundheitsamt):
        _family(
            case,
            inst["gesundheitsamt"],
            [(K.MOTHER, "Petra", "Winter", datetime.date(y - 29, 4, 4), "Alkohol", None)],
            [("Noah", "Winter", datetime.date(y - 2, 8, 19))],
            days_ago(455, 9, 40),
        )
    _note(case, gesundheitsamt, 130, "Mutter sagt den dritten Termin in Folge ab.", hour=16)
    # Before that, it asked the Kreisjugendamt's experienced child-protection specialist
    # for advice, pseudonymised (§4 Abs. 2 KKG).
    with dated(days_ago(600, 8), by=users["kja.leitung"]):
        specialist = services.specialist_designate(
            user=kja,
            designated_by=users["kja.leitung"],
            qualification="Zertifikatskurs Kinderschutzfachkraft (§8a SGB VIII)",
            since=today - datetime.timedelta(days=600),
        )
    with dated(days_ago(40, 10), by=gesundheitsamt):
        consultation = services.consultation_request(
            case=case,
            specialist=specialist,
            requested_by=gesundheitsamt,
            pseudonym="Familie W.",
            summary="Mutter (29), alkoholabhängig, seit drei Monaten ohne Kontakt zur "
            "Beratung; Kleinkind (2) wirkt bei Terminen ungepflegt. Der Vater lebt nicht im "
            "Haushalt.",
            question="Liegen gewichtige Anhaltspunkte für eine Kindeswohlgefährdung vor, und "
            "wie sprechen wir die Mutter an?",
        )
        # On the instance too: the services below save it whole.
        consultation.recorded_at = days_ago(40, 10)
        Consultation.objects.filter(pk=consultation.pk).update(recorded_at=consultation.recorded_at)
    with dated(days_ago(38, 14), by=kja):
        services.consultation_advise(
            consultation=consultation,
            advice="Gewichtige Anhaltspunkte liegen vor. Mutter zeitnah zu einem Gespräch "
            "einladen und Hilfen anbieten; bleibt sie aus, das Jugendamt informieren.",
        )
        consultation.advised_at = days_ago(38, 14)
        Consultation.objects.filter(pk=consultation.pk).update(advised_at=consultation.advised_at)
    with dated(days_ago(37, 9), by=gesundheitsamt):
        services.consultation_record_outcome(
            consultation=consultation,
            outcome=Consultation.Outcome.RISK,
            notes="Einladung zum Gespräch; bei Ausbleiben Mitteilung an das Jugendamt.",
            recorded_by=gesundheitsamt,
        )
        consultation.outcome_recorded_at = days_ago(37, 9)
        Consultation.objects.filter(pk=consultation.pk).update(
            outcome_recorded_at=consultation.outcome_recorded_at
        )
    _note(case, gesundheitsamt, 21, "Zweite Einladung zum Gespräch; Mutter erscheint nicht.")
    with dated(days_ago(5, 11), by=gesundheitsamt):
        services.disclosure_record(
            case=case,
            disclosed_by=gesundheitsamt,
            basis=Disclosure.Basis.KKG_4_3,
            from_institution=inst["gesundheitsamt"],
            to_institution=inst["hueckelhoven"],
            categories=[C.MASTER, C.FAMILY],
            disclosed_on=today - datetime.timedelta(days=5),
            reason="Gewichtige Anhaltspunkte für eine Gefährdung; Mitwirkung der Mutter blieb aus.",
            family_work_tried=True,
            family_work="Zwei Einladungen zum Gespräch und ein Hilfeangebot (Elterngruppe); "
            "die Mutter erschien nicht.",
            specialist_consulted=True,
            consultation=consultation,
            family_informed=True,
        )

    # 6. Led by Jugendamt Heinsberg: health data shared with Caritas, not with Diakonie;
    # both consents were given before the conference two months ago.
    heinsberg = users["heinsberg.fachkraft"]
    case = open_case(world, "heinsberg", "heinsberg.fachkraft", 700)
    with dated(days_ago(700, 9, 40), by=heinsberg):
        (father,) = _family(
            case,
            inst["heinsberg"],
            [
                (
                    K.FATHER,
                    "Tobias",
                    "Lindner",
                    datetime.date(y - 38, 6, 1),
                    "Opioide",
                    "Praxis Dr. Erfunden, Hückelhoven",
                )
            ],
            [
                ("Lina", "Lindner", datetime.date(y - 11, 10, 10)),
                ("Ben", "Lindner", datetime.date(y - 8, 12, 24)),
            ],
            days_ago(700, 9, 40),
        )
    _note(case, heinsberg, 650, "Schule meldet häufige Fehlzeiten von Lina.")
    _note(case, heinsberg, 400, "Vater beginnt die Substitutionsbehandlung.")
    _consent(
        case,
        father,
        inst["heinsberg"],
        [inst["caritas"]],
        [C.MASTER, C.HEALTH, C.PROTOCOLS],
        heinsberg,
        today,
        days_valid=365,
        given_ago=75,
    )
    _consent(
        case,
        father,
        inst["heinsberg"],
        [inst["diakonie"]],
        [C.MASTER, C.PROTOCOLS],
        heinsberg,
        today,
        days_valid=365,
        given_ago=75,
    )

    # Lindenbrück: one case, never visible to anyone in Heinsberg.
    lindenbrueck = users["lindenbrueck.fachkraft"]
    case = open_case(world, "lindenbrueck-ja", "lindenbrueck.fachkraft", 480)
    with dated(days_ago(480, 9, 40), by=lindenbrueck):
        _family(
            case,
            inst["lindenbrueck-ja"],
            [(K.MOTHER, "Olga", "Fiktiva", datetime.date(y - 33, 2, 2), "Alkohol", None)],
            [],
            days_ago(480, 9, 40),
        )
    _reads(world, list(Case.objects.filter(cooperation__in=world.cooperations.values())))


def describe_cases(world: DemoWorld) -> list[dict]:
    """Every demo case with the institutions that may see it today."""
    today = timezone.localdate()
    result = []
    for case in Case.objects.filter(cooperation__in=world.cooperations.values()).order_by(
        "reference"
    ):
        names = sorted(
            set(
                CaseGrant.objects.active_on(today)
                .filter(case=case)
                .values_list("institution__name", flat=True)
            )
        )
        result.append({"reference": case.reference, "visible_to": names})
    return result
