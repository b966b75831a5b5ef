"""Help offered at once after a check-in of 4 or more: helplines first, then directory entries matched
to the concerns ticked, and the circles whose facilitators the member may ask to reach out.

The directory is read through library.directory (active entries only, with their open status). Helplines
are ranked and, when the directory lists none, replaced by a built-in list as library.helplines does for
crisis words, so a member in distress never sees nothing.
Two queries for the directory (entries, opening hours) and one for the circles, whatever the sizes.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from kinship.accounts.models import User
from kinship.circles.models import Circle, Membership
from kinship.journal import problems
from kinship.journal.models import CheckIn
from kinship.library import directory
from kinship.library.helplines import BUILT_IN_HELPLINES as BUILT_IN_HELPLINES
from kinship.library.helplines import HELPLINES_SHOWN
from kinship.library.helplines import BuiltInHelpline as BuiltInHelpline
from kinship.library.helplines import rank as ranked_helplines
from kinship.library.models import Resource

PER_KIND = 2
RESOURCES_SHOWN = 6
# A directory this size is a few hundred entries at most (library.directory); the cap keeps one read bounded.
DIRECTORY_READ_MAX = 400

# Which kinds of directory entry may help with each concern, most useful first. Items not named here
# take their group's kinds.
GROUP_KINDS: dict[str, tuple[str, ...]] = {
    problems.PRACTICAL: (Resource.FINANCIAL, Resource.LEGAL, Resource.TRANSPORT),
    problems.FAMILY: (Resource.COUNSELLING, Resource.PEER),
    problems.EMOTIONAL: (Resource.COUNSELLING, Resource.PEER),
    problems.SPIRITUAL: (Resource.COUNSELLING, Resource.PEER),
    problems.PHYSICAL: (Resource.SPECIALIST, Resource.PHYSIOTHERAPY),
}
ITEM_KINDS: dict[str, tuple[str, ...]] = {
    "money": (Resource.FINANCIAL,),
    "housing": (Resource.FINANCIAL, Resource.LEGAL),
    "childcare": (Resource.FINANCIAL,),
    "transport": (Resource.TRANSPORT, Resource.FINANCIAL),
    "work_school": (Resource.LEGAL, Resource.EDUCATION),
    "treatment_decisions": (Resource.SPECIALIST, Resource.EDUCATION),
    "fertility": (Resource.SPECIALIST, Resource.COUNSELLING),
    "pain": (Resource.SPECIALIST, Resource.PHYSIOTHERAPY),
    "getting_around": (Resource.PHYSIOTHERAPY, Resource.PROSTHETICS),
    "phantom_limb": (Resource.SPECIALIST, Resource.PROSTHETICS),
    "prosthesis_fit": (Resource.PROSTHETICS,),
    "fatigue": (Resource.PHYSIOTHERAPY, Resource.SPECIALIST),
    "bathing_dressing": (Resource.PHYSIOTHERAPY,),
    "body_image": (Resource.COUNSELLING, Resource.PEER),
    "appearance": (Resource.COUNSELLING, Resource.PEER),
}
# Nothing ticked: distress alone still deserves someone to talk to.
DEFAULT_KINDS: tuple[str, ...] = (Resource.COUNSELLING, Resource.PEER)


@dataclass
class Help:
    """What a check-in of 4 or more offers. `helplines` are directory entries or BuiltInHelpline rows."""

    helplines: list[Any]
    resources: list[Resource]
    circles: list[Circle]
    built_in: bool
    kinds: list[str] = field(default_factory=list)


def matched_kinds(codes: list[str]) -> list[str]:
    """Directory kinds for the ticked concerns, most useful first, no repeats."""
    ordered: list[str] = []
    for code in codes:
        group = problems.ITEM_GROUP.get(code)
        if group is None:
            continue
        for kind in ITEM_KINDS.get(code, GROUP_KINDS[group]):
            if kind not in ordered:
                ordered.append(kind)
    return ordered or list(DEFAULT_KINDS)


def support_circles(user: User) -> list[Circle]:
    """Circles the member actively belongs to that have a facilitator (other than them) to tell: one query."""
    others_lead = Membership.objects.filter(
        circle=OuterRef("pk"),
        role=Membership.FACILITATOR,
        status=Membership.ACTIVE,
        user__is_active=True,
    ).exclude(user=user)
    return list(
        Circle.objects.filter(memberships__user=user, memberships__status=Membership.ACTIVE)
        .filter(Exists(others_lead))
        .order_by("name", "pk")
    )


def help_for(checkin: CheckIn, *, user: User, now: datetime | None = None) -> Help | None:
    """Helplines, matched resources and circles for a check-in that offers help; None below the threshold."""
    if not checkin.offers_help:
        return None
    now = now or timezone.now()
    kinds = matched_kinds(list(checkin.problems or []))
    entries = list(
        directory.listed_resources()
        .filter(kind__in=[Resource.HELPLINE, *kinds])
        .select_related("verified_by")
        .prefetch_related("hours")
        .order_by("name", "pk")[:DIRECTORY_READ_MAX]
    )
    shown = directory.with_display(entries, viewer=user, now=now)
    helplines = ranked_helplines([r for r in shown if r.kind == Resource.HELPLINE])[:HELPLINES_SHOWN]
    resources: list[Resource] = []
    for kind in kinds:
        resources += [r for r in shown if r.kind == kind][:PER_KIND]
    built_in = not helplines
    return Help(
        helplines=list(BUILT_IN_HELPLINES) if built_in else helplines,
        resources=resources[:RESOURCES_SHOWN],
        circles=support_circles(user),
        built_in=built_in,
        kinds=kinds,
    )
