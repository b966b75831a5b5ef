# Two optional emails of peer mentoring (kinship.peers.mentoring): on by default, like every kind.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_add_referral_emails'),
    ]

    operations = [
        migrations.AddField(
            model_name='emailpreference',
            name='mentor_request',
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name='emailpreference',
            name='mentorship_update',
            field=models.BooleanField(default=True),
        ),
    ]
