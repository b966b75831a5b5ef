"""Optional emails to members: who wants which kind, how each message is built, and unsubscribing."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.mime.text import MIMEText
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import salted_hmac

from kinship.accounts.models import User
from kinship.core.errors import Invalid
from kinship.notifications.models import EmailPreference

UNSUBSCRIBE_SALT = "kinship.notifications.unsubscribe"
# Signed tokens are about 60 characters; anything far longer is not one of ours.
MAX_TOKEN_LENGTH = 200


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str
    mimetype: str  # "text/calendar"
    params: tuple[tuple[str, str], ...] = ()  # extra Content-Type parameters, e.g. (("method", "PUBLISH"),)


def calendar_attachment(ics: bytes | str, filename: str = "meeting.ics") -> Attachment:
    """An .ics file as calendar apps expect it in mail: text/calendar with method=PUBLISH."""
    text = ics.decode() if isinstance(ics, bytes) else ics
    return Attachment(filename=filename, content=text, mimetype="text/calendar", params=(("method", "PUBLISH"),))


def preferences_for(user: User) -> EmailPreference:
    """The member's preferences; unsaved defaults (each field's default) until they first change one."""
    return EmailPreference.objects.filter(user=user).first() or EmailPreference(user=user)


def wants(user: User, kind: str) -> bool:
    """Whether this member gets emails of this kind (no row yet means each field's default)."""
    if not user.is_active:
        return False
    preference = EmailPreference.objects.filter(user=user).first() or EmailPreference(user=user)
    return preference.wants(kind)


@transaction.atomic
def update_preferences(*, user: User, changes: Mapping[str, Any]) -> EmailPreference:
    """Switch kinds on or off; unknown kinds and non-booleans are refused and nothing changes."""
    unknown = set(changes) - set(EmailPreference.KINDS)
    if unknown:
        raise Invalid(f"Unknown email kinds: {', '.join(sorted(map(str, unknown)))}.")
    bad = [k for k, v in changes.items() if not isinstance(v, bool)]
    if bad:
        raise Invalid(
            "Please correct the highlighted fields.", errors={k: ["Must be true or false."] for k in sorted(bad)}
        )
    preference, _ = EmailPreference.objects.select_for_update().get_or_create(user=user)
    for kind, value in changes.items():
        setattr(preference, kind, value)
    if changes:
        preference.save(update_fields=[*changes, "updated_at"])
    return preference


def unsubscribe_token(user: User, kind: str) -> str:
    # Only the id and kind: an unsubscribe link forwarded or logged reveals no address.
    return signing.dumps([user.pk, kind], salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: Any) -> tuple[User, str] | None:
    """The member and kind a token names, or None for anything tampered, malformed or stale."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH or "\x00" in token:
        return None
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if (
        not isinstance(data, list)
        or len(data) != 2
        or not isinstance(data[0], int)
        or isinstance(data[0], bool)
        or data[1] not in EmailPreference.KINDS
    ):
        return None
    user = User.objects.filter(pk=data[0], is_active=True).first()
    return None if user is None else (user, data[1])


@transaction.atomic
def unsubscribe(*, token: Any) -> tuple[User, str]:
    """Turn off the kind the token names; refuses a bad token with Invalid. Doing it twice is harmless."""
    found = read_unsubscribe_token(token)
    if found is None:
        raise Invalid("This unsubscribe link is not valid. You can change your email settings after signing in.")
    user, kind = found
    update_preferences(user=user, changes={kind: False})
    return user, kind


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def message_id(key: str) -> str:
    """A Message-ID that only this site can make from `key`, and that tells nothing of it."""
    digest = salted_hmac("kinship.notifications.message_id", key, algorithm="sha256").hexdigest()[:40]
    return f"<{digest}@{urlsplit(settings.SITE_URL).hostname or 'kinship.invalid'}>"


def unsubscribe_url(user: User, kind: str) -> str:
    return site_url(reverse("notifications:unsubscribe", args=[unsubscribe_token(user, kind)]))


def send(
    kind: str,
    to_user: User,
    subject: str,
    text_template: str,
    html_template: str,
    context: Mapping[str, Any],
    attachments: Iterable[Attachment] = (),
    message_key: str | None = None,
) -> bool:
    """Email one member (never anyone else in To or Cc), with plain and HTML parts and one-click unsubscribe.

    Returns False, sending nothing, when the member switched this kind off or is no longer active.
    Errors from the mail server propagate so the caller can roll back and retry. `message_key` names
    what the message is (one reminder of one meeting for one member): every send of it carries the
    same Message-ID, so a copy sent again after a worker was killed between the mail server's
    "accepted" and the commit is one message to mail systems that drop repeated Message-IDs.
    """
    if kind not in EmailPreference.KINDS:
        raise ValueError(f"unknown email kind {kind!r}")
    if not wants(to_user, kind):
        return False
    link = unsubscribe_url(to_user, kind)
    full = {
        **context,
        "member": to_user,
        "unsubscribe_url": link,
        "preferences_url": site_url(reverse("notifications:preferences")),
        "kind_label": dict(EmailPreference.KIND_CHOICES)[kind],
    }
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(text_template, full),
        to=[to_user.email],
        headers={
            # RFC 8058: mail clients show an unsubscribe button that POSTs to this address.
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            **({"Message-ID": message_id(message_key)} if message_key else {}),
        },
    )
    message.attach_alternative(render_to_string(html_template, full), "text/html")
    for item in attachments:
        _, subtype = item.mimetype.split("/", 1)
        part = MIMEText(item.content, subtype, "utf-8")
        for name, value in item.params:
            part.set_param(name, value)
        part.add_header("Content-Disposition", "attachment", filename=item.filename)
        message.attach(part)
    return message.send() == 1
