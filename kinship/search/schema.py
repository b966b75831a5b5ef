"""The full-text index structures, kept in the database so every write keeps them current.

PostgreSQL: a stored generated `tsvector` column (`search_vector`) on each searched table, weighted
by column, with a GIN index. SQLite: an FTS5 external-content table (`search_<type>`) per searched
table, kept current by triggers on insert, update of the searched columns, and delete.

Because the database maintains them, the index follows every write whatever code path made it
(services, the admin, `QuerySet.update`, raw SQL, bulk loads). Visibility is never indexed: hidden,
deleted and circle rules are read from the source rows at query time.

PostgreSQL also keeps the newest replies' vectors in a small table of their own with its own GIN
index (`search_recent_reply`, see "The newest replies" below): a word with thousands of matches in
a million replies has a few hundred among the newest, and that index finds them without reading
the big one's match list.

Migrations pass their own frozen copy of the sources to `install`/`uninstall`, so a later change
to `SOURCES` needs a new migration, and `repair_sqlite` (run after every `migrate`) puts back
triggers that a SQLite table rebuild dropped.
"""

from dataclasses import dataclass
from typing import Any

# Porter stemming, Unicode word rules, and accents folded ("café" finds "cafe").
FTS5_TOKENIZE = "porter unicode61 remove_diacritics 2"
PG_CONFIG = "english"
VECTOR_COLUMN = "search_vector"
# ts_rank weights are A > B > C > D; bm25 column weights mirror them.
BM25_WEIGHTS = {"A": 10.0, "B": 4.0, "C": 2.0, "D": 1.0}


@dataclass(frozen=True)
class Source:
    """One searched table: its item type, table, and searched columns with their weight (A..D)."""

    type: str
    table: str
    columns: tuple[tuple[str, str], ...]

    @property
    def fts_table(self) -> str:
        return f"search_{self.type}"

    @property
    def index_name(self) -> str:
        return f"search_{self.type}_vector"

    @property
    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]

    @property
    def bm25_weights(self) -> str:
        return ", ".join(str(BM25_WEIGHTS[weight]) for _, weight in self.columns)


SOURCES: tuple[Source, ...] = (
    Source("topic", "discussions_topic", (("title", "A"),)),
    Source("reply", "discussions_post", (("body", "B"),)),
    Source("tip", "library_tip", (("body", "B"),)),
    Source(
        "resource",
        "library_resource",
        (("name", "A"), ("description", "B"), ("eligibility", "C"), ("region", "C")),
    ),
    Source("material", "library_material", (("title", "A"), ("description", "B"), ("source", "C"))),
    Source("event", "events_event", (("title", "A"), ("description", "B"))),
    Source("question", "qa_question", (("body", "A"), ("answer", "B"))),
)
BY_TYPE = {source.type: source for source in SOURCES}


def source_from(raw: Any) -> Source:
    """A Source from a migration's frozen tuple (type, table, ((column, weight), ...))."""
    if isinstance(raw, Source):
        return raw
    kind, table, columns = raw
    return Source(kind, table, tuple((name, weight) for name, weight in columns))


# PostgreSQL ----------------------------------------------------------------------------------


def pg_vector_expression(source: Source) -> str:
    parts = [
        f"setweight(to_tsvector('{PG_CONFIG}'::regconfig, coalesce({name}, '')), '{weight}')"
        for name, weight in source.columns
    ]
    return " || ".join(parts)


def pg_install_sql(source: Source) -> list[str]:
    return [
        f"ALTER TABLE {source.table} ADD COLUMN {VECTOR_COLUMN} tsvector "
        f"GENERATED ALWAYS AS ({pg_vector_expression(source)}) STORED",
        f"CREATE INDEX {source.index_name} ON {source.table} USING gin ({VECTOR_COLUMN})",
    ]


def pg_uninstall_sql(source: Source) -> list[str]:
    return [
        f"DROP INDEX IF EXISTS {source.index_name}",
        f"ALTER TABLE {source.table} DROP COLUMN IF EXISTS {VECTOR_COLUMN}",
    ]


# PostgreSQL: the newest replies ------------------------------------------------------------
#
# `search_recent_reply (id, search_vector)` holds the vector of every reply among the newest ids,
# kept by triggers on the replies table: a bulk insert adds its rows in one statement, an edit of
# the text replaces the vector, a delete or TRUNCATE takes rows out. `fit_recent` (a sweep every
# minute, see tasks.py) takes out the rows that fell out of the window, puts back any the window
# reached down to again (deleting the newest replies moves it down), and merges the index's
# pending list. Until then they are only extra rows: the search reads the window by id as well.

