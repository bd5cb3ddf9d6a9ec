"""Form plumbing: ids that can exist, and the one-time submission token."""

import pytest
from django import forms
from django.contrib.auth.models import Group

from common.forms import (
    MAX_ID,
    SUBMISSION_FIELD,
    IdsInRangeMixin,
    OneTimeSubmissionMixin,
    parse_id,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        (" 42 ", 42),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("9" * 40, None),
        ("0", None),
        ("-3", None),
        ("1e3", None),
        ("١٢", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_id_accepts_only_ids_that_can_exist(value, expected):
    assert parse_id(value) == expected


class GroupsForm(IdsInRangeMixin, forms.Form):
    one = forms.ModelChoiceField(queryset=Group.objects.all(), required=False)
    many = forms.ModelMultipleChoiceField(queryset=Group.objects.all(), required=False)


@pytest.mark.django_db
def test_an_id_beyond_64_bits_is_an_invalid_choice_not_a_database_error():
    form = GroupsForm({"one": "9" * 30, "many": ["1", "9" * 30]})
    assert not form.is_valid()
    errors = form.errors.as_data()
    assert errors["one"][0].code == "invalid_choice"
    assert errors["many"][0].code == "invalid_pk_value"


@pytest.mark.django_db
def test_ids_that_exist_are_still_chosen():
    group = Group.objects.create(name="Jugendamt")
    form = GroupsForm({"one": str(group.pk), "many": [str(group.pk)]})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["one"] == group
    assert list(form.cleaned_data["many"]) == [group]


class NoteForm(OneTimeSubmissionMixin, forms.Form):
    text = forms.CharField()


def test_every_unbound_form_gets_a_fresh_token():
    first, second = NoteForm(), NoteForm()
    assert first[SUBMISSION_FIELD].value() != second[SUBMISSION_FIELD].value()
    assert len(first[SUBMISSION_FIELD].value()) >= 32
    assert first[SUBMISSION_FIELD].is_hidden


def test_a_bound_form_keeps_the_token_it_was_sent_with():
    form = NoteForm({"text": "x", SUBMISSION_FIELD: "abc_DEF-123"})
    assert form.is_valid()
    assert form.submission_token == "abc_DEF-123"


def test_a_form_without_a_token_is_accepted_and_a_strange_token_refused():
    assert NoteForm({"text": "x"}).submission_token == ""
    assert NoteForm({"text": "x"}).is_valid()
    assert not NoteForm({"text": "x", SUBMISSION_FIELD: "<script>"}).is_valid()
