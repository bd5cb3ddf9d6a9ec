"""Second factors in tests: a real TOTP device per user and the codes it accepts.

``conftest.py`` makes ``Client.force_login`` mark the session as verified by the user's
test device (as django-otp does after a real second step), so the suite's thousands of
view tests run with enforcement on. Tests of the second factor itself log in through the
forms and type real codes (``next_token``).
"""

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

TEST_DEVICE = "Test-App"


def totp_device(user) -> TOTPDevice:
    """The user's confirmed authenticator: the demo's or a test one (made on first use)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TEST_DEVICE, confirmed=True)


def next_token(device: TOTPDevice) -> str:
    """A code ``device`` accepts now: the current one, or (when a login in this time step
    used it already) the next within the device's tolerance; else wait for the next step."""
    while True:
        device.refresh_from_db()
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        current = totp.t()
        t = max(current, device.last_t + 1)
        if t <= current + device.tolerance:
            return f"{hotp(device.bin_key, t, device.digits):0{device.digits}d}"
        time.sleep(device.step - (totp.time - device.t0) % device.step + 0.1)


def mark_verified(client: Client, user) -> None:
    """What a passed second step leaves in the session: the verifying device's id."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()
