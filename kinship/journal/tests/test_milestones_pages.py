"""Milestone pages: the owner's list, add, view, edit and delete; everyone else gets 404; bad input is a 422
form that changes nothing; query counts stay flat."""

import datetime as dt

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.journal import milestones
from kinship.journal.models import Milestone
from kinship.journal.tests.test_milestones import NOTE, make_milestone

LIST = reverse("journal:milestones")
LOGIN = reverse("accounts:login")


def delete_url(milestone: Milestone) -> str:
    return reverse("journal:milestone-delete", args=[milestone.pk])


class SignedOutTests(KinshipTestCase):
    def test_visitors_are_sent_to_sign_in(self) -> None:
        milestone = make_milestone(self.cast.member)
        for url in (LIST, milestone.get_absolute_url()):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertIn(LOGIN, response["Location"])
        for url in (LIST, milestone.get_absolute_url(), delete_url(milestone)):
            self.assertEqual(self.client.post(url, {"title": "x"}).status_code, 302)
        self.assertEqual(Milestone.objects.count(), 1)


class ListAndAddTests(KinshipTestCase):
    def test_member_sees_only_their_own_newest_first(self) -> None:
        old = make_milestone(self.cast.member, title="Old one", happened_on="2024-05-01")
        new = make_milestone(self.cast.member, title="New one", happened_on="2025-05-01")
        theirs = make_milestone(self.cast.facilitator, title="Fiona's secret step")
        self.client.force_login(self.cast.member)
        response = self.client.get(LIST)
        html = response.content.decode()
        self.assertLess(html.index(new.get_absolute_url()), html.index(old.get_absolute_url()))
        self.assertNotContains(response, theirs.get_absolute_url())
        self.assertNotContains(response, "Fiona&#x27;s secret step")
        self.assertNotContains(response, NOTE)  # notes are on the milestone's own page only
        self.assertContains(response, 'type="date"')
        self.assertContains(response, '<label for="id_kind">')

    def test_member_adds_a_milestone_from_a_template(self) -> None:
        self.client.force_login(self.cast.member)
        response = self.client.post(LIST, {"kind": "full_weight", "title": "", "happened_on": "2025-09-09", "note": ""})
        milestone = Milestone.objects.get()
        self.assertRedirects(response, milestone.get_absolute_url())
        self.assertEqual((milestone.owner, milestone.title), (self.cast.member, "Full weight bearing"))

    def test_bad_input_is_422_with_messages_and_saves_nothing(self) -> None:
        self.client.force_login(self.cast.member)
        future = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
        cases = [
            ({"kind": "own", "title": ""}, "Say in a few words what happened"),
            ({"kind": "standing", "happened_on": future}, "cannot be in the future"),
            ({"kind": "standing", "happened_on": "31/12/2024"}, "YYYY-MM-DD"),
            ({"kind": "goal_reached"}, "Choose one of the milestones offered"),
            ({"kind": "standing", "note": "x" * 2001}, "2,000"),
            ({"kind": "standing", "title": "a\x00b"}, "Title"),
            ({"kind": ["a", "b"], "title": "t" * 300}, "200"),
        ]
        for data, text in cases:
            response = self.client.post(LIST, data)
            self.assertContains(response, text, status_code=422, msg_prefix=str(data))
        self.assertFalse(Milestone.objects.exists())

    def test_a_broken_cursor_is_a_clear_422(self) -> None:
        self.client.force_login(self.cast.member)
        for cursor in ("broken", "W10", "WyIyMDI1LTEzLTQwIiwgMV0", "x" * 3000):
            self.assertEqual(self.client.get(LIST, {"cursor": cursor}).status_code, 422, cursor)

    def test_pages_follow_the_cursor(self) -> None:
        for day in range(25):
            make_milestone(self.cast.member, happened_on=dt.date(2025, 1, 1) + dt.timedelta(days=day))
        self.client.force_login(self.cast.member)
        first = self.client.get(LIST)
        self.assertEqual(len(first.context["page"].items), 20)
        second = self.client.get(LIST, {"cursor": first.context["page"].next})
        self.assertEqual(len(second.context["page"].items), 5)
        self.assertEqual(second.context["page"].items[-1].happened_on, dt.date(2025, 1, 1))

    def test_list_queries_stay_flat(self) -> None:
        make_milestone(self.cast.member)
        self.client.force_login(self.cast.member)
        self.client.get(LIST)
        with self.assertNumQueries(3):
            self.client.get(LIST)
        for _ in range(30):
            milestone = make_milestone(self.cast.member)
        cache.clear()
        milestones.share_milestone(owner=self.cast.member, milestone=milestone, circle=self.cast.circle.slug)
        with self.assertNumQueries(3):
            self.client.get(LIST)


