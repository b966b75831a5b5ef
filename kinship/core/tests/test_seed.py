from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Max, Q
from django.test import TestCase

from kinship.accounts.models import User
from kinship.circles.models import Circle, Membership
from kinship.core.management.commands.seed_demo import DEMO_DOMAIN, DEMO_PASSWORD, SPEAKER_QUESTIONS
from kinship.core.management.commands.seed_scale import LONG_TOPIC_TITLE, SCALE_DOMAIN, SCALE_PASSWORD
from kinship.discussions.models import Post, Reaction, Topic
from kinship.events.models import Event, Occurrence, Rsvp
from kinship.qa.models import Question, SpeakerProfile


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
