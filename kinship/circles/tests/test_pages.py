from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinship.circles.models import Circle, Membership
from kinship.core import factories
from kinship.core.testing import KinshipTestCase, make_cast

ODD_TEXT = ["", "   ", "\x00", "a\x00b", "\u202egnp.exe", "x" * 5000, "🦴" * 3000, "e\u0301" * 10]


class CircleListTests(KinshipTestCase):
    def test_visitor_sees_public_and_private_but_not_hidden(self):
        hidden = factories.make_circle(visibility=Circle.HIDDEN, name="Secret garden")
        private = factories.make_circle(visibility=Circle.PRIVATE, name="Quiet room")
        response = self.client.get(reverse("circles:circle-list"))
        self.assertContains(response, self.cast.circle.name)
        self.assertContains(response, private.name)
        self.assertNotContains(response, hidden.name)
        self.assertNotContains(response, hidden.slug)

    def test_member_of_hidden_circle_sees_it_listed(self):
        hidden = factories.make_circle(visibility=Circle.HIDDEN, name="Secret garden")
        factories.add_member(hidden, self.cast.member)
        self.client.force_login(self.cast.member)
        self.assertContains(self.client.get(reverse("circles:circle-list")), "Secret garden")

    def test_list_query_count_does_not_grow_with_circles(self):
        self.client.force_login(self.cast.member)
        with CaptureQueriesContext(connection) as few:
            self.client.get(reverse("circles:circle-list"))
        for _ in range(8):
            circle = factories.make_circle()
            factories.add_member(circle, self.cast.member)
            factories.make_member(circle)
        with CaptureQueriesContext(connection) as many:
            self.client.get(reverse("circles:circle-list"))
        self.assertEqual(len(few), len(many))

    def test_home_query_count_does_not_grow_with_circles(self):
        self.client.force_login(self.cast.member)
        with CaptureQueriesContext(connection) as few:
            self.client.get("/")
        for _ in range(6):
            factories.add_member(factories.make_circle(), self.cast.member)
        with CaptureQueriesContext(connection) as many:
            self.client.get("/")
        self.assertEqual(len(few), len(many))


class CircleDetailTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.public = make_cast(visibility=Circle.PUBLIC)
        cls.private = make_cast(visibility=Circle.PRIVATE)
        cls.hidden = make_cast(visibility=Circle.HIDDEN)
        for cast in (cls.public, cls.private, cls.hidden):
            factories.make_topic(circle=cast.circle, author=cast.member, title=f"Secret topic of {cast.circle.slug}")

    def get(self, cast, user):
        if user is None:
            self.client.logout()
        else:
            self.client.force_login(user)
        return self.client.get(cast.circle.get_absolute_url())

    def test_hidden_circle_is_404_to_visitor_and_outsider(self):
        for user in (None, self.hidden.outsider):
            response = self.get(self.hidden, user)
            self.assertEqual(response.status_code, 404)
            self.assertNotIn(self.hidden.circle.name.encode(), response.content)

    def test_applicant_sees_hidden_circle_description_but_no_topics_and_can_withdraw(self):
        response = self.get(self.hidden, self.hidden.pending)
        self.assertContains(response, self.hidden.circle.description)
        self.assertNotContains(response, "Secret topic")
        self.client.post(reverse("circles:circle-leave", args=[self.hidden.circle.slug]))
        self.assertFalse(Membership.objects.filter(circle=self.hidden.circle, user=self.hidden.pending).exists())
        self.assertEqual(self.get(self.hidden, self.hidden.pending).status_code, 404)

    def test_private_circle_shows_description_but_no_topics_to_outsiders_and_pending(self):
        for user in (None, self.private.outsider, self.private.pending):
            response = self.get(self.private, user)
            self.assertContains(response, self.private.circle.description)
            self.assertNotContains(response, "Secret topic")

    def test_public_circle_topics_need_sign_in(self):
        self.assertNotContains(self.get(self.public, None), "Secret topic")
        self.assertContains(self.get(self.public, self.public.outsider), "Secret topic")

    def test_members_and_staff_see_topics(self):
        for cast in (self.private, self.hidden):
            for user in (cast.member, cast.facilitator, cast.staff):
                self.assertContains(self.get(cast, user), "Secret topic")

    def test_only_facilitators_and_staff_see_the_invitation_link(self):
        link = reverse("circles:invite-join", args=[self.private.circle.invite_code])
        for user in (self.private.facilitator, self.private.staff):
            self.assertContains(self.get(self.private, user), link)
        for user in (None, self.private.member, self.private.pending, self.private.outsider):
            self.assertNotContains(self.get(self.private, user), link)

    def test_garbage_cursor_is_a_clear_error_not_a_500(self):
        self.client.force_login(self.public.member)
        for cursor in ("%%%", "bm90IGpzb24", "W10", "WyJ4IiwgMSwgMl0", "\x00"):
            response = self.client.get(self.public.circle.get_absolute_url(), {"cursor": cursor})
            self.assertEqual(response.status_code, 422, cursor)


