"""Check-in forms. They collect and redisplay input; kinship.journal.checkins checks it (one set of rules
for pages and API), so the fields here are lenient and the service's messages land on them."""

from collections.abc import Iterable
from typing import Any

from django import forms

from kinship.circles.models import Circle
from kinship.journal import problems
from kinship.journal.models import NOTE_MAX, CheckIn

DISTRESS_WORDS = {0: "No distress", 5: "Moderate distress", 10: "Extreme distress"}
PAIN_WORDS = {0: "No pain", 5: "Moderate pain", 10: "Worst pain imaginable"}


def _scale(words: dict[int, str]) -> list[tuple[str, str]]:
    return [(str(n), f"{n} \u2013 {words[n]}" if n in words else str(n)) for n in range(CheckIn.SCORE_MAX + 1)]


class CheckInForm(forms.Form):
    distress = forms.ChoiceField(
        label="How much distress have you felt this past week, including today?",
        choices=_scale(DISTRESS_WORDS),
        widget=forms.RadioSelect,
        required=False,
    )
    pain = forms.ChoiceField(
        label="How much pain have you had today?",
        choices=_scale(PAIN_WORDS),
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label="Note (optional, only you see it)",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": NOTE_MAX}),
        help_text=f"Anything you want to remember. At most {NOTE_MAX:,} characters. Never shared.",
    )
    weekly_reminder = forms.BooleanField(
        label="Email me a reminder when I have not checked in for a week",
        required=False,
    )

    def problem_groups(self) -> list[dict[str, Any]]:
        """The problem list as fieldsets of checkboxes, with what was ticked (bound) or nothing (unbound)."""
        ticked = set(self.data.getlist("problems")) if self.is_bound and hasattr(self.data, "getlist") else set()
        return [
            {
                "code": code,
                "label": label,
                "items": [{"code": item, "label": text, "checked": item in ticked} for item, text in items],
            }
            for code, label, items in problems.GROUPS
        ]


class SupportForm(forms.Form):
    circle = forms.ChoiceField(
        label="Which circle's facilitators should we tell?",
        error_messages={"invalid_choice": "Choose one of your circles.", "required": "Choose a circle."},
    )

    def __init__(self, *args: Any, circles: Iterable[Circle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["circle"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(c.slug, c.name) for c in circles]
