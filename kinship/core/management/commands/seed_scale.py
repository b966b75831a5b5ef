"""Bulk data for benchmarks: many circles, members, topics and replies, fast; with the meetings,
private messages and journals the other main pages read.

Rows go in with bulk_create, and the posts (nearly all the volume), messages and check-ins with
COPY on PostgreSQL or executemany elsewhere. Each distinct body is rendered to HTML once, every
member shares one password hash, and the denormalised counters (reply_count, last_activity_at,
going_count, unread_count, last_message_at) are computed up front, so the data is exactly what
the services would have written, only far faster.

Scale data is marked (circle slugs `scale-…`, emails `…@scale.kinship.local`) so a second run
can tell it is there already. It comes in parts — the discussions (circles, members, topics,
replies), the meetings, the messages and the journals — and `--if-missing` adds whichever part
is missing, so a database seeded before a part existed is topped up rather than seeded again.
`benchmark_member()` is the member `make bench` signs in as: their inbox and journal are full.
"""

import datetime as dt
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from kinship.accounts.models import User
from kinship.circles.models import Circle, Membership
from kinship.circles.services import recount_members
from kinship.core.markdown import render_markdown
from kinship.discussions.models import Post, Topic
from kinship.events import recurrence
from kinship.events.models import Event, Occurrence, Rsvp
from kinship.journal.models import CheckIn, Goal, Milestone
from kinship.peers.models import Conversation, Message, Participant
from kinship.search import schema as search_schema

SCALE_DOMAIN = "scale.kinship.local"
SCALE_SLUG_PREFIX = "scale-"
SCALE_PASSWORD = "kinship-scale-2026"  # noqa: S105 - synthetic benchmark accounts only  # nosec B105
LONG_TOPIC_TITLE = "The long topic (scale benchmark)"

POST_COLUMNS = [
    "topic_id", "author_id", "is_opening", "body", "body_html", "anonymous", "content_note", "hidden",
    "deleted_at", "edited_at", "created_at", "strength_count", "me_too_count", "celebrate_count",
    "awaiting_approval", "moderation_note",
]  # fmt: skip

CIRCLE_THEMES = [
    "Osteosarcoma", "Ewing sarcoma", "Chondrosarcoma", "Amputation and prosthetics", "Limb salvage",
    "Rotationplasty", "Caregivers and parents", "Back to school and work", "Physiotherapy", "Pain and sleep",
]  # fmt: skip

FIRST_NAMES = [
    "Alex", "Sam", "Jordan", "Maya", "Leo", "Priya", "Finn", "Amara", "Jonas", "Ingrid", "Nadia", "Tom",
    "Claire", "Karim", "Ruth", "Daniel", "Zoe", "Omar", "Lena", "Mateo", "Aisha", "Noah", "Eva", "Kai",
]  # fmt: skip

TITLES = [
    "First week home after surgery",
    "Physio milestone: stairs without the rail",
    "Scan next week, anyone else?",
    "Phantom pain and sleep",
    "Socket fit in the first year",
    "Back at school on crutches",
    "Knee bend progress",
    "Tips for the hospital bag",
    "Telling friends about the prosthesis",
    "Fatigue months after chemo",
    "Driving again after leg surgery",
    "Questions for the next clinic appointment",
    "Caregiver check-in: how are you sleeping?",
    "Swimming with a rotationplasty",
    "Funding for a sports prosthesis",
]

OPENINGS = [
    "Three weeks since surgery and I'm finally home. Everything takes twice as long, but the stairs are getting "
    "easier. How did your first month go?",
    "Physio today was hard work but I managed **ten steps** without the rail. Small wins count, right?",
    "My next scans are coming up and the waiting is the worst part. How do you get through the days before?",
    "The phantom pain is worst at night. What has helped you sleep through it?",
    "Does anyone else find their socket fit changes from morning to evening? Looking for practical tips.",
    "Going back to school next week on crutches. Any advice on bags, stairs and busy corridors?",
    "Measured my knee bend today and it's up again. Slowly, slowly. Sharing for anyone who needs hope.",
]

