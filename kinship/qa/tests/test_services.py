from unittest import mock

from django.core.cache import cache
from django.http import Http404

from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.errors import Invalid, NotAllowed, RateLimited
from kinship.core.testing import KinshipTestCase, make_cast
from kinship.events import services as event_services
from kinship.events.models import Event, Rsvp
from kinship.qa import access, queries, services
from kinship.qa.models import QUESTION_MAX, Question, SpeakerProfile, Vote


class QaTestCase(KinshipTestCase):
    def setUp(self) -> None:
        cache.clear()
        self.event = factories.make_event(
            circle=self.cast.circle, facilitator=self.cast.facilitator, title="Ask Dr Osei"
        )

    def ask(self, author=None, body: str = "How long until I can drive?", **fields):  # type: ignore[no-untyped-def]
        return services.ask(author=author or self.cast.member, event=self.event, body=body, **fields)

    def version(self) -> int:
        return Event.objects.get(pk=self.event.pk).questions_version


class AskTests(QaTestCase):
    def test_a_member_asks_and_the_version_moves(self) -> None:
        question = self.ask(anonymous=True)
        self.assertEqual(
            (question.status, question.anonymous, question.author), (Question.OPEN, True, self.cast.member)
        )
        self.assertEqual(self.version(), 1)

    def test_who_may_ask(self) -> None:
        allowed = {"member", "facilitator"}
        for role in ("member", "facilitator", "staff", "outsider", "pending", "unverified"):
            with self.subTest(role=role):
                person = getattr(self.cast, role)
                if role in allowed:
                    self.ask(person)
                else:
                    with self.assertRaises(NotAllowed):
                        self.ask(person)
        self.assertEqual(Question.objects.count(), 2)

    def test_an_outsider_who_rsvpd_to_a_public_event_may_ask_but_not_to_a_private_one(self) -> None:
        event_services.rsvp(
            member=self.cast.outsider, event=self.event, original_start=self.event.starts_at, answer=Rsvp.GOING
        )
        self.ask(self.cast.outsider)
        self.cast.circle.visibility = Circle.PRIVATE
        self.cast.circle.save()
        self.event.refresh_from_db()
        with self.assertRaises(NotAllowed):
            self.ask(self.cast.outsider, body="Another one")
        self.assertEqual(Question.objects.count(), 1)

    def test_saying_not_going_does_not_open_questions(self) -> None:
        event_services.rsvp(
            member=self.cast.outsider, event=self.event, original_start=self.event.starts_at, answer=Rsvp.NOT_GOING
        )
        with self.assertRaises(NotAllowed):
            self.ask(self.cast.outsider)

    def test_bad_input_is_refused_and_changes_nothing(self) -> None:
        cases = [
            {"body": ""},
            {"body": "   "},
            {"body": None},
            {"body": 5},
            {"body": ["a"]},
            {"body": "x" * (QUESTION_MAX + 1)},
            {"body": "bad\x00byte"},
            {"body": "fine", "anonymous": "yes"},
            {"body": "fine", "anonymous": 3},
        ]
        for fields in cases:
            with self.subTest(fields=repr(fields)[:60]), self.assertRaises(Invalid):
                services.ask(author=self.cast.member, event=self.event, **fields)
        self.assertFalse(Question.objects.exists())
        self.assertEqual(self.version(), 0)

    def test_the_limit_is_exactly_1000_characters(self) -> None:
        self.ask(body="x" * QUESTION_MAX)
        with self.assertRaises(Invalid) as refused:
            self.ask(body="x" * (QUESTION_MAX + 1))
        self.assertIn("1,000", refused.exception.detail)

    def test_ten_questions_per_member_per_event(self) -> None:
        for n in range(services.QUESTIONS_PER_MEMBER):
            self.ask(body=f"Question {n}")
        with self.assertRaises(Invalid) as refused:
            self.ask(body="One more")
        self.assertIn("10 questions", refused.exception.detail)
        self.assertEqual(Question.objects.filter(author=self.cast.member).count(), 10)
        # Another member and another event are counted on their own.
        self.ask(self.cast.facilitator)
        other = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator)
        services.ask(author=self.cast.member, event=other, body="Here it is fine")

    def test_cancelled_event_takes_no_questions(self) -> None:
        event_services.cancel_event(actor=self.cast.facilitator, event=self.event)
        self.event.refresh_from_db()
        with self.assertRaises(NotAllowed) as refused:
            self.ask()
        self.assertIn("cancelled", refused.exception.detail)

    def test_pre_moderated_questions_wait_and_stay_out_of_sight(self) -> None:
        event_services.update_event(
            actor=self.cast.facilitator, event=self.event, changes={"questions_moderated": True}
        )
        question = self.ask()
        self.assertEqual(question.status, Question.PENDING)
        other = factories.make_member(self.cast.circle)
        self.assertFalse(access.can_see_question(other, question))
        self.assertTrue(access.can_see_question(self.cast.member, question))
        self.assertTrue(access.can_see_question(self.cast.facilitator, question))
        self.assertEqual(queries.board(other, self.event).waiting, [])
        services.moderate(moderator=self.cast.facilitator, question=question, action="approve")
        self.assertTrue(access.can_see_question(other, Question.objects.get(pk=question.pk)))


