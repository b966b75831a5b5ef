"""Every circle rule walked by each role across public, private and hidden circles."""

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import TestCase

from kinship.circles import access
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.testing import make_cast

VISITOR = AnonymousUser()


class VisibilityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.public = make_cast(visibility=Circle.PUBLIC)
        cls.private = make_cast(visibility=Circle.PRIVATE)
        cls.hidden = make_cast(visibility=Circle.HIDDEN)

    def fresh(self, user):
        # The membership cache lives on the user object; each check starts clean.
        access.forget_memberships(user)
        return user

    def test_everyone_sees_public_and_private_circles_exist(self):
        for cast in (self.public, self.private):
            for user in (VISITOR, cast.outsider, cast.pending, cast.member, cast.staff):
                self.assertTrue(access.can_see_circle(self.fresh(user), cast.circle))

    def test_hidden_circle_is_invisible_to_visitor_and_outsiders(self):
        cast = self.hidden
        for user in (VISITOR, cast.outsider, self.public.member):
            self.assertFalse(access.can_see_circle(self.fresh(user), cast.circle))
            self.assertNotIn(cast.circle, access.visible_circles(self.fresh(user)))
            with self.assertRaises(Http404):
                access.get_circle_for(self.fresh(user), cast.circle.slug)

    def test_applicant_through_the_invitation_sees_the_hidden_circle_but_not_its_content(self):
        cast = self.hidden
        self.assertTrue(access.can_see_circle(self.fresh(cast.pending), cast.circle))
        self.assertFalse(access.can_read(self.fresh(cast.pending), cast.circle))
        self.assertFalse(access.can_see_members(self.fresh(cast.pending), cast.circle))

    def test_removed_member_loses_sight_of_the_hidden_circle(self):
        cast = self.hidden
        removed = factories.make_user()
        factories.add_member(cast.circle, removed, status="removed")
        self.assertFalse(access.can_see_circle(removed, cast.circle))
        self.assertNotIn(cast.circle, access.visible_circles(removed))
        self.assertTrue(access.was_removed(removed, cast.circle))

    def test_hidden_circle_is_visible_to_members_facilitators_and_staff(self):
        cast = self.hidden
        for user in (cast.member, cast.facilitator, cast.staff):
            self.assertTrue(access.can_see_circle(self.fresh(user), cast.circle))
            self.assertIn(cast.circle, access.visible_circles(self.fresh(user)))
            self.assertEqual(access.get_circle_for(self.fresh(user), cast.circle.slug), cast.circle)

    def test_missing_slug_is_404(self):
        with self.assertRaises(Http404):
            access.get_circle_for(self.public.member, "no-such-circle")

    def test_visitors_read_no_content_even_in_public_circles(self):
        for cast in (self.public, self.private, self.hidden):
            self.assertFalse(access.can_read(VISITOR, cast.circle))

    def test_signed_in_outsiders_read_public_content_only(self):
        self.assertTrue(access.can_read(self.fresh(self.public.outsider), self.public.circle))
        self.assertFalse(access.can_read(self.fresh(self.private.outsider), self.private.circle))
        self.assertFalse(access.can_read(self.fresh(self.hidden.outsider), self.hidden.circle))

    def test_pending_members_read_no_private_content(self):
        self.assertFalse(access.can_read(self.fresh(self.private.pending), self.private.circle))
        self.assertFalse(access.can_read(self.fresh(self.hidden.pending), self.hidden.circle))

    def test_members_facilitators_and_staff_read_everything_they_belong_to(self):
        for cast in (self.public, self.private, self.hidden):
            for user in (cast.member, cast.facilitator, cast.staff):
                self.assertTrue(access.can_read(self.fresh(user), cast.circle))

    def test_only_verified_active_members_post(self):
        cast = self.private
        self.assertTrue(access.can_post(self.fresh(cast.member), cast.circle))
        self.assertTrue(access.can_post(self.fresh(cast.facilitator), cast.circle))
        for user in (VISITOR, cast.outsider, cast.pending, cast.unverified, cast.staff):
            self.assertFalse(access.can_post(self.fresh(user), cast.circle))

    def test_moderation_is_for_facilitators_of_that_circle_and_staff(self):
        cast = self.public
        self.assertTrue(access.can_moderate(self.fresh(cast.facilitator), cast.circle))
        self.assertTrue(access.can_moderate(self.fresh(cast.staff), cast.circle))
        self.assertFalse(access.can_moderate(self.fresh(cast.facilitator), self.private.circle))
        for user in (VISITOR, cast.member, cast.pending, cast.outsider):
            self.assertFalse(access.can_moderate(self.fresh(user), cast.circle))

    def test_member_list_is_for_active_members_and_staff(self):
        cast = self.private
        for user in (cast.member, cast.facilitator, cast.staff):
            self.assertTrue(access.can_see_members(self.fresh(user), cast.circle))
        for user in (VISITOR, cast.pending, cast.outsider):
            self.assertFalse(access.can_see_members(self.fresh(user), cast.circle))

    def test_only_staff_create_circles(self):
        self.assertTrue(access.can_create_circle(self.public.staff))
        for user in (VISITOR, self.public.member, self.public.facilitator):
            self.assertFalse(access.can_create_circle(user))

    def test_invite_only_circle_cannot_be_joined_without_the_link(self):
        cast = make_cast(join_policy=Circle.INVITE)
        self.assertFalse(access.can_join(cast.outsider, cast.circle))
        self.assertTrue(access.can_join(self.fresh(cast.outsider), self.public.circle))
        self.assertFalse(access.can_join(self.fresh(cast.member), cast.circle))