REPLIES = [
    "Sending you strength. The first weeks are the hardest; it does get easier.",
    "Same here. It helped me to write my questions down before each appointment.",
    "That's brilliant progress! Celebrate every step.",
    "My physio said *little and often* beats one long session, and she was right.",
    "Ask your team about it at the next visit; they'd much rather hear from you early.",
    "I carry spare socks and a small towel in my bag for exactly this.",
    "It took me months to feel like myself again. Be patient with yourself.",
    "We found the hospital's young people's team really helpful for school letters.",
    "Mirror therapy helped me a bit with the night pain. Worth asking about.",
    "Reading this at 2am and feeling less alone. Thank you for posting.",
    "Here's what worked for us:\n\n- a pouch for spare socks\n- an alarm for medication\n- one rest day a week",
    "Congratulations! Put it in your journal as a milestone.",
    "Scanxiety is real. Plan something nice for the day after.",
    "The stares get less, or you stop noticing them. Both are fine.",
    "My prosthetist loved that I kept a diary of sock ply. Try it!",
    "Slow progress is still progress. You've got this.",
]

# Posts that are hard to read get a content note, and some members post anonymously.
NOTED_REPLIES = [
    ("Honestly the last month has been really hard and I've been scared about the results.", "Fear of relapse"),
    ("The wound took a long time to heal and needed another small operation.", "Wound healing"),
]
ANONYMOUS_EVERY = 37

# A topic to write: (topic id, circle index, reply count, created at, time between replies).
Planned = tuple[int, int, int, dt.datetime, dt.timedelta]

# Meetings: each circle has a weekly support meeting that began a year ago, a monthly seminar and
# a few one-off events; every date from the first to MEETINGS_AHEAD from now has RSVPs (so a row).
EVENT_TIMEZONE = "Europe/London"
MEETINGS_AHEAD = dt.timedelta(weeks=8)
WEEKLY_ANSWERS = 18
SEMINAR_CAPACITY = 30
# (kind, title, days from today, capacity, in person)
ONE_OFF_EVENTS = [
    (Event.WORKSHOP, "Liners and socket comfort workshop", -270, 12, True),
    (Event.OUTING, "Canal-side walk and lunch", -180, 15, True),
    (Event.SOCIAL, "Family games afternoon", -90, 20, True),
    (Event.SEMINAR, "Ask a physiotherapist", -30, 40, False),
    (Event.WORKSHOP, "Back to school: a workshop for parents", 14, 12, True),
    (Event.SOCIAL, "Summer picnic", 45, 25, True),
]
EVENT_DESCRIPTION = (
    "A meeting made by seed_scale for benchmarks. **Everyone is welcome**: come as you are, "
    "cameras optional, and bring a question if you have one."
)

# Messages: the benchmark member talks with people from their circles; others talk in pairs too.
READER_CONVERSATIONS = 40
USERS_PER_CONVERSATION = 4
MESSAGE_TEXTS = [
    "Hi! I saw your post in the circle and wanted to say hello.",
    "Thank you for writing. It means a lot that someone gets it.",
    "How did the appointment go today?",
    "Better than I feared. The scan was clear, and the physio says my knee bend is up again.",
    "That's **brilliant** news. Celebrate it!",
    "Do you have any tips for the first weeks back at school?",
    "Take a spare pair of socks, and ask for a lift pass early.",
    "Are you going to the Thursday meeting?",
    "Yes, see you there. I'll be the one with the purple crutches.",
    "Sleep has been hard this week. How do you manage the night pain?",
    "Mirror therapy helped me a little. And audiobooks.",
]

# Journals: the benchmark member checked in weekly for a year; one member in JOURNAL_EVERY keeps one too.
JOURNAL_WEEKS = 52
JOURNAL_EVERY = 10
PROBLEM_CODES = ["worry", "fears", "sadness", "pain", "getting_around", "sleep", "fatigue", "work_school", "money"]
CHECKIN_NOTES = ["", "", "", "Long day at physio.", "Slept badly.", "Good week: walked to the shop.", "Scan next week."]
MILESTONES = [
    ("standing", "First time standing", 350),
    ("crutches", "Walking with crutches", 300),
    ("chemo_done", "Finished chemotherapy", 240),
    ("one_crutch", "Walking with one crutch", 170),
    ("back_to_school_work", "Back at school", 100),
    ("first_outing", "First outing with friends", 30),
]
GOALS = [
    ("Walk 1 km without crutches", 60, 70),
    ("Swim a length", 30, 120),
    ("Climb the stairs at school without the rail", 80, 20),
]


