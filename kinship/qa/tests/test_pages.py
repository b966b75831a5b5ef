"""The questions page, its board fragment, votes, moderation and answers through the web pages."""

from datetime import timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.testing import KinshipTestCase, make_cast
from kinship.events import services as event_services
from kinship.events.models import Event
from kinship.qa import services
from kinship.qa.models import Question, SpeakerProfile, Vote

HTMX = {"HTTP_HX_REQUEST": "true"}
QUESTION = "How long until I can walk without crutches after an endoprosthesis?"


def ask(event: Event, author, body: str = QUESTION, **fields) -> Question:
    return services.ask(author=author, event=event, body=body, **fields)


def page_url(event: Event) -> str:
    return reverse("qa:questions", args=[event.pk])


def board_url(event: Event) -> str:
    return reverse("qa:board", args=[event.pk])


def vote_url(question: Question) -> str:
    return reverse("qa:vote", args=[question.pk])


def moderate_url(question: Question) -> str:
    return reverse("qa:moderate", args=[question.pk])


def answer_url(question: Question) -> str:
    return reverse("qa:answer", args=[question.pk])


class PageCase(KinshipTestCase):
    def setUp(self) -> None:
        self.event = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator)

    def login(self, user) -> None:
        self.client.force_login(user)

    def make_speaker(self, event: Event | None = None, *, verified: bool = True, profession: str = "Physiotherapist"):
        speaker = factories.make_user(display_name="Dr Sara Speaker")
        (event or self.event).speakers.add(speaker)
        SpeakerProfile.objects.create(
            user=speaker, profession=profession, verified_at=timezone.now() if verified else None
        )
        return speaker


