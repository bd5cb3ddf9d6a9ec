"""The access matrix: every URL of the project against every persona.

``ROWS`` declares, for each named URL pattern, how to build a concrete URL and what each
persona gets. ``tests/test_url_auth.py`` walks the URL configuration and fails for any
pattern that has no row here, so a new URL cannot ship without its access expectations.
Later issues add their rows (and personas) in this file.

Expectations: an HTTP status, or ``LOGIN`` (redirect to the login page) or ``ADMIN_LOGIN``
(redirect to the admin login page).
"""

from conferences import services as conference_services
from outbox.models import OutboxMessage
from tests.matrix_base import (  # noqa: F401 (re-exported for the apps' matrix modules)
    ADMIN_LOGIN,
    CASEWORKERS,
    LOGIN,
    PERSONAS,
    STAFF,
    Row,
    everyone,
    signed_in,
)

ROWS: list[Row] = [
    Row("dashboard", signed_in(200)),
    Row("login", everyone(200)),
    Row("logout", everyone(405)),
    Row("password_change", signed_in(200)),
    Row("password_change_done", signed_in(200)),
    Row("password_reset", everyone(200)),
    Row("password_reset_done", everyone(200)),
    Row(
        "password_reset_confirm",
        everyone(200),
        kwargs=lambda world: {"uidb64": "MQ", "token": "set-password"},
    ),
    Row("password_reset_complete", everyone(200)),
    Row("set_language", everyone(302)),
    # The admin is the coordination office's back office: no caseworker gets in.
    Row(
        "admin:index",
        {
            "anonymous": ADMIN_LOGIN,
            **dict.fromkeys(CASEWORKERS, ADMIN_LOGIN),
            "data_protection_officer": ADMIN_LOGIN,
            "coordination_office": 200,
            "lindenbrueck_coordination": 200,
            "superuser": 200,
        },
    ),
]

# Cases. The world's case HS-2026-0001 is led by Jugendamt Erkelenz; the mother "Sabine
# Beispiel" is Erkelenz's master data, her substitution ("Polamidon") the health data of
# the Gesundheitsamt. Consents: Erkelenz → Caritas and Gesundheitsamt (master, family;
# with a scan), Gesundheitsamt → Erkelenz (health), Erkelenz → Diakonie (revoked),
# Erkelenz → Kreisjugendamt (expired yesterday), Erkelenz → Gesundheitsamt (requested).
LEAD = ("erkelenz_caseworker", "erkelenz_lead")
NO_CASE = (
    "diakonie_caseworker",
    "kreisjugendamt_caseworker",
    "uninvolved_caseworker",
    "coordination_office",
    "data_protection_officer",
    "lindenbrueck_coordination",
)
SABINE = (lambda world: "Sabine", NO_CASE)
POLAMIDON = (lambda world: "Polamidon", (*NO_CASE, "caritas_caseworker"))


def case_row(name, lead, gesundheitsamt, caritas, superuser, **options) -> Row:
    """Rows of a case URL: anyone who does not see the case at all gets a 404."""
    expect = {
        "anonymous": LOGIN,
        **dict.fromkeys(LEAD, lead),
        "gesundheitsamt_caseworker": gesundheitsamt,
        "caritas_caseworker": caritas,
        **dict.fromkeys(NO_CASE, 404),
        "superuser": superuser,
    }
    options.setdefault("kwargs", lambda world: {"reference": world["case"].reference})
    return Row(name, expect, **options)


def record_kwargs(key):
    return lambda world: {"reference": world["case"].reference, "pk": world[key].pk}


