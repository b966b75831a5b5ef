"""Pages: the writer sees crisis helplines at once after saving crisis words (once), and a circle's
facilitators list and acknowledge its alerts."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.discussions import services as discussions
from kinship.discussions.models import Post
from kinship.journal.models import CheckIn
from kinship.library.models import Resource
from kinship.peers.models import Message
from kinship.safety.models import CrisisAlert
from kinship.safety.tests.test_crisis_alerts import CALM, CRISIS, SPANISH

PANEL = "You are not alone"


class HelpShownAtOnceTests(KinshipTestCase):
    def setUp(self) -> None:
        super().setUp()
        cache.clear()
        self.topic = factories.make_topic(circle=self.cast.circle, author=self.cast.facilitator)
        self.client.force_login(self.cast.member)

    def test_reply_with_crisis_words_is_saved_and_the_next_page_shows_helplines_once(self) -> None:
        url = reverse("discussions:reply-create", args=[self.topic.pk])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url, {"body": CRISIS}, follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, PANEL)
        self.assertContains(response, "Samaritans")  # the built-in list: this directory has no helpline
        self.assertTrue(Post.objects.filter(topic=self.topic, body=CRISIS).exists())
        self.assertEqual(CrisisAlert.objects.count(), 1)
        again = self.client.get(self.topic.get_absolute_url())
        self.assertNotContains(again, PANEL)

    def test_ordinary_words_show_no_panel(self) -> None:
        url = reverse("discussions:reply-create", args=[self.topic.pk])
        response = self.client.post(url, {"body": CALM}, follow=True)
        self.assertNotContains(response, PANEL)

    def test_new_topic_and_edit_show_help(self) -> None:
        url = reverse("discussions:topic-create", args=[self.cast.circle.slug])
        response = self.client.post(url, {"title": "Tonight", "body": CRISIS}, follow=True)
        self.assertContains(response, PANEL)
        reply = factories.make_replies(self.topic, count=1, author=self.cast.member)[0]
        response = self.client.post(
            reverse("discussions:post-edit", args=[reply.pk]), {"body": SPANISH, "content_note": ""}, follow=True
        )
        self.assertContains(response, PANEL)

    def test_directory_helplines_in_the_language_written_come_first(self) -> None:
        Resource.objects.create(kind=Resource.HELPLINE, name="Aaa English line", region="National", languages="en")
        Resource.objects.create(kind=Resource.HELPLINE, name="Zzz linea en espanol", region="National", languages="es")
        url = reverse("discussions:reply-create", args=[self.topic.pk])
        response = self.client.post(url, {"body": SPANISH}, follow=True)
        html = response.content.decode()
        self.assertLess(html.index("Zzz linea en espanol"), html.index("Aaa English line"))
        self.assertNotIn("Samaritans", html)

    def test_invalid_post_shows_the_form_not_the_panel_and_saves_nothing(self) -> None:
        url = reverse("discussions:reply-create", args=[self.topic.pk])
        response = self.client.post(url, {"body": CRISIS * 2000})
        self.assertEqual(response.status_code, 422)
        self.assertNotContains(response, PANEL, status_code=422)
        self.assertFalse(CrisisAlert.objects.exists())
        self.assertNotContains(self.client.get(self.topic.get_absolute_url()), PANEL)

    def test_message_question_and_check_in_pages_show_help(self) -> None:
        peer = factories.make_member(self.cast.circle)
        response = self.client.post(reverse("peers:conversation-new", args=[peer.pk]), {"body": CRISIS}, follow=True)
        self.assertContains(response, PANEL)
        self.assertTrue(Message.objects.filter(body=CRISIS).exists())
        event = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator)
        response = self.client.post(reverse("qa:questions", args=[event.pk]), {"body": CRISIS}, follow=True)
        self.assertContains(response, PANEL)
        response = self.client.post(
            reverse("journal:checkin-new"), {"distress": "1", "pain": "1", "note": CRISIS}, follow=True
        )
        self.assertContains(response, PANEL)
        self.assertTrue(CheckIn.objects.filter(note=CRISIS).exists())

    def test_visitors_pages_never_touch_the_flag(self) -> None:
        self.client.logout()
        response = self.client.get(reverse("circles:circle-list"))
        self.assertNotContains(response, PANEL)


class AlertPageTests(KinshipTestCase):
    def setUp(self) -> None:
        super().setUp()
        cache.clear()
        self.topic = factories.make_topic(circle=self.cast.circle, author=self.cast.facilitator)
        self.url = reverse("crisis:circle-alerts", args=[self.cast.circle.slug])

    def alert(self, writer=None):  # type: ignore[no-untyped-def]
        writer = writer or factories.make_member(self.cast.circle)
        with self.captureOnCommitCallbacks(execute=True):
            reply = discussions.post_reply(author=writer, topic=self.topic, body=CRISIS)
        return CrisisAlert.objects.get(source_id=reply.pk)

    def test_facilitator_sees_who_and_a_link_but_never_the_words(self) -> None:
        alert = self.alert(self.cast.member)
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(self.url)
        self.assertContains(response, "Mia Member")
        self.assertContains(response, reverse("discussions:post-detail", args=[alert.source_id]))
        self.assertContains(response, "I reached out to Mia Member")
        self.assertNotContains(response, "end my life")

    def test_members_outsiders_and_hidden_circles_get_404(self) -> None:
        self.alert()
        for user in (self.cast.member, self.cast.outsider, self.cast.pending):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)
        self.client.force_login(self.cast.facilitator)
        for slug in ("missing", "x" * 300, "%00"):
            self.assertEqual(self.client.get(f"/c/{slug}/crisis-alerts/").status_code, 404)

    def test_page_queries_stay_flat(self) -> None:
        self.alert()
        self.client.force_login(self.cast.facilitator)
        self.client.get(self.url)
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.url)
        # Session, user, circle, memberships, then the open and the acknowledged alerts.
        self.assertLessEqual(len(few.captured_queries), 7)
        for _ in range(5):
            self.alert()
        done = self.alert()
        done.acknowledged_at, done.acknowledged_by = done.created_at, self.cast.facilitator
        done.save()
        with self.assertNumQueries(len(few.captured_queries)):
            self.client.get(self.url)

    def test_facilitator_acknowledges_and_the_page_says_so(self) -> None:
        alert = self.alert(self.cast.member)
        self.client.force_login(self.cast.facilitator)
        url = reverse("crisis:alert-acknowledge", args=[alert.pk])
        self.assertEqual(self.client.get(url).status_code, 405)
        response = self.client.post(url, follow=True)
        self.assertContains(response, "you reached out to Mia Member")
        self.assertContains(response, "Reached out: Fiona Facilitator")
        alert.refresh_from_db()
        self.assertEqual(alert.acknowledged_by, self.cast.facilitator)

    def test_others_and_odd_ids_get_404_and_change_nothing(self) -> None:
        alert = self.alert()
        url = reverse("crisis:alert-acknowledge", args=[alert.pk])
        for user in (self.cast.member, self.cast.outsider):
            self.client.force_login(user)
            self.assertEqual(self.client.post(url).status_code, 404)
        self.client.force_login(self.cast.facilitator)
        for odd in ("١٢", "99999999999999999999999", "abc", "0"):
            self.assertEqual(self.client.post(f"/crisis-alerts/{odd}/reached-out/").status_code, 404)
        alert.refresh_from_db()
        self.assertIsNone(alert.acknowledged_at)

    def test_facilitator_of_another_circle_gets_404(self) -> None:
        alert = self.alert()
        other = factories.make_circle()
        lead = factories.make_user()
        factories.add_member(other, lead, role="facilitator")
        self.client.force_login(lead)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.post(reverse("crisis:alert-acknowledge", args=[alert.pk])).status_code, 404)
