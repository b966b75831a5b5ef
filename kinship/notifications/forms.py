from django import forms

from kinship.notifications.models import EmailPreference


class EmailPreferenceForm(forms.Form):
    reminder_day = forms.BooleanField(required=False, label=dict(EmailPreference.KIND_CHOICES)["reminder_day"])
    reminder_hour = forms.BooleanField(required=False, label=dict(EmailPreference.KIND_CHOICES)["reminder_hour"])
    seat_opened = forms.BooleanField(required=False, label=dict(EmailPreference.KIND_CHOICES)["seat_opened"])
