"""GET/POST /referrals, GET/PATCH /referrals/{id}: private to the member, the referrer and staff."""

import json

from kinship.api.models import IdempotencyKey
from kinship.api.tests.base import ApiTestCase
from kinship.api.tests.test_robustness import WEIRD_BODIES, WEIRD_VALUES
from kinship.core import factories
from kinship.library import referrals
from kinship.library.models import Referral, ReferralUpdate
from kinship.library.tests.referrals_support import NOTE, ReferralTestCase, make_referral, make_resource

FIELDS = {
    "id", "url", "resource", "member", "referred_by", "circle", "note", "status", "status_label", "follow_up_days",
    "follow_up_at", "closed_at", "created_at", "updated_at", "updates",
}  # fmt: skip


class ReferralApiTestCase(ApiTestCase, ReferralTestCase):
    def body(self, **overrides: object) -> dict[str, object]:
        data: dict[str, object] = {
            "circle": self.cast.circle.slug,
            "member": self.cast.member.pk,
            "resource": self.resource.pk,
            "note": NOTE,
            "follow_up_days": 14,
        }
        data.update(overrides)
        return data

    def snapshot(self) -> tuple[int, int, int]:
        return Referral.objects.count(), ReferralUpdate.objects.count(), IdempotencyKey.objects.count()


class ReferralCreateApiTests(ReferralApiTestCase):
    def test_facilitator_creates_a_referral(self) -> None:
        response = self.api("post", "/referrals", user=self.cast.facilitator, json_body=self.body())
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        self.assertEqual(set(data), FIELDS)
        referral = Referral.objects.get()
        self.assertEqual(data["id"], referral.pk)
        self.assertEqual(data["url"], f"/referrals/{referral.pk}/")
        self.assertEqual(
            data["resource"],
            {
                "id": self.resource.pk,
                "name": self.resource.name,
                "url": self.resource.get_absolute_url(),
                "kind": "physiotherapy",
            },
        )
        self.assertEqual(data["member"]["id"], self.cast.member.pk)
        self.assertEqual(data["referred_by"]["id"], self.cast.facilitator.pk)
        self.assertIn("facilitator", data["referred_by"]["badges"])
        self.assertEqual(data["circle"], {"slug": self.cast.circle.slug, "name": self.cast.circle.name})
        self.assertEqual((data["note"], data["status"], data["status_label"]), (NOTE, "suggested", "Suggested"))
        self.assertEqual(data["follow_up_days"], 14)
        self.assertIsNone(data["closed_at"])
        self.assertEqual([u["status"] for u in data["updates"]], ["suggested"])
        self.assertNotIn(self.cast.member.email, response.content.decode())

    def test_idempotency_key_replays_and_creates_nothing_new(self) -> None:
        headers = {"Idempotency-Key": "ref-1"}
        first = self.api("post", "/referrals", user=self.cast.facilitator, json_body=self.body(), headers=headers)
        again = self.api("post", "/referrals", user=self.cast.facilitator, json_body=self.body(), headers=headers)
        self.assertEqual((first.status_code, again.status_code), (201, 201))
        self.assertEqual(first.json(), again.json())
        self.assertEqual(Referral.objects.count(), 1)
        other = self.api(
            "post", "/referrals", user=self.cast.facilitator, json_body=self.body(note="changed"), headers=headers
        )
        self.assertProblem(other, 422, "Idempotency-Key")

    def test_visitor_is_401_and_members_are_403(self) -> None:
        self.assertProblem(self.api("post", "/referrals", json_body=self.body()), 401)
        for user in (self.cast.member, self.peer, self.cast.outsider):
            self.assertProblem(self.api("post", "/referrals", user=user, json_body=self.body(member=self.peer.pk)), 403)
        self.assertFalse(Referral.objects.exists())

    def test_facilitator_of_another_circle_gets_422_on_circle(self) -> None:
        response = self.api("post", "/referrals", user=self.other_facilitator, json_body=self.body())
        self.assertProblem(response, 422, "circle")
        self.assertFalse(Referral.objects.exists())

    def test_bad_fields_are_422_and_named(self) -> None:
        cases = [
            ({"member": self.cast.facilitator.pk}, "member"),
            ({"member": self.cast.pending.pk}, "member"),
            ({"member": 0}, "member"),
            ({"member": "5"}, "member"),
            ({"resource": 999_999}, "resource"),
            ({"circle": "no-such-circle"}, "circle"),
            ({"note": "x" * 2001}, "note"),
            ({"note": "a\x00b"}, "note"),
            ({"follow_up_days": 0}, "follow_up_days"),
            ({"follow_up_days": 91}, "follow_up_days"),
            ({"follow_up_days": "14"}, "follow_up_days"),
            ({"surprise": 1}, "surprise"),
        ]
        for change, field in cases:
            response = self.api("post", "/referrals", user=self.cast.facilitator, json_body=self.body(**change))
            self.assertProblem(response, 422, field)
        self.assertFalse(Referral.objects.exists())

    def test_the_same_open_referral_with_another_note_is_409(self) -> None:
        self.api("post", "/referrals", user=self.cast.facilitator, json_body=self.body())
        response = self.api("post", "/referrals", user=self.cast.facilitator, json_body=self.body(note="other"))
        self.assertProblem(response, 409)
        self.assertEqual(Referral.objects.count(), 1)

    def test_creation_is_rate_limited_with_retry_after(self) -> None:
        members = [factories.make_member(self.cast.circle) for _ in range(referrals.REFERRALS_PER_HOUR + 1)]
        for member in members[:-1]:
            response = self.api("post", "/referrals", user=self.cast.facilitator, json_body=self.body(member=member.pk))
            self.assertEqual(response.status_code, 201)
        response = self.api(
            "post", "/referrals", user=self.cast.facilitator, json_body=self.body(member=members[-1].pk)
        )
        self.assertProblem(response, 429)
        self.assertGreater(int(response["Retry-After"]), 0)
        self.assertEqual(Referral.objects.count(), referrals.REFERRALS_PER_HOUR)

    def test_weird_values_and_bodies_never_make_a_500_and_change_nothing(self) -> None:
        before = self.snapshot()
        for field in ("circle", "member", "resource", "note", "follow_up_days"):
            for value in WEIRD_VALUES:
                response = self.api(
                    "post", "/referrals", user=self.cast.facilitator, json_body=self.body(**{field: value})
                )
                if response.status_code >= 400:
                    self.assertEqual(response["Content-Type"], "application/problem+json")
                    self.assertEqual(self.snapshot()[:2], before[:2], (field, value))
                else:
                    # Some odd values are fine (a note of emoji); undo so the next case starts clean.
                    Referral.objects.all().delete()
        for raw in WEIRD_BODIES:
            response = self.api("post", "/referrals", user=self.cast.facilitator, raw=raw)
            self.assertIn(response.status_code, (400, 422), raw[:20])
        self.assertEqual(Referral.objects.count(), 0)


