"""Question forms. They only collect and redisplay input; services.ask and services.answer check it."""

from django import forms

from kinship.qa.models import ANSWER_MAX, QUESTION_MAX


class AskForm(forms.Form):
    # Not required and no max_length here: the service says what is wrong, once, in its own words.
    body = forms.CharField(
        label="Your question",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"At most {QUESTION_MAX:,} characters. Everyone who can see this page can read it.",
    )
    anonymous = forms.BooleanField(
        label="Ask anonymously",
        required=False,
        help_text=(
            'Members and the speaker see "Anonymous". The circle\'s facilitators and staff still see that you asked it.'
        ),
    )


class AnswerForm(forms.Form):
    body = forms.CharField(
        label="Your answer",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=f"Markdown works: **bold**, *italic*, lists and links. At most {ANSWER_MAX:,} characters.",
    )