class QuestionsPageTests(PageCase):
    def test_visitor_is_sent_to_sign_in(self):
        for url in (page_url(self.event), board_url(self.event)):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertIn(reverse("accounts:login"), response["Location"])
        self.assertEqual(self.client.post(page_url(self.event), {"body": QUESTION}).status_code, 302)
        self.assertFalse(Question.objects.exists())

    def test_member_sees_the_ask_form_the_board_and_the_live_script(self):
        self.login(self.cast.member)
        response = self.client.get(page_url(self.event))
        self.assertContains(response, "<h1>Questions for the speaker</h1>", html=True)
        self.assertContains(response, "At most 1,000 characters.")
        self.assertContains(response, "Ask anonymously")
        self.assertContains(response, "facilitators and staff still see that you asked it")
        self.assertContains(response, 'id="board"')
        self.assertContains(response, f'data-stream-url="{reverse("qa:stream", args=[self.event.pk])}"')
        self.assertContains(response, f'data-board-url="{board_url(self.event)}"')
        self.assertContains(response, 'data-version="0"')
        self.assertContains(response, 'aria-live="polite"')
        self.assertContains(response, "js/questions.js")
        self.assertContains(response, "defer")
        self.assertNotContains(response, "Live</span>")

    def test_member_asks_and_comes_back_to_the_page_with_a_message(self):
        self.login(self.cast.member)
        response = self.client.post(page_url(self.event), {"body": QUESTION}, follow=True)
        question = Question.objects.get()
        self.assertEqual(response.redirect_chain, [(f"{page_url(self.event)}#question-{question.pk}", 302)])
        self.assertContains(response, "Your question is on the list.")
        self.assertEqual((question.author, question.status, question.anonymous), (self.cast.member, "open", False))
        self.assertContains(response, "You asked this")

    def test_member_asks_anonymously(self):
        self.login(self.cast.member)
        self.client.post(page_url(self.event), {"body": QUESTION, "anonymous": "on"})
        self.assertTrue(Question.objects.get().anonymous)

    def test_on_a_moderated_event_the_message_says_it_waits_for_approval(self):
        self.event.questions_moderated = True
        self.event.save()
        self.login(self.cast.member)
        page = self.client.get(page_url(self.event))
        self.assertContains(page, "A facilitator approves each question before other members see it.")
        response = self.client.post(page_url(self.event), {"body": QUESTION}, follow=True)
        self.assertContains(response, "once a facilitator has approved it")
        self.assertEqual(Question.objects.get().status, Question.PENDING)
        self.assertContains(response, "Your questions waiting for approval")

    def test_bad_questions_are_422_with_field_errors_and_nothing_is_saved(self):
        self.login(self.cast.member)
        for data, message in (
            ({"body": ""}, "This field is required."),
            ({"body": "   \n "}, "This field is required."),
            ({}, "This field is required."),
            ({"body": "x" * 1001}, "At most 1,000 characters (this is 1,001)."),
            ({"body": "Hello\x00there"}, "Contains control characters."),
            ({"body": QUESTION, "anonymous": "perhaps"}, "Must be true or false."),
        ):
            with self.subTest(data=data):
                response = self.client.post(page_url(self.event), data)
                self.assertEqual(response.status_code, 422)
                self.assertContains(response, message, status_code=422)
                self.assertContains(response, 'aria-invalid="true"', status_code=422)
                self.assertContains(response, 'role="alert"', status_code=422)
        self.assertFalse(Question.objects.exists())

    def test_question_text_is_shown_as_plain_escaped_text(self):
        ask(self.event, factories.make_member(self.cast.circle), '<script>alert("x")</script> **not bold**\nline two')
        self.login(self.cast.member)
        for response in (self.client.get(page_url(self.event)), self.client.get(board_url(self.event))):
            self.assertNotContains(response, '<script>alert("x")</script>')
            self.assertContains(response, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; **not bold**<br>line two")

    def test_the_text_typed_stays_in_the_form_after_an_error(self):
        self.login(self.cast.member)
        response = self.client.post(page_url(self.event), {"body": "y" * 1001, "anonymous": "on"})
        self.assertContains(response, "y" * 1001, status_code=422)
        self.assertEqual(response.context["form"].data["anonymous"], "on")

    def test_the_eleventh_question_is_refused(self):
        for n in range(services.QUESTIONS_PER_MEMBER):
            ask(self.event, self.cast.member, f"Question number {n}")
        self.login(self.cast.member)
        response = self.client.post(page_url(self.event), {"body": "One more"})
        self.assertContains(response, "the most one member can ask", status_code=422)
        self.assertEqual(Question.objects.count(), services.QUESTIONS_PER_MEMBER)

    def test_outsider_of_a_public_circle_reads_but_is_told_how_to_ask(self):
        ask(self.event, self.cast.member)
        self.login(self.cast.outsider)
        response = self.client.get(page_url(self.event))
        self.assertContains(response, QUESTION)
        self.assertContains(response, "Join the circle or RSVP to this event to ask the speaker a question.")
        self.assertNotContains(response, 'name="body"')
        self.assertNotContains(response, 'name="vote"')
        refused = self.client.post(page_url(self.event), {"body": "May I ask?"})
        self.assertContains(refused, "Join the circle or RSVP", status_code=403)
        self.assertEqual(Question.objects.count(), 1)

    def test_outsider_who_rsvpd_to_a_public_event_may_ask(self):
        event_services.rsvp(
            member=self.cast.outsider, event=self.event, original_start=self.event.starts_at, answer="going"
        )
        self.login(self.cast.outsider)
        self.assertContains(self.client.get(page_url(self.event)), 'name="body"')
        self.assertEqual(self.client.post(page_url(self.event), {"body": "May I ask?"}).status_code, 302)
        self.assertEqual(Question.objects.get().author, self.cast.outsider)

    def test_unverified_and_pending_people_are_told_why_they_cannot_ask(self):
        for person, why in (
            (self.cast.unverified, "Please confirm your email address before asking a question."),
            (self.cast.pending, "Join the circle or RSVP"),
        ):
            with self.subTest(person=person.display_name):
                self.login(person)
                self.assertContains(self.client.get(page_url(self.event)), why)
                self.assertEqual(self.client.post(page_url(self.event), {"body": QUESTION}).status_code, 403)
        self.assertFalse(Question.objects.exists())

    def test_cancelled_event_takes_no_questions(self):
        event_services.cancel_event(actor=self.cast.facilitator, event=self.event)
        self.login(self.cast.member)
        response = self.client.get(page_url(self.event))
        self.assertContains(response, "This event is cancelled, so it takes no questions.")
        self.assertEqual(self.client.post(page_url(self.event), {"body": QUESTION}).status_code, 403)

    def test_private_circle_questions_are_404_to_outsiders_everywhere(self):
        private = make_cast(visibility=Circle.PRIVATE)
        event = factories.make_event(circle=private.circle, facilitator=private.facilitator)
        question = ask(event, private.member)
        self.login(private.outsider)
        for method, url, data in (
            ("get", page_url(event), {}),
            ("post", page_url(event), {"body": QUESTION}),
            ("get", board_url(event), {}),
            ("get", board_url(event), {"v": "0"}),
            ("post", vote_url(question), {"vote": "on"}),
            ("get", moderate_url(question), {}),
            ("post", moderate_url(question), {"action": "dismiss"}),
            ("get", answer_url(question), {}),
            ("post", answer_url(question), {"body": "An answer"}),
        ):
            with self.subTest(method=method, url=url):
                response = getattr(self.client, method)(url, data)
                self.assertEqual(response.status_code, 404)
                self.assertNotContains(response, QUESTION, status_code=404)
        self.assertEqual(Question.objects.count(), 1)
        self.assertFalse(Vote.objects.exists())
        self.login(private.member)
        self.assertContains(self.client.get(page_url(event)), QUESTION)

    def test_unknown_and_odd_ids_are_404(self):
        self.login(self.cast.member)
        for url in (
            "/events/999999999/questions/",
            "/events/99999999999999999999/questions/",
            "/events/999999999/questions/board/",
            "/questions/999999999/answer/",
            "/questions/99999999999999999999/moderate/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post("/questions/999999999/vote/", {"vote": "on"}).status_code, 404)

    def test_other_methods_are_refused(self):
        question = ask(self.event, self.cast.facilitator)
        self.login(self.cast.member)
        self.assertEqual(self.client.put(page_url(self.event)).status_code, 405)
        self.assertEqual(self.client.post(board_url(self.event)).status_code, 405)
        self.assertEqual(self.client.get(vote_url(question)).status_code, 405)
        self.assertEqual(self.client.delete(answer_url(question)).status_code, 405)

    def test_live_marker_shows_while_a_meeting_is_on(self):
        start = timezone.now() - timedelta(minutes=10)
        live = factories.make_event(
            circle=self.cast.circle,
            facilitator=self.cast.facilitator,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )
        self.login(self.cast.member)
        self.assertContains(self.client.get(page_url(live)), '<span class="badge live">Live</span>', html=True)
        self.assertNotContains(self.client.get(page_url(self.event)), '<span class="badge live">Live</span>', html=True)

    def test_open_questions_are_ordered_by_votes_then_age(self):
        people = [factories.make_member(self.cast.circle) for _ in range(3)]
        first = ask(self.event, people[0], "First asked, no votes")
        second = ask(self.event, people[1], "Second asked, two votes")
        third = ask(self.event, people[2], "Third asked, one vote")
        services.vote(member=people[0], question=second)
        services.vote(member=people[2], question=second)
        services.vote(member=people[0], question=third)
        self.login(self.cast.member)
        html = self.client.get(page_url(self.event)).content.decode()
        order = [html.index(f'id="question-{q.pk}"') for q in (second, third, first)]
        self.assertEqual(order, sorted(order))
        self.assertIn("2 votes", html)
        self.assertIn("1 vote<", html)
        self.assertIn('<ol class="question-list">', html)

    def test_speaker_sees_answer_links_but_no_moderation(self):
        question = ask(self.event, self.cast.member)
        speaker = self.make_speaker()
        self.login(speaker)
        response = self.client.get(page_url(self.event))
        self.assertContains(response, answer_url(question))
        self.assertNotContains(response, 'name="action"')
        self.assertNotContains(response, 'name="body"')  # a speaker who is not a member does not ask
        self.assertContains(response, "You are speaking at this event")
        self.login(self.cast.member)
        self.assertNotContains(self.client.get(page_url(self.event)), answer_url(question))


class AnonymityTests(PageCase):
    """An anonymous asker's name never reaches members, speakers or outsiders; facilitators and staff see it."""

    def setUp(self) -> None:
        super().setUp()
        self.asker = factories.make_member(self.cast.circle, display_name="Ada Askwith")
        self.question = ask(self.event, self.asker, anonymous=True)
        self.speaker = self.make_speaker()
        self.other = factories.make_member(self.cast.circle, display_name="Olga Other")

    def views(self):
        return (
            ("page", lambda: self.client.get(page_url(self.event))),
            ("board", lambda: self.client.get(board_url(self.event))),
            ("htmx vote", lambda: self.client.post(vote_url(self.question), {"vote": "on"}, **HTMX)),
        )

    def test_members_speakers_and_outsiders_see_anonymous(self):
        for person in (self.cast.member, self.speaker, self.cast.outsider, self.other):
            self.login(person)
            for name, get in self.views():
                with self.subTest(person=person.display_name, view=name):
                    response = get()
                    self.assertIn(response.status_code, (200, 403))
                    html = response.content.decode()
                    self.assertIn(QUESTION, html)
                    self.assertIn("Anonymous", html)
                    self.assertNotIn("Ada Askwith", html)
                    self.assertNotIn("Askwith", html)
                    self.assertNotIn("only facilitators see this", html)

    def test_the_answer_page_keeps_the_asker_hidden_from_the_speaker(self):
        self.login(self.speaker)
        response = self.client.get(answer_url(self.question))
        self.assertContains(response, "Anonymous")
        self.assertNotContains(response, "Askwith")

    def test_the_event_page_archive_keeps_the_asker_hidden(self):
        services.answer(answerer=self.speaker, question=self.question, body="About **six weeks**.")
        for person in (self.cast.member, self.speaker, self.cast.outsider):
            with self.subTest(person=person.display_name):
                self.login(person)
                response = self.client.get(self.event.get_absolute_url())
                self.assertContains(response, "About <strong>six weeks</strong>.")
                self.assertNotContains(response, "Askwith")

    def test_facilitators_and_staff_see_who_asked_clearly_marked(self):
        for person in (self.cast.facilitator, self.cast.staff):
            self.login(person)
            for name, get in self.views()[:2]:
                with self.subTest(person=person.display_name, view=name):
                    response = get()
                    self.assertContains(response, "Asked by Ada Askwith · only facilitators see this")

    def test_the_asker_sees_it_is_theirs_and_that_it_shows_as_anonymous(self):
        self.login(self.asker)
        response = self.client.get(page_url(self.event))
        self.assertContains(response, "You asked this")
        self.assertContains(response, "Anonymous")
        self.assertNotContains(response, "only facilitators see this")
        self.assertNotContains(response, f'id="vote-{self.question.pk}"')


class PreModerationTests(PageCase):
    def setUp(self) -> None:
        super().setUp()
        self.event.questions_moderated = True
        self.event.save()
        self.asker = factories.make_member(self.cast.circle, display_name="Ada Askwith")
        self.question = ask(self.event, self.asker, "Is hydrotherapy safe with an allograft?")

    def test_waiting_questions_are_invisible_to_other_members_until_approved(self):
        for person in (self.cast.member, self.cast.outsider, self.make_speaker()):
            with self.subTest(person=person.display_name):
                self.login(person)
                self.assertNotContains(self.client.get(page_url(self.event)), "hydrotherapy")
                self.assertNotContains(self.client.get(board_url(self.event)), "hydrotherapy")
                self.assertEqual(self.client.post(vote_url(self.question), {"vote": "on"}).status_code, 404)
                self.assertEqual(self.client.get(answer_url(self.question)).status_code, 404)
        self.assertFalse(Vote.objects.exists())

    def test_the_asker_sees_their_own_waiting_question(self):
        self.login(self.asker)
        response = self.client.get(page_url(self.event))
        self.assertContains(response, "Your questions waiting for approval")
        self.assertContains(response, "hydrotherapy")

    def test_facilitator_approves_through_the_page(self):
        self.login(self.cast.facilitator)
        response = self.client.get(page_url(self.event))
        self.assertContains(response, "Waiting for approval (1)")
        self.assertContains(response, f'id="approve-{self.question.pk}"')
        done = self.client.post(moderate_url(self.question), {"action": "approve"}, follow=True)
        self.assertContains(done, "Approved")
        self.question.refresh_from_db()
        self.assertEqual(self.question.status, Question.OPEN)
        self.login(self.cast.member)
        self.assertContains(self.client.get(page_url(self.event)), "hydrotherapy")


class VoteTests(PageCase):
    def setUp(self) -> None:
        super().setUp()
        self.question = ask(self.event, self.cast.facilitator)

    def count(self) -> int:
        self.question.refresh_from_db()
        return self.question.vote_count

    def test_member_votes_and_takes_the_vote_back_without_javascript(self):
        self.login(self.cast.member)
        response = self.client.post(vote_url(self.question), {"vote": "on"})
        self.assertRedirects(
            response, f"{page_url(self.event)}#question-{self.question.pk}", fetch_redirect_response=False
        )
        self.assertEqual(self.count(), 1)
        self.client.post(vote_url(self.question), {"vote": "on"})
        self.assertEqual(self.count(), 1)
        page = self.client.get(page_url(self.event))
        self.assertContains(page, "Your vote is counted.")
        self.assertContains(page, f'aria-label="Remove vote for: {QUESTION[:20]}')
        self.client.post(vote_url(self.question), {"vote": "off"})
        self.assertEqual(self.count(), 0)
        self.assertContains(self.client.get(page_url(self.event)), f'aria-label="Vote for: {QUESTION[:20]}')

    def test_htmx_vote_gets_the_board_fragment_back(self):
        self.login(self.cast.member)
        response = self.client.post(vote_url(self.question), {"vote": "on"}, **HTMX)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertTrue(html.lstrip().startswith('<div id="board"'))
        self.assertNotIn("<html", html)
        self.assertIn("1 vote", html)
        self.assertIn("Remove vote", html)
        self.assertIn(f'data-version="{Event.objects.get(pk=self.event.pk).questions_version}"', html)
        self.assertEqual(self.count(), 1)

    def test_vote_form_works_without_javascript_and_htmx_enhances_it(self):
        self.login(self.cast.member)
        html = self.client.get(page_url(self.event)).content.decode()
        self.assertIn(
            f'<form method="post" action="{vote_url(self.question)}" hx-post="{vote_url(self.question)}"', html
        )
        self.assertIn('hx-target="#board"', html)

    def test_asker_cannot_vote_for_their_own_question(self):
        self.login(self.cast.facilitator)
        response = self.client.post(vote_url(self.question), {"vote": "on"})
        self.assertContains(response, "You cannot vote for your own question.", status_code=403)
        htmx = self.client.post(vote_url(self.question), {"vote": "on"}, **HTMX)
        self.assertContains(htmx, "You cannot vote for your own question.", status_code=403)
        self.assertContains(htmx, 'id="board"', status_code=403)
        self.assertEqual(self.count(), 0)

    def test_outsider_without_rsvp_and_unverified_cannot_vote(self):
        for person in (self.cast.outsider, self.cast.unverified):
            with self.subTest(person=person.display_name):
                self.login(person)
                self.assertEqual(self.client.post(vote_url(self.question), {"vote": "on"}).status_code, 403)
        self.assertEqual(self.count(), 0)

    def test_bad_vote_values_are_422(self):
        self.login(self.cast.member)
        for data in ({}, {"vote": ""}, {"vote": "yes"}, {"vote": "on\x00"}):
            with self.subTest(data=data):
                response = self.client.post(vote_url(self.question), data)
                self.assertContains(response, "Choose to vote for the question", status_code=422)
        self.assertEqual(self.count(), 0)

    def test_answered_question_takes_no_votes(self):
        services.answer(answerer=self.cast.facilitator, question=self.question, body="Six weeks.")
        self.login(self.cast.member)
        response = self.client.post(vote_url(self.question), {"vote": "on"})
        self.assertContains(response, "no longer open for votes", status_code=422)
        self.assertContains(
            self.client.post(vote_url(self.question), {"vote": "on"}, **HTMX), 'role="alert"', status_code=422
        )

    def test_too_many_votes_are_429_with_retry_after(self):
        self.login(self.cast.member)
        with mock.patch.object(services, "VOTES_PER_MINUTE", 1):
            self.client.post(vote_url(self.question), {"vote": "on"})
            response = self.client.post(vote_url(self.question), {"vote": "off"})
            self.assertEqual(response.status_code, 429)
            self.assertTrue(response["Retry-After"].isdigit())
            self.assertContains(response, "Please wait a moment", status_code=429)
            htmx = self.client.post(vote_url(self.question), {"vote": "off"}, **HTMX)
            self.assertEqual(htmx.status_code, 429)
            self.assertTrue(htmx["Retry-After"].isdigit())
            self.assertContains(htmx, 'id="board"', status_code=429)
        self.assertEqual(self.count(), 1)


class ModerationTests(PageCase):
    def setUp(self) -> None:
        super().setUp()
        self.people = [factories.make_member(self.cast.circle) for _ in range(3)]
        self.kept = ask(self.event, self.people[0], "Will I set off airport scanners?")
        self.duplicate = ask(self.event, self.people[1], "Do metal implants trigger airport security?")

    def test_facilitator_pins_through_the_page_and_pinning_another_moves_the_pin(self):
        self.login(self.cast.facilitator)
        response = self.client.post(moderate_url(self.kept), {"action": "pin"}, follow=True)
        self.assertContains(response, "Pinned as the question being answered now.")
        board = response.context["board"]
        self.assertEqual(board.pinned.question, self.kept)
        html = response.content.decode()
        self.assertLess(html.index("Being answered now"), html.index("airport scanners"))
        self.assertLess(html.index("airport scanners"), html.index("Open questions ("))
        self.assertContains(response, f'id="unpin-{self.kept.pk}"')
        self.client.post(moderate_url(self.duplicate), {"action": "pin"})
        self.assertEqual(list(Question.objects.filter(pinned=True)), [self.duplicate])
        self.client.post(moderate_url(self.duplicate), {"action": "unpin"})
        self.assertFalse(Question.objects.filter(pinned=True).exists())

    def test_members_see_the_pinned_question_prominently(self):
        services.moderate(moderator=self.cast.facilitator, question=self.kept, action="pin")
        self.login(self.cast.member)
        response = self.client.get(page_url(self.event))
        self.assertEqual(response.context["board"].pinned.question, self.kept)
        self.assertNotContains(response, 'name="action"')

    def test_facilitator_merges_a_duplicate_through_the_page(self):
        services.vote(member=self.people[2], question=self.duplicate)
        services.vote(member=self.people[2], question=self.kept)
        self.login(self.cast.facilitator)
        page = self.client.get(page_url(self.event))
        self.assertContains(page, f'href="{moderate_url(self.duplicate)}"')
        chooser = self.client.get(moderate_url(self.duplicate))
        self.assertContains(chooser, "Merge a duplicate question")
        self.assertContains(chooser, f'value="{self.kept.pk}"')
        self.assertNotContains(chooser, f'id="into-{self.duplicate.pk}"')
        response = self.client.post(moderate_url(self.duplicate), {"action": "merge", "into": str(self.kept.pk)})
        self.assertRedirects(response, f"{page_url(self.event)}#question-{self.kept.pk}", fetch_redirect_response=False)
        self.duplicate.refresh_from_db()
        self.kept.refresh_from_db()
        self.assertEqual((self.duplicate.status, self.duplicate.merged_into), (Question.MERGED, self.kept))
        # The duplicate's asker joins the kept question's voters; the shared voter counts once.
        self.assertEqual(self.kept.vote_count, 2)
        self.login(self.cast.member)
        self.assertNotContains(self.client.get(page_url(self.event)), "metal implants")
        self.login(self.people[1])
        self.assertContains(self.client.get(page_url(self.event)), "Your questions merged into others")

    def test_merging_into_nothing_or_itself_is_422_on_the_chooser(self):
        self.login(self.cast.facilitator)
        for into in ("", "abc", str(self.duplicate.pk), "999999999", "99999999999999999999"):
            with self.subTest(into=into):
                response = self.client.post(moderate_url(self.duplicate), {"action": "merge", "into": into})
                self.assertEqual(response.status_code, 422)
                self.assertContains(response, "merge", status_code=422)
                self.assertContains(response, 'role="alert"', status_code=422)
        self.assertEqual(Question.objects.filter(status=Question.MERGED).count(), 0)

    def test_dismiss_hides_from_members_and_restore_brings_back(self):
        self.login(self.cast.facilitator)
        self.client.post(moderate_url(self.duplicate), {"action": "dismiss"})
        page = self.client.get(page_url(self.event))
        self.assertContains(page, "Dismissed (1)")
        self.assertContains(page, f'id="restore-{self.duplicate.pk}"')
        self.login(self.cast.member)
        self.assertNotContains(self.client.get(page_url(self.event)), "metal implants")
        self.login(self.people[1])
        self.assertContains(self.client.get(page_url(self.event)), "Your questions not taken up")
        self.login(self.cast.facilitator)
        self.client.post(moderate_url(self.duplicate), {"action": "restore"})
        self.login(self.cast.member)
        self.assertContains(self.client.get(page_url(self.event)), "metal implants")

    def test_htmx_moderation_gets_the_board_back(self):
        self.login(self.cast.facilitator)
        response = self.client.post(moderate_url(self.kept), {"action": "pin"}, **HTMX)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.decode().lstrip().startswith('<div id="board"'))
        refused = self.client.post(moderate_url(self.kept), {"action": "approve"}, **HTMX)
        self.assertContains(refused, "Only a question waiting for approval can be approved.", status_code=422)

    def test_members_and_speakers_may_not_moderate(self):
        speaker = self.make_speaker()
        for person in (self.people[0], speaker, self.cast.outsider):
            with self.subTest(person=person.display_name):
                self.login(person)
                self.assertContains(
                    self.client.post(moderate_url(self.duplicate), {"action": "dismiss"}),
                    "can moderate questions.",
                    status_code=403,
                )
                self.assertEqual(self.client.get(moderate_url(self.duplicate)).status_code, 403)
                self.assertEqual(
                    self.client.post(moderate_url(self.duplicate), {"action": "dismiss"}, **HTMX).status_code, 403
                )
        self.assertEqual(Question.objects.filter(status=Question.OPEN).count(), 2)

    def test_unknown_actions_are_422(self):
        self.login(self.cast.facilitator)
        for data in ({}, {"action": "delete"}, {"action": "PIN"}, {"action": "pin\x00"}):
            with self.subTest(data=data):
                self.assertEqual(self.client.post(moderate_url(self.kept), data).status_code, 422)
        self.assertFalse(Question.objects.filter(pinned=True).exists())


class AnswerTests(PageCase):
    def setUp(self) -> None:
        super().setUp()
        self.question = ask(self.event, self.cast.member)
        self.speaker = self.make_speaker()

    def test_speaker_answers_and_the_badge_shows(self):
        self.login(self.speaker)
        form = self.client.get(answer_url(self.question))
        self.assertContains(form, QUESTION)
        self.assertContains(form, 'name="body"')
        response = self.client.post(
            answer_url(self.question), {"body": "About **six weeks**. <script>alert(1)</script>"}, follow=True
        )
        self.assertContains(response, "Your answer is saved.")
        self.assertContains(response, "About <strong>six weeks</strong>.")
        self.assertNotContains(response, "<script>alert(1)</script>")
        self.assertContains(response, "Answered by <strong>Dr Sara Speaker</strong>")
        self.assertContains(response, "Verified professional · Physiotherapist")
        self.question.refresh_from_db()
        self.assertEqual((self.question.status, self.question.answered_by), (Question.ANSWERED, self.speaker))

    def test_unverified_speaker_gets_no_badge(self):
        SpeakerProfile.objects.filter(user=self.speaker).update(verified_at=None)
        services.answer(answerer=self.speaker, question=self.question, body="Six weeks.")
        self.login(self.cast.member)
        response = self.client.get(page_url(self.event))
        self.assertContains(response, "Six weeks.")
        self.assertNotContains(response, "Verified professional")

    def test_the_existing_answer_is_prefilled_and_replaced(self):
        services.answer(answerer=self.cast.facilitator, question=self.question, body="First draft answer")
        self.login(self.speaker)
        form = self.client.get(answer_url(self.question))
        self.assertContains(form, "Edit the answer")
        self.assertContains(form, ">First draft answer</textarea>")
        self.client.post(answer_url(self.question), {"body": "Better answer"})
        self.question.refresh_from_db()
        self.assertEqual(self.question.answer, "Better answer")

    def test_blank_or_oversize_answer_is_422_and_changes_nothing(self):
        self.login(self.speaker)
        for body, message in (("", "This field is required."), ("x" * 20_001, "At most 20,000 characters")):
            with self.subTest(size=len(body)):
                response = self.client.post(answer_url(self.question), {"body": body})
                self.assertContains(response, message, status_code=422)
                self.assertContains(response, 'aria-invalid="true"', status_code=422)
        self.question.refresh_from_db()
        self.assertEqual(self.question.status, Question.OPEN)

    def test_members_may_not_answer(self):
        for person in (self.cast.member, factories.make_member(self.cast.circle), self.cast.outsider):
            with self.subTest(person=person.display_name):
                self.login(person)
                self.assertEqual(self.client.get(answer_url(self.question)).status_code, 403)
                self.assertContains(
                    self.client.post(answer_url(self.question), {"body": "My answer"}),
                    "facilitators can answer questions.",
                    status_code=403,
                )
        self.question.refresh_from_db()
        self.assertEqual(self.question.status, Question.OPEN)

    def test_a_dismissed_question_cannot_be_answered(self):
        services.moderate(moderator=self.cast.facilitator, question=self.question, action="dismiss")
        self.login(self.speaker)
        self.assertEqual(self.client.get(answer_url(self.question)).status_code, 404)
        self.login(self.cast.facilitator)
        response = self.client.post(answer_url(self.question), {"body": "An answer"})
        self.assertContains(response, "Only an open question can be answered.", status_code=422)

    def test_htmx_answer_gets_the_board(self):
        self.login(self.cast.facilitator)
        response = self.client.post(answer_url(self.question), {"body": "Six weeks."}, **HTMX)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Six weeks.", response.content.decode())
        self.assertTrue(response.content.decode().lstrip().startswith('<div id="board"'))
        refused = self.client.post(answer_url(self.question), {"body": ""}, **HTMX)
        self.assertContains(refused, 'role="alert"', status_code=422)


class BoardTests(PageCase):
    def setUp(self) -> None:
        super().setUp()
        self.question = ask(self.event, self.cast.facilitator)
        self.version = Event.objects.get(pk=self.event.pk).questions_version

    def test_board_is_the_fragment_only(self):
        self.login(self.cast.member)
        response = self.client.get(board_url(self.event))
        html = response.content.decode()
        self.assertTrue(html.lstrip().startswith('<div id="board"'))
        self.assertNotIn("<html", html)
        self.assertNotIn("Ask a question", html)
        self.assertIn(QUESTION, html)
        self.assertIn(f'data-version="{self.version}"', html)
        self.assertIn("no-store", response["Cache-Control"])

    def test_unchanged_version_is_204_with_no_body(self):
        self.login(self.cast.member)
        response = self.client.get(board_url(self.event), {"v": str(self.version)})
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response.content, b"")
        services.vote(member=self.cast.member, question=self.question)
        changed = self.client.get(board_url(self.event), {"v": str(self.version)})
        self.assertEqual(changed.status_code, 200)
        self.assertContains(changed, f'data-version="{self.version + 1}"')

    def test_bad_versions_are_ignored(self):
        self.login(self.cast.member)
        for bad in ("", "abc", "-1", "1.5", " 1", "99999999999999999999999", "1\x00", "٣"):
            with self.subTest(v=bad):
                response = self.client.get(board_url(self.event), {"v": bad})
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, QUESTION)


