"""Check-in pages: the member's list, recording one, the check-in with its help, deleting it."""

from django.urls import reverse

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.journal.models import CheckIn
from kinship.journal.tests.test_checkins import NOTE, make_checkin, weekly_checkins
from kinship.library.models import Resource

LIST = reverse("journal:checkins")
NEW = reverse("journal:checkin-new")


class CheckInListPageTests(KinshipTestCase):
    def test_visitor_is_sent_to_sign_in(self) -> None:
        response = self.client.get(LIST)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])

    def test_member_sees_only_their_own_check_ins_newest_first(self) -> None:
        mine = weekly_checkins(self.cast.member, 3)
        theirs = make_checkin(self.cast.facilitator, distress=9)
        self.client.force_login(self.cast.member)
        response = self.client.get(LIST)
        self.assertEqual(response.status_code, 200)
        shown = [c.pk for c in response.context["page"].items]
        self.assertEqual(shown, [c.pk for c in mine])
        self.assertNotContains(response, theirs.get_absolute_url())

    def test_the_list_pages_by_key(self) -> None:
        weekly_checkins(self.cast.member, 25)
        self.client.force_login(self.cast.member)
        first = self.client.get(LIST)
        self.assertEqual(len(first.context["page"].items), 20)
        second = self.client.get(LIST, {"cursor": first.context["page"].next})
        self.assertEqual(len(second.context["page"].items), 5)
        self.assertEqual(self.client.get(LIST, {"cursor": "broken\x00"}).status_code, 422)

    def test_list_queries_stay_flat(self) -> None:
        self.client.force_login(self.cast.member)
        weekly_checkins(self.cast.member, 2)
        with self.assertNumQueries(3):
            self.client.get(LIST)
        weekly_checkins(self.cast.member, 50)
        with self.assertNumQueries(3):
            self.client.get(LIST)


class CheckInNewPageTests(KinshipTestCase):
    def test_form_shows_the_thermometer_problem_list_pain_and_reminder(self) -> None:
        self.client.force_login(self.cast.member)
        response = self.client.get(NEW)
        self.assertEqual(response.status_code, 200)
        content = response.content.decode()
        self.assertIn("<legend>Physical concerns</legend>", content)
        self.assertIn('name="distress" value="10"', content)
        self.assertIn('name="pain" value="0"', content)
        self.assertIn('name="problems" value="phantom_limb"', content)
        self.assertIn('name="weekly_reminder"', content)
        self.assertNotIn('name="weekly_reminder" checked', content)

    def test_recording_redirects_to_the_check_in_where_help_shows_at_once(self) -> None:
        self.client.force_login(self.cast.member)
        data = {"distress": "7", "pain": "5", "problems": ["worry", "money"], "note": NOTE, "reminder_shown": "1"}
        response = self.client.post(NEW, data)
        checkin = CheckIn.objects.get()
        self.assertRedirects(response, checkin.get_absolute_url())
        self.assertEqual((checkin.distress, checkin.problems, checkin.note), (7, ["money", "worry"], NOTE))
        page = self.client.get(checkin.get_absolute_url())
        self.assertContains(page, "Help is here")
        self.assertContains(page, "Let my facilitator know")

    def test_the_reminder_box_opts_in_and_out(self) -> None:
        self.client.force_login(self.cast.member)
        self.client.post(NEW, {"distress": "1", "pain": "1", "reminder_shown": "1", "weekly_reminder": "on"})
        self.assertContains(self.client.get(NEW), 'name="weekly_reminder" id="id_weekly_reminder" checked')
        self.client.post(NEW, {"distress": "1", "pain": "1", "reminder_shown": "1"})
        self.assertNotContains(self.client.get(NEW), 'id="id_weekly_reminder" checked')

    def test_bad_input_re_renders_with_messages_and_saves_nothing(self) -> None:
        self.client.force_login(self.cast.member)
        cases = [
            {"pain": "3"},
            {"distress": "11", "pain": "3"},
            {"distress": "\u0665", "pain": "3"},
            {"distress": "3", "pain": "-1"},
            {"distress": "3", "pain": "3", "problems": ["hacked"]},
            {"distress": "3", "pain": "3", "note": "x" * 2001},
            {"distress": "3", "pain": "3", "note": "nul\x00"},
            {"distress": "9" * 5000, "pain": "3"},
        ]
        for data in cases:
            with self.subTest(data=str(data)[:60]):
                response = self.client.post(NEW, {**data, "reminder_shown": "1", "weekly_reminder": "on"})
                self.assertEqual(response.status_code, 422)
                self.assertContains(response, "errorlist", status_code=422)
        self.assertFalse(CheckIn.objects.exists())
        self.assertNotContains(self.client.get(NEW), 'id="id_weekly_reminder" checked')

    def test_ticked_problems_stay_ticked_after_an_error(self) -> None:
        self.client.force_login(self.cast.member)
        response = self.client.post(NEW, {"distress": "", "pain": "2", "problems": ["sleep"]})
        self.assertContains(response, 'value="sleep" id="problem-sleep" checked', status_code=422)
        self.assertContains(response, "Choose distress from 0 to 10.", status_code=422)


