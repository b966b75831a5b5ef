"""The topic page's two reads, written out in SQL, and sent to PostgreSQL together; and the circle
page's topic list.

The topic page is the busiest page there is, and composing its reads with the ORM cost more than
running them: each query spent longer being built and compiled in Python than in the database
(docs/performance.md). Here they are written once: the topic, its circle and the viewer's read
mark in one statement; a page of posts, their authors and the viewer's own reactions in another.
The circle page's list of topics, with the viewer's read marks and who opened each, is a third.
All run unchanged on SQLite and PostgreSQL; tests/test_sql.py holds them to the ORM's answers.
Columns of whole models come from the models themselves (core.rawsql), so a new field needs no change here.

Only table and column names from the models, and constants, are written into the statements
(hence the `noqa: S608`); every value, from the URL or the viewer, goes in as a parameter.
"""

import datetime as dt
from collections import namedtuple
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from kinship.accounts.models import User
from kinship.circles.models import Circle, Membership
from kinship.core.db_router import read_connection
from kinship.core.rawsql import aware, instance, model_columns
from kinship.discussions.models import Post, Reaction, Topic, TopicRead

_TOPIC_NAMES, _TOPIC_DATES, _TOPIC_SELECT = model_columns(Topic, "t")
_CIRCLE_NAMES, _CIRCLE_DATES, _CIRCLE_SELECT = model_columns(Circle, "c")
_MEMBERSHIP_NAMES, _MEMBERSHIP_DATES, _MEMBERSHIP_SELECT = model_columns(Membership, "m")
_TOPIC_SQL = f"""
SELECT {_TOPIC_SELECT}, {_CIRCLE_SELECT}, r."read_at", {_MEMBERSHIP_SELECT}
FROM "{Topic._meta.db_table}" t
JOIN "{Circle._meta.db_table}" c ON c."id" = t."circle_id"
LEFT JOIN "{TopicRead._meta.db_table}" r ON r."topic_id" = t."id" AND r."user_id" = %(viewer)s
LEFT JOIN "{Membership._meta.db_table}" m ON m."circle_id" = c."id" AND m."user_id" = %(viewer)s
WHERE t."id" = %(topic)s
"""  # noqa: S608


def _topic_from(db: str, row: Any) -> Topic | None:
    if row is None:
        return None
    topic_end = len(_TOPIC_NAMES)
    circle_end = topic_end + len(_CIRCLE_NAMES)
    topic = instance(db, Topic, _TOPIC_NAMES, _TOPIC_DATES, row[:topic_end])
    topic.circle = instance(db, Circle, _CIRCLE_NAMES, _CIRCLE_DATES, row[topic_end:circle_end])
    topic.read_at = aware(row[circle_end])
    membership = row[circle_end + 1 :]
    topic.viewer_membership = (
        instance(db, Membership, _MEMBERSHIP_NAMES, _MEMBERSHIP_DATES, membership)
        if membership[0] is not None
        else None
    )
    return topic


# A post row: what the topic page shows of a post and nothing more; it is also the key of the row's
# cached markup (fragments.py), so every field here must be one the row template reads. A post waiting
# for approval (pre-moderation) is a row for its author only; moderators decide it from their queue.
PostRow = namedtuple(
    "PostRow",
    [
        "id",
        "created_at",
        "is_opening",
        "anonymous",
        "hidden",
        "awaiting_approval",
        "deleted_at",
        "edited_at",
        "content_note",
        "body_html",
        "strength_count",
        "me_too_count",
        "celebrate_count",
        "author_id",
        "author_name",
        "author_avatar",
    ],
)
_DATES = {"created_at", "deleted_at", "edited_at"}
_POST_COLUMNS = ", ".join(f'p."{Post._meta.get_field(f).column}"' for f in PostRow._fields[:14])  # type: ignore[union-attr]
# The viewer's reactions to each post as one number, a bit per kind: one subquery to plan, not three.
_BITS = {kind: 1 << i for i, kind in enumerate(Reaction.KINDS)}
_CASES = " ".join(f"WHEN '{kind}' THEN {bit}" for kind, bit in _BITS.items())
_MINE = (
    f'(SELECT SUM(CASE m."kind" {_CASES} ELSE 0 END) FROM "{Reaction._meta.db_table}" m'  # noqa: S608
    ' WHERE m."post_id" = p."id" AND m."user_id" = %(viewer)s)'
)

