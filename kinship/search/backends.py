"""One search interface, two implementations: PostgreSQL full-text search and SQLite FTS5.

Each backend answers two questions, each in one SQL statement:

- `rank(kind, parsed, where, limit)`: the best `limit` rows of one searched table that match
  the query and pass the visibility condition `where` (built by queries.py from the access
  rules), with a relevance score where higher is better;
- `snippets(parsed, hits)`: a highlighted snippet for each row of the page shown, all types at
  once, the matches wrapped in snippets.START/STOP (never HTML; snippets.to_html escapes).

Bounded work: a query matching a large part of a table (a common word over a million replies)
would otherwise rank every match. Both backends rank the CANDIDATES most recent visible matches
(highest id first): every match when there are fewer, and beyond that the best of the newest.

- SQLite: FTS5 walks a term's row ids in descending order by itself, so the newest matches come
  first at no extra cost and the walk stops once CANDIDATES visible rows are found.
- PostgreSQL: the GIN index gives matches in table order, and reading all of them costs one heap
  visit each (about 200 ms for 55,000 matches). So each type looks through the newest WINDOW rows
  first. One statement reads at most PROBE+1 of the window's matches through an index: for
  replies the small one of schema's recent-replies table, for the other types (smaller than the
  window) their own. At most PROBE: the newest visible ones are ranked. More: the word is dense,
  and the primary key is walked backwards over the window, testing each row, which at that
  density finds the newest visible matches within a few thousand rows. Either way, if fewer than
  CANDIDATES turn up, visible ones from a sample of older matches make up the number. A word found
  dense is remembered in the cache for COMMON_SECONDS, so its next searches skip the probe. See
  docs/search.md for figures and the worst case.

The SQL is composed from table and column names written here (hence the file-wide `noqa: S608`);
every value, from the query or the viewer, goes in as a parameter.
"""

# ruff: noqa: S608

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kinship.core.db_router import read_connection
from kinship.discussions.models import Post
from kinship.search import querytext, schema, snippets
from kinship.search.querytext import Parsed

# How many of the most recent visible matches of one type are ranked.
CANDIDATES = 500
# PostgreSQL: past this many matches of one type, read the newest rows backwards instead of every match.
PROBE = 4000
# PostgreSQL: a word's newest matches are looked for among this many newest rows first, through the
# recent replies' own index (which the sweep keeps to this window and a margin, see schema.py) or by
# walking them backwards.
WINDOW = schema.RECENT_WINDOW
# PostgreSQL: how long a query found dense stays known as such (in the cache), so its next searches
# skip the probe. A word that stops being dense meanwhile is only slower, never wrong.
COMMON_SECONDS = 600
SNIPPET_TOKENS = 24


@dataclass(frozen=True)
class Where:
    """A visibility condition on one type's query: SQL over the aliases of its FROM, and its params."""

    sql: str
    params: tuple[Any, ...] = ()


class Sql:
    """A piece of SQL and its parameters, in order; `+` joins pieces (or plain SQL text)."""

    def __init__(self, text: str = "", *params: Any) -> None:
        self.text = text
        self.params = list(params)

    def __add__(self, other: "Sql | str") -> "Sql":
        joined = Sql(self.text, *self.params)
        if isinstance(other, Sql):
            joined.text += other.text
            joined.params += other.params
        else:
            joined.text += other
        return joined


@dataclass
class Hit:
    """One matching row, with what its result line shows except the snippet."""

    type: str
    id: int
    score: float
    created_at: dt.datetime
    title: str
    circle_slug: str | None
    circle_name: str | None
    event_id: int | None
    starts_at: dt.datetime | None
    content_note: str


