from kinship.api.tests.base import BAD_TEXT, ApiTestCase
from kinship.circles.models import Circle, Membership
from kinship.core import factories

NEW_CIRCLE = {
    "name": "Rotationplasty circle",
    "description": "For people after **rotationplasty**.",
    "guidelines": "Be kind.",
    "visibility": "private",
    "join_policy": "approval",
}


class CircleListTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.private = factories.make_circle(name="B private", visibility=Circle.PRIVATE)
        cls.hidden = factories.make_circle(name="C hidden", visibility=Circle.HIDDEN)
        factories.add_member(cls.hidden, cls.cast.member)
        for _ in range(2):
            factories.make_member(cls.hidden)

    def slugs(self, user=None, query=""):
        response = self.api("get", f"/circles{query}", user=user)
        self.assertEqual(response.status_code, 200, response.content)
        return [c["slug"] for c in response.json()["items"]]

    def test_visitor_sees_public_and_private_but_not_hidden(self):
        slugs = self.slugs()
        self.assertIn(self.cast.circle.slug, slugs)
        self.assertIn(self.private.slug, slugs)
        self.assertNotIn(self.hidden.slug, slugs)

    def test_outsider_does_not_see_hidden_circle(self):
        self.assertNotIn(self.hidden.slug, self.slugs(self.cast.outsider))

    def test_member_and_staff_see_hidden_circle(self):
        self.assertIn(self.hidden.slug, self.slugs(self.cast.member))
        self.assertIn(self.hidden.slug, self.slugs(self.cast.staff))

    def test_items_carry_url_counts_and_own_membership(self):
        items = {c["slug"]: c for c in self.api("get", "/circles", user=self.cast.member).json()["items"]}
        hidden = items[self.hidden.slug]
        self.assertEqual(hidden["url"], self.hidden.get_absolute_url())
        self.assertEqual(hidden["member_count"], 3)
        self.assertEqual(hidden["my_membership"], {"role": "member", "status": "active"})
        self.assertIsNone(items[self.private.slug]["my_membership"])
        self.assertEqual(items[self.cast.circle.slug]["member_count"], 3)  # facilitator, member, unverified
        self.assertNotIn("invite_code", hidden)

    def test_pages_follow_the_cursor(self):
        first = self.api("get", "/circles?limit=2", user=self.cast.staff).json()
        self.assertEqual(len(first["items"]), 2)
        second = self.api("get", f"/circles?limit=2&cursor={first['next']}", user=self.cast.staff).json()
        self.assertEqual(len(second["items"]), 1)
        self.assertIsNone(second["next"])
        seen = [c["slug"] for c in first["items"] + second["items"]]
        self.assertEqual(len(set(seen)), 3)

    def test_long_names_page_too(self):
        for i in range(3):
            factories.make_circle(name=f"{'Ü' * 115} {i}")
        first = self.api("get", "/circles?limit=4", user=self.cast.staff).json()
        second = self.api("get", f"/circles?limit=4&cursor={first['next']}", user=self.cast.staff)
        self.assertEqual(second.status_code, 200, second.content)

    def test_garbage_cursors_and_limits_are_422(self):
        for query in [
            "?cursor=garbage",
            "?cursor=%00",
            "?cursor=W1swXV0",
            "?cursor=WyJhIiwgIngiXQ",
            "?cursor=" + "A" * 5000,
            "?limit=0",
            "?limit=101",
            "?limit=abc",
            "?limit=99999999999999999999",
        ]:
            self.assertProblem(self.api("get", f"/circles{query}"), 422)


