"""Milestone and goal forms. They collect and redisplay input; journal.milestones and journal.goals check it
(one set of rules for pages and API), so the fields here are lenient and the services' messages land on them."""

from typing import Any

from django import forms

from kinship.circles.models import Circle
from kinship.journal import milestones
from kinship.journal.models import NOTE_MAX, TITLE_MAX


def _date_input(**attrs: Any) -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", **attrs})


def _note(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX}),
        help_text=help_text,
    )


class MilestoneForm(forms.Form):
    kind = forms.CharField(
        label="Milestone",
        required=False,
        widget=forms.Select(choices=milestones.TEMPLATE_CHOICES),
        help_text="Pick the one that fits, or \u201cIn my own words\u201d and write your own title.",
    )
    title = forms.CharField(
        label="Title",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": TITLE_MAX}),
        help_text="Leave it blank to use the milestone\u2019s name.",
    )
    happened_on = forms.CharField(label="Date", required=False, widget=_date_input())
    note = _note(
        "Private note (optional)",
        f"Only you can read it, even if you share the milestone. At most {NOTE_MAX:,} characters.",
    )

    def __init__(self, *args: Any, goal_reached: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        max_day = milestones.latest_allowed_date().isoformat()
        self.fields["happened_on"].widget.attrs.update(max=max_day, min=milestones.EARLIEST.isoformat())
        if goal_reached:
            # A "goal reached" milestone keeps its kind; it is made only by finishing a goal.
            del self.fields["kind"]


class ShareForm(forms.Form):
    circle = forms.CharField(label="Circle", required=False, widget=forms.Select())
    message = forms.CharField(
        label="A message for the circle (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": milestones.MESSAGE_MAX}),
        help_text=f"Members see the title, the date and this message; never your private note. "
        f"At most {milestones.MESSAGE_MAX} characters.",
    )

    def __init__(self, *args: Any, circles: list[Circle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["circle"].widget.choices = [(c.slug, c.name) for c in circles]


class GoalForm(forms.Form):
    title = forms.CharField(
        label="Goal",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": TITLE_MAX}),
        help_text="For example \u201cwalk 1 km without crutches\u201d.",
    )
    target_date = forms.CharField(label="Target date (optional)", required=False, widget=_date_input())


class GoalUpdateForm(forms.Form):
    progress = forms.CharField(
        label="Progress (%)",
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"}),
        help_text="0 is just starting, 100 is there.",
    )
    note = _note("Note (optional, private)", f"What went well, what was hard. At most {NOTE_MAX:,} characters.")


class GoalDoneForm(forms.Form):
    happened_on = forms.CharField(
        label="Reached on",
        required=False,
        widget=_date_input(),
        help_text="A \u201cgoal reached\u201d milestone is added to your journal on this day.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["happened_on"].widget.attrs.update(max=milestones.latest_allowed_date().isoformat())
