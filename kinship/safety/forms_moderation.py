"""Report and moderation forms: they collect and redisplay input; kinship.safety's services check it."""

from django import forms

from kinship.safety import moderation
from kinship.safety.models import ModerationAction, Report


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong?",
        choices=Report.REASON_CHOICES,
        widget=forms.RadioSelect,
        # The service says what is missing, in its own words; the form keeps what was chosen.
        required=False,
    )
    detail = forms.CharField(
        label="Anything else the moderators should know (optional)",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": Report.DETAIL_MAX}),
        help_text=f"At most {Report.DETAIL_MAX:,} characters.",
        required=False,
        strip=False,
    )


class ActionForm(forms.Form):
    """One decision. `actions` narrows the choice to what fits the thing being decided."""

    action = forms.ChoiceField(label="Decision", choices=ModerationAction.ACTION_CHOICES, widget=forms.RadioSelect)
    note = forms.CharField(
        label="Note",
        help_text="Why: the member is told this when their words are hidden or edited out, or they are warned. "
        f"At most {moderation.NOTE_MAX} characters.",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": moderation.NOTE_MAX}),
    )
    days = forms.CharField(
        label="Days (mute: 1 to 90; suspension: 1 to 365)",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
    )
    body = forms.CharField(
        label="The post as it should read (edit out only)",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: object, actions: list[str], body: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        labels = dict(ModerationAction.ACTION_CHOICES)
        self.fields["action"].choices = [(a, labels[a]) for a in actions]  # type: ignore[attr-defined]
        self.fields["action"].required = False
        if ModerationAction.EDIT_OUT not in actions:
            del self.fields["body"]
        else:
            self.fields["body"].initial = body
        if ModerationAction.MUTE not in actions and ModerationAction.SUSPEND not in actions:
            del self.fields["days"]
