"""API: /me/mentor-profile, /mentors/suggestions, /mentorships: allowed, forbidden, bad input."""

from datetime import timedelta

from django.utils import timezone

from kinship.api.tests.base import BAD_TEXT, ApiTestCase
from kinship.peers.models import MentorProfile, Mentorship
from kinship.peers.tests.mentoring_support import ask, make_mentee, make_mentor
from kinship.safety.models import AuditEntry


class MentorProfileApiTests(ApiTestCase):
    def test_needs_a_token(self) -> None:
        self.assertProblem(self.api("GET", "/me/mentor-profile"), 401)
        self.assertProblem(self.api("PATCH", "/me/mentor-profile", json_body={}), 401)

    def test_apply_then_pause_and_resume(self) -> None:
        user = self.cast.member
        self.assertProblem(self.api("GET", "/me/mentor-profile", user=user), 404)
        response = self.api(
            "PATCH",
            "/me/mentor-profile",
            user=user,
            json_body={"languages": ["en", "es"], "capacity": 2, "accept_guidelines": True, "topics": "School"},
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "applied")
        self.assertEqual(response.json()["languages"], ["en", "es"])
        self.assertProblem(self.api("PATCH", "/me/mentor-profile", user=user, json_body={"status": "paused"}), 403)
        MentorProfile.objects.filter(user=user).update(status=MentorProfile.APPROVED)
        paused = self.api("PATCH", "/me/mentor-profile", user=user, json_body={"status": "paused"})
        self.assertEqual(paused.json()["status"], "paused")
        resumed = self.api("PATCH", "/me/mentor-profile", user=user, json_body={"status": "approved"})
        self.assertEqual(resumed.json()["status"], "approved")
        self.assertNotIn("email", self.api("GET", "/me/mentor-profile", user=user).content.decode())

    def test_bad_input(self) -> None:
        user = self.cast.member
        self.assertProblem(
            self.api("PATCH", "/me/mentor-profile", user=user, json_body={"capacity": 3}), 422, "accept_guidelines"
        )
        for body in (
            {"capacity": "2", "accept_guidelines": True},
            {"capacity": 0, "accept_guidelines": True},
            {"languages": "en", "accept_guidelines": True},
            {"languages": ["xx"], "accept_guidelines": True},
            {"surgery_date": "2999-01-01", "accept_guidelines": True},
            {"unknown": 1},
        ):
            response = self.api("PATCH", "/me/mentor-profile", user=user, json_body=body)
            self.assertIn(response.status_code, (400, 422), body)
        response = self.api(
            "PATCH", "/me/mentor-profile", user=user, json_body={"status": "approved", "accept_guidelines": True}
        )
        self.assertProblem(response, 403)
        self.assertFalse(MentorProfile.objects.exists())
        for bad in BAD_TEXT:
            response = self.api(
                "PATCH", "/me/mentor-profile", user=user, json_body={"topics": bad, "accept_guidelines": True}
            )
            self.assertLess(response.status_code, 500)
        self.assertFalse(MentorProfile.objects.filter(topics="x" * 20_001).exists())

    def test_unverified_cannot_apply(self) -> None:
        response = self.api(
            "PATCH", "/me/mentor-profile", user=self.cast.unverified, json_body={"accept_guidelines": True}
        )
        self.assertProblem(response, 403)


class SuggestionsApiTests(ApiTestCase):
    def test_ranked_with_reasons_and_no_email(self) -> None:
        make_mentor(display_name="Priya", languages=["en", "es"])
        make_mentor(display_name="Finn", surgery_type="rotationplasty", body_site="Left knee")
        mentee = make_mentee()
        response = self.api(
            "GET", "/mentors/suggestions?surgery_type=limb_salvage&language=es&language_need=required", user=mentee
        )
        self.assertEqual(response.status_code, 200, response.content)
        items = response.json()["items"]
        self.assertEqual([i["mentor"]["user"]["display_name"] for i in items], ["Priya"])
        self.assertIn("both speak Spanish", items[0]["reason_text"])
        self.assertNotIn("@example.org", response.content.decode())

    def test_forbidden_and_bad_input(self) -> None:
        self.assertProblem(self.api("GET", "/mentors/suggestions"), 401)
        self.assertProblem(self.api("GET", "/mentors/suggestions", user=self.cast.unverified), 403)
        for query in ("language=xx", "surgery_type_need=maybe", "body_site_need=required", "diagnosis=%00"):
            self.assertProblem(self.api("GET", f"/mentors/suggestions?{query}", user=self.cast.member), 422)


class MentorshipApiTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.mentor = make_mentor(display_name="Priya")
        self.mentee = make_mentee()

    def test_request_accept_end_round_trip_with_idempotency(self) -> None:
        body = {"mentor_id": self.mentor.user_id, "message": "Hi!", "preferences": {"surgery_type": "limb_salvage"}}
        headers = {"Idempotency-Key": "abc-1"}
        first = self.api("POST", "/mentorships", user=self.mentee, json_body=body, headers=headers)
        self.assertEqual(first.status_code, 201, first.content)
        again = self.api("POST", "/mentorships", user=self.mentee, json_body=body, headers=headers)
        self.assertEqual(again.json(), first.json())
        self.assertEqual(Mentorship.objects.count(), 1)
        mid = first.json()["id"]
        self.assertNotIn("feedback", first.json())
        self.assertProblem(self.api("POST", f"/mentorships/{mid}/accept", user=self.mentee), 403)
        accepted = self.api("POST", f"/mentorships/{mid}/accept", user=self.mentor.user)
        self.assertEqual(accepted.json()["status"], "active")
        listed = self.api("GET", "/mentorships", user=self.mentor.user).json()
        self.assertEqual([m["id"] for m in listed["items"]], [mid])
        ended = self.api("POST", f"/mentorships/{mid}/end", user=self.mentee, json_body={"feedback": "Helpful"})
        self.assertEqual(ended.json()["status"], "ended")
        self.assertNotIn("feedback", ended.json())
        staff_view = self.api("GET", f"/mentorships/{mid}", user=self.cast.staff)
        self.assertEqual(staff_view.json()["feedback"], "Helpful")
        self.assertTrue(AuditEntry.objects.filter(action="mentorship.viewed", target_id=mid).exists())

    def test_others_get_404(self) -> None:
        mentorship = ask(self.mentee, self.mentor)
        for user in (self.cast.member, self.cast.facilitator, self.cast.outsider):
            self.assertProblem(self.api("GET", f"/mentorships/{mentorship.pk}", user=user), 404)
            self.assertProblem(self.api("POST", f"/mentorships/{mentorship.pk}/accept", user=user), 404)
            self.assertProblem(self.api("POST", f"/mentorships/{mentorship.pk}/end", user=user, json_body={}), 404)
            self.assertEqual(self.api("GET", "/mentorships", user=user).json()["items"], [])
        self.assertProblem(self.api("GET", "/mentorships/0", user=self.mentee), 404)
        self.assertProblem(self.api("GET", f"/mentorships/{2**63}", user=self.mentee), 404)

    def test_bad_input_and_conflicts(self) -> None:
        for body in (
            {},
            {"mentor_id": "1"},
            {"mentor_id": self.mentee.pk},
            {"mentor_id": self.mentor.user_id, "message": "x" * 1001},
            {"mentor_id": self.mentor.user_id, "preferences": {"language": "es", "language_need": "required"}},
            {"mentor_id": self.mentor.user_id, "preferences": {"gender": 5}},
            {"mentor_id": self.mentor.user_id, "extra": True},
        ):
            response = self.api("POST", "/mentorships", user=self.mentee, json_body=body)
            self.assertIn(response.status_code, (400, 422), (body, response.content))
        self.assertFalse(Mentorship.objects.exists())
        self.api("POST", "/mentorships", user=self.mentee, json_body={"mentor_id": self.mentor.user_id})
        other = make_mentor()
        self.assertProblem(
            self.api("POST", "/mentorships", user=self.mentee, json_body={"mentor_id": other.user_id}), 409
        )
        self.assertProblem(
            self.api("POST", "/mentorships", user=self.cast.unverified, json_body={"mentor_id": other.user_id}), 403
        )
        self.assertProblem(self.api("POST", "/mentorships", json_body={"mentor_id": other.user_id}), 401)

    def test_late_accept_and_end_before_active_are_409(self) -> None:
        mentorship = ask(self.mentee, self.mentor)
        self.assertProblem(self.api("POST", f"/mentorships/{mentorship.pk}/end", user=self.mentee, json_body={}), 409)
        Mentorship.objects.filter(pk=mentorship.pk).update(respond_by=timezone.now() - timedelta(minutes=1))
        self.assertProblem(self.api("POST", f"/mentorships/{mentorship.pk}/accept", user=self.mentor.user), 409)
        self.assertProblem(self.api("POST", f"/mentorships/{mentorship.pk}/decline", user=self.mentor.user), 409)

    def test_list_cursor_is_checked(self) -> None:
        self.assertProblem(self.api("GET", "/mentorships?cursor=%%%", user=self.mentee), 422)
        self.assertProblem(self.api("GET", "/mentorships?limit=1000", user=self.mentee), 422)