class ReferralReadApiTests(ReferralApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.referral = self.refer()
        self.path = f"/referrals/{self.referral.pk}"

    def test_member_referrer_and_staff_read_it(self) -> None:
        for user in (self.cast.member, self.cast.facilitator, self.cast.staff):
            response = self.api("get", self.path, user=user)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.json()["note"], NOTE)
            self.assertNotIn(self.cast.member.email, response.content.decode())

    def test_everyone_else_gets_404_and_visitors_401(self) -> None:
        for user in self.outsiders():
            self.assertProblem(self.api("get", self.path, user=user), 404)
        self.assertProblem(self.api("get", self.path), 401)
        missing = self.api("get", f"/referrals/{self.referral.pk + 1000}", user=self.cast.staff)
        self.assertEqual(missing.json()["detail"], self.api("get", self.path, user=self.peer).json()["detail"])

    def test_odd_ids_are_never_a_500(self) -> None:
        for path in ("/referrals/0", "/referrals/-1", f"/referrals/{10**30}", "/referrals/abc", "/referrals/1%00"):
            response = self.api("get", path, user=self.cast.staff)
            self.assertIn(response.status_code, (404, 422), path)
            response = self.api("patch", path, user=self.cast.staff, json_body={"status": "done"})
            self.assertIn(response.status_code, (404, 422), path)

    def test_list_shows_the_callers_own_by_role(self) -> None:
        made_for_facilitator = make_referral(
            referrer=self.co_facilitator, member=self.cast.facilitator, circle=self.cast.circle, resource=self.resource
        )
        others = make_referral(
            referrer=self.co_facilitator, member=self.peer, circle=self.cast.circle, resource=self.resource
        )

        def ids(user, query: str = "") -> list[int]:  # type: ignore[no-untyped-def]
            response = self.api("get", "/referrals" + query, user=user)
            self.assertEqual(response.status_code, 200, response.content)
            return [item["id"] for item in response.json()["items"]]

        self.assertEqual(ids(self.cast.member), [self.referral.pk])
        self.assertEqual(ids(self.cast.member, "?role=referrer"), [])
        self.assertEqual(ids(self.cast.facilitator), [made_for_facilitator.pk, self.referral.pk])
        self.assertEqual(ids(self.cast.facilitator, "?role=member"), [made_for_facilitator.pk])
        self.assertEqual(ids(self.cast.facilitator, "?role=referrer"), [self.referral.pk])
        self.assertEqual(ids(self.cast.facilitator, "?role="), [made_for_facilitator.pk, self.referral.pk])
        for user in (self.peer, self.other_facilitator, self.cast.outsider):
            self.assertNotIn(self.referral.pk, ids(user))
        self.assertNotIn(others.pk, ids(self.cast.staff))  # staff list their own here; all of them in the admin

    def test_list_refuses_bad_role_and_cursor_and_needs_a_token(self) -> None:
        self.assertProblem(self.api("get", "/referrals?role=staff", user=self.cast.member), 422, "role")
        self.assertProblem(self.api("get", "/referrals?role=%00", user=self.cast.member), 422, "role")
        self.assertProblem(self.api("get", "/referrals?cursor=broken", user=self.cast.member), 422, "cursor")
        self.assertProblem(self.api("get", "/referrals?limit=0", user=self.cast.member), 422, "limit")
        self.assertProblem(self.api("get", "/referrals"), 401)

    def test_list_pages_with_a_cursor(self) -> None:
        for i in range(4):
            make_referral(
                referrer=self.cast.facilitator,
                member=self.cast.member,
                circle=self.cast.circle,
                resource=make_resource(name=f"R{i}"),
            )
        first = self.api("get", "/referrals?limit=3", user=self.cast.member).json()
        self.assertEqual(len(first["items"]), 3)
        second = self.api("get", f"/referrals?limit=3&cursor={first['next']}", user=self.cast.member).json()
        self.assertEqual(len(second["items"]), 2)
        self.assertIsNone(second["next"])
        seen = [i["id"] for i in first["items"] + second["items"]]
        self.assertEqual(len(set(seen)), 5)

    def test_list_queries_stay_flat_with_3_or_30_referrals(self) -> None:
        def add(count: int) -> None:
            for i in range(count):
                referral = make_referral(
                    referrer=factories.make_user(),
                    member=self.cast.member,
                    circle=factories.make_circle(),
                    resource=make_resource(name=f"R{i}"),
                )
                ReferralUpdate.objects.create(referral=referral, by=self.cast.member, status=Referral.CONTACTED)

        self.api("get", "/referrals", user=self.cast.member)  # the token's first use is recorded once
        add(2)
        with self.assertNumQueries(4):
            self.api("get", "/referrals?limit=100", user=self.cast.member)
        add(27)
        with self.assertNumQueries(4):
            response = self.api("get", "/referrals?limit=100", user=self.cast.member)
        self.assertEqual(len(response.json()["items"]), 30)


