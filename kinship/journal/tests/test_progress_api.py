"""API: GET /journal/timeline: the caller's own scores and milestones over a range; allowed, forbidden, bad input."""

from datetime import timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kinship.api.tests.base import ApiTestCase
from kinship.journal.tests.progress_support import make_checkin, make_milestone, make_weekly_checkins

TIMELINE = "/journal/timeline"


class TimelineApiTests(ApiTestCase):
    def test_needs_a_token(self) -> None:
        self.assertProblem(self.api("GET", TIMELINE), 401)

    def test_member_gets_their_scores_and_milestones(self) -> None:
        member = self.cast.member
        when = timezone.now() - timedelta(days=5)
        checkin = make_checkin(member, when=when, distress=7, pain=3, note="Private words", problems=["sleep"])
        milestone = make_milestone(member, title="Clear scan", kind="clear_scan", note="Private too")
        make_milestone(member, title="Too old", happened_on=timezone.localdate() - timedelta(days=200))
        response = self.api("GET", TIMELINE, user=member)
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["range"], "3m")
        self.assertEqual(body["end"], timezone.localdate().isoformat())
        self.assertEqual(body["start"], (timezone.localdate() - timedelta(days=91)).isoformat())
        self.assertEqual(body["bucket"], "each")
        self.assertEqual(body["checkin_count"], 1)
        [point] = body["points"]
        self.assertEqual((point["distress"], point["pain"], point["checkins"]), (7.0, 3.0, 1))
        at = parse_datetime(point["at"])
        assert at is not None
        self.assertLess(abs(at - checkin.created_at), timedelta(milliseconds=1))
        self.assertEqual(
            body["milestones"],
            [
                {
                    "id": milestone.pk,
                    "url": milestone.get_absolute_url(),
                    "kind": "clear_scan",
                    "kind_label": "Clear scan",
                    "title": "Clear scan",
                    "happened_on": milestone.happened_on.isoformat(),
                }
            ],
        )
        # Scores only: notes and problem lists stay on each check-in.
        self.assertNotIn("Private", response.content.decode())
        self.assertNotIn("sleep", response.content.decode())

    def test_ranges(self) -> None:
        member = self.cast.member
        make_checkin(member, when=timezone.now() - timedelta(days=300), distress=1)
        make_checkin(member, when=timezone.now() - timedelta(days=800), distress=2)
        counts = {
            key: self.api("GET", f"{TIMELINE}?range={key}", user=member).json()["checkin_count"]
            for key in ("3m", "12m", "all")
        }
        self.assertEqual(counts, {"3m": 0, "12m": 1, "all": 2})
        everything = self.api("GET", f"{TIMELINE}?range=all", user=member).json()
        self.assertEqual(
            everything["start"], timezone.localtime(timezone.now() - timedelta(days=800)).date().isoformat()
        )

    def test_many_checkins_come_as_means(self) -> None:
        member = self.cast.member
        now = timezone.now() - timedelta(hours=1)
        for day in range(0, 364, 2):
            make_checkin(member, when=now - timedelta(days=day), distress=4, pain=6)
        body = self.api("GET", f"{TIMELINE}?range=12m", user=member).json()
        self.assertEqual(body["bucket"], "week")
        self.assertEqual(sum(p["checkins"] for p in body["points"]), 182)
        self.assertTrue(all(p["at"] is None and p["distress"] == 4.0 for p in body["points"]))

    def test_nobody_else_gets_the_members_timeline(self) -> None:
        make_checkin(self.cast.member, distress=9)
        make_milestone(self.cast.member, title="Driving again")
        for other in (self.cast.facilitator, self.cast.staff, self.cast.outsider):
            body = self.api("GET", f"{TIMELINE}?range=all", user=other).json()
            self.assertEqual((body["checkin_count"], body["points"], body["milestones"]), (0, [], []))

    def test_bad_range_is_422(self) -> None:
        for bad in ("bogus", "ALL", "\u0661\u0662m", "%00", "x" * 3000, "12m%00", "-1"):
            response = self.api("GET", f"{TIMELINE}?range={bad}", user=self.cast.member)
            self.assertProblem(response, 422, "range")

    def test_queries_stay_flat_with_a_year_of_weekly_checkins(self) -> None:
        member = self.cast.member
        make_weekly_checkins(member, weeks=3)
        make_milestone(member)
        self.api("GET", TIMELINE, user=member)
        for key in ("3m", "all"):
            with self.assertNumQueries(3):
                self.api("GET", f"{TIMELINE}?range={key}", user=member)
        make_weekly_checkins(member, weeks=52)
        for i in range(12):
            make_milestone(member, title=f"M{i}", happened_on=timezone.localdate() - timedelta(weeks=i))
        for key in ("3m", "all"):
            with self.assertNumQueries(3):
                response = self.api("GET", f"{TIMELINE}?range={key}", user=member)
        self.assertEqual(response.json()["checkin_count"], 55)
