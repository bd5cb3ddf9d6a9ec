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
