from django import forms
from django.contrib.auth.forms import UsernameField
from django.utils.translation import gettext_lazy as _

from .models import User


class SecondFactorForm(forms.Form):
    """The second login step: a code from the authenticator app or a backup code."""

    otp_token = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_(
            "The six-digit code your authenticator app shows, or one of your backup codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class SecondFactorSetupForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code from the app"),
        max_length=10,
        help_text=_("Enter the six-digit code the app shows now, to confirm it is set up."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


class StaffInvitationForm(forms.ModelForm):
    """A new staff account as the coordination office enters it: name, e-mail,
    institution and role. No password: the person sets their own through the invitation."""

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "institution", "role"]
        field_classes = {"username": UsernameField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email", "institution"):
            self.fields[name].required = True
        self.fields["email"].help_text = _(
            "The invitation goes to this address; the institution's lead sees it when "
            "confirming the role."
        )
