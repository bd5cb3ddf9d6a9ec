"""The Heinsberg cooperation from the seed document, and a smaller fictional one.

Every person here is fictional. Institution names and the Kreis profile come from the
public profile of the Heinsberg cooperation (``shared/seeds/000_*.txt``).
"""

import base64
import binascii
import datetime
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Cooperation, Institution, User

Kind = Institution.Kind
Law = Institution.DataProtectionLaw
Role = User.Role

COOPERATIONS = [
    {
        "code": "HS",
        "name": "Kooperation Jugendhilfe und Suchthilfe im Kreis Heinsberg",
        "body_name": "Kreis Heinsberg",
        "body_kind": Cooperation.BodyKind.KREIS,
        "body_region": "Regierungsbezirk Köln",
        "body_seat": "Heinsberg",
        "institutions": [
            # (key, name, short name, kind, law, street, postal code, city, phone, e-mail)
            (
                "kreisjugendamt",
                "Kreisjugendamt Heinsberg",
                "KJA Heinsberg",
                Kind.JUGENDAMT_KREIS,
                Law.GDPR,
                "Valkenburger Straße 45",
                "52525",
                "Heinsberg",
                "02452 130",
                "jugendamt@kreis-heinsberg.example",
            ),
            (
                "erkelenz",
                "Jugendamt der Stadt Erkelenz",
                "JA Erkelenz",
                Kind.JUGENDAMT_STADT,
                Law.GDPR,
                "",
                "41812",
                "Erkelenz",
                "",
                "jugendamt@erkelenz.example",
            ),
            (
                "geilenkirchen",
                "Jugendamt der Stadt Geilenkirchen",
                "JA Geilenkirchen",
                Kind.JUGENDAMT_STADT,
                Law.GDPR,
                "",
                "52511",
                "Geilenkirchen",
                "",
                "jugendamt@geilenkirchen.example",
            ),
            (
                "heinsberg",
                "Jugendamt der Stadt Heinsberg",
                "JA Heinsberg",
                Kind.JUGENDAMT_STADT,
                Law.GDPR,
                "",
                "52525",
                "Heinsberg",
                "",
                "jugendamt@stadt-heinsberg.example",
            ),
            (
                "hueckelhoven",
                "Jugendamt der Stadt Hückelhoven",
                "JA Hückelhoven",
                Kind.JUGENDAMT_STADT,
                Law.GDPR,
                "",
                "41836",
                "Hückelhoven",
                "",
                "jugendamt@hueckelhoven.example",
            ),
            (
                "gesundheitsamt",
                "Suchtberatungsstelle des Kreisgesundheitsamtes",
                "Suchtberatung GA",
                Kind.SUCHTBERATUNG_GA,
                Law.GDPR,
                "Valkenburger Straße 45",
                "52525",
                "Heinsberg",
                "02452 130",
                "suchtberatung@kreis-heinsberg.example",
            ),
            (
                "caritas",
                "Beratungsstelle für Suchtfragen des regionalen Caritasverbandes",
                "Caritas Suchtberatung",
                Kind.SUCHTBERATUNG_FREI,
                Law.KDG,
                "",
                "52525",
                "Heinsberg",
                "",
                "sucht@caritas-hs.example",
            ),
            (
                "diakonie",
                "Beratungsstelle für Suchtfragen des Diakonischen Werkes",
                "Diakonie Suchtberatung",
                Kind.SUCHTBERATUNG_FREI,
                Law.DSG_EKD,
                "",
                "52525",
                "Heinsberg",
                "",
                "sucht@diakonie-hs.example",
            ),
            (
                "koordination",
                "Koordinationsstelle Kooperation Jugendhilfe – Suchthilfe",
                "Koordinationsstelle",
                Kind.KOORDINATION,
                Law.GDPR,
                "Valkenburger Straße 45",
                "52525",
                "Heinsberg",
                "02452 130",
                "koordination@kreis-heinsberg.example",
            ),
        ],
    },
    {
        "code": "LB",
        "name": "Netzwerk Kinder aus suchtbelasteten Familien Lindenbrück",
        "body_name": "Stadt Lindenbrück (fiktiv)",
        "body_kind": Cooperation.BodyKind.KREISFREIE_STADT,
        "body_region": "Regierungsbezirk Musterland (fiktiv)",
        "body_seat": "Lindenbrück",
        "institutions": [
            (
                "lindenbrueck-ja",
                "Jugendamt der Stadt Lindenbrück",
                "JA Lindenbrück",
                Kind.JUGENDAMT_STADT,
                Law.GDPR,
                "Rathausplatz 1",
                "99999",
                "Lindenbrück",
                "",
                "jugendamt@lindenbrueck.example",
            ),
            (
                "lindenbrueck-ga",
                "Suchtberatung des Gesundheitsamtes Lindenbrück",
                "Suchtberatung GA Lindenbrück",
                Kind.SUCHTBERATUNG_GA,
                Law.GDPR,
                "Rathausplatz 3",
                "99999",
                "Lindenbrück",
                "",
                "sucht@lindenbrueck.example",
            ),
            (
                "lindenbrueck-koordination",
                "Koordinationsstelle Lindenbrück",
                "Koordination Lindenbrück",
                Kind.KOORDINATION,
                Law.GDPR,
                "Rathausplatz 1",
                "99999",
                "Lindenbrück",
                "",
                "koordination@lindenbrueck.example",
            ),
        ],
    },
]

