"""Questions for speakers at the edges: privacy paths, double submits, rule gaps, live delivery and query counts."""

import queue
from typing import Any

from django.db import connection
from django.test import SimpleTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kinship.api.tests.base import ApiTestCase
from kinship.circles.models import Circle, Membership
from kinship.core import factories, live
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.testing import KinshipTestCase, make_cast
from kinship.events import services as event_services
from kinship.events.models import Event, Rsvp
from kinship.qa import services, speakers
from kinship.qa.models import Question, SpeakerInvitation, SpeakerProfile, Vote

HTMX = {"HTTP_HX_REQUEST": "true"}


def page_url(event: Event) -> str:
    return reverse("qa:questions", args=[event.pk])


def board_url(event: Event) -> str:
    return reverse("qa:board", args=[event.pk])


def fresh(event: Event) -> Event:
    """The event as a new request sees it (no per-object caches of speakers or RSVPs)."""
    return Event.objects.select_related("circle").get(pk=event.pk)


class ReviewCase(KinshipTestCase):
    def setUp(self) -> None:
        self.event = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator)
        self.alice = factories.make_member(self.cast.circle, display_name="Alice Asker")
        self.bob = factories.make_member(self.cast.circle, display_name="Bob Bystander")

    def ask(self, author, body: str, **fields: Any) -> Question:
        return services.ask(author=author, event=fresh(self.event), body=body, **fields)

    def moderate(self, question: Question, action: str, **fields: Any) -> Question:
        return services.moderate(
            moderator=self.cast.facilitator, question=Question.objects.get(pk=question.pk), action=action, **fields
        )


# Pending and dismissed questions stay out of other members' sight -------------------------------


class MergedIntoDismissedTests(ReviewCase):
    def setUp(self) -> None:
        super().setUp()
        self.duplicate = self.ask(self.alice, "Can I kneel on a knee replacement?")
        self.kept = self.ask(self.bob, "Kneeling after surgery: Bob's own words here")
        self.moderate(self.duplicate, "merge", into=self.kept.pk)

    def test_the_asker_of_a_merged_question_sees_where_it_went(self):
        self.client.force_login(self.alice)
        page = self.client.get(page_url(self.event))
        self.assertContains(page, "Merged into: “Kneeling after surgery: Bob&#x27;s own words here”")

    def test_once_the_question_kept_is_dismissed_its_text_no_longer_reaches_the_merged_asker(self):
        self.moderate(self.kept, "dismiss")
        self.client.force_login(self.alice)
        for response in (
            self.client.get(page_url(self.event)),
            self.client.get(board_url(self.event), **HTMX),
        ):
            self.assertEqual(response.status_code, 200)
            self.assertNotContains(response, "Bob&#x27;s own words")
            self.assertContains(response, "Merged into another question that is no longer on the list.")
        # The facilitators still see both, and restoring it shows it to the asker again.
        self.client.force_login(self.cast.facilitator)
        self.assertContains(self.client.get(page_url(self.event)), "Merged into: “Kneeling after surgery")
        self.moderate(self.kept, "restore")
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(page_url(self.event)), "Merged into: “Kneeling after surgery")

    def test_the_dismissed_question_kept_is_404_to_the_merged_asker(self):
        self.moderate(self.kept, "dismiss")
        self.client.force_login(self.alice)
        response = self.client.post(reverse("qa:vote", args=[self.kept.pk]), {"vote": "off"})
        self.assertEqual(response.status_code, 404)


# Double submits -------------------------------------------------------------------------------


