"""Checking what the German interface says: the catalogue's text for a msgid."""

from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext


def german(msgid: str, **params) -> str:
    """The German text of ``msgid``; fails when the German catalogue lacks it."""
    with translation.override("de"):
        text = gettext(msgid)
    assert text != msgid, f"no German translation for {msgid!r}"
    return text % params if params else text


def label(msgid) -> str:
    """What the German UI shows for ``msgid`` (the msgid itself while untranslated)."""
    with translation.override("de"):
        return gettext(msgid) if isinstance(msgid, str) else str(msgid)


def assert_german_error(response, field: str | None, msgid: str, **params) -> None:
    """The form was refused with ``msgid`` in German at ``field`` (None: the whole form)."""
    assert response.status_code == 400
    form = response.context["form"]
    errors = form.non_field_errors() if field is None else form.errors.get(field, [])
    message = german(msgid, **params)
    assert message in errors, f"{message!r} is not among the errors {errors}"
    assert escape(message) in response.content.decode()
