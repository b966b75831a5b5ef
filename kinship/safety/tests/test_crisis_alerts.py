"""Crisis words in posts, replies, edits, messages, questions and check-in notes: never blocked, an alert
without the words for the right circle, an email to that circle's active facilitators only."""

from django.core import mail
from django.core.cache import cache

from kinship.core import factories
from kinship.core.signals import crisis_words
from kinship.core.testing import KinshipTestCase
from kinship.discussions import services as discussions
from kinship.discussions.models import Post
from kinship.journal import checkins
from kinship.journal.models import SummaryShare
from kinship.notifications import services as notifications
from kinship.peers import messaging
from kinship.qa import services as qa
from kinship.safety import crisis_alerts, crisis_tasks
from kinship.safety.models import CrisisAlert

CRISIS = "Honestly some nights I want to end my life."
SPANISH = "Ya no quiero vivir, de verdad."
CALM = "Physio was brutal today, my knee is killing me."
# What must never leave the post: the words that fired, in any form.
WORDS = ("end my life", "Honestly some nights", "no quiero vivir")


class CrisisAlertTestCase(KinshipTestCase):
    def setUp(self) -> None:
        super().setUp()
        cache.clear()

    def assertNoWords(self) -> None:
        for email in mail.outbox:
            for part in (email.subject, email.body, email.alternatives[0][0]):
                for words in WORDS:
                    self.assertNotIn(words, part)

    def emailed(self) -> list[list[str]]:
        return sorted(m.to for m in mail.outbox)


