# The batched new-messages email of private messages (kinship.peers.tasks_messages): on by default.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0003_add_mentoring_emails'),
    ]

    operations = [
        migrations.AddField(
            model_name='emailpreference',
            name='new_messages',
            field=models.BooleanField(default=True),
        ),
    ]
