from django.conf import settings
from django.http import HttpRequest

from .twofactor import is_verified


def accounts(request: HttpRequest) -> dict:
    """Single sign-on on the login page; the navigation only once the login is complete
    (a session that passed only the password sees the second step, nothing else)."""
    user = getattr(request, "user", None)
    complete = bool(
        user is not None
        and user.is_authenticated
        and (not user.needs_second_factor or is_verified(request))
    )
    return {
        "oidc_enabled": settings.OIDC_ENABLED,
        "oidc_provider": settings.OIDC_PROVIDER_NAME,
        "login_complete": complete,
    }
