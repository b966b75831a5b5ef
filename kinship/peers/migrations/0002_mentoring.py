# Reserved for the mentoring area's schema changes, so the two areas never race for migration numbers.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("peers", "0001_initial")]
    operations: list = []