class CircleCreateTests(KinshipTestCase):
    url = reverse("circles:circle-create")
    data = {
        "name": "Rotationplasty families",
        "slug": "",
        "description": "For families after rotationplasty.",
        "guidelines": "Be gentle.",
        "visibility": "private",
        "join_policy": "approval",
    }

    def test_staff_creates_circle_and_becomes_facilitator(self):
        self.client.force_login(self.cast.staff)
        response = self.client.post(self.url, self.data)
        circle = Circle.objects.get(slug="rotationplasty-families")
        self.assertRedirects(response, circle.get_absolute_url())
        self.assertEqual(circle.visibility, Circle.PRIVATE)
        self.assertTrue(Membership.objects.filter(circle=circle, user=self.cast.staff, role="facilitator").exists())

    def test_member_and_facilitator_are_forbidden(self):
        for user in (self.cast.member, self.cast.facilitator):
            self.client.force_login(user)
            self.assertEqual(self.client.post(self.url, self.data).status_code, 403)
        self.assertFalse(Circle.objects.filter(slug="rotationplasty-families").exists())

    def test_visitor_is_sent_to_sign_in(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)

    def test_bad_input_is_rejected_and_nothing_is_saved(self):
        self.client.force_login(self.cast.staff)
        before = Circle.objects.count()
        bad = [
            {"name": ""},
            {"name": "x" * 121},
            {"name": "a\x00b"},
            {"visibility": "secret"},
            {"join_policy": "lottery"},
            {"description": ""},
            {"guidelines": "g" * 8001},
            {"slug": self.cast.circle.slug},
        ]
        for change in bad:
            response = self.client.post(self.url, {**self.data, **change})
            self.assertIn(response.status_code, (409, 422), change)
        self.assertEqual(Circle.objects.count(), before)


class CircleEditTests(KinshipTestCase):
    def url(self):
        return reverse("circles:circle-edit", args=[self.cast.circle.slug])

    def data(self, **changes):
        circle = self.cast.circle
        values = {f: getattr(circle, f) for f in ("name", "description", "guidelines", "visibility", "join_policy")}
        return {**values, **changes}

    def test_facilitator_edits_guidelines(self):
        self.client.force_login(self.cast.facilitator)
        response = self.client.post(self.url(), self.data(guidelines="New guidelines."))
        self.assertEqual(response.status_code, 302)
        self.cast.circle.refresh_from_db()
        self.assertEqual(self.cast.circle.guidelines, "New guidelines.")

    def test_member_cannot_edit(self):
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.post(self.url(), self.data(guidelines="Hacked")).status_code, 403)
        self.cast.circle.refresh_from_db()
        self.assertNotEqual(self.cast.circle.guidelines, "Hacked")

    def test_bad_input_changes_nothing(self):
        self.client.force_login(self.cast.facilitator)
        for value in ODD_TEXT[:4]:
            self.assertEqual(self.client.post(self.url(), self.data(name=value)).status_code, 422)
        self.cast.circle.refresh_from_db()
        self.assertTrue(self.cast.circle.name.startswith("Limb salvage circle"))