# Recording is for the lead and involved institutions; steering for the lead only.
RECORDING = {"lead": 200, "gesundheitsamt": 200, "caritas": 403, "superuser": 403}
STEERING = {"lead": 200, "gesundheitsamt": 403, "caritas": 403, "superuser": 403}
ROWS += [
    Row(
        "cases:list",
        signed_in(200),
        secret=lambda world: world["case"].reference,
        hidden_from=NO_CASE,
    ),
    Row(
        "cases:open",
        {
            **signed_in(200),
            **dict.fromkeys(
                (
                    "coordination_office",
                    "data_protection_officer",
                    "lindenbrueck_coordination",
                    "superuser",
                ),
                403,
            ),
        },
    ),
    Row("cases:notifications", signed_in(200)),
    Row(
        "cases:access_log_lookup",
        {**signed_in(403), "data_protection_officer": 200, "superuser": 200},
    ),
    case_row(
        "cases:detail",
        200,
        200,
        200,
        200,
        secret=SABINE[0],
        hidden_from=SABINE[1],
        more_secrets=(POLAMIDON,),
    ),
    case_row("cases:edit", **STEERING),
    # The access log names who read the case, never the family.
    Row(
        "cases:access_log",
        {
            "anonymous": LOGIN,
            "erkelenz_caseworker": 403,
            "erkelenz_lead": 200,
            "gesundheitsamt_caseworker": 403,
            "caritas_caseworker": 403,
            **dict.fromkeys(NO_CASE, 404),
            "data_protection_officer": 200,
            "superuser": 200,
        },
        kwargs=lambda world: {"reference": world["case"].reference},
        secret=lambda world: "Sabine",
        hidden_from=tuple(PERSONAS),
    ),
    case_row("cases:member_add", **RECORDING),
    case_row(
        "cases:member_edit",
        **{**RECORDING, "gesundheitsamt": 403},
        kwargs=record_kwargs("mother"),
    ),
    case_row("cases:health_edit", **RECORDING, kwargs=record_kwargs("mother")),
    case_row("cases:involvement_add", **STEERING),
    case_row("cases:involvement_edit", **STEERING, kwargs=record_kwargs("involvement")),
    case_row("cases:note_add", **RECORDING),
    case_row("cases:disclosure_add", **RECORDING),
    case_row("cases:consent_add", **RECORDING),
    case_row("cases:consent_give", **STEERING, kwargs=record_kwargs("requested")),
    case_row(
        "cases:consent_refuse",
        **{**STEERING, "lead": 302},
        kwargs=record_kwargs("requested"),
        method="post",
    ),
    case_row("cases:consent_correct", **STEERING, kwargs=record_kwargs("consent")),
    # Revocation: the source, the lead and every recipient may record it.
    case_row(
        "cases:consent_revoke",
        200,
        200,
        200,
        403,
        kwargs=record_kwargs("consent"),
    ),
    # The form and the scan: whoever reads the released institution's master data.
    case_row("cases:consent_pdf", 200, 200, 200, 200, kwargs=record_kwargs("consent")),
    case_row("cases:consent_scan", 200, 200, 200, 200, kwargs=record_kwargs("consent")),
]

# Pseudonymised consultation and the guided disclosure. The Gesundheitsamt asked the
# Kreisjugendamt's specialist (the Kreisjugendamt caseworker, whose institution no longer
# sees the case) about "Familie K.": the specialist reads that consultation and nothing
# of the case, neither its reference nor a name. On the case the consultation is the
# Gesundheitsamt's datum on the family situation, released to nobody. The Gesundheitsamt
# then disclosed to Erkelenz under §4 KKG, after the steps (``FAMILY_WORK``); the record
# is read by both institutions. Erkelenz's lead designates Erkelenz's specialists.
PSEUDONYM = "Familie K."
CONSULTATION_SUMMARY = "Mutter (35) in Substitution, Kind (6) oft allein zu Hause."
FAMILY_WORK = "Drei Gespräche mit der Mutter über eine Familienhilfe."
NOT_THE_CASE = (
    (lambda world: world["case"].reference, tuple(PERSONAS)),
    (lambda world: "Sabine", tuple(PERSONAS)),
)
ROWS += [
    Row(
        "cases:consultation_inbox",
        signed_in(200),
        kwargs=lambda world: (world["consultation"], {})[1],
        secret=lambda world: PSEUDONYM,
        hidden_from=tuple(p for p in PERSONAS if p != "kreisjugendamt_caseworker"),
        more_secrets=NOT_THE_CASE,
    ),
    Row(
        "cases:consultation_advise",
        {**signed_in(404), "kreisjugendamt_caseworker": 200},
        kwargs=lambda world: {"pk": world["consultation"].pk},
        secret=lambda world: CONSULTATION_SUMMARY,
        more_secrets=NOT_THE_CASE,
    ),
    Row("cases:specialists", {**signed_in(403), "erkelenz_lead": 200}),
    Row(
        "cases:specialist_end",
        {**signed_in(403), "erkelenz_lead": 302},
        kwargs=lambda world: {"pk": world["erkelenz_specialist"].pk},
        method="post",
    ),
    case_row("cases:consultation_add", **RECORDING),
    case_row(
        "cases:consultation",
        403,
        200,
        403,
        200,
        kwargs=record_kwargs("consultation"),
        secret=lambda world: CONSULTATION_SUMMARY,
    ),
    case_row(
        "cases:consultation_outcome", 403, 200, 403, 403, kwargs=record_kwargs("consultation")
    ),
    case_row(
        "cases:disclosure",
        200,
        200,
        403,
        200,
        kwargs=record_kwargs("disclosure"),
        secret=lambda world: FAMILY_WORK,
    ),
]