class PostTests(CrisisAlertTestCase):
    def test_topic_is_saved_and_its_circle_alerted_without_the_words(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            topic = discussions.start_topic(
                author=self.cast.member, circle=self.cast.circle, title="A bad night", body=CRISIS
            )
        opening = Post.objects.get(topic=topic, is_opening=True)
        self.assertEqual(opening.body, CRISIS)
        alert = CrisisAlert.objects.get()
        self.assertEqual(
            (alert.writer, alert.circle, alert.source_type, alert.source_id),
            (self.cast.member, self.cast.circle, "post", opening.pk),
        )
        self.assertIsNone(alert.acknowledged_at)
        self.assertEqual(self.emailed(), [[self.cast.facilitator.email]])
        email = mail.outbox[0]
        self.assertIn("Mia Member", email.subject)
        self.assertIn(f"/c/{self.cast.circle.slug}/crisis-alerts/", email.body)
        self.assertNoWords()

    def test_a_crisis_word_in_the_title_alone_counts(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            discussions.start_topic(author=self.cast.member, circle=self.cast.circle, title=CRISIS, body=CALM)
        self.assertEqual(CrisisAlert.objects.count(), 1)

    def test_reply_alerts_and_ordinary_words_do_not(self) -> None:
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        with self.captureOnCommitCallbacks(execute=True):
            calm = discussions.post_reply(author=self.cast.member, topic=topic, body=CALM)
        self.assertFalse(CrisisAlert.objects.exists())
        with self.captureOnCommitCallbacks(execute=True):
            reply = discussions.post_reply(author=self.cast.member, topic=topic, body=SPANISH, anonymous=True)
        self.assertEqual(CrisisAlert.objects.get().source_id, reply.pk)
        self.assertNotEqual(calm.pk, reply.pk)
        self.assertNoWords()

    def test_edit_alerts_when_the_new_words_suggest_a_crisis_and_only_once_while_open(self) -> None:
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        reply = factories.make_replies(topic, count=1, author=self.cast.member)[0]
        with self.captureOnCommitCallbacks(execute=True):
            discussions.edit_post(editor=self.cast.member, post=reply, changes={"body": CRISIS})
        self.assertEqual(CrisisAlert.objects.count(), 1)
        with self.captureOnCommitCallbacks(execute=True):
            discussions.edit_post(editor=self.cast.member, post=reply, changes={"body": CRISIS + " Again."})
            discussions.edit_post(editor=self.cast.member, post=reply, changes={"content_note": "dark"})
        self.assertEqual(CrisisAlert.objects.count(), 1)
        self.assertEqual(len(mail.outbox), 1)

    def test_resaving_unchanged_words_after_acknowledgement_makes_no_new_alert(self) -> None:
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        reply = factories.make_replies(topic, count=1, author=self.cast.member)[0]
        with self.captureOnCommitCallbacks(execute=True):
            discussions.edit_post(editor=self.cast.member, post=reply, changes={"body": CRISIS})
        crisis_alerts.acknowledge(facilitator=self.cast.facilitator, alert=CrisisAlert.objects.get())
        with self.captureOnCommitCallbacks(execute=True):
            discussions.edit_post(editor=self.cast.member, post=reply, changes={"body": CRISIS})
        self.assertEqual(CrisisAlert.objects.count(), 1)

    def test_only_active_facilitators_of_that_circle_are_emailed_never_the_writer(self) -> None:
        co_lead = factories.make_user(display_name="Cora Colead")
        factories.add_member(self.cast.circle, co_lead, role="facilitator")
        paused = factories.make_user()
        factories.add_member(self.cast.circle, paused, role="facilitator", status="pending")
        elsewhere = factories.make_circle()
        factories.add_member(elsewhere, factories.make_user(), role="facilitator")
        factories.add_member(elsewhere, self.cast.member)
        notifications.update_preferences(user=co_lead, changes={"crisis_alert": False})
        with self.captureOnCommitCallbacks(execute=True):
            discussions.start_topic(author=self.cast.facilitator, circle=self.cast.circle, title="Me", body=CRISIS)
        # The writer is a facilitator: the other one is told; one who switched these emails off is not.
        self.assertEqual(self.emailed(), [])
        notifications.update_preferences(user=co_lead, changes={"crisis_alert": True})
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            discussions.start_topic(author=self.cast.member, circle=self.cast.circle, title="Me", body=CRISIS)
        self.assertEqual(self.emailed(), sorted([[self.cast.facilitator.email], [co_lead.email]]))
        self.assertEqual(set(CrisisAlert.objects.values_list("circle", flat=True)), {self.cast.circle.pk})

    def test_a_failing_alert_never_blocks_or_undoes_the_post(self) -> None:
        def broken(**kwargs: object) -> None:
            raise RuntimeError("mail server on fire")

        crisis_words.connect(broken, dispatch_uid="test-broken")
        self.addCleanup(crisis_words.disconnect, dispatch_uid="test-broken")
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        with self.assertLogs("kinship.core.signals", "ERROR"), self.captureOnCommitCallbacks(execute=True):
            reply = discussions.post_reply(author=self.cast.member, topic=topic, body=CRISIS)
        self.assertTrue(Post.objects.filter(pk=reply.pk, body=CRISIS).exists())
        # The working receiver still ran.
        self.assertEqual(CrisisAlert.objects.count(), 1)

    def test_bad_input_saves_nothing_and_alerts_nobody(self) -> None:
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        with self.captureOnCommitCallbacks(execute=True):
            for body in (CRISIS * 2000, ["x"], None, "\x00" + CRISIS):
                try:
                    discussions.post_reply(author=self.cast.member, topic=topic, body=body)
                except Exception as error:
                    self.assertEqual(type(error).__name__, "Invalid")
        self.assertFalse(CrisisAlert.objects.exists())
        self.assertEqual(mail.outbox, [])


class QuestionTests(CrisisAlertTestCase):
    def test_question_alerts_the_events_circle(self) -> None:
        event = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator)
        with self.captureOnCommitCallbacks(execute=True):
            question = qa.ask(author=self.cast.member, event=event, body=CRISIS, anonymous=True)
        alert = CrisisAlert.objects.get()
        self.assertEqual(
            (alert.circle, alert.source_type, alert.source_id), (self.cast.circle, "question", question.pk)
        )
        self.assertEqual(self.emailed(), [[self.cast.facilitator.email]])
        self.assertNoWords()


class MessageTests(CrisisAlertTestCase):
    def test_message_alerts_the_circles_both_share_and_never_links_to_it(self) -> None:
        peer = factories.make_member(self.cast.circle)
        mine_only = factories.make_circle()
        factories.add_member(mine_only, self.cast.member)
        factories.add_member(mine_only, factories.make_user(), role="facilitator")
        with self.captureOnCommitCallbacks(execute=True):
            conversation, message, _ = messaging.start_conversation(
                sender=self.cast.member, recipient=peer, body=CRISIS
            )
        alert = CrisisAlert.objects.get()
        self.assertEqual((alert.circle, alert.source_type, alert.source_id), (self.cast.circle, "message", message.pk))
        self.assertEqual(self.emailed(), [[self.cast.facilitator.email]])
        self.assertNotIn("/messages/", mail.outbox[0].body)
        self.assertNotIn("message", mail.outbox[0].subject.lower())
        self.assertNoWords()
        with self.captureOnCommitCallbacks(execute=True):
            messaging.send_message(sender=peer, conversation=conversation, body=SPANISH)
        self.assertEqual(CrisisAlert.objects.filter(writer=peer).count(), 1)

    def test_facilitators_see_no_link_and_no_place_for_a_message(self) -> None:
        peer = factories.make_member(self.cast.circle)
        with self.captureOnCommitCallbacks(execute=True):
            messaging.start_conversation(sender=self.cast.member, recipient=peer, body=CRISIS)
        [row] = crisis_alerts.circle_alerts(self.cast.facilitator, self.cast.circle)
        self.assertEqual(row.url, "")
        self.assertIn("private", row.where)
        # Staff do not see alerts from private words at all.
        self.assertEqual(crisis_alerts.circle_alerts(self.cast.staff, self.cast.circle), [])


class CheckInTests(CrisisAlertTestCase):
    def record(self, note: str):  # type: ignore[no-untyped-def]
        with self.captureOnCommitCallbacks(execute=True):
            return checkins.record_checkin(member=self.cast.member, distress=2, pain=1, note=note)

    def test_note_alerts_nobody_without_a_shared_summary(self) -> None:
        checkin = self.record(CRISIS)
        self.assertEqual(checkin.note, CRISIS)
        self.assertFalse(CrisisAlert.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_note_alerts_only_circles_the_member_shares_summaries_with(self) -> None:
        other = factories.make_circle()
        factories.add_member(other, self.cast.member)
        factories.add_member(other, factories.make_user(), role="facilitator")
        SummaryShare.objects.create(owner=self.cast.member, circle=self.cast.circle)
        checkin = self.record(CRISIS)
        alert = CrisisAlert.objects.get()
        self.assertEqual((alert.circle, alert.source_type, alert.source_id), (self.cast.circle, "checkin", checkin.pk))
        self.assertEqual(self.emailed(), [[self.cast.facilitator.email]])
        self.assertNotIn("journal", mail.outbox[0].body.lower())
        self.assertNotIn("check-in", mail.outbox[0].body.lower())
        self.assertNoWords()

    def test_calm_note_alerts_nobody(self) -> None:
        SummaryShare.objects.create(owner=self.cast.member, circle=self.cast.circle)
        self.record(CALM)
        self.assertFalse(CrisisAlert.objects.exists())


class AcknowledgeTests(CrisisAlertTestCase):
    def setUp(self) -> None:
        super().setUp()
        topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member)
        with self.captureOnCommitCallbacks(execute=True):
            discussions.post_reply(author=self.cast.member, topic=topic, body=CRISIS)
        self.alert = CrisisAlert.objects.get()

    def test_facilitator_acknowledges_once_and_it_is_audited(self) -> None:
        from kinship.safety.models import AuditEntry

        crisis_alerts.acknowledge(facilitator=self.cast.facilitator, alert=self.alert)
        first = CrisisAlert.objects.get().acknowledged_at
        other = factories.make_user()
        factories.add_member(self.cast.circle, other, role="facilitator")
        crisis_alerts.acknowledge(facilitator=other, alert=self.alert)
        alert = CrisisAlert.objects.get()
        self.assertEqual((alert.acknowledged_at, alert.acknowledged_by), (first, self.cast.facilitator))
        self.assertEqual(AuditEntry.objects.filter(action="crisis_alert_acknowledged").count(), 1)

    def test_members_and_outsiders_may_not_acknowledge(self) -> None:
        from kinship.core.errors import NotAllowed

        for user in (self.cast.member, self.cast.outsider):
            with self.assertRaises(NotAllowed):
                crisis_alerts.acknowledge(facilitator=user, alert=self.alert)
        self.assertIsNone(CrisisAlert.objects.get().acknowledged_at)

    def test_email_is_skipped_once_acknowledged(self) -> None:
        crisis_alerts.acknowledge(facilitator=self.cast.facilitator, alert=self.alert)
        self.assertFalse(crisis_tasks.send_crisis_alert.call(self.alert.pk, self.cast.facilitator.pk))
