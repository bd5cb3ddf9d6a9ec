"""Single sign-on with OpenID Connect (mozilla-django-oidc), for Kreise that run
Keycloak, ADFS or Entra ID.

Off unless ``OIDC_ENABLED``: then the endpoints answer 404 and the backend authenticates
nobody. A sign-in is matched to an existing, active account by ``OIDC_MATCH_CLAIM``
(``email`` against the account's e-mail, any other claim against its username): the
identity provider never creates an account, the coordination office's invitation does.
When the ID token's ``amr`` names one of ``OIDC_MFA_AMR`` (RFC 8176, e.g. ``mfa``) or
its ``acr`` is one of ``OIDC_MFA_ACR``, the provider's second factor counts; otherwise
our own second factor follows, as after a password.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from .backends import SignedInUserMixin
from .twofactor import IDP_SECOND_FACTOR


def second_factor_asserted(claims: dict) -> bool:
    """Whether the ID token says the provider checked a second factor."""
    amr = claims.get("amr") or []
    amr = [amr] if isinstance(amr, str) else amr
    if set(map(str, amr)) & set(settings.OIDC_MFA_AMR):
        return True
    return str(claims.get("acr", "")) in set(settings.OIDC_MFA_ACR)


class OIDCBackend(SignedInUserMixin, OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # Listed in AUTHENTICATION_BACKENDS always: while single sign-on is off it must
        # not ask for the provider's settings, and it authenticates nobody.
        self.UserModel = get_user_model()
        if settings.OIDC_ENABLED:
            super().__init__(*args, **kwargs)

    def authenticate(self, request, **kwargs):
        if not settings.OIDC_ENABLED:
            return None
        return super().authenticate(request, **kwargs)

    def describe_user_by_claims(self, claims) -> str:
        return f"{settings.OIDC_MATCH_CLAIM} {claims.get(settings.OIDC_MATCH_CLAIM)}"

    def filter_users_by_claims(self, claims):
        value = claims.get(settings.OIDC_MATCH_CLAIM)
        if not value:
            return self.UserModel.objects.none()
        field = "email" if settings.OIDC_MATCH_CLAIM == "email" else "username"
        return self.UserModel.objects.filter(**{f"{field}__iexact": value}, is_active=True)

    def verify_claims(self, claims) -> bool:
        return bool(claims.get(settings.OIDC_MATCH_CLAIM))

    def create_user(self, claims):
        return None  # never: accounts are created by invitation only

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is not None:
            user.idp_second_factor = second_factor_asserted(payload)
        return user


class AuthenticateView(OIDCAuthenticationRequestView):
    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    @property
    def failure_url(self) -> str:
        return reverse("login")

    def login_failure(self):
        messages.error(
            self.request,
            _(
                "The sign-in through %(provider)s found no active KispFam account. The "
                "coordination office creates accounts; ask it to invite you."
            )
            % {"provider": settings.OIDC_PROVIDER_NAME},
        )
        return HttpResponseRedirect(self.failure_url)

    def login_success(self):
        response = super().login_success()
        if getattr(self.user, "idp_second_factor", False):
            self.request.session[IDP_SECOND_FACTOR] = self.user.pk
        else:
            self.request.session.pop(IDP_SECOND_FACTOR, None)
        return response

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404
        return super().get(request)


urlpatterns = [
    path("callback/", CallbackView.as_view(), name="oidc_authentication_callback"),
    path("authenticate/", AuthenticateView.as_view(), name="oidc_authentication_init"),
]
