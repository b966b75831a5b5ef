"""Referral rules and writes: who may refer whom to what, who sees it, and how the status moves."""

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from kinship.circles.models import Membership
from kinship.core import factories
from kinship.core.errors import Conflict, Invalid, NotAllowed, RateLimited
from kinship.library import referrals
from kinship.library.models import Referral, ReferralUpdate
from kinship.library.tests.referrals_support import NOTE, ReferralTestCase, make_referral, make_resource


class AccessTests(ReferralTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.referral = make_referral(
            referrer=self.cast.facilitator, member=self.cast.member, circle=self.cast.circle, resource=self.resource
        )

    def test_member_referrer_and_staff_see_it(self) -> None:
        for user in (self.cast.member, self.cast.facilitator, self.cast.staff):
            self.assertTrue(referrals.can_see(user, self.referral), user)
            self.assertTrue(referrals.can_change_status(user, self.referral), user)
            self.assertEqual(referrals.get_referral_for(user, self.referral.pk), self.referral)

    def test_everyone_else_gets_404_co_facilitator_included(self) -> None:
        for user in [*self.outsiders(), AnonymousUser()]:
            self.assertFalse(referrals.can_see(user, self.referral), user)
            self.assertFalse(referrals.can_change_status(user, self.referral), user)
            with self.assertRaises(Http404):
                referrals.get_referral_for(user, self.referral.pk)

    def test_missing_and_odd_ids_are_404(self) -> None:
        for value in (self.referral.pk + 1000, 0, -1, "x", None, 2**63, "1\x00"):
            with self.assertRaises(Http404):
                referrals.get_referral_for(self.cast.staff, value)

    def test_deactivated_account_sees_nothing(self) -> None:
        member = self.cast.member
        member.is_active = False
        self.assertFalse(referrals.can_see(member, self.referral))

    def test_who_may_refer_and_where(self) -> None:
        circle = self.cast.circle
        self.assertTrue(referrals.can_refer(self.cast.facilitator))
        self.assertTrue(referrals.can_refer_in(self.cast.facilitator, circle))
        self.assertFalse(referrals.can_refer_in(self.other_facilitator, circle))
        self.assertTrue(referrals.can_refer_in(self.cast.staff, circle))
        self.assertTrue(referrals.can_refer_in(self.cast.staff, self.other_circle))
        for user in (self.cast.member, self.cast.outsider, self.cast.pending, AnonymousUser()):
            self.assertFalse(referrals.can_refer(user), user)

    def test_a_facilitator_who_steps_down_may_no_longer_refer_there(self) -> None:
        Membership.objects.filter(user=self.cast.facilitator).update(role=Membership.MEMBER)
        facilitator = type(self.cast.facilitator).objects.get(pk=self.cast.facilitator.pk)
        self.assertFalse(referrals.can_refer(facilitator))

    def test_referrable_members_are_active_members_but_not_the_referrer(self) -> None:
        removed = factories.make_member(self.cast.circle)
        Membership.objects.filter(user=removed).update(status=Membership.REMOVED)
        found = set(referrals.referrable_members(self.cast.facilitator, self.cast.circle))
        self.assertIn(self.cast.member, found)
        self.assertIn(self.co_facilitator, found)
        self.assertNotIn(self.cast.facilitator, found)
        self.assertNotIn(self.cast.pending, found)
        self.assertNotIn(removed, found)
        self.assertNotIn(self.cast.outsider, found)

    def test_referrable_circles(self) -> None:
        self.assertEqual(list(referrals.referrable_circles(self.cast.facilitator)), [self.cast.circle])
        self.assertEqual(set(referrals.referrable_circles(self.cast.staff)), {self.cast.circle, self.other_circle})


class ReferTests(ReferralTestCase):
    def test_facilitator_refers_a_member_with_a_note_and_history(self) -> None:
        before = timezone.now()
        referral = self.refer(follow_up_days=10)
        self.assertEqual(referral.status, Referral.SUGGESTED)
        self.assertEqual(referral.note, NOTE)
        self.assertEqual(referral.referred_by, self.cast.facilitator)
        self.assertGreaterEqual(referral.follow_up_at, before + timedelta(days=10))
        self.assertLessEqual(referral.follow_up_at, timezone.now() + timedelta(days=10))
        self.assertIsNone(referral.closed_at)
        (update,) = referral.updates.all()
        self.assertEqual((update.status, update.by), (Referral.SUGGESTED, self.cast.facilitator))

    def test_ids_and_slug_work_as_well_as_objects(self) -> None:
        referral = self.refer(
            circle=self.cast.circle.slug,
            member=str(self.cast.member.pk),
            resource=self.resource.pk,
            follow_up_days="30",
        )
        self.assertEqual(
            (referral.member, referral.resource, referral.follow_up_days), (self.cast.member, self.resource, 30)
        )

    def test_staff_refers_in_any_circle(self) -> None:
        member = factories.make_member(self.other_circle)
        referral = self.refer(referrer=self.cast.staff, circle=self.other_circle, member=member)
        self.assertEqual(referral.circle, self.other_circle)

    def test_member_and_outsider_may_not_refer(self) -> None:
        for user in (self.cast.member, self.cast.outsider, self.peer):
            with self.assertRaises(NotAllowed):
                self.refer(referrer=user, member=self.co_facilitator)
        self.assertFalse(Referral.objects.exists())

    def test_facilitator_of_another_circle_may_not_refer_here(self) -> None:
        with self.assertRaises(Invalid) as caught:
            self.refer(referrer=self.other_facilitator)
        self.assertIn("circle", caught.exception.errors)
        self.assertFalse(Referral.objects.exists())

    def test_hidden_or_missing_circle_reads_the_same(self) -> None:
        hidden = factories.make_circle(visibility="hidden")
        messages = []
        for circle in (hidden.slug, "no-such-circle", "", None, 5, "x" * 500, "a\x00b"):
            with self.assertRaises(Invalid) as caught:
                self.refer(circle=circle)
            messages.append(caught.exception.errors["circle"])
        self.assertEqual(len({tuple(m) for m in messages}), 1)

    def test_member_must_be_active_in_the_circle_and_not_the_referrer(self) -> None:
        removed = factories.make_member(self.cast.circle)
        Membership.objects.filter(user=removed).update(status=Membership.REMOVED)
        other = factories.make_member(self.other_circle)
        for member in (
            self.cast.facilitator,
            self.cast.pending,
            self.cast.outsider,
            removed,
            other,
            999_999,
            "abc",
            None,
            True,
            -3,
            2**70,
        ):
            with self.assertRaises(Invalid) as caught:
                self.refer(member=member)
            self.assertIn("member", caught.exception.errors, member)
        self.assertFalse(Referral.objects.exists())

    def test_resource_must_be_active(self) -> None:
        inactive = make_resource(name="Closed service", active=False)
        for resource in (inactive, 999_999, "", None, "1.5", [1]):
            with self.assertRaises(Invalid) as caught:
                self.refer(resource=resource)
            self.assertIn("resource", caught.exception.errors)
        self.assertFalse(Referral.objects.exists())

    def test_note_is_checked_by_core_text(self) -> None:
        with self.assertRaises(Invalid) as caught:
            self.refer(note="x" * (Referral.NOTE_MAX + 1))
        self.assertIn("2,000", caught.exception.detail)
        for bad in ("nul \x00", 5, ["a"]):
            with self.assertRaises(Invalid) as caught:
                self.refer(note=bad)
            self.assertIn("note", caught.exception.errors)
        self.assertEqual(self.refer(note="x" * Referral.NOTE_MAX).note, "x" * Referral.NOTE_MAX)

    def test_follow_up_days_from_1_to_90(self) -> None:
        for days in (0, 91, -1, "", "ten", None, 1.5, True, "9" * 30):
            with self.assertRaises(Invalid) as caught:
                self.refer(follow_up_days=days)
            self.assertIn("follow_up_days", caught.exception.errors, days)
        self.assertFalse(Referral.objects.exists())
        self.assertEqual(self.refer(follow_up_days=1).follow_up_days, 1)
        self.assertEqual(self.refer(follow_up_days=90, resource=make_resource(name="Other")).follow_up_days, 90)

    def test_every_bad_field_is_named_at_once(self) -> None:
        with self.assertRaises(Invalid) as caught:
            self.refer(member=None, resource=None, note="\x00", follow_up_days=0)
        self.assertEqual(set(caught.exception.errors), {"member", "resource", "note", "follow_up_days"})

    def test_the_same_referral_twice_returns_the_first(self) -> None:
        first = self.refer()
        self.assertEqual(self.refer(), first)
        self.assertEqual(Referral.objects.count(), 1)
        self.assertEqual(ReferralUpdate.objects.count(), 1)

    def test_the_same_open_referral_with_another_note_is_a_conflict(self) -> None:
        self.refer()
        with self.assertRaises(Conflict):
            self.refer(note="Something else")
        self.assertEqual(Referral.objects.count(), 1)

    def test_once_closed_the_same_referral_may_be_made_again(self) -> None:
        first = self.refer()
        referrals.change_status(actor=self.cast.member, referral=first, status=Referral.NOT_NEEDED)
        self.assertNotEqual(self.refer(), first)

    def test_referral_creation_is_rate_limited_per_facilitator(self) -> None:
        members = [factories.make_member(self.cast.circle) for _ in range(referrals.REFERRALS_PER_HOUR + 1)]
        for member in members[:-1]:
            self.refer(member=member)
        with self.assertRaises(RateLimited) as caught:
            self.refer(member=members[-1])
        self.assertGreater(caught.exception.retry_after, 0)
        self.assertEqual(Referral.objects.count(), referrals.REFERRALS_PER_HOUR)
        # Another facilitator has a budget of their own.
        self.refer(referrer=self.co_facilitator, member=members[-1])


class ChangeStatusTests(ReferralTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.referral = self.refer(follow_up_days=7)

    def test_member_referrer_and_staff_change_the_status_each_with_a_history_row(self) -> None:
        steps = [
            (self.cast.member, Referral.CONTACTED),
            (self.cast.facilitator, Referral.APPOINTMENT),
            (self.cast.staff, Referral.DONE),
        ]
        for actor, status in steps:
            referrals.change_status(actor=actor, referral=self.referral, status=status)
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, Referral.DONE)
        history = list(self.referral.updates.values_list("status", "by"))
        self.assertEqual(
            history,
            [(Referral.SUGGESTED, self.cast.facilitator.pk)] + [(s, a.pk) for a, s in steps],
        )

    def test_closing_sets_closed_at_and_reopening_restarts_the_follow_up(self) -> None:
        Referral.objects.filter(pk=self.referral.pk).update(reminded_at=timezone.now())
        referrals.change_status(actor=self.cast.member, referral=self.referral, status=Referral.DONE)
        self.referral.refresh_from_db()
        closed_at = self.referral.closed_at
        self.assertIsNotNone(closed_at)
        referrals.change_status(actor=self.cast.member, referral=self.referral, status=Referral.NOT_NEEDED)
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.closed_at, closed_at)
        before = timezone.now()
        referrals.change_status(actor=self.cast.facilitator, referral=self.referral, status=Referral.CONTACTED)
        self.referral.refresh_from_db()
        self.assertIsNone(self.referral.closed_at)
        self.assertIsNone(self.referral.reminded_at)
        self.assertGreaterEqual(self.referral.follow_up_at, before + timedelta(days=7))

    def test_a_change_that_keeps_it_open_moves_the_follow_up_and_clears_the_reminder(self) -> None:
        past = timezone.now() - timedelta(days=1)
        Referral.objects.filter(pk=self.referral.pk).update(follow_up_at=past, reminded_at=past)
        before = timezone.now()
        changed = referrals.change_status(actor=self.cast.member, referral=self.referral, status=Referral.CONTACTED)
        self.assertIsNone(changed.reminded_at)
        self.assertGreaterEqual(changed.follow_up_at, before + timedelta(days=7))
        self.referral.refresh_from_db()
        self.assertIsNone(self.referral.reminded_at)

    def test_the_same_status_changes_nothing(self) -> None:
        referrals.change_status(actor=self.cast.member, referral=self.referral, status=Referral.SUGGESTED)
        self.assertEqual(self.referral.updates.count(), 1)

    def test_unknown_status_is_refused_and_nothing_changes(self) -> None:
        for bad in ("", "closed", "DONE", None, 3, ["done"], "done\x00", "Appointment made"):
            with self.assertRaises(Invalid) as caught:
                referrals.change_status(actor=self.cast.member, referral=self.referral, status=bad)
            self.assertIn("status", caught.exception.errors)
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, Referral.SUGGESTED)
        self.assertEqual(self.referral.updates.count(), 1)

    def test_nobody_else_may_change_it(self) -> None:
        for user in self.outsiders():
            with self.assertRaises(NotAllowed):
                referrals.change_status(actor=user, referral=self.referral, status=Referral.DONE)
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, Referral.SUGGESTED)
        self.assertEqual(self.referral.updates.count(), 1)

    def test_status_changes_are_rate_limited(self) -> None:
        cycle = [Referral.CONTACTED, Referral.SUGGESTED]
        for i in range(referrals.STATUS_CHANGES_PER_10_MINUTES):
            referrals.change_status(actor=self.cast.member, referral=self.referral, status=cycle[i % 2])
        with self.assertRaises(RateLimited):
            referrals.change_status(actor=self.cast.member, referral=self.referral, status=Referral.DONE)
        self.assertEqual(self.referral.updates.count(), referrals.STATUS_CHANGES_PER_10_MINUTES + 1)
