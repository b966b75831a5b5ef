"""Help offered at distress 4 or more (kinship.journal.help): helplines first, matched resources, circles."""

from datetime import time

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.journal import help as matched_help
from kinship.journal.tests.test_checkins import make_checkin
from kinship.library.models import OpeningHours, Resource


class MatchedKindsTests(KinshipTestCase):
    def test_items_map_to_their_kinds_most_useful_first_without_repeats(self) -> None:
        self.assertEqual(matched_help.matched_kinds(["money"]), [Resource.FINANCIAL])
        self.assertEqual(
            matched_help.matched_kinds(["prosthesis_fit", "getting_around"]),
            [Resource.PROSTHETICS, Resource.PHYSIOTHERAPY],
        )
        # An item without its own entry takes its group's kinds.
        self.assertEqual(matched_help.matched_kinds(["worry"]), [Resource.COUNSELLING, Resource.PEER])

    def test_nothing_ticked_or_unknown_codes_still_offer_someone_to_talk_to(self) -> None:
        self.assertEqual(matched_help.matched_kinds([]), list(matched_help.DEFAULT_KINDS))
        self.assertEqual(matched_help.matched_kinds(["gone"]), list(matched_help.DEFAULT_KINDS))


class HelpForTests(KinshipTestCase):
    def test_nothing_below_four(self) -> None:
        self.assertIsNone(matched_help.help_for(make_checkin(self.cast.member, distress=3), user=self.cast.member))

    def test_built_in_helplines_when_the_directory_lists_none(self) -> None:
        Resource.objects.create(kind=Resource.HELPLINE, name="Closed down line", active=False)
        found = matched_help.help_for(make_checkin(self.cast.member, distress=4), user=self.cast.member)
        assert found is not None
        self.assertTrue(found.built_in)
        self.assertEqual(found.helplines, list(matched_help.BUILT_IN_HELPLINES))

    def test_directory_helplines_open_now_first_and_resources_matched_per_kind(self) -> None:
        closed = Resource.objects.create(kind=Resource.HELPLINE, name="A closed line", timezone="UTC")
        for weekday in range(7):
            OpeningHours.objects.create(resource=closed, weekday=weekday, opens=time(3, 0), closes=time(3, 1))
        always = Resource.objects.create(kind=Resource.HELPLINE, name="Z always open", always_open=True)
        grants = [Resource.objects.create(kind=Resource.FINANCIAL, name=f"Grant {i}") for i in range(3)]
        physio = Resource.objects.create(kind=Resource.PHYSIOTHERAPY, name="Physio team")
        Resource.objects.create(kind=Resource.LEGAL, name="Not ticked: legal")
        checkin = make_checkin(self.cast.member, distress=7, problems=["money", "fatigue"])
        found = matched_help.help_for(checkin, user=self.cast.member)
        assert found is not None
        self.assertFalse(found.built_in)
        self.assertEqual(found.helplines[0], always)
        self.assertIn(closed, found.helplines)
        # Two per kind, in the order of the concerns: money's grants, then fatigue's physiotherapy.
        self.assertEqual(found.resources, [grants[0], grants[1], physio])

    def test_circles_are_the_members_active_ones_with_a_facilitator_to_tell(self) -> None:
        lonely = factories.make_circle()
        factories.add_member(lonely, self.cast.member)
        pending = factories.make_circle()
        factories.add_member(pending, factories.make_user(), role="facilitator")
        factories.add_member(pending, self.cast.member, status="pending")
        self.assertEqual(matched_help.support_circles(self.cast.member), [self.cast.circle])
        # A facilitator alone in their circle has nobody else to tell there.
        self.assertEqual(matched_help.support_circles(self.cast.facilitator), [])
