"""Mentoring forms. They collect and redisplay input; kinship.peers.mentoring checks it (one set of rules
for pages and API), so the fields here are lenient and the service's messages land on them."""

from typing import Any

from django import forms

from kinship.accounts.models import User
from kinship.peers import matching, mentoring
from kinship.peers.models import AGE_BAND_CHOICES, GENDER_CHOICES, MentorProfile, Mentorship

LANGUAGE_CHOICES = [(code, matching.LANGUAGE_NAMES[code]) for code in mentoring.LANGUAGES]
NEED_CHOICES = [("", "Doesn't matter"), ("preferred", "Would be nice"), ("required", "Must")]


class ApplyForm(forms.Form):
    diagnosis = forms.CharField(label="Diagnosis", required=False, max_length=120)
    surgery_type = forms.ChoiceField(
        label="Surgery type", required=False, choices=[("", "Not saying"), *User.SURGERY_CHOICES]
    )
    body_site = forms.CharField(
        label="Body site", required=False, max_length=80, help_text="For example \u201cleft distal femur\u201d."
    )
    surgery_date = forms.CharField(
        label="Surgery date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Used to suggest you to members who are earlier on the road.",
    )
    languages = forms.MultipleChoiceField(
        label="Languages you can mentor in",
        required=False,
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    age_band = forms.ChoiceField(label="Age band", required=False, choices=[("", "Not saying"), *AGE_BAND_CHOICES])
    gender = forms.ChoiceField(label="Gender", required=False, choices=GENDER_CHOICES)
    topics = forms.CharField(
        label="What you can talk about",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
        help_text="Walking again, school, prostheses, scans... At most 1,000 characters.",
    )
    availability = forms.CharField(
        label="Availability", required=False, max_length=300, help_text="For example \u201cweekday evenings\u201d."
    )
    capacity = forms.TypedChoiceField(
        label="How many mentees at once",
        coerce=int,
        choices=[(n, str(n)) for n in range(1, MentorProfile.CAPACITY_MAX + 1)],
        initial=1,
    )
    accept_guidelines = forms.BooleanField(
        label="I have read the mentor guidelines and will follow them",
        required=False,
        help_text="Share your own experience, never medical advice; keep what you hear private; tell staff "
        "if someone may be at risk.",
    )


class PreferencesForm(forms.Form):
    """What matters to the mentee; sent by GET so a list of suggestions has a link of its own."""

    surgery_type = forms.ChoiceField(label="Surgery type", required=False, choices=[("", "Any"), *User.SURGERY_CHOICES])
    surgery_type_need = forms.ChoiceField(label="Same surgery type", required=False, choices=NEED_CHOICES)
    body_site = forms.CharField(label="Body site", required=False, max_length=80)
    body_site_need = forms.ChoiceField(label="Same body site", required=False, choices=NEED_CHOICES)
    diagnosis = forms.CharField(label="Diagnosis", required=False, max_length=120)
    diagnosis_need = forms.ChoiceField(label="Same diagnosis", required=False, choices=NEED_CHOICES)
    age_band = forms.ChoiceField(label="Age band", required=False, choices=[("", "Any"), *AGE_BAND_CHOICES])
    age_band_need = forms.ChoiceField(label="Same age band", required=False, choices=NEED_CHOICES)
    language = forms.ChoiceField(label="Language", required=False, choices=[("", "Any"), *LANGUAGE_CHOICES])
    language_need = forms.ChoiceField(label="Speaks this language", required=False, choices=NEED_CHOICES)
    gender = forms.ChoiceField(
        label="Mentor's gender", required=False, choices=[("", "Any"), *[c for c in GENDER_CHOICES if c[0]]]
    )
    gender_need = forms.ChoiceField(label="Gender preference", required=False, choices=NEED_CHOICES)
    waive_further_along = forms.BooleanField(
        label="A mentor may be less than a year further along than me",
        required=False,
        help_text="Normally a mentor had their surgery at least 12 months before you.",
    )

    def pairs(self) -> list[tuple[Any, Any]]:
        """(value field, need field) per criterion, for the template's fieldsets."""
        return [(self[c], self[f"{c}_need"]) for c in matching.CRITERIA]


class RequestForm(forms.Form):
    message = forms.CharField(
        label="A note to the mentor (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": Mentorship.MESSAGE_MAX}),
        help_text=f"They see it with your request. At most {Mentorship.MESSAGE_MAX:,} characters.",
    )


class EndForm(forms.Form):
    feedback = forms.CharField(
        label="Feedback for the Kinship staff (optional, private)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        help_text="Only staff read this, never the other person. At most 2,000 characters.",
    )