class DoubleSubmitTests(ReviewCase):
    BODY = "Does the ache get worse in cold weather?"

    def test_a_form_sent_twice_makes_one_question_and_both_land_on_it(self):
        self.client.force_login(self.alice)
        first = self.client.post(page_url(self.event), {"body": self.BODY})
        second = self.client.post(page_url(self.event), {"body": self.BODY + "  "})
        question = Question.objects.get(author=self.alice)
        for response in (first, second):
            self.assertRedirects(response, question.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(Question.objects.count(), 1)

    def test_a_double_submit_on_a_moderated_event_makes_one_waiting_question(self):
        Event.objects.filter(pk=self.event.pk).update(questions_moderated=True)
        first = self.ask(self.alice, self.BODY)
        again = self.ask(self.alice, self.BODY)
        self.assertEqual((first.pk, again.pk, again.status), (first.pk, first.pk, Question.PENDING))

    def test_asking_the_same_again_on_the_tenth_question_is_not_refused(self):
        for n in range(services.QUESTIONS_PER_MEMBER - 1):
            self.ask(self.alice, f"Question {n}")
        last = self.ask(self.alice, self.BODY)
        self.assertEqual(self.ask(self.alice, self.BODY).pk, last.pk)
        with self.assertRaises(Invalid):
            self.ask(self.alice, "An eleventh, different question")

    def test_what_is_not_a_repeat_is_a_new_question(self):
        first = self.ask(self.alice, self.BODY)
        # Asked again anonymously: a different request, not a double submit.
        self.assertNotEqual(self.ask(self.alice, self.BODY, anonymous=True).pk, first.pk)
        # Someone else's identical question is theirs.
        self.assertNotEqual(self.ask(self.bob, self.BODY).pk, first.pk)
        # After a facilitator dismissed it, or it was answered, asking again is a new question.
        self.moderate(first, "dismiss")
        second = self.ask(self.alice, self.BODY)
        self.assertNotEqual(second.pk, first.pk)
        services.answer(answerer=self.cast.facilitator, question=second, body="Often, yes.")
        self.assertNotIn(self.ask(self.alice, self.BODY).pk, (first.pk, second.pk))


class ApiDoubleSubmitTests(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.event = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator)

    def test_the_same_question_posted_twice_without_a_key_is_one_question(self):
        path = f"/events/{self.event.pk}/questions"
        body = {"body": "How long does swelling last?", "anonymous": True}
        first = self.api("post", path, user=self.cast.member, json_body=body)
        second = self.api("post", path, user=self.cast.member, json_body=body)
        self.assertEqual((first.status_code, second.status_code), (201, 201))
        self.assertEqual(first.json()["id"], second.json()["id"])
        self.assertIsNone(second.json()["author"])
        self.assertEqual(Question.objects.count(), 1)


# What the member's own action did is said aloud (questions.js reads data-message) ---------------


class ActionMessageTests(ReviewCase):
    def setUp(self) -> None:
        super().setUp()
        self.question = self.ask(self.alice, "Is stiffness in the morning normal?")

    def test_htmx_actions_carry_their_message_and_plain_board_fetches_do_not(self):
        self.client.force_login(self.bob)
        voted = self.client.post(reverse("qa:vote", args=[self.question.pk]), {"vote": "on"}, **HTMX)
        self.assertContains(voted, 'data-message="Your vote is counted."')
        self.assertNotContains(self.client.get(board_url(self.event), **HTMX), "data-message")
        self.client.force_login(self.cast.facilitator)
        pinned = self.client.post(reverse("qa:moderate", args=[self.question.pk]), {"action": "pin"}, **HTMX)
        self.assertContains(pinned, 'data-message="Pinned as the question being answered now."')
        answered = self.client.post(reverse("qa:answer", args=[self.question.pk]), {"body": "Yes."}, **HTMX)
        self.assertContains(answered, 'data-message="Your answer is saved.')

    def test_refusals_carry_the_error_and_no_success_message(self):
        self.client.force_login(self.alice)
        refused = self.client.post(reverse("qa:vote", args=[self.question.pk]), {"vote": "on"}, **HTMX)
        self.assertContains(refused, "You cannot vote for your own question.", status_code=403)
        self.assertNotContains(refused, "data-message", status_code=403)


# Rule gaps: who may still ask, vote and answer -----------------------------------------------


class RuleGapTests(ReviewCase):
    def setUp(self) -> None:
        super().setUp()
        self.question = self.ask(self.alice, "Will I set off airport scanners?")

    def rsvp(self, person, answer: str = Rsvp.GOING) -> None:
        event = fresh(self.event)
        event_services.rsvp(member=person, event=event, original_start=event.starts_at, answer=answer)

    def test_a_member_removed_from_a_public_circle_can_neither_ask_nor_vote_despite_an_rsvp(self):
        self.rsvp(self.bob)
        Membership.objects.filter(user=self.bob, circle=self.cast.circle).update(status=Membership.REMOVED)
        self.client.force_login(self.bob)
        page = self.client.get(page_url(self.event))
        self.assertNotContains(page, 'name="body"')
        self.assertNotContains(page, f'id="vote-{self.question.pk}"')
        self.assertEqual(self.client.post(page_url(self.event), {"body": "Still here?"}).status_code, 403)
        vote = self.client.post(reverse("qa:vote", args=[self.question.pk]), {"vote": "on"}, **HTMX)
        self.assertEqual(vote.status_code, 403)
        self.assertEqual((Question.objects.count(), Vote.objects.count()), (1, 0))

    def test_a_member_removed_from_a_private_circle_gets_404(self):
        private = make_cast(visibility=Circle.PRIVATE)
        event = factories.make_event(circle=private.circle, facilitator=private.facilitator)
        question = services.ask(author=private.facilitator, event=event, body="Hello")
        Membership.objects.filter(user=private.member, circle=private.circle).update(status=Membership.REMOVED)
        self.client.force_login(private.member)
        self.assertEqual(self.client.get(page_url(event)).status_code, 404)
        self.assertEqual(self.client.get(board_url(event)).status_code, 404)
        self.assertEqual(self.client.post(reverse("qa:vote", args=[question.pk]), {"vote": "on"}).status_code, 404)

    def test_an_outsider_who_changed_to_not_going_can_no_longer_vote(self):
        self.rsvp(self.cast.outsider)
        services.vote(member=self.cast.outsider, question=Question.objects.get(pk=self.question.pk))
        self.rsvp(self.cast.outsider, Rsvp.NOT_GOING)
        self.client.force_login(self.cast.outsider)
        self.assertNotContains(self.client.get(page_url(self.event)), f'id="vote-{self.question.pk}"')
        refused = self.client.post(reverse("qa:vote", args=[self.question.pk]), {"vote": "off"}, **HTMX)
        self.assertContains(refused, "RSVP to this event to ask", status_code=403)
        self.assertEqual(Vote.objects.filter(voter=self.cast.outsider).count(), 1)

    def test_merging_never_gives_the_asker_a_vote_on_their_own_question_even_through_a_chain(self):
        # Bob votes for Alice's question; his own duplicate is merged into hers, then hers into his other one.
        services.vote(member=self.bob, question=Question.objects.get(pk=self.question.pk))
        bobs_duplicate = self.ask(self.bob, "Airport scanners and implants?")
        self.moderate(bobs_duplicate, "merge", into=self.question.pk)
        bobs_other = self.ask(self.bob, "Metal detectors at concerts?")
        self.moderate(self.question, "merge", into=bobs_other.pk)
        self.assertFalse(Vote.objects.filter(question=bobs_other, voter=self.bob).exists())
        self.assertEqual(
            set(Vote.objects.filter(question=bobs_other).values_list("voter_id", flat=True)), {self.alice.pk}
        )
        self.assertEqual(Question.objects.get(pk=bobs_duplicate.pk).merged_into_id, bobs_other.pk)
        with self.assertRaises(NotAllowed):
            services.vote(member=self.bob, question=Question.objects.get(pk=bobs_other.pk))

    def test_only_open_questions_are_pinned_and_merged_or_waiting_ones_are_not_answered(self):
        Event.objects.filter(pk=self.event.pk).update(questions_moderated=True)
        waiting = self.ask(self.bob, "Waiting one")
        dismissed = self.ask(self.bob, "Dismissed one")
        self.moderate(dismissed, "dismiss")
        merged = self.ask(self.bob, "Merged one")
        self.moderate(merged, "merge", into=self.question.pk)
        for question in (waiting, dismissed, merged):
            with self.subTest(status=question.body):
                with self.assertRaises(Invalid):
                    self.moderate(question, "pin")
                with self.assertRaises(Invalid):
                    services.answer(
                        answerer=self.cast.facilitator, question=Question.objects.get(pk=question.pk), body="No"
                    )
        self.assertFalse(Question.objects.filter(pinned=True).exists())
        self.assertFalse(Question.objects.filter(status=Question.ANSWERED).exists())

    def test_a_cancelled_event_takes_no_votes(self):
        Event.objects.filter(pk=self.event.pk).update(cancelled_at=timezone.now())
        with self.assertRaises(NotAllowed):
            services.vote(member=self.bob, question=Question.objects.get(pk=self.question.pk))


class RevokedSpeakerTests(KinshipTestCase):
    def check_revoked(self, event: Event, facilitator, expected: int) -> None:
        """An accepted speaker answers; once the facilitator revokes the invitation, every way to answer is closed."""
        question = services.ask(author=facilitator, event=fresh(event), body="Any stretches?")
        speaker = factories.make_user(display_name="Dr Rory Revoked")
        invitation = speakers.invite(inviter=facilitator, event=event, name="Rory", email="rory@example.org")
        event.speakers.add(speaker)
        SpeakerInvitation.objects.filter(pk=invitation.pk).update(accepted_by=speaker, accepted_at=timezone.now())
        invitation.refresh_from_db()
        url = reverse("qa:answer", args=[question.pk])
        self.client.force_login(speaker)
        self.assertEqual(self.client.get(url).status_code, 200)
        speakers.revoke(actor=facilitator, invitation=invitation)
        self.assertEqual(self.client.get(url).status_code, expected)
        self.assertEqual(self.client.post(url, {"body": "Too late"}).status_code, expected)
        self.assertEqual(self.client.post(url, {"body": "Too late"}, **HTMX).status_code, expected)
        with self.assertRaises(NotAllowed):
            services.answer(answerer=speaker, question=Question.objects.get(pk=question.pk), body="Too late")
        self.assertEqual(Question.objects.get(pk=question.pk).status, Question.OPEN)

    def test_a_revoked_speaker_of_a_public_circle_may_read_but_not_answer(self):
        event = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator)
        self.check_revoked(event, self.cast.facilitator, 403)

    def test_a_revoked_speaker_of_a_private_circle_gets_404(self):
        private = make_cast(visibility=Circle.PRIVATE)
        event = factories.make_event(circle=private.circle, facilitator=private.facilitator)
        self.check_revoked(event, private.facilitator, 404)


