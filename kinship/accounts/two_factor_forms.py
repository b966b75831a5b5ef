from django import forms

from kinship.accounts.two_factor import CODE_MAX_LENGTH

CODE_HELP = "The 6-digit code your authenticator app shows now, or one of your recovery codes."


def code_field(*, label: str = "Code", help_text: str = CODE_HELP) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=CODE_MAX_LENGTH,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "off"}
        ),
    )


class CodeForm(forms.Form):
    otp = code_field()


class ConfirmForm(forms.Form):
    otp = code_field(label="Code from the app", help_text="The 6-digit code your authenticator app shows now.")


class DisableForm(forms.Form):
    password = forms.CharField(
        strip=False, max_length=256, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    otp = code_field()
