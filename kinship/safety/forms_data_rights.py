from django import forms

from kinship.safety.data_rights import PASSWORD_MAX_LENGTH, POST_CHOICES


class DeleteAccountForm(forms.Form):
    posts = forms.ChoiceField(
        choices=POST_CHOICES,
        widget=forms.RadioSelect,
        label="What should happen to your posts and replies?",
        error_messages={"required": "Choose whether to remove your posts or keep them as “Former member”."},
    )
    password = forms.CharField(
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        label="Your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password."},
    )
    otp = forms.CharField(
        max_length=40,
        label="Code from your authenticator app, or a recovery code",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
        error_messages={"required": "Enter a code from your authenticator app or a recovery code."},
    )

    def __init__(self, *args: object, needs_code: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not needs_code:
            del self.fields["otp"]
