"""The demo check-ins (kinship.journal.demo_checkins) load once, for members of the demo circles only."""

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.journal import demo_checkins, summaries
from kinship.journal.models import CheckIn, SummaryShare, SupportRequest


class DemoCheckInTests(KinshipTestCase):
    def test_seed_makes_weekly_check_ins_shares_and_one_request_and_runs_once(self) -> None:
        young = factories.make_circle(slug="osteosarcoma-young-adults")
        limb = factories.make_circle(slug="limb-salvage")
        maya, daniel = factories.make_member(young), factories.make_member(limb)
        people = {"maya": maya, "daniel": daniel}
        made = demo_checkins.seed(people, {"osteosarcoma-young-adults": young, "limb-salvage": limb})
        self.assertEqual(made, 18)
        self.assertEqual(CheckIn.objects.filter(owner=maya).count(), 12)
        self.assertEqual(SummaryShare.objects.count(), 2)
        (request,) = SupportRequest.objects.all()
        self.assertEqual((request.owner, request.checkin.distress), (maya, 6))
        self.assertEqual(summaries.summary_of(maya).distress_trend, summaries.WORSE)
        self.assertEqual(demo_checkins.seed(people, {}), 0)

    def test_people_not_in_the_circle_get_nothing(self) -> None:
        circle = factories.make_circle(slug="limb-salvage")
        made = demo_checkins.seed({"daniel": self.cast.outsider}, {"limb-salvage": circle})
        self.assertEqual(made, 0)
        self.assertFalse(CheckIn.objects.exists())