def benchmark_member() -> User | None:
    """The member `make bench` signs in as: the first plain member of the first scale circle."""
    circle = Circle.objects.filter(slug__startswith=SCALE_SLUG_PREFIX).order_by("slug").first()
    if circle is None:
        return None
    # "member" sorts after "facilitator": a plain member first, the facilitator only if alone.
    found = (
        Membership.objects.filter(circle=circle, status=Membership.ACTIVE)
        .select_related("user")
        .order_by("-role", "pk")
        .first()
    )
    return found.user if found is not None else None


class Command(BaseCommand):
    help = "Bulk-create scale data (circles, members, topics, replies, meetings, messages, journals) for benchmarks."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--users", type=int, default=1_000)
        parser.add_argument("--topics", type=int, default=10_000)
        parser.add_argument("--replies", type=int, default=100_000)
        parser.add_argument("--circles", type=int, default=10)
        parser.add_argument(
            "--long-topic-replies", type=int, default=5_000,
            help=f"Replies in the topic titled {LONG_TOPIC_TITLE!r} (at most half of --replies).",
        )  # fmt: skip
        parser.add_argument(
            "--if-missing", action="store_true",
            help="Add only the parts of scale data that are missing (nothing if all are there).",
        )  # fmt: skip
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (same seed, same data).")

    def handle(self, *args: Any, **options: Any) -> None:
        users, topics, replies, circles = (options[k] for k in ("users", "topics", "replies", "circles"))
        if min(users, topics, circles) < 1 or replies < 0 or options["long_topic_replies"] < 0:
            raise CommandError("--users, --topics and --circles must be at least 1; --replies at least 0.")
        there = Circle.objects.filter(slug__startswith=SCALE_SLUG_PREFIX).exists()
        if there and not options["if_missing"]:
            raise CommandError("Scale data is already there; use --if-missing, or seed an empty database.")
        self.verbosity = options["verbosity"]
        self.now = timezone.now()
        started = time.monotonic()
        written = []
        if not there:
            self.rng = random.Random(options["seed"])  # repeatable synthetic data, not secrets  # nosec B311
            with transaction.atomic():
                circle_ids = self._circles(circles)
                user_ids = self._users(users)
                members = self._memberships(circle_ids, user_ids)
                plan = self._topics(circle_ids, topics, replies, options["long_topic_replies"])
                posts = self._posts(plan, members)
            written.append(
                f"{circles:,} circles, {users:,} users, {topics:,} topics, {replies:,} replies ({posts:,} posts)"
            )
        circle_ids = list(
            Circle.objects.filter(slug__startswith=SCALE_SLUG_PREFIX).order_by("slug").values_list("pk", flat=True)
        )
        members = self._members(circle_ids)
        reader = benchmark_member()
        if reader is None:
            raise CommandError("The scale circles have no members; drop the scale data and seed again.")
        parts: list[tuple[str, bool, Callable[[list[int], list[list[int]], User], str]]] = [
            ("meetings", not Event.objects.filter(circle_id__in=circle_ids).exists(), self._meetings),
            ("messages", not Participant.objects.filter(user=reader).exists(), self._messages),
            ("journals", not CheckIn.objects.filter(owner=reader).exists(), self._journals),
        ]
        for name, missing, seed_part in parts:
            if missing:
                # Each part its own random stream: the same rows (dated from today) whether seeded at once or later.
                self.rng = random.Random(f"{options['seed']}:{name}")  # nosec B311
                with transaction.atomic():
                    written.append(seed_part(circle_ids, members, reader))
        if not written:
            self.stdout.write("Scale data is already there; nothing to do.")
            return
        self._analyze()
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Scale data on {connection.vendor} in {seconds:.1f} s: {'; '.join(written)}.")
        )

    def _log(self, message: str) -> None:
        if self.verbosity > 1:
            self.stdout.write(message)

    def _circles(self, count: int) -> list[int]:
        width = max(3, len(str(count)))
        circles = [
            Circle(
                slug=f"{SCALE_SLUG_PREFIX}{i:0{width}d}",
                name=f"{CIRCLE_THEMES[(i - 1) % len(CIRCLE_THEMES)]} (scale {i})",
                description="A circle of synthetic members and conversations, made by seed_scale for benchmarks.",
                guidelines="Be kind. Share experience, not medical advice.",
                visibility=Circle.PUBLIC,
                join_policy=Circle.OPEN,
            )
            for i in range(1, count + 1)
        ]
        Circle.objects.bulk_create(circles, batch_size=1_000)
        return list(
            Circle.objects.filter(slug__startswith=SCALE_SLUG_PREFIX).order_by("slug").values_list("pk", flat=True)
        )

    def _users(self, count: int) -> list[int]:
        t0 = time.monotonic()
        # Argon2 is slow on purpose; one hash serves every synthetic member.
        password = make_password(SCALE_PASSWORD)
        width = max(6, len(str(count)))
        users = (
            User(
                email=f"scale{i:0{width}d}@{SCALE_DOMAIN}",
                display_name=f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {chr(65 + (i // len(FIRST_NAMES)) % 26)}.",
                role=User.CAREGIVER if i % 4 == 0 else User.PATIENT,
                password=password,
                email_verified_at=self.now,
                terms_accepted_at=self.now,
                terms_version=settings.TERMS_VERSION,
                date_joined=self.now - dt.timedelta(days=400),
            )
            for i in range(1, count + 1)
        )
        _bulk(User, users, 2_000)
        ids = list(User.objects.filter(email__endswith=f"@{SCALE_DOMAIN}").order_by("pk").values_list("pk", flat=True))
        self._log(f"  users: {len(ids):,} in {time.monotonic() - t0:.1f} s")
        return ids

    def _memberships(self, circle_ids: list[int], user_ids: list[int]) -> list[list[int]]:
        """Each member joins up to three circles; every circle gets at least one member, its facilitator."""
        t0 = time.monotonic()
        per_user = min(3, len(circle_ids))
        members: list[list[int]] = [[] for _ in circle_ids]
        for u, user_id in enumerate(user_ids):
            for j in range(per_user):
                members[(u + j) % len(circle_ids)].append(user_id)
        for c, circle_members in enumerate(members):
            if not circle_members:
                circle_members.append(user_ids[c % len(user_ids)])
        rows = (
            Membership(
                circle_id=circle_id,
                user_id=user_id,
                role=Membership.FACILITATOR if position == 0 else Membership.MEMBER,
                status=Membership.ACTIVE,
                guidelines_accepted_at=self.now,
            )
            for circle_id, circle_members in zip(circle_ids, members, strict=True)
            for position, user_id in enumerate(circle_members)
        )
        _bulk(Membership, rows, 5_000)
        recount_members(Circle(pk=circle_id) for circle_id in circle_ids)
        self._log(f"  memberships: {sum(map(len, members)):,} in {time.monotonic() - t0:.1f} s")
        return members

    def _reply_counts(self, topics: int, replies: int, long_replies: int) -> list[int]:
        """Replies per topic: the long topic first, the rest spread unevenly, summing exactly to `replies`."""
        if topics == 1:
            return [replies]
        long_replies = min(long_replies, replies // 2)
        rest = replies - long_replies
        # Some conversations run long, most stay short: a capped Pareto spread, rounded to an exact total.
        weights = [min(self.rng.paretovariate(1.2), 50.0) for _ in range(topics - 1)]
        total = sum(weights)
        shares = [w * rest / total for w in weights]
        counts = [int(s) for s in shares]
        short = rest - sum(counts)
        for i in sorted(range(len(shares)), key=lambda i: shares[i] - counts[i], reverse=True)[:short]:
            counts[i] += 1
        return [long_replies, *counts]

    def _topics(self, circle_ids: list[int], count: int, replies: int, long_replies: int) -> list[Planned]:
        """Create the topics with their final counters; return (topic, circle index, replies, start, step)."""
        t0 = time.monotonic()
        counts = self._reply_counts(count, replies, long_replies)
        year = dt.timedelta(days=365)
        specs = []
        for t, n in enumerate(counts):
            if t == 0:
                start, span, title = self.now - year, year - dt.timedelta(hours=1), LONG_TOPIC_TITLE
            else:
                start = self.now - year * self.rng.random()
                span = (self.now - start) * self.rng.uniform(0.05, 1.0)
                title = f"{TITLES[t % len(TITLES)]} ({t})"
            # Replies come `step` apart; the last one's time is the topic's last activity, to the microsecond.
            step = span / n if n else dt.timedelta(0)
            specs.append((t % len(circle_ids), n, start, step, title))
        topics = (
            Topic(
                circle_id=circle_ids[c], title=title, reply_count=n, created_at=start, last_activity_at=start + step * n
            )
            for c, n, start, step, title in specs
        )
        _bulk(Topic, topics, 2_000)
        ids = list(Topic.objects.filter(circle_id__in=circle_ids).order_by("pk").values_list("pk", flat=True))
        self._log(f"  topics: {len(ids):,} in {time.monotonic() - t0:.1f} s")
        return [(pk, c, n, start, step) for pk, (c, n, start, step, _) in zip(ids, specs, strict=True)]

    def _post_rows(self, plan: list[Planned], members: list[list[int]]) -> Iterator[tuple]:
        """Every post's column values, in POST_COLUMNS order; bodies rendered once per distinct text."""
        openings = [(body, render_markdown(body), "") for body in OPENINGS]
        replies = [(body, render_markdown(body), "") for body in REPLIES]
        replies += [(body, render_markdown(body), note) for body, note in NOTED_REPLIES]
        choice = self.rng.choice
        k = 0
        for topic_id, c, n, start, step in plan:
            authors = members[c]
            body, html, note = openings[topic_id % len(openings)]
            yield (topic_id, choice(authors), True, body, html, topic_id % ANONYMOUS_EVERY == 0, note,
                   False, None, None, start, 0, 0, 0, False, "")  # fmt: skip
            for i in range(1, n + 1):
                k += 1
                body, html, note = replies[k % len(replies)]
                yield (topic_id, choice(authors), False, body, html, k % ANONYMOUS_EVERY == 0, note,
                       False, None, None, start + step * i, 0, 0, 0, False, "")  # fmt: skip

    def _posts(self, plan: list[Planned], members: list[list[int]]) -> int:
        t0 = time.monotonic()
        written = _insert(Post, POST_COLUMNS, self._post_rows(plan, members))
        self._log(f"  posts: {written:,} in {time.monotonic() - t0:.1f} s")
        return written

    def _members(self, circle_ids: list[int]) -> list[list[int]]:
        """Active members of each circle, by circle index, its facilitator first."""
        index = {pk: c for c, pk in enumerate(circle_ids)}
        members: list[list[int]] = [[] for _ in circle_ids]
        rows = Membership.objects.filter(circle_id__in=circle_ids, status=Membership.ACTIVE).order_by("role", "pk")
        for circle_id, user_id in rows.values_list("circle_id", "user_id"):
            members[index[circle_id]].append(user_id)
        return members

    # --- meetings ---------------------------------------------------------------------------------

    def _meetings(self, circle_ids: list[int], members: list[list[int]], reader: User) -> str:
        """Per circle: a weekly meeting for a year, a monthly seminar and one-off events, with RSVPs."""
        t0 = time.monotonic()
        tz = ZoneInfo(EVENT_TIMEZONE)
        today = self.now.astimezone(tz).date()
        html = render_markdown(EVENT_DESCRIPTION)

        def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
            return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz).astimezone(dt.UTC)

        events: list[Event] = []
        answers: list[int] = []  # how many answer each event's dates
        for c, circle_id in enumerate(circle_ids):
            host = members[c][0] if members[c] else None
            common = {"circle_id": circle_id, "facilitator_id": host, "timezone": EVENT_TIMEZONE,
                      "description": EVENT_DESCRIPTION, "description_html": html}  # fmt: skip
            weekly_start = at(today - dt.timedelta(weeks=52, days=c % 7), 19)
            seminar_day = today - dt.timedelta(days=182)
            seminar_start = at(seminar_day.replace(day=min(seminar_day.day, 28)), 18, 30)
            events.append(Event(
                **common, kind=Event.SUPPORT_MEETING, title="Weekly support meeting", rrule="FREQ=WEEKLY",
                starts_at=weekly_start, ends_at=weekly_start + dt.timedelta(hours=1), in_person=False, online=True,
                meeting_link="https://meet.example.org/kinship-scale",
            ))  # fmt: skip
            answers.append(WEEKLY_ANSWERS)
            events.append(Event(
                **common, kind=Event.SEMINAR, title="Monthly seminar with a guest", rrule="FREQ=MONTHLY;COUNT=12",
                starts_at=seminar_start, ends_at=seminar_start + dt.timedelta(minutes=90), online=True,
                meeting_link="https://meet.example.org/kinship-scale-seminar", address="Lecture room 2 (example)",
                step_free=True, capacity=SEMINAR_CAPACITY,
            ))  # fmt: skip
            answers.append(SEMINAR_CAPACITY + 5)
            for kind, title, days, capacity, in_person in ONE_OFF_EVENTS:
                start = at(today + dt.timedelta(days=days + c % 5), 14)
                events.append(Event(
                    **common, kind=kind, title=title, starts_at=start, ends_at=start + dt.timedelta(hours=2),
                    in_person=in_person, online=not in_person, address="Community room (example)" if in_person else "",
                    meeting_link="" if in_person else "https://meet.example.org/kinship-scale-event",
                    step_free=True, capacity=capacity,
                ))  # fmt: skip
                answers.append(capacity + 3)
        Event.objects.bulk_create(events, batch_size=1_000)

        until = self.now + MEETINGS_AHEAD
        occurrences: list[Occurrence] = []
        rsvps: list[Rsvp] = []
        for event, wanted in zip(events, answers, strict=True):
            c = circle_ids.index(event.circle_id)
            pool = [u for u in members[c] if u != event.facilitator_id] or members[c]
            regular = event.kind == Event.SUPPORT_MEETING and reader.pk in pool
            starts = recurrence.starts_between(
                event.rrule, first_start=event.starts_at, tz=tz, after=event.starts_at, before=until
            )
            for start in starts:
                row = Occurrence(event=event, original_start=start, starts_at=start,
                                 ends_at=start + (event.ends_at - event.starts_at))  # fmt: skip
                people = self.rng.sample(pool, min(wanted, len(pool)))
                if regular and reader.pk not in people:
                    people[-1] = reader.pk  # the benchmark member comes every week
                rsvps += self._answers(row, people, event.capacity, start < self.now, reader.pk)
                occurrences.append(row)
        Occurrence.objects.bulk_create(occurrences, batch_size=2_000)
        for rsvp in rsvps:
            rsvp.occurrence_id = rsvp.occurrence.pk
        Rsvp.objects.bulk_create(rsvps, batch_size=5_000)
        self._log(f"  meetings: {len(events):,} events in {time.monotonic() - t0:.1f} s")
        return f"{len(events):,} events, {len(occurrences):,} dates, {len(rsvps):,} RSVPs"

    def _answers(self, row: Occurrence, people: list[int], capacity: int | None, past: bool, reader: int) -> list[Rsvp]:
        """RSVPs for one date in the order they came: seats first come first served, then the waitlist."""
        rsvps = []
        row.going_count = 0
        # Answered over the two weeks before, earliest first (the waitlist's order).
        times = sorted(row.starts_at - dt.timedelta(hours=self.rng.uniform(2, 14 * 24)) for _ in people)
        for member, answered in zip(people, times, strict=True):
            roll = self.rng.random()
            answer = Rsvp.GOING if member == reader or roll < 0.8 else Rsvp.MAYBE if roll < 0.9 else Rsvp.NOT_GOING
            waitlisted = answer == Rsvp.GOING and capacity is not None and row.going_count >= capacity
            seat = answer == Rsvp.GOING and not waitlisted
            row.going_count += seat
            # After the meeting a facilitator took attendance: most who had a seat came.
            attended = (self.rng.random() < 0.85) if past and seat else None
            rsvps.append(Rsvp(occurrence=row, member_id=member, answer=answer, waitlisted=waitlisted,
                              answered_at=min(answered, self.now), attended=attended))  # fmt: skip
        return rsvps

    # --- private messages -------------------------------------------------------------------------

    def _messages(self, circle_ids: list[int], members: list[list[int]], reader: User) -> str:
        """Conversations between members who share a circle: the benchmark member's, and others'."""
        t0 = time.monotonic()
        everyone = sorted({u for circle in members for u in circle})
        theirs = [circle for circle in members if reader.pk in circle]
        known = sorted({u for circle in theirs for u in circle} - {reader.pk})
        pairs = {
            tuple(sorted((reader.pk, other))) for other in self.rng.sample(known, min(READER_CONVERSATIONS, len(known)))
        }
        wanted = len(pairs) + len(everyone) // USERS_PER_CONVERSATION
        for _ in range(wanted * 3):
            if len(pairs) >= wanted:
                break
            circle = self.rng.choice(members)
            if len(circle) > 1:
                pairs.add(tuple(sorted(self.rng.sample(circle, 2))))
        texts = [(body, render_markdown(body)) for body in MESSAGE_TEXTS]
        year = dt.timedelta(days=365)
        plans = []  # (low, high, message times, senders)
        for low, high in sorted(pairs):
            count = self.rng.randint(2, 40)
            first = self.now - year * self.rng.uniform(0.02, 1.0)
            step = (self.now - first) * self.rng.uniform(0.05, 1.0) / count
            senders = [low if self.rng.random() < 0.5 else high for _ in range(count)]
            plans.append((low, high, [first + step * i for i in range(count)], senders))
        rows = ((low, high, times[0], times[-1]) for low, high, times, _ in plans)
        _insert(Conversation, ["low_id", "high_id", "created_at", "last_message_at"], rows)
        ids = dict(
            ((low, high), pk)
            for pk, low, high in Conversation.objects.filter(low__email__endswith=f"@{SCALE_DOMAIN}").values_list(
                "pk", "low_id", "high_id"
            )
        )
        sides = []
        for low, high, times, senders in plans:
            # Most people have read everything; some have not opened the last messages sent to them.
            lagging = self.rng.choice((low, high)) if self.rng.random() < 0.2 else None
            for user in (low, high):
                read = len(times) - 1
                if user == lagging:
                    own = [i for i, sender in enumerate(senders) if sender == user]
                    read = own[-1] if own else -1
                unread = sum(1 for sender in senders[read + 1 :] if sender != user)
                sides.append(Participant(
                    conversation_id=ids[(low, high)], user_id=user, unread_count=unread,
                    last_read_at=times[read] if read >= 0 else None, last_message_at=times[-1],
                ))  # fmt: skip
        Participant.objects.bulk_create(sides, batch_size=5_000)
        message_rows = (
            (ids[(low, high)], sender, *texts[(ids[(low, high)] + i) % len(texts)], at)
            for low, high, times, senders in plans
            for i, (at, sender) in enumerate(zip(times, senders, strict=True))
        )
        written = _insert(Message, ["conversation_id", "sender_id", "body", "body_html", "created_at"], message_rows)
        self._log(f"  messages: {written:,} in {time.monotonic() - t0:.1f} s")
        return f"{len(plans):,} conversations, {written:,} messages"

    # --- journals ---------------------------------------------------------------------------------

    def _journals(self, circle_ids: list[int], members: list[list[int]], reader: User) -> str:
        """A year of weekly check-ins, milestones and goals for the benchmark member; shorter journals for others."""
        t0 = time.monotonic()
        everyone = sorted({u for circle in members for u in circle} - {reader.pk})
        keepers = [(reader.pk, JOURNAL_WEEKS, len(MILESTONES), len(GOALS))]
        keepers += [
            (user, self.rng.randint(4, JOURNAL_WEEKS), self.rng.randint(0, 3), self.rng.randint(0, 2))
            for user in everyone[::JOURNAL_EVERY]
        ]
        checkins = (
            row for owner, weeks, _, _ in keepers for row in self._checkin_rows(owner, weeks, mine=owner == reader.pk)
        )
        written = _insert(CheckIn, ["owner_id", "distress", "pain", "problems", "note", "created_at"], checkins)
        today = self.now.date()
        goals, milestones = [], []
        for owner, _, milestone_count, goal_count in keepers:
            for kind, title, days_ago in MILESTONES[:milestone_count]:
                milestones.append(Milestone(owner_id=owner, kind=kind, title=title,
                                            happened_on=today - dt.timedelta(days=days_ago)))  # fmt: skip
            for title, progress, days_ahead in GOALS[:goal_count]:
                goals.append(Goal(owner_id=owner, title=title, progress=progress,
                                  target_date=today + dt.timedelta(days=days_ahead)))  # fmt: skip
        # One goal reached, celebrated as the milestone finishing a goal makes.
        done = Goal(
            owner_id=reader.pk, title="Ride a bike again", progress=100, done_at=self.now - dt.timedelta(days=60)
        )
        goals.append(done)
        Goal.objects.bulk_create(goals, batch_size=5_000)
        milestones.append(Milestone(owner_id=reader.pk, kind="goal_reached", title=done.title, goal=done,
                                    happened_on=today - dt.timedelta(days=60)))  # fmt: skip
        Milestone.objects.bulk_create(milestones, batch_size=5_000)
        self._log(f"  journals: {written:,} check-ins in {time.monotonic() - t0:.1f} s")
        return f"{len(keepers):,} journals, {written:,} check-ins, {len(milestones):,} milestones, {len(goals):,} goals"

    def _checkin_rows(self, owner: int, weeks: int, *, mine: bool) -> Iterator[tuple]:
        """Weekly check-ins over `weeks`, the last a couple of days ago; distress and pain easing with time."""
        for week in range(weeks):
            ago = dt.timedelta(weeks=weeks - 1 - week, days=2, hours=self.rng.uniform(0, 48))
            if not mine and weeks < JOURNAL_WEEKS:
                ago += dt.timedelta(weeks=self.rng.randint(0, JOURNAL_WEEKS - weeks))
            easing = week / max(1, weeks - 1)
            distress = max(0, min(10, round(7 - 5 * easing + self.rng.gauss(0, 1.2))))
            pain = max(0, min(10, round(6 - 4 * easing + self.rng.gauss(0, 1.2))))
            problems = sorted(self.rng.sample(PROBLEM_CODES, self.rng.randint(0, 3)))
            yield (owner, distress, pain, json.dumps(problems), self.rng.choice(CHECKIN_NOTES), self.now - ago)

    def _analyze(self) -> None:
        """Fresh planner statistics, as autovacuum would gather them on a live PostgreSQL."""
        if connection.vendor != "postgresql":
            return
        t0 = time.monotonic()
        models = (User, Circle, Membership, Topic, Post, Event, Occurrence, Rsvp, Conversation, Participant, Message,
                  CheckIn, Milestone, Goal)  # fmt: skip
        # VACUUM also sets the visibility map (index-only scans); it cannot run inside a transaction.
        verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        # The bulk insert put every reply in search's recent index, as a long outage of the sweep would.
        trimmed, _ = search_schema.fit_recent(connection)
        tables = [model._meta.db_table for model in models] + search_schema.recent_tables()
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"{verb} {connection.ops.quote_name(table)}")
        if trimmed:
            self._log(f"  {trimmed:,} replies trimmed from search's recent index")
        self._log(f"  {verb.lower()}: {time.monotonic() - t0:.1f} s")


def _insert(model: Any, columns: list[str], rows: Iterable[tuple]) -> int:
    """Stream rows (values in `columns` order, every column but the key) into the model's table.

    COPY on PostgreSQL, executemany in batches elsewhere: several times faster than INSERT for a
    million rows, and it writes `auto_now_add` columns as given. Returns how many rows went in.
    """
    fields = {str(f.column): f for f in model._meta.concrete_fields if not f.primary_key}
    if set(fields) != set(columns):
        raise CommandError(f"{model.__name__} columns changed; update seed_scale to write {sorted(fields)}.")
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        adapt = connection.ops.adapt_datetimefield_value
        moments = [i for i, c in enumerate(columns) if fields[c].get_internal_type() == "DateTimeField"]
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        batch: list[Any] = []
        for row in rows:
            values = list(row)
            for i in moments:
                values[i] = adapt(values[i])
            batch.append(values)
            if len(batch) == 10_000:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def _bulk(model: Any, objects: Any, batch_size: int) -> None:
    """bulk_create from an iterator, one batch in memory at a time."""
    batch = []
    for obj in objects:
        batch.append(obj)
        if len(batch) == batch_size:
            model.objects.bulk_create(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch)