# The search's window (backends.WINDOW): how many of the newest ids it looks through first.
RECENT_WINDOW = 100_000
# Kept beyond the window, so that deleting up to this many of the newest replies between two sweeps
# leaves no hole at the window's old end.
RECENT_MARGIN = 10_000
RECENT_TYPES = ("reply",)


def recent_table(source: Source) -> str:
    return f"search_recent_{source.type}"


def pg_recent_install_sql(source: Source, window: int) -> list[str]:
    table, recent = source.table, recent_table(source)
    upsert = (
        f"INSERT INTO {recent} (id, {VECTOR_COLUMN}) SELECT id, {VECTOR_COLUMN} FROM {{rows}} "  # noqa: S608
        f"ON CONFLICT (id) DO UPDATE SET {VECTOR_COLUMN} = EXCLUDED.{VECTOR_COLUMN}"
    )
    # Statement-level triggers with transition tables: a bulk insert or delete of many rows is one
    # statement here too. An update is followed per row, and only when the searched text changed.
    functions = {
        "added": upsert.format(rows="added"),
        "edited": f"UPDATE {recent} SET {VECTOR_COLUMN} = NEW.{VECTOR_COLUMN} WHERE id = NEW.id",  # noqa: S608
        "removed": f"DELETE FROM {recent} WHERE id IN (SELECT id FROM removed)",  # noqa: S608
        "emptied": f"TRUNCATE {recent}",
    }
    columns = ", ".join(source.column_names)
    triggers = {
        "added": f"AFTER INSERT ON {table} REFERENCING NEW TABLE AS added FOR EACH STATEMENT",
        "edited": f"AFTER UPDATE OF {columns} ON {table} FOR EACH ROW",
        "removed": f"AFTER DELETE ON {table} REFERENCING OLD TABLE AS removed FOR EACH STATEMENT",
        "emptied": f"AFTER TRUNCATE ON {table} FOR EACH STATEMENT",
    }
    # The triggers first: creating them waits for writes in flight and holds new ones until the
    # migration commits, so the copy that follows misses no row. The index last: built once, not
    # row by row.
    return [
        f"CREATE TABLE {recent} (id bigint PRIMARY KEY, {VECTOR_COLUMN} tsvector NOT NULL)",
        *(
            f"CREATE FUNCTION {recent}_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {statement}; RETURN NULL; END $$"
            for name, statement in functions.items()
        ),
        *(
            f"CREATE TRIGGER {recent}_{name} {when} EXECUTE FUNCTION {recent}_{name}()"
            for name, when in triggers.items()
        ),
        f"INSERT INTO {recent} (id, {VECTOR_COLUMN}) SELECT id, {VECTOR_COLUMN} FROM {table} "  # noqa: S608
        f"WHERE id > (SELECT coalesce(max(id), 0) FROM {table}) - {int(window)} ON CONFLICT (id) DO NOTHING",
        f"CREATE INDEX {recent}_vector ON {recent} USING gin ({VECTOR_COLUMN})",
    ]


def recent_tables() -> list[str]:
    return [recent_table(BY_TYPE[kind]) for kind in RECENT_TYPES]


def pg_recent_uninstall_sql(source: Source) -> list[str]:
    recent = recent_table(source)
    names = ("added", "edited", "removed", "emptied")
    return [
        *(f"DROP TRIGGER IF EXISTS {recent}_{name} ON {source.table}" for name in names),
        *(f"DROP FUNCTION IF EXISTS {recent}_{name}()" for name in names),
        f"DROP TABLE IF EXISTS {recent}",
    ]


