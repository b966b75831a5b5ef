# PostgreSQL only: the newest replies' vectors in a small table with its own GIN index, kept by
# triggers (see kinship/search/schema.py, "The newest replies"). SQLite's FTS5 already reads a
# word's newest rows first, so it needs nothing.
from django.db import migrations

from kinship.search import schema

# Frozen here, as in 0001.
REPLIES = ("reply", "discussions_post", (("body", "B"),))
WINDOW = 100_000


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in schema.pg_recent_install_sql(schema.source_from(REPLIES), WINDOW):
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in schema.pg_recent_uninstall_sql(schema.source_from(REPLIES)):
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_full_text_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