# Pages follow the (created_at, id) key, forward or backward, as core.pagination does.
_AFTER = {
    "": "",
    "ASC": 'AND (p."created_at" > %(at)s OR (p."created_at" = %(at)s AND p."id" > %(id)s))',
    "DESC": 'AND (p."created_at" < %(at)s OR (p."created_at" = %(at)s AND p."id" < %(id)s))',
}
_POSTS_SQL = f"""
SELECT {_POST_COLUMNS}, a."display_name", a."avatar", {_MINE}
FROM "{Post._meta.db_table}" p
JOIN "{User._meta.db_table}" a ON a."id" = p."author_id"
WHERE p."topic_id" = %(topic)s {{after}}
AND (p."awaiting_approval" = %(no)s OR p."author_id" = %(viewer)s)
ORDER BY p."created_at" {{order}}, p."id" {{order}}
LIMIT %(limit)s
"""  # noqa: S608
_POSTS_SQL_BY_SHAPE = {
    (order, keyed): _POSTS_SQL.format(order=order, after=_AFTER[order] if keyed else "")
    for order in ("ASC", "DESC")
    for keyed in (False, True)
}
_DATE_AT = [name in _DATES for name in PostRow._fields]


def _posts_params(
    db: BaseDatabaseWrapper,
    topic_id: int,
    viewer_id: int | None,
    key: tuple[dt.datetime, int] | None,
    limit: int,
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "topic": topic_id,
        "viewer": viewer_id,
        "limit": limit,
        "no": False,
    }
    if key is not None:
        params["at"] = db.ops.adapt_datetimefield_value(key[0])
        params["id"] = key[1]
    return params


def post_rows(
    topic_id: int,
    viewer_id: int | None,
    *,
    key: tuple[dt.datetime, int] | None,
    backward: bool,
    limit: int,
) -> tuple[list[PostRow], set[tuple[int, str]]]:
    """Up to `limit` posts after `key` (before it when `backward`, newest first), and the viewer's reactions to them."""
    # The replica on the pages that allow it (core.db_router): raw SQL does not pass the router by itself.
    db = read_connection(Post)
    with db.cursor() as cursor:
        cursor.execute(
            _POSTS_SQL_BY_SHAPE[_order(backward), key is not None],
            _posts_params(db, topic_id, viewer_id, key, limit),
        )
        return _posts_from(db, cursor.fetchall())


def topic_and_posts(
    topic_id: int,
    viewer_id: int | None,
    *,
    key: tuple[dt.datetime, int] | None,
    backward: bool,
    limit: int,
) -> tuple[Topic | None, list[PostRow], set[tuple[int, str]]]:
    """`topic_with_read_mark` and `post_rows` together, in one round trip to PostgreSQL.

    The posts are read before anyone knows whether the viewer may see the topic; the caller checks,
    and drops them unseen when not. On PostgreSQL both statements go in one message (the client-side
    binding cursor Django uses allows several); SQLite runs in the process, so it simply runs two.
    """
    db = read_connection(Topic)
    params = _posts_params(db, topic_id, viewer_id, key, limit)
    posts_sql = _POSTS_SQL_BY_SHAPE[_order(backward), key is not None]
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(f"{_TOPIC_SQL};{posts_sql}", params)
            topic = _topic_from(db.alias, cursor.fetchone())
            cursor.nextset()
        else:
            cursor.execute(_TOPIC_SQL, params)
            topic = _topic_from(db.alias, cursor.fetchone())
            cursor.execute(posts_sql, params)
        rows, mine = _posts_from(db, cursor.fetchall())
    return topic, rows, mine


def _order(backward: bool) -> str:
    return "DESC" if backward else "ASC"