class CheckInDetailPageTests(KinshipTestCase):
    def test_only_the_owner_sees_it_everyone_else_gets_404(self) -> None:
        checkin = make_checkin(self.cast.member, note=NOTE, problems=["worry"])
        self.client.force_login(self.cast.member)
        response = self.client.get(checkin.get_absolute_url())
        self.assertContains(response, "sleep again; the knee throbbed")
        self.assertContains(response, "Worry")
        for other in (self.cast.facilitator, self.cast.staff, self.cast.outsider):
            self.client.force_login(other)
            self.assertEqual(self.client.get(checkin.get_absolute_url()).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(checkin.get_absolute_url()).status_code, 302)

    def test_odd_ids_are_404(self) -> None:
        self.client.force_login(self.cast.member)
        for raw in ("0", "99999999", "9" * 19, "9" * 40, "\u0661", "abc", "1.5", "-1"):
            with self.subTest(raw=raw):
                self.assertEqual(self.client.get(f"/journal/checkins/{raw}/").status_code, 404)

    def test_no_help_below_four(self) -> None:
        checkin = make_checkin(self.cast.member, distress=3)
        self.client.force_login(self.cast.member)
        response = self.client.get(checkin.get_absolute_url())
        self.assertNotContains(response, "Help is here")
        self.assertNotContains(response, "Let my facilitator know")

    def test_help_lists_directory_helplines_first_then_matched_resources_and_says_what_facilitators_see(
        self,
    ) -> None:
        Resource.objects.create(kind=Resource.HELPLINE, name="Sarcoma support line (example)", phone="0800 000 111")
        Resource.objects.create(kind=Resource.FINANCIAL, name="Travel grants (example)")
        Resource.objects.create(kind=Resource.LEGAL, name="Unrelated legal advice (example)", active=False)
        checkin = make_checkin(self.cast.member, distress=8, problems=["money"])
        self.client.force_login(self.cast.member)
        response = self.client.get(checkin.get_absolute_url())
        content = response.content.decode()
        self.assertLess(content.index("Sarcoma support line"), content.index("Travel grants"))
        self.assertNotIn("Unrelated legal advice", content)
        self.assertNotIn("Samaritans", content)
        self.assertIn("this check-in's distress score (8)", content)
        self.assertIn(f'<option value="{self.cast.circle.slug}"', content)

    def test_built_in_helplines_when_the_directory_has_none(self) -> None:
        checkin = make_checkin(self.cast.member, distress=4)
        self.client.force_login(self.cast.member)
        response = self.client.get(checkin.get_absolute_url())
        self.assertContains(response, "Samaritans")
        self.assertContains(response, 'href="tel:116123"')

    def test_detail_queries_stay_flat(self) -> None:
        checkin = make_checkin(self.cast.member, distress=9, problems=["money", "pain", "worry"])
        self.client.force_login(self.cast.member)
        for i in range(2):
            Resource.objects.create(kind=Resource.HELPLINE, name=f"Line {i} (example)")
        with self.assertNumQueries(8):
            self.client.get(checkin.get_absolute_url())
        for i in range(30):
            Resource.objects.create(
                kind=[Resource.HELPLINE, Resource.FINANCIAL, Resource.COUNSELLING][i % 3], name=f"R{i}"
            )
            circle = factories.make_circle()
            factories.add_member(circle, self.cast.member)
            factories.add_member(circle, factories.make_user(), role="facilitator")
        with self.assertNumQueries(8):
            self.client.get(checkin.get_absolute_url())


class CheckInDeletePageTests(KinshipTestCase):
    def test_owner_deletes_others_get_404_and_nothing_changes(self) -> None:
        checkin = make_checkin(self.cast.member)
        url = reverse("journal:checkin-delete", args=[checkin.pk])
        for other in (self.cast.facilitator, self.cast.staff):
            self.client.force_login(other)
            self.assertEqual(self.client.post(url).status_code, 404)
        self.assertTrue(CheckIn.objects.filter(pk=checkin.pk).exists())
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(url).status_code, 405)
        self.assertRedirects(self.client.post(url), LIST)
        self.assertFalse(CheckIn.objects.filter(pk=checkin.pk).exists())