# Admin patterns are checked wholesale: every one of them (but the login page) sends
# anonymous users and every non-staff persona to the admin login. What the coordination
# office may do inside is tested in cooperation/tests/test_admin.py.
ADMIN_PUBLIC = {"admin:login", "admin:logout"}

# Conferences. The world's case gets Beteiligtenkonferenzen (built on first use) organised
# by the Erkelenz caseworker: "planned" (Caritas and the mother invited), "held" (draft
# minutes whose health item mentions the "Methadonpraxis"), "circulated", "approved". The
# consent Erkelenz → Caritas and Gesundheitsamt releases the conference protocols, not
# Erkelenz's health data: both see the meetings without the health section. Heinsberg has
# a committee; the Erkelenz caseworker chairs it and holds a calendar token.
METHADON = (
    lambda world: "Methadonpraxis",
    (*NO_CASE, "caritas_caseworker", "gesundheitsamt_caseworker"),
)


def meeting_row(name, key, lead, gesundheitsamt, caritas, superuser, **options) -> Row:
    """Rows of a meeting URL: whoever does not see the meeting gets a 404."""
    expect = {
        "anonymous": LOGIN,
        **(lead if isinstance(lead, dict) else dict.fromkeys(LEAD, lead)),
        "gesundheitsamt_caseworker": gesundheitsamt,
        "caritas_caseworker": caritas,
        **dict.fromkeys(NO_CASE, 404),
        "superuser": superuser,
    }
    options.setdefault("kwargs", lambda world: {"pk": world[key].pk})
    return Row(name, expect, **options)


ORGANISING = {"lead": 200, "gesundheitsamt": 403, "caritas": 403, "superuser": 403}
READING = {"lead": 200, "gesundheitsamt": 200, "caritas": 200, "superuser": 200}
ROWS += [
    Row(
        "conferences:list",
        signed_in(200),
        kwargs=lambda world: (world["planned"], {})[1],
        secret=lambda world: world["case"].reference,
        hidden_from=NO_CASE,
    ),
    case_row("conferences:conference_new", **STEERING),
    Row(
        "conferences:sitting_new",
        {
            **signed_in(403),
            "coordination_office": 200,
            "lindenbrueck_coordination": 404,  # no committee in Lindenbrück
        },
    ),
    Row("conferences:calendar", signed_in(200)),
    # The token is the credential (calendar apps have no session); no family data in it.
    Row(
        "conferences:feed",
        everyone(200),
        kwargs=lambda world: (world["planned"], {"token": world["token"].token})[1],
        secret=lambda world: "Sabine",
        hidden_from=tuple(PERSONAS),
    ),
    meeting_row("conferences:detail", "held", **READING, more_secrets=(METHADON,)),
    meeting_row("conferences:edit", "planned", **ORGANISING),
    meeting_row("conferences:participant_add", "planned", **ORGANISING),
    meeting_row("conferences:agenda_add", "planned", **ORGANISING),
    meeting_row(
        "conferences:letter",
        "planned",
        **ORGANISING,
        kwargs=lambda world: {
            "pk": world["planned"].pk,
            "participant": world["family_participant"].pk,
        },
    ),
    meeting_row("conferences:invite", "planned", **{**ORGANISING, "lead": 302}, method="post"),
    meeting_row("conferences:cancel", "planned", **ORGANISING),
    # Calendar files never name the family.
    meeting_row(
        "conferences:ics",
        "planned",
        **READING,
        secret=lambda world: "Sabine",
        hidden_from=tuple(PERSONAS),
    ),
    meeting_row("conferences:attendance", "planned", **ORGANISING),
    meeting_row("conferences:minutes", "held", **ORGANISING, more_secrets=(METHADON,)),
    meeting_row("conferences:circulate", "held", **{**ORGANISING, "lead": 302}, method="post"),
    # Approval is the organiser's alone, not the whole lead institution's.
    meeting_row(
        "conferences:approve",
        "circulated",
        {"erkelenz_caseworker": 302, "erkelenz_lead": 403},
        403,
        403,
        403,
        method="post",
    ),
    # Comments: the participants (Caritas) and the organising institution.
    meeting_row("conferences:comment", "circulated", 302, 403, 302, 403, method="post"),
    meeting_row("conferences:amend", "approved", **ORGANISING),
    meeting_row("conferences:pdf", "approved", **READING),
    meeting_row("conferences:action_add", "held", **ORGANISING),
    # The responsible institution (Caritas) records progress, as does the organiser.
    meeting_row(
        "conferences:action_update",
        "action",
        200,
        403,
        200,
        403,
    ),
]


