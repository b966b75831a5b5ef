"""Tip forms. They collect and redisplay input; tips.post_tip and tips.edit_tip check it."""

from django import forms

from kinship.library.models import THEME_CHOICES, Tip
from kinship.library.tips import SORT_CHOICES


class TipForm(forms.Form):
    # Not required and no max_length here: the service says what is wrong, once, in its own words.
    theme = forms.ChoiceField(label="Theme", required=False, choices=[("", "Choose a theme"), *THEME_CHOICES])
    body = forms.CharField(
        label="Your tip",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": Tip.BODY_MAX}),
        help_text=(
            f"What helped you, in a few lines. At most {Tip.BODY_MAX:,} characters; Markdown works "
            "(**bold**, lists, links). Signed-in members can read it, with your display name."
        ),
    )


class TipFilterForm(forms.Form):
    """The list's filters, read from the query string (the view checks the values itself)."""

    theme = forms.ChoiceField(label="Theme", required=False, choices=[("", "All themes"), *THEME_CHOICES])
    sort = forms.ChoiceField(label="Order", required=False, choices=SORT_CHOICES)