class ReferralPatchApiTests(ReferralApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.referral = self.refer()
        self.path = f"/referrals/{self.referral.pk}"

    def test_member_referrer_and_staff_move_the_status(self) -> None:
        for user, status in (
            (self.cast.member, "contacted"),
            (self.cast.facilitator, "appointment"),
            (self.cast.staff, "done"),
        ):
            response = self.api("patch", self.path, user=user, json_body={"status": status})
            self.assertEqual(response.status_code, 200, response.content)
            self.assertEqual(response.json()["status"], status)
        data = response.json()
        self.assertIsNotNone(data["closed_at"])
        self.assertEqual([u["status"] for u in data["updates"]], ["suggested", "contacted", "appointment", "done"])
        self.assertEqual(data["updates"][1]["by"]["id"], self.cast.member.pk)
        reopened = self.api("patch", self.path, user=self.cast.member, json_body={"status": "contacted"}).json()
        self.assertIsNone(reopened["closed_at"])

    def test_bad_status_is_422_and_nothing_changes(self) -> None:
        for body in (
            {"status": "closed"},
            {"status": ""},
            {"status": None},
            {"status": 3},
            {},
            {"status": "done", "x": 1},
        ):
            self.assertProblem(self.api("patch", self.path, user=self.cast.member, json_body=body), 422)
        for raw in WEIRD_BODIES:
            response = self.api("patch", self.path, user=self.cast.member, raw=raw)
            self.assertIn(response.status_code, (400, 422), raw[:20])
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, Referral.SUGGESTED)
        self.assertEqual(self.referral.updates.count(), 1)

    def test_someone_elses_referral_is_404_to_update_and_stays_unchanged(self) -> None:
        for user in self.outsiders():
            response = self.api("patch", self.path, user=user, json_body={"status": "done"})
            self.assertProblem(response, 404)
        self.assertProblem(self.api("patch", self.path, json_body={"status": "done"}), 401)
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, Referral.SUGGESTED)
        self.assertEqual(self.referral.updates.count(), 1)

    def test_openapi_documents_the_endpoints(self) -> None:
        paths = json.loads(self.client.get("/api/v1/openapi.json").content)["paths"]
        self.assertEqual(set(paths["/api/v1/referrals"]), {"get", "post"})
        self.assertEqual(set(paths["/api/v1/referrals/{referral_id}"]), {"get", "patch"})
