from typing import Any

from django import forms

from kinship.notifications.models import EmailPreference


class EmailPreferenceForm(forms.Form):
    """One checkbox per email kind, in the model's order, so a new kind appears without a form change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in EmailPreference.KIND_CHOICES:
            self.fields[kind] = forms.BooleanField(required=False, label=label)