class RevokedSpeakerApiTests(ApiTestCase):
    def test_a_revoked_speaker_cannot_answer_through_the_api(self):
        event = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator)
        speaker = factories.make_user(display_name="Dr Api")
        event.speakers.add(speaker)
        question = services.ask(author=self.cast.member, event=fresh(event), body="Which shoes?")
        event.speakers.remove(speaker)
        response = self.api("post", f"/questions/{question.pk}/answer", user=speaker, json_body={"body": "These"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Question.objects.get(pk=question.pk).status, Question.OPEN)


# Anonymity on the paths a member's or speaker's own action takes ---------------------------------


class AnonymousAskerOnEveryPathTests(ReviewCase):
    def setUp(self) -> None:
        super().setUp()
        self.secret = self.ask(self.alice, "Is it normal to feel numb about it all?", anonymous=True)
        self.speaker = factories.make_user(display_name="Dr Sara Speaker")
        self.event.speakers.add(self.speaker)
        SpeakerProfile.objects.create(user=self.speaker, profession="Psychologist", verified_at=timezone.now())

    def assertHidden(self, response, status: int = 200) -> None:
        self.assertEqual(response.status_code, status, response.content[:300])
        text = response.content.decode()
        self.assertNotIn("Alice", text)
        self.assertNotIn(self.alice.email, text)
        self.assertNotIn("only facilitators see this", text)

    def test_no_response_to_a_member_or_speaker_names_the_asker(self):
        vote = reverse("qa:vote", args=[self.secret.pk])
        answer = reverse("qa:answer", args=[self.secret.pk])
        self.client.force_login(self.bob)
        self.assertHidden(self.client.post(vote, {"vote": "on"}, **HTMX))
        self.assertHidden(self.client.post(vote, {"vote": "bad"}, **HTMX), 422)
        self.assertHidden(self.client.post(vote, {"vote": "off"}, **HTMX))
        self.assertHidden(self.client.get(reverse("qa:moderate", args=[self.secret.pk])), 403)
        self.assertHidden(self.client.post(reverse("qa:moderate", args=[self.secret.pk]), {"action": "pin"}), 403)
        self.client.force_login(self.speaker)
        self.assertHidden(self.client.get(answer))
        self.assertHidden(self.client.post(answer, {"body": ""}), 422)
        self.assertHidden(self.client.post(answer, {"body": "It is, and it passes."}, **HTMX))
        self.assertHidden(self.client.get(page_url(self.event)))
        self.assertHidden(self.client.get(self.event.get_absolute_url()))
        self.client.force_login(self.bob)
        self.assertHidden(self.client.get(self.event.get_absolute_url()))

    def test_merging_an_anonymous_question_names_nobody_to_the_other_asker(self):
        kept = self.ask(self.bob, "Feeling numb after surgery")
        self.moderate(self.secret, "merge", into=kept.pk)
        self.client.force_login(self.bob)
        self.assertHidden(self.client.get(page_url(self.event)))
        self.client.force_login(self.cast.facilitator)
        chooser = self.client.get(reverse("qa:moderate", args=[kept.pk]))
        self.assertNotContains(chooser, self.alice.email)


# Speaker invitations: names, never addresses ------------------------------------------------


class InvitationPageTests(KinshipTestCase):
    def test_each_remove_button_names_its_speaker_and_no_address_shows(self):
        event = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator)
        for name in ("Dr Ada One", "Dr Bea Two"):
            invitation = speakers.invite(
                inviter=self.cast.facilitator, event=event, name=name, email=f"{name.split()[1]}@example.org"
            )
            person = factories.make_user(display_name=name)
            event.speakers.add(person)
            SpeakerInvitation.objects.filter(pk=invitation.pk).update(accepted_by=person, accepted_at=timezone.now())
        self.client.force_login(self.cast.facilitator)
        page = self.client.get(reverse("qa:speakers", args=[event.pk]))
        self.assertContains(page, 'Remove this speaker<span class="visually-hidden">: Dr Ada One</span>', html=False)
        self.assertContains(page, 'Remove this speaker<span class="visually-hidden">: Dr Bea Two</span>', html=False)
        self.assertNotContains(page, "@example.org")