# What each type reads for its result line, and how it joins to its circle; `s` is the searched table.
# The expressions, in order: created_at, title, circle slug, circle name, event id, starts_at, content note.
_NAMES = ("created_at", "title", "slug", "name", "event_id", "starts_at", "note")
_SHAPES: dict[str, tuple[tuple[str, ...], str]] = {
    "topic": (
        ("s.created_at", "s.title", "c.slug", "c.name", "NULL", "NULL", "''"),
        "discussions_topic s JOIN circles_circle c ON c.id = s.circle_id",
    ),
    "reply": (
        ("s.created_at", "t.title", "c.slug", "c.name", "NULL", "NULL", "s.content_note"),
        "discussions_post s JOIN discussions_topic t ON t.id = s.topic_id JOIN circles_circle c ON c.id = t.circle_id",
    ),
    "tip": (("s.created_at", "substr(s.body, 1, 120)", "NULL", "NULL", "NULL", "NULL", "''"), "library_tip s"),
    "resource": (("s.created_at", "s.name", "NULL", "NULL", "NULL", "NULL", "''"), "library_resource s"),
    "material": (("s.created_at", "s.title", "NULL", "NULL", "NULL", "NULL", "''"), "library_material s"),
    "event": (
        ("s.created_at", "s.title", "c.slug", "c.name", "s.id", "s.starts_at", "''"),
        "events_event s JOIN circles_circle c ON c.id = s.circle_id",
    ),
    "question": (
        ("s.created_at", "substr(s.body, 1, 200)", "c.slug", "c.name", "s.event_id", "NULL", "''"),
        "qa_question s JOIN events_event e ON e.id = s.event_id JOIN circles_circle c ON c.id = e.circle_id",
    ),
}
_OUTER = ", ".join(_NAMES)


def _columns(kind: str) -> str:
    return ", ".join(f"{expr} AS {name}" for expr, name in zip(_SHAPES[kind][0], _NAMES, strict=True))


