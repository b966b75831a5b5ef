"""Referral forms. They collect and redisplay input; referrals.refer and referrals.change_status check it.

The member and resource lists are plain selects, not ChoiceFields: the service decides what may be
chosen (and says so once, in its own words), so a stale or hand-made value gets one clear message.
"""

from collections.abc import Iterable
from typing import Any

from django import forms

from kinship.accounts.models import User
from kinship.circles.models import Circle
from kinship.library import referrals
from kinship.library.models import Referral, Resource


class CircleStepForm(forms.Form):
    """Step one when the referrer leads several circles: which circle the member is in (sent by GET)."""

    circle = forms.ChoiceField(
        label="Circle",
        help_text="The circle in which you know the member.",
        error_messages={"invalid_choice": "Choose a circle you facilitate.", "required": "Choose a circle."},
    )

    def __init__(self, *args: Any, circles: Iterable[Circle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["circle"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose a circle"), *((c.slug, c.name) for c in circles)]


def _resource_choices(resources: Iterable[Resource]) -> list[Any]:
    """Grouped by kind, in the order of Resource.KIND_CHOICES."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for resource in resources:
        groups.setdefault(resource.kind, []).append((str(resource.pk), resource.name))
    labels = dict(Resource.KIND_CHOICES)
    return [("", "Choose a resource")] + [(labels[kind], groups[kind]) for kind in Resource.KINDS if kind in groups]


class ReferralForm(forms.Form):
    member = forms.CharField(label="Member", required=False, widget=forms.Select)
    resource = forms.CharField(label="Resource", required=False, widget=forms.Select)
    note = forms.CharField(
        label="Private note",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": Referral.NOTE_MAX}),
        help_text=(
            f"Why this could help, who to ask for, what to bring. Only the member, you and staff see it. "
            f"At most {Referral.NOTE_MAX:,} characters."
        ),
    )
    follow_up_days = forms.CharField(
        label="Follow up after (days)",
        required=False,
        initial=referrals.DEFAULT_FOLLOW_UP_DAYS,
        widget=forms.NumberInput(
            attrs={"min": referrals.MIN_FOLLOW_UP_DAYS, "max": referrals.MAX_FOLLOW_UP_DAYS, "inputmode": "numeric"}
        ),
        help_text=(
            f"{referrals.MIN_FOLLOW_UP_DAYS} to {referrals.MAX_FOLLOW_UP_DAYS}. If the referral is still open "
            "then, you get a reminder by email."
        ),
    )

    def __init__(self, *args: Any, members: Iterable[User], resources: Iterable[Resource], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        member_widget = self.fields["member"].widget
        assert isinstance(member_widget, forms.Select)
        member_widget.choices = [("", "Choose a member"), *((str(m.pk), m.display_name) for m in members)]
        resource_widget = self.fields["resource"].widget
        assert isinstance(resource_widget, forms.Select)
        resource_widget.choices = _resource_choices(resources)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=Referral.STATUS_CHOICES)
