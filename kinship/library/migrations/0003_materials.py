# The materials area: a material is exactly one of a link and a PDF, and carries a known theme.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("library", "0002_resources")]
    operations = [
        migrations.AddConstraint(
            model_name="material",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "link"), models.Q(("url", ""), _negated=True), ("file", "")),
                    models.Q(("kind", "pdf"), ("url", ""), models.Q(("file", ""), _negated=True)),
                    _connector="OR",
                ),
                name="library_material_link_or_pdf",
            ),
        ),
        migrations.AddConstraint(
            model_name="material",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "theme__in",
                        [
                            "pain",
                            "physio",
                            "prosthetics",
                            "school_work",
                            "nutrition",
                            "mental_health",
                            "daily_living",
                            "treatment",
                        ],
                    )
                ),
                name="library_material_theme",
            ),
        ),
    ]
