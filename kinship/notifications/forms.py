from django import forms

from kinship.notifications.models import EmailPreference


class EmailPreferenceForm(forms.Form):
    reminder_day = forms.BooleanField(required=False, label=dict(EmailPreference.KIND_CHOICES)["reminder_day"])
    reminder_hour = forms.BooleanField(required=False, label=dict(EmailPreference.KIND_CHOICES)["reminder_hour"])
    seat_opened = forms.BooleanField(required=False, label=dict(EmailPreference.KIND_CHOICES)["seat_opened"])
    referral_suggested = forms.BooleanField(
        required=False, label=dict(EmailPreference.KIND_CHOICES)["referral_suggested"]
    )
    referral_follow_up = forms.BooleanField(
        required=False, label=dict(EmailPreference.KIND_CHOICES)["referral_follow_up"]
    )
    mentor_request = forms.BooleanField(required=False, label=dict(EmailPreference.KIND_CHOICES)["mentor_request"])
    mentorship_update = forms.BooleanField(
        required=False, label=dict(EmailPreference.KIND_CHOICES)["mentorship_update"]
    )
    new_messages = forms.BooleanField(required=False, label=dict(EmailPreference.KIND_CHOICES)["new_messages"])