# (username, first name, last name, institution key, role) — all fictional people.
ACCOUNTS = [
    ("kja.fachkraft", "Miriam", "Hoffmann", "kreisjugendamt", Role.CASEWORKER),
    ("kja.leitung", "Thomas", "Berger", "kreisjugendamt", Role.LEAD),
    ("erkelenz.fachkraft", "Anna", "Schmitz", "erkelenz", Role.CASEWORKER),
    ("erkelenz.leitung", "Stefan", "Krüger", "erkelenz", Role.LEAD),
    ("geilenkirchen.fachkraft", "Laura", "Peters", "geilenkirchen", Role.CASEWORKER),
    ("geilenkirchen.leitung", "Markus", "Vogel", "geilenkirchen", Role.LEAD),
    ("heinsberg.fachkraft", "Julia", "Jansen", "heinsberg", Role.CASEWORKER),
    ("heinsberg.leitung", "Peter", "Dahmen", "heinsberg", Role.LEAD),
    ("hueckelhoven.fachkraft", "Sarah", "Lenzen", "hueckelhoven", Role.CASEWORKER),
    ("hueckelhoven.leitung", "Michael", "Houben", "hueckelhoven", Role.LEAD),
    ("gesundheitsamt.fachkraft", "Katrin", "Wolters", "gesundheitsamt", Role.CASEWORKER),
    ("gesundheitsamt.leitung", "Andreas", "Claßen", "gesundheitsamt", Role.LEAD),
    ("caritas.fachkraft", "Lena", "Küppers", "caritas", Role.CASEWORKER),
    ("caritas.leitung", "Frank", "Coenen", "caritas", Role.LEAD),
    ("diakonie.fachkraft", "Nina", "Stoffels", "diakonie", Role.CASEWORKER),
    ("diakonie.leitung", "Jürgen", "Heinrichs", "diakonie", Role.LEAD),
    ("koordination", "Claudia", "Mertens", "koordination", Role.COORDINATION),
    ("datenschutz", "Bernd", "Reiners", "koordination", Role.DATA_PROTECTION),
    ("lindenbrueck.fachkraft", "Eva", "Brandt", "lindenbrueck-ja", Role.CASEWORKER),
    ("lindenbrueck.leitung", "Holger", "Simon", "lindenbrueck-ja", Role.LEAD),
    ("lindenbrueck.sucht", "Ines", "Roth", "lindenbrueck-ga", Role.CASEWORKER),
    ("lindenbrueck.koordination", "Dirk", "Albers", "lindenbrueck-koordination", Role.COORDINATION),
]
ADMIN_USERNAME = "admin"


@dataclass
class DemoWorld:
    cooperations: dict[str, Cooperation]
    institutions: dict[str, Institution]
    users: dict[str, User]


