"""Form plumbing that every app's forms share.

- ``OneTimeSubmissionMixin``: a hidden one-time token per rendered form, so that a form
  sent twice (a double click, a resent POST, two tabs, a flaky connection) creates one
  record. The view claims the token with ``claim_once`` in the transaction that creates
  the record; the claim is a row under a unique constraint, so two simultaneous requests
  are serialised by the database and the second creates nothing.
- ``IdsInRangeMixin``: choices by id refuse ids beyond the database's 64-bit integers
  with the field's own "invalid choice" message, before a query is built (SQLite raises
  ``OverflowError`` on such a number, which would be a 500).
- ``parse_id``: the same rule for an id read from a query string.
"""

import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import IntegrityError, models, transaction

# The largest value of a 64-bit signed integer column (PostgreSQL bigint, SQLite INTEGER).
MAX_ID = 2**63 - 1
SUBMISSION_FIELD = "submission"


def parse_id(value: object) -> int | None:
    """``value`` as a database id (1 … 2**63-1), or None when it is none."""
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def new_submission_token() -> str:
    return secrets.token_urlsafe(24)


class OneTimeSubmissionMixin:
    """Adds the hidden ``submission`` field: a fresh token on every unbound form.

    A bound form keeps the token it was sent with, so a form refused for an error and
    sent again (corrected) still counts as the one submission. A POST without a token
    (an old page, a script) is accepted and simply not deduplicated.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[SUBMISSION_FIELD] = forms.CharField(
            widget=forms.HiddenInput,
            required=False,
            max_length=64,
            validators=[RegexValidator(r"^[A-Za-z0-9_-]*$")],
        )
        if not self.is_bound:
            self.initial[SUBMISSION_FIELD] = new_submission_token()

    @property
    def submission_token(self) -> str:
        """The validated token ("" when none was sent)."""
        return getattr(self, "cleaned_data", {}).get(SUBMISSION_FIELD) or ""


def claim_once(model: type[models.Model], token: str, **fields):
    """Claim ``token`` in ``model`` (a table whose ``token`` is unique), inside the caller's
    transaction. Returns ``(claim, True)`` for the first submission, ``(earlier, False)``
    when the token was claimed before (``earlier`` may be None: claimed by someone else).

    On PostgreSQL a second, simultaneous request waits at the insert until the first
    commits and then finds the token taken; if the first rolls back, the second goes on.
    Without a token the claim is an unsaved row: nothing is deduplicated.
    """
    if not token:
        return model(token="", **fields), True
    try:
        with transaction.atomic():
            return model.objects.create(token=token, **fields), True
    except IntegrityError:
        earlier = model.objects.filter(token=token, **fields).first()
        return earlier, False


def _fits(value, field: models.Field) -> bool:
    if not isinstance(field, models.IntegerField | models.AutoField):
        return True
    return parse_id(value) is not None


class _BoundedChoice:
    def _target_field(self) -> models.Field:
        model = self.queryset.model
        return model._meta.get_field(self.to_field_name) if self.to_field_name else model._meta.pk

    def _check_fits(self, value) -> None:
        if value in self.empty_values:
            return
        if not _fits(value, self._target_field()):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": str(value)[:40]},
            )


class BoundedModelChoiceField(_BoundedChoice, forms.ModelChoiceField):
    def to_python(self, value):
        if not isinstance(value, models.Model):
            self._check_fits(value)
        return super().to_python(value)


class BoundedModelMultipleChoiceField(_BoundedChoice, forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        if isinstance(value, list | tuple):
            for item in value:
                if not isinstance(item, models.Model):
                    try:
                        self._check_fits(item)
                    except ValidationError:
                        raise ValidationError(
                            self.error_messages["invalid_pk_value"],
                            code="invalid_pk_value",
                            params={"pk": str(item)[:40]},
                        ) from None
        return super()._check_values(value)


class IdsInRangeMixin:
    """Every model choice of the form checks that a sent id can exist at all."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Same state, stricter clean: the subclasses add no attributes.
            if type(field) is forms.ModelMultipleChoiceField:
                field.__class__ = BoundedModelMultipleChoiceField
            elif type(field) is forms.ModelChoiceField:
                field.__class__ = BoundedModelChoiceField
