import datetime as dt
from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Max, Q
from django.test import TestCase
from django.utils import timezone

from kinship.accounts.models import User
from kinship.circles.models import Circle, Membership
from kinship.core.management.commands.seed_demo import DEMO_DOMAIN, DEMO_PASSWORD, SPEAKER_QUESTIONS
from kinship.core.management.commands.seed_scale import (
    JOURNAL_WEEKS,
    LONG_TOPIC_TITLE,
    SCALE_DOMAIN,
    SCALE_PASSWORD,
    benchmark_member,
)
from kinship.discussions.models import Post, Reaction, Topic
from kinship.events import recurrence
from kinship.events.models import Event, Occurrence, Rsvp
from kinship.journal.models import CheckIn, Goal, Milestone
from kinship.peers.models import Conversation, Message, Participant
from kinship.qa.models import Question, SpeakerProfile
from kinship.search import schema as search_schema


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def assert_counters_exact(case: TestCase, topics) -> None:
    topics = topics.annotate(
        replies=Count("posts", filter=Q(posts__is_opening=False)),
        openings=Count("posts", filter=Q(posts__is_opening=True)),
        last_post_at=Max("posts__created_at"),
    )
    for topic in topics:
        case.assertEqual(topic.reply_count, topic.replies, topic.title)
        case.assertEqual(topic.openings, 1, topic.title)
        case.assertEqual(topic.last_activity_at, topic.last_post_at, topic.title)


class SeedDemoTests(TestCase):
    def test_demo_has_circles_of_every_kind_with_conversations(self):
        run("seed_demo")
        visibilities = set(Circle.objects.values_list("visibility", flat=True))
        self.assertEqual(visibilities, {Circle.PUBLIC, Circle.PRIVATE, Circle.HIDDEN})
        self.assertGreaterEqual(Circle.objects.count(), 7)
        self.assertGreaterEqual(Topic.objects.count(), 20)
        self.assertTrue(Post.objects.filter(anonymous=True, is_opening=True).exists())
        self.assertTrue(Post.objects.filter(anonymous=True, is_opening=False).exists())
        self.assertTrue(Post.objects.exclude(content_note="").exists())
        self.assertTrue(Reaction.objects.exists())
        self.assertTrue(Topic.objects.filter(pinned=True).exists())
        assert_counters_exact(self, Topic.objects.all())

    def test_demo_people_are_verified_and_sign_in_with_the_demo_password(self):
        run("seed_demo")
        people = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
        self.assertFalse(people.filter(email_verified_at__isnull=True).exists())
        self.assertFalse(people.filter(terms_accepted_at__isnull=True).exists())
        self.assertTrue(people.filter(is_staff=True).exists())
        self.assertTrue(Membership.objects.filter(role=Membership.FACILITATOR, user__in=people).exists())
        self.assertEqual(set(people.values_list("role", flat=True)), {User.PATIENT, User.CAREGIVER})
        self.assertTrue(people.get(email=f"maya@{DEMO_DOMAIN}").check_password(DEMO_PASSWORD))

    def test_demo_reactions_match_their_counters(self):
        run("seed_demo")
        for post in Post.objects.annotate(n=Count("reactions", filter=Q(reactions__kind="strength"))):
            self.assertEqual(post.strength_count, post.n)

    def test_if_empty_loads_nothing_the_second_time(self):
        run("seed_demo", "--if-empty")
        counts = (Circle.objects.count(), User.objects.count(), Post.objects.count(), Reaction.objects.count())
        output = run("seed_demo", "--if-empty")
        self.assertIn("not loaded", output)
        self.assertEqual(
            (Circle.objects.count(), User.objects.count(), Post.objects.count(), Reaction.objects.count()), counts
        )

    def test_running_twice_without_if_empty_duplicates_nothing(self):
        run("seed_demo")
        counts = (Circle.objects.count(), User.objects.count(), Post.objects.count(), Reaction.objects.count())
        planned = (Event.objects.count(), Rsvp.objects.count())
        run("seed_demo")
        self.assertEqual(
            (Circle.objects.count(), User.objects.count(), Post.objects.count(), Reaction.objects.count()), counts
        )
        self.assertEqual((Event.objects.count(), Rsvp.objects.count()), planned)

    def test_demo_has_upcoming_meetings_of_every_kind_with_rsvps(self):
        run("seed_demo")
        self.assertEqual(set(Event.objects.values_list("kind", flat=True)), set(Event.KINDS))
        self.assertTrue(Event.objects.exclude(rrule="").exists())
        self.assertTrue(Event.objects.filter(online=True, in_person=True).exists())
        self.assertTrue(Event.objects.filter(circle__visibility=Circle.HIDDEN).exists())
        self.assertGreater(Rsvp.objects.filter(answer=Rsvp.GOING).count(), 5)
        for occurrence in Occurrence.objects.all():
            self.assertEqual(occurrence.going_count, occurrence.rsvps.filter(answer="going", waitlisted=False).count())

    def test_demo_has_a_verified_speaker_with_questions_and_an_answer(self):
        run("seed_demo")
        seminar = Event.objects.get(title="Ask a sarcoma physiotherapist")
        [speaker] = seminar.speakers.all()
        self.assertTrue(SpeakerProfile.objects.get(user=speaker).is_verified)
        self.assertFalse(seminar.circle.memberships.filter(user=speaker).exists())
        self.assertTrue(seminar.questions.filter(anonymous=True).exists())
        self.assertEqual(seminar.questions.filter(status=Question.ANSWERED).get().answered_by, speaker)
        for question in seminar.questions.all():
            self.assertEqual(question.vote_count, question.votes.count())
        run("seed_demo")
        self.assertEqual(seminar.questions.count(), len(SPEAKER_QUESTIONS))


