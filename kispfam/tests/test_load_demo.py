import datetime
import json
from io import StringIO

import pyotp
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from cooperation.models import Cooperation, Institution, User

HEINSBERG_INSTITUTIONS = {
    "Kreisjugendamt Heinsberg",
    "Jugendamt der Stadt Erkelenz",
    "Jugendamt der Stadt Geilenkirchen",
    "Jugendamt der Stadt Heinsberg",
    "Jugendamt der Stadt Hückelhoven",
    "Suchtberatungsstelle des Kreisgesundheitsamtes",
    "Beratungsstelle für Suchtfragen des regionalen Caritasverbandes",
    "Beratungsstelle für Suchtfragen des Diakonischen Werkes",
}


def load(**options) -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def test_it_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        load()
    assert not Cooperation.objects.exists()


def test_it_loads_heinsberg_and_a_second_cooperation(db):
    load(force=True)
    heinsberg = Cooperation.objects.get(code="HS")
    assert heinsberg.body_name == "Kreis Heinsberg"
    names = set(heinsberg.institutions.values_list("name", flat=True))
    assert names >= HEINSBERG_INSTITUTIONS
    assert heinsberg.institutions.filter(kind=Institution.Kind.KOORDINATION).exists()
    assert Cooperation.objects.exclude(pk=heinsberg.pk).count() == 1
    for institution in heinsberg.institutions.exclude(kind=Institution.Kind.KOORDINATION):
        roles = set(institution.staff.values_list("role", flat=True))
        assert {User.Role.CASEWORKER, User.Role.LEAD} <= roles, institution
    assert User.objects.filter(role=User.Role.COORDINATION, institution__cooperation=heinsberg)
    assert User.objects.filter(role=User.Role.DATA_PROTECTION).exists()
    assert User.objects.filter(is_superuser=True).exists()


def test_it_is_idempotent_and_keeps_changed_passwords(db):
    load(force=True)
    counts = (Institution.objects.count(), User.objects.count())
    user = User.objects.get(username="caritas.fachkraft")
    user.set_password("Mein-neues-Passwort-1")
    user.save()
    load(force=True)
    assert (Institution.objects.count(), User.objects.count()) == counts
    user.refresh_from_db()
    assert user.check_password("Mein-neues-Passwort-1")


def test_every_account_logs_in_with_the_demo_password(db, client, settings):
    settings.DEMO_PASSWORD = "Demo-Passwort-2026"
    accounts = json.loads(load(force=True, format="json"))["accounts"]
    for account in accounts:
        assert client.login(username=account["username"], password="Demo-Passwort-2026")
        client.logout()


def test_a_script_logs_in_to_the_demo_with_the_password_and_a_code_from_the_secret(
    db, client, settings
):
    settings.DEMO_PASSWORD = "Demo-Passwort-2026"
    settings.DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    accounts = json.loads(load(force=True, format="json"))["accounts"]
    caritas = next(a for a in accounts if a["username"] == "caritas.fachkraft")
    assert caritas["totp_secret"] == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

    client.post(
        reverse("login"), {"username": "caritas.fachkraft", "password": "Demo-Passwort-2026"}
    )
    response = client.post(
        reverse("cooperation:second_factor"),
        {"otp_token": pyotp.TOTP(caritas["totp_secret"]).now()},
    )
    assert response.status_code == 302
    assert client.get(reverse("cases:list")).status_code == 200


def test_json_lists_accounts_with_institutions_spelled_as_stored(db):
    data = json.loads(load(force=True, format="json"))
    assert set(data) == {"accounts", "cases", "meetings"}
    stored = set(Institution.objects.values_list("name", flat=True))
    erkelenz = next(a for a in data["accounts"] if a["username"] == "erkelenz.fachkraft")
    assert erkelenz == {
        "username": "erkelenz.fachkraft",
        "institution": "Jugendamt der Stadt Erkelenz",
        "role": "caseworker",
        "totp_secret": "KISPFAMDEMOTOTPKISPFAMDEMOTOTP22",
    }
    assert {a["institution"] for a in data["accounts"] if a["institution"]} <= stored


