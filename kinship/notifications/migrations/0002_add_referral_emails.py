# Two optional emails of the referrals area (kinship.library.referrals): on by default, like every kind.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0001_create_email_preferences'),
    ]

    operations = [
        migrations.AddField(
            model_name='emailpreference',
            name='referral_suggested',
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name='emailpreference',
            name='referral_follow_up',
            field=models.BooleanField(default=True),
        ),
    ]