class DemoAccountsTests(TestCase):
    def test_lists_demo_accounts_with_password_and_role(self):
        run("seed_demo")
        output = run("demo_accounts", "--address", "http://127.0.0.1:8000/")
        self.assertIn("http://127.0.0.1:8000/", output)
        self.assertIn(f"rosa@{DEMO_DOMAIN}", output)
        self.assertIn(DEMO_PASSWORD, output)
        for role in ("staff", "facilitator", "patient", "caregiver"):
            self.assertIn(role, output)
        self.assertNotIn("Traceback", output)

    def test_empty_database_says_how_to_add_accounts(self):
        output = run("demo_accounts")
        self.assertIn("seed_demo", output)

    def test_a_changed_password_is_not_printed_as_the_demo_one(self):
        run("seed_demo")
        maya = User.objects.get(email=f"maya@{DEMO_DOMAIN}")
        maya.set_password("something-else-entirely")
        maya.save(update_fields=["password"])
        line = next(li for li in run("demo_accounts").splitlines() if f"maya@{DEMO_DOMAIN}" in li)
        self.assertIn("(changed)", line)


class SeedScaleTests(TestCase):
    ARGS = ("seed_scale", "--users", "20", "--topics", "30", "--replies", "200")

    def scale_topics(self):
        return Topic.objects.filter(circle__slug__startswith="scale-")

    def test_creates_exactly_the_numbers_asked_for(self):
        run(*self.ARGS, "--circles", "4")
        self.assertEqual(Circle.objects.filter(slug__startswith="scale-").count(), 4)
        self.assertEqual(User.objects.filter(email__endswith=f"@{SCALE_DOMAIN}").count(), 20)
        self.assertEqual(self.scale_topics().count(), 30)
        self.assertEqual(Post.objects.filter(topic__in=self.scale_topics(), is_opening=False).count(), 200)
        self.assertEqual(Post.objects.filter(topic__in=self.scale_topics(), is_opening=True).count(), 30)

    def test_counters_are_exact(self):
        run(*self.ARGS)
        assert_counters_exact(self, self.scale_topics())

    def test_search_s_recent_index_holds_the_newest_replies_after_the_bulk_load(self):
        if connection.vendor != "postgresql":
            self.skipTest("PostgreSQL keeps the recent replies' index")
        with (
            mock.patch.object(search_schema, "RECENT_WINDOW", 100),
            mock.patch.object(search_schema, "RECENT_MARGIN", 50),
        ):
            run(*self.ARGS)
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM search_recent_reply")
            held = {pk for (pk,) in cursor.fetchall()}
        # COPY went through the insert trigger, and the seeder fitted the index to window and margin.
        newest = Post.objects.order_by("-pk").values_list("pk", flat=True)[:150]
        self.assertEqual(held, set(newest))

    def test_long_topic_is_findable_by_title(self):
        run(*self.ARGS, "--long-topic-replies", "60")
        self.assertEqual(Topic.objects.get(title=LONG_TOPIC_TITLE).reply_count, 60)

    def test_members_are_verified_and_authors_belong_to_the_circle(self):
        run(*self.ARGS)
        users = User.objects.filter(email__endswith=f"@{SCALE_DOMAIN}")
        self.assertFalse(users.filter(email_verified_at__isnull=True).exists())
        self.assertTrue(users.earliest("pk").check_password(SCALE_PASSWORD))
        members = set(Membership.objects.filter(status=Membership.ACTIVE).values_list("circle_id", "user_id"))
        writers = set(Post.objects.filter(topic__in=self.scale_topics()).values_list("topic__circle_id", "author_id"))
        self.assertLessEqual(writers, members)

    def test_bodies_are_rendered_html(self):
        run(*self.ARGS)
        post = Post.objects.filter(topic__in=self.scale_topics(), body__contains="**").first()
        assert post is not None
        self.assertIn("<strong>", post.body_html)

    def test_if_missing_skips_the_second_time(self):
        run(*self.ARGS)
        before = Post.objects.count()
        output = run(*self.ARGS, "--if-missing")
        self.assertIn("already there", output)
        self.assertEqual(Post.objects.count(), before)

    def test_second_run_without_if_missing_refuses_and_changes_nothing(self):
        run(*self.ARGS)
        before = Post.objects.count()
        with self.assertRaises(CommandError):
            run(*self.ARGS)
        self.assertEqual(Post.objects.count(), before)

    def test_zero_topics_is_refused(self):
        with self.assertRaises(CommandError):
            run("seed_scale", "--topics", "0")
        self.assertFalse(Circle.objects.exists())

    def test_lives_alongside_the_demo(self):
        run("seed_demo")
        demo_posts = Post.objects.count()
        run(*self.ARGS)
        self.assertEqual(Post.objects.exclude(topic__in=self.scale_topics()).count(), demo_posts)

    def test_meetings_have_dates_with_exact_seat_counts_and_the_rule_s_starts(self):
        run(*self.ARGS, "--circles", "3")
        circles = Circle.objects.filter(slug__startswith="scale-")
        for circle in circles:
            self.assertTrue(Event.objects.filter(circle=circle, rrule__startswith="FREQ=WEEKLY").exists(), circle)
        occurrences = Occurrence.objects.filter(event__circle__in=circles).select_related("event")
        self.assertGreater(occurrences.count(), 3 * 52)
        members = set(Membership.objects.filter(status=Membership.ACTIVE).values_list("circle_id", "user_id"))
        for occurrence in occurrences:
            event = occurrence.event
            rsvps = list(occurrence.rsvps.all())
            seats = [r for r in rsvps if r.answer == Rsvp.GOING and not r.waitlisted]
            self.assertEqual(occurrence.going_count, len(seats), occurrence)
            if event.capacity is not None:
                self.assertLessEqual(len(seats), event.capacity)
            if any(r.waitlisted for r in rsvps):
                self.assertEqual(len(seats), event.capacity)
            self.assertTrue(all((event.circle_id, r.member_id) in members for r in rsvps))
            tz = recurrence.zone(event.timezone)
            is_start = recurrence.is_start(
                event.rrule, first_start=event.starts_at, tz=tz, when=occurrence.original_start
            )
            self.assertTrue(is_start, occurrence)
        past = Rsvp.objects.filter(occurrence__in=occurrences, occurrence__starts_at__lt=timezone.now())
        self.assertTrue(past.filter(attended=True).exists())
        self.assertFalse(past.filter(waitlisted=True, attended__isnull=False).exists())

    def test_the_benchmark_member_goes_to_meetings_and_has_conversations_and_a_journal(self):
        run(*self.ARGS)
        reader = benchmark_member()
        assert reader is not None
        self.assertTrue(
            Membership.objects.filter(user=reader, role=Membership.MEMBER, circle__slug__startswith="scale-").exists()
        )
        ahead = Rsvp.objects.filter(member=reader, answer=Rsvp.GOING, occurrence__starts_at__gt=timezone.now())
        self.assertGreaterEqual(ahead.count(), 5)
        self.assertGreaterEqual(Participant.objects.filter(user=reader).count(), 5)
        checkins = CheckIn.objects.filter(owner=reader).order_by("created_at")
        self.assertEqual(checkins.count(), JOURNAL_WEEKS)
        first, last = checkins.first(), checkins.last()
        assert first is not None and last is not None
        self.assertGreater(last.created_at - first.created_at, dt.timedelta(days=350))
        self.assertLess(timezone.now() - last.created_at, dt.timedelta(days=7))
        self.assertGreaterEqual(Milestone.objects.filter(owner=reader).count(), 5)
        self.assertTrue(Goal.objects.filter(owner=reader, done_at__isnull=True).exists())
        reached = Milestone.objects.get(owner=reader, kind="goal_reached")
        self.assertIsNotNone(reached.goal.done_at)

    def test_conversations_are_between_circle_mates_with_exact_counters(self):
        run(*self.ARGS)
        mates = set()
        for circle_id in Circle.objects.filter(slug__startswith="scale-").values_list("pk", flat=True):
            people = list(Membership.objects.filter(circle_id=circle_id).values_list("user_id", flat=True))
            mates |= {(a, b) for a in people for b in people if a < b}
        conversations = Conversation.objects.filter(low__email__endswith=f"@{SCALE_DOMAIN}")
        self.assertGreater(conversations.count(), 5)
        for conversation in conversations:
            self.assertIn((conversation.low_id, conversation.high_id), mates)
            messages = list(Message.objects.filter(conversation=conversation).order_by("created_at", "id"))
            self.assertEqual(conversation.last_message_at, messages[-1].created_at)
            self.assertEqual(conversation.created_at, messages[0].created_at)
            sides = list(Participant.objects.filter(conversation=conversation))
            self.assertEqual({side.user_id for side in sides}, {conversation.low_id, conversation.high_id})
            for side in sides:
                self.assertEqual(side.last_message_at, messages[-1].created_at)
                read_at = side.last_read_at
                unread = [
                    m for m in messages if m.sender_id != side.user_id and (read_at is None or m.created_at > read_at)
                ]
                self.assertEqual(side.unread_count, len(unread), side)
                # Writing marks everything before it read, as the services do.
                mine = [m for m in messages if m.sender_id == side.user_id]
                if mine:
                    self.assertGreaterEqual(read_at, mine[-1].created_at)
        self.assertTrue(Participant.objects.filter(unread_count__gt=0).exists())

    def test_the_pages_make_bench_reads_show_the_seeded_data(self):
        run(*self.ARGS)
        reader = benchmark_member()
        assert reader is not None
        self.client.force_login(reader)
        meeting = Event.objects.filter(circle__memberships__user=reader, rrule__startswith="FREQ=WEEKLY").first()
        assert meeting is not None
        partner = Participant.objects.filter(conversation__participants__user=reader).exclude(user=reader).first()
        assert partner is not None
        expectations = {
            "/": meeting.title,
            meeting.get_absolute_url(): meeting.title,
            "/messages/": partner.user.display_name,
            "/journal/": "First outing with friends",
            "/journal/progress/?range=12m": "Walking with crutches",
        }
        for path, text in expectations.items():
            self.assertContains(self.client.get(path), text, msg_prefix=path)

    def test_if_missing_adds_the_parts_an_older_seed_lacks_and_nothing_else(self):
        run(*self.ARGS)
        scale = {"circle__slug__startswith": "scale-"}
        parts = {
            "events": lambda: Event.objects.filter(**scale).count(),
            "rsvps": lambda: Rsvp.objects.filter(occurrence__event__circle__slug__startswith="scale-").count(),
            "messages": lambda: Message.objects.filter(sender__email__endswith=f"@{SCALE_DOMAIN}").count(),
            "checkins": lambda: CheckIn.objects.filter(owner__email__endswith=f"@{SCALE_DOMAIN}").count(),
            "milestones": lambda: Milestone.objects.filter(owner__email__endswith=f"@{SCALE_DOMAIN}").count(),
        }
        seeded = {name: count() for name, count in parts.items()}
        posts, users = Post.objects.count(), User.objects.count()
        # A database seeded before meetings, messages and journals were part of the scale data.
        Event.objects.filter(**scale).delete()
        Conversation.objects.filter(low__email__endswith=f"@{SCALE_DOMAIN}").delete()
        CheckIn.objects.filter(owner__email__endswith=f"@{SCALE_DOMAIN}").delete()
        Milestone.objects.filter(owner__email__endswith=f"@{SCALE_DOMAIN}").delete()
        Goal.objects.filter(owner__email__endswith=f"@{SCALE_DOMAIN}").delete()
        self.assertEqual({name: count() for name, count in parts.items()}, dict.fromkeys(parts, 0))
        output = run(*self.ARGS, "--if-missing")
        self.assertIn("events", output)
        # The same data as seeding all at once: each part has its own random stream.
        self.assertEqual({name: count() for name, count in parts.items()}, seeded)
        self.assertEqual((Post.objects.count(), User.objects.count()), (posts, users))
        self.assertIn("already there", run(*self.ARGS, "--if-missing"))
