"""In-app notices: short lines a member reads on /notifications/ (a report's outcome, why a post was hidden).

Any app may notify (notifications sits just above accounts). A notice holds only what its reader may
know: the services that call `notify` choose the words.
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from kinship.accounts.models import User
from kinship.core.converters import parse_id
from kinship.core.errors import Invalid
from kinship.core.pagination import Page, paginate
from kinship.notifications.models import Notice

ORDER = ["-created_at", "-id"]
READ_IDS_MAX = 100


def notify(user: User, kind: str, text: str, url: str = "") -> Notice:
    """Leave a notice for one member; text is cut to fit rather than refused (the caller wrote it)."""
    return Notice.objects.create(
        user=user, kind=kind[:30], text=" ".join(text.split())[: Notice.TEXT_MAX], url=url[:300]
    )


def notices_for(user: User) -> QuerySet[Notice]:
    return Notice.objects.filter(user=user)


def notice_page(user: User, *, cursor: str | None, limit: int) -> Page[Notice]:
    """The member's own notices, newest first; one query per page."""
    return paginate(notices_for(user), ORDER, cursor=cursor, limit=limit)


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


@transaction.atomic
def mark_read(*, user: User, ids: Any = None) -> int:
    """Mark the member's own notices read: the listed ids, or all when `ids` is None. Returns how many changed.

    Ids of other people's notices are simply not found (never an error that tells they exist).
    """
    notices = Notice.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        if not isinstance(ids, list) or len(ids) > READ_IDS_MAX:
            raise Invalid(
                f"ids must be a list of at most {READ_IDS_MAX} notice ids.",
                errors={"ids": [f"A list of at most {READ_IDS_MAX} notice ids."]},
            )
        parsed = [parse_id(i) for i in ids]
        found = [p for p in parsed if p is not None]
        if len(found) != len(parsed):
            raise Invalid("Each id must be a notice id.", errors={"ids": ["Each id must be a notice id."]})
        notices = notices.filter(pk__in=found)
    return notices.update(read_at=timezone.now())
