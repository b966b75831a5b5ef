from django import forms

from kinship.circles.models import Circle


class CircleForm(forms.Form):
    name = forms.CharField(max_length=120)
    slug = forms.SlugField(
        max_length=60,
        required=False,
        help_text="The circle's address, e.g. limb-salvage. Left empty, it comes from the name.",
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="Shown to everyone who can see the circle."
    )
    guidelines = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), help_text="Members accept these to join.")
    visibility = forms.ChoiceField(choices=Circle.VISIBILITY_CHOICES, widget=forms.RadioSelect)
    join_policy = forms.ChoiceField(choices=Circle.JOIN_POLICY_CHOICES, widget=forms.RadioSelect)


class JoinForm(forms.Form):
    accept_guidelines = forms.BooleanField(label="I have read the guidelines and will follow them", required=False)