class JoinTests(TestCase):
    def join(self, cast, user, **data):
        self.client.force_login(user)
        return self.client.post(reverse("circles:circle-join", args=[cast.circle.slug]), data)

    def test_open_circle_takes_member_at_once(self):
        cast = make_cast()
        response = self.join(cast, cast.outsider, accept_guidelines="on")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Membership.objects.get(circle=cast.circle, user=cast.outsider).status, "active")

    def test_approval_circle_puts_request_in_queue(self):
        cast = make_cast(join_policy=Circle.APPROVAL)
        self.join(cast, cast.outsider, accept_guidelines="on")
        self.assertEqual(Membership.objects.get(circle=cast.circle, user=cast.outsider).status, "pending")

    def test_guidelines_must_be_accepted(self):
        cast = make_cast()
        for data in ({}, {"accept_guidelines": ""}, {"accept_guidelines": "\x00"}):
            self.assertEqual(self.join(cast, cast.outsider, **data).status_code, 422)
        self.assertFalse(Membership.objects.filter(circle=cast.circle, user=cast.outsider).exists())

    def test_invite_only_circle_refuses_plain_join(self):
        cast = make_cast(join_policy=Circle.INVITE)
        self.assertEqual(self.join(cast, cast.outsider, accept_guidelines="on").status_code, 403)
        self.assertFalse(Membership.objects.filter(circle=cast.circle, user=cast.outsider).exists())

    def test_hidden_circle_join_page_is_404_to_outsiders(self):
        cast = make_cast(visibility=Circle.HIDDEN, join_policy=Circle.OPEN)
        self.assertEqual(self.join(cast, cast.outsider, accept_guidelines="on").status_code, 404)
        self.assertFalse(Membership.objects.filter(circle=cast.circle, user=cast.outsider).exists())

    def test_invite_link_opens_hidden_circle(self):
        cast = make_cast(visibility=Circle.HIDDEN, join_policy=Circle.INVITE)
        self.client.force_login(cast.outsider)
        url = reverse("circles:invite-join", args=[cast.circle.invite_code])
        self.assertContains(self.client.get(url), cast.circle.guidelines)
        self.client.post(url, {"accept_guidelines": "on"})
        self.assertEqual(Membership.objects.get(circle=cast.circle, user=cast.outsider).status, "active")

    def test_wrong_invite_code_is_404(self):
        cast = make_cast(visibility=Circle.HIDDEN, join_policy=Circle.INVITE)
        self.client.force_login(cast.outsider)
        real = cast.circle.invite_code
        one_off = real[:-1] + ("Y" if real.endswith("Z") else "Z")  # never the real code itself
        for code in ("nope", one_off, "x" * 500):
            self.assertEqual(self.client.post(f"/join/{code}/", {"accept_guidelines": "on"}).status_code, 404)
        self.assertFalse(Membership.objects.filter(circle=cast.circle, user=cast.outsider).exists())

    def test_visitor_is_sent_to_sign_in(self):
        cast = make_cast()
        response = self.client.post(
            reverse("circles:circle-join", args=[cast.circle.slug]), {"accept_guidelines": "on"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])


class LeaveTests(KinshipTestCase):
    def test_member_leaves(self):
        self.client.force_login(self.cast.member)
        self.client.post(reverse("circles:circle-leave", args=[self.cast.circle.slug]))
        self.assertFalse(Membership.objects.filter(circle=self.cast.circle, user=self.cast.member).exists())

    def test_last_facilitator_must_hand_over_first(self):
        self.client.force_login(self.cast.facilitator)
        response = self.client.post(reverse("circles:circle-leave", args=[self.cast.circle.slug]))
        self.assertEqual(response.status_code, 409)
        self.assertTrue(Membership.objects.filter(circle=self.cast.circle, user=self.cast.facilitator).exists())

    def test_outsider_cannot_leave_what_they_never_joined(self):
        self.client.force_login(self.cast.outsider)
        self.assertEqual(
            self.client.post(reverse("circles:circle-leave", args=[self.cast.circle.slug])).status_code, 409
        )

    def test_get_is_not_allowed(self):
        self.client.force_login(self.cast.member)
        self.assertEqual(
            self.client.get(reverse("circles:circle-leave", args=[self.cast.circle.slug])).status_code, 405
        )


class MemberListTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast = make_cast(visibility=Circle.PRIVATE, join_policy=Circle.APPROVAL)

    def url(self):
        return reverse("circles:member-list", args=[self.cast.circle.slug])

    def test_members_see_members_but_not_pending_requests(self):
        self.client.force_login(self.cast.member)
        response = self.client.get(self.url())
        self.assertContains(response, self.cast.facilitator.display_name)
        self.assertNotContains(response, self.cast.pending.display_name)

    def test_facilitator_sees_pending_requests(self):
        self.client.force_login(self.cast.facilitator)
        self.assertContains(self.client.get(self.url()), self.cast.pending.display_name)

    def test_outsider_and_pending_are_refused_as_in_the_api(self):
        for user in (self.cast.outsider, self.cast.pending):
            self.client.force_login(user)
            response = self.client.get(self.url())
            self.assertEqual(response.status_code, 403)
            self.assertNotContains(response, self.cast.member.display_name, status_code=403)

    def test_member_emails_never_appear(self):
        self.client.force_login(self.cast.member)
        response = self.client.get(self.url())
        for user in (self.cast.member, self.cast.facilitator, self.cast.pending):
            self.assertNotIn(user.email.encode(), response.content)

    def test_query_count_does_not_grow_with_members(self):
        self.client.force_login(self.cast.facilitator)
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.url())
        for _ in range(10):
            factories.make_member(self.cast.circle)
            factories.add_member(self.cast.circle, factories.make_user(), status="pending")
        with CaptureQueriesContext(connection) as many:
            self.client.get(self.url())
        self.assertEqual(len(few), len(many))


class MemberActionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast = make_cast(join_policy=Circle.APPROVAL)

    def act(self, user, target, action, **data):
        self.client.force_login(user)
        return self.client.post(reverse("circles:member-action", args=[self.cast.circle.slug, target.pk, action]), data)

    def status_of(self, user):
        found = Membership.objects.filter(circle=self.cast.circle, user=user).first()
        return (found.status, found.role) if found else None

    def test_facilitator_approves_pending_member(self):
        self.act(self.cast.facilitator, self.cast.pending, "approve")
        self.assertEqual(self.status_of(self.cast.pending), ("active", "member"))

    def test_facilitator_declines_pending_member(self):
        self.act(self.cast.facilitator, self.cast.pending, "remove")
        self.assertIsNone(self.status_of(self.cast.pending))

    def test_facilitator_appoints_and_removes(self):
        self.act(self.cast.facilitator, self.cast.member, "role", role="facilitator")
        self.assertEqual(self.status_of(self.cast.member), ("active", "facilitator"))
        other = factories.make_member(self.cast.circle)
        self.act(self.cast.facilitator, other, "remove")
        self.assertEqual(self.status_of(other), ("removed", "member"))

    def test_members_cannot_act(self):
        for action, data in (("approve", {}), ("remove", {}), ("role", {"role": "facilitator"})):
            response = self.act(self.cast.member, self.cast.pending, action, **data)
            self.assertEqual(response.status_code, 403)
        self.assertEqual(self.status_of(self.cast.pending), ("pending", "member"))

    def test_outsider_is_refused(self):
        self.assertEqual(self.act(self.cast.outsider, self.cast.pending, "approve").status_code, 403)
        self.assertEqual(self.status_of(self.cast.pending), ("pending", "member"))

    def test_bad_input_changes_nothing(self):
        self.assertEqual(self.act(self.cast.facilitator, self.cast.member, "role", role="king").status_code, 422)
        self.assertEqual(self.act(self.cast.facilitator, self.cast.member, "role", role="\x00").status_code, 422)
        self.assertEqual(self.act(self.cast.facilitator, self.cast.outsider, "approve").status_code, 422)
        self.assertEqual(self.act(self.cast.facilitator, self.cast.member, "explode").status_code, 404)
        self.client.force_login(self.cast.facilitator)
        for huge in (2**63, 2**70, 10**30):
            url = f"/c/{self.cast.circle.slug}/members/{huge}/approve/"
            self.assertEqual(self.client.post(url).status_code, 404)
        self.assertEqual(self.status_of(self.cast.member), ("active", "member"))

    def test_the_last_facilitator_cannot_step_down(self):
        response = self.act(self.cast.staff, self.cast.facilitator, "role", role="member")
        self.assertEqual(response.status_code, 409)
        self.assertEqual(self.status_of(self.cast.facilitator), ("active", "facilitator"))


class CraftedCursorTests(KinshipTestCase):
    """Cursors are opaque to members but anyone can forge one; none may crash a page."""

    def test_forged_cursors_are_refused_cleanly(self):
        import base64

        def cursor(raw: str) -> str:
            return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

        forged = [
            cursor("[" * 1100),
            cursor('[true, "0001-01-01T00:00:00+05:00", 1]'),
            cursor('[true, "9999-12-31T23:59:59-05:00", 1]'),
            cursor('[true, "2026-01-01T00:00:00+00:00", 99999999999999999999999]'),
            "A" * 5000,
        ]
        factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        self.client.force_login(self.cast.member)
        for value in forged:
            response = self.client.get(self.cast.circle.get_absolute_url(), {"cursor": value})
            self.assertEqual(response.status_code, 422, value[:40])
