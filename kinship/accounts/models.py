import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        # Never derive the name from the address: the name is public, the address is not.
        fields.setdefault("display_name", "Kinship staff" if fields.get("is_staff") else "Kinship member")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields["is_staff"] = True
        fields["is_superuser"] = True
        fields.setdefault("email_verified_at", timezone.now())
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser, PermissionsMixin):
    PATIENT = "patient"
    CAREGIVER = "caregiver"
    ROLE_CHOICES = [(PATIENT, "Patient"), (CAREGIVER, "Caregiver")]

    ONLY_ME = "only_me"
    MY_CIRCLES = "circles"
    VISIBILITY_CHOICES = [(ONLY_ME, "Only me"), (MY_CIRCLES, "My circles")]

    SURGERY_CHOICES = [
        ("limb_salvage", "Limb salvage"),
        ("amputation", "Amputation"),
        ("rotationplasty", "Rotationplasty"),
        ("other", "Other"),
    ]

    email = models.EmailField(max_length=254, unique=True)
    display_name = models.CharField(max_length=60)
    role = models.CharField(max_length=12, choices=ROLE_CHOICES, default=PATIENT)
    bio = models.CharField(max_length=500, blank=True)
    avatar = models.ImageField(upload_to="avatars/", blank=True)

    diagnosis = models.CharField(max_length=120, blank=True)
    diagnosis_visibility = models.CharField(max_length=8, choices=VISIBILITY_CHOICES, default=ONLY_ME)
    surgery_type = models.CharField(max_length=16, choices=SURGERY_CHOICES, blank=True)
    surgery_type_visibility = models.CharField(max_length=8, choices=VISIBILITY_CHOICES, default=ONLY_ME)
    body_site = models.CharField(max_length=80, blank=True)
    body_site_visibility = models.CharField(max_length=8, choices=VISIBILITY_CHOICES, default=ONLY_ME)
    surgery_date = models.DateField(null=True, blank=True)
    surgery_date_visibility = models.CharField(max_length=8, choices=VISIBILITY_CHOICES, default=ONLY_ME)

    email_verified_at = models.DateTimeField(null=True, blank=True)
    terms_accepted_at = models.DateTimeField(null=True, blank=True)
    terms_version = models.CharField(max_length=20, blank=True)

    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]  # createsuperuser asks only for the email

    RECOVERY_FIELDS = ("diagnosis", "surgery_type", "body_site", "surgery_date")

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", args=[self.pk])

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def avatar_url(self) -> str | None:
        return self.avatar.url if self.avatar else None


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, so a database leak yields no usable token."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token {self.pk} of user {self.user_id}"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()

    @classmethod
    def issue(cls, user: User) -> tuple["ApiToken", str]:
        key = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, key_hash=cls.hash(key)), key