class VoteTests(QaTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.question = self.ask()

    def test_one_vote_per_member_and_voting_again_changes_nothing(self) -> None:
        self.assertTrue(services.vote(member=self.cast.facilitator, question=self.question))
        self.assertFalse(services.vote(member=self.cast.facilitator, question=self.question))
        self.question.refresh_from_db()
        self.assertEqual(self.question.vote_count, 1)
        self.assertTrue(services.unvote(member=self.cast.facilitator, question=self.question))
        self.assertFalse(services.unvote(member=self.cast.facilitator, question=self.question))
        self.question.refresh_from_db()
        self.assertEqual((self.question.vote_count, Vote.objects.count()), (0, 0))

    def test_the_asker_cannot_vote_for_their_own_question(self) -> None:
        with self.assertRaises(NotAllowed):
            services.vote(member=self.cast.member, question=self.question)
        self.assertFalse(Vote.objects.exists())

    def test_outsiders_and_unverified_cannot_vote(self) -> None:
        for person in (self.cast.outsider, self.cast.unverified, self.cast.pending):
            with self.subTest(person=person.display_name), self.assertRaises(NotAllowed):
                services.vote(member=person, question=self.question)
        self.assertFalse(Vote.objects.exists())

    def test_only_open_questions_take_votes(self) -> None:
        services.answer(answerer=self.cast.facilitator, question=self.question, body="Usually 6 to 8 weeks.")
        with self.assertRaises(Invalid):
            services.vote(member=self.cast.facilitator, question=self.question)

    def test_votes_are_rate_limited(self) -> None:
        voter = self.cast.facilitator
        with mock.patch.object(services, "VOTES_PER_MINUTE", 3):
            for _ in range(3):
                services.vote(member=voter, question=self.question)
            with self.assertRaises(RateLimited) as refused:
                services.unvote(member=voter, question=self.question)
        self.assertGreater(refused.exception.retry_after, 0)
        self.assertEqual(Vote.objects.count(), 1)


class ModerationTests(QaTestCase):
    def test_members_and_speakers_cannot_moderate(self) -> None:
        question = self.ask()
        speaker = factories.make_user(display_name="Dr Osei")
        self.event.speakers.add(speaker)
        for person in (self.cast.member, speaker, self.cast.outsider):
            with self.subTest(person=person.display_name), self.assertRaises(NotAllowed):
                services.moderate(moderator=person, question=question, action="dismiss")
        self.assertEqual(Question.objects.get(pk=question.pk).status, Question.OPEN)

    def test_unknown_actions_and_wrong_states_are_refused(self) -> None:
        question = self.ask()
        for action in ("delete", "", None, 3, "APPROVE", "restore", "approve"):
            with self.subTest(action=action), self.assertRaises(Invalid):
                services.moderate(moderator=self.cast.facilitator, question=question, action=action)
        self.assertEqual(Question.objects.get(pk=question.pk).status, Question.OPEN)

    def test_dismiss_and_restore(self) -> None:
        question = self.ask()
        services.moderate(moderator=self.cast.facilitator, question=question, action="dismiss")
        self.assertFalse(access.can_see_question(self.cast.facilitator, question) is False)
        other = factories.make_member(self.cast.circle)
        self.assertFalse(access.can_see_question(other, Question.objects.get(pk=question.pk)))
        services.moderate(moderator=self.cast.facilitator, question=question, action="restore")
        self.assertEqual(Question.objects.get(pk=question.pk).status, Question.OPEN)

    def test_one_pinned_question_at_a_time(self) -> None:
        first, second = self.ask(body="First"), self.ask(self.cast.facilitator, body="Second")
        services.moderate(moderator=self.cast.facilitator, question=first, action="pin")
        services.moderate(moderator=self.cast.facilitator, question=second, action="pin")
        self.assertEqual(list(Question.objects.filter(pinned=True)), [second])
        board = queries.board(self.cast.member, self.event)
        assert board.pinned is not None
        self.assertEqual(board.pinned.question, second)
        self.assertEqual([row.question for row in board.open], [first])
        services.answer(answerer=self.cast.facilitator, question=second, body="Answered")
        self.assertFalse(Question.objects.filter(pinned=True).exists())

    def test_merge_combines_votes_and_counts_nobody_twice(self) -> None:
        a, b, c, d = (factories.make_member(self.cast.circle) for _ in range(4))
        kept = services.ask(author=a, event=self.event, body="When can I run again?")
        duplicate = services.ask(author=b, event=self.event, body="Will I ever run?")
        for voter in (c, d):  # c and d voted for both
            services.vote(member=voter, question=kept)
            services.vote(member=voter, question=duplicate)
        services.vote(member=self.cast.member, question=duplicate)  # only the duplicate
        services.vote(member=b, question=kept)  # the duplicate's asker already voted the kept one
        services.moderate(moderator=self.cast.facilitator, question=duplicate, action="merge", into=kept.pk)
        kept.refresh_from_db()
        duplicate.refresh_from_db()
        self.assertEqual(duplicate.status, Question.MERGED)
        self.assertEqual(duplicate.merged_into, kept)
        voters = set(Vote.objects.filter(question=kept).values_list("voter_id", flat=True))
        self.assertEqual(voters, {b.pk, c.pk, d.pk, self.cast.member.pk})
        self.assertEqual(kept.vote_count, 4)
        self.assertFalse(Vote.objects.filter(question=duplicate).exists())

    def test_merge_never_makes_the_asker_vote_for_their_own_question(self) -> None:
        kept = self.ask(body="Kept")
        duplicate = self.ask(body="Same again")  # the same asker twice
        voter = factories.make_member(self.cast.circle)
        services.vote(member=voter, question=duplicate)
        services.moderate(moderator=self.cast.facilitator, question=duplicate, action="merge", into=kept.pk)
        kept.refresh_from_db()
        self.assertEqual(kept.vote_count, 1)
        self.assertFalse(Vote.objects.filter(question=kept, voter=self.cast.member).exists())

    def test_merge_targets_must_be_another_question_of_the_same_event(self) -> None:
        question = self.ask()
        elsewhere = services.ask(
            author=self.cast.member,
            event=factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator),
            body="Elsewhere",
        )
        for into in (None, question.pk, elsewhere.pk, "abc", 10**12, True, [1]):
            with self.subTest(into=into), self.assertRaises(Invalid):
                services.moderate(moderator=self.cast.facilitator, question=question, action="merge", into=into)
        self.assertEqual(Question.objects.get(pk=question.pk).status, Question.OPEN)


