# Reserved for the messages area's schema changes, so the two areas never race for migration numbers.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("peers", "0002_mentoring")]
    operations: list = []