# Live delivery ----------------------------------------------------------------------------------


class HubTests(SimpleTestCase):
    def drain(self, inbox: queue.Queue) -> list[int]:
        seen = []
        while True:
            try:
                seen.append(inbox.get_nowait()["version"])
            except queue.Empty:
                return seen

    def test_a_reader_that_fell_behind_still_gets_the_newest_version(self):
        hub = live.Hub()
        with hub.listen("questions.1") as inbox:
            for version in range(1, live.QUEUE_SIZE + 30):
                hub.deliver("questions.1", {"version": version})
            seen = self.drain(inbox)
        self.assertEqual(len(seen), live.QUEUE_SIZE)
        self.assertEqual(seen[-1], live.QUEUE_SIZE + 29)
        self.assertEqual(seen, sorted(seen))

    def test_other_channels_and_readers_are_untouched(self):
        hub = live.Hub()
        with hub.listen("questions.1") as one, hub.listen("questions.1") as two, hub.listen("questions.2") as other:
            hub.deliver("questions.1", {"version": 5})
            self.assertEqual((self.drain(one), self.drain(two), self.drain(other)), ([5], [5], []))
        self.assertEqual(hub.listener_count("questions.1"), 0)


# Query counts for a facilitator with a long queue ----------------------------------------------


class FacilitatorQueueQueryTests(ReviewCase):
    def fill(self, askers: list, count: int, start: int) -> list[Question]:
        return [self.ask(askers[n % len(askers)], f"Question {start + n}", anonymous=n % 2 == 0) for n in range(count)]

    def count(self, url: str, **extra: Any) -> int:
        self.client.force_login(self.cast.facilitator)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url, **extra)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_pending_dismissed_and_merged_questions_do_not_add_queries(self):
        askers = [factories.make_member(self.cast.circle) for _ in range(5)]
        open_one = self.ask(self.alice, "An open one")
        Event.objects.filter(pk=self.event.pk).update(questions_moderated=True)
        first = self.fill(askers, 3, 0)
        self.moderate(first[0], "dismiss")
        self.moderate(first[1], "merge", into=open_one.pk)
        urls = [
            (page_url(self.event), {}),
            (board_url(self.event), HTMX),
            (reverse("qa:moderate", args=[first[2].pk]), {}),
        ]
        few = [self.count(url, **extra) for url, extra in urls]

        many = self.fill(askers, 40, 10)
        for question in many[:12]:
            self.moderate(question, "dismiss")
        for question in many[12:20]:
            self.moderate(question, "merge", into=open_one.pk)
        self.moderate(open_one, "dismiss")  # merged questions now point at a dismissed one
        for question in many[20:25]:
            self.moderate(question, "approve")
        self.assertEqual([self.count(url, **extra) for url, extra in urls], few)