class CircleCreateTests(ApiTestCase):
    def test_staff_creates_circle_and_leads_it(self):
        response = self.api("post", "/circles", user=self.cast.staff, json_body=NEW_CIRCLE)
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(body["slug"], "rotationplasty-circle")
        self.assertIn("<strong>rotationplasty</strong>", body["description_html"])
        self.assertEqual(body["my_membership"], {"role": "facilitator", "status": "active"})
        self.assertTrue(body["invite_code"])
        self.assertTrue(Circle.objects.filter(slug="rotationplasty-circle", visibility="private").exists())

    def test_member_gets_403_and_visitor_401(self):
        self.assertProblem(self.api("post", "/circles", user=self.cast.facilitator, json_body=NEW_CIRCLE), 403)
        self.assertProblem(self.api("post", "/circles", json_body=NEW_CIRCLE), 401)
        self.assertFalse(Circle.objects.filter(name=NEW_CIRCLE["name"]).exists())

    def test_bad_input_is_refused_and_nothing_is_created(self):
        before = Circle.objects.count()
        for field in ("name", "description", "guidelines", "visibility", "join_policy", "slug"):
            for value in BAD_TEXT:
                if field == "slug" and value in (None, ""):
                    continue  # an empty slug means "make one from the name"
                response = self.api("post", "/circles", user=self.cast.staff, json_body={**NEW_CIRCLE, field: value})
                self.assertProblem(response, 422)
        self.assertProblem(self.api("post", "/circles", user=self.cast.staff, json_body={}), 422, "name")
        self.assertProblem(self.api("post", "/circles", user=self.cast.staff, raw="nope"), 400)
        self.assertEqual(Circle.objects.count(), before)

    def test_taken_slug_is_a_conflict(self):
        body = {**NEW_CIRCLE, "slug": self.cast.circle.slug}
        self.assertProblem(self.api("post", "/circles", user=self.cast.staff, json_body=body), 409)


class CircleDetailTests(ApiTestCase):
    def test_private_circle_description_is_visible_to_outsiders_and_visitors(self):
        private = factories.make_circle(visibility=Circle.PRIVATE, description="About us.")
        for user in (None, self.cast.outsider):
            response = self.api("get", f"/circles/{private.slug}", user=user)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.json()["description"], "About us.")

    def test_hidden_circle_is_404_to_outsiders_removed_members_and_visitors(self):
        hidden = factories.make_circle(visibility=Circle.HIDDEN)
        factories.add_member(hidden, self.cast.member, status="removed")
        for user in (None, self.cast.outsider, self.cast.member):
            self.assertProblem(self.api("get", f"/circles/{hidden.slug}", user=user), 404)

    def test_applicant_through_invitation_sees_hidden_circle_but_not_its_topics(self):
        hidden = factories.make_circle(visibility=Circle.HIDDEN)
        factories.add_member(hidden, self.cast.pending, status="pending")
        self.assertEqual(self.api("get", f"/circles/{hidden.slug}", user=self.cast.pending).status_code, 200)
        self.assertProblem(self.api("get", f"/circles/{hidden.slug}/topics", user=self.cast.pending), 404)

    def test_hidden_circle_is_visible_to_members_and_staff(self):
        hidden = factories.make_circle(visibility=Circle.HIDDEN)
        factories.add_member(hidden, self.cast.member)
        for user in (self.cast.member, self.cast.staff):
            self.assertEqual(self.api("get", f"/circles/{hidden.slug}", user=user).status_code, 200)

    def test_invite_code_only_for_facilitators_and_staff(self):
        path = f"/circles/{self.cast.circle.slug}"
        self.assertEqual(
            self.api("get", path, user=self.cast.facilitator).json()["invite_code"], self.cast.circle.invite_code
        )
        self.assertIn("invite_code", self.api("get", path, user=self.cast.staff).json())
        for user in (None, self.cast.member, self.cast.outsider):
            response = self.api("get", path, user=user)
            self.assertNotIn("invite_code", response.json())
            self.assertNotIn(self.cast.circle.invite_code.encode(), response.content)

    def test_unknown_and_odd_slugs_are_404(self):
        for slug in ["nope", "a%00b", "%C3%A9" * 50, "x" * 3000, "%F0%9F%92%A9"]:
            self.assertProblem(self.api("get", f"/circles/{slug}", user=self.cast.member), 404)


class CircleUpdateTests(ApiTestCase):
    def test_facilitator_edits_the_circle(self):
        path = f"/circles/{self.cast.circle.slug}"
        response = self.api("patch", path, user=self.cast.facilitator, json_body={"guidelines": "New rules."})
        self.assertEqual(response.status_code, 200, response.content)
        self.cast.circle.refresh_from_db()
        self.assertEqual(self.cast.circle.guidelines, "New rules.")

    def test_member_gets_403_outsider_of_hidden_404_visitor_401(self):
        path = f"/circles/{self.cast.circle.slug}"
        self.assertProblem(self.api("patch", path, user=self.cast.member, json_body={"name": "Mine"}), 403)
        self.assertProblem(self.api("patch", path, json_body={"name": "Mine"}), 401)
        hidden = factories.make_circle(visibility=Circle.HIDDEN)
        self.assertProblem(
            self.api("patch", f"/circles/{hidden.slug}", user=self.cast.outsider, json_body={"name": "Mine"}), 404
        )
        self.assertFalse(Circle.objects.filter(name="Mine").exists())

    def test_bad_input_changes_nothing(self):
        path = f"/circles/{self.cast.circle.slug}"
        for body in [{"name": v} for v in BAD_TEXT] + [{"visibility": "secret"}, {"slug": "other"}, {"owner": 1}]:
            response = self.api("patch", path, user=self.cast.facilitator, json_body=body)
            self.assertProblem(response, 422)
        original = self.cast.circle.name
        self.cast.circle.refresh_from_db()
        self.assertEqual(self.cast.circle.name, original)


