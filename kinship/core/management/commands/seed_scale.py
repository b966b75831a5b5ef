"""Bulk data for benchmarks: many circles, members, topics and replies, fast.

Rows go in with bulk_create, and the posts (nearly all the volume) with COPY on PostgreSQL or
executemany elsewhere. Each distinct body is rendered to HTML once, every member shares one
password hash, and the denormalised counters (reply_count, last_activity_at) are computed up
front, so the data is exactly what the services would have written, only far faster.

Scale data is marked (circle slugs `scale-…`, emails `…@scale.kinship.local`) so a second run
can tell it is there already.
"""

import datetime as dt
import random
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from kinship.accounts.models import User
from kinship.circles.models import Circle, Membership
from kinship.core.markdown import render_markdown
from kinship.discussions.models import Post, Topic

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


class Command(BaseCommand):
    help = "Bulk-create scale data (circles, members, topics, replies) for benchmarks."
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
        parser.add_argument("--if-missing", action="store_true", help="Do nothing if scale data is already there.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (same seed, same data).")

    def handle(self, *args: Any, **options: Any) -> None:
        users, topics, replies, circles = (options[k] for k in ("users", "topics", "replies", "circles"))
        if min(users, topics, circles) < 1 or replies < 0 or options["long_topic_replies"] < 0:
            raise CommandError("--users, --topics and --circles must be at least 1; --replies at least 0.")
        if Circle.objects.filter(slug__startswith=SCALE_SLUG_PREFIX).exists():
            if options["if_missing"]:
                self.stdout.write("Scale data is already there; nothing to do.")
                return
            raise CommandError("Scale data is already there; use --if-missing, or seed an empty database.")
        self.verbosity = options["verbosity"]
        self.rng = random.Random(options["seed"])  # repeatable synthetic data, not secrets  # nosec B311
        self.now = timezone.now()
        started = time.monotonic()
        with transaction.atomic():
            circle_ids = self._circles(circles)
            user_ids = self._users(users)
            members = self._memberships(circle_ids, user_ids)
            plan = self._topics(circle_ids, topics, replies, options["long_topic_replies"])
            posts = self._posts(plan, members)
        self._analyze()
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Scale data: {circles:,} circles, {users:,} users, {topics:,} topics, {replies:,} replies "
                f"({posts:,} posts) on {connection.vendor} in {seconds:.1f} s."
            )
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
        expected = {str(f.column) for f in Post._meta.concrete_fields if not f.primary_key}
        if expected != set(POST_COLUMNS):
            raise CommandError(f"Post columns changed; update seed_scale.POST_COLUMNS to {sorted(expected)}.")
        table = connection.ops.quote_name(Post._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in POST_COLUMNS)
        rows = self._post_rows(plan, members)
        written = 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY streams rows in one statement: several times faster than INSERT for a million rows.
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        written += 1
            else:
                adapt = connection.ops.adapt_datetimefield_value
                created = POST_COLUMNS.index("created_at")
                sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(POST_COLUMNS))})"  # noqa: S608
                batch: list[tuple] = []
                for row in rows:
                    batch.append((*row[:created], adapt(row[created]), *row[created + 1 :]))
                    if len(batch) == 10_000:
                        cursor.executemany(sql, batch)
                        written += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    written += len(batch)
        self._log(f"  posts: {written:,} in {time.monotonic() - t0:.1f} s")
        return written

    def _analyze(self) -> None:
        """Fresh planner statistics, as autovacuum would gather them on a live PostgreSQL."""
        if connection.vendor != "postgresql":
            return
        t0 = time.monotonic()
        tables = [m._meta.db_table for m in (User, Circle, Membership, Topic, Post)]
        # VACUUM also sets the visibility map (index-only scans); it cannot run inside a transaction.
        verb = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"{verb} {connection.ops.quote_name(table)}")
        self._log(f"  {verb.lower()}: {time.monotonic() - t0:.1f} s")


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