class AnswerTests(QaTestCase):
    def test_speaker_answers_with_sanitised_markdown_and_verified_badge(self) -> None:
        question = self.ask()
        speaker = factories.make_user(display_name="Dr Osei")
        self.event.speakers.add(speaker)
        profile = SpeakerProfile.objects.create(user=speaker, profession="Orthopaedic oncologist")
        services.answer(answerer=speaker, question=question, body="**Usually** 6 weeks <script>alert(1)</script>")
        question.refresh_from_db()
        self.assertEqual((question.status, question.answered_by), (Question.ANSWERED, speaker))
        self.assertIn("<strong>Usually</strong>", question.answer_html)
        self.assertNotIn("<script", question.answer_html)
        [row] = queries.archive(self.cast.member, self.event)
        self.assertEqual(row.answerer_badge, "")  # not verified yet
        profile.verified_at = question.answered_at
        profile.save()
        [row] = queries.archive(self.cast.member, self.event)
        self.assertEqual(row.answerer_badge, "Verified professional · Orthopaedic oncologist")

    def test_members_cannot_answer_and_blank_answers_are_refused(self) -> None:
        question = self.ask()
        with self.assertRaises(NotAllowed):
            services.answer(answerer=self.cast.member, question=question, body="Me!")
        for body in ("", None, 7, "x" * 20_001):
            with self.subTest(body=repr(body)[:20]), self.assertRaises(Invalid):
                services.answer(answerer=self.cast.facilitator, question=question, body=body)
        self.assertEqual(Question.objects.get(pk=question.pk).status, Question.OPEN)