def _posts_from(db: BaseDatabaseWrapper, fetched: list[Any]) -> tuple[list[PostRow], set[tuple[int, str]]]:
    width = len(PostRow._fields)
    naive = not db.features.supports_timezones
    rows: list[PostRow] = []
    mine: set[tuple[int, str]] = set()
    for values in fetched:
        fields, pressed = values[:width], values[width]
        if naive:
            fields = [aware(v) if d else v for v, d in zip(fields, _DATE_AT, strict=True)]
        row = PostRow._make(fields)
        rows.append(row)
        if pressed:
            mine.update((row.id, kind) for kind, bit in _BITS.items() if pressed & bit)
    return rows, mine


# A row of a circle's topic list: the topic, the viewer's read mark, and the opening post's anonymity,
# content note and author's name; exactly what the circle page shows of a topic. The opening post is
# joined on the bare `is_opening` column, as the one_opening_post_per_topic index is written: SQLite
# then finds it through that partial index instead of walking every reply of the topic.
TopicRow = namedtuple(
    "TopicRow",
    [
        "id",
        "title",
        "pinned",
        "locked",
        "hidden",
        "is_celebration",
        "reply_count",
        "last_activity_at",
        "read_at",
        "anonymous",
        "content_note",
        "author_name",
    ],
)
_TOPIC_ROW_COLUMNS = ", ".join(f't."{Topic._meta.get_field(f).column}"' for f in TopicRow._fields[:8])  # type: ignore[union-attr]
# The list's key (pinned, last activity, id), all descending: compared as one row value, it is a range
# of the topic_list_order index, so an older page costs what the first one does. Spelt out as
# "pinned < p OR (pinned = p AND ...)" instead, the database walks every newer topic to reach it.
_TOPIC_ROWS_SQL = f"""
SELECT {_TOPIC_ROW_COLUMNS}, r."read_at", p."anonymous", p."content_note", a."display_name"
FROM "{Topic._meta.db_table}" t
LEFT JOIN "{TopicRead._meta.db_table}" r ON r."topic_id" = t."id" AND r."user_id" = %(viewer)s
LEFT JOIN "{Post._meta.db_table}" p ON p."topic_id" = t."id" AND p."is_opening"
LEFT JOIN "{User._meta.db_table}" a ON a."id" = p."author_id"
WHERE t."circle_id" = %(circle)s AND t."deleted_at" IS NULL {{hidden}} {{after}}
ORDER BY t."pinned" DESC, t."last_activity_at" DESC, t."id" DESC
LIMIT %(limit)s
"""  # noqa: S608
_TOPIC_ROWS_SQL_BY_SHAPE = {
    (with_hidden, keyed): _TOPIC_ROWS_SQL.format(
        hidden="" if with_hidden else 'AND t."hidden" = %(no)s',
        after='AND (t."pinned", t."last_activity_at", t."id") < (%(pinned)s, %(at)s, %(id)s)' if keyed else "",
    )
    for with_hidden in (False, True)
    for keyed in (False, True)
}
_TOPIC_ROW_DATES = [name in {"last_activity_at", "read_at"} for name in TopicRow._fields]


def topic_rows(
    circle_id: int,
    viewer_id: int | None,
    *,
    with_hidden: bool,
    key: tuple[bool, dt.datetime, int] | None,
    limit: int,
) -> list[TopicRow]:
    """Up to `limit` topics of the circle after `key`, pinned first then newest activity; deleted ones never,
    hidden ones only `with_hidden`."""
    db = read_connection(Topic)
    params: dict[str, Any] = {
        "circle": circle_id,
        "viewer": viewer_id,
        "limit": limit,
        "no": False,
    }
    if key is not None:
        params.update(pinned=key[0], at=db.ops.adapt_datetimefield_value(key[1]), id=key[2])
    with db.cursor() as cursor:
        cursor.execute(_TOPIC_ROWS_SQL_BY_SHAPE[with_hidden, key is not None], params)
        fetched = cursor.fetchall()
    if db.features.supports_timezones:
        return [TopicRow._make(values) for values in fetched]
    return [
        TopicRow._make(aware(v) if d else v for v, d in zip(values, _TOPIC_ROW_DATES, strict=True))
        for values in fetched
    ]