# Operations. The load balancer's health probe answers everyone and carries no data. The
# outbox: inviting to the world's planned conference queues e-mails of Heinsberg's
# cooperation (to the organiser at Erkelenz and to Caritas). Its coordination office and
# the superuser read them, by the listed subject, never by the case reference or an
# address; Lindenbrück's office reads its own (empty) outbox; everybody else gets a 403.
# "Send again" is for an e-mail whose sending failed.
def _outbox_message(world):
    if "outbox_message" not in world:
        conference_services.meeting_invite(meeting=world["planned"])
        world["outbox_message"] = OutboxMessage.objects.filter(
            cooperation=world["case"].cooperation
        ).latest("pk")
    return world["outbox_message"]


def _failed_outbox_message(world) -> dict:
    message = _outbox_message(world)
    message.state = message.State.FAILED
    message.save(update_fields=["state"])
    return {"pk": message.pk}


ROWS += [
    Row("health", everyone(200)),
    Row(
        "outbox:list",
        {
            **signed_in(403),
            "coordination_office": 200,
            "lindenbrueck_coordination": 200,
            "superuser": 200,
        },
        kwargs=lambda world: (_outbox_message(world), {})[1],
        secret=lambda world: _outbox_message(world).listed_subject,
        hidden_from=("lindenbrueck_coordination",),
        more_secrets=(
            (lambda world: world["case"].reference, tuple(PERSONAS)),
            (lambda world: _outbox_message(world).content["to"][0], tuple(PERSONAS)),
        ),
    ),
    Row(
        "outbox:resend",
        {**signed_in(404), "coordination_office": 302, "superuser": 302},
        kwargs=_failed_outbox_message,
        method="post",
    ),
]


# Accounts. Every persona but password_only has passed both factors. The world's
# coordination office invited "Paula Neu" as a caseworker of Erkelenz: her role waits for
# the Erkelenz lead's confirmation ("staff_change"); her invitation link carries the token
# "einladung-123". Single sign-on is off (404). The passkey endpoints take POSTs only.
NEW_COLLEAGUE = "Paula Neu"
ROWS += [
    Row(
        "cooperation:second_factor",
        {**signed_in(302), "password_only": 200},
    ),
    # Enrolment with a password alone only for whoever has no second factor yet.
    Row(
        "cooperation:second_factor_setup",
        {**signed_in(200), "password_only": 302},
    ),
    Row("cooperation:backup_codes", signed_in(200)),
    Row("cooperation:security", signed_in(200)),
    Row(
        "cooperation:invitation",
        everyone(200),
        kwargs=lambda world: (world["invitation"], {"token": "einladung-123"})[1],
    ),
    Row(
        "cooperation:staff_changes",
        {**signed_in(403), "erkelenz_lead": 200, "superuser": 200},
        kwargs=lambda world: (world["staff_change"], {})[1],
        secret=lambda world: NEW_COLLEAGUE,
    ),
    Row(
        "cooperation:staff_change_confirm",
        {**signed_in(404), "erkelenz_lead": 302, "superuser": 302},
        kwargs=lambda world: {"pk": world["staff_change"].pk},
        method="post",
    ),
    Row(
        "cooperation:staff_change_decline",
        {**signed_in(404), "erkelenz_lead": 302, "superuser": 302},
        kwargs=lambda world: {"pk": world["staff_change"].pk},
        method="post",
    ),
    # A passkey is registered by someone signed in who passed the second factor, or has
    # none yet.
    Row(
        "otp_webauthn:credential-registration-begin",
        {**everyone(405), "anonymous": 403, "password_only": 403},
    ),
    Row(
        "otp_webauthn:credential-registration-complete",
        {**everyone(405), "anonymous": 403, "password_only": 403},
    ),
    # Passkeys are a second factor only: no passwordless login for anonymous visitors.
    Row(
        "otp_webauthn:credential-authentication-begin",
        {**everyone(405), "anonymous": 403, "password_only": 405},
    ),
    Row(
        "otp_webauthn:credential-authentication-complete",
        {**everyone(405), "anonymous": 403, "password_only": 405},
    ),
    Row("otp_webauthn:js-i18n-catalog", everyone(200)),
    Row("oidc_authentication_init", everyone(404)),
    Row("oidc_authentication_callback", everyone(404)),
]


# The cooperation layer's apps keep their rows in their own modules.
from tests import (  # noqa: E402
    matrix_agreements,
    matrix_case_record,
    matrix_concept,
    matrix_meetings_work,
    matrix_oparl,
    matrix_privacy,
    matrix_reports,
    matrix_worklist,
)

for _module in (
    matrix_agreements,
    matrix_concept,
    matrix_oparl,
    matrix_reports,
    matrix_privacy,
    matrix_worklist,
    matrix_case_record,
    matrix_meetings_work,
):
    ROWS += _module.ROWS