def test_table_output_names_every_account(db):
    out = load(force=True)
    for username in ("erkelenz.fachkraft", "koordination", "datenschutz", "admin"):
        assert username in out


def test_json_lists_every_demo_case_with_who_may_see_it_as_the_gateway_decides(db):
    from cases.models import Case
    from cases.permissions import cases_visible_to

    data = json.loads(load(force=True, format="json"))
    assert len(data["cases"]) == Case.objects.count() >= 6
    visible = {c["reference"]: set(c["visible_to"]) for c in data["cases"]}
    from cases.models import Consent, Disclosure

    revoked = Consent.objects.get(status=Consent.Status.REVOKED)
    assert revoked.recipients.get().name not in visible[revoked.case.reference]
    expired = next(c for c in Consent.objects.all() if c.is_expired_on(timezone.localdate()))
    assert expired.recipients.get().name not in visible[expired.case.reference]
    kkg = Disclosure.objects.get(basis=Disclosure.Basis.KKG_4_3)
    assert kkg.to_institution.name in visible[kkg.case.reference]
    for account in data["accounts"]:
        user = User.objects.get(username=account["username"])
        seen = set(cases_visible_to(user).values_list("reference", flat=True))
        expected = {
            ref
            for ref, names in visible.items()
            if account["institution"] in names and account["role"] in ("caseworker", "lead")
        }
        if user.is_superuser:
            expected = set(visible)
        assert seen == expected, account["username"]


# The demo's story: a year or two of work, dated as it happened.


def _history_models():
    from django.apps import apps

    return [
        model
        for model in apps.get_models()
        if {"history_date", "history_id"} <= {f.name for f in model._meta.concrete_fields}
    ]


def _case_history_rows():
    """Every history row that belongs to a case (the cases and conferences apps)."""
    from cases.models import Case, Consent, Disclosure, FamilyMember, Involvement, ProgressNote
    from conferences.models import Meeting

    rows = list(Case.history.all())
    for model in (Consent, Disclosure, FamilyMember, Involvement, ProgressNote):
        rows += list(model.history.all())
    rows += list(Meeting.history.filter(case__isnull=False))
    return rows


