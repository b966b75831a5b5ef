from kinship.api.tests.base import ApiTestCase
from kinship.circles.models import Circle, Membership
from kinship.core import factories


class MemberListTests(ApiTestCase):
    def ids(self, user, circle=None):
        circle = circle or self.cast.circle
        response = self.api("get", f"/circles/{circle.slug}/members", user=user)
        self.assertEqual(response.status_code, 200, response.content)
        return {m["user"]["id"]: m for m in response.json()["items"]}

    def test_members_see_active_members_only(self):
        members = self.ids(self.cast.member)
        self.assertIn(self.cast.facilitator.pk, members)
        self.assertNotIn(self.cast.pending.pk, members)
        self.assertEqual(members[self.cast.facilitator.pk]["role"], "facilitator")
        self.assertEqual(members[self.cast.facilitator.pk]["user"]["badges"], ["facilitator"])

    def test_facilitators_and_staff_also_see_pending_requests(self):
        for user in (self.cast.facilitator, self.cast.staff):
            members = self.ids(user)
            self.assertEqual(members[self.cast.pending.pk]["status"], "pending")

    def test_users_appear_without_email(self):
        response = self.api("get", f"/circles/{self.cast.circle.slug}/members", user=self.cast.facilitator)
        for item in response.json()["items"]:
            self.assertEqual(set(item["user"]), {"id", "display_name", "avatar_url", "badges"})
        self.assertNotIn(b"@example.org", response.content)

    def test_outsider_and_pending_get_403_visitor_401(self):
        path = f"/circles/{self.cast.circle.slug}/members"
        self.assertProblem(self.api("get", path, user=self.cast.outsider), 403)
        self.assertProblem(self.api("get", path, user=self.cast.pending), 403)
        self.assertProblem(self.api("get", path), 401)

    def test_hidden_circle_members_are_404_to_outsiders(self):
        hidden = factories.make_circle(visibility=Circle.HIDDEN)
        self.assertProblem(self.api("get", f"/circles/{hidden.slug}/members", user=self.cast.outsider), 404)

    def test_pages_follow_the_cursor(self):
        for _ in range(4):
            factories.make_member(self.cast.circle)
        path = f"/circles/{self.cast.circle.slug}/members?limit=3"
        items, cursor = [], ""
        for _ in range(5):
            page = self.api("get", f"{path}{cursor}", user=self.cast.facilitator).json()
            items += page["items"]
            if page["next"] is None:
                break
            cursor = f"&cursor={page['next']}"
        ids = [m["user"]["id"] for m in items]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(len(ids), 8)  # 7 active and the pending request
        self.assertEqual(items[0]["role"], "facilitator")
        self.assertEqual(items[-1]["status"], "pending")
        self.assertProblem(self.api("get", f"{path}&cursor=WyJ4Il0", user=self.cast.facilitator), 422)


class MemberActionTests(ApiTestCase):
    def path(self, user_id, action):
        return f"/circles/{self.cast.circle.slug}/members/{user_id}/{action}"

    def test_facilitator_approves_a_request(self):
        response = self.api("post", self.path(self.cast.pending.pk, "approve"), user=self.cast.facilitator)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "active")
        self.assertEqual(response.json()["user"]["id"], self.cast.pending.pk)

    def test_facilitator_removes_a_member(self):
        response = self.api("post", self.path(self.cast.member.pk, "remove"), user=self.cast.facilitator)
        self.assertEqual(response.status_code, 204)
        removed = Membership.objects.get(user=self.cast.member, circle=self.cast.circle)
        self.assertEqual(removed.status, Membership.REMOVED)
        rejoin = self.api(
            "post",
            f"/circles/{self.cast.circle.slug}/join",
            user=self.cast.member,
            json_body={"accept_guidelines": True},
        )
        self.assertEqual(rejoin.status_code, 403)

    def test_facilitator_appoints_a_facilitator(self):
        response = self.api(
            "post",
            self.path(self.cast.member.pk, "role"),
            user=self.cast.facilitator,
            json_body={"role": "facilitator"},
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["role"], "facilitator")

    def test_members_outsiders_and_visitors_may_not(self):
        for action, body in (("approve", None), ("remove", None), ("role", {"role": "facilitator"})):
            kwargs = {"json_body": body} if body else {}
            target = self.cast.pending.pk if action == "approve" else self.cast.member.pk
            self.assertProblem(self.api("post", self.path(target, action), user=self.cast.member, **kwargs), 403)
            self.assertProblem(self.api("post", self.path(target, action), user=self.cast.outsider, **kwargs), 403)
            self.assertProblem(self.api("post", self.path(target, action), **kwargs), 401)
        self.assertEqual(Membership.objects.get(user=self.cast.pending).status, "pending")
        self.assertEqual(Membership.objects.get(user=self.cast.member).role, "member")

    def test_hidden_circle_actions_are_404_to_outsiders(self):
        hidden = factories.make_circle(visibility=Circle.HIDDEN)
        user = factories.make_member(hidden)
        response = self.api("post", f"/circles/{hidden.slug}/members/{user.pk}/remove", user=self.cast.outsider)
        self.assertProblem(response, 404)
        self.assertTrue(Membership.objects.filter(user=user).exists())

    def test_unknown_and_odd_user_ids_change_nothing(self):
        for user_id in (self.cast.outsider.pk, 0, -1, 2**63, 10**30):
            self.assertProblem(self.api("post", self.path(user_id, "approve"), user=self.cast.facilitator), 422)
        for user_id in ("abc", "1.5", "%00"):
            self.assertProblem(self.api("post", self.path(user_id, "remove"), user=self.cast.facilitator), 422)
        self.assertEqual(Membership.objects.filter(circle=self.cast.circle).count(), 4)

    def test_bad_roles_are_refused(self):
        for role in ("owner", "", None, 5, ["facilitator"], "facilitator\x00"):
            response = self.api(
                "post", self.path(self.cast.member.pk, "role"), user=self.cast.facilitator, json_body={"role": role}
            )
            self.assertProblem(response, 422, "role")
        self.assertEqual(Membership.objects.get(user=self.cast.member).role, "member")

    def test_the_last_facilitator_cannot_be_stepped_down(self):
        response = self.api(
            "post",
            self.path(self.cast.facilitator.pk, "role"),
            user=self.cast.facilitator,
            json_body={"role": "member"},
        )
        self.assertProblem(response, 409)

    def test_approving_an_active_member_is_a_conflict(self):
        self.assertProblem(self.api("post", self.path(self.cast.member.pk, "approve"), user=self.cast.facilitator), 409)
