"""Recording and deleting check-ins (kinship.journal.checkins): the rules pages and API share."""

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from kinship.accounts.models import User
from kinship.core.errors import Invalid, NotAllowed, RateLimited
from kinship.core.testing import KinshipTestCase
from kinship.journal import checkins
from kinship.journal.models import CheckIn
from kinship.notifications.models import EmailPreference

NOTE = "Couldn't sleep again; the knee throbbed all night and I worried about the scan."


def make_checkin(owner: User, *, at: datetime | None = None, **fields: Any) -> CheckIn:
    """A check-in written directly (no rate limit), dated `at` (created_at is set by auto_now_add)."""
    fields.setdefault("distress", 3)
    fields.setdefault("pain", 2)
    checkin = CheckIn.objects.create(owner=owner, **fields)
    if at is not None:
        CheckIn.objects.filter(pk=checkin.pk).update(created_at=at)
        checkin.created_at = at
    return checkin


def weekly_checkins(owner: User, count: int, *, start: datetime | None = None) -> list[CheckIn]:
    start = start or timezone.now()
    return [
        make_checkin(owner, at=start - timedelta(weeks=i), distress=i % 11, pain=(i * 3) % 11, problems=["worry"])
        for i in range(count)
    ]


class RecordCheckInTests(KinshipTestCase):
    def test_member_records_a_check_in_with_problems_sorted_and_unique(self) -> None:
        checkin = checkins.record_checkin(
            member=self.cast.member, distress=6, pain="4", problems=["worry", "pain", "worry"], note=f"  {NOTE}  "
        )
        self.assertEqual((checkin.distress, checkin.pain), (6, 4))
        self.assertEqual(checkin.problems, ["pain", "worry"])
        self.assertEqual(checkin.note, NOTE)
        self.assertEqual(checkin.owner, self.cast.member)
        self.assertTrue(checkin.offers_help)

    def test_scores_at_the_edges_are_accepted(self) -> None:
        low = checkins.record_checkin(member=self.cast.member, distress=0, pain=0)
        high = checkins.record_checkin(member=self.cast.member, distress="10", pain=10, problems=None)
        self.assertEqual((low.distress, high.distress, high.problems), (0, 10, []))
        self.assertFalse(low.offers_help)

    def test_bad_fields_are_named_and_nothing_is_saved(self) -> None:
        cases = [
            ({"distress": 11}, "distress"),
            ({"distress": -1}, "distress"),
            ({"distress": None}, "distress"),
            ({"distress": "7.5"}, "distress"),
            ({"distress": "\u0667"}, "distress"),  # Arabic-Indic seven
            ({"distress": True}, "distress"),
            ({"distress": 2**70}, "distress"),
            ({"distress": [5]}, "distress"),
            ({"pain": ""}, "pain"),
            ({"pain": "ten"}, "pain"),
            ({"problems": ["no_such_item"]}, "problems"),
            ({"problems": [None]}, "problems"),
            ({"problems": {"worry": True}}, "problems"),
            ({"problems": ["worry"] * 500}, "problems"),
            ({"note": "x" * 2001}, "note"),
            ({"note": "a\x00b"}, "note"),
            ({"note": 5}, "note"),
        ]
        for change, field in cases:
            data: dict[str, Any] = {"distress": 5, "pain": 5, "problems": [], "note": "", **change}
            with self.subTest(change=str(change)[:60]), self.assertRaises(Invalid) as caught:
                checkins.record_checkin(member=self.cast.member, **data)
            self.assertIn(field, caught.exception.errors)
        self.assertFalse(CheckIn.objects.exists())

    def test_every_bad_field_is_named_at_once(self) -> None:
        with self.assertRaises(Invalid) as caught:
            checkins.record_checkin(member=self.cast.member, distress=12, pain=None, problems=["x"])
        self.assertEqual(set(caught.exception.errors), {"distress", "pain", "problems"})

    def test_inactive_account_may_not_check_in(self) -> None:
        self.cast.outsider.is_active = False
        with self.assertRaises(NotAllowed):
            checkins.record_checkin(member=self.cast.outsider, distress=1, pain=1)

    def test_check_ins_are_rate_limited(self) -> None:
        for _ in range(checkins.CHECKINS_PER_HOUR):
            checkins.record_checkin(member=self.cast.member, distress=1, pain=1)
        with self.assertRaises(RateLimited):
            checkins.record_checkin(member=self.cast.member, distress=1, pain=1)
        self.assertEqual(CheckIn.objects.count(), checkins.CHECKINS_PER_HOUR)
        # Someone else is not held up by it.
        checkins.record_checkin(member=self.cast.facilitator, distress=1, pain=1)

    def test_the_weekly_reminder_is_off_by_default_and_set_with_a_check_in(self) -> None:
        self.assertFalse(checkins.weekly_reminder_on(self.cast.member))
        checkins.record_checkin(member=self.cast.member, distress=1, pain=1, weekly_reminder="on")
        self.assertTrue(checkins.weekly_reminder_on(self.cast.member))
        checkins.record_checkin(member=self.cast.member, distress=1, pain=1)  # not sent: unchanged
        self.assertTrue(checkins.weekly_reminder_on(self.cast.member))
        checkins.record_checkin(member=self.cast.member, distress=1, pain=1, weekly_reminder="")
        self.assertFalse(checkins.weekly_reminder_on(self.cast.member))

    def test_a_refused_check_in_does_not_change_the_reminder(self) -> None:
        with self.assertRaises(Invalid):
            checkins.record_checkin(member=self.cast.member, distress=99, pain=1, weekly_reminder=True)
        self.assertFalse(EmailPreference.objects.filter(user=self.cast.member, checkin_reminder=True).exists())

    def test_set_weekly_reminder_wants_a_boolean(self) -> None:
        with self.assertRaises(Invalid):
            checkins.set_weekly_reminder(member=self.cast.member, weekly="yes")
        self.assertTrue(checkins.set_weekly_reminder(member=self.cast.member, weekly=True))


class DeleteCheckInTests(KinshipTestCase):
    def test_owner_deletes_and_nobody_else_can(self) -> None:
        checkin = make_checkin(self.cast.member)
        with self.assertRaises(NotAllowed):
            checkins.delete_checkin(member=self.cast.facilitator, checkin=checkin)
        self.assertTrue(CheckIn.objects.filter(pk=checkin.pk).exists())
        checkins.delete_checkin(member=self.cast.member, checkin=checkin)
        self.assertFalse(CheckIn.objects.filter(pk=checkin.pk).exists())


class ProblemDisplayTests(KinshipTestCase):
    def test_groups_follow_the_problem_list_order_and_skip_unknown_codes(self) -> None:
        groups = checkins.problem_groups(["sleep", "money", "gone_code", "worry"])
        self.assertEqual([g.code for g in groups], ["practical", "emotional", "physical"])
        self.assertEqual(groups[0].items, [("money", "Money or insurance")])
        self.assertEqual(
            checkins.problem_out(["worry", "gone_code"]), [{"code": "worry", "label": "Worry", "group": "emotional"}]
        )
