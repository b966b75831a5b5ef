"""Rules that keep a circle safe after someone leaves, is removed or loses a role."""

from django.urls import reverse

from kinship.circles.models import Circle, Membership
from kinship.core import factories
from kinship.core.testing import KinshipTestCase, make_cast


class RemovedMemberTests(KinshipTestCase):
    def remove(self, user):
        self.client.force_login(self.cast.facilitator)
        url = reverse("circles:member-action", args=[self.cast.circle.slug, user.pk, "remove"])
        return self.client.post(url)

    def test_removed_member_cannot_join_again_by_themselves(self):
        self.remove(self.cast.member)
        self.client.force_login(self.cast.member)
        response = self.client.post(
            reverse("circles:circle-join", args=[self.cast.circle.slug]), {"accept_guidelines": "on"}
        )
        self.assertContains(response, "removed you", status_code=403)
        response = self.client.post(
            reverse("circles:invite-join", args=[self.cast.circle.invite_code]), {"accept_guidelines": "on"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Membership.objects.get(circle=self.cast.circle, user=self.cast.member).status, "removed")

    def test_removed_member_reads_nothing_and_is_not_listed(self):
        private = make_cast(visibility=Circle.PRIVATE)
        topic = factories.make_topic(circle=private.circle, author=private.facilitator, title="Inside story")
        self.client.force_login(private.facilitator)
        self.client.post(reverse("circles:member-action", args=[private.circle.slug, private.member.pk, "remove"]))
        self.client.force_login(private.member)
        self.assertEqual(self.client.get(topic.get_absolute_url()).status_code, 404)
        self.assertNotContains(self.client.get(private.circle.get_absolute_url()), "Inside story")
        self.client.force_login(private.facilitator)
        listing = self.client.get(reverse("circles:member-list", args=[private.circle.slug]))
        self.assertNotContains(listing, private.member.display_name)

    def test_declined_request_may_ask_again(self):
        cast = make_cast(join_policy=Circle.APPROVAL)
        self.client.force_login(cast.facilitator)
        self.client.post(reverse("circles:member-action", args=[cast.circle.slug, cast.pending.pk, "remove"]))
        self.assertFalse(Membership.objects.filter(circle=cast.circle, user=cast.pending).exists())


class JoinNeedsVerifiedEmailTests(KinshipTestCase):
    def test_unverified_account_cannot_join(self):
        newcomer = factories.make_user(verified=False)
        self.client.force_login(newcomer)
        response = self.client.post(
            reverse("circles:circle-join", args=[self.cast.circle.slug]), {"accept_guidelines": "on"}
        )
        self.assertContains(response, "confirm your email", status_code=403)
        self.assertFalse(Membership.objects.filter(user=newcomer).exists())


class FacilitatorRoleTests(KinshipTestCase):
    def setUp(self):
        self.second = factories.make_member(self.cast.circle)
        Membership.objects.filter(user=self.second, circle=self.cast.circle).update(role="facilitator")
        factories.give_two_factor(self.second)  # facilitator powers need two-step sign-in

    def step_down(self, actor, target):
        self.client.force_login(actor)
        url = reverse("circles:member-action", args=[self.cast.circle.slug, target.pk, "role"])
        return self.client.post(url, {"role": "member"})

    def role_of(self, user):
        return Membership.objects.get(circle=self.cast.circle, user=user).role

    def test_facilitator_cannot_step_down_a_co_facilitator(self):
        self.assertEqual(self.step_down(self.cast.facilitator, self.second).status_code, 403)
        self.assertEqual(self.role_of(self.second), "facilitator")

    def test_facilitator_steps_down_themselves_and_the_invitation_changes(self):
        old_code = self.cast.circle.invite_code
        self.assertEqual(self.step_down(self.second, self.second).status_code, 302)
        self.assertEqual(self.role_of(self.second), "member")
        self.cast.circle.refresh_from_db()
        self.assertNotEqual(self.cast.circle.invite_code, old_code)

    def test_staff_step_down_any_facilitator(self):
        self.assertEqual(self.step_down(self.cast.staff, self.second).status_code, 302)
        self.assertEqual(self.role_of(self.second), "member")


class InvitationLinkTests(KinshipTestCase):
    def regenerate(self, user):
        self.client.force_login(user)
        return self.client.post(reverse("circles:invite-regenerate", args=[self.cast.circle.slug]))

    def test_facilitator_makes_a_new_link_and_the_old_one_stops_working(self):
        old_code = self.cast.circle.invite_code
        self.assertEqual(self.regenerate(self.cast.facilitator).status_code, 302)
        self.cast.circle.refresh_from_db()
        self.assertNotEqual(self.cast.circle.invite_code, old_code)
        self.client.force_login(self.cast.outsider)
        self.assertEqual(self.client.get(reverse("circles:invite-join", args=[old_code])).status_code, 404)

    def test_members_cannot_change_the_link(self):
        old_code = self.cast.circle.invite_code
        self.assertEqual(self.regenerate(self.cast.member).status_code, 403)
        self.cast.circle.refresh_from_db()
        self.assertEqual(self.cast.circle.invite_code, old_code)

    def test_odd_codes_are_404(self):
        self.client.force_login(self.cast.outsider)
        for code in ("ab%00cd", "%E2%80%AE", "a" * 65, "..%2F"):
            self.assertEqual(self.client.get(f"/join/{code}/").status_code, 404, code)


class VisibilityChangeTests(KinshipTestCase):
    def edit(self, user, **changes):
        circle = self.cast.circle
        data = {f: getattr(circle, f) for f in ("name", "description", "guidelines", "visibility", "join_policy")}
        self.client.force_login(user)
        return self.client.post(reverse("circles:circle-edit", args=[circle.slug]), {**data, **changes})

    def test_facilitator_cannot_change_visibility(self):
        Circle.objects.filter(pk=self.cast.circle.pk).update(visibility=Circle.HIDDEN)
        self.cast.circle.refresh_from_db()
        self.edit(self.cast.facilitator, visibility="public", guidelines="Same")
        self.cast.circle.refresh_from_db()
        self.assertEqual(self.cast.circle.visibility, Circle.HIDDEN)

    def test_staff_change_visibility(self):
        self.edit(self.cast.staff, visibility="private")
        self.cast.circle.refresh_from_db()
        self.assertEqual(self.cast.circle.visibility, Circle.PRIVATE)


class UnverifiedCirclePageTests(KinshipTestCase):
    def test_unverified_visitor_is_told_why_there_is_no_join_button(self):
        self.client.force_login(factories.make_user(verified=False))
        response = self.client.get(self.cast.circle.get_absolute_url())
        self.assertContains(response, "Confirm your email address to join this circle.")
        self.assertNotContains(response, reverse("circles:circle-join", args=[self.cast.circle.slug]))
