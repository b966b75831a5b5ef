# The full-text index: PostgreSQL generated tsvector columns with GIN indexes, or SQLite FTS5
# tables kept current by triggers (see kinship/search/schema.py). Written by hand: Django's
# model state knows nothing of these structures, so `makemigrations` never sees them.
from django.db import migrations

from kinship.search import schema

# Frozen here: a later change to what is searched is a new migration, not an edit of this one.
SOURCES = (
    ("topic", "discussions_topic", (("title", "A"),)),
    ("reply", "discussions_post", (("body", "B"),)),
    ("tip", "library_tip", (("body", "B"),)),
    ("resource", "library_resource", (("name", "A"), ("description", "B"), ("eligibility", "C"), ("region", "C"))),
    ("material", "library_material", (("title", "A"), ("description", "B"), ("source", "C"))),
    ("event", "events_event", (("title", "A"), ("description", "B"))),
    ("question", "qa_question", (("body", "A"), ("answer", "B"))),
)


def forwards(apps, schema_editor):
    schema.install(schema_editor, SOURCES)


def backwards(apps, schema_editor):
    schema.uninstall(schema_editor, SOURCES)


class Migration(migrations.Migration):
    dependencies = [
        ("circles", "0002_add_removed_status"),
        ("discussions", "0001_initial"),
        ("events", "0002_question_settings"),
        ("qa", "0001_create_qa"),
        ("library", "0005_referrals"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