def fit_recent(connection: Any, keep: int | None = None) -> tuple[int, int]:
    """Fit the recent index to the newest `keep` ids (the window and its margin): (rows taken out, put back).

    Nothing to do on SQLite."""
    if connection.vendor != "postgresql":
        return (0, 0)
    keep = RECENT_WINDOW + RECENT_MARGIN if keep is None else keep
    removed = added = 0
    with connection.cursor() as cursor:
        for kind in RECENT_TYPES:
            source = BY_TYPE[kind]
            recent, table = recent_table(source), source.table
            # No replies at all: max() is NULL and nothing is taken out or put back.
            edge = f"(SELECT max(id) FROM {table}) - %s"  # noqa: S608
            cursor.execute(f"DELETE FROM {recent} WHERE id <= {edge}", [keep])  # noqa: S608
            removed += cursor.rowcount
            cursor.execute(
                f"INSERT INTO {recent} (id, {VECTOR_COLUMN}) SELECT id, {VECTOR_COLUMN} FROM {table} "  # noqa: S608
                f"WHERE id > {edge} AND id < coalesce((SELECT min(id) FROM {recent}), {edge} + %s + 1) "
                "ON CONFLICT (id) DO NOTHING",
                [keep, keep, keep],
            )
            added += cursor.rowcount
            # New rows wait in the GIN index's pending list, which every search reads in full until
            # it is merged (by autovacuum, or once it outgrows gin_pending_list_limit): merge it now.
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [f"{recent}_vector"])
    return (removed, added)


# SQLite --------------------------------------------------------------------------------------


def _trigger_names(source: Source) -> list[str]:
    return [f"{source.fts_table}_{suffix}" for suffix in ("ai", "ad", "au")]


def sqlite_trigger_sql(source: Source) -> list[str]:
    fts, table = source.fts_table, source.table
    cols = ", ".join(source.column_names)
    new = ", ".join(f"new.{c}" for c in source.column_names)
    old = ", ".join(f"old.{c}" for c in source.column_names)
    # External content: a 'delete' must carry the values that were indexed, which old.* are.
    add = f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new});"  # noqa: S608
    remove = f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old});"  # noqa: S608
    ai, ad, au = _trigger_names(source)
    return [
        f"CREATE TRIGGER IF NOT EXISTS {ai} AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER IF NOT EXISTS {ad} AFTER DELETE ON {table} BEGIN {remove} END",
        # Only the searched columns: a reaction count or a hidden flag changing re-indexes nothing.
        f"CREATE TRIGGER IF NOT EXISTS {au} AFTER UPDATE OF {cols} ON {table} BEGIN {remove} {add} END",
    ]


def sqlite_install_sql(source: Source) -> list[str]:
    fts = source.fts_table
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5({', '.join(source.column_names)}, "
        f"content='{source.table}', content_rowid='id', tokenize='{FTS5_TOKENIZE}')",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",  # noqa: S608
        *sqlite_trigger_sql(source),
    ]


def sqlite_uninstall_sql(source: Source) -> list[str]:
    return [
        *(f"DROP TRIGGER IF EXISTS {name}" for name in _trigger_names(source)),
        f"DROP TABLE IF EXISTS {source.fts_table}",
    ]


# Both ----------------------------------------------------------------------------------------


def install(schema_editor: Any, sources: Any) -> None:
    vendor = schema_editor.connection.vendor
    for raw in sources:
        source = source_from(raw)
        if vendor == "postgresql":
            statements = pg_install_sql(source)
        elif vendor == "sqlite":
            statements = sqlite_install_sql(source)
        else:  # pragma: no cover - the project runs on these two only
            raise RuntimeError(f"Search has no index for the {vendor} database.")
        for sql in statements:
            schema_editor.execute(sql)


def uninstall(schema_editor: Any, sources: Any) -> None:
    vendor = schema_editor.connection.vendor
    for raw in reversed(list(sources)):
        source = source_from(raw)
        statements = pg_uninstall_sql(source) if vendor == "postgresql" else sqlite_uninstall_sql(source)
        for sql in statements:
            schema_editor.execute(sql)


def repair_sqlite(connection: Any, sources: tuple[Source, ...] = SOURCES) -> list[str]:
    """Put back triggers a table rebuild dropped, and rebuild those indexes; returns the types repaired.

    Django alters a SQLite table by copying it into a new one and dropping the old, and the old
    one's triggers go with it. The FTS table survives (it names the table, not the old copy), but
    it would stop following writes. Run after every migrate (see apps.py).
    """
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {(kind, name) for kind, name in cursor.fetchall()}
        repaired = []
        for source in sources:
            if ("table", source.fts_table) not in present or ("table", source.table) not in present:
                continue  # not installed yet (or a migration is being reversed)
            if all(("trigger", name) in present for name in _trigger_names(source)):
                continue
            for sql in sqlite_trigger_sql(source):
                cursor.execute(sql)
            cursor.execute(f"INSERT INTO {source.fts_table}({source.fts_table}) VALUES ('rebuild')")  # noqa: S608
            repaired.append(source.type)
    return repaired
