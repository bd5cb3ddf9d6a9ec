"""No page but the login steps until a staff session passed its second factor."""

import functools

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from .twofactor import IDP_SECOND_FACTOR, has_device

# What a session that passed only the password may reach: the login steps themselves, the
# invitation, the language switch, and the passkey ceremonies (django-otp-webauthn checks
# on its own that a passkey is registered only by someone who has no second factor yet or
# has passed it).
BEFORE_SECOND_FACTOR = frozenset(
    {
        "login",
        "logout",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "set_language",
        "cooperation:second_factor",
        "cooperation:second_factor_setup",
        "cooperation:invitation",
        "oidc_authentication_init",
        "oidc_authentication_callback",
    }
)
BEFORE_SECOND_FACTOR_NAMESPACES = frozenset({"otp_webauthn"})


class SecondFactorMiddleware(OTPMiddleware):
    """django-otp's middleware (``request.user.otp_device``, ``is_verified()``), which
    also counts a second factor the identity provider asserted at single sign-on, and
    which sends a signed-in person who needs a second factor and has not passed it to the
    second step (or to enrolment, when they have no device yet)."""

    sync_capable = True
    async_capable = False

    def _verify_user_sync(self, request, user):
        user = self._verify_device(request, user)
        if (
            user.is_authenticated
            and user.otp_device is None
            and request.session.get(IDP_SECOND_FACTOR) == user.pk
        ):
            user.is_verified = lambda: True
        return user

    def _verify_device(self, request, user):
        """django-otp's check, with the device the session was verified with looked up
        among the confirmed devices that came with the user (``User.objects.signed_in()``)
        instead of a query of its own on every request. As in django-otp, a device that is
        gone, unconfirmed or another user's verifies nothing and is dropped from the
        session; the device itself is loaded only where someone reads it."""
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        confirmed = getattr(user, "confirmed_devices", None)
        if not (user.is_authenticated and persistent_id and confirmed is not None):
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        persistent_id = self._normalize_persistent_id(persistent_id)
        if f",{persistent_id}," in confirmed:
            user.otp_device = SimpleLazyObject(
                functools.partial(Device.from_persistent_id, persistent_id)
            )
        else:
            user.otp_device = self._finalize_device(request, user, None)
        return user

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or not user.needs_second_factor or user.is_verified():
            return None
        match = request.resolver_match
        if match.view_name in BEFORE_SECOND_FACTOR or (
            match.namespace in BEFORE_SECOND_FACTOR_NAMESPACES
        ):
            return None
        step = "second_factor" if has_device(user) else "second_factor_setup"
        return redirect_to_login(request.get_full_path(), reverse(f"cooperation:{step}"))