class QueryCountTests(PageCase):
    """Each page and fragment costs the same number of queries for 1 question or 30, with their votes."""

    def setUp(self) -> None:
        super().setUp()
        self.speaker = self.make_speaker()
        self.askers = [factories.make_member(self.cast.circle) for _ in range(4)]
        self.first = ask(self.event, self.askers[0], "The first question")
        services.vote(member=self.askers[1], question=self.first)
        services.vote(member=self.cast.member, question=self.first)

    def add_many(self) -> None:
        questions = []
        for n in range(29):
            author = self.askers[n % 4]
            questions.append(ask(self.event, author, f"Question {n}", anonymous=n % 3 == 0))
        for question in questions:
            for voter in [*self.askers, self.cast.member]:
                if voter.pk != question.author_id:
                    services.vote(member=voter, question=question)
        for question in questions[:6]:
            services.answer(answerer=self.speaker, question=question, body=f"**Answer** to {question.body}")
        for question in questions[6:9]:
            services.answer(answerer=self.cast.facilitator, question=question, body="From the facilitator")
        services.moderate(moderator=self.cast.facilitator, question=questions[9], action="pin")
        services.moderate(moderator=self.cast.facilitator, question=questions[10], action="dismiss")
        services.moderate(
            moderator=self.cast.facilitator, question=questions[11], action="merge", into=questions[12].pk
        )
        self.event.questions_moderated = True
        self.event.save()
        ask(self.event, self.askers[0], "Waiting for approval")

    def assert_flat(self, person, url_for, **extra) -> None:
        self.login(person)
        with CaptureQueriesContext(connection) as few:
            response = self.client.get(url_for(), **extra)
        self.assertEqual(response.status_code, 200)
        self.add_many()
        self.login(person)
        with self.assertNumQueries(len(few)):
            response = self.client.get(url_for(), **extra)
        self.assertEqual(response.status_code, 200)

    def test_questions_page_for_a_member(self):
        self.assert_flat(self.cast.member, lambda: page_url(self.event))

    def test_questions_page_for_a_facilitator(self):
        self.assert_flat(self.cast.facilitator, lambda: page_url(self.event))

    def test_questions_page_for_a_speaker(self):
        self.assert_flat(self.speaker, lambda: page_url(self.event))

    def test_board_fragment_for_a_member_and_for_staff(self):
        self.assert_flat(self.cast.member, lambda: board_url(self.event), **HTMX)

    def test_board_fragment_for_staff(self):
        self.assert_flat(self.cast.staff, lambda: board_url(self.event))

    def test_event_page_with_its_archive(self):
        services.answer(answerer=self.speaker, question=self.first, body="The first answer")
        self.assert_flat(self.cast.member, lambda: self.event.get_absolute_url())

    def test_merge_chooser(self):
        second = ask(self.event, self.askers[1], "A second question")
        self.assert_flat(self.cast.facilitator, lambda: moderate_url(second))

    def test_answer_page(self):
        self.assert_flat(self.speaker, lambda: answer_url(self.first))

    def test_unchanged_board_poll_is_cheap(self):
        self.login(self.cast.member)
        version = Event.objects.get(pk=self.event.pk).questions_version
        with CaptureQueriesContext(connection) as few:
            self.assertEqual(self.client.get(board_url(self.event), {"v": version}).status_code, 204)
        self.add_many()
        version = Event.objects.get(pk=self.event.pk).questions_version
        with self.assertNumQueries(len(few)):
            self.assertEqual(self.client.get(board_url(self.event), {"v": version}).status_code, 204)
        self.assertLessEqual(len(few), 6)


