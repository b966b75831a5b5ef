"""Plain factory functions for tests, with keyword overrides."""

import itertools
from datetime import timedelta
from typing import Any

import pyotp
from django.utils import timezone

from kinship.accounts.models import TwoFactorDevice, User
from kinship.circles.models import Circle, Membership
from kinship.circles.services import count_members
from kinship.discussions import services as discussions
from kinship.discussions.models import Post, Topic
from kinship.events import services as events
from kinship.events.models import Event

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"  # noqa: S105 - test accounts only  # nosec B105


def make_user(
    *, verified: bool = True, password: str | None = PASSWORD, two_factor: bool | None = None, **fields: Any
) -> User:
    """A member; staff get a confirmed authenticator unless `two_factor=False` (their powers need one)."""
    n = next(_seq)
    fields.setdefault("email", f"person{n}@example.org")
    fields.setdefault("display_name", f"Person {n}")
    fields.setdefault("terms_accepted_at", timezone.now())
    fields.setdefault("terms_version", "test")
    if verified:
        fields.setdefault("email_verified_at", timezone.now())
    user = User.objects.create_user(password=password, **fields)
    if two_factor if two_factor is not None else user.is_staff:
        give_two_factor(user)
    return user


def give_two_factor(user: User) -> TwoFactorDevice:
    """A confirmed authenticator for the user; `pyotp.TOTP(device.secret).now()` is a valid code."""
    device = TwoFactorDevice.objects.filter(user=user).first() or TwoFactorDevice(user=user)
    device.secret = device.secret or pyotp.random_base32()
    device.confirmed_at = device.confirmed_at or timezone.now()
    device.save()
    # The caller's user object answers has_two_factor from its cache: keep it true to the database.
    user.two_factor = device
    return device


def make_circle(**fields: Any) -> Circle:
    n = next(_seq)
    fields.setdefault("name", f"Limb salvage circle {n}")
    fields.setdefault("slug", f"circle-{n}")
    fields.setdefault("description", "A circle for people after limb salvage surgery.")
    fields.setdefault("guidelines", "Be kind. Share experience, not medical advice.")
    return Circle.objects.create(**fields)


def add_member(
    circle: Circle, user: User, *, role: str = "member", status: str = "active", two_factor: bool | None = None
) -> Membership:
    """A membership; a facilitator gets a confirmed authenticator unless `two_factor=False`."""
    membership = Membership.objects.create(
        circle=circle, user=user, role=role, status=status, guidelines_accepted_at=timezone.now()
    )
    if membership.is_active:
        count_members([circle.pk], +1)
        circle.member_count += 1
    if two_factor if two_factor is not None else role == Membership.FACILITATOR:
        give_two_factor(user)
    return membership


def make_member(circle: Circle, **fields: Any) -> User:
    user = make_user(**fields)
    add_member(circle, user)
    return user


def make_topic(*, circle: Circle | None = None, author: User | None = None, replies: int = 0, **fields: Any) -> Topic:
    circle = circle or make_circle()
    author = author or make_member(circle)
    fields.setdefault("title", "Second week after surgery")
    fields.setdefault("body", "The swelling is going down, slowly.")
    topic = discussions.start_topic(author=author, circle=circle, **fields)
    make_replies(topic, count=replies)
    return topic


def make_replies(topic: Topic, *, count: int, author: User | None = None, **fields: Any) -> list[Post]:
    replies = []
    for i in range(count):
        writer = author or make_member(topic.circle)
        fields.setdefault("body", "Sending you strength.")
        replies.append(
            discussions.post_reply(author=writer, topic=topic, **{**fields, "body": f"{fields['body']} ({i})"})
        )
    topic.refresh_from_db()
    return replies


def make_event(*, circle: Circle, facilitator: User, **fields: Any) -> Event:
    """A meeting two days from now (on the minute), in person, unless fields say otherwise."""
    start = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    fields.setdefault("title", "Tuesday evening circle")
    fields.setdefault("timezone", "Europe/London")
    fields.setdefault("starts_at", start)
    fields.setdefault("ends_at", fields["starts_at"] + timedelta(minutes=90))
    fields.setdefault("address", "Community room, 12 Hope Street")
    return events.create_event(facilitator=facilitator, circle=circle, **fields)