# The text a snippet is cut from, per type, on PostgreSQL (SQLite's snippet() picks the best column).
_PG_SNIPPET_TEXT = {
    "topic": "s.title",
    "reply": "s.body",
    "tip": "s.body",
    "resource": "concat_ws(' — ', s.name, s.description, s.eligibility, s.region)",
    "material": "concat_ws(' — ', s.title, s.description, s.source)",
    "event": "concat_ws(' — ', s.title, s.description)",
    "question": "concat_ws(' — ', s.body, s.answer)",
}
_PG_HEADLINE = (
    f"StartSel={snippets.START}, StopSel={snippets.STOP}, MaxWords=30, MinWords=12, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)
_PG_HEADLINE_ALL = f"StartSel={snippets.START}, StopSel={snippets.STOP}, HighlightAll=true"


def _aware(value: Any) -> Any:
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value


def _hit(kind: str, row: tuple[Any, ...]) -> Hit:
    pk, score, created_at, title, slug, name, event_id, starts_at, note = row
    return Hit(
        type=kind,
        id=int(pk),
        score=float(score or 0.0),
        created_at=_aware(created_at),
        title=title or "",
        circle_slug=slug,
        circle_name=name,
        event_id=event_id,
        starts_at=_aware(starts_at),
        content_note=note or "",
    )


class Backend:
    vendor = ""

    def rank(self, kind: str, parsed: Parsed, where: Where, limit: int) -> list[Hit]:
        raise NotImplementedError

    def snippets(self, parsed: Parsed, hits: list[Hit]) -> dict[tuple[str, int], str]:
        raise NotImplementedError

    def _run(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        # The replica when the search page reads from it (core.db_router): raw SQL skips the router.
        with read_connection(Post).cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())


class PostgresBackend(Backend):
    """Stored generated tsvector columns with GIN indexes; websearch_to_tsquery, ts_rank_cd, ts_headline."""

    vendor = "postgresql"
    _TSQUERY = f"websearch_to_tsquery('{schema.PG_CONFIG}'::regconfig, %s)"

    def rank(self, kind: str, parsed: Parsed, where: Where, limit: int) -> list[Hit]:
        text = querytext.to_websearch(parsed)
        if text is None:
            return []
        source, tables = schema.BY_TYPE[kind], _SHAPES[kind][1]
        table = source.table
        # The newest rows' own index where there is one (replies): the probe reads the window's
        # matches without going through the whole table's.
        probed = schema.recent_table(source) if kind in schema.RECENT_TYPES else table
        tsquery = Sql(self._TSQUERY, text)
        # querytree() is 'T' for a query that only excludes: such a query never runs over the index.
        matches = Sql(f"{schema.VECTOR_COLUMN} @@ ") + tsquery + " AND querytree(" + tsquery + ") <> 'T'"
        candidate = f"SELECT s.id AS id, s.{schema.VECTOR_COLUMN} AS vec, {_columns(kind)} FROM {tables} WHERE "
        visible = Sql(f"({where.sql})", *where.params)
        order = f" ORDER BY s.id DESC LIMIT {CANDIDATES}"
        edge = f"(SELECT max(id) FROM {table}) - {WINDOW}"
        # Dense: the newest visible matches among the newest WINDOW rows, walking the primary key
        # backwards (ts_match_vq() is @@ as a function, which keeps the planner off the GIN index).
        walk = (
            Sql(f"{candidate}s.id > {edge} AND ts_match_vq(s.{schema.VECTOR_COLUMN}, ")
            + tsquery
            + ") AND querytree("
            + tsquery
            + ") <> 'T' AND "
            + visible
        )
        # Past the window: visible ones from a sample of older matches read through GIN, when the
        # window had fewer than CANDIDATES, so that a word common only long ago still finds something.
        # Skipped at once when the window is the whole table (the `+ 0` keeps the planner on GIN).
        sample = Sql(f"SELECT id FROM {table} WHERE id + 0 <= {edge} AND ") + matches + f" LIMIT {PROBE}"
        found = "(SELECT count(*) FROM newest)"
        fewer = f"{found} < {CANDIDATES} AND (SELECT min(id) FROM {table}) <= {edge}"
        older = (
            Sql(f"{candidate}s.id = ANY(ARRAY(")
            + sample
            + f")) AND {fewer} AND "
            + visible
            + f" ORDER BY s.id DESC LIMIT {CANDIDATES} - {found}"
        )
        ranked = Sql("SELECT id, ts_rank_cd(vec, ") + tsquery + f") AS score, {_OUTER}"
        tail = Sql(" FROM (SELECT * FROM newest UNION ALL (") + older + ")) AS cand"
        common_key = _common_key(kind, text)
        if cache.get(common_key):
            sql = Sql("WITH newest AS MATERIALIZED (") + walk + order + ") " + ranked + f", {PROBE + 1}" + tail
        else:
            # Not known to be dense: read at most PROBE + 1 of the window's matches through GIN (the
            # `+ 0` keeps the planner on it). At most PROBE are all of them: rank the newest visible
            # ones by primary key lookups (= ANY(ARRAY(...)), never a walk of the table to merge with).
            # More: the word is dense, so walk as above.
            dense = f"(SELECT count(*) FROM probe) > {PROBE}"
            # The row's own vector is matched too: the recent index is a copy, and a copy that ever
            # fell behind an edit must not find a post by words taken out of it.
            listed = (
                Sql(f"{candidate}s.id = ANY(ARRAY(SELECT id FROM probe)) AND NOT {dense} AND ts_match_vq(s.")
                + f"{schema.VECTOR_COLUMN}, "
                + tsquery
                + ") AND "
                + visible
                + order
            )
            sql = (
                Sql(f"WITH probe AS MATERIALIZED (SELECT id FROM {probed} WHERE id + 0 > {edge} AND ")
                + matches
                + f" LIMIT {PROBE + 1}), newest AS MATERIALIZED (("
                + listed
                + ") UNION ALL ("
                + walk
                + f" AND {dense}"
                + order
                + ")) "
                + ranked
                + ", (SELECT count(*) FROM probe)"
                + tail
            )
        sql += Sql(" ORDER BY score DESC, id DESC LIMIT %s", limit)
        rows = self._run(sql.text, sql.params)
        if rows and rows[0][-1] > PROBE:
            cache.set(common_key, True, COMMON_SECONDS)
        return [_hit(kind, row[:-1]) for row in rows]

    def snippets(self, parsed: Parsed, hits: list[Hit]) -> dict[tuple[str, int], str]:
        text = querytext.to_websearch(parsed)
        if text is None or not hits:
            return {}
        parts: list[str] = []
        params: list[Any] = []
        for kind, ids in _ids_by_type(hits).items():
            options = _PG_HEADLINE_ALL if kind == "topic" else _PG_HEADLINE
            table = schema.BY_TYPE[kind].table
            marks = ", ".join(["%s"] * len(ids))
            headline = f"ts_headline('{schema.PG_CONFIG}'::regconfig, {_PG_SNIPPET_TEXT[kind]}, {self._TSQUERY}, %s)"
            parts.append(f"SELECT %s::text, s.id, {headline} FROM {table} s WHERE s.id IN ({marks})")
            params += [kind, text, options, *ids]
        return {(kind, int(pk)): snippet or "" for kind, pk, snippet in self._run(" UNION ALL ".join(parts), params)}


class SqliteBackend(Backend):
    """FTS5 external-content tables kept current by triggers; bm25() and snippet()."""

    vendor = "sqlite"

    def rank(self, kind: str, parsed: Parsed, where: Where, limit: int) -> list[Hit]:
        expression = querytext.to_fts5(parsed)
        if expression is None:
            return []
        source = schema.BY_TYPE[kind]
        fts = source.fts_table
        tables = _SHAPES[kind][1]
        # bm25() is lower for better matches; negated so that higher is better on both backends.
        sql = (
            f"SELECT id, score, {_OUTER} FROM ("
            f"SELECT s.id AS id, -bm25({fts}, {source.bm25_weights}) AS score, {_columns(kind)} "
            f"FROM {fts}, {tables} "
            f"WHERE {fts} MATCH %s AND s.id = {fts}.rowid AND ({where.sql}) "
            f"ORDER BY {fts}.rowid DESC LIMIT {CANDIDATES}"
            ") AS cand ORDER BY score DESC, id DESC LIMIT %s"
        )
        rows = self._run(sql, [expression, *where.params, limit])
        return [_hit(kind, row) for row in rows]

    def snippets(self, parsed: Parsed, hits: list[Hit]) -> dict[tuple[str, int], str]:
        expression = querytext.to_fts5(parsed)
        if expression is None or not hits:
            return {}
        parts: list[str] = []
        params: list[Any] = []
        for kind, ids in _ids_by_type(hits).items():
            fts = schema.BY_TYPE[kind].fts_table
            marks = ", ".join(["%s"] * len(ids))
            snippet = f"snippet({fts}, -1, %s, %s, %s, {SNIPPET_TOKENS})"
            # FTS5 seeks each `rowid IN` value through the whole doclist (about 0.2 ms each for a common
            # word); a rowid range is one short walk, and `+rowid IN` then only filters.
            parts.append(
                f"SELECT %s, rowid, {snippet} FROM {fts} WHERE {fts} MATCH %s "
                f"AND rowid BETWEEN %s AND %s AND +rowid IN ({marks})"
            )
            params += [kind, snippets.START, snippets.STOP, snippets.ELLIPSIS, expression, min(ids), max(ids), *ids]
        return {(kind, int(pk)): snippet or "" for kind, pk, snippet in self._run(" UNION ALL ".join(parts), params)}


def _common_key(kind: str, text: str) -> str:
    digest = hashlib.sha256(f"{kind}\n{text}".encode()).hexdigest()[:32]
    return f"search:common:{digest}"


def _ids_by_type(hits: list[Hit]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for hit in hits:
        found.setdefault(hit.type, []).append(hit.id)
    return found


_BACKENDS: dict[str, Backend] = {"postgresql": PostgresBackend(), "sqlite": SqliteBackend()}


def get_backend() -> Backend:
    """The implementation for the default database's vendor."""
    try:
        return _BACKENDS[connection.vendor]
    except KeyError:  # pragma: no cover - the project runs on these two only
        raise RuntimeError(f"Search has no backend for {connection.vendor}.") from None
