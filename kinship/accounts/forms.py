from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.core.validators import MaxLengthValidator

from kinship.accounts.models import User
from kinship.accounts.services import PASSWORD_MAX_LENGTH


class SignUpForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    display_name = forms.CharField(
        max_length=60,
        help_text="How other members see you. You can use a first name or a nickname.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    password = forms.CharField(
        strip=False,
        help_text="At least 8 characters; not a common password.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    role = forms.ChoiceField(
        choices=[
            (User.PATIENT, "I am recovering from bone tumor surgery"),
            (User.CAREGIVER, "I care for someone who is"),
        ],
        widget=forms.RadioSelect,
        label="Which fits you best?",
    )
    accept_terms = forms.BooleanField(
        label="I accept the terms of use and the privacy notice",
        required=False,
    )


class SignInForm(forms.Form):
    email = forms.CharField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        strip=False, max_length=256, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


VISIBILITY = forms.RadioSelect


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=60)
    bio = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="A few words, at most 500 characters."
    )
    avatar = forms.ImageField(
        required=False, help_text="Optional. PNG, JPEG or WebP, at most 2 MB. Without one, your initials are shown."
    )
    remove_avatar = forms.BooleanField(required=False, label="Remove my picture")
    diagnosis = forms.CharField(required=False, max_length=120)
    diagnosis_visibility = forms.ChoiceField(choices=User.VISIBILITY_CHOICES, label="Who sees my diagnosis")
    surgery_type = forms.ChoiceField(choices=[("", "Prefer not to say"), *User.SURGERY_CHOICES], required=False)
    surgery_type_visibility = forms.ChoiceField(choices=User.VISIBILITY_CHOICES, label="Who sees my surgery type")
    body_site = forms.CharField(required=False, max_length=80, help_text="For example: left femur, right knee, pelvis.")
    body_site_visibility = forms.ChoiceField(choices=User.VISIBILITY_CHOICES, label="Who sees my body site")
    surgery_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    surgery_date_visibility = forms.ChoiceField(choices=User.VISIBILITY_CHOICES, label="Who sees my surgery date")


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label="New email address", max_length=254)
    password = forms.CharField(
        label="Your current password",
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class NewPasswordForm(SetPasswordForm):
    """Django's reset form with the length limit sign-up and sign-in use, so the new password works."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name in ("new_password1", "new_password2"):
            self.fields[name].validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))
            self.fields[name].widget.attrs["maxlength"] = str(PASSWORD_MAX_LENGTH)