class VisibilityTests(QaTestCase):
    def test_anonymous_asker_is_shown_to_facilitators_and_staff_only(self) -> None:
        self.ask(anonymous=True)
        speaker = factories.make_user(display_name="Dr Osei")
        self.event.speakers.add(speaker)
        for person, sees in (
            (self.cast.facilitator, True),
            (self.cast.staff, True),
            (factories.make_member(self.cast.circle), False),
            (speaker, False),
            (self.cast.member, False),  # the asker: "you asked", never a name on the row
        ):
            with self.subTest(person=person.display_name):
                fresh = Event.objects.select_related("circle").get(pk=self.event.pk)
                [row] = queries.board(person, fresh).open
                self.assertIsNone(row.asker)
                self.assertEqual(row.hidden_asker == self.cast.member, sees)
                self.assertEqual(row.is_mine, person == self.cast.member)

    def test_private_circle_questions_are_invisible_to_outsiders_but_not_to_speakers(self) -> None:
        cast = make_cast(visibility=Circle.PRIVATE)
        event = factories.make_event(circle=cast.circle, facilitator=cast.facilitator)
        question = services.ask(author=cast.member, event=event, body="Private worry")
        speaker = factories.make_user(display_name="Dr Osei")
        for person in (cast.outsider, cast.pending, speaker):
            with self.subTest(person=person.display_name), self.assertRaises(Http404):
                access.get_question_for(person, question.pk)
        event.speakers.add(speaker)
        self.assertEqual(access.get_question_for(speaker, question.pk), question)
        self.assertEqual(access.get_event_for(speaker, event.pk), event)

    def test_odd_ids_are_404(self) -> None:
        for bad in ("abc", -1, 0, 2**63, None, "1\x00", 999999):
            with self.subTest(bad=bad), self.assertRaises(Http404):
                access.get_question_for(self.cast.member, bad)


class BoardTests(QaTestCase):
    def test_order_is_unanswered_by_votes_then_time_then_answered(self) -> None:
        people = [factories.make_member(self.cast.circle) for _ in range(3)]
        quiet = self.ask(body="Quiet")
        popular = self.ask(body="Popular")
        also_quiet = self.ask(body="Also quiet")
        answered = self.ask(body="Answered")
        for person in people:
            services.vote(member=person, question=popular)
            services.vote(member=person, question=answered)
        services.answer(answerer=self.cast.facilitator, question=answered, body="Done")
        board = queries.board(people[0], self.event)
        self.assertEqual([r.question for r in board.open], [popular, quiet, also_quiet])
        self.assertEqual([r.question for r in board.answered], [answered])
        self.assertEqual([r.voted for r in board.open], [True, False, False])

    def test_a_fixed_number_of_queries_whatever_the_size(self) -> None:
        def count() -> int:
            viewer = factories.make_member(self.cast.circle)
            event = Event.objects.select_related("circle").get(pk=self.event.pk)
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries_run:
                board = queries.board(viewer, event)
                for row in board.open + board.answered:
                    _ = (row.asker, row.hidden_asker, row.answerer_badge, row.question.merged_into)
            return len(queries_run)

        self.ask()
        small = count()
        voters = [factories.make_member(self.cast.circle) for _ in range(5)]
        for n in range(20):
            question = services.ask(author=voters[n % 5], event=self.event, body=f"Question {n}")
            for voter in voters[:3]:
                if voter.pk != question.author_id:
                    services.vote(member=voter, question=question)
            if n % 4 == 0:
                services.answer(answerer=self.cast.facilitator, question=question, body="Answer")
        self.assertEqual(count(), small)
