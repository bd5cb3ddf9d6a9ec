"""Second factors (django-otp): an authenticator app (TOTP), backup codes, passkeys.

BSI IT-Grundschutz asks for two factors on every login to social data: the password, then
a code from the person's authenticator app, one of their backup codes, or a passkey
(django-otp-webauthn). A session counts as verified when django-otp verified a device in
it, or when the organisation's identity provider asserted a second factor at a single
sign-on (``IDP_SECOND_FACTOR``; see ``cooperation.oidc``).
"""

import base64
import re
from html import escape

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import device_classes, devices_for_user, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

# The session key that records a second factor asserted by the IdP (the user's pk).
IDP_SECOND_FACTOR = "kispfam_idp_second_factor"

TOTP_TOKEN = re.compile(r"^\d{6}$")


def is_verified(request: HttpRequest) -> bool:
    """Whether the session passed a second factor (``SecondFactorMiddleware`` installs
    ``user.is_verified``; without it, nothing is verified)."""
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


def has_device(user) -> bool:
    return user_has_device(user, confirmed=True)


def start_totp(user) -> TOTPDevice:
    """A new authenticator for ``user``, unconfirmed until a first code from it is
    entered; a previous unconfirmed one is replaced."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator-App", confirmed=False)


def pending_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def qr_code_svg(text: str, label: str) -> str:
    """``text`` as an inline SVG QR code (no script, no style attribute: our CSP)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    svg = image.to_string(encoding="unicode")
    return svg.replace("<svg ", f'<svg class="qr-code" role="img" aria-label="{escape(label)}" ', 1)


def secret_base32(device: TOTPDevice) -> str:
    """The secret as the base32 text an authenticator app accepts typed in."""
    return base64.b32encode(device.bin_key).decode()


@transaction.atomic
def verify(user, token: str, devices: list[Device] | None = None) -> Device | None:
    """The device of ``user`` that accepts ``token``, or None.

    A six-digit token is tried on the authenticator apps only, anything else on the
    backup codes: so that a code typed for one never counts as a failure (and a throttle
    step) against the other.
    """
    token = re.sub(r"\s+", "", token or "")
    if not token:
        return None
    if devices is None:
        model = TOTPDevice if TOTP_TOKEN.match(token) else StaticDevice
        devices = list(model.objects.devices_for_user(user, confirmed=True).select_for_update())
        token = token if model is TOTPDevice else token.lower()
    for device in devices:
        allowed, _details = device.verify_is_allowed()
        if allowed and device.verify_token(token):
            return device
    return None


def throttled(user) -> bool:
    """Whether every device that could take a token is throttled after failures."""
    devices = [d for d in devices_for_user(user) if isinstance(d, TOTPDevice | StaticDevice)]
    return bool(devices) and not any(d.verify_is_allowed()[0] for d in devices)


@transaction.atomic
def new_backup_codes(user) -> list[str]:
    """Fresh backup codes for ``user``; the previous ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="Ersatzcodes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.OTP_BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def remove_all(user) -> int:
    """Remove every second factor of ``user`` (a lost phone or key): they enrol again."""
    removed = 0
    for model in device_classes():
        removed += model.objects.filter(user=user).delete()[0]
    return removed


def device_summary(user) -> list[Device]:
    return list(devices_for_user(user, confirmed=True))
