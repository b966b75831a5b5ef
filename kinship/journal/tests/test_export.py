"""journal.export.export_for: all of the member's own journal, notes included, and nobody else's."""

import json
from datetime import timedelta

from django.utils import timezone

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.journal.export import export_for
from kinship.journal.models import GoalUpdate, ReminderMark, SummaryShare, SupportRequest
from kinship.journal.tests.progress_support import make_checkin, make_goal, make_milestone, make_weekly_checkins


class ExportTests(KinshipTestCase):
    def fill(self, user, *, label: str = "mine") -> None:
        circle = self.cast.circle
        topic = factories.make_topic(circle=circle, author=user, title=f"Celebrating: {label}")
        make_milestone(user, title=f"Standing {label}", kind="standing", note=f"Note {label}", shared_topic=topic)
        goal = make_goal(user, title=f"Walk {label}", progress=50, target_date=timezone.localdate())
        GoalUpdate.objects.create(goal=goal, progress=20, note=f"First go {label}")
        GoalUpdate.objects.create(goal=goal, progress=50, note=f"Halfway {label}")
        checkin = make_checkin(user, distress=6, pain=4, problems=["sleep", "worry"], note=f"Check-in note {label}")
        SummaryShare.objects.create(owner=user, circle=circle)
        SupportRequest.objects.create(owner=user, circle=circle, checkin=checkin)

    def test_everything_of_the_member_is_there_with_private_notes(self) -> None:
        member = self.cast.member
        self.fill(member)
        ReminderMark.objects.create(user=member, sent_at=timezone.now())
        data = export_for(member)
        json.dumps(data)
        self.assertEqual(
            set(data),
            {"milestones", "goals", "checkins", "summary_shares", "support_requests", "checkin_reminder_last_sent_at"},
        )
        [milestone] = data["milestones"]
        self.assertEqual(milestone["title"], "Standing mine")
        self.assertEqual(milestone["kind_label"], "First time standing")
        self.assertEqual(milestone["note"], "Note mine")
        self.assertEqual(milestone["shared"]["circle"], {"slug": self.cast.circle.slug, "name": self.cast.circle.name})
        [goal] = data["goals"]
        self.assertEqual(goal["progress"], 50)
        self.assertEqual([u["note"] for u in goal["updates"]], ["First go mine", "Halfway mine"])
        [checkin] = data["checkins"]
        self.assertEqual((checkin["distress"], checkin["pain"], checkin["note"]), (6, 4, "Check-in note mine"))
        self.assertEqual(
            checkin["problems"],
            [
                {"code": "sleep", "label": "Sleep", "group": "Physical concerns"},
                {"code": "worry", "label": "Worry", "group": "Emotional concerns"},
            ],
        )
        self.assertEqual(data["summary_shares"][0]["circle"]["slug"], self.cast.circle.slug)
        self.assertEqual(data["support_requests"][0]["checkin_id"], checkin["id"])
        self.assertIsNone(data["support_requests"][0]["acknowledged_at"])
        self.assertIsNotNone(data["checkin_reminder_last_sent_at"])

    def test_nothing_of_anyone_else(self) -> None:
        self.fill(self.cast.member, label="mine")
        other = factories.make_member(self.cast.circle)
        self.fill(other, label="theirs")
        text = json.dumps(export_for(self.cast.member))
        self.assertIn("Note mine", text)
        self.assertNotIn("theirs", text)
        # Other people's emails never appear, the facilitator who acknowledged included.
        SupportRequest.objects.filter(owner=self.cast.member).update(
            acknowledged_at=timezone.now(), acknowledged_by=self.cast.facilitator
        )
        text = json.dumps(export_for(self.cast.member))
        self.assertNotIn(self.cast.facilitator.email, text)
        self.assertNotIn(self.cast.facilitator.display_name, text)

    def test_empty_journal(self) -> None:
        data = export_for(self.cast.outsider)
        self.assertEqual(data["milestones"], [])
        self.assertEqual(data["checkins"], [])
        self.assertIsNone(data["checkin_reminder_last_sent_at"])

    def test_odd_stored_problem_codes_do_not_break_the_export(self) -> None:
        make_checkin(self.cast.member, problems=["retired_code", {"odd": 1}, 5])
        [checkin] = export_for(self.cast.member)["checkins"]
        self.assertEqual(checkin["problems"], [{"code": "retired_code", "label": "retired_code", "group": ""}])

    def test_queries_stay_flat(self) -> None:
        member = self.cast.member
        self.fill(member)
        with self.assertNumQueries(7):
            export_for(member)
        make_weekly_checkins(member, weeks=52, note="weekly")
        for i in range(10):
            goal = make_goal(member, title=f"Goal {i}")
            GoalUpdate.objects.create(goal=goal, progress=10)
            make_milestone(member, title=f"Milestone {i}", happened_on=timezone.localdate() - timedelta(days=i))
        with self.assertNumQueries(7):
            data = export_for(member)
        self.assertEqual(len(data["checkins"]), 53)
