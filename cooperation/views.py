"""The account pages: the second login step, enrolment of a second factor, backup codes,
the invitation link, and the lead's page of staff changes."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from common.access import require

from . import services, twofactor
from .forms import SecondFactorForm, SecondFactorSetupForm
from .permissions import (
    get_staff_change_for_user_or_404,
    may_read_staff_changes,
    staff_changes_visible_to,
)

NEW_BACKUP_CODES = "kispfam_new_backup_codes"


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(request: HttpRequest, name: str) -> str:
    url = reverse(name)
    next_url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    if next_url:
        url += "?" + urlencode({REDIRECT_FIELD_NAME: next_url})
    return url


@never_cache
@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """The second login step: a code from the app, a backup code, or a passkey."""
    user = request.user
    if twofactor.is_verified(request):
        return HttpResponseRedirect(_next_url(request))
    if not twofactor.has_device(user):
        return redirect(_with_next(request, "cooperation:second_factor_setup"))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = twofactor.verify(user, form.cleaned_data["otp_token"])
        if device is not None:
            # A new session key once the second factor is in (no fixation).
            request.session.cycle_key()
            otp_login(request, device)
            return HttpResponseRedirect(_next_url(request))
        if twofactor.throttled(user):
            form.add_error(
                "otp_token",
                _("Too many wrong codes: please wait a moment before the next try."),
            )
        else:
            form.add_error("otp_token", _("This code is not valid. Please try again."))
    return render(
        request,
        "cooperation/second_factor.html",
        {
            "form": form,
            "next": request.POST.get(REDIRECT_FIELD_NAME)
            or request.GET.get(REDIRECT_FIELD_NAME, ""),
            "has_passkey": WebAuthnCredential.objects.filter(user=user, confirmed=True).exists(),
        },
    )


@never_cache
@login_required
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: a QR code (and the secret to type), confirmed by a
    first code. At the first enrolment the person also gets backup codes."""
    user = request.user
    verified = twofactor.is_verified(request)
    if twofactor.has_device(user) and not verified:
        # Nobody adds a device on the strength of a password alone.
        return redirect(_with_next(request, "cooperation:second_factor"))
    device = twofactor.pending_totp(user)
    if device is None or request.method == "GET":
        device = twofactor.start_totp(user)
    form = SecondFactorSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        first = not twofactor.has_device(user)
        if twofactor.verify(user, form.cleaned_data["otp_token"], devices=[device]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            if not verified:
                request.session.cycle_key()
                otp_login(request, device)
            if first:
                request.session[NEW_BACKUP_CODES] = twofactor.new_backup_codes(user)
                return redirect(_with_next(request, "cooperation:backup_codes"))
            messages.success(request, _("The authenticator app is set up."))
            return redirect("cooperation:security")
        form.add_error("otp_token", _("This code is not valid. Please try again."))
    return render(
        request,
        "cooperation/second_factor_setup.html",
        {
            "form": form,
            "qr_code": twofactor.qr_code_svg(
                device.config_url, _("QR code for the authenticator app")
            ),
            "secret": twofactor.secret_base32(device),
            "next": request.POST.get(REDIRECT_FIELD_NAME)
            or request.GET.get(REDIRECT_FIELD_NAME, ""),
            "first": not twofactor.has_device(user),
        },
    )


@never_cache
@login_required
def backup_codes(request: HttpRequest) -> HttpResponse:
    """Backup codes for a lost phone: shown once, right after they are made."""
    if request.method == "POST":
        request.session[NEW_BACKUP_CODES] = twofactor.new_backup_codes(request.user)
        return redirect("cooperation:backup_codes")
    return render(
        request,
        "cooperation/backup_codes.html",
        {
            "codes": request.session.pop(NEW_BACKUP_CODES, None),
            "left": twofactor.backup_codes_left(request.user),
            "next": _next_url(request),
        },
    )


@never_cache
@login_required
def security(request: HttpRequest) -> HttpResponse:
    """One's own second factors: authenticator apps, backup codes left, passkeys."""
    user = request.user
    return render(
        request,
        "cooperation/security.html",
        {
            "apps": TOTPDevice.objects.filter(user=user, confirmed=True),
            "passkeys": WebAuthnCredential.objects.filter(user=user, confirmed=True),
            "backup_codes_left": twofactor.backup_codes_left(user),
        },
    )


@never_cache
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link: the person sets their own password, then enrols a second
    factor. Used once; valid ``INVITATION_VALID_HOURS``."""
    found = services.invitation_for_token(token)
    if found is None:
        return render(request, "cooperation/invitation_invalid.html", status=404)
    if not found.is_open() or not found.user.is_active:
        return render(request, "cooperation/invitation_invalid.html", status=410)
    form = SetPasswordForm(found.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token, password=form.cleaned_data["new_password1"]
            )
        except services.InvitationInvalid:
            return render(request, "cooperation/invitation_invalid.html", status=410)
        login(request, user, backend="cooperation.backends.PasswordBackend")
        messages.success(request, _("Your password is set. Now set up your second factor."))
        return redirect("cooperation:second_factor_setup")
    return render(request, "cooperation/invitation.html", {"form": form, "invitation": found})


@login_required
def staff_changes(request: HttpRequest) -> HttpResponse:
    """The lead's page: the staff changes of their institution, the requests waiting for
    their confirmation first (who asked, when)."""
    require(may_read_staff_changes(request.user))
    changes = staff_changes_visible_to(request.user)
    return render(
        request,
        "cooperation/staff_changes.html",
        {
            "pending": changes.pending(),
            "recent": changes.exclude(state="pending")[:100],
        },
    )


def _decide(request: HttpRequest, pk: int, decide, done: str) -> HttpResponse:
    access = get_staff_change_for_user_or_404(request.user, pk)
    require(access.may_decide)
    try:
        decide(access.change, request.user)
    except services.StaffChangeStale:
        messages.error(request, _("This change was decided already or is out of date."))
    else:
        messages.success(request, done)
    return redirect("cooperation:staff_changes")


@require_POST
@login_required
def staff_change_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda change, by: services.staff_change_confirm(change=change, confirmed_by=by),
        _("The role is confirmed: the account now sees its institution's cases."),
    )


@require_POST
@login_required
def staff_change_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda change, by: services.staff_change_decline(change=change, declined_by=by),
        _("The request is declined: the account sees no case. The coordination office is told."),
    )