def test_the_demo_cases_tell_a_story_dated_over_the_last_years(db, client):
    from cases.demo import STORY_FAMILIES
    from cases.models import Case, Consent, ProgressNote
    from conferences.models import Action, Meeting

    load(force=True)
    today = timezone.localdate()
    now = timezone.now()

    stories = Case.objects.filter(members__last_name__in=STORY_FAMILIES).distinct()
    assert stories.count() == len(STORY_FAMILIES)
    opened = {case.reference: timezone.localdate(case.opened_at) for case in stories}
    # Opened in the last two years (one expectant mother this year: her child is due
    # in three months), none today.
    assert all(365 * 2 > (today - day).days > 150 for day in opened.values()), opened
    assert sum((today - day).days > 365 for day in opened.values()) >= len(STORY_FAMILIES) - 2

    # References count the cases of a year in the order they were opened.
    for case in Case.objects.all():
        year = timezone.localdate(case.opened_at).year
        assert case.reference.startswith(f"{case.cooperation.code}-{year}-")
        earlier = Case.objects.filter(
            cooperation=case.cooperation,
            reference__startswith=f"{case.cooperation.code}-{year}-",
            opened_at__lt=case.opened_at,
        )
        assert all(other.reference < case.reference for other in earlier), case.reference

    # Nothing in the cases' history is dated today or later: the latest steps of the
    # stories lie days back (a revocation three days ago, a disclosure five days ago).
    start_of_today = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    rows = _case_history_rows()
    assert rows
    dated_today = [r for r in rows if r.history_date >= start_of_today]
    assert not dated_today, [(type(r).__name__, r.history_date) for r in dated_today[:5]]
    assert all(r.history_user_id for r in rows if r.history_type == "+")

    # Each record's history runs forward, and starts no earlier than its case.
    for model in _history_models():
        last = {}
        for row in model.objects.order_by("history_id"):
            key = getattr(row, model.instance_type._meta.pk.attname)
            assert row.history_date <= now
            assert row.history_date >= last.get(key, row.history_date), (model, key)
            last[key] = row.history_date
    for case in Case.objects.all():
        created = case.history.earliest("history_date")
        assert created.history_type == "+"
        assert created.history_date == case.opened_at
        for row in rows:
            if getattr(row, "case_id", None) == case.pk:
                assert row.history_date >= case.opened_at, (type(row).__name__, case)
        # The list is ordered by the last change: the story's last step, not the load.
        assert case.updated_at < start_of_today
        assert case.updated_at == max(
            [r.history_date for r in rows if getattr(r, "case_id", None) == case.pk]
            + [r.history_date for r in case.history.all()]
        )

    # Consents are given after the case was opened, on the day their history says.
    for consent in Consent.objects.select_related("case"):
        assert consent.obtained_on >= timezone.localdate(consent.case.opened_at)
        given = consent.history.filter(status=Consent.Status.GIVEN).earliest("history_date")
        assert timezone.localdate(given.history_date) == consent.obtained_on
        if consent.revoked_on:
            revoked = consent.history.filter(status=Consent.Status.REVOKED).earliest("history_date")
            assert timezone.localdate(revoked.history_date) == consent.revoked_on
    # Notes are recorded on their day, in order.
    for note in ProgressNote.objects.all():
        assert timezone.localdate(note.history.get().history_date) == note.date
        assert timezone.localdate(note.recorded_at) == note.date
    # Conferences months apart, planned before they were held, minutes approved after.
    for meeting in Meeting.objects.filter(case__in=stories):
        assert meeting.created_at < meeting.starts_at or meeting.starts_at > now
        if meeting.state == Meeting.State.APPROVED:
            minutes = meeting.minutes
            assert meeting.starts_at < minutes.circulated_at < minutes.approved_at < now
            held = meeting.history.filter(state=Meeting.State.HELD).get()
            assert held.history_date >= meeting.starts_at
    for action in Action.objects.filter(status=Action.Status.DONE):
        assert action.done_on >= timezone.localdate(action.meeting.starts_at)
        done = action.history.filter(status=Action.Status.DONE).get()
        assert timezone.localdate(done.history_date) == action.done_on
    # A consultation: asked, advised, its outcome recorded, days apart.
    from cases.models import Consultation

    for consultation in Consultation.objects.filter(case__in=stories):
        times = [
            consultation.recorded_at,
            consultation.advised_at,
            consultation.outcome_recorded_at,
        ]
        assert times == sorted(times) and times[-1] < start_of_today, times

    # The data-protection officer's log holds the reads that went with the stories.
    from cases.models import AccessLog

    reads = AccessLog.objects.filter(case__in=stories)
    assert reads.filter(at__lt=now - datetime.timedelta(days=365)).exists()
    assert not reads.filter(at__gt=now).exists()
    assert reads.filter(what=AccessLog.What.CONFERENCE_PDF).exists()
    client.force_login(User.objects.get(username="datenschutz"))
    response = client.get(reverse("cases:access_log_lookup"))
    assert response.context["page"].paginator.count > 100


def test_reloading_the_demo_changes_no_case_history(db):
    load(force=True)
    models = [m for m in _history_models() if m._meta.app_label in ("cases", "conferences")]
    before = {
        model: sorted(model.objects.values_list("history_id", "history_date")) for model in models
    }
    load(force=True)
    after = {
        model: sorted(model.objects.values_list("history_id", "history_date")) for model in models
    }
    changed = [model.__name__ for model in before if before[model] != after[model]]
    assert not changed