@transaction.atomic
def load_institutions(password: str | None = None) -> DemoWorld:
    """Create or update the demo cooperations, institutions and accounts (idempotent).

    Passwords are set only on accounts created now, so that a second run keeps what a
    tester changed.
    """
    password = password or settings.DEMO_PASSWORD

    @functools.cache
    def hashed() -> str:
        # Every demo account shares the password: hash it once (a second of PBKDF2 each).
        return make_password(password)

    cooperations: dict[str, Cooperation] = {}
    institutions: dict[str, Institution] = {}
    for spec in COOPERATIONS:
        fields = {k: v for k, v in spec.items() if k not in ("code", "institutions")}
        cooperation, _ = Cooperation.objects.update_or_create(code=spec["code"], defaults=fields)
        cooperations[spec["code"]] = cooperation
        for key, name, short, kind, law, street, plz, city, phone, email in spec["institutions"]:
            institution = Institution.objects.filter(cooperation=cooperation, name=name).first()
            institution = institution or Institution(cooperation=cooperation, name=name)
            institution.short_name, institution.kind = short, kind
            institution.data_protection_law = law
            institution.street, institution.postal_code, institution.city = street, plz, city
            institution.phone, institution.email = phone, email
            institution.save()
            institutions[key] = institution

    users: dict[str, User] = {}
    for username, first, last, key, role in ACCOUNTS:
        user, created = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@kispfam.example",
                "institution": institutions[key],
                "role": role,
                # The demo's staff stand as their leads confirmed them.
                "confirmed_institution": institutions[key],
                "confirmed_role": role,
                "is_active": True,
            },
        )
        if created:
            user.password = hashed()
            user.save(update_fields=["password"])
        users[username] = user

    admin, created = User.objects.update_or_create(
        username=ADMIN_USERNAME,
        defaults={
            "first_name": "Admin",
            "last_name": "KispFam",
            "is_superuser": True,
            "email": "admin@kispfam.example",
            "institution": None,
        },
    )
    if created:
        admin.password = hashed()
        admin.save(update_fields=["password"])
    users[ADMIN_USERNAME] = admin
    for user in users.values():
        give_demo_authenticator(user)
    return DemoWorld(cooperations, institutions, users)


DEMO_DEVICE_NAME = "Demo"


def demo_totp_key() -> str:
    """``DEMO_TOTP_SECRET`` (base32, as authenticator apps and ``oathtool -b`` take it) as
    the hex key django-otp stores."""
    secret = settings.DEMO_TOTP_SECRET.strip().replace(" ", "").upper()
    try:
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    except binascii.Error as error:
        raise ValueError("DEMO_TOTP_SECRET must be base32 (A-Z, 2-7).") from error
    return key.hex()


def give_demo_authenticator(user: User) -> TOTPDevice:
    """Every demo account has an authenticator with the documented secret, so that the
    demo can be entered: ``oathtool --totp -b "$DEMO_TOTP_SECRET"`` prints the code."""
    device, _created = TOTPDevice.objects.update_or_create(
        user=user,
        name=DEMO_DEVICE_NAME,
        defaults={"key": demo_totp_key(), "confirmed": True},
    )
    return device


# The demo's story clock. The services stamp what they write with the moment of loading;
# a demo that should read like a year of work writes each step through the services and
# then dates the step's history rows (and only those) back to when it happened.


def days_ago(days: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A moment ``days`` before today, at a working hour in the local time zone."""
    day = timezone.localdate() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _history_models() -> list:
    return [
        model
        for model in apps.get_models()
        if any(field.name == "history_date" for field in model._meta.concrete_fields)
    ]


@contextmanager
def dated(when: datetime.datetime, *, by: User | None = None) -> Iterator[None]:
    """Every history row written inside the block says it was written at ``when`` (by
    ``by``, where no user was recorded: the demo has no request to take one from).

    The rows are found by their ids, which only grow, so that a block dates exactly the
    rows its own writes produced, of every app's historical models.
    """
    models = _history_models()
    marks = {m: m.objects.aggregate(last=Max("history_id"))["last"] or 0 for m in models}
    yield
    for model, mark in marks.items():
        rows = model.objects.filter(history_id__gt=mark)
        if by is not None:
            rows.filter(history_user__isnull=True).update(history_user=by)
        rows.update(history_date=when)
