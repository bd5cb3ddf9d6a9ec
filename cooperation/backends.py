"""Loading the signed-in user on every request, with what every page asks of it.

Every page names the user's institution in its header, asks in its navigation whether the
user reads the committee's papers, and checks the device that verified the session's
second factor. Django loads the session's user through the backend whose path the session
stored at login (``get_user``); the backends here load it with all three
(``User.objects.signed_in()``) in that one query, instead of three more on every request.
A session stored with another backend's path (e.g. Django's ``ModelBackend``, before this
one replaced it) is no longer signed in.
"""

import functools

from django.contrib.auth.backends import ModelBackend

from .models import User


@functools.cache
def _signed_in_users():
    """``User.objects.signed_in()``, built once per process: building its annotations
    cost about a sixth of a case list's CPU on every request. Each request filters a
    clone of it, as a class-based view does with its ``queryset``; the shared one is
    never evaluated."""
    return User.objects.signed_in()


class SignedInUserMixin:
    """``get_user`` for an authentication backend: ``User.objects.signed_in()``."""

    def get_user(self, user_id):
        try:
            return _signed_in_users().get(pk=user_id)
        except User.DoesNotExist:
            return None


class PasswordBackend(SignedInUserMixin, ModelBackend):
    """Django's password and permission backend (``ModelBackend``), with the same checks:
    an inactive user's session loads no user."""

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
