"""Shared set-up for the referral tests: the cast plus the people who must never see someone else's referral."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from kinship.accounts.models import User
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.library import referrals
from kinship.library.models import Referral, ReferralUpdate, Resource

NOTE = "Ask for the sarcoma physio slot and bring the letter from your surgeon."


def make_resource(**fields: Any) -> Resource:
    fields.setdefault("kind", Resource.PHYSIOTHERAPY)
    fields.setdefault("name", "Northgate sarcoma physiotherapy (example)")
    fields.setdefault("is_example", True)
    return Resource.objects.create(**fields)


def make_referral(*, referrer: User, member: User, circle: Circle, resource: Resource, **fields: Any) -> Referral:
    """A referral written directly (no rate limit, no email), with its first history row."""
    now = timezone.now()
    fields.setdefault("note", NOTE)
    fields.setdefault("follow_up_days", 14)
    fields.setdefault("follow_up_at", now + timedelta(days=fields["follow_up_days"]))
    referral = Referral.objects.create(referred_by=referrer, member=member, circle=circle, resource=resource, **fields)
    ReferralUpdate.objects.create(referral=referral, by=referrer, status=Referral.SUGGESTED)
    return referral


class ReferralTestCase(KinshipTestCase):
    """The cast's circle has a second facilitator (co_facilitator) and a second member (peer); another
    circle has its own facilitator. None of them may see a referral of the cast's member."""

    co_facilitator: User
    other_facilitator: User
    other_circle: Circle
    peer: User
    resource: Resource

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        circle = cls.cast.circle
        cls.co_facilitator = factories.make_user(display_name="Cora Cofacilitator")
        factories.add_member(circle, cls.co_facilitator, role="facilitator")
        cls.peer = factories.make_member(circle, display_name="Pia Peer")
        cls.other_circle = factories.make_circle(name="Ewing sarcoma circle")
        cls.other_facilitator = factories.make_user(display_name="Olga Otherfacilitator")
        factories.add_member(cls.other_circle, cls.other_facilitator, role="facilitator")
        cls.resource = make_resource()

    def refer(self, **overrides: Any) -> Referral:
        """The cast's facilitator refers the cast's member through the service."""
        values: dict[str, Any] = {
            "referrer": self.cast.facilitator,
            "circle": self.cast.circle,
            "member": self.cast.member,
            "resource": self.resource,
            "note": NOTE,
            "follow_up_days": 14,
        }
        values.update(overrides)
        return referrals.refer(**values)

    def outsiders(self) -> list[User]:
        """Signed-in people who must get a 404 for the cast member's referral."""
        return [self.peer, self.co_facilitator, self.other_facilitator, self.cast.outsider, self.cast.pending]
