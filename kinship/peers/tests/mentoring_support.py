"""Helpers for mentoring tests: mentors made and approved in one call."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from kinship.accounts.models import User
from kinship.core import factories
from kinship.peers import mentoring
from kinship.peers.models import MentorProfile, Mentorship


def years_ago(years: float) -> date:
    return timezone.localdate() - timedelta(days=int(365.25 * years))


def make_mentor(
    *, staff: User | None = None, status: str = MentorProfile.APPROVED, user: User | None = None, **fields: Any
) -> MentorProfile:
    """An approved mentor (by default): osteosarcoma, limb salvage of the left femur, three years ago, English."""
    user = user or factories.make_user(display_name=fields.pop("display_name", "Mentor"))
    data = {
        "diagnosis": "Osteosarcoma",
        "surgery_type": "limb_salvage",
        "body_site": "Left distal femur",
        "surgery_date": years_ago(3).isoformat(),
        "languages": ["en"],
        "age_band": "18-24",
        "topics": "Walking again after a knee replacement.",
        "availability": "Evenings",
        "capacity": 2,
        **fields,
        "accept_guidelines": True,
    }
    profile = mentoring.save_application(user=user, data=data)
    if status != MentorProfile.APPLIED:
        MentorProfile.objects.filter(pk=profile.pk).update(status=status, decided_at=timezone.now())
        profile.refresh_from_db()
    return profile


def make_mentee(**fields: Any) -> User:
    fields.setdefault("display_name", "Maya Mentee")
    fields.setdefault("surgery_type", "limb_salvage")
    fields.setdefault("body_site", "Left femur")
    fields.setdefault("surgery_date", years_ago(0.3))
    return factories.make_user(**fields)


def ask(mentee: User, mentor: MentorProfile | User, **kwargs: Any) -> Mentorship:
    target = mentor.user if isinstance(mentor, MentorProfile) else mentor
    return mentoring.request_mentor(mentee=mentee, mentor=target, **kwargs)