class DetailTests(KinshipTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.milestone = make_milestone(self.cast.member, title="**Bold** <script>alert(1)</script>")

    def test_owner_sees_the_note_and_sanitised_text(self) -> None:
        self.client.force_login(self.cast.member)
        response = self.client.get(self.milestone.get_absolute_url())
        self.assertContains(response, NOTE)
        self.assertNotContains(response, "<script>alert(1)</script>")
        self.assertContains(response, "Only you can read this note")

    def test_everyone_else_gets_404_like_a_missing_one(self) -> None:
        for user in (self.cast.facilitator, self.cast.staff, self.cast.outsider, self.cast.unverified):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.milestone.get_absolute_url()).status_code, 404)
            self.assertEqual(self.client.post(self.milestone.get_absolute_url(), {"title": "x"}).status_code, 404)
            self.assertEqual(self.client.post(delete_url(self.milestone)).status_code, 404)
        self.milestone.refresh_from_db()
        self.assertNotEqual(self.milestone.title, "x")

    def test_odd_ids_are_404(self) -> None:
        self.client.force_login(self.cast.member)
        for path in (
            "/journal/milestones/0/",
            f"/journal/milestones/{10**30}/",
            f"/journal/milestones/{2**63}/",
            "/journal/milestones/\u0661\u0662/",
            "/journal/milestones/abc/",
            "/journal/milestones/1%00/",
        ):
            self.assertEqual(self.client.get(path).status_code, 404, path)

    def test_owner_edits(self) -> None:
        self.client.force_login(self.cast.member)
        data = {"kind": "driving", "title": "", "happened_on": "2025-03-03", "note": "New note"}
        response = self.client.post(self.milestone.get_absolute_url(), data)
        self.assertRedirects(response, self.milestone.get_absolute_url())
        self.milestone.refresh_from_db()
        self.assertEqual((self.milestone.title, self.milestone.note), ("Driving again", "New note"))

    def test_bad_edit_is_422_and_changes_nothing(self) -> None:
        self.client.force_login(self.cast.member)
        data = {"kind": "own", "title": "", "happened_on": "2999-01-01", "note": "changed"}
        response = self.client.post(self.milestone.get_absolute_url(), data)
        self.assertContains(response, "cannot be in the future", status_code=422)
        fresh = Milestone.objects.get()
        self.assertEqual((fresh.note, fresh.kind), (NOTE, "crutches"))

    def test_goal_reached_milestone_has_no_kind_choice(self) -> None:
        milestone = Milestone.objects.create(
            owner=self.cast.member, kind="goal_reached", title="Walk 1 km", happened_on="2025-01-01"
        )
        self.client.force_login(self.cast.member)
        self.assertNotContains(self.client.get(milestone.get_absolute_url()), 'name="kind"')
        data = {"kind": "standing", "title": "Walked 1 km", "happened_on": "2025-01-01"}
        self.client.post(milestone.get_absolute_url(), data)
        milestone.refresh_from_db()
        self.assertEqual((milestone.kind, milestone.title), ("goal_reached", "Walked 1 km"))

    def test_owner_deletes(self) -> None:
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(delete_url(self.milestone)).status_code, 405)
        self.assertRedirects(self.client.post(delete_url(self.milestone)), LIST)
        self.assertFalse(Milestone.objects.exists())

    def test_detail_queries_stay_flat(self) -> None:
        self.client.force_login(self.cast.member)
        url = self.milestone.get_absolute_url()
        self.client.get(url)
        with self.assertNumQueries(6):
            self.client.get(url)
        for _ in range(5):
            factories.add_member(factories.make_circle(), self.cast.member)
        milestones.share_milestone(owner=self.cast.member, milestone=self.milestone, circle=self.cast.circle.slug)
        with self.assertNumQueries(6):
            self.client.get(url)
