"""The resource directory, the library of vetted material, member tips and referrals.

Four areas share this module; each keeps to its own section below.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from kinship.core.models import TimestampedModel

# Themes shared by library material and member tips.
PAIN = "pain"
PHYSIO = "physio"
PROSTHETICS = "prosthetics"
SCHOOL_WORK = "school_work"
NUTRITION = "nutrition"
MENTAL_HEALTH = "mental_health"
DAILY_LIVING = "daily_living"
TREATMENT = "treatment"
THEME_CHOICES = [
    (PAIN, "Pain management"),
    (PHYSIO, "Physiotherapy and exercise"),
    (PROSTHETICS, "Prosthetics and mobility aids"),
    (SCHOOL_WORK, "School and work"),
    (NUTRITION, "Nutrition"),
    (MENTAL_HEALTH, "Mental health"),
    (DAILY_LIVING, "Daily living"),
    (TREATMENT, "Treatment and follow-up"),
]
THEMES = [value for value, _ in THEME_CHOICES]


# ---------------------------------------------------------------------------------------------
# Resource directory
# ---------------------------------------------------------------------------------------------


class Resource(TimestampedModel):
    HELPLINE = "helpline"
    FINANCIAL = "financial"
    SPECIALIST = "specialist"
    PHYSIOTHERAPY = "physiotherapy"
    PROSTHETICS = "prosthetics"
    COUNSELLING = "counselling"
    EDUCATION = "education"
    TRANSPORT = "transport"
    LEGAL = "legal"
    PEER = "peer"
    KIND_CHOICES = [
        (HELPLINE, "Helpline"),
        (FINANCIAL, "Financial assistance"),
        (SPECIALIST, "Specialist or sarcoma centre"),
        (PHYSIOTHERAPY, "Physiotherapy"),
        (PROSTHETICS, "Prosthetics and orthotics"),
        (COUNSELLING, "Counselling and mental health"),
        (EDUCATION, "Educational material"),
        (TRANSPORT, "Transport and accommodation"),
        (LEGAL, "Legal and employment advice"),
        (PEER, "Peer organisation"),
    ]
    KINDS = [value for value, _ in KIND_CHOICES]

    NAME_MAX = 200
    DESCRIPTION_MAX = 5000

    kind = models.CharField(max_length=16, choices=KIND_CHOICES)
    name = models.CharField(max_length=NAME_MAX)
    description = models.TextField(max_length=DESCRIPTION_MAX, blank=True)
    website = models.URLField(max_length=300, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.CharField(max_length=300, blank=True)
    # Free text from a short list in practice ("London", "Scotland", "National"); filters match it exactly.
    region = models.CharField(max_length=100, blank=True)
    # ISO 639-1 codes, comma-separated without spaces ("en,es"); see library.directory for the filter.
    languages = models.CharField(max_length=100, blank=True)
    eligibility = models.TextField(max_length=2000, blank=True)
    cost = models.CharField(max_length=200, blank=True)
    # Opening hours are OpeningHours rows read in this zone; always_open is "24/7".
    timezone = models.CharField(max_length=64, default="Europe/London")
    always_open = models.BooleanField(default=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Demo and sample entries say so on every page: their phone numbers are not real.
    is_example = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["kind", "name"]), models.Index(fields=["region"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/resources/{self.pk}/"

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]


class OpeningHours(models.Model):
    """One opening period on one weekday in the resource's zone; closes <= opens runs past midnight."""

    WEEKDAY_CHOICES = [
        (0, "Monday"),
        (1, "Tuesday"),
        (2, "Wednesday"),
        (3, "Thursday"),
        (4, "Friday"),
        (5, "Saturday"),
        (6, "Sunday"),
    ]

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAY_CHOICES)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [models.CheckConstraint(condition=Q(weekday__lte=6), name="library_hours_weekday")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


# ---------------------------------------------------------------------------------------------
# Library of vetted material
# ---------------------------------------------------------------------------------------------


class Material(TimestampedModel):
    LINK = "link"
    PDF = "pdf"
    KIND_CHOICES = [(LINK, "Link"), (PDF, "PDF document")]
    TITLE_MAX = 200
    DESCRIPTION_MAX = 2000

    kind = models.CharField(max_length=4, choices=KIND_CHOICES)
    title = models.CharField(max_length=TITLE_MAX)
    description = models.TextField(max_length=DESCRIPTION_MAX, blank=True)
    theme = models.CharField(max_length=16, choices=THEME_CHOICES)
    source = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    # Stored under a random name; served by library views with safe headers, never from MEDIA_URL.
    file = models.FileField(upload_to="library/", blank=True)
    file_size = models.PositiveIntegerField(default=0)
    original_name = models.CharField(max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["theme", "-created_at"])]
        constraints = [
            # Exactly one of the two: a link has a URL and no file, a PDF a file and no URL.
            models.CheckConstraint(
                condition=(Q(kind="link") & ~Q(url="") & Q(file="")) | (Q(kind="pdf") & Q(url="") & ~Q(file="")),
                name="library_material_link_or_pdf",
            ),
            models.CheckConstraint(condition=Q(theme__in=THEMES), name="library_material_theme"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/library/{self.pk}/"


# ---------------------------------------------------------------------------------------------
# Member tips
# ---------------------------------------------------------------------------------------------


class Tip(TimestampedModel):
    BODY_MAX = 1000

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tips")
    theme = models.CharField(max_length=16, choices=THEME_CHOICES)
    body = models.TextField(max_length=BODY_MAX)
    body_html = models.TextField()
    helpful_count = models.PositiveIntegerField(default=0)
    featured_at = models.DateTimeField(null=True, blank=True)
    featured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["theme", "-created_at"]),
            models.Index(fields=["-helpful_count", "-id"]),
        ]

    def __str__(self) -> str:
        return self.body[:60]

    def get_absolute_url(self) -> str:
        return f"/tips/{self.pk}/"