class JoinLeaveTests(ApiTestCase):
    def join(self, circle, user, **body):
        return self.api(
            "post", f"/circles/{circle.slug}/join", user=user, json_body={"accept_guidelines": True, **body}
        )

    def test_open_circle_takes_member_at_once(self):
        response = self.join(self.cast.circle, self.cast.outsider)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["status"], "active")
        self.assertEqual(response.json()["circle"]["slug"], self.cast.circle.slug)

    def test_approval_circle_queues_the_request(self):
        circle = factories.make_circle(join_policy=Circle.APPROVAL)
        self.assertEqual(self.join(circle, self.cast.outsider).json()["status"], "pending")

    def test_invite_circle_needs_the_code(self):
        circle = factories.make_circle(join_policy=Circle.INVITE)
        self.assertProblem(self.join(circle, self.cast.outsider), 403)
        self.assertProblem(self.join(circle, self.cast.outsider, invite_code="wrong"), 403)
        self.assertEqual(self.join(circle, self.cast.outsider, invite_code=circle.invite_code).status_code, 201)

    def test_hidden_circle_is_404_without_the_code_and_joinable_with_it(self):
        circle = factories.make_circle(visibility=Circle.HIDDEN, join_policy=Circle.INVITE)
        self.assertProblem(self.join(circle, self.cast.outsider), 404)
        self.assertProblem(self.join(circle, self.cast.outsider, invite_code="wrong"), 404)
        self.assertProblem(self.join(circle, self.cast.outsider, invite_code="a\x00"), 404)
        self.assertFalse(Membership.objects.filter(circle=circle).exists())
        response = self.join(circle, self.cast.outsider, invite_code=circle.invite_code)
        self.assertEqual(response.status_code, 201, response.content)

    def test_guidelines_must_be_accepted(self):
        for value in (False, "yes", 1, None):
            response = self.api(
                "post",
                f"/circles/{self.cast.circle.slug}/join",
                user=self.cast.outsider,
                json_body={"accept_guidelines": value},
            )
            self.assertProblem(response, 422, "accept_guidelines")
        self.assertProblem(
            self.api("post", f"/circles/{self.cast.circle.slug}/join", user=self.cast.outsider, json_body={}),
            422,
            "accept_guidelines",
        )
        self.assertProblem(self.join(self.cast.circle, self.cast.outsider, invite_code=5), 422, "invite_code")
        self.assertFalse(Membership.objects.filter(user=self.cast.outsider).exists())

    def test_joining_twice_is_a_conflict_and_visitor_401(self):
        self.assertProblem(self.join(self.cast.circle, self.cast.member), 409)
        self.assertProblem(self.join(self.cast.circle, None), 401)
        self.assertProblem(self.join(self.cast.circle, self.cast.pending), 409)

    def test_member_leaves_and_non_member_cannot(self):
        path = f"/circles/{self.cast.circle.slug}/leave"
        self.assertEqual(self.api("post", path, user=self.cast.member).status_code, 204)
        self.assertFalse(Membership.objects.filter(user=self.cast.member, circle=self.cast.circle).exists())
        self.assertProblem(self.api("post", path, user=self.cast.outsider), 409)
        self.assertProblem(self.api("post", path), 401)
        self.assertProblem(self.api("post", "/circles/nope/leave", user=self.cast.member), 404)

    def test_only_facilitator_cannot_leave_a_populated_circle(self):
        path = f"/circles/{self.cast.circle.slug}/leave"
        self.assertProblem(self.api("post", path, user=self.cast.facilitator), 409)
        self.assertTrue(Membership.objects.filter(user=self.cast.facilitator, circle=self.cast.circle).exists())
