"""Message forms: they collect and redisplay input; kinship.peers.messaging checks it."""

from django import forms

from kinship.peers import messaging
from kinship.peers.models import Message


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": Message.BODY_MAX}),
        help_text=f"Markdown works: **bold**, *italic*, lists and links. At most {Message.BODY_MAX:,} characters.",
        # The service checks length and blanks, in its own words; the form keeps what was typed.
        required=False,
        strip=False,
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label="What is wrong with this message?",
        help_text="For example: harassment, spam, it made me feel unsafe.",
        max_length=10_000,
        required=False,
        widget=forms.TextInput(attrs={"maxlength": messaging.REPORT_REASON_MAX}),
    )
    detail = forms.CharField(
        label="Anything else staff should know (optional)",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": messaging.REPORT_DETAIL_MAX}),
        required=False,
        strip=False,
    )