class TipVote(models.Model):
    """One "helpful" per member per tip."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tip", "voter"], name="library_one_helpful_per_member")]

    def __str__(self) -> str:
        return f"{self.voter_id} found tip {self.tip_id} helpful"


# ---------------------------------------------------------------------------------------------
# Referrals
# ---------------------------------------------------------------------------------------------


class Referral(TimestampedModel):
    SUGGESTED = "suggested"
    CONTACTED = "contacted"
    APPOINTMENT = "appointment"
    DONE = "done"
    NOT_NEEDED = "not_needed"
    STATUS_CHOICES = [
        (SUGGESTED, "Suggested"),
        (CONTACTED, "Contacted"),
        (APPOINTMENT, "Appointment made"),
        (DONE, "Done"),
        (NOT_NEEDED, "Not needed"),
    ]
    OPEN_STATUSES = [SUGGESTED, CONTACTED, APPOINTMENT]
    NOTE_MAX = 2000

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="referrals")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referrals")
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="referrals_made"
    )
    # The circle in which the facilitator knows the member: the follow-up dashboard lists by circle.
    circle = models.ForeignKey("circles.Circle", on_delete=models.CASCADE, related_name="referrals")
    note = models.TextField(max_length=NOTE_MAX, blank=True)
    status = models.CharField(max_length=12, choices=STATUS_CHOICES, default=SUGGESTED)
    follow_up_days = models.PositiveSmallIntegerField(default=14)
    follow_up_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["member", "-created_at"]),
            models.Index(fields=["circle", "status"]),
            models.Index(fields=["follow_up_at"], condition=Q(reminded_at__isnull=True), name="library_ref_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_up_days__gte=1, follow_up_days__lte=90), name="library_referral_follow_up_days"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} for {self.member}"

    def get_absolute_url(self) -> str:
        return f"/referrals/{self.pk}/"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class ReferralUpdate(models.Model):
    """The status history: who moved it to what, and when."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="updates")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=12, choices=Referral.STATUS_CHOICES)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.status}"