class EventPageTests(PageCase):
    def test_event_page_links_to_the_questions_counts_them_and_keeps_the_archive(self):
        speaker = self.make_speaker()
        answered = ask(self.event, self.cast.member, "Can I swim with a rotationplasty?")
        ask(self.event, factories.make_member(self.cast.circle), "Open one")
        ask(self.event, factories.make_member(self.cast.circle), "Open two")
        services.answer(answerer=speaker, question=answered, body="Yes, *with care*.")
        self.login(self.cast.member)
        response = self.client.get(self.event.get_absolute_url())
        self.assertContains(response, "Questions for the speaker")
        self.assertContains(response, page_url(self.event))
        self.assertContains(response, "2 open questions")
        self.assertContains(response, "Can I swim with a rotationplasty?")
        self.assertContains(response, "Yes, <em>with care</em>.")
        self.assertContains(response, "Verified professional · Physiotherapist")
        self.assertNotContains(response, reverse("qa:speakers", args=[self.event.pk]))
        self.assertNotContains(response, 'name="vote"')

    def test_the_archive_is_read_only_when_something_was_answered(self):
        def archive_reads() -> tuple[int, int]:
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get(self.event.get_absolute_url()).status_code, 200)
            return sum('ORDER BY "qa_question"."answered_at"' in q["sql"] for q in captured), len(captured)

        self.login(self.cast.member)
        question = ask(self.event, self.cast.member, "Stairs after a knee replacement?")
        reads, quiet = archive_reads()
        self.assertEqual(reads, 0)
        services.answer(answerer=self.make_speaker(), question=question, body="One step at a time.")
        reads, answered = archive_reads()
        self.assertEqual(reads, 1)
        self.assertGreater(answered, quiet)

    def test_facilitators_and_staff_get_the_invite_a_speaker_link(self):
        for person in (self.cast.facilitator, self.cast.staff):
            with self.subTest(person=person.display_name):
                self.login(person)
                response = self.client.get(self.event.get_absolute_url())
                self.assertContains(response, "Invite a speaker")
                self.assertContains(response, reverse("qa:speakers", args=[self.event.pk]))

    def test_visitors_are_invited_to_sign_in(self):
        ask(self.event, self.cast.member)
        response = self.client.get(self.event.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "to see the questions for the speaker")
        self.assertNotContains(response, QUESTION)

    def test_private_circle_archive_is_for_members(self):
        private = make_cast(visibility=Circle.PRIVATE)
        event = factories.make_event(circle=private.circle, facilitator=private.facilitator)
        question = ask(event, private.member)
        services.answer(answerer=private.facilitator, question=question, body="The private answer")
        self.login(private.member)
        self.assertContains(self.client.get(event.get_absolute_url()), "The private answer")
        self.login(private.outsider)
        self.assertNotContains(self.client.get(event.get_absolute_url()), "The private answer", status_code=404)


