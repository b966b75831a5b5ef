from django import forms

from kinship.discussions.models import CONTENT_NOTE_MAX


class PostFields(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), help_text="Markdown works: **bold**, *italic*, lists and links."
    )
    content_note = forms.CharField(
        required=False,
        label="Content note (optional)",
        help_text=(
            'A short warning, e.g. "scan results" or "phantom pain". '
            f"The post stays folded until a reader opens it. At most {CONTENT_NOTE_MAX} characters."
        ),
    )
    anonymous = forms.BooleanField(
        required=False,
        label="Post anonymously",
        help_text='Members see "Anonymous member". The circle\'s facilitators and staff still see that it was you.',
    )


class TopicForm(PostFields):
    title = forms.CharField(help_text="At most 200 characters.")
    field_order = ["title", "body", "content_note", "anonymous"]


class ReplyForm(PostFields):
    body = forms.CharField(
        label="Your reply",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown works: **bold**, *italic*, lists and links.",
    )


class PostEditForm(forms.Form):
    title = forms.CharField(required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}))
    content_note = forms.CharField(required=False, label="Content note (optional)")
