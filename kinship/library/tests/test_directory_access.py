"""Who may see and curate the directory: visitor, member, facilitator, staff, outsider and the odd cases."""

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from kinship.circles.models import Circle, Membership
from kinship.core import factories
from kinship.core.errors import NotAllowed
from kinship.core.testing import KinshipTestCase
from kinship.library import directory
from kinship.library.tests.resources_support import make_resource


class CuratorTests(KinshipTestCase):
    def test_staff_and_facilitators_curate(self):
        self.assertTrue(directory.can_curate(self.cast.staff))
        self.assertTrue(directory.can_curate(self.cast.facilitator))

    def test_visitors_members_outsiders_pending_and_unverified_do_not(self):
        for user in (AnonymousUser(), self.cast.member, self.cast.outsider, self.cast.pending, self.cast.unverified):
            with self.subTest(user=user):
                self.assertFalse(directory.can_curate(user))
                self.assertFalse(directory.can_export(user))
                self.assertFalse(directory.can_see_staleness(user))

    def test_a_facilitator_of_a_hidden_circle_curates_too(self):
        hidden = factories.make_circle(visibility=Circle.HIDDEN)
        user = factories.make_user()
        factories.add_member(hidden, user, role=Membership.FACILITATOR)
        self.assertTrue(directory.can_curate(user))

    def test_a_pending_or_removed_facilitator_does_not(self):
        for status in (Membership.PENDING, Membership.REMOVED):
            user = factories.make_user()
            factories.add_member(factories.make_circle(), user, role=Membership.FACILITATOR, status=status)
            with self.subTest(status=status):
                self.assertFalse(directory.can_curate(user))

    def test_a_deactivated_account_does_not(self):
        user = factories.make_user(is_staff=True, is_active=False)
        self.assertFalse(directory.can_curate(user))

    def test_a_facilitator_who_stepped_down_no_longer_curates(self):
        user = factories.make_user()
        membership = factories.add_member(factories.make_circle(), user, role=Membership.FACILITATOR)
        self.assertTrue(directory.can_curate(user))
        membership.role = Membership.MEMBER
        membership.save()
        fresh = type(user).objects.get(pk=user.pk)
        self.assertFalse(directory.can_curate(fresh))


class VisibilityTests(KinshipTestCase):
    def test_everyone_sees_an_active_resource(self):
        resource = make_resource()
        for user in (AnonymousUser(), self.cast.member, self.cast.outsider, self.cast.facilitator, self.cast.staff):
            with self.subTest(user=user):
                self.assertEqual(directory.get_resource_for(user, resource.pk), resource)

    def test_a_deactivated_resource_is_404_except_to_curators(self):
        resource = make_resource(active=False)
        for user in (AnonymousUser(), self.cast.member, self.cast.outsider):
            with self.subTest(user=user), self.assertRaises(Http404):
                directory.get_resource_for(user, resource.pk)
        for user in (self.cast.facilitator, self.cast.staff):
            with self.subTest(user=user):
                self.assertEqual(directory.get_resource_for(user, resource.pk), resource)

    def test_the_list_never_holds_deactivated_entries(self):
        make_resource(name="Listed")
        make_resource(name="Gone", active=False)
        names = [r.name for r in directory.listed_resources()]
        self.assertEqual(names, ["Listed"])

    def test_odd_ids_are_404(self):
        for value in ("abc", -1, 0, 2**63, "1\x00", None):
            with self.subTest(value=value), self.assertRaises(Http404):
                directory.get_resource_for(self.cast.member, value)


class StalenessTests(KinshipTestCase):
    def test_never_reviewed_and_over_a_year_are_stale(self):
        now = timezone.now()
        self.assertTrue(directory.is_stale(make_resource(reviewed_at=None), now=now))
        self.assertTrue(directory.is_stale(make_resource(reviewed_at=now - timedelta(days=366)), now=now))
        self.assertFalse(directory.is_stale(make_resource(reviewed_at=now - timedelta(days=364)), now=now))

    def test_the_stale_flag_is_only_attached_for_curators(self):
        make_resource(reviewed_at=None)
        for user, expected in (
            (AnonymousUser(), False),
            (self.cast.member, False),
            (self.cast.facilitator, True),
            (self.cast.staff, True),
        ):
            with self.subTest(user=user):
                page = directory.resource_page(user, directory.Filters(), cursor=None, limit=10)
                self.assertEqual(page.items[0].stale, expected)

    def test_needs_review_is_for_curators(self):
        with self.assertRaises(NotAllowed):
            directory.needs_review(self.cast.member)
        with self.assertRaises(NotAllowed):
            directory.deactivated(AnonymousUser())

    def test_needs_review_lists_never_reviewed_first_then_oldest(self):
        now = timezone.now()
        old = make_resource(name="A old", reviewed_at=now - timedelta(days=500))
        older = make_resource(name="B older", reviewed_at=now - timedelta(days=900))
        never = make_resource(name="C never", reviewed_at=None)
        make_resource(name="D fresh", reviewed_at=now - timedelta(days=3))
        make_resource(name="E gone", reviewed_at=None, active=False)
        self.assertEqual(directory.needs_review(self.cast.staff), [never, older, old])