class EventFormTests(PageCase):
    def form_data(self, **overrides) -> dict:
        data = {
            "title": self.event.title,
            "kind": self.event.kind,
            "description": "",
            "timezone": self.event.timezone,
            "starts_at": self.event.starts_at.astimezone(ZoneInfo(self.event.timezone)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": self.event.ends_at.astimezone(ZoneInfo(self.event.timezone)).strftime("%Y-%m-%dT%H:%M"),
            "repeat": "none",
            "repeat_end": "never",
            "in_person": "on",
            "address": self.event.address,
        }
        data.update(overrides)
        return data

    def test_facilitator_switches_pre_moderation_on_and_off_on_the_edit_page(self):
        url = reverse("events:event-edit", args=[self.event.pk])
        self.login(self.cast.facilitator)
        form = self.client.get(url)
        self.assertContains(form, "Questions wait for a facilitator&#x27;s approval")
        self.assertContains(form, 'name="questions_moderated"')
        self.assertRedirects(
            self.client.post(url, self.form_data(questions_moderated="on")), self.event.get_absolute_url()
        )
        self.event.refresh_from_db()
        self.assertTrue(self.event.questions_moderated)
        self.assertIs(self.client.get(url).context["form"]["questions_moderated"].value(), True)
        self.client.post(url, self.form_data())
        self.event.refresh_from_db()
        self.assertFalse(self.event.questions_moderated)

    def test_a_new_event_can_start_pre_moderated(self):
        self.login(self.cast.facilitator)
        response = self.client.post(
            reverse("events:event-create", args=[self.cast.circle.slug]),
            self.form_data(title="Ask the prosthetist", questions_moderated="on"),
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Event.objects.get(title="Ask the prosthetist").questions_moderated)
