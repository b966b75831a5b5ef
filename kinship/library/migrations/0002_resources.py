# Reserved for the resources area: its schema changes go here (written by hand or copied from
# `makemigrations library --dry-run -v 3`), so the four areas never race for migration numbers.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]
    operations: list = []
