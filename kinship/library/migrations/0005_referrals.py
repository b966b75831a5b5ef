# Reserved for the referrals area: its schema changes go here (written by hand or copied from
# `makemigrations library --dry-run -v 3`), so the four areas never race for migration numbers.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("library", "0004_tips")]
    operations = [
        # The follow-up is 1 to 90 days after the referral or its last open status change.
        migrations.AddConstraint(
            model_name="referral",
            constraint=models.CheckConstraint(
                condition=models.Q(("follow_up_days__gte", 1), ("follow_up_days__lte", 90)),
                name="library_referral_follow_up_days",
            ),
        ),
    ]
